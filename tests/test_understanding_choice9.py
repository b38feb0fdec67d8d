"""Round 15, preset choices: Cantonese and Scots words read as the standard ones (唔 / 未 /
谂, "naw", "havenae", "I'm no sure"); "not interested" beside the choice that turns the
offer down; not knowing what decides it; someone in the callee's care asked first; the
biggest or the smallest of lesson packages; a class named by what is done in it; "both,
but mostly X"; a plan done already elsewhere; the offered act asked for; a way of being
reached turned down by what it needs; "ring me" as the phone-call choice; a hedge to a
question asked again kept from the later ones. Replies written for these tests, in
domains of their own."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once
from tests.test_understanding_choice7 import _read
from tests.test_understanding_choice8 import _answer
from voxdial.conversation.normalize import fold
from voxdial.conversation.script import ScriptEngine


@pytest.fixture(scope="module")
def engine():
    return ScriptEngine()


FITTER = ("要不要帮您约个师傅上门安装：要、不要，还是不确定？", ["要", "不要", "不确定"])
PLAN = ("您打算续报下学期的书法班吗：报、不报，还是再考虑？", ["报", "不报", "再考虑"])
RENEW = ("Would you like us to renew your home cover this year?", ["yes", "no", "not sure"])
EYE = ("Would you like to book your eye test with us this spring?", ["yes", "no", "not sure"])
PACKS = ("您想了解哪种课包：10节、20节还是30节？", ["10节", "20节", "30节"])
SESSIONS = ("Which pack would you like: 5 sessions, 10 sessions or 20 sessions?",
            ["5 sessions", "10 sessions", "20 sessions"])  # fmt: skip
CLASSES = ("暑假想给孩子报哪个兴趣班：书法、美术还是围棋？", ["书法", "美术", "围棋"])
DANCE = ("您想报哪个班：舞蹈、音乐还是美术？", ["舞蹈", "音乐", "美术"])
CLUBS = ("Which club would you like to join: art, music or chess?", ["Art", "Music", "Chess"])
STORE = ("Which branch do you normally shop at: Northgate or Riverside?",
         ["Northgate", "Riverside"])  # fmt: skip
REMIND = ("How should we remind you of the visit: a text, a phone call or an email?",
          ["Text", "Phone call", "Email"])  # fmt: skip


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("唔该", "谢谢"),
        ("未来", "未来"),
        ("唔，好", "唔,好"),
        ("未谂好", "还没想好"),
        ("你讲咩 再讲一遍", "你说什么 再说一遍"),
        ("I've no idea", "i've no idea"),
        ("I'm no sure", "i'm not sure"),
        ("we havenae", "we haven't"),
        ("aye", "yes"),
    ],
)
def test_dialect_words_read_as_standard_ones(said, read):
    assert fold(said) == read


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (FITTER, "唔要 我自己装", "不要"),
        (FITTER, "未谂好", "不确定"),
        (FITTER, "唔使啦 我老公会装", "不要"),
        (PLAN, "唔报了", "不报"),
        (RENEW, "naw, we dinnae need it", "no"),
        (RENEW, "I'm no sure yet", "not sure"),
        (RENEW, "I havenae decided", "not sure"),
        (RENEW, "I wouldnae say no", "yes"),
        (RENEW, "aye, go on", "yes"),
    ],
)
def test_cantonese_and_scots_replies(question, reply, want):
    assert _read(*question, reply) == want


def test_not_interested_beside_the_choice_that_turns_it_down(engine):
    assert _answer(engine, "zh", *PLAN, "没兴趣 不报") == "不报"


def test_not_interested_alone_still_refuses_the_call(engine):
    assert _answer(engine, "zh", *PLAN, "没兴趣") is None


def test_not_knowing_what_decides_it_is_unsure():
    assert _read(*FITTER, "不是不要 我是还不知道哪天在家") == "不确定"


def test_someone_in_the_callees_care_asked_first():
    assert _read(*RENEW, "not sure, I'd need to ask his carer") == "not sure"


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (PACKS, "要最少的", "10节"),
        (PACKS, "最多的那个吧", "30节"),
        (SESSIONS, "the biggest one", "20 sessions"),
    ],
)
def test_the_biggest_or_the_smallest_pack(question, reply, want):
    assert _read(*question, reply) == want


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (CLASSES, "画画的那个", "美术"),
        (CLASSES, "涂色那种", "美术"),
        (CLUBS, "the singing one", "Music"),
        (DANCE, "唱歌跳舞那种", None),
    ],
)
def test_a_class_named_by_what_is_done_in_it(question, reply, want):
    assert _read(*question, reply) == want


@pytest.mark.parametrize(
    ("reply", "want"),
    [("both, but mostly Riverside", "Riverside"), ("both", None)],
)
def test_both_but_mostly_one(reply, want):
    assert _read(*STORE, reply) == want


@pytest.mark.parametrize(
    ("reply", "want"),
    [("I've already had it done at the hospital", "no"), ("already had it", None)],
)
def test_a_plan_done_already_elsewhere(reply, want):
    assert _read(*EYE, reply) == want


def test_the_offered_act_asked_for():
    assert _read(*FITTER, "麻烦约一个 周末那种") == "要"


@pytest.mark.parametrize(
    "reply",
    ["I don't have a mobile and I don't use a computer", "no mobile, no computer"],
)
def test_a_way_turned_down_by_what_it_needs(reply):
    assert _read(*REMIND, reply) == "Phone call"


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("just ring me", "Phone call"),
        ("ring me after six", None),
        ("I'm about to go into a meeting, call me back", None),
        ("texts please, I can't hear the phone half the time", "Text"),
    ],
)
def test_ringing_and_hearing_in_a_call(engine, reply, want):
    assert _answer(engine, "en", *REMIND, reply) == want


def test_a_hedge_to_a_question_asked_again_answers_no_later_one(engine):
    ctx = context(
        lang="zh", welcome="您好，这里是客服中心，回访一下。", name="Sam", kb=None,
        collect=[
            {"question": "上周的维修师傅是按时到的吗？", "answers": ["按时", "没按时"]},
            {"question": "您打算续保吗：续、不续，还是再考虑？",
             "answers": ["续", "不续", "再考虑"]},
        ],
    )  # fmt: skip
    conv, _ = hear_once(engine, ctx, "这个不好说 那天我不在家")
    assert [c.result for c in conv.collected if c.hit] == []


WEEKLY = ("孩子一周想上几节课：1节、2节还是3节？", ["1节", "2节", "3节"])


def test_lessons_counted_stay_a_count():
    assert _read(*WEEKLY, "周一一节周四一节") == "2节"


def test_not_knowing_what_a_thing_is_does_not_ask(engine):
    hose = ("您家用的是哪种水表：机械表、智能表，还是不清楚？", ["机械表", "智能表", "不清楚"])
    assert _answer(engine, "zh", *hose, "不晓得是么斯表") == "不清楚"
