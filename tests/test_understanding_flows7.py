"""Round 13 of call flows: a sentence embedding does not weigh a negation, so a reply
with none in it is not read as the negative answer of a yes/no pair from its nearness
alone ("on time" lies near "not on time": the negative answer holds the plain one's
words). The replies are written for these tests (a florist's delivery, a bike repair),
in Mandarin and English; each is matched the way the script engine matches a reply."""

from __future__ import annotations

import numpy as np
import pytest

from voxdial.conversation.matching.matcher import AnswerMatcher


class _Near:
    """An encoder that puts every text nearest the answer that holds the most of its
    characters, the negative one on a tie: what a sentence encoder does with
    "准时的" beside 准时送到 / 没有准时."""

    def __init__(self, answers: list[str]):
        self.answers = answers

    def encode(self, texts: list[str]):
        rows = []
        for t in texts:
            if t in self.answers:
                v = np.zeros(len(self.answers))
                v[self.answers.index(t)] = 1.0
            else:
                v = np.array([0.6, 0.8]) if len(self.answers) == 2 else np.ones(len(self.answers))
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows)


@pytest.mark.parametrize(
    ("question", "answers", "reply"),
    [
        ("花是在约好的时间送到的吗？", ["按时送到", "没有按时"], "按时的"),
        ("Was the bike ready when you came for it?", ["ready", "not ready"], "all set"),
    ],
)
def test_an_embedding_alone_does_not_give_the_negative_answer(question, answers, reply):
    m = AnswerMatcher(answers, encoder=_Near(answers), question=question)
    found = m.match(reply)
    assert found is None or found.index == 0
