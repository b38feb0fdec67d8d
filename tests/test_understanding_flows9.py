"""Round 15 of call flows: regional speech read by one mechanism (Cantonese 唔 / 系 / 咩 /
佢 / 嘅 / 喺 / 迟啲 / 唔该 ... as Mandarin, Scots aye / naw / nae / -nae / wi / yous and
"no" for "not" as English, both in normalize.fold), not knowing a code or pointing at the
caller's own records is no code, leaving with a goodbye is no free-text answer, "stop
phoning" blocks, "phone tomorrow at ten" is a callback, 讲 asks again as 说 does, a guess
by one who has not looked is no yes/no, a sight denied ("没发现过有") denies the answer
after it, "sort of" and "the when but not the how" are neither yes nor no, and "on you
go" / "得 讲" / "能聊两句" consent.

The replies are written for these tests, in domains of their own (a window cleaner, a
dog walker, a piano tuner), in Mandarin and English; each case drives the script engine
the way a debug call does.
"""

from __future__ import annotations

import pytest

from tests.test_understanding_flows2 import Call
from voxdial.conversation.normalize import fold
from voxdial.conversation.script import ScriptEngine

WINDOW_ZH = "{姓名}您好，我是亮晶晶擦窗的小陈，给您做个回访。"
WINDOW_ASKS_ZH = "{姓名}您好，我是亮晶晶擦窗的小陈，想跟您做个回访，您现在方便聊两句吗？"
DOG_EN = "Hi {姓名}, this is Robin from Happy Paws dog walking with a quick follow-up."
DOG_ASKS_EN = "Hi {姓名}, this is Robin from Happy Paws. Have you got a couple of minutes?"

WISHES_ZH = {"question": "下次上门还有什么需要跟师傅交代的吗？", "answers": []}
CARD_ZH = {"question": "麻烦报一下您的会员卡号，卡背面那8位数字。", "answers": []}
BETTER_EN = {"question": "Is there anything we could be doing better for you?", "answers": []}
ADDRESS_EN = {"question": "What's the house number and postcode for the pick-up?", "answers": []}
LEAK_ZH = {"question": "窗框有没有漏水的地方？", "answers": ["有", "没有"]}
ALLERGY_ZH = {"question": "家里有没有对清洁剂过敏的人？", "answers": ["有", "没有"]}
RANG_ZH = {"question": "上门前一天，师傅有没有打电话或者发短信提醒您？",
           "answers": ["提醒了", "没提醒"]}  # fmt: skip
CLEANED_ZH = {"question": "师傅这次是把所有窗户都擦完了吗？", "answers": ["擦完了", "没擦完"]}
EXPLAIN_EN = {"question": "Did the walker explain how the lead works?", "answers": ["yes", "no"]}
GATE_EN = {"question": "Is there a side gate the walker can use?", "answers": ["yes", "no"]}
MARK_ZH = {"question": "您给这次擦窗打几分？1到5分。", "answers": ["1", "2", "3", "4", "5"]}
HOW_EN = {"question": "How should we remind you: a text, a phone call or an email?",
          "answers": ["text", "phone call", "email"]}  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine(encoder=False)


def _nothing_collected(call: Call) -> bool:
    return not any(c.hit for c in call.conv.collected)


# ----- regional forms folded -----


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("我唔知呀 系佢妈咪保管嘅", "我不知道呀 是他妈咪保管的"),
        ("唔该 你讲啦", "谢谢 你讲啦"),
        ("开紧会 迟啲先", "在开会 晚点先"),
        ("唔 三分", "唔 三分"),  # the hum on its own stays
        ("关系不错 系统也好", "关系不错 系统也好"),  # 系 inside a Mandarin word stays
        ("aye it did", "yes it did"),
        ("I cannae say, yous know best", "i can't say, you know best"),
        ("I'm no sure yet", "i'm not sure yet"),
        ("there's no batteries in it", "there's no batteries in it"),
    ],
)
def test_regional_forms_are_folded(said, read):
    assert fold(said) == read


# ----- free text: nothing to add, no code, leaving -----


@pytest.mark.parametrize(
    ("lang", "welcome", "question", "reply"),
    [
        ("zh", WINDOW_ZH, WISHES_ZH, "冇乜意见"),
        ("zh", WINDOW_ZH, WISHES_ZH, "冇啦 多谢"),
        ("en", DOG_EN, BETTER_EN, "cannae think of anything, yous are great"),
        ("en", DOG_EN, BETTER_EN, "naw naw nothing"),
        ("en", DOG_EN, BETTER_EN, "naw you're doing fine"),
        ("zh", WINDOW_ZH, CARD_ZH, "我唔知呀 系佢老公收着嘅"),
        ("en", DOG_EN, ADDRESS_EN, "you should have it already"),
        ("en", DOG_EN, ADDRESS_EN, "I'm no giving that out over the phone"),
    ],
)
def test_no_free_text_answer(engine, lang, welcome, question, reply):
    call = Call(engine, lang, welcome, [question])
    call.hear(reply)
    assert _nothing_collected(call)


def test_leaving_with_a_goodbye_is_no_free_text_answer(engine):
    call = Call(engine, "zh", WINDOW_ZH, [WISHES_ZH])
    call.hear("不说了 狗在叫 再见啊")
    assert _nothing_collected(call)
    assert call.ended() == "goodbye"


def test_a_wish_with_a_goodbye_is_still_collected(engine):
    call = Call(engine, "zh", WINDOW_ZH, [WISHES_ZH])
    call.hear("阳台那扇要多擦擦 再见")
    assert call.answers() == {0: "阳台那扇要多擦擦 再见"}


# ----- yes and no -----


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (CLEANED_ZH, "系啊 佢哋好细心", "擦完了"),
        (LEAK_ZH, "没发现过有", "没有"),
        (LEAK_ZH, "没注意到有", "没有"),
        (RANG_ZH, "打了打了 还问我几楼", "提醒了"),
        (ALLERGY_ZH, "我老公 闻到就打喷嚏", None),
    ],
)
def test_yes_no_zh(engine, question, reply, want):
    call = Call(engine, "zh", WINDOW_ZH, [question])
    call.hear(reply)
    assert call.answers() == ({0: want} if want else {})


def test_a_kind_of_the_thing_named_is_a_yes(engine):
    question = {"question": "孩子有没有食物过敏？", "answers": ["有", "没有"]}
    call = Call(engine, "zh", WINDOW_ZH, [question])
    call.hear("花生过敏 挺严重的")
    assert call.answers() == {0: "有"}


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [(GATE_EN, "aye, round the back", "yes"), (GATE_EN, "naw, somebody'll be in", "no")],
)
def test_yes_no_scots(engine, question, reply, want):
    call = Call(engine, "en", DOG_EN, [question])
    call.hear(reply)
    assert call.answers() == {0: want}


@pytest.mark.parametrize(
    ("lang", "question", "reply"),
    [
        ("zh", LEAK_ZH, "好像没有吧 还没查过"),
        ("en", GATE_EN, "well sort of"),
        ("en", GATE_EN, "kind of"),
        ("en", EXPLAIN_EN, "he explained the when but no the how, if you know what I mean"),
    ],
)
def test_neither_yes_nor_no(engine, lang, question, reply):
    call = Call(engine, lang, WINDOW_ZH if lang == "zh" else DOG_EN, [question])
    call.hear(reply)
    assert _nothing_collected(call)
    assert call.ended() is None


def test_a_repeat_asked_with_jiang_is_no_mark(engine):
    call = Call(engine, "zh", WINDOW_ZH, [MARK_ZH])
    call.hear("你讲咩啊 再讲一次")
    assert _nothing_collected(call)
    assert call.asked(0) == 2


# ----- flows -----


@pytest.mark.parametrize(
    ("lang", "reply"),
    [("zh", "得 讲啦"), ("zh", "能聊两句 别太久就行"), ("en", "on you go"), ("en", "nae bother")],
)
def test_consents(engine, lang, reply):
    welcome, question = (WINDOW_ASKS_ZH, MARK_ZH) if lang == "zh" else (DOG_ASKS_EN, GATE_EN)
    call = Call(engine, lang, welcome, [question])
    call.hear(reply)
    assert _nothing_collected(call)
    assert call.asked(0) == 1
    assert call.ended() is None


@pytest.mark.parametrize("reply", ["唔需要 谢谢", "no, I'm no answering questions"])
def test_refusals(engine, reply):
    lang = "en" if reply.isascii() else "zh"
    welcome, question = (DOG_ASKS_EN, GATE_EN) if lang == "en" else (WINDOW_ASKS_ZH, MARK_ZH)
    call = Call(engine, lang, welcome, [question])
    call.hear(reply)
    assert call.ended() == "refused"


@pytest.mark.parametrize(
    ("lang", "reply"),
    [("en", "I'm just in the door, phone tomorrow morning at ten"), ("zh", "开紧会 迟啲先")],
)
def test_callbacks_at_the_opening(engine, lang, reply):
    welcome, question = (DOG_ASKS_EN, HOW_EN) if lang == "en" else (WINDOW_ASKS_ZH, MARK_ZH)
    call = Call(engine, lang, welcome, [question])
    call.hear(reply)
    assert _nothing_collected(call)
    assert call.ended() == "callback"


def test_stop_phoning_blocks(engine):
    call = Call(engine, "en", DOG_EN, [BETTER_EN])
    call.hear("stop phoning this number")
    assert _nothing_collected(call)
    assert any(a.kind.name == "BLOCK" for a in call.actions)


def test_goodbye_said_in_cantonese(engine):
    call = Call(engine, "zh", WINDOW_ZH, [MARK_ZH])
    call.hear("好啦 就咁先 拜拜")
    assert call.ended() == "goodbye"
