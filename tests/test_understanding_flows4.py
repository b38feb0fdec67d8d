"""Round 10 of call flows: a clause that names a later question's topic answers it
("and the front desk a five"), the minutes granted at the opening's question are no
answer ("两分钟没问题"), a wait is not an answer guessed from its sound ("嗯…… 等下"), a
block and a go-ahead said in regional words ("以后莫再打了", "行嘛"), and an area said
with 平 answering a later question about area.

The replies are written for these tests, in domains of their own (a bicycle repair shop,
a piano tuner, a window cleaner), in Mandarin and English; each case drives the script
engine the way a debug call does.
"""

from __future__ import annotations

import pytest

from tests.test_understanding_flows2 import Call
from voxdial.conversation.engine import ActionKind
from voxdial.conversation.script import ScriptEngine

BIKE_ZH = "您好{姓名}，我是飞轮单车维修的小吴，给您做个修车回访。"
BIKE_ASKS_ZH = "您好{姓名}，我是飞轮单车维修的小吴，想做个修车回访，耽误您两分钟可以吗？"
PIANO_EN = "Hi {姓名}, this is Jo from Keystone Piano Tuning with a quick follow-up."
PIANO_ASKS_EN = "Hi {姓名}, this is Jo from Keystone Piano Tuning. Have you got two minutes?"

WORK_ZH = {"question": "师傅这次的修车手艺您打几分？1到10分。",
           "answers": [str(n) for n in range(1, 11)]}  # fmt: skip
DESK_ZH = {"question": "前台接待的服务您打几分？1到5分。", "answers": ["1", "2", "3", "4", "5"]}
ON_TIME_ZH = {"question": "师傅是按约好的时间到的吗？", "answers": ["是", "不是"]}
WIPED_ZH = {"question": "修完车以后，师傅有没有帮您把车擦一遍：擦得很干净、擦了一点，还是没擦？",
            "answers": ["很干净", "擦了一点", "没擦"]}  # fmt: skip
HAPPY_ZH = {"question": "您对这次修车满意吗？", "answers": ["满意", "不满意"]}
SERVICE_ZH = {"question": "下次还会选我们的上门保养吗？", "answers": ["会", "不会"]}
DAY_ZH = {"question": "您想约哪天来取车：下周一、下周三还是下周五？",
          "answers": ["下周一", "下周三", "下周五"]}  # fmt: skip
MARK_ZH = {"question": "这次修车您满意吗？从1到5打个分。", "answers": ["1", "2", "3", "4", "5"]}

TUNING_EN = {"question": "On a scale of 1 to 10, how did the piano sound after the tuning?",
             "answers": [str(n) for n in range(1, 11)]}  # fmt: skip
PUNCTUAL_EN = {"question": "From 1 to 5, how punctual was the tuner?",
               "answers": ["1", "2", "3", "4", "5"]}  # fmt: skip
ARRIVED_EN = {"question": "Did the tuner arrive on time?", "answers": ["yes", "no"]}
EMAIL_EN = {"question": "Would you like a reminder email next spring?", "answers": ["yes", "no"]}
PIANOS_EN = {"question": "How many pianos do you have: one, two, or three or more?",
             "answers": ["one", "two", "three or more"]}  # fmt: skip
MARK_EN = {"question": "From 1 to 5, how happy were you with the tuning?",
           "answers": ["1", "2", "3", "4", "5"]}  # fmt: skip

WINDOW_ZH = "您好{姓名}，我是亮晶晶擦窗服务的小何，给您做个回访。"
YEAR_CARD_ZH = {"question": "我们的擦窗年卡您要办吗：办、不办，还是再想想？",
                "answers": ["办", "不办", "再想想"]}  # fmt: skip
AREA_ZH = {"question": "要擦窗的房子大概多大：80平以下、80到150平，还是150平以上？",
           "answers": ["80平以下", "80到150平", "150平以上"]}  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine(encoder=False)


def _heard(engine, lang: str, welcome: str, question: dict, reply: str) -> tuple[Call, list]:
    """A call asking one question, after the callee's one reply: (the call, what it said)."""
    call = Call(engine, lang, welcome, [question])
    return call, call.hear(reply)


# ----- a clause naming a later question's topic answers it -----


@pytest.mark.parametrize(
    ("lang", "welcome", "collect", "reply", "want"),
    [
        # the second mark is in both scales: the clause's topic says whose it is
        ("zh", BIKE_ZH, [WORK_ZH, DESK_ZH], "师傅手艺给九分 前台接待给个五分吧", {0: "9", 1: "5"}),
        ("en", PIANO_EN, [TUNING_EN, PUNCTUAL_EN],
         "it sounded like a seven, and for punctuality a four", {0: "7", 1: "4"}),
        # the later topic named, and its mark in the clause after it
        ("en", PIANO_EN, [TUNING_EN, PUNCTUAL_EN],
         "an eight, and as for how punctual he was, five out of five", {0: "8", 1: "5"}),
        # a yes for each: the second is said to the later question's topic
        ("en", PIANO_EN, [ARRIVED_EN, EMAIL_EN],
         "yes he did, and yes please to the reminder email", {0: "yes", 1: "yes"}),
        ("zh", BIKE_ZH, [ON_TIME_ZH, WIPED_ZH], "挺准时的 修完车还擦得干干净净",
         {0: "是", 1: "很干净"}),
    ],
)  # fmt: skip
def test_a_clause_naming_a_later_topic_answers_that_question(
    engine, lang, welcome, collect, reply, want
):
    call = Call(engine, lang, welcome, collect)
    call.hear(reply)
    assert call.answers() == want
    assert call.asked(1) == 0
    assert call.ended() == "completed"


def test_a_later_topic_named_with_no_plain_answer_answers_nothing(engine):
    # the later question's topic is named, but "人挺好" names none of its answers
    call = Call(engine, "zh", BIKE_ZH, [HAPPY_ZH, SERVICE_ZH])
    call.hear("满意 上门保养的师傅人挺好")
    assert call.answers() == {0: "满意"}
    assert call.asked(1) == 1


# ----- the minutes granted at the opening's question -----


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply"),
    [
        ("zh", BIKE_ASKS_ZH, MARK_ZH, "行 两分钟没问题"),
        ("zh", BIKE_ASKS_ZH, MARK_ZH, "嗯 就两分钟啊 你说"),
        ("en", PIANO_ASKS_EN, MARK_EN, "sure, two minutes is fine"),
    ],
)
def test_the_minutes_granted_for_the_call_are_no_answer(engine, lang, welcome, question, reply):
    call, said = _heard(engine, lang, welcome, question, reply)
    assert call.answers() == {}
    assert any(question["question"] in s for s in said)


def test_an_answer_said_with_the_minutes_granted_is_kept(engine):
    call = Call(engine, "zh", BIKE_ASKS_ZH, [MARK_ZH])
    call.hear("可以 两分钟够了 给你们四分")
    assert call.answers() == {0: "4"}


# ----- a wait is not an answer guessed from its sound -----


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply"),
    [
        ("zh", BIKE_ZH, DAY_ZH, "嗯…… 等下"),
        ("en", PIANO_EN, PIANOS_EN, "uh hang on"),
    ],
)
def test_a_wait_is_a_wait_not_a_guessed_answer(engine, lang, welcome, question, reply):
    call, said = _heard(engine, lang, welcome, question, reply)
    assert call.answers() == {}
    assert not any(a.kind in (ActionKind.HANGUP, ActionKind.CALLBACK) for a in call.actions)
    assert any(question["question"] in s for s in said)


def test_the_answer_after_a_wait_is_taken(engine):
    call = Call(engine, "zh", BIKE_ZH, [DAY_ZH])
    call.hear("嗯…… 等下")
    call.hear("那个 下周三吧")
    assert call.answers() == {0: "下周三"}
    assert call.ended() == "completed"


# ----- a block and a go-ahead in regional words -----


@pytest.mark.parametrize("reply", ["烦死了 以后莫再打这个电话了", "莫往我这个号码打了", "勿再来电"])
def test_a_block_said_with_mo_or_wu_blocks(engine, reply):
    call = Call(engine, "zh", BIKE_ZH, [MARK_ZH])
    call.hear(reply)
    assert any(a.kind == ActionKind.BLOCK for a in call.actions)
    assert call.ended() == "refused"


@pytest.mark.parametrize("reply", ["行嘛", "要得", "嗯 说嘛", "好嘛 你问"])
def test_a_regional_go_ahead_starts_the_questions(engine, reply):
    call = Call(engine, "zh", BIKE_ASKS_ZH, [MARK_ZH])
    said = call.hear(reply)
    assert any(MARK_ZH["question"] in s for s in said)
    assert call.ended() is None


def test_a_no_with_a_particle_is_no_go_ahead(engine):
    call = Call(engine, "zh", BIKE_ASKS_ZH, [MARK_ZH])
    said = call.hear("不行嘛 我在忙")
    assert not any(MARK_ZH["question"] in s for s in said)


# ----- an area said with 平 answers a later question about area -----


def test_an_area_in_ping_answers_a_later_area_question(engine):
    call = Call(engine, "zh", WINDOW_ZH, [YEAR_CARD_ZH, AREA_ZH])
    call.hear("年卡先不办了 房子一百二十平左右")
    assert call.answers() == {0: "不办", 1: "80到150平"}
    assert call.asked(1) == 0


# ----- turning down what the question offers is a no, not a refusal of the call -----

REMINDER_EN = {"question": "Would you like a tuning reminder next spring?",
               "answers": ["yes", "no"]}  # fmt: skip
TEXT_ZH = {"question": "要给您发个保养提醒短信吗？", "answers": ["要", "不要"]}


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply", "want", "end"),
    [
        ("en", PIANO_EN, REMINDER_EN, "i don't need a reminder", {0: "no"}, "completed"),
        ("en", PIANO_EN, REMINDER_EN, "don't want the reminder thanks", {0: "no"}, "completed"),
        ("zh", BIKE_ZH, TEXT_ZH, "短信不用了", {0: "不要"}, "completed"),
        # the call itself turned down: still a refusal
        ("en", PIANO_EN, REMINDER_EN, "i don't need this, stop wasting my time", {}, "refused"),
        ("zh", BIKE_ZH, TEXT_ZH, "不需要 没兴趣", {}, "refused"),
    ],
)
def test_turning_down_the_thing_offered_answers_no(
    engine, lang, welcome, question, reply, want, end
):
    call, _ = _heard(engine, lang, welcome, question, reply)
    assert call.answers() == want
    assert call.ended() == end


# ----- the ending: thanks for the call, and a busy callee asking for another time -----

ARRIVED_ZH = {"question": "师傅是按约好的时间到的吗？", "answers": ["是", "不是"]}


@pytest.mark.parametrize("reply", ["ok thanks for that, bye", "alright, thanks for calling, bye"])
def test_thanks_for_the_call_with_a_goodbye_is_no_yes(engine, reply):
    call = Call(engine, "en", PIANO_EN, [ARRIVED_EN])
    call.hear(reply)
    assert call.answers() == {}
    assert call.ended() == "goodbye"


def test_a_yes_before_thanks_and_goodbye_is_kept(engine):
    call = Call(engine, "en", PIANO_EN, [ARRIVED_EN])
    call.hear("yes, thanks for that, bye")
    assert call.answers() == {0: "yes"}


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply"),
    [
        ("en", PIANO_EN, ARRIVED_EN, "I'm at work, can we do this later?"),
        ("en", PIANO_EN, ARRIVED_EN, "could you ring back this evening, I'm in the car"),
        ("zh", BIKE_ZH, ARRIVED_ZH, "我在开会 能不能晚点再说"),
    ],
)
def test_asking_for_another_time_is_a_callback(engine, lang, welcome, question, reply):
    call, _ = _heard(engine, lang, welcome, question, reply)
    assert any(a.kind == ActionKind.CALLBACK for a in call.actions)
    assert call.ended() == "callback"


def test_a_busy_callee_asking_something_else_is_answered(engine):
    call = Call(engine, "en", PIANO_EN, [ARRIVED_EN])
    call.hear("i'm busy, when do you close?")
    assert not any(a.kind == ActionKind.CALLBACK for a in call.actions)
    assert call.ended() is None
