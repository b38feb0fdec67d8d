"""Round 11 of call flows: a plain no to the opening's question refuses the call ("no I'd
rather not", "不可以 别耽误我时间了"), a question asked with the consent or beside "who is
this" is answered from the knowledge ("sure, but first, when do you close"), a closing
is no answer ("right I'll sort it myself, bye now", "never mind, ta-ra"), a reference
never given is no answer ("I haven't got one"), and yes/no polarity: a thought denied
("没觉得她满意"), the callee's own doubt ("我不太清楚"), nothing bad left ("no mess
really"), not looked ("didn't notice").

The replies are written for these tests, in domains of their own (a dry cleaner, a
kitchen fitter, a dance studio), in Mandarin and English; each case drives the script
engine the way a debug call does.
"""

from __future__ import annotations

import pytest

from tests.support.understanding import context
from tests.test_understanding_flows2 import Call
from voxdial.conversation import knowledge_terms
from voxdial.conversation.engine import ActionKind
from voxdial.conversation.script import ScriptEngine

CLEANER_ASKS_EN = "Hi {姓名}, this is Sam from Fresh Press Dry Cleaning. Have you got a minute?"
CLEANER_EN = "Hi {姓名}, this is Sam from Fresh Press Dry Cleaning with a quick follow-up."
DANCE_ASKS_ZH = "您好{姓名}，我是舞动青春舞蹈室的小林，想跟您做个回访，耽误您两分钟可以吗？"
DANCE_ZH = "您好{姓名}，我是舞动青春舞蹈室的小林，给您做个回访。"

READY_EN = {"question": "Was your coat ready on the day we promised?", "answers": ["yes", "no"]}
TIDY_EN = {"question": "Did the fitters leave your kitchen clean and tidy?",
           "answers": ["yes", "no"]}  # fmt: skip
MESS_EN = {"question": "Did the fitters leave a mess behind?", "answers": ["yes", "no"]}
TICKET_EN = {"question": "What's the number on your collection ticket?", "answers": []}
LIKED_ZH = {"question": "孩子喜欢这次的舞蹈课吗？", "answers": ["喜欢", "不喜欢"]}
DANCED_ZH = {"question": "孩子以前学过跳舞吗？", "answers": ["学过", "没学过"]}
ORDER_ZH = {"question": "您的报名单号是多少？", "answers": []}

CLEANER_KB = (
    "Fresh Press Dry Cleaning is at 14 Mill Street, next to the post office. "
    "The shop is open Monday to Saturday, 8am to 6pm, and closed on Sundays.\n\n"
    "You can hand in a maximum of six items per ticket; bigger loads need a second ticket.\n\n"
    "Our phone number is 0161 555 0199."
)
DANCE_KB = (
    "舞动青春舞蹈室在幸福路88号二楼，坐地铁2号线到幸福路站A口出来就到。\n\n"
    "舞蹈室的咨询电话是020-66778899，每天上午10点到晚上8点有人接听。\n\n"
    "每节课60分钟，每班最多12个孩子。"
)


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine(encoder=False)


class KnowingCall(Call):
    """A call whose assistant holds a knowledge text."""

    def __init__(self, engine, lang, welcome, collect, knowledge: str):
        ctx = context(lang=lang, welcome=welcome, name="王女士", kb=None, collect=collect)
        ctx.assistant["knowledge"] = knowledge
        self.conv = engine.begin(ctx)
        self.said = self._said(self.conv.start())
        self.questions = [q["question"] for q in collect]
        self.actions = []


# ----- a plain no to the opening's question -----


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply"),
    [
        ("en", CLEANER_ASKS_EN, READY_EN, "no I'd rather not"),
        ("en", CLEANER_ASKS_EN, READY_EN, "absolutely not, goodbye"),
        ("en", CLEANER_ASKS_EN, READY_EN, "nope, sorry"),
        ("zh", DANCE_ASKS_ZH, LIKED_ZH, "不可以 别耽误我时间了"),
    ],
)
def test_a_plain_no_to_the_opening_refuses_the_call(engine, lang, welcome, question, reply):
    call = Call(engine, lang, welcome, [question])
    call.hear(reply)
    assert call.answers() == {}  # not the first question's "no"
    assert call.ended() == "refused"


def test_a_yes_with_a_no_problem_still_consents(engine):
    call = Call(engine, "en", CLEANER_ASKS_EN, [READY_EN])
    call.hear("no problem, go ahead")
    assert call.ended() is None
    assert call.asked(0) == 1


@pytest.mark.parametrize("reply", ["yep what do you want to know", "sure, what do you need to ask"])
def test_asking_what_the_caller_wants_to_know_is_a_go_ahead(engine, reply):
    call = Call(engine, "en", CLEANER_ASKS_EN, [READY_EN])
    call.hear(reply)
    assert call.asked(0) == 1
    assert call.ended() is None


# ----- a question asked at the opening's question -----


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "kb", "reply", "says"),
    [
        ("en", CLEANER_ASKS_EN, READY_EN, CLEANER_KB,
         "sure, but first, what time do you close on saturdays", "8am to 6pm"),
        ("en", CLEANER_ASKS_EN, READY_EN, CLEANER_KB,
         "yeah but where is the shop exactly", "14 Mill Street"),
        # who is calling, and another question beside it
        ("zh", DANCE_ASKS_ZH, LIKED_ZH, DANCE_KB, "你们是哪个舞蹈室啊 在哪", "幸福路88号"),
        # the question with an aside that is no question ("我存一下")
        ("zh", DANCE_ASKS_ZH, LIKED_ZH, DANCE_KB, "你们电话多少 我存一下", "020-66778899"),
    ],
)  # fmt: skip
def test_a_question_at_the_opening_is_answered_then_the_opening_asked_again(
    engine, lang, welcome, question, kb, reply, says
):
    call = KnowingCall(engine, lang, welcome, [question], kb)
    said = call.hear(reply)
    assert any(says in s for s in said)
    assert said[-1].rstrip().endswith(("?", "？"))
    assert call.asked(0) == 0
    assert call.answers() == {}


def test_a_limit_on_bits_is_asked_in_the_words_of_maximum_items():
    # "how many bits": product texts say "items"; "a limit" is a "maximum"
    terms = knowledge_terms.expansions("is there a limit on how many bits I can bring in")
    assert {"maximum", "item"} <= set(terms)  # stemmed


# ----- a closing is no answer -----


def test_a_statement_opened_by_right_with_a_goodbye_closes_without_a_yes(engine):
    call = Call(engine, "en", CLEANER_EN, [READY_EN])
    call.hear("right I'll sort it out myself, bye now")
    assert call.answers() == {}
    assert call.ended() == "goodbye"


@pytest.mark.parametrize("reply", ["never mind, ta-ra", "cheerio then", "never mind"])
def test_a_northern_goodbye_or_never_mind_is_no_free_answer(engine, reply):
    call = Call(engine, "en", CLEANER_EN, [TICKET_EN])
    call.hear(reply)
    assert call.answers() == {}


def test_yes_with_a_goodbye_is_still_a_yes(engine):
    call = Call(engine, "en", CLEANER_EN, [READY_EN])
    call.hear("yes it was, bye now")
    assert call.answers() == {0: "yes"}


# ----- a reference never given -----


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply"),
    [
        ("en", CLEANER_EN, TICKET_EN, "I haven't got one, I never went in"),
        ("en", CLEANER_EN, TICKET_EN, "no number I'm afraid, I phoned it in"),
        ("zh", DANCE_ZH, ORDER_ZH, "没有单号 我是在前台报的"),
    ],
)
def test_a_reference_never_given_is_no_answer(engine, lang, welcome, question, reply):
    call = Call(engine, lang, welcome, [question])
    call.hear(reply)
    assert call.answers() == {}


# ----- yes/no polarity -----


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (LIKED_ZH, "没觉得她喜欢 一直说想回家", "不喜欢"),
        (LIKED_ZH, "没看出来他喜欢", "不喜欢"),
        (LIKED_ZH, "我觉得她挺喜欢", "喜欢"),
    ],
)
def test_a_thought_denied_negates_what_was_thought(engine, question, reply, want):
    call = Call(engine, "zh", DANCE_ZH, [question])
    call.hear(reply)
    assert call.answers() == {0: want}


@pytest.mark.parametrize("reply", ["学过吧 好像她奶奶带去过 我不太清楚", "学过 我也不大清楚"])
def test_an_answer_followed_by_the_callees_own_doubt_is_no_answer(engine, reply):
    call = Call(engine, "zh", DANCE_ZH, [DANCED_ZH])
    call.hear(reply)
    assert call.answers() == {}
    assert call.asked(0) == 2


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (TIDY_EN, "it wasnt too bad i suppose, no mess really", "yes"),
        (TIDY_EN, "not too bad at all", "yes"),
        # the question asks about the mess itself: "no mess" says No
        (MESS_EN, "no mess at all", "no"),
    ],
)
def test_nothing_bad_left_is_a_yes_to_a_question_about_good(engine, question, reply, want):
    call = Call(engine, "en", CLEANER_EN, [question])
    call.hear(reply)
    assert call.answers() == {0: want}


def test_not_having_looked_is_no_answer(engine):
    call = Call(engine, "en", CLEANER_EN, [TIDY_EN])
    said = call.hear("didn't notice, I was out all day")
    assert call.answers() == {}
    assert any(TIDY_EN["question"] in s for s in said)
    assert not any(a.kind == ActionKind.HANGUP for a in call.actions)
