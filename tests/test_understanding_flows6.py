"""Round 12 of call flows: a yes to the opening's question is not the first question's
answer ("yes that's fine go ahead", "没得问题 问嘛"), "no bother" / "没得问题" are yeses, a
later question's answer is not read from the current question's own words ("垃圾都拉走了"
is no mark of 1) nor from a count of something else ("拖了一遍地"), a condition put before
a question is no answer ("我来不了的话 是不是就做不成了"), and nothing to add or no reference
to a free-text question ("没得啥子要求 来做就是了", "no nothing like that thanks", "没得单号").

The replies are written for these tests, in domains of their own (a window cleaner, a
carpet fitter, a piano tuner), in Mandarin and English; each case drives the script
engine the way a debug call does.
"""

from __future__ import annotations

import pytest

from tests.test_understanding_flows2 import Call
from voxdial.conversation.script import ScriptEngine

WINDOWS_ASKS_EN = "Hi {姓名}, this is Kim from Clear View Windows. Is now an OK time for a chat?"
WINDOWS_EN = "Hi {姓名}, this is Kim from Clear View Windows with a quick follow-up."
CARPET_ASKS_ZH = "{姓名}您好，我是金毯地毯铺装的小周，想跟您做个回访，您方便吗？"
CARPET_ZH = "{姓名}您好，我是金毯地毯铺装的小周，给您做个回访。"

STREAKS_EN = {"question": "Were the windows free of streaks when the team left?",
              "answers": ["yes", "no"]}  # fmt: skip
TUNER_EN = {"question": "Will you be home when the piano tuner calls?", "answers": ["yes", "no"]}
OFFCUTS_ZH = {"question": "师傅走的时候有没有把地毯边角料都收拾走？",
              "answers": ["收拾了", "没收拾"]}  # fmt: skip
MARK_ZH = {"question": "对这次的铺装您打几分？1分最差，5分最满意。",
           "answers": ["1", "2", "3", "4", "5"]}  # fmt: skip
HOME_ZH = {"question": "调音那天您本人能在家吗？", "answers": ["能在", "不在"]}
WISHES_ZH = {"question": "铺装的时候您有没有什么特别的要求？", "answers": []}
ORDER_ZH = {"question": "您的预约单号是多少？", "answers": []}
ACCESS_EN = {"question": "Is there anything we should know about getting into the house?",
             "answers": []}  # fmt: skip
CARD_EN = {"question": "Could you read me the number on your customer card?", "answers": []}
MORE_ZH = {"question": "最后，您还有啥子想跟我们说的没有？", "answers": []}


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine(encoder=False)


# ----- a yes to the opening is not the first question's answer -----


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply"),
    [
        ("en", WINDOWS_ASKS_EN, STREAKS_EN, "yes that's fine go ahead"),
        ("en", WINDOWS_ASKS_EN, STREAKS_EN, "sure, no bother"),
        ("en", WINDOWS_ASKS_EN, STREAKS_EN, "yes ma go ahead"),
        ("zh", CARPET_ASKS_ZH, OFFCUTS_ZH, "没得问题 问嘛"),
        ("zh", CARPET_ASKS_ZH, OFFCUTS_ZH, "嗯嗯 你说嘛 不过我先说哈 卫生间在漏水"),
    ],
)
def test_a_yes_to_the_opening_asks_the_first_question(engine, lang, welcome, question, reply):
    call = Call(engine, lang, welcome, [question])
    call.hear(reply)
    assert call.answers() == {}
    assert call.ended() is None
    assert call.asked(0) == 1


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply", "want"),
    [
        ("zh", CARPET_ASKS_ZH, OFFCUTS_ZH, "可以 收拾了", "收拾了"),
        ("en", WINDOWS_ASKS_EN, TUNER_EN, "sure, yes i will be home for the tuner", "yes"),
    ],
)
def test_an_answer_said_with_the_consent_is_still_taken(
    engine, lang, welcome, question, reply, want
):
    call = Call(engine, lang, welcome, [question])
    call.hear(reply)
    assert call.answers() == {0: want}


@pytest.mark.parametrize("reply", ["sure, no bother", "no bother at all"])
def test_no_bother_is_a_yes(engine, reply):
    call = Call(engine, "en", WINDOWS_EN, [TUNER_EN])
    call.hear(reply)
    assert call.answers() == {0: "yes"}


# ----- a later question's answer from the current question's words -----


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("边角料都拉走了", "收拾了"),  # 垃圾-like words of the current question: no mark
        ("收拾了 走之前还吸了一遍尘", "收拾了"),  # a count of passes, not a mark
        ("没有 门口还有一堆碎布头", "没收拾"),
    ],
)
def test_no_mark_for_a_later_question_from_words_about_this_one(engine, reply, want):
    call = Call(engine, "zh", CARPET_ZH, [OFFCUTS_ZH, MARK_ZH])
    call.hear(reply)
    assert call.answers() == {0: want}
    assert call.asked(1) == 1


def test_a_mark_said_beside_the_answer_is_still_taken(engine):
    call = Call(engine, "zh", CARPET_ZH, [OFFCUTS_ZH, MARK_ZH])
    call.hear("收拾了 给你们打四分嘛")
    assert call.answers() == {0: "收拾了", 1: "4"}


# ----- a condition put before a question -----


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply"),
    [
        ("zh", CARPET_ZH, HOME_ZH, "我不在的话 你们是不是就调不成了"),
        ("zh", CARPET_ZH, HOME_ZH, "要是我不在 能不能让邻居开门"),
        ("en", WINDOWS_EN, TUNER_EN, "if i'm not home, can my neighbour let him in?"),
    ],
)
def test_a_condition_before_a_question_is_no_answer(engine, lang, welcome, question, reply):
    call = Call(engine, lang, welcome, [question])
    call.hear(reply)
    assert call.answers() == {}
    assert call.ended() is None


# ----- nothing to add, no reference -----


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply"),
    [
        ("zh", CARPET_ZH, WISHES_ZH, "没得啥子要求 来铺就是了"),
        ("zh", CARPET_ZH, WISHES_ZH, "没啥子意见 都挺好的"),
        ("en", WINDOWS_EN, ACCESS_EN, "no nothing like that thanks"),
        ("en", WINDOWS_EN, ACCESS_EN, "nothing special thanks"),
        ("zh", CARPET_ZH, ORDER_ZH, "没得单号 我是在公众号上约的"),
        ("en", WINDOWS_EN, CARD_EN, "i lost the card, can you not find me by my name"),
    ],
)
def test_nothing_to_add_or_no_reference_collects_nothing(engine, lang, welcome, question, reply):
    call = Call(engine, lang, welcome, [question])
    call.hear(reply)
    assert call.conv.collected == [] or not any(c.result for c in call.conv.collected)


def test_nothing_more_and_a_goodbye_to_the_last_question_closes(engine):
    call = Call(engine, "zh", CARPET_ZH, [MORE_ZH])
    call.hear("没得其他的了 谢谢你 再见")
    assert call.ended() is not None
    assert not any(c.result for c in call.conv.collected)


# ----- south-western speech: 莫得 for 没有, a repeated 行 -----


def test_mo_de_is_a_no(engine):
    call = Call(engine, "zh", CARPET_ZH, [OFFCUTS_ZH])
    call.hear("莫得 我自己又喊人来弄的")
    assert call.answers() == {0: "没收拾"}


@pytest.mark.parametrize("reply", ["行行行 快点哈", "好好好"])
def test_a_repeated_yes_consents(engine, reply):
    call = Call(engine, "zh", CARPET_ASKS_ZH, [OFFCUTS_ZH])
    call.hear(reply)
    assert call.asked(0) == 1
    assert call.ended() is None
