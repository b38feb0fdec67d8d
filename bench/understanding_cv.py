"""Leave-one-part-out estimate of how the script engine's understanding generalizes.

The five labelled parts in tests/data/eval/ (dev, heldout, blind, blind2, blind3) were
each written by a different writer with other questions and other domains. Whatever is
fitted or tuned (the reply scorer, `voxdial.conversation.matching.scorer`) is fitted on
four parts and measured on the fifth; the figure per part when that part was left out
is the estimate to optimise, not the in-sample one.

    PYTHONPATH=src:. .venv/bin/python bench/understanding_cv.py baseline
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tests.support.understanding import PARTS, Figures, evaluate

from voxdial.conversation.script import ScriptEngine


def _row(part: str, f: Figures) -> dict:
    c = f.conversation_units
    return {
        "part": part,
        "replies": f.replies.total,
        "right": round(f.replies.share("right"), 4),
        "wrong": round(f.replies.share("wrong"), 4),
        "units": c.total,
        "units_right": round(c.share("right"), 4),
        "units_wrong": round(c.share("wrong"), 4),
    }


def _print(rows: list[dict], title: str) -> None:
    print(f"== {title}")  # noqa: T201
    print(
        f"{'part':8} {'replies':>7} {'right':>7} {'wrong':>6} {'units':>6} {'u.right':>7} {'u.wrong':>7}"
    )  # noqa: T201, E501
    for r in rows:
        print(  # noqa: T201
            f"{r['part']:8} {r['replies']:7d} {r['right']:7.1%} {r['wrong']:6.1%} "
            f"{r['units']:6d} {r['units_right']:7.1%} {r['units_wrong']:7.1%}"
        )
    n = sum(r["replies"] for r in rows)
    u = sum(r["units"] for r in rows)
    right = sum(r["right"] * r["replies"] for r in rows) / n
    wrong = sum(r["wrong"] * r["replies"] for r in rows) / n
    ur = sum(r["units_right"] * r["units"] for r in rows) / u
    uw = sum(r["units_wrong"] * r["units"] for r in rows) / u
    print(f"{'all':8} {n:7d} {right:7.1%} {wrong:6.1%} {u:6d} {ur:7.1%} {uw:7.1%}")  # noqa: T201


def baseline(engine_factory=ScriptEngine) -> list[dict]:
    engine = engine_factory()
    return [_row(part, evaluate(engine, part)) for part in PARTS]


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=("baseline",))
    p.add_argument("--json", type=Path, help="write the rows here")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    rows = baseline()
    _print(rows, "today's engine (nothing fitted: in-sample = left-out)")
    print(f"({time.perf_counter() - t0:.0f} s)")  # noqa: T201
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
