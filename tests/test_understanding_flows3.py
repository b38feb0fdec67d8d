"""Round 9 of call flows: a question asked along with an answer is answered too, a
question back said without a question mark ("每个月来几次啊"), a later question's
"不需要" that is not a refusal, a correction whose first clause is the answer and the
rest its reason, a yes or no that belongs to a later mark, and free-text replies that
carry nothing (praise that asks for no change, "no clue", "没办卡").

The replies are written for these tests, in domains of their own, in Mandarin and
English; each case drives the script engine the way a debug call does.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.support.understanding import context, hear_once, last_answer
from tests.test_understanding_flows2 import Call
from voxdial.conversation.engine import ActionKind
from voxdial.conversation.script import ScriptEngine

PLAIN_ZH = "您好{姓名}，我是顺风洗车行的小周，给您做个回访。"
PLAIN_EN = "Hi {姓名}, this is Robin from Maple Laundry with a quick follow-up."
AGAIN_ZH = {"question": "下个月您还会来洗车吗：会、不会，还是说不准？",
            "answers": ["会", "不会", "说不准"]}  # fmt: skip
AGAIN_EN = {"question": "Will you use our pickup service again: yes, no, or not sure?",
            "answers": ["yes", "no", "not sure"]}  # fmt: skip
PICKUP_ZH = {"question": "需要我们上门取车吗？", "answers": ["需要", "不需要"]}
PICKUP_EN = {"question": "Do you need a pickup from home?", "answers": ["need one", "no need"]}
CAR_ZH = {"question": "您的车是轿车还是SUV？", "answers": ["轿车", "SUV"]}
BAG_EN = {"question": "Which bag size suits you: small, medium or large?",
          "answers": ["small", "medium", "large"]}  # fmt: skip
DAY_ZH = {"question": "您哪天方便过来：周二、周四还是周六？", "answers": ["周二", "周四", "周六"]}
DAY_EN = {"question": "Which day suits you for the pickup: Tuesday, Thursday or Saturday?",
          "answers": ["Tuesday", "Thursday", "Saturday"]}  # fmt: skip
COLOUR_EN = {"question": "Which tag colour would you like: blue, red or green?",
             "answers": ["blue", "red", "green"]}  # fmt: skip
CLEAN_ZH = {"question": "车洗得干净吗？", "answers": ["干净", "不干净"]}
MARK_ZH = {"question": "给洗车师傅打个分吧，1到5分。", "answers": ["1", "2", "3", "4", "5"]}
MARK_EN = {"question": "From 1 to 5, how was the driver?", "answers": ["1", "2", "3", "4", "5"]}
IDEAS_ZH = {"question": "您对我们还有什么建议？", "answers": []}
IDEAS_EN = {"question": "Is there anything we could do better?", "answers": []}
CARD_ZH = {"question": "您的会员卡号是多少？", "answers": []}
ACCOUNT_EN = {"question": "What is your account number?", "answers": []}
HOURS = "营业时间是每天早上8点到晚上9点，春节期间照常营业。"
HOURS_EN = "We are open 7 am to 10 pm every day, public holidays included."


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine(encoder=False)


class _Knowledge:
    """A knowledge base of one passage that answers every question about opening."""

    def __init__(self, passage: str) -> None:
        self.passage = passage

    def answer(self, text: str, topic: str = "") -> SimpleNamespace | None:
        opening = ("开门", "营业", "几点", "open", "holiday")
        return SimpleNamespace(passage=self.passage) if any(w in text for w in opening) else None


def _call(engine: ScriptEngine, lang: str, welcome: str, collect: list[dict], *,
          knowledge: str = "") -> Call:  # fmt: skip
    """A call (test_understanding_flows2.Call) whose assistant has `knowledge`."""
    call = Call(engine, lang, welcome, collect)
    call.conv.context.assistant["knowledge"] = knowledge
    return call


def _ctx(lang: str, question: dict, welcome: str | None = None):
    welcome = welcome or (PLAIN_ZH if lang == "zh" else PLAIN_EN)
    return context(lang=lang, welcome=welcome, name="李先生", kb=None, collect=[question])


# ----- a question asked along with an answer -----


@pytest.mark.parametrize(
    ("lang", "question", "reply", "want", "passage"),
    [
        ("zh", AGAIN_ZH, "会来的 过年你们开门不", "会", HOURS),
        ("zh", AGAIN_ZH, "应该会 你们晚上几点关门啊", "会", HOURS),
        ("en", AGAIN_EN, "yes, do you open on public holidays", "yes", HOURS_EN),
        ("en", AGAIN_EN, "probably not, are you even open on holidays?", "no", HOURS_EN),
    ],
)
def test_a_question_asked_with_the_answer_is_answered_too(
    engine, lang, question, reply, want, passage
):
    welcome = PLAIN_ZH if lang == "zh" else PLAIN_EN
    call = _call(engine, lang, welcome, [question], knowledge=passage)
    call.hear(reply)
    assert call.answers() == {0: want}
    assert passage in call.said
    assert call.ended() == "completed"


def test_an_answer_with_no_question_says_no_passage(engine):
    call = _call(engine, "zh", PLAIN_ZH, [AGAIN_ZH], knowledge=HOURS)
    call.hear("会来的 过年开门的时候来")
    assert call.answers() == {0: "会"}
    assert HOURS not in call.said


# ----- a question back without a question mark -----


@pytest.mark.parametrize("reply", ["你们一个月能洗几次啊", "每周来几回比较好", "一年打几遍蜡呀"])
def test_how_often_asked_back_is_a_question(engine, reply):
    conv, actions = hear_once(engine, _ctx("zh", MARK_ZH), reply)
    assert last_answer(conv) is None
    said = [a.text for a in actions if a.kind == ActionKind.SAY]
    assert not any(a.kind == ActionKind.HANGUP for a in actions)
    assert any(MARK_ZH["question"] in s for s in said)
    assert not any("没太听清" in s for s in said)  # answered, not taken as unclear


@pytest.mark.parametrize("reply", ["去过几次 挺干净的", "来过好几回了 干净"])
def test_a_few_times_in_a_statement_is_not_a_question(engine, reply):
    conv, _ = hear_once(engine, _ctx("zh", CLEAN_ZH), reply)
    assert last_answer(conv) == "干净"


# ----- a later question's "不需要" is not a refusal -----


@pytest.mark.parametrize(
    ("lang", "collect", "reply"),
    [
        ("zh", [CAR_ZH, PICKUP_ZH], "不需要 我自己开过去"),
        ("zh", [CAR_ZH, PICKUP_ZH], "那个不需要 离得不远"),
    ],
)
def test_a_later_questions_no_need_is_its_answer(engine, lang, collect, reply):
    call = Call(engine, lang, PLAIN_ZH, collect)
    call.hear(reply)
    assert call.answers() == {1: "不需要"}
    assert call.ended() is None
    assert call.asked(0) == 2  # the current question is asked again


@pytest.mark.parametrize("reply", ["不需要 别再打了", "不需要 你们这种回访我不参加"])
def test_no_need_with_a_refusal_still_refuses(engine, reply):
    call = Call(engine, "zh", PLAIN_ZH, [CAR_ZH, PICKUP_ZH])
    call.hear(reply)
    assert call.answers() == {}
    assert call.ended() == "refused"


# ----- a correction: the first clause is the answer, the rest its reason -----


@pytest.mark.parametrize(
    ("lang", "question", "reply", "want"),
    [
        ("zh", DAY_ZH, "周二 不对 周四吧 周二我要加班", "周四"),
        ("en", DAY_EN, "tuesday. no, saturday, I'm away tuesday", "Saturday"),
        ("en", DAY_EN, "thursday, no, tuesday, thursday I have a class", "Tuesday"),
        ("en", COLOUR_EN, "blue, no wait, green, blue is too dark", "green"),
        ("en", BAG_EN, "small, no, large, small won't fit the duvet", "large"),
    ],
)
def test_a_correction_keeps_its_first_clause(engine, lang, question, reply, want):
    conv, _ = hear_once(engine, _ctx(lang, question), reply)
    assert last_answer(conv) == want


@pytest.mark.parametrize(
    "reply", ["yeah, no, that's fine", "no, no, it was fine", "well, no, not really"]
)
def test_a_bare_no_after_a_yes_or_a_filler_is_no_correction(engine, reply):
    from voxdial.conversation import intents

    assert not intents.read(reply).correction


# ----- a yes or no that is a later mark's negation -----


@pytest.mark.parametrize("reply", ["不低于四分 就四分吧", "不少于三分 三分吧"])
def test_a_negated_mark_is_not_a_no_to_the_question_asked(engine, reply):
    call = Call(engine, "zh", PLAIN_ZH, [CLEAN_ZH, MARK_ZH])
    call.hear(reply)
    got = call.answers()
    assert 0 not in got
    assert got[1] in ("3", "4")


# ----- free text that carries nothing -----


@pytest.mark.parametrize(
    ("lang", "question", "reply"),
    [
        ("zh", IDEAS_ZH, "没啥建议 你们继续保持"),
        ("zh", IDEAS_ZH, "没意见 挺好的 加油"),
        ("en", IDEAS_EN, "no suggestions, keep it up"),
        ("zh", CARD_ZH, "我没办卡"),
        ("zh", CARD_ZH, "没有办过会员"),
        ("en", ACCOUNT_EN, "I don't have an account with you"),
        ("en", ACCOUNT_EN, "we never signed up"),
        ("en", ACCOUNT_EN, "no clue"),
        ("en", IDEAS_EN, "let me have a think about it"),
        ("en", IDEAS_EN, "I'll think about it"),
    ],
)
def test_free_text_that_carries_nothing_collects_nothing(engine, lang, question, reply):
    conv, actions = hear_once(engine, _ctx(lang, question), reply)
    assert last_answer(conv) is None
    assert not any(a.kind in (ActionKind.CALLBACK, ActionKind.BLOCK) for a in actions)


@pytest.mark.parametrize(
    ("lang", "question", "reply"),
    [("en", IDEAS_EN, "let me have a think about it"), ("en", ACCOUNT_EN, "not a clue")],
)
def test_thinking_or_no_clue_asks_again(engine, lang, question, reply):
    _, actions = hear_once(engine, _ctx(lang, question), reply)
    said = [a.text for a in actions if a.kind == ActionKind.SAY]
    assert any(question["question"] in s for s in said)
    assert not any(a.kind == ActionKind.HANGUP for a in actions)


def test_a_real_suggestion_is_still_collected(engine):
    conv, _ = hear_once(engine, _ctx("zh", IDEAS_ZH), "继续保持 就是排队太久了")
    assert last_answer(conv) == "继续保持 就是排队太久了"


# ----- callbacks and refusals said in more ways -----


@pytest.mark.parametrize(
    "reply",
    [
        "give me a ring friday morning",
        "give me a call tomorrow afternoon",
        "give me a buzz around five",
    ],  # fmt: skip
)
def test_give_me_a_ring_is_a_callback(engine, reply):
    _, actions = hear_once(engine, _ctx("en", AGAIN_EN), reply)
    callbacks = [a for a in actions if a.kind == ActionKind.CALLBACK]
    assert callbacks and callbacks[0].at is not None


@pytest.mark.parametrize(
    "reply", ["no, I'd rather not do any of this, thanks", "I'd prefer not to do the survey"]
)
def test_rather_not_do_this_refuses(engine, reply):
    conv, actions = hear_once(engine, _ctx("en", AGAIN_EN), reply)
    assert last_answer(conv) is None
    assert [a.result for a in actions if a.kind == ActionKind.HANGUP] == ["refused"]


@pytest.mark.parametrize(
    ("lang", "question", "reply", "want"),
    [
        ("en", MARK_EN, "five, well, four really", "4"),
        ("en", MARK_EN, "a three, or rather a two", "2"),
        ("en", BAG_EN, "large, well, medium I suppose", "medium"),
    ],
)  # fmt: skip
def test_a_well_or_or_rather_takes_the_answer_back(engine, lang, question, reply, want):
    conv, _ = hear_once(engine, _ctx(lang, question), reply)
    assert last_answer(conv) == want


# ----- days and slots -----

NEXT_WEEK_ZH = {"question": "下周您哪天方便过来：周一、周三还是周五？",
                "answers": ["周一", "周三", "周五"]}  # fmt: skip
SLOT_ZH = {"question": "您想约上午9点、下午3点还是晚上6点？",
           "answers": ["上午9点", "下午3点", "晚上6点"]}  # fmt: skip
SLOT_EN = {"question": "Which time suits you: 9 am, 1 pm or 6 pm?",
           "answers": ["9 am", "1 pm", "6 pm"]}  # fmt: skip


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (NEXT_WEEK_ZH, "下礼拜三", "周三"),
        (NEXT_WEEK_ZH, "那就下礼拜五吧", "周五"),
        (NEXT_WEEK_ZH, "礼拜一 下礼拜一", "周一"),
        (SLOT_ZH, "下班以后吧", "晚上6点"),
        (SLOT_ZH, "等我下班以后", "晚上6点"),
    ],
)
def test_next_weeks_day_and_hours_from_a_slot(engine, question, reply, want):
    conv, _ = hear_once(engine, _ctx("zh", question), reply)
    assert last_answer(conv) == want


def test_after_work_in_english_takes_the_slot_it_begins_at(engine):
    conv, _ = hear_once(engine, _ctx("en", SLOT_EN), "after work")
    assert last_answer(conv) == "6 pm"


def test_next_week_alone_is_the_whole_week():
    from datetime import date

    from voxdial.conversation import times

    today = date(2026, 3, 10)  # a Tuesday
    assert len(times.days("下礼拜吧", today)) == 7
    assert times.days("下礼拜四", today) == {date(2026, 3, 19)}


@pytest.mark.parametrize(
    ("said", "hour"),
    [("下班再打吧", 18), ("放学再打", 16), ("吃完晚饭再打给我", 20), ("after dinner", 20),
     ("午休以后打", 13), ("call me after school", 16)],
)  # fmt: skip
def test_a_moment_of_the_day_is_the_callback_hour(said, hour):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from voxdial.conversation import callback_time

    now = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    at = callback_time.when(said, now)
    assert at is not None and at.hour == hour
