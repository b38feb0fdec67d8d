"""Round 13, preset choices, precision: a near spelling or a piece of one choice that is
its verb said with another object ("退到账户上" names an account, which either choice may
be) is no answer; a guess put as a question ("probably me too?") is no answer; a filler
sound lies near a one-letter choice ("ahh", "O") by sound alone and is no answer. Replies
written for these tests, in domains of their own."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.script import ScriptEngine


def _read(question: str, answers: list[str], reply: str) -> str | None:
    m = AnswerMatcher(answers, question=question).match(reply)
    return None if m is None else m.answer


@pytest.fixture(scope="module")
def engine():
    return ScriptEngine()


def _answer(engine, question: str, answers: list[str], reply: str) -> str | None:
    """A fresh English debug call with one collect question, the callee's one reply: the
    answer collected, or None."""
    ctx = context(
        lang="en", welcome="Hi, this is the customer team with a quick follow-up.",
        name="Sam", kb=None, collect=[{"question": question, "answers": answers}],
    )  # fmt: skip
    conv, _ = hear_once(engine, ctx, reply)
    return last_answer(conv)


POINTS = ("您的积分想兑换成现金，还是存到会员卡？", ["兑换现金", "存到会员卡"])
SIZE = ("Which size do you usually take: S, M or L, or are you not sure?",
        ["S", "M", "L", "not sure"])  # fmt: skip
MEAL = ("您想要哪个套餐：A套餐、B套餐还是C套餐？", ["A套餐", "B套餐", "C套餐"])
ROW = ("Which row would you like: O, P or Q?", ["O", "P", "Q"])
GROUP = ("Which group are you in: O, A, B or AB, or not sure?", ["O", "A", "B", "AB", "not sure"])


@pytest.mark.parametrize("reply", ["存到账户里", "存到账户上吧"])
def test_the_verb_of_one_choice_with_another_object_is_no_answer(reply):
    assert _read(*POINTS, reply) is None


@pytest.mark.parametrize(
    ("reply", "want"),
    [("存到会员卡里", "存到会员卡"), ("存到会员卡上吧", "存到会员卡"), ("兑换现金吧", "兑换现金")],
)
def test_the_choice_with_its_own_object_still_counts(reply, want):
    assert _read(*POINTS, reply) == want


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        (SIZE, "my brother's an M so probably me too?"),
        (SIZE, "maybe L?"),
        (MEAL, "大概是B套餐吧？"),
    ],
)
def test_a_guess_put_as_a_question_is_no_answer(question, reply):
    assert _read(*question, reply) is None


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [(SIZE, "M", "M"), (SIZE, "M I think", "M"), (MEAL, "B套餐吧", "B套餐")],
)
def test_a_choice_told_still_counts(question, reply, want):
    assert _read(*question, reply) == want


@pytest.mark.parametrize("question", [ROW, GROUP])
@pytest.mark.parametrize("reply", ["ahh", "ohh", "oh"])
def test_a_filler_sound_is_no_one_letter_choice(engine, question, reply):
    assert _answer(engine, *question, reply) is None


@pytest.mark.parametrize(("question", "reply"), [(ROW, "O"), (ROW, "row O please"), (GROUP, "O")])
def test_a_one_letter_choice_said_still_counts(engine, question, reply):
    assert _answer(engine, *question, reply) == "O"
