"""The script engine's understanding, part by part.

The labelled parts in tests/data/eval/ were each written by a different writer with
other questions and other domains. `baseline` scores every tuning part (SPENT in
tests/support/understanding.py); a held-out part is never read item by item.

    PYTHONPATH=src:. .venv/bin/python bench/understanding_cv.py baseline
    PYTHONPATH=src:. .venv/bin/python bench/understanding_cv.py gate blind5

`gate PART` prints a part's aggregate figures only (all, zh, en; replies, conversation
units, knowledge), never an item or a miss: it is how a tuner checks a change against a
validation part without reading it.

(Round 5 fitted a learned reply scorer here, leave one part out; it never gained on a
part it was not fitted on and was removed in round 6: docs/understanding-round5.md.)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tests.support.understanding import SPENT as PARTS
from tests.support.understanding import Figures, evaluate

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
    head = ("part", "replies", "right", "wrong", "units", "u.right", "u.wrong")
    print(f"{head[0]:8} " + " ".join(f"{h:>7}" for h in head[1:]))  # noqa: T201
    for r in rows:
        print(  # noqa: T201
            f"{r['part']:8} {r['replies']:7d} {r['right']:7.1%} {r['wrong']:7.1%} "
            f"{r['units']:7d} {r['units_right']:7.1%} {r['units_wrong']:7.1%}"
        )
    n = sum(r["replies"] for r in rows)
    u = sum(r["units"] for r in rows)
    right = sum(r["right"] * r["replies"] for r in rows) / n
    wrong = sum(r["wrong"] * r["replies"] for r in rows) / n
    ur = sum(r["units_right"] * r["units"] for r in rows) / u
    uw = sum(r["units_wrong"] * r["units"] for r in rows) / u
    print(f"{'all':8} {n:7d} {right:7.1%} {wrong:7.1%} {u:7d} {ur:7.1%} {uw:7.1%}")  # noqa: T201


def baseline() -> list[dict]:
    engine = ScriptEngine()
    return [_row(part, evaluate(engine, part)) for part in PARTS]



def gate(part: str) -> list[dict]:
    """Aggregates of one part, by language; no item is printed or returned."""
    from tests.support.understanding import evaluate_knowledge

    engine = ScriptEngine()
    rows = []
    for lang in (None, "zh", "en"):
        row = _row(f"{part}/{lang or 'all'}", evaluate(engine, part, lang=lang))
        k = evaluate_knowledge(part, lang=lang)
        rows.append({**row, "kb_first": k.ranked_first, "kb_answered": k.answered,
                     "kb_wrong": k.answered_wrong, "kb_questions": k.questions,
                     "kb_off_topic_declined": f"{k.rejected}/{k.off_topic}"})  # fmt: skip
    return rows


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=("baseline", "gate"))
    p.add_argument("part", nargs="?", help="gate: the part to measure")
    p.add_argument("--json", type=Path, help="write the rows here")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    if a.what == "gate":
        rows = gate(a.part)
        for r in rows:
            print(  # noqa: T201
                f"{r['part']:12} replies {r['replies']} right {r['right']:.1%} "
                f"wrong {r['wrong']:.1%} | units {r['units']} right {r['units_right']:.1%} "
                f"wrong {r['units_wrong']:.1%} | knowledge first {r['kb_first']}/"
                f"{r['kb_questions']} answered {r['kb_answered']} wrong {r['kb_wrong']} "
                f"off-topic declined {r['kb_off_topic_declined']}"
            )
    else:
        rows = baseline()
        _print(rows, "today's engine, every tuning part")
    print(f"({time.perf_counter() - t0:.0f} s)")  # noqa: T201
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
