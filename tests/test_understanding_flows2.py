"""Round 8 of call flows: several answers in one reply read clause by clause, answers
said with the consent, late corrections of an earlier answer, days and hours no choice
holds, and closings, consents, refusals and callbacks said in more ways.

Each case drives the script engine the way a debug call does (`start()`, then `hear()`
per turn) and checks what it collected and how the call went on. The replies are
written for these tests, in domains of their own, in Mandarin and English.
"""

from __future__ import annotations

import pytest

from tests.support.understanding import context
from voxdial.conversation.engine import ActionKind
from voxdial.conversation.script import ScriptEngine

FIVE = [str(n) for n in range(1, 6)]
TEN = [str(n) for n in range(1, 11)]
BARBER_ZH = {"question": "您给这次的理发师打几分？1到5分，5分最高。", "answers": FIVE}
RECOMMEND_ZH = {"question": "从1到10分，您有多大可能把我们理发店推荐给朋友？", "answers": TEN}
DRIVER_EN = {"question": "On a scale of 1 to 5, how was the delivery driver?", "answers": FIVE}
BAKERY_EN = {"question": "From 1 to 10, how likely are you to recommend our bakery?",
             "answers": TEN}  # fmt: skip
LUNCH_ZH = {"question": "您要订几份午餐：1份、2份还是3份？", "answers": ["1份", "2份", "3份"]}
STAFF_NO_ZH = {"question": "您的工号是多少？", "answers": []}
ROOMS_EN = {"question": "How many rooms need painting: one, two, or three or more?",
            "answers": ["1", "2", "3 or more"]}  # fmt: skip
ORDER_NO_EN = {"question": "What is your order number?", "answers": []}
PICKUP_DAY_ZH = {"question": "您哪天方便来取件：周二、周四还是周六？",
                 "answers": ["周二", "周四", "周六"]}  # fmt: skip
PICKUP_PART_ZH = {"question": "您上午还是下午来？", "answers": ["上午", "下午"]}
FITTING_DAY_EN = {"question": "Which day suits you for the fitting: Monday, Thursday or Saturday?",
                  "answers": ["Monday", "Thursday", "Saturday"]}  # fmt: skip
FITTING_PART_EN = {"question": "Morning or afternoon?", "answers": ["morning", "afternoon"]}
SLOT_EN = {"question": "What time should the van come: 8 am, noon or 5 pm?",
           "answers": ["8 am", "noon", "5 pm"]}  # fmt: skip
NIGHTS_EN = {
    "question": "How many nights will you stay at the cabin: one, two to three, or four or more?",
    "answers": ["1 night", "2 to 3 nights", "4 or more nights"],
}
MEMBER_EN = {"question": "Would you like to join the loyalty club?", "answers": ["yes", "no"]}
IDEAS_ZH = {"question": "您对我们的服务还有什么建议？", "answers": []}
SURVEY_ZH = {"question": "您平时多久来一次店里：每周、每月还是更少？",
             "answers": ["每周", "每月", "更少"]}  # fmt: skip
CONSENT_ZH = "您好{姓名}，我是顺心快递的小王，想跟您约一下取件时间，现在方便吗？"
CONSENT_EN = "Hi {姓名}, this is Sam from Tailor Row about your fitting. Is now a good time?"
PLAIN_ZH = "您好{姓名}，我是顺心理发店的小王，给您做个回访。"
PLAIN_EN = "Hi {姓名}, this is Sam from Corner Bakery with a quick follow-up."


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine(encoder=False)


class Call:
    def __init__(self, engine: ScriptEngine, lang: str, welcome: str, collect: list[dict]):
        ctx = context(lang=lang, welcome=welcome, name="王女士", kb=None, collect=collect)
        self.conv = engine.begin(ctx)
        self.said = self._said(self.conv.start())
        self.questions = [q["question"] for q in collect]
        self.actions: list = []

    @staticmethod
    def _said(actions) -> list[str]:
        return [a.text for a in actions if a.kind == ActionKind.SAY]

    def hear(self, text: str) -> list[str]:
        actions = self.conv.hear(text)
        self.actions += actions
        said = self._said(actions)
        self.said += said
        return said

    def answers(self) -> dict[int, str]:
        """Question index -> the answer collected (hits only)."""
        got = {r.question: r.result for r in self.conv.collected if r.hit}
        return {i: got[q] for i, q in enumerate(self.questions) if q in got}

    def asked(self, index: int) -> int:
        return sum(self.questions[index] in s for s in self.said)

    def ended(self) -> str | None:
        hang = [a for a in self.actions if a.kind == ActionKind.HANGUP]
        return hang[-1].result if hang else None


# ----- several answers in one reply -----


@pytest.mark.parametrize(
    ("lang", "welcome", "collect", "reply", "want"),
    [
        ("zh", PLAIN_ZH, [BARBER_ZH, RECOMMEND_ZH], "理发师四分 推荐的话给七分", {0: "4", 1: "7"}),
        ("en", PLAIN_EN, [DRIVER_EN, BAKERY_EN],
         "a three for the driver, and a nine for the bakery", {0: "3", 1: "9"}),
        # a reference for a later question that asks for one is not a count
        ("zh", PLAIN_ZH, [LUNCH_ZH, STAFF_NO_ZH], "两份 我工号是60731",
         {0: "2份", 1: "60731"}),
        ("en", PLAIN_EN, [ROOMS_EN, ORDER_NO_EN], "two rooms, and the order number is 88412",
         {0: "2", 1: "88412"}),
    ],
)  # fmt: skip
def test_several_answers_in_one_reply_are_read_clause_by_clause(
    engine, lang, welcome, collect, reply, want
):
    call = Call(engine, lang, welcome, collect)
    call.hear(reply)
    got = call.answers()
    assert set(got) == set(want)
    assert all(want[i] == got[i] or want[i] in got[i] and i == 1 for i in want)  # free: a part
    assert call.asked(1) == 0 and call.ended() == "completed"


@pytest.mark.parametrize(
    ("lang", "welcome", "collect", "reply"),
    [
        # two marks the current question could both take: not read, asked again
        ("zh", PLAIN_ZH, [BARBER_ZH, RECOMMEND_ZH], "理发师四分 也可以说三分"),
        ("en", PLAIN_EN, [DRIVER_EN, BAKERY_EN], "a four, or maybe a three"),
    ],
)
def test_two_readings_for_the_question_asked_are_not_split(engine, lang, welcome, collect, reply):
    call = Call(engine, lang, welcome, collect)
    call.hear(reply)
    assert call.answers() == {}
    assert call.ended() is None


# ----- answers said with the consent -----


@pytest.mark.parametrize(
    ("lang", "welcome", "collect", "reply", "want"),
    [
        ("zh", CONSENT_ZH, [PICKUP_DAY_ZH, PICKUP_PART_ZH], "可以 周四下午吧",
         {0: "周四", 1: "下午"}),
        ("en", CONSENT_EN, [FITTING_DAY_EN, FITTING_PART_EN],
         "yeah sure, thursday in the afternoon", {0: "Thursday", 1: "afternoon"}),
        # corrected in the same breath: the last day stands
        ("en", CONSENT_EN, [FITTING_DAY_EN, FITTING_PART_EN],
         "monday, no sorry, saturday morning", {0: "Saturday", 1: "morning"}),
    ],
)  # fmt: skip
def test_answers_said_with_the_consent_are_kept_and_not_asked(
    engine, lang, welcome, collect, reply, want
):
    call = Call(engine, lang, welcome, collect)
    call.hear(reply)
    assert call.answers() == want
    assert call.asked(0) == 0 and call.asked(1) == 0 and call.ended() == "completed"


@pytest.mark.parametrize(
    ("lang", "welcome", "collect", "reply"),
    [
        ("zh", CONSENT_ZH, [PICKUP_DAY_ZH], "好的 你问吧"),
        ("en", CONSENT_EN, [MEMBER_EN], "um yes"),
        ("en", CONSENT_EN, [MEMBER_EN], "yes please, go ahead"),
    ],
)
def test_consent_alone_collects_nothing(engine, lang, welcome, collect, reply):
    call = Call(engine, lang, welcome, collect)
    said = call.hear(reply)
    assert call.answers() == {}
    assert said[-1] == collect[0]["question"]


# ----- late corrections of an earlier answer -----


@pytest.mark.parametrize(
    ("lang", "welcome", "collect", "turns", "want"),
    [
        # the earlier question named by its topic, the current one answered before it
        ("zh", PLAIN_ZH, [BARBER_ZH, RECOMMEND_ZH],
         ["两分", "推荐给八分 刚才理发师那个我说错了 给三分"], {0: "3", 1: "8"}),
        # taken back with no topic: the day goes to the day question, the slot stays here
        ("en", PLAIN_EN, [FITTING_DAY_EN, FITTING_PART_EN],
         ["monday", "scratch that, saturday, and the morning please"],
         {0: "Saturday", 1: "morning"}),
        ("zh", PLAIN_ZH, [PICKUP_DAY_ZH, PICKUP_PART_ZH],
         ["周二", "不对 我刚才说错了 是周六 时间的话下午吧"], {0: "周六", 1: "下午"}),
    ],
)  # fmt: skip
def test_a_late_correction_replaces_the_earlier_answer(engine, lang, welcome, collect, turns, want):
    call = Call(engine, lang, welcome, collect)
    for turn in turns:
        call.hear(turn)
    assert call.answers() == want


def test_a_question_back_naming_an_answer_changes_nothing(engine):
    collect = [SURVEY_ZH, PICKUP_PART_ZH]
    call = Call(engine, "zh", PLAIN_ZH, collect)
    call.hear("每月吧")
    call.hear("对了 你们每周几休息 我刚才没问")
    assert call.answers() == {0: "每月"}


# ----- days and hours no choice holds -----


@pytest.mark.parametrize(
    ("collect", "reply"),
    [
        (FITTING_DAY_EN, "friday?"),
        (FITTING_DAY_EN, "um sunday"),
        (SLOT_EN, "evening"),
        (PICKUP_DAY_ZH, "周日吧"),
    ],
)
def test_a_day_or_hours_no_choice_holds_collects_nothing(engine, collect, reply):
    lang = "zh" if collect is PICKUP_DAY_ZH else "en"
    call = Call(engine, lang, PLAIN_ZH if lang == "zh" else PLAIN_EN, [collect])
    call.hear(reply)
    assert call.answers() == {}
    assert call.ended() is None


def test_a_time_said_to_a_count_question_is_a_callback(engine):
    call = Call(engine, "en", PLAIN_EN, [NIGHTS_EN])
    call.hear("tomorrow afternoon's better")
    callback = [a for a in call.actions if a.kind == ActionKind.CALLBACK]
    assert call.answers() == {} and callback and callback[0].at is not None
    assert callback[0].at.date().isoformat() == "2026-03-11"


# ----- closings, consents, refusals and callbacks -----


@pytest.mark.parametrize(
    ("lang", "collect", "reply"),
    [
        ("en", MEMBER_EN, "ok that's enough for today, thanks, bye"),
        ("zh", IDEAS_ZH, "我得走了 先挂了 拜拜"),
    ],
)
def test_ending_the_call_is_a_goodbye_not_an_answer(engine, lang, collect, reply):
    call = Call(engine, lang, PLAIN_ZH if lang == "zh" else PLAIN_EN, [collect])
    call.hear(reply)
    assert call.answers() == {}
    assert call.ended() == "goodbye"


@pytest.mark.parametrize(("lang", "reply"), [("zh", "嗯？"), ("en", "huh?")])
def test_a_bare_sound_said_rising_asks_again(engine, lang, reply):
    call = Call(engine, lang, PLAIN_ZH if lang == "zh" else PLAIN_EN, [MEMBER_EN])
    said = call.hear(reply)
    assert call.answers() == {} and call.ended() is None
    assert said[-1] == MEMBER_EN["question"]


@pytest.mark.parametrize(
    ("lang", "welcome", "reply", "outcome"),
    [
        ("zh", CONSENT_ZH, "中 说", "asks"),
        ("en", CONSENT_EN, "i suppose so", "asks"),
        ("zh", CONSENT_ZH, "这种问卷我不参加", "refused"),
        ("en", CONSENT_EN, "i'm not ordering again, thanks", "refused"),
        ("zh", CONSENT_ZH, "周四上午吧 今天忙", "callback"),
        ("en", CONSENT_EN, "call me thursday afternoon", "callback"),
    ],
)
def test_the_opening_reads_more_ways_of_saying_yes_no_and_later(
    engine, lang, welcome, reply, outcome
):
    collect = [PICKUP_DAY_ZH] if lang == "zh" else [FITTING_DAY_EN]
    call = Call(engine, lang, welcome, collect)
    said = call.hear(reply)
    if outcome == "asks":
        assert said[-1] == collect[0]["question"] and call.ended() is None
    elif outcome == "refused":
        assert call.ended() == "refused"
    else:
        callback = [a for a in call.actions if a.kind == ActionKind.CALLBACK]
        assert call.ended() == "callback" and callback[0].at is not None
        assert callback[0].at.date().isoformat() == "2026-03-12"  # the Thursday, not today
