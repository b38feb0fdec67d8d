"""Round 7 of choices as people say them: a mark given on a points scale among other
numbers, days of the month named by the part of the month, lengths named by how long
they are, and not-decided phrases read as the question's uncertain answer.

Each case drives the script engine the way a debug call does (`start()`, then `hear()`)
and checks what it collected ("" when nothing); the matcher's cases also check which
stage read it. The replies are written for these tests, in domains of their own.
"""

from __future__ import annotations

import pytest

from tests.support.understanding import hear_once, last_answer
from voxdial.conversation.engine import CallContext
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.script import ScriptEngine

FIVE = [str(n) for n in range(1, 6)]
TEN = [str(n) for n in range(1, 11)]
TEN_ZH = [f"{n}分" for n in range(1, 11)]
WAITER_ZH = "您给这次送餐的骑手打几分？1到5分，5分最高。"
GYM_ZH = "从1到10分，您有多大可能把我们健身房推荐给同事？"
LIBRARY_EN = "On a scale of 1 to 5, how helpful was the library staff?"
PLUMBER_EN = "From 1 to 10, how likely are you to recommend our plumbers to a friend?"
RENT_DAY_ZH = ("您希望房租每月几号扣：1号、10号还是20号？", ["1号", "10号", "20号"])
RENT_DAY_EN = ("Which day should the rent go out: the 1st, the 14th or the 28th?",
               ["the 1st", "the 14th", "the 28th"])  # fmt: skip
LEASE_EN = ("Which lease would you like: month to month, the 6-month lease or the "
            "12-month lease?", ["month to month", "6-month lease", "12-month lease"])  # fmt: skip
MORTGAGE_EN = ("Which term suits you: the 15-year, the 30-year, or paying cash?",
               ["15-year", "30-year", "cash"])  # fmt: skip
PLAN_ZH = (
    "这台电视您想分几期付：3期、6期、24期，还是还没想好？",
    ["3期", "6期", "24期", "还没想好"],
)
CLUB_ZH = ("您愿意加入我们的读书会吗：愿意、不愿意，还是说不准？", ["愿意", "不愿意", "说不准"])
CLUB_PLAIN_ZH = ("您愿意加入我们的读书会吗？", ["愿意", "不愿意"])
TRIP_EN = ("Will you join the museum trip in May?", ["yes", "no", "not sure"])


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine(encoder=False)


def _collected(engine: ScriptEngine, question: str, answers: list[str], reply: str) -> str:
    ctx = CallContext(
        assistant={"welcome": "Hi", "collect": [{"question": question, "answers": answers}]}
    )
    conv, _ = hear_once(engine, ctx, reply)
    return last_answer(conv) or ""


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        # the mark given, beside a reason that carries a count of its own
        (WAITER_ZH, FIVE, "两分 等了快一个小时", "2"),
        (WAITER_ZH, FIVE, "给四分 洒了一点汤", "4"),
        (WAITER_ZH, FIVE, "打个三分吧 打了三次电话才找到", "3"),
        (GYM_ZH, TEN, "满分十分的话 我打六", "6"),
        (GYM_ZH, TEN_ZH, "十分 教练都很专业", "10分"),
        (GYM_ZH, TEN_ZH, "差不多吧 给八", "8分"),
        (LIBRARY_EN, FIVE, "four, they found my book in five minutes", "4"),
        (LIBRARY_EN, FIVE, "a solid three", "3"),
        (PLUMBER_EN, TEN, "i'd give them a seven, they came twice", "7"),
        # a number word as ASR writes it, where a mark is said
        (WAITER_ZH, FIVE, "打午分", "5"),
        (PLUMBER_EN, TEN, "ate out of ten", "8"),
        (PLUMBER_EN, TEN, "tin", "10"),
    ],
)
def test_a_mark_given_among_other_numbers(engine, question, answers, reply, want):
    assert _collected(engine, question, answers, reply) == want


@pytest.mark.parametrize(
    ("question", "answers", "reply"),
    [
        (WAITER_ZH, FIVE, "三分半吧"),  # half a mark: between two answers
        (GYM_ZH, TEN, "七点五"),
        (PLUMBER_EN, TEN, "seven and a half"),
        (WAITER_ZH, FIVE, "三分四分之间吧"),  # two marks
        (LIBRARY_EN, FIVE, "two, maybe three"),
        (LIBRARY_EN, FIVE, "four, they found me two books"),  # a bare number in the reason
        (WAITER_ZH, FIVE, "五分给不了 等了太久"),  # the only mark is turned down
        (LIBRARY_EN, FIVE, "better than last time"),  # a comparison with no anchor
        (WAITER_ZH, FIVE, "比上次好点"),
    ],
)
def test_no_mark_when_it_is_not_one_whole_mark(engine, question, answers, reply):
    assert _collected(engine, question, answers, reply) == ""


def test_the_mark_stage_reads_it_before_the_number_stage():
    m = AnswerMatcher(FIVE, question=WAITER_ZH)
    found = m.match("两分 等了快一个小时")
    assert found is not None and found.answer == "2"
    assert AnswerMatcher(FIVE, question="您家有几口人？").match("两分 等了快一个小时") is None


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (*RENT_DAY_ZH, "月初扣就行", "1号"),
        (*RENT_DAY_ZH, "月中那个吧", "10号"),
        (*RENT_DAY_ZH, "还是月底吧 发了工资", "20号"),
        (*RENT_DAY_EN, "the start of the month works best", "the 1st"),
        (*RENT_DAY_EN, "end of the month, after payday", "the 28th"),
        (*MORTGAGE_EN, "the longest one", "30-year"),
        (*MORTGAGE_EN, "the shorter term, we want it paid off", "15-year"),
        (*PLAN_ZH, "最短的那个", "3期"),
        (*PLAN_ZH, "期数最多的", "24期"),
    ],
)
def test_a_day_or_a_length_named_by_where_it_falls(engine, question, answers, reply, want):
    assert _collected(engine, question, answers, reply) == want


@pytest.mark.parametrize(
    ("question", "answers", "reply"),
    [
        (*RENT_DAY_ZH, "月初月底都行"),  # both ends
        (*PLAN_ZH, "长一点的"),  # "longer" compares two: three lengths are offered
        (*LEASE_EN, "the shorter one"),  # month to month is a length too
        (*LEASE_EN, "the longest one"),
    ],
)
def test_no_day_or_length_when_the_place_names_none(engine, question, answers, reply):
    assert _collected(engine, question, answers, reply) == ""


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (*CLUB_ZH, "这个很难讲", "说不准"),
        (*CLUB_ZH, "等我忙完这阵再说", "说不准"),
        (*CLUB_ZH, "走一步看一步吧", "说不准"),
        (*TRIP_EN, "it's a toss-up", "not sure"),
        (*TRIP_EN, "too early to tell", "not sure"),
    ],
)
def test_not_decided_is_the_uncertain_answer(engine, question, answers, reply, want):
    assert _collected(engine, question, answers, reply) == want


@pytest.mark.parametrize(
    ("question", "answers", "reply"),
    [
        (*CLUB_PLAIN_ZH, "这个很难讲"),  # no uncertain answer offered: asked again
        (*CLUB_PLAIN_ZH, "等我忙完这阵再说"),
    ],
)
def test_not_decided_without_an_uncertain_answer_is_none(engine, question, answers, reply):
    assert _collected(engine, question, answers, reply) == ""


def test_an_answer_named_beside_a_hedge_is_not_taken_as_undecided():
    m = AnswerMatcher(TRIP_EN[1], question=TRIP_EN[0])
    found = m.match("no, too early to tell if i can even get off work")
    assert found is None or found.answer != "not sure"
