"""The call's flows as callees say them: the opening's question, questions back
answered from the knowledge, callback times, blocks, refusals and goodbyes.

Replies and knowledge texts are written here (a bicycle repair shop in Mandarin, a pet
groomer in English), in no evaluation part; each test drives the script engine as a
debug call does (`start()`, then `hear()`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from voxdial.conversation import callback_time, intents
from voxdial.conversation.engine import ActionKind, CallContext
from voxdial.conversation.knowledge import cache_for
from voxdial.conversation.script import ScriptEngine

NOW = datetime(2026, 5, 12, 10, 0)  # a Tuesday morning
ZONES = {"zh": "Asia/Shanghai", "en": "America/Chicago"}
KNOWLEDGE = {
    "zh": (
        "飞轮单车修理铺在河西区桃源路58号，菜市场对面。\n\n"
        "营业时间是每天早上9点到晚上7点，周末照常营业。\n\n"
        "补胎一次15元，换内胎35元，换链条80元，调刹车免费。\n\n"
        "修好的车保修一个月，一个月内同一个毛病再坏免费修。\n\n"
        "会员卡一年100元，会员保养打八折，每年送一次全车清洗。\n\n"
        "预约上门取车请打店里电话0591-6688123，上门取车收20元。"
    ),
    "en": (
        "Paws & Suds is a dog grooming salon at 412 Maple Street, next to the post office.\n\n"
        "We are open Tuesday to Saturday, 8am to 6pm; we are closed on Sundays and Mondays.\n\n"
        "A bath and brush costs $40 for small dogs and $60 for large dogs. A full groom "
        "with a haircut costs $75.\n\n"
        "Bookings are taken online or at the front desk; please arrive 10 minutes early "
        "for your first visit.\n\n"
        "To book by phone, call 555-0199 during opening hours.\n\n"
        "Dogs must be up to date on their rabies shot; bring the certificate on the first "
        "visit."
    ),
}
WELCOME = {
    "zh": "您好{姓名}，我是飞轮单车修理铺的小王，想跟您约一下保养时间，您现在方便吗？",
    "en": "Hi {name}, this is Sam from Paws & Suds about your dog's next groom. "
    "Is now a good time?",
}
QUESTION = {
    "zh": {"question": "您想哪天来做保养：周三、周五还是周六？",
           "answers": ["周三", "周五", "周六"]},
    "en": {"question": "Which day suits you: Wednesday, Thursday or Saturday?",
           "answers": ["Wednesday", "Thursday", "Saturday"]},
}  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine()


def _context(lang: str, *, welcome: str | None = None, collect=None) -> CallContext:
    zone = ZONES[lang]
    return CallContext(
        assistant={
            "welcome": WELCOME[lang] if welcome is None else welcome,
            "language": lang,
            "collect": collect or [QUESTION[lang]],
            "knowledge": KNOWLEDGE[lang],
            "hotWords": [],
        },
        name="李先生" if lang == "zh" else "Dana",
        now=NOW.replace(tzinfo=ZoneInfo(zone)),
        time_zone=zone,
    )


def _hear(engine: ScriptEngine, lang: str, reply: str, **kw):
    conv = engine.begin(_context(lang, **kw))
    conv.start()
    return conv, conv.hear(reply)


def _said(actions) -> str:
    return " ".join(a.text for a in actions if a.kind == ActionKind.SAY)


def _hangup(actions):
    return next((a for a in actions if a.kind == ActionKind.HANGUP), None)


def _kinds(actions) -> set:
    return {a.kind for a in actions}


# ----- the opening's question -----


@pytest.mark.parametrize(
    ("lang", "reply"),
    [
        ("zh", "成 您讲吧"),
        ("zh", "你讲 我这边听着"),
        ("zh", "好咧"),
        ("zh", "那 说"),
        ("en", "ok, i'm listening"),
        ("en", "you've got five minutes"),
        ("en", "yup, what's up"),
    ],
)
def test_go_ahead_at_the_opening_asks_the_first_question(engine, lang, reply):
    conv, actions = _hear(engine, lang, reply)
    assert QUESTION[lang]["question"] in _said(actions)
    assert _hangup(actions) is None and not conv.collected


@pytest.mark.parametrize(
    ("lang", "reply", "named"),
    [
        ("zh", "哪个店啊", "飞轮单车"),
        ("zh", "什么单位的", "飞轮单车"),
        ("en", "which business is this", "Paws & Suds"),
        ("en", "sorry, who did you say", "Paws & Suds"),
    ],
)
def test_which_organisation_is_answered_from_the_opening(engine, lang, reply, named):
    conv, actions = _hear(engine, lang, reply)
    said = _said(actions)
    assert named in said and QUESTION[lang]["question"] not in said
    assert _hangup(actions) is None and conv.consenting


@pytest.mark.parametrize(
    ("lang", "reply"),
    [
        ("zh", "车子已经卖了"),
        ("zh", "我已经搬走了 不在这边住"),
        ("zh", "没空 也不打算修"),
        ("en", "no, we already switched to another groomer"),
        ("en", "we no longer have the dog"),
        ("en", "busy, and I don't want to book anything"),
    ],
)
def test_no_longer_concerned_at_the_opening_is_a_refusal(engine, lang, reply):
    _, actions = _hear(engine, lang, reply)
    hangup = _hangup(actions)
    assert hangup is not None and hangup.result == "refused"
    assert not _kinds(actions) & {ActionKind.CALLBACK, ActionKind.BLOCK}


def test_english_consent_words_are_whole_words():
    """ "insurers" holds "sure", "define" holds "fine": neither is a yes."""
    assert not intents.read("we have other insurers").consent
    assert not intents.read("define what you mean").consent
    assert intents.read("sure, go ahead").consent


@pytest.mark.parametrize(("lang", "reply"), [("zh", "一个钟头以后吧"), ("en", "in twenty minutes")])
def test_a_bare_time_at_the_opening_is_a_callback(engine, lang, reply):
    _, actions = _hear(engine, lang, reply)
    callback = next((a for a in actions if a.kind == ActionKind.CALLBACK), None)
    assert callback is not None and callback.at is not None
    assert callback.at.date() == NOW.date() and _hangup(actions) is not None


@pytest.mark.parametrize(
    ("lang", "reply"), [("zh", "稍等 我这边太吵了"), ("en", "hang on, it's too loud in here")]
)
def test_making_room_to_talk_is_not_a_callback(engine, lang, reply):
    _, actions = _hear(engine, lang, reply)
    assert ActionKind.CALLBACK not in _kinds(actions) and _hangup(actions) is None


# ----- blocks, refusals, goodbyes -----


@pytest.mark.parametrize(
    ("lang", "reply"),
    [
        ("zh", "以后不要再往我这个号码打了"),
        ("zh", "再也别打了"),
        ("zh", "你们别给我这手机打"),
        ("en", "do not ring this number again"),
        ("en", "never ever call me again"),
        ("en", "don't you ever phone my house"),
    ],
)
def test_the_number_as_the_object_of_a_block(engine, lang, reply):
    for welcome in (None, ""):  # at the opening's question and while asking
        _, actions = _hear(engine, lang, reply, welcome=welcome)
        assert ActionKind.BLOCK in _kinds(actions) and _hangup(actions) is not None


@pytest.mark.parametrize("reply", ["they never called me back", "one, they never rang"])
def test_never_calling_back_is_no_block(reply):
    assert not intents.read(reply).block


@pytest.mark.parametrize(
    ("lang", "reply"),
    [("zh", "我不想聊了"), ("zh", "不想说 挂了"), ("en", "i'd like to end this call now"),
     ("en", "I'm gonna stop this conversation")],
)  # fmt: skip
def test_stopping_the_call_is_a_refusal(engine, lang, reply):
    conv, actions = _hear(engine, lang, reply, welcome="")
    hangup = _hangup(actions)
    assert hangup is not None and hangup.result == "refused" and not conv.collected


@pytest.mark.parametrize(
    ("lang", "reply"),
    [("zh", "行 我知道了 拜拜"), ("zh", "没什么事了 那我先挂了"), ("zh", "好咧 挂了哈"),
     ("en", "got it, bye"), ("en", "ok understood, goodbye")],
)  # fmt: skip
def test_goodbye_with_acknowledgements_closes_without_an_answer(engine, lang, reply):
    for welcome in (None, ""):
        conv, actions = _hear(engine, lang, reply, welcome=welcome)
        hangup = _hangup(actions)
        assert hangup is not None and hangup.result == "goodbye", (welcome, actions)
        assert not [c for c in conv.collected if c.hit]


def test_not_interested_refuses_unless_the_question_asks_about_interest(engine):
    offer = {"question": "Would you like a reminder text before each groom?",
             "answers": ["Yes", "No"]}  # fmt: skip
    interest = {"question": "Are you interested in our monthly nail trim?",
                "answers": ["Yes", "No"]}  # fmt: skip
    conv, actions = _hear(engine, "en", "no, not interested", welcome="", collect=[offer])
    assert _hangup(actions).result == "refused" and not conv.collected
    conv, actions = _hear(engine, "en", "no, not interested", welcome="", collect=[interest])
    assert [c.result for c in conv.collected if c.hit] == ["No"]


@pytest.mark.parametrize(
    ("lang", "reply"), [("zh", "不记得了"), ("zh", "我忘了"), ("en", "i forget")]
)
def test_not_remembering_is_not_a_free_text_answer(engine, lang, reply):
    free = {"question": "您的会员卡号是多少？" if lang == "zh" else "What's your member number?"}
    conv, _ = _hear(engine, lang, reply, welcome="", collect=[free])
    assert not [c for c in conv.collected if c.hit]


def test_forgetting_someone_is_not_declining():
    assert not intents.read("不对 是四个 我把我爸忘了").decline_question


@pytest.mark.parametrize("reply", ["等下 我翻一翻", "我找一找啊"])
def test_looking_something_up_is_a_hold(engine, reply):
    free = {"question": "您的会员卡号是多少？"}
    conv, actions = _hear(engine, "zh", reply, welcome="", collect=[free])
    assert not conv.collected and _hangup(actions) is None


# ----- questions back, answered from the knowledge -----


@pytest.mark.parametrize(
    ("lang", "reply", "fact"),
    [
        ("zh", "换链条要钱不", "80元"),
        ("zh", "周末也能修啊", "周末照常营业"),
        ("zh", "保修是多久来着", "一个月"),
        ("zh", "补胎收费咋算", "15元"),
        ("en", "I work weekdays, is that a problem", "Saturday"),
        ("en", "she's a big dog, does that change the price", "$60"),
    ],
)
def test_a_question_by_its_form_is_answered_and_the_question_asked_again(
    engine, lang, reply, fact
):
    conv, actions = _hear(engine, lang, reply, welcome="")
    said = _said(actions)
    assert fact in said and QUESTION[lang]["question"] in said
    assert not conv.collected and _hangup(actions) is None


@pytest.mark.parametrize("reply", ["it does the job", "yes this is she", "没觉得有啥不对"])
def test_statements_with_an_auxiliary_or_a_question_word_inside_are_no_question(reply):
    assert not intents.read(reply).asking


@pytest.mark.parametrize(
    ("lang", "question", "fact"),
    [
        ("en", "where is your shop", "412 Maple Street"),
        ("en", "where are you guys", "412 Maple Street"),
        ("en", "is there a number for bookings", "555-0199"),
        ("zh", "你们店在哪儿", "桃源路58号"),
        ("zh", "取车电话多少", "0591-6688123"),
    ],
)
def test_a_kind_of_fact_about_the_business_is_answered_by_the_passage_stating_it(
    lang, question, fact
):
    hit = cache_for(KNOWLEDGE[lang]).answer(question)
    assert hit is not None and fact in hit.passage


# ----- when to call back -----


@pytest.mark.parametrize(
    ("lang", "said", "hour", "days"),
    [
        ("en", "call me back around seven", 19, 0),
        ("en", "try me at three this afternoon", 15, 0),
        ("en", "give me half an hour", 10, 0),
        ("en", "not this afternoon, try tomorrow", 10, 1),
        ("en", "call after work", 18, 0),
        ("en", "half past four", 16, 0),
        ("zh", "今天没空 周五再打吧", 10, 3),
        ("zh", "半个钟头以后再打", 10, 0),
        ("zh", "下班以后打给我", 18, 0),
        ("zh", "吃完午饭再打", 13, 0),
        ("zh", "下班以后 晚上八点", 20, 0),
    ],
)
def test_callback_times_as_people_say_them(lang, said, hour, days):
    now = NOW.replace(tzinfo=ZoneInfo(ZONES[lang]))
    at = callback_time.when(said, now)
    assert at is not None and at.hour == hour and (at.date() - now.date()).days == days


def test_a_half_hour_is_half_an_hour():
    now = NOW.replace(tzinfo=ZoneInfo(ZONES["zh"]))
    assert callback_time.when("半个小时以后再打", now) == now.replace(minute=30)


@pytest.mark.parametrize(("lang", "reply", "hour"), [("en", "can you call back after eight", 20),
                                                     ("zh", "等我下班 七点以后", 19)])  # fmt: skip
def test_a_callback_request_while_asking_keeps_its_time(engine, lang, reply, hour):
    _, actions = _hear(engine, lang, reply, welcome="")
    callback = next((a for a in actions if a.kind == ActionKind.CALLBACK), None)
    assert callback is not None and callback.at is not None and callback.at.hour == hour
