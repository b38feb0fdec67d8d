"""Round 10, yes / no and single replies that are flows: a moment asked for is no
answer, thanks for something said with a goodbye, not taking part, declining to go
into it, a call put off, a bare yes opening the consent, going elsewhere now, never
without it, only on some days. Replies written for these tests, in domains of their
own."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation.engine import ActionKind
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.script import ScriptEngine


def _read(question: str, answers: list[str], reply: str) -> str | None:
    m = AnswerMatcher(answers, question=question).match(reply)
    return None if m is None else m.answer


def _call(question: tuple[str, list[str]], reply: str, *, welcome: str | None = None):
    """A call with one question, its opening (asking nothing unless `welcome` does) and
    the callee's one reply: the conversation and the actions that reply gave."""
    lang = "en" if reply.isascii() else "zh"
    opening = welcome or ("您好，我是花店的回访。" if lang == "zh" else "Hi, this is the florist.")
    ctx = context(lang=lang, welcome=opening, name="X", kb=None,
                  collect=[{"question": question[0], "answers": question[1]}])  # fmt: skip
    return hear_once(ScriptEngine(), ctx, reply)


def _hangup(actions):
    return next((a for a in actions if a.kind == ActionKind.HANGUP), None)


BIKES = ("How many bikes are in your household: one, two or three, or more?",
         ["One", "Two or three", "More"])  # fmt: skip
HOURS = ("How many hours a week do you spend gardening: under 1, 1 to 5, or over 5?",
         ["Under 1 hour", "1 to 5 hours", "Over 5 hours"])  # fmt: skip
POTS_ZH = ("您家阳台上有几盆花：一盆、两到三盆，还是更多？", ["一盆", "两到三盆", "更多"])


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        (BIKES, "hmm hold on"),
        (BIKES, "one sec"),
        (HOURS, "just a sec"),
        (HOURS, "give me a moment"),
        (POTS_ZH, "等等"),
        (POTS_ZH, "呃 你等下"),
    ],
)
def test_a_moment_asked_for_is_no_answer(question, reply):
    assert _read(*question, reply) is None
    conv, actions = _call(question, reply)
    assert last_answer(conv) is None
    assert _hangup(actions) is None  # the question is asked again


def test_a_moment_asked_for_beside_an_answer_still_answers():
    assert _read(*BIKES, "hang on, two or three") == "Two or three"


PARCEL = ("Did the parcel arrive on the day we promised?", ["Yes", "No"])
PARCEL_ZH = ("包裹是在约定那天送到的吗？", ["是", "不是"])


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        (PARCEL, "right, thanks for calling, bye"),
        (PARCEL, "ok thank you so much for the update, bye now"),
        (PARCEL_ZH, "好的 谢谢你啊 再见"),
    ],
)
def test_thanks_for_something_with_a_goodbye_is_a_goodbye(question, reply):
    conv, actions = _call(question, reply)
    assert last_answer(conv) is None
    hangup = _hangup(actions)
    assert hangup is not None and hangup.result == "goodbye"


@pytest.mark.parametrize(
    "reply", ["I'd prefer not to participate", "we don't want to take part", "我不想参与这个"]
)
def test_not_taking_part_refuses_the_call(reply):
    question = PARCEL if reply.isascii() else PARCEL_ZH
    conv, actions = _call(question, reply)
    assert last_answer(conv) is None
    hangup = _hangup(actions)
    assert hangup is not None and hangup.result == "refused"


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        (("Do you rent your flat?", ["Yes", "No"]), "I'd rather not go into that"),
        (("Do you rent your flat?", ["Yes", "No"]), "I'd prefer not to discuss it, sorry"),
        (("您家是租的房子吗？", ["是", "不是"]), "这个不太方便透露"),
    ],
)
def test_declining_to_go_into_it_is_no_answer(question, reply):
    assert _read(*question, reply) is None


def test_i_would_rather_not_is_still_a_no_to_an_offer():
    q = ("Would you like a reminder text the day before?", ["Yes", "No"])
    assert _read(*q, "I'd rather not, thanks") == "No"


@pytest.mark.parametrize(
    "reply",
    ["could you phone back tonight", "can we do this another time, the baby's crying",
     "等下再说 孩子在哭"],
)  # fmt: skip
def test_the_call_put_off_is_a_callback(reply):
    question = PARCEL if reply.isascii() else PARCEL_ZH
    conv, actions = _call(question, reply)
    assert last_answer(conv) is None
    assert any(a.kind == ActionKind.CALLBACK for a in actions)


CONSENT_EN = "Hi, this is the library. Have you got a minute?"
CONSENT_ZH = "您好，这里是社区图书馆，耽误您一分钟可以吗？"
RETURN = ("Did you return the books on time?", ["Yes", "No"])
RETURN_ZH = ("您上次借的书按时还了吗？", ["还了", "没还"])


@pytest.mark.parametrize(
    ("reply", "lang"),
    [("no worries", "en"), ("yea of course", "en"), ("好 我正打算找你们", "zh"),
     ("说嘛", "zh"), ("那你问呗", "zh")],
)  # fmt: skip
def test_consent_said_plainly_goes_on_to_the_question(reply, lang):
    question, welcome = (RETURN, CONSENT_EN) if lang == "en" else (RETURN_ZH, CONSENT_ZH)
    conv, actions = _call(question, reply, welcome=welcome)
    assert _hangup(actions) is None
    assert any(question[0] in (a.text or "") for a in actions)


@pytest.mark.parametrize("reply", ["行 但我现在在开车", "嗯 我在开会"])
def test_a_yes_opening_a_busy_reply_is_no_consent(reply):
    conv, actions = _call(RETURN_ZH, reply, welcome=CONSENT_ZH)
    assert any(a.kind == ActionKind.CALLBACK for a in actions)


@pytest.mark.parametrize(
    "reply", ["no, we buy our seeds elsewhere now", "I get it serviced somewhere else these days",
              "现在都在别的地方修了"]
)  # fmt: skip
def test_going_elsewhere_now_declines_the_call(reply):
    welcome = CONSENT_EN if reply.isascii() else CONSENT_ZH
    conv, actions = _call(RETURN if reply.isascii() else RETURN_ZH, reply, welcome=welcome)
    hangup = _hangup(actions)
    assert hangup is not None and hangup.result == "refused"


GRINDER = ("Do you still use the coffee grinder we sold you?", ["Yes", "No"])
GRINDER_ZH = ("我们卖给您的磨豆机您还在用吗？", ["在用", "不用了"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (GRINDER, "not a morning goes by without it", "Yes"),
        (GRINDER, "couldn't do without it", "Yes"),
        (GRINDER_ZH, "早上根本离不开", "在用"),
    ],
)
def test_never_without_it_is_a_yes(question, reply, want):
    assert _read(*question, reply) == want


CYCLE = ("Do you cycle to work most days?", ["Yes", "No"])
CYCLE_ZH = ("您每天都骑车上班吗？", ["是", "不是"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (CYCLE, "only at weekends, for fun", "No"),
        (CYCLE, "just on fridays when it's dry", "No"),
        (CYCLE_ZH, "只有周末骑一骑", "不是"),
    ],
)
def test_only_some_days_is_no_to_every_day(question, reply, want):
    assert _read(*question, reply) == want


def test_only_some_days_is_no_no_to_a_question_about_any_day():
    q = ("Do you ever cycle to work?", ["Yes", "No"])
    assert _read(*q, "only at weekends") != "No"
