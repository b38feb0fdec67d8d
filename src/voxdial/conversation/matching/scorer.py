"""A learned second opinion for the replies the rules leave unsettled.

When no matching stage settles a reply and the engine would ask again, `ReplyScorer`
weighs the reply against each preset answer and against "none of them" with a small
conditional-logit model (a softmax over the answers and a "none" option) over features
the rules already compute: character overlap with each answer, the embedding similarity
and its margin over the runner-up, the reply's polarity against an answer's being
negative or uncertain, and what the reply does (asks back, hesitates, says goodbye).
It names an answer only when that answer's probability clears the threshold fitted with
the weights; below it the engine asks again, as before.

The weights are fitted with numpy (`fit`) on the labelled evaluation parts and kept as a
small JSON file beside this module (`scorer.json`); `bench/understanding_cv.py` fits them
leave-one-part-out to choose the features and the threshold by how they do on a part
they were not fitted on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from voxdial.conversation import intents
from voxdial.conversation.matching.cues import NEGATION
from voxdial.conversation.matching.match import Match
from voxdial.conversation.polarity import polarity
from voxdial.conversation.scale import scale_score

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

WEIGHTS = Path(__file__).with_name("scorer.json")

ANSWER_FEATURES = (
    "sim",  # embedding cosine, reply against the answer
    "sim_margin",  # ... minus the best other answer's
    "sim_top",  # the answer is the nearest by embedding
    "bigram",  # character-bigram Dice with the answer's key
    "chars",  # share of the answer's characters (CJK) or words found in the reply
    "inside",  # the answer's key said as it is
    "negative",  # the answer is the negative one ("不会", "no")
    "uncertain",  # the answer is the uncertain one ("不确定", "not sure")
    "yes_plain",  # the reply says yes, the answer is neither negative nor uncertain
    "no_negative",  # the reply says no, the answer is the negative one
    "yes_negative",  # the reply says yes, the answer is negative
    "no_plain",  # the reply says no, the answer is a plain one
    "negation_negative",  # a negator in the reply, the answer is negative
    "negation_plain",  # a negator in the reply, the answer is plain
    "unsure_uncertain",  # the reply is unsure, the answer is uncertain
    "verb_plain",  # the question's own verb said ("续"), the answer is plain
    "scale_near",  # a score in the reply near the answer's own score
    "first",  # the answer is the first one
    "last",  # the answer is the last one
)
NONE_FEATURES = (
    "bias",
    "asking",
    "goodbye",
    "hold",
    "repeat",
    "who_why",
    "decline",
    "later",
    "not_interested",
    "unsure",
    "hesitation",
    "short",  # at most two characters or one word
    "long",  # more than twelve characters or six words
    "question_mark",
    "best_sim",  # the nearest answer's embedding similarity
    "offers_uncertain",  # the question offers an uncertain answer
    "scale",  # the answers are a scale
    "numeric",  # the answers are amounts
    "timed",  # the answers are times or days
)

_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[a-z0-9']+|[\u4e00-\u9fff]")


def _units(text: str) -> set[str]:
    return set(_WORD.findall(text))


def _bigrams(text: str) -> set[str]:
    s = re.sub(r"\s+", "", text)
    return {s[i : i + 2] for i in range(len(s) - 1)} or ({s} if s else set())


def _dice(x: set[str], y: set[str]) -> float:
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


@dataclass
class Candidates:
    """One reply read against one question's answers: a row of `ANSWER_FEATURES` per
    answer and the reply's `NONE_FEATURES`."""

    answers: np.ndarray  # (n answers, len(ANSWER_FEATURES))
    none: np.ndarray  # (len(NONE_FEATURES),)


def candidates(a: AnswerSet, text: str, r: intents.Reading, vector: Any = None) -> Candidates:
    """The features of `text` (the reply as the engine matches it, questions back left
    out) against `a`'s answers; `vector` is the reply's embedding when there is one."""
    t = a.clean(text)
    n = len(a.answers)
    if vector is not None and a.encoder is not None:
        sims = a.vectors() @ np.asarray(vector, dtype=np.float32)
    else:
        sims = np.zeros(n, dtype=np.float32)
    pol = polarity(t)
    negated = bool(NEGATION.search(t))
    units = _units(t)
    grams = _bigrams(t)
    said = scale_score(t) if a.is_scale else None
    verb = any(v in t for v in a.verbs)
    rows = []
    for k, key in enumerate(a.keys):
        others = np.delete(sims, k)
        best_other = float(others.max()) if len(others) else -1.0
        plain = not a.negative[k] and not a.uncertain[k]
        ku = _units(key)
        near = 0.0
        if said is not None and a.scores[k] is not None:
            near = max(0.0, 1.0 - abs(said - a.scores[k]) / 2)
        rows.append(
            [
                float(sims[k]),
                float(sims[k]) - best_other,
                float(sims[k] >= best_other),
                _dice(grams, _bigrams(key)),
                len(ku & units) / len(ku) if ku else 0.0,
                float(bool(key) and key in t),
                float(a.negative[k]),
                float(a.uncertain[k]),
                float(pol is True and plain),
                float(pol is False and a.negative[k]),
                float(pol is True and a.negative[k]),
                float(pol is False and plain),
                float(negated and a.negative[k]),
                float(negated and plain),
                float(r.unsure and a.uncertain[k]),
                float(verb and plain),
                near,
                float(k == 0),
                float(k == n - 1),
            ]
        )
    size = len(_CJK.findall(t)) + len(re.findall(r"[a-z0-9']+", t))
    none = [
        1.0,
        float(r.asking),
        float(r.goodbye),
        float(r.hold),
        float(r.repeat),
        float(r.who or r.why),
        float(r.decline_question),
        float(r.later),
        float(r.not_interested),
        float(r.unsure),
        float(r.hesitation),
        float(size <= 2),
        float(size > 12),
        float("?" in text or "？" in text),
        float(sims.max()) if n else 0.0,
        float(any(a.uncertain)),
        float(a.is_scale),
        float(a.is_numeric),
        float(a.choices is not None),
    ]
    return Candidates(np.asarray(rows, dtype=np.float64), np.asarray(none, dtype=np.float64))


def probabilities(c: Candidates, w: np.ndarray, v: np.ndarray) -> np.ndarray:
    """P(none), then P(answer k) for each answer."""
    scores = np.concatenate([[c.none @ v], c.answers @ w])
    scores -= scores.max()
    e = np.exp(scores)
    return e / e.sum()


def fit(
    samples: list[tuple[Candidates, int | None]], *, l2: float = 1.0, steps: int = 500
) -> tuple[np.ndarray, np.ndarray]:
    """Weights (answer features, none features) maximising the likelihood of the labels
    (an answer's index, or None: no answer) with an L2 penalty; full-batch gradient
    descent with Adam from zero, deterministic."""
    count = len(samples)
    width = max((len(c.answers) for c, _ in samples), default=1)
    a = np.zeros((count, width, len(ANSWER_FEATURES)))
    mask = np.full((count, width + 1), -np.inf)
    mask[:, 0] = 0.0
    g = np.stack([c.none for c, _ in samples]) if samples else np.zeros((0, len(NONE_FEATURES)))
    y = np.zeros((count, width + 1))
    for i, (c, label) in enumerate(samples):
        a[i, : len(c.answers)] = c.answers
        mask[i, 1 : len(c.answers) + 1] = 0.0
        y[i, 0 if label is None else label + 1] = 1.0
    w = np.zeros(len(ANSWER_FEATURES))
    v = np.zeros(len(NONE_FEATURES))
    m1 = np.zeros(len(w) + len(v))
    m2 = np.zeros_like(m1)
    n = max(1, count)
    for step in range(1, steps + 1):
        scores = np.concatenate([(g @ v)[:, None], a @ w], axis=1) + mask
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=1, keepdims=True)
        d = p - y
        gw = np.einsum("nk,nkf->f", d[:, 1:], a) / n + l2 * w / n
        gv = g.T @ d[:, 0] / n + l2 * v / n
        grad = np.concatenate([gw, gv])
        m1 = 0.9 * m1 + 0.1 * grad
        m2 = 0.999 * m2 + 0.001 * grad * grad
        move = 0.05 * (m1 / (1 - 0.9**step)) / (np.sqrt(m2 / (1 - 0.999**step)) + 1e-8)
        w -= move[: len(w)]
        v -= move[len(w) :]
    return w, v


def read(a: AnswerSet, text: str, r: intents.Reading) -> Candidates:
    """`candidates` with the reply's embedding (one encoder call) when `a` has one."""
    vector = None
    if a.encoder is not None and a.clean(text):
        vector = np.asarray(a.encoder.encode([a.clean(text)]), dtype=np.float32)[0]
    return candidates(a, text, r, vector)


class ReplyScorer:
    """Names an answer for a reply the rules left unsettled, or None."""

    def __init__(self, w: np.ndarray, v: np.ndarray, threshold: float) -> None:
        self.w = np.asarray(w, dtype=np.float64)
        self.v = np.asarray(v, dtype=np.float64)
        self.threshold = float(threshold)

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> ReplyScorer | None:
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        w = [data["answer"][f] for f in ANSWER_FEATURES]
        v = [data["none"][f] for f in NONE_FEATURES]
        return cls(np.asarray(w), np.asarray(v), data["threshold"])

    def save(self, path: Path, **meta: Any) -> None:
        data = {
            "threshold": self.threshold,
            "answer": dict(zip(ANSWER_FEATURES, map(float, self.w), strict=True)),
            "none": dict(zip(NONE_FEATURES, map(float, self.v), strict=True)),
            **meta,
        }
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    def pick(self, a: AnswerSet, text: str, r: intents.Reading) -> Match | None:
        if not a.answers or not a.clean(text):
            return None
        p = probabilities(read(a, text, r), self.w, self.v)
        best = int(np.argmax(p))
        if best == 0 or p[best] < self.threshold:
            return None
        return a.pick(best - 1, "scored", float(p[best]))
