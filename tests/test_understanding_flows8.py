"""Round 14 of call flows: dialect 冇 (冇得, 冇有) read as 没 / 没有, nothing to add said
with an address term or as "nothing to change" ("nothing love", "没什么要注意的"), a code
shorter than the question asks for is no answer, a lost slip with a goodbye closes the
call, a denied denial is a yes ("不会没人的", "I wouldn't say I've missed a day"), the
question asked back is no answer ("do I have to ...? nobody told me"), and the flows:
"不忙" consents, leaving at the opening is a goodbye, "I'm not booking anything" and "I'll
sort it out myself" are refusals, "不做了 ... 调查" refuses the questions.

The replies are written for these tests, in domains of their own (a chimney sweep, a
bicycle shop, a piano school), in Mandarin and English; each case drives the script
engine the way a debug call does.
"""

from __future__ import annotations

import pytest

from tests.test_understanding_flows2 import Call
from voxdial.conversation import free_text
from voxdial.conversation.script import ScriptEngine

SWEEP_ZH = "{姓名}您好，我是暖家烟囱清扫的小何，给您做个回访。"
SWEEP_ASKS_ZH = "{姓名}您好，我是暖家烟囱清扫的小何，想跟您做个回访，您现在方便吗？"
BIKE_EN = "Hi {姓名}, this is Sam from Spoke & Chain Cycles with a quick follow-up."
BIKE_ASKS_EN = "Hi {姓名}, this is Sam from Spoke & Chain Cycles. Have you got a minute?"

WISHES_ZH = {"question": "师傅上门之前，有什么需要提前跟他说的吗？", "answers": []}
ACCOUNT_ZH = {"question": "麻烦您报一下会员号，就是卡背面那串8位的数字。", "answers": []}
BETTER_EN = {"question": "Is there anything we could do better at the shop?", "answers": []}
ADULT_ZH = {"question": "清扫那天家里会有大人在吗？", "answers": ["有", "没有"]}
BADGE_ZH = {"question": "师傅进门的时候有没有出示工牌？", "answers": ["出示了", "没出示"]}
HELMET_EN = {"question": "Are you wearing the new helmet on every ride?", "answers": ["Yes", "No"]}
DAY_EN = {"question": "Which day suits you for the service: Tuesday or Thursday?",
          "answers": ["Tuesday", "Thursday"]}  # fmt: skip
MARK_ZH = {"question": "您给这次清扫打几分？1到5分。", "answers": ["1", "2", "3", "4", "5"]}


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine(encoder=False)


def _nothing_collected(call: Call) -> bool:
    return not any(c.hit for c in call.conv.collected)


# ----- nothing to add -----


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply"),
    [
        ("zh", SWEEP_ZH, WISHES_ZH, "冇得意见 都蛮好"),
        ("zh", SWEEP_ZH, WISHES_ZH, "冇得么斯 直接来"),
        ("zh", SWEEP_ZH, WISHES_ZH, "没什么要交代的"),
        ("en", BIKE_EN, BETTER_EN, "nothing love, you've been brilliant"),
        ("en", BIKE_EN, BETTER_EN, "nah all good mate"),
        ("en", BIKE_EN, BETTER_EN, "nothing I can think of"),
        ("en", BIKE_EN, BETTER_EN, "nope nothing, it was grand"),
        ("en", BIKE_EN, BETTER_EN, "the mechanic was lovely, nothing to change"),
    ],
)
def test_nothing_to_add_collects_nothing(engine, lang, welcome, question, reply):
    call = Call(engine, lang, welcome, [question])
    call.hear(reply)
    assert _nothing_collected(call)


@pytest.mark.parametrize(
    "reply", ["没什么要交代的 就是楼道灯坏了", "nothing to change but the parking was awful"]
)
def test_nothing_said_with_a_wish_is_still_an_answer(engine, reply):
    lang = "en" if reply.isascii() else "zh"
    question = BETTER_EN if lang == "en" else WISHES_ZH
    call = Call(engine, lang, BIKE_EN if lang == "en" else SWEEP_ZH, [question])
    call.hear(reply)
    assert call.answers() == {0: reply}


# ----- a code shorter than asked, a lost slip said with a goodbye -----


def test_question_asks_for_a_length():
    assert free_text.asked_length(ACCOUNT_ZH["question"]) == 8
    assert free_text.asked_length("Could you read me the last four digits of your card?") == 4
    assert free_text.asked_length("麻烦您报一下订单号的后六位") == 6
    assert free_text.asked_length("您的订单号是多少？") is None


def test_a_code_shorter_than_asked_is_no_answer(engine):
    call = Call(engine, "zh", SWEEP_ZH, [ACCOUNT_ZH])
    call.hear("是不是卡正面那个印的号 4471")
    assert _nothing_collected(call)
    assert call.ended() is None


def test_a_code_of_the_asked_length_is_taken(engine):
    call = Call(engine, "zh", SWEEP_ZH, [ACCOUNT_ZH])
    call.hear("44712093")
    assert call.answers() == {0: "44712093"}


def test_a_lost_slip_and_a_goodbye_closes_without_an_answer(engine):
    call = Call(engine, "zh", SWEEP_ZH, [ACCOUNT_ZH])
    call.hear("我找不到卡了 算了 先挂了 拜拜")
    assert _nothing_collected(call)
    assert call.ended() == "goodbye"


# ----- yes and no -----


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (ADULT_ZH, "肯定有人的 不会没人", "有"),
        (ADULT_ZH, "冇得人 白天都上班去了", "没有"),
        (BADGE_ZH, "冇看到他拿工牌 直接就进屋了", "没出示"),
    ],
)
def test_dialect_and_denied_denials_zh(engine, question, reply, want):
    call = Call(engine, "zh", SWEEP_ZH, [question])
    call.hear(reply)
    assert call.answers() == {0: want}


def test_a_lapse_denied_is_a_yes(engine):
    call = Call(engine, "en", BIKE_EN, [HELMET_EN])
    call.hear("I wouldn't say I've skipped a ride")
    assert call.answers() == {0: "Yes"}


def test_the_question_asked_back_is_no_answer(engine):
    call = Call(engine, "en", BIKE_EN, [HELMET_EN])
    call.hear("do I have to wear it on every ride? nobody said that")
    assert _nothing_collected(call)


def test_the_question_asked_back_then_a_plain_no_is_taken(engine):
    call = Call(engine, "en", BIKE_EN, [HELMET_EN])
    call.hear("do I have to wear it on every ride? no I don't")
    assert call.answers() == {0: "No"}


# ----- flows -----


@pytest.mark.parametrize("reply", ["还好 不忙", "不怎么忙 你说"])
def test_not_busy_consents(engine, reply):
    call = Call(engine, "zh", SWEEP_ASKS_ZH, [MARK_ZH])
    call.hear(reply)
    assert call.asked(0) == 1
    assert call.ended() is None


@pytest.mark.parametrize(
    "reply", ["oh look I've got to go, bye", "sorry someone's at the door, hooroo"]
)
def test_leaving_at_the_opening_is_a_goodbye(engine, reply):
    call = Call(engine, "en", BIKE_ASKS_EN, [DAY_EN])
    call.hear(reply)
    assert call.ended() == "goodbye"


@pytest.mark.parametrize(
    "reply",
    ["nah I'm not booking anything over the phone", "no I'll sort it out myself, thanks"],
)
def test_turning_the_offer_down_is_a_refusal(engine, reply):
    call = Call(engine, "en", BIKE_EN, [DAY_EN])
    call.hear(reply)
    assert call.ended() == "refused"


def test_sorting_it_alone_with_a_goodbye_is_a_goodbye(engine):
    call = Call(engine, "en", BIKE_EN, [DAY_EN])
    call.hear("I'll sort it out online myself, thanks bye")
    assert call.ended() == "goodbye"


def test_not_doing_the_survey_is_a_refusal(engine):
    call = Call(engine, "zh", SWEEP_ZH, [MARK_ZH])
    call.hear("不做了 没时间弄这个回访")
    assert call.ended() == "refused"


# ----- yes said in other words -----


@pytest.mark.parametrize(
    "reply",
    ["too right I do", "yeas the new one", "wouldn't be without it now", "on every ride"],
)
def test_yes_in_other_words(engine, reply):
    call = Call(engine, "en", BIKE_EN, [HELMET_EN])
    call.hear(reply)
    assert call.answers() == {0: "Yes"}


@pytest.mark.parametrize("reply", ["not on every ride", "the new helmet"])
def test_the_question_said_back_otherwise_is_no_yes(engine, reply):
    call = Call(engine, "en", BIKE_EN, [HELMET_EN])
    call.hear(reply)
    assert call.answers().get(0) != "Yes"


# ----- several answers in one reply, an answer to a later question said early -----

LESSON_ZH = "{姓名}您好，这里是和弦钢琴学校，给您约一下调琴师傅上门的时间。"
LESSON_DAY_ZH = {"question": "您看哪天上门：周二、周三还是周四？",
                 "answers": ["周二", "周三", "周四"]}  # fmt: skip
LESSON_SLOT_ZH = {"question": "那天哪个时段方便：上午9点到11点、下午3点到5点？",
                  "answers": ["上午9点到11点", "下午3点到5点"]}  # fmt: skip
STOOL_ZH = {"question": "琴凳是哪种：实木琴凳、升降琴凳，还是不清楚？",
            "answers": ["实木琴凳", "升降琴凳", "不清楚"]}  # fmt: skip


def test_a_clause_answers_a_later_question_beside_the_whole_reply(engine):
    call = Call(engine, "zh", LESSON_ZH, [LESSON_DAY_ZH, LESSON_SLOT_ZH, STOOL_ZH])
    call.hear("周三上午 凳子是实木的")
    assert call.answers() == {0: "周三", 1: "上午9点到11点", 2: "实木琴凳"}
    assert call.asked(1) == 0 and call.asked(2) == 0


CAP_ZH = {"question": "师傅有没有推荐您加装防雨帽？", "answers": ["推荐了", "没推荐"]}


@pytest.mark.parametrize("reply", ["推了 我没要", "推了推了"])
def test_the_verb_said_by_its_first_character_is_a_yes(engine, reply):
    call = Call(engine, "zh", SWEEP_ZH, [CAP_ZH])
    call.hear(reply)
    assert call.answers() == {0: "推荐了"}


RENEW_ZH = {"question": "明年您还会续订我们的报纸吗：会、不会，还是还没定？",
            "answers": ["会", "不会", "还没定"]}  # fmt: skip


def test_a_negators_piece_is_no_clipped_verb(engine):
    # "不了" is a no: "不会" said by its first character is not the yes "会"
    call = Call(engine, "zh", SWEEP_ZH, [RENEW_ZH])
    call.hear("不了 我儿子帮我订")
    assert call.answers() == {0: "不会"}
