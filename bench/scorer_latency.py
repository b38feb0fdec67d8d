"""Per-reply cost of the reply scorer: every reply of the spent eval parts heard on a
fresh call by the engine without the scorer and by the engine consulting it (fitted on
every part, threshold above 1 so that it is consulted wherever the rules abstain but
never changes the outcome), the two alternated per reply (and which goes first) so that
the machine's load falls on both alike. Warm-up: one pass first (model load, answer
embeddings), so repeated replies are served from the encoder's cache in both engines:
the figures compare the engines' own work. `pick()` is the scorer's own time per
consulted reply (its features, and the reply's embedding from the same cache).

    PYTHONPATH=src:. .venv/bin/python bench/scorer_latency.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scorer_cv import collect, fit_parts  # noqa: E402
from tests.support.understanding import SPENT as PARTS  # noqa: E402
from tests.support.understanding import context, load

from voxdial.conversation.matching.scorer import ReplyScorer  # noqa: E402
from voxdial.conversation.script import ScriptEngine  # noqa: E402


def _hear(engine: ScriptEngine, item: dict) -> float:
    ctx = context(
        lang=item["lang"], welcome=item["welcome"], name=item["name"], kb=item["kb"],
        collect=[{"question": item["question"], "answers": item["answers"]}],
    )  # fmt: skip
    conv = engine.begin(ctx)
    conv.start()
    t = time.perf_counter()
    conv.hear(item["reply"])
    return (time.perf_counter() - t) * 1000


class Timed:
    """The scorer, with the wall time of each of its `pick` calls kept."""

    def __init__(self, scorer: ReplyScorer) -> None:
        self.scorer = scorer
        self.ms: list[float] = []

    def pick(self, a, text, r):
        t = time.perf_counter()
        found = self.scorer.pick(a, text, r)
        self.ms.append((time.perf_counter() - t) * 1000)
        return found


def main() -> None:
    samples, sizes = collect()
    model = fit_parts(samples, sizes, list(PARTS), 0.005, 1.0)
    consulted = Timed(ReplyScorer(model.w, model.v, threshold=1.01))
    engines = {"without": ScriptEngine(scorer=False), "with": ScriptEngine(scorer=consulted)}
    items = [i for p in PARTS for i in load(f"{p}_replies")]
    for e in engines.values():  # warm-up
        for item in items:
            _hear(e, item)
    consulted.ms.clear()
    ms: dict[str, list[float]] = {k: [] for k in engines}
    for n, item in enumerate(items):
        order = list(engines.items())
        for k, e in order if n % 2 else order[::-1]:
            ms[k].append(_hear(e, item))
    for k, v in [*ms.items(), ("pick()", consulted.ms)]:
        a = np.asarray(v)
        print(  # noqa: T201
            f"{k:8} calls {len(a)}: p50 {statistics.median(a):.2f} ms, "
            f"p95 {np.percentile(a, 95):.2f} ms, mean {a.mean():.2f} ms"
        )
    ratio = np.asarray(ms["with"]).sum() / np.asarray(ms["without"]).sum()
    print(f"with/without total {ratio:.3f}; load average {os.getloadavg()}")  # noqa: T201


if __name__ == "__main__":
    main()
