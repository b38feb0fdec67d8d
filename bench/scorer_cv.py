"""Leave-one-part-out fitting of the reply scorer (`voxdial.conversation.matching.scorer`),
run by bench/understanding_cv.py.

The samples are the reply items that reach the scorer: the engine runs each item with a
recorder in the scorer's place, which keeps the features of what it is asked about and
names no answer. A label is the expected answer's index, or None when the item expects
no answer (any flow, "none", a question back): naming one there is wrong. The threshold
is chosen on the four fitting parts alone, from their own leave-one-part-out
probabilities, as the lowest one whose added wrong answers stay within the budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tests.support.understanding import SPENT as PARTS
from tests.support.understanding import judge_reply, load

from voxdial.conversation.matching import scorer
from voxdial.conversation.script import ScriptEngine


class Recorder:
    """Stands in for the scorer: keeps the features it was asked about, names nothing."""

    def __init__(self) -> None:
        self.seen: scorer.Candidates | None = None

    def pick(self, a, text, r):
        self.seen = scorer.read(a, text, r)
        return None


@dataclass
class Sample:
    part: str
    id: str
    candidates: scorer.Candidates
    label: int | None


def collect(engine_factory=ScriptEngine) -> tuple[list[Sample], dict[str, int]]:
    """The samples of every part, and each part's number of replies."""
    recorder = Recorder()
    engine = engine_factory(scorer=recorder)
    samples: list[Sample] = []
    sizes: dict[str, int] = {}
    for part in PARTS:
        items = load(f"{part}_replies")
        sizes[part] = len(items)
        for item in items:
            recorder.seen = None
            judge_reply(engine, item)
            if recorder.seen is None:
                continue
            e = item["expect"]
            label = item["answers"].index(e["answer"]) if e.get("answer") is not None else None
            samples.append(Sample(part, item["id"], recorder.seen, label))
    return samples, sizes


def _fit(samples: list[Sample], l2: float) -> tuple[np.ndarray, np.ndarray]:
    return scorer.fit([(s.candidates, s.label) for s in samples], l2=l2)


def _outcomes(samples: list[Sample], w, v) -> list[tuple[float, int]]:
    """(probability of the pick, +1 right / -1 wrong) for every sample the model would
    answer at threshold 0 (samples where "none" wins are left out)."""
    out = []
    for s in samples:
        p = scorer.probabilities(s.candidates, w, v)
        best = int(np.argmax(p))
        if best == 0:
            continue
        out.append((float(p[best]), 1 if s.label == best - 1 else -1))
    return out


def choose_threshold(outcomes: list[tuple[float, int]], replies: int, budget: float) -> float:
    """The lowest threshold whose wrong answers stay within `budget` of `replies`, among
    those where the answers gained outweigh the wrong ones threefold."""
    best, best_gain = 1.01, 0.0
    for t in sorted({p for p, _ in outcomes}):
        kept = [o for p, o in outcomes if p >= t]
        wrong = sum(o < 0 for o in kept)
        right = sum(o > 0 for o in kept)
        gain = right - 3 * wrong
        if wrong <= budget * replies and gain > best_gain:
            best, best_gain = t, gain
    return best


def fit_parts(
    samples: list[Sample], sizes: dict[str, int], parts: list[str], budget: float, l2: float
) -> scorer.ReplyScorer:
    """Weights fitted on `parts`; threshold from their own leave-one-part-out outcomes."""
    inner: list[tuple[float, int]] = []
    for held in parts:
        rest = [s for s in samples if s.part in parts and s.part != held]
        w, v = _fit(rest, l2)
        inner += _outcomes([s for s in samples if s.part == held], w, v)
    threshold = choose_threshold(inner, sum(sizes[p] for p in parts), budget)
    w, v = _fit([s for s in samples if s.part in parts], l2)
    return scorer.ReplyScorer(w, v, threshold)


def offline(samples, sizes, budget: float, l2: float, *, insample: bool = False) -> list[dict]:
    """Per part, what the scorer adds to the replies (right, wrong), fitted without the
    part (or with every part, `insample`): exact for replies, since the scorer only acts
    where the engine would have asked again."""
    rows = []
    for held in PARTS:
        parts = list(PARTS) if insample else [p for p in PARTS if p != held]
        model = fit_parts(samples, sizes, parts, budget, l2)
        got = [
            (p, o)
            for p, o in _outcomes([s for s in samples if s.part == held], model.w, model.v)
            if p >= model.threshold
        ]
        rows.append(
            {
                "part": held,
                "threshold": round(model.threshold, 3),
                "reached": sum(s.part == held for s in samples),
                "reached_answer": sum(s.part == held and s.label is not None for s in samples),
                "added_right": sum(o > 0 for _, o in got),
                "added_wrong": sum(o < 0 for _, o in got),
                "replies": sizes[held],
            }
        )
    return rows
