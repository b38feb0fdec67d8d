"""Round 15, numbers: "any day but X" excepts; being somewhere else then turns a time
down; kin words and pairs counted, someone added uncounted; 顶多 N;
the lowest one; a mark said under a condition; years and months; 没满周岁; quite a few;
Cantonese parts of the day; before dinner; choose-day; corrections with 唔系 and "no,
hang on"; what was done at the doctor's is no busy line."""

from __future__ import annotations

import pytest

from tests.support import understanding as u
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.quantities import amounts
from voxdial.conversation.script import ScriptEngine

SCALE5_ZH_Q = "您给体验课的主教老师打几分？1分最低，5分最高。"
SCALE5 = [str(i) for i in range(1, 6)]
SCALE10_ZH_Q = "从1到10分，您有多大可能把我们推荐给身边的朋友？"
SCALE10 = [str(i) for i in range(1, 11)]
SCALE5_EN_Q = "On a scale of 1 to 5, how happy are you with collecting your parcels from us?"
SCALE10_EN_Q = "On a scale of 1 to 10, how likely are you to recommend the shop to a friend?"
RUN_Q = "Would you rather have the morning run or the afternoon run?"
RUN = ["morning", "afternoon"]
DAYS_Q = "Which delivery day suits you best: Tuesday, Thursday or Saturday?"
DAYS = ["Tuesday", "Thursday", "Saturday"]
ADULTS_Q = "平时一般几个大人陪孩子来：1个、2个，还是3个及以上？"
ADULTS = ["1个", "2个", "3个及以上"]
AGE_Q = "孩子现在多大了：1岁以下、1到2岁、2到3岁，还是3岁以上？"
AGE = ["1岁以下", "1到2岁", "2到3岁", "3岁以上"]
ITEMS_Q = "How many items are on the repeat order?"
ITEMS = ["1", "2 to 3", "4 to 6", "7 or more"]
TOD_ZH_Q = "时间上您想排在上午、下午还是傍晚？"
TOD_ZH = ["上午", "下午", "傍晚"]
JAB_Q = "How many people in the house would want a flu jab?"
JAB = ["1", "2", "3", "4 or more"]


def _answer(question: str, answers: list[str], reply: str) -> str | None:
    found = AnswerMatcher(answers, question=question).match(reply)
    return None if found is None else found.answer


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        # "anything but X" excepts X, it does not want it
        (RUN_Q, RUN, "anything but the morning", "afternoon"),
        (DAYS_Q, DAYS, "anything but Tuesday", None),
        # somewhere else at a time turns that time down; at home does not
        (RUN_Q, RUN, "mornings, I'm at the bingo in the afternoon", "morning"),
        (RUN_Q, RUN, "I'm at home in the morning", "morning"),
        (RUN_Q, RUN, "I'm at my house in the morning", "morning"),
        # 顶多 N is at most N: the mark, not N points added
        (SCALE10_ZH_Q, SCALE10, "不会推荐 太远了 顶多两分", "2"),
        # the lowest one, with a reason after it
        (SCALE5_ZH_Q, SCALE5, "最低那个 她全程在看手机", "1"),
        (SCALE5_ZH_Q, SCALE5, "最低那个", "1"),
        # a mark under a condition is not given; "if I'm honest" sets no condition
        (SCALE5_EN_Q, SCALE5, "four, maybe a five if the queue was shorter", "4"),
        (SCALE5_EN_Q, SCALE5, "four, five if I'm honest", None),
        # "one" naming a thing is no number; "a three" is the mark
        (SCALE10_EN_Q, SCALE10, "a three, the Duke Street one's always out of stock", "3"),
        (SCALE10_EN_Q, SCALE10, "three, the other one was better", "3"),
        # kin words and pairs counted; someone added who is not counted: at least one more
        # (the open top answer when that reaches it), else ask again
        (ADULTS_Q, ADULTS, "夫妻俩加上阿嫲", "3个及以上"),
        (ADULTS_Q, ADULTS, "我同佢阿爷", "2个"),
        (ADULTS_Q, ADULTS, "两公婆一齐", "2个"),
        (ADULTS_Q, ADULTS, "就保姆自己", "1个"),
        (ADULTS_Q, ADULTS, "夫妻俩加上邻居", "3个及以上"),
        (ADULTS_Q, ADULTS, "我 还有邻居", None),
        (ADULTS_Q, ADULTS, "两个 加上司机", None),
        (ADULTS_Q, ADULTS, "我和老公加上外婆", "3个及以上"),
        # 不止 N is more than N; a pair within that bound is the count
        (ADULTS_Q, ADULTS, "不止一个 两公婆一齐", "2个"),
        # a length of time is no count of people, nor does its sound answer
        (ADULTS_Q, ADULTS, "出国两个月", None),
        # asked again: "一次" is how often to say it
        (SCALE10_ZH_Q, SCALE10, "再讲一次", None),
        # years and months said together; not yet a first birthday
        (AGE_Q, AGE, "两岁三个月", "2到3岁"),
        (AGE_Q, AGE, "2岁8个月", "2到3岁"),
        (AGE_Q, AGE, "一岁十一个月", "1到2岁"),
        (AGE_Q, AGE, "还没满周岁", "1岁以下"),
        (AGE_Q, AGE, "没满一岁", "1岁以下"),
        # quite a few is not the three of "a few"
        (ITEMS_Q, ITEMS, "quite a few, about ten", "7 or more"),
        (ITEMS_Q, ITEMS, "quite a few", None),
        # Cantonese parts of the day; after noon; before dinner
        (TOD_ZH_Q, TOD_ZH, "下昼啦", "下午"),
        (TOD_ZH_Q, TOD_ZH, "中午过后 两点多", "下午"),
        (TOD_ZH_Q, TOD_ZH, "趁还没吃晚饭", "傍晚"),
        # ASR's choose-day; a correction with "no, hang on" between full-width commas
        (DAYS_Q, DAYS, "choose-day", "Tuesday"),
        (DAYS_Q, DAYS, "saturday，no，hang on，tuesday", "Tuesday"),
    ],
)
def test_reads(question: str, answers: list[str], reply: str, want: str | None) -> None:
    assert _answer(question, answers, reply) == want


def test_years_and_months_are_one_amount() -> None:
    (x,) = amounts("两岁三个月")
    assert x.low == x.high == 2.25 and x.unit == "岁"
    (y,) = amounts("two years and three months")
    assert y.low == 2.25


def _call(question: str, answers: list[str], reply: str, lang: str = "zh") -> tuple[str, str]:
    item = {
        "id": "t", "lang": lang, "type": "number", "question": question,
        "answers": answers, "reply": reply, "expect": {"none": True},
        "welcome": "您好，这里是客服中心。" if lang == "zh" else "Hello, this is the service desk.",
        "name": "", "kb": None,
    }  # fmt: skip
    return u.judge_reply(ScriptEngine(), item)


def test_call_excepted_time_is_not_taken() -> None:
    # cut at "but", "the morning" had read as the one wanted
    verdict, got = _call(RUN_Q, RUN, "anything but the morning", "en")
    assert "collect='afternoon'" in got
    reply = "any day but Tuesday, I'm at the day centre... Thursday"
    verdict, got = _call(DAYS_Q, DAYS, reply, "en")
    assert "collect='Thursday'" in got


def test_call_no_hang_on_corrects() -> None:
    verdict, got = _call(DAYS_Q, DAYS, "Saturday... no, hang on, Tuesday", "en")
    assert "collect='Tuesday'" in got


def test_call_cantonese_correction_after_pause() -> None:
    verdict, got = _call(SCALE5_ZH_Q, SCALE5, "三分…唔系 四分")
    assert "collect='4'" in got
    verdict, got = _call(SCALE5_ZH_Q, SCALE5, "三分…不是四分")
    assert "collect='4'" not in got


def test_call_done_at_the_doctors_is_no_callback() -> None:
    verdict, got = _call(JAB_Q, JAB, "nobody really, we're all done at the doctor's", "en")
    assert "callback" not in got
    verdict, got = _call(JAB_Q, JAB, "sorry I'm at the doctor's", "en")
    assert "callback" in got
