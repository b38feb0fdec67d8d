"""Round 14, numbers: corrections with 算了 and 嗯，不; full marks less a point said apart;
early / late arvo; days and times turned down with reasons between; just over an
amount; decades; counts shared out; sound-alike number words; generations; a bound
then an amount within it; a thing called new beside years of another thing."""

from __future__ import annotations

import pytest

from tests.support import understanding as u
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.script import ScriptEngine

SCALE10_Q = "从1到10分，您有多大可能把我们的服务推荐给亲戚朋友？"
SCALE10 = [str(i) for i in range(1, 11)]
SCALE5_Q = "On a scale of one to five, how comfortable do the new glasses feel?"
SCALE5 = [str(i) for i in range(1, 6)]
SLOTS_EN_Q = "Would you prefer a morning, early afternoon or late afternoon appointment?"
SLOTS_EN = ["Morning", "Early afternoon", "Late afternoon"]
SLOTS_ZH_Q = "那天您方便哪个时段：上午9点到12点、下午2点到5点，还是晚上6点到8点？"
SLOTS_ZH = ["上午9点到12点", "下午2点到5点", "晚上6点到8点"]
DAYS_ZH_Q = "您看安排在哪天上门：这周四、周五还是周六？"
DAYS_ZH = ["周四", "周五", "周六"]
DAYS_EN_Q = "Which day suits you best for the delivery: Monday, Wednesday or Friday?"
DAYS_EN = ["Monday", "Wednesday", "Friday"]
TOD_Q = "Would you like a morning, afternoon or evening slot?"
TOD = ["morning", "afternoon", "evening"]
THU_Q = "Which day suits you: Tuesday, Thursday or Saturday?"
THU = ["Tuesday", "Thursday", "Saturday"]
YEARS_EN_Q = "How many years have you been with your current provider?"
YEARS_EN = ["Less than 1 year", "1 to 3 years", "4 to 10 years", "More than 10 years"]
YEARS_ZH_Q = "您家现在的热水器大概用了多少年：不到5年、5到8年，还是8年以上？"
YEARS_ZH = ["不到5年", "5到8年", "8年以上"]
PACKS_Q = "How many boxes of filters would you like us to post out to you?"
PACKS = ["1", "2", "3", "4 or more"]
PEOPLE_Q = "您家里平时住几口人：1个人、2到3人、4到5人，还是6人以上？"
PEOPLE = ["1人", "2到3人", "4到5人", "6人以上"]


def _answer(question: str, answers: list[str], reply: str) -> str | None:
    found = AnswerMatcher(answers, question=question).match(reply)
    return None if found is None else found.answer


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        # 算了 after words gives up what came before it; closing the reply it does not
        (SCALE10_Q, SCALE10, "满分10分的话给八分…算了给个六分", "6"),
        (SCALE10_Q, SCALE10, "给八分 算了 不打了", None),
        # full marks less a point, said in the next clause; a point short of nothing said
        (SCALE10_Q, SCALE10, "差不多最高了 就差一分", "9"),
        (SCALE10_Q, SCALE10, "就差一分", None),
        # arvo is the afternoon, early / late pick the part; the question's own "early
        # afternoon" calls no other choice the early one
        (
            SLOTS_EN_Q,
            SLOTS_EN,
            "not too early, I'm slow getting going, maybe the early arvo",
            "Early afternoon",
        ),
        (SLOTS_EN_Q, SLOTS_EN, "early arvo", "Early afternoon"),
        (SLOTS_EN_Q, SLOTS_EN, "late arvo", "Late afternoon"),
        (SLOTS_EN_Q, SLOTS_EN, "not the morning, the bus doesn't run early", None),
        # halves of the day, ASR's 晚尚, hours after a clock within the period said
        (SLOTS_ZH_Q, SLOTS_ZH, "上半天吧", "上午9点到12点"),
        (SLOTS_ZH_Q, SLOTS_ZH, "下半天", "下午2点到5点"),
        (SLOTS_ZH_Q, SLOTS_ZH, "晚尚", "晚上6点到8点"),
        (SLOTS_ZH_Q, SLOTS_ZH, "下午两点以后", "下午2点到5点"),
        # two turned down (不要), a reason between: the one left
        (SLOTS_ZH_Q, SLOTS_ZH, "不要上午 我要睡觉 也不要晚上", "下午2点到5点"),
        (SLOTS_ZH_Q, SLOTS_ZH, "不要晚上 也不要上午", "下午2点到5点"),
        (DAYS_EN_Q, DAYS_EN, "not friday, the first one", "Monday"),  # the ordinal's
        # a correction whose reason names the day taken back; "oh no" after a day
        (DAYS_ZH_Q, DAYS_ZH, "周五…不对不对 周六 周五我要送伢上学", "周六"),
        (DAYS_EN_Q, DAYS_EN, "monday, oh no that's my hair appointment, friday", "Friday"),
        (DAYS_EN_Q, DAYS_EN, "monday, oh no", None),
        # a little over an amount; a decade said in English
        (YEARS_EN_Q, YEARS_EN, "just over a year", "1 to 3 years"),
        (YEARS_EN_Q, YEARS_EN, "a long time, since the eighties", "More than 10 years"),
        # a count shared out, then the total; sound-alike number words
        (PACKS_Q, PACKS, "one for each ear, so two", "2"),
        (PACKS_Q, PACKS, "just won thanks", "1"),
        (SCALE5_Q, SCALE5, "fife", "5"),
        (SCALE5_Q, SCALE5, "a solid fife", "5"),
        # generations are no count of people; a bound, then the amount within it
        (PEOPLE_Q, PEOPLE, "七个 三代同堂", "6人以上"),
        (YEARS_ZH_Q, YEARS_ZH, "没有八年 大概七年", "5到8年"),
        # "half six" is half past six; ASR's slips of weekday names
        (TOD_Q, TOD, "half six ish if you have it", "evening"),
        (DAYS_EN_Q, DAYS_EN, "mundy", "Monday"),
        (THU_Q, THU, "thirst day works", "Thursday"),
        # the asked thing is new, the years are another thing's
        (YEARS_ZH_Q, YEARS_ZH, "热水器是新的 灶用了十年", None),
        (YEARS_ZH_Q, YEARS_ZH, "用了十年 换了新的", None),
        (YEARS_ZH_Q, YEARS_ZH, "刚买的 不到一年", "不到5年"),  # new and under a year agree
    ],
)
def test_numbers8(question: str, answers: list[str], reply: str, want: str | None) -> None:
    assert _answer(question, answers, reply) == want


def _call(question: str, answers: list[str], reply: str, lang: str = "zh") -> tuple[str, str]:
    item = {
        "id": "t", "lang": lang, "type": "datetime", "question": question,
        "answers": answers, "reply": reply, "expect": {"none": True},
        "welcome": "您好，这里是客服中心。" if lang == "zh" else "Hello, this is the service desk.",
        "name": "", "kb": None,
    }  # fmt: skip
    return u.judge_reply(ScriptEngine(), item)


def test_call_reads_mark_after_um_no() -> None:
    # the call turns spaces into commas: "嗯，不" is still a correction
    verdict, got = _call(SCALE10_Q, SCALE10, "打个8分 嗯 不 7分吧")
    assert "collect='7'" in got


def test_call_takes_day_after_correction_cue_with_reason() -> None:
    verdict, got = _call(DAYS_ZH_Q, DAYS_ZH, "周五…不对不对 周六 周五我要送伢上学")
    assert "collect='周六'" in got


def test_call_inconvenient_choice_is_no_callback() -> None:
    q, days = "补发的商品您想安排在哪天送：周三、周四还是周六？", ["周三", "周四", "周六"]
    verdict, got = _call(q, days, "别周三 那天不方便 周四周六随便")
    assert verdict == "right" and "callback" not in got
    verdict, got = _call(q, days, "现在不方便")
    assert "callback" in got
