"""The last stage: the reply's sentence embedding nearest one answer's, above a threshold
and by a margin over the runner-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from voxdial.conversation.matching.cues import NEGATION
from voxdial.conversation.matching.match import Heard, Match

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

EMBEDDING_THRESHOLD = 0.62
EMBEDDING_MARGIN = 0.06


def embedding(a: AnswerSet, heard: Heard) -> Match | None:
    text = heard.text
    if a.encoder is None or NEGATION.search(text):
        return None
    vectors = a.vectors()
    vector = np.asarray(a.encoder.encode([text]), dtype=np.float32)[0]
    sims = vectors @ vector
    order = np.argsort(-sims)
    top = float(sims[order[0]])
    second = float(sims[order[1]]) if len(order) > 1 else -1.0
    if top < EMBEDDING_THRESHOLD or top - second < EMBEDDING_MARGIN:
        return None
    if _negative_of_a_pair(a, int(order[0])):
        return None
    if _one_letter(a.answers[int(order[0])]):
        return None  # "ahh" lies near "O" by sound alone: a letter has no meaning to match
    return a.pick(int(order[0]), "embedding", top)


def _negative_of_a_pair(a: AnswerSet, index: int) -> bool:
    """The negative answer of a yes/no pair, reached by a reply with no negation in it:
    a sentence embedding does not weigh a negation, and the negative answer holds the
    plain one's words ("准时的" lies nearer 没有准时 than 准时送到), so its nearness says
    nothing of the callee's polarity."""
    return a.binary and index == a.no


def _one_letter(answer: str) -> bool:
    """Whether the answer is a single Latin letter (a blood group, a grade, a plan "B")."""
    return len(answer.strip()) == 1 and answer.strip().isascii() and answer.strip().isalpha()
