"""Round 15 knowledge (h/knowledge9): questions back in regional speech and questions the
opening's own line answers. Cantonese question words (几多, A唔A) are read as asking,
regional words are read as their standard spelling by the knowledge (你哋, 几多, 有冇得,
"yous"), a phone number written in groups states a number, "平时" / "usually" is the
form of a question, "where is the X branch" gets a street address naming X, "is this
about X" at the opening gets the opening's own line, a count answer "2个" is not heard
in a span of time ("两个月"), and "how much is it" is about what the call is asking. A
made-up bike repair shop and laundrette, not an eval part's domain.
"""

from __future__ import annotations

import pytest

from voxdial.conversation import intents
from voxdial.conversation.engine import ActionKind, CallContext
from voxdial.conversation.knowledge import KnowledgeBase
from voxdial.conversation.script import ScriptEngine

_BIKES_ZH = (
    "快轮单车维修店在越秀区东风中路88号2楼，维修咨询电话020-81234567。\n\n"
    "营业时间：周二到周日上午10点到晚上7点，每周一店休。\n\n"
    "上门取车：市区内上门取车每次收30元，维修满200元免上门费。\n\n"
    "停车：店门口有6个免费车位，可以免费停1小时。\n\n"
    "寄存：修好的单车可以在店里免费寄存7天，超过7天每天收5元。\n\n"
    "交通：越秀店坐地铁1号线到东山口站，从B出口出来走3分钟就到。"
)
_LAUNDRY_EN = (
    "Suds and Co is a laundrette at 12 Argyle Street, Paisley. The shop phone is "
    "0141 555 0199, answered from 8am to 8pm.\n\n"
    "Opening hours: Monday to Saturday 7am to 9pm, Sunday 9am to 6pm.\n\n"
    "Collection and delivery: we pick up and bring back your washing on Tuesdays and "
    "Fridays; the van charges 4 pounds a bag, free over 3 bags.\n\n"
    "Service washes cost 9 pounds a load, dried and folded within 24 hours.\n\n"
    "Duvets and curtains are washed in the big machines for 15 pounds each."
)
_WELCOME_ZH = "您好，我是快轮单车维修店的小陈，回访一下您上周修车的情况，您现在方便聊两句吗？"
_WELCOME_EN = (
    "Hello, it's Ann from Suds and Co laundrette, calling about your collection and "
    "delivery order. Have you got a minute for a few quick questions?"
)


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine()


@pytest.fixture(scope="module")
def bikes() -> KnowledgeBase:
    return KnowledgeBase.from_text(_BIKES_ZH)


@pytest.fixture(scope="module")
def laundry() -> KnowledgeBase:
    return KnowledgeBase.from_text(_LAUNDRY_EN)


def _call(engine: ScriptEngine, welcome: str, knowledge: str, question: str,
          answers: list[str], replies: list[str]):  # fmt: skip
    ctx = CallContext(
        assistant={
            "welcome": welcome,
            "knowledge": knowledge,
            "collect": [{"question": question, "answers": answers}],
        }
    )
    conv = engine.begin(ctx)
    conv.start()
    actions = []
    for reply in replies:
        actions = conv.hear(reply)
    said = " | ".join(a.text for a in actions if a.kind == ActionKind.SAY)
    hits = [c.result for c in conv.collected if c.hit]
    return said, hits


@pytest.mark.parametrize("reply", ["你哋电话几多", "礼拜日开唔开门", "喺边度啊"])
def test_cantonese_question_words_ask(reply: str) -> None:
    assert intents.read(reply).asking


@pytest.mark.parametrize("reply", ["我唔知开唔开门", "几多都得"])
def test_an_embedded_or_any_amount_cantonese_word_does_not_ask(reply: str) -> None:
    assert not intents.read(reply).asking


def test_regional_words_are_read_as_the_standard_ones(bikes: KnowledgeBase) -> None:
    hit = bikes.answer("你哋电话几多")
    assert hit is not None and "020-81234567" in hit.passage
    hit = bikes.answer("停车有没有得免费啊")  # "有没有得": is it possible, not "do you sell"
    assert hit is not None and "免费停1小时" in hit.passage


def test_usually_is_the_form_of_the_question(bikes: KnowledgeBase) -> None:
    hit = bikes.answer("你们平时几点关门")
    assert hit is not None and "晚上7点" in hit.passage


def test_where_a_named_branch_is_gets_its_street_address(bikes: KnowledgeBase) -> None:
    hit = bikes.answer("你们越秀那边具体在哪里")
    assert hit is not None and "东风中路88号" in hit.passage
    hit = bikes.answer("越秀店怎么去")  # the way there: the directions still answer
    assert hit is not None and "东山口站" in hit.passage


def test_yous_is_you_and_a_grouped_number_is_a_phone_number(laundry: KnowledgeBase) -> None:
    hit = laundry.answer("where are yous again")
    assert hit is not None and "12 Argyle Street" in hit.passage
    hit = laundry.answer("what number is it you're phoning from")
    assert hit is not None and "0141 555 0199" in hit.passage


def test_a_cantonese_question_at_the_opening_is_answered(engine: ScriptEngine) -> None:
    said, hits = _call(engine, _WELCOME_ZH, _BIKES_ZH, "这次维修您满意吗？", ["满意", "不满意"],
                       ["你哋礼拜一开唔开门"])  # fmt: skip
    assert "每周一店休" in said and said.endswith("您现在方便聊两句吗？") and not hits


def test_is_this_about_at_the_opening_gets_the_opening_line(engine: ScriptEngine) -> None:
    said, _ = _call(engine, _WELCOME_EN, _LAUNDRY_EN, "Was your last bag back on time?",
                    ["yes", "no"], ["is this about my washing"])  # fmt: skip
    assert "calling about your collection and delivery order" in said
    assert said.endswith("Have you got a minute for a few quick questions?")


def test_a_count_answer_is_not_heard_in_a_span_of_time(engine: ScriptEngine) -> None:
    said, hits = _call(engine, "您好", _BIKES_ZH, "您家里一般几个人骑车：1个、2个，还是3个及以上？",
                       ["1个", "2个", "3个及以上"], ["我们要出差两个月 车能寄存吗"])  # fmt: skip
    assert hits == [] and "寄存7天" in said


def test_a_count_answer_is_still_heard(engine: ScriptEngine) -> None:
    _, hits = _call(engine, "您好", _BIKES_ZH, "您家里一般几个人骑车：1个、2个，还是3个及以上？",
                    ["1个", "2个", "3个及以上"], ["两个吧"])  # fmt: skip
    assert hits == ["2个"]


def test_how_much_is_it_is_about_what_the_call_asks(engine: ScriptEngine) -> None:
    said, _ = _call(engine, "Hello", _LAUNDRY_EN,
                    "Which day suits you for the van collection: Tuesday or Friday?",
                    ["Tuesday", "Friday"], ["how much do yous charge for it"])  # fmt: skip
    assert "4 pounds a bag" in said and "9 pounds a load" not in said
