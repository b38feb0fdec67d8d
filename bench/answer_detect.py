"""Answer detection on the labelled set (bench/make_answer_set.py): accuracy per class,
the confusion matrix and the time to decide, for the dev and the held-out part.

Each recording is read as `voxdial answer-detect` reads it (8 kHz μ-law WAV, resampled
to 16 kHz) and fed in 20 ms frames to an `AnswerDetector` with the real models: Silero
VAD, Whisper base for Mandarin and Whisper tiny.en for English (listeners 1 and 2; `--en-listener
0` for base on English too).

Time to decide, in audio time (what the detector has heard when it decides):
- a person: from the end of their greeting (the last speech before the decision);
- anything else: from the start of the audio after the early media (ringback), i.e.
  from the answer, or from the audio's start when there was none.
Compute: wall seconds the detector took per recording (the recognizer's share is most of
it), on this machine as it was during the run (loaded or not: see the load figure).

    .venv/bin/python bench/answer_detect.py [--split dev|heldout|all] [--json out.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT / "src", ROOT):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from bench.figures import commit, pct  # noqa: E402
from bench.make_answer_set import default_out, load_manifest, render_set  # noqa: E402

from voxdial.voice.answer_detect_cli import detect, read_wav  # noqa: E402
from voxdial.voice.answer_types import AnswerOutcome  # noqa: E402
from voxdial.voice.base import Recognizer  # noqa: E402

CLASSES = [o.value for o in AnswerOutcome]
HUMAN_LIMIT_MS = 1200
MACHINE_LIMIT_MS = 4000


def say(line: str = "") -> None:
    print(line, flush=True)  # noqa: T201 (a benchmark reports on stdout)


class CachedRecognizer:
    """A recognizer whose answers are kept on disk by the audio's hash, with the wall
    time the real call took: re-running the bench after a change of the detector's rules
    costs only the clips it had not transcribed yet, and the compute figures still count
    every transcription at its original cost."""

    def __init__(self, inner: Recognizer, cache: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.cache = cache
        self.spent = 0.0  # seconds the transcriptions cost when they were made
        self.wall = 0.0  # seconds spent in `transcribe` in this run
        self.calls = 0
        cache.mkdir(parents=True, exist_ok=True)

    def transcribe(self, audio: Any, *, language: str | None, hot_words: Any) -> str:
        key = hashlib.sha1(
            f"{self.name}|{language}|{list(hot_words)}|".encode() + audio.tobytes()
        ).hexdigest()
        path = self.cache / f"{key}.json"
        self.calls += 1
        t0 = time.perf_counter()
        if path.is_file():
            hit = json.loads(path.read_text("utf-8"))
            text, seconds = str(hit["text"]), float(hit["seconds"])
        else:
            text = self.inner.transcribe(audio, language=language, hot_words=hot_words)
            seconds = time.perf_counter() - t0
            path.write_text(json.dumps({"text": text, "seconds": seconds}, ensure_ascii=False))
        self.spent += seconds
        self.wall += time.perf_counter() - t0
        return text


def run_items(
    rows: Iterable[dict], recognizer_for: Callable[[str], Recognizer], *, progress: bool = False
) -> list[dict]:
    """Detect each labelled recording; the rows with what was decided, and when."""
    results = []
    for i, row in enumerate(rows, 1):
        audio, _ = read_wav(Path(row["file"]))
        recognizer = recognizer_for(row["language"])
        cached = recognizer if isinstance(recognizer, CachedRecognizer) else None
        spent, wall, calls = (cached.spent, cached.wall, cached.calls) if cached else (0, 0, 0)
        t0 = time.perf_counter()
        decision = detect(audio, recognizer, language=row["language"])
        seconds = time.perf_counter() - t0
        if cached:  # cached answers at what they cost when they were made
            seconds += (cached.spent - spent) - (cached.wall - wall)
        if progress:
            print(  # noqa: T201 (progress of a long run, on stderr)
                f"  [{i}] {row['id']}: {decision.outcome.value} at {decision.decided_at_ms} ms",
                file=sys.stderr,
                flush=True,
            )
        at = decision.decided_at_ms
        if row["label"] == "human":
            ends = [end for _, end in row["speechMs"] if end <= at]
            latency = at - ends[-1] if ends else None
        else:
            latency = at - row["contentStartMs"]
        results.append(
            {
                **row,
                "outcome": decision.outcome.value,
                "reason": decision.reason,
                "transcript": decision.transcript,
                "decidedAtMs": at,
                "latencyMs": latency,
                "seconds": round(seconds, 3),
                "asrCalls": cached.calls - calls if cached else None,
            }
        )
    return results


def _pct(values: list[float], p: int) -> float | None:
    """bench/figures.py's percentile; None (JSON null) for no values."""
    return pct(values, p) if values else None


def summarize(results: list[dict]) -> dict[str, Any]:
    n = len(results)
    correct = sum(r["outcome"] == r["label"] for r in results)
    humans = [r for r in results if r["label"] == "human"]
    human_as_machine = sum(AnswerOutcome(r["outcome"]).is_machine for r in humans)
    per_class = {}
    for c in CLASSES:
        rows = [r for r in results if r["label"] == c]
        if not rows:
            continue
        lat = [r["latencyMs"] for r in rows if r["latencyMs"] is not None]
        limit = HUMAN_LIMIT_MS if c == "human" else MACHINE_LIMIT_MS
        per_class[c] = {
            "n": len(rows),
            "correct": sum(r["outcome"] == c for r in rows),
            "p50Ms": _pct(lat, 50),
            "p95Ms": _pct(lat, 95),
            "withinLimit": sum(x <= limit for x in lat),
        }
    confusion = Counter((r["label"], r["outcome"]) for r in results)
    secs = [r["seconds"] for r in results]
    return {
        "n": n,
        "accuracy": correct / n if n else 0.0,
        "humanAsMachine": human_as_machine,
        "humans": len(humans),
        "humanAsMachineRate": human_as_machine / len(humans) if humans else 0.0,
        "perClass": per_class,
        "confusion": {f"{a}->{b}": k for (a, b), k in sorted(confusion.items())},
        "computeP50S": _pct(secs, 50),
        "computeP95S": _pct(secs, 95),
    }


def report(split: str, results: list[dict], summary: dict[str, Any]) -> None:
    say(f"### {split}: {summary['n']} recordings")
    say()
    say(
        f"Overall accuracy **{summary['accuracy']:.1%}**; humans classed as a machine: "
        f"**{summary['humanAsMachine']} of {summary['humans']}** "
        f"({summary['humanAsMachineRate']:.1%})."
    )
    say()
    say("| class | n | correct | accuracy | decide p50 | decide p95 | within limit |")
    say("|---|---|---|---|---|---|---|")
    for c, s in summary["perClass"].items():
        if c == "unknown":
            within = "- (decided at the total limit, 6 s)"
        else:
            limit = "1.2 s after the greeting" if c == "human" else "4 s"
            within = f"{s['withinLimit']}/{s['n']} ({limit})"
        say(
            f"| {c} | {s['n']} | {s['correct']} | {s['correct'] / s['n']:.0%} | "
            f"{_ms(s['p50Ms'])} | {_ms(s['p95Ms'])} | {within} |"
        )
    say()
    labels = [c for c in CLASSES if c in summary["perClass"]]
    predicted = [c for c in CLASSES if any(r["outcome"] == c for r in results)]
    say("Confusion (rows: truth, columns: decided):")
    say()
    say("| truth \\ decided | " + " | ".join(predicted) + " |")
    say("|---" * (len(predicted) + 1) + "|")
    for a in labels:
        cells = [
            str(sum(r["label"] == a and r["outcome"] == b for r in results) or "")
            for b in predicted
        ]
        say(f"| {a} | " + " | ".join(cells) + " |")
    say()
    say(
        f"Compute per recording (wall): p50 {summary['computeP50S']:.2f} s, "
        f"p95 {summary['computeP95S']:.2f} s."
    )
    say()


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{v / 1000:.2f} s"


def recognizers(en_listener: int | None, cache: Path | None = None) -> Callable[[str], Recognizer]:
    from voxdial.settings import Settings
    from voxdial.voice.models import SpeechModels

    models = SpeechModels(Settings())

    cached: dict[str, Recognizer] = {}

    def recognizer_for(language: str) -> Recognizer:
        if language not in cached:
            listener = en_listener if language == "en" else None
            r = models.recognizer(listener, language=language)
            cached[language] = CachedRecognizer(r, cache) if cache else r
        return cached[language]

    return recognizer_for


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=["dev", "heldout", "all"], default="all")
    ap.add_argument("--out", type=Path, default=None, help="the set's directory (cache)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N of each split")
    ap.add_argument(
        "--en-listener",
        type=int,
        default=2,
        help="listenerId for English (2: Whisper tiny.en, the fast English listener; "
        "0: the catalogue's choice, Whisper base)",
    )
    ap.add_argument("--json", type=Path, default=None, help="write every result here")
    ap.add_argument("--errors", action="store_true", help="list the wrong decisions")
    ap.add_argument(
        "--asr-cache", type=Path, default=None, help="keep transcriptions here (for tuning runs)"
    )
    ap.add_argument("--progress", action="store_true", help="one line per recording on stderr")
    args = ap.parse_args()
    out = args.out or default_out()
    recognizer_for = recognizers(args.en_listener or None, args.asr_cache)
    everything: dict[str, Any] = {}
    load = os.getloadavg()
    say(f"Commit {commit()}; load average before: {load[0]:.1f} (2 CPUs)")
    say()
    for split in ["dev", "heldout"] if args.split == "all" else [args.split]:
        specs = load_manifest(split=split)
        if args.limit:
            specs = specs[: args.limit]
        rows = render_set(specs, out, log=False)
        results = run_items(rows, recognizer_for, progress=args.progress)
        summary = summarize(results)
        report(split, results, summary)
        if args.errors:
            for r in results:
                if r["outcome"] != r["label"]:
                    say(
                        f"- {r['id']}: {r['outcome']} at {r['decidedAtMs']} ms "
                        f"({r['reason']}) heard {r['transcript']!r}"
                    )
            say()
        everything[split] = {"summary": summary, "results": results}
    say(f"Load average after: {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(everything, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
