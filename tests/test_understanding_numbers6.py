"""Round 12, numbers, marks and times: amounts in 万 (digits or a vague amount before 万,
"25w"), "N十几", 平方 for 平米, answers that are a flat's layout, an up-to bound on the
answers' own bound; a count in a reason after "honestly"; a question back asking which
one; points added ("多一分都不给"); "couldn't give less than" the top mark; "tree a week";
"not more than one"; "seven forty five"; the choice a question calls early or late;
a point slot where "evening" begins; "i've got choir on monday". Replies written for
these tests, in domains of their own."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.quantities import amounts
from voxdial.conversation.script import ScriptEngine


def _read(question: str, answers: list[str], reply: str) -> str | None:
    m = AnswerMatcher(answers, question=question).match(reply)
    return None if m is None else m.answer


def _collected(question: str, answers: list[str], reply: str) -> str | None:
    """What a fresh call collects from one reply to one question."""
    zh = not reply.isascii()
    welcome = "您好，这里是车行回访。" if zh else "Hi, this is the bike shop following up."
    ctx = context(lang="zh" if zh else "en", welcome=welcome, name="X", kb=None,
                  collect=[{"question": question, "answers": answers}])  # fmt: skip
    conv, _ = hear_once(ScriptEngine(), ctx, reply)
    return last_answer(conv)


PRICE_ZH = "您打算花多少钱买车：5万以下、5到10万、10到20万，还是20万以上？"
PRICE = ["5万以下", "5到10万", "10到20万", "20万以上"]
SHOP_ZH = "店面面积大概多大：50平以下、50到100平、100到200平，还是200平以上？"
SHOP = ["50平以下", "50到100平", "100到200平", "200平以上"]
FLAT_ZH = "您家是几室的：一室、两室、三室，还是四室及以上？"
FLAT = ["一室", "两室", "三室", "四室及以上"]


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (PRICE_ZH, PRICE, "十二万左右", "10到20万"),  # 万 after a numeral
        (PRICE_ZH, PRICE, "七八万吧", "5到10万"),  # neighbouring digits before 万
        (PRICE_ZH, PRICE, "十几万", "10到20万"),  # a vague amount before 万
        (PRICE_ZH, PRICE, "三十几万", "20万以上"),  # N十几 before 万
        (PRICE_ZH, PRICE, "不超过五万", "5万以下"),  # up to the answers' own bound
        (PRICE_ZH, PRICE, "预算不多 三万", "5万以下"),
        (PRICE_ZH, PRICE, "15w", "10到20万"),  # w typed for 万
        (PRICE_ZH, PRICE, "十二", None),  # no 万: 12万 by sense, 12 by the words
        (PRICE_ZH, PRICE, "五万左右", None),  # about the shared bound: either side
        (SHOP_ZH, SHOP, "六十几个平", "50到100平"),  # N十几 is N1..N9, not 十几
        (SHOP_ZH, SHOP, "大概一百五平方", "100到200平"),  # 平方 for 平米
        (SHOP_ZH, SHOP, "两百三 套内", "200平以上"),  # 套内 is no measure word
        (FLAT_ZH, FLAT, "五室 带阁楼", "四室及以上"),  # a layout answer keeps its count
        (FLAT_ZH, FLAT, "四个卧室 还有个储物间", "四室及以上"),
        (FLAT_ZH, FLAT, "两室一厅一卫", "两室"),  # the rooms beside are no count
        (FLAT_ZH, FLAT, "三式两厅", "三室"),  # 式 as ASR writes 室
    ],
)
def test_amounts_zh(question, answers, reply, want):
    assert _collected(question, answers, reply) == want


def test_myriads_read():
    assert [(x.low, x.high) for x in amounts("10到20万")] == [(100000, 200000)]
    assert [(x.low, x.high) for x in amounts("二十几万")] == [(210000, 290000)]
    assert [(x.low, x.high) for x in amounts("八十几个")] == [(81, 89)]
    assert [(x.low, x.high) for x in amounts("十八九万")] == [(180000, 190000)]
    assert amounts("万一") == []


FIVE_EN = "On a scale of one to five, how would you rate the mechanic who serviced your bike?"
FIVE = [str(i) for i in range(1, 6)]
TEN_ZH = "您给这次的售后服务打个分吧，1到10分，10分最高。"
TEN = [str(i) for i in range(1, 11)]
RIDES_EN = "How many group rides a week would you like to join: one, two or three?"
RIDES = ["1", "2", "3"]


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        # a count in a reason, after "honestly", takes nothing back
        (FIVE_EN, FIVE, "two honestly, he lost my bolts and called me twice", "2"),
        (RIDES_EN, RIDES, "two, honestly one most weeks", "1"),  # still taken back here
        # a question back asking which one: the number is its context
        (FIVE_EN, FIVE, "the mechanic? which one, there were three", None),
        (TEN_ZH, TEN, "三分 多一分都不给", "3"),  # one point more, not a mark
        (FIVE_EN, FIVE, "i couldn't give him less than five", "5"),  # the top mark
        (TEN_ZH, TEN, "差不多八分", "8"),  # 差不多 takes nothing off
        (RIDES_EN, RIDES, "tree a week", "3"),  # a sound-alike before the period asked
        (RIDES_EN, RIDES, "not more than one, my knees are bad", "1"),  # a bound at the end
        (RIDES_EN, RIDES, "no more than one", "1"),
    ],
)
def test_marks_and_counts(question, answers, reply, want):
    assert _collected(question, answers, reply) == want


def test_less_than_a_lower_mark_is_no_mark():
    ten = "From 1 to 10, how likely are you to recommend the shop?"
    assert _collected(ten, TEN, "i couldn't give them less than eight") is None


FITTING_EN = (
    "Would you like the early fitting at 6pm, the late fitting at 7:30pm, or the Sunday"
    " morning one?"
)
FITTING = ["6pm", "7:30pm", "Sunday 10am"]
NIGHT_EN = "Which night suits you for the workshop: Tuesday, Wednesday or Friday?"
NIGHT = ["Tuesday", "Wednesday", "Friday"]


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (FITTING_EN, FITTING, "the later one, i'm not home till six", "7:30pm"),
        (FITTING_EN, FITTING, "put me down for the late slot", "7:30pm"),
        (FITTING_EN, FITTING, "the early one please", "6pm"),
        (FITTING_EN, FITTING, "the evening one", None),  # 6pm and 7:30pm both are
        (FITTING_EN, FITTING, "seven thirty", "7:30pm"),
        (
            "Which class would you like: 6pm, 7:45pm or Saturday 10am?",
            ["6pm", "7:45pm", "Saturday 10am"],
            "seven forty five",
            "7:45pm",
        ),
        (NIGHT_EN, NIGHT, "fri is best, i've got band practice on tuesday", "Friday"),
        (NIGHT_EN, NIGHT, "i have time on wednesday", "Wednesday"),
    ],
)
def test_times(question, answers, reply, want):
    assert _collected(question, answers, reply) == want


def test_later_among_days_and_hours_is_not_guessed():
    # nothing in the question calls a choice the late one: later by the day or the hour
    question = "Which class would you like: 6pm, 7:45pm or Saturday 10am?"
    assert _read(question, ["6pm", "7:45pm", "Saturday 10am"], "the later one") is None
