"""Round 14 knowledge (h/knowledge8): a question back that names an option is no answer
to the question asked (regional question words, "几年" asked, "哪个", A不A of any verb),
and "do you do X" whose head noun the text never uses is not answered. Sentences of a
made-up water-filter service and a dog groomer, not of any eval part."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation import intents
from voxdial.conversation.knowledge import KnowledgeBase
from voxdial.conversation.script import ScriptEngine


@pytest.mark.parametrize(
    "reply",
    ["换滤芯要带么斯", "师傅来搞么子", "要准备啥子", "换一个要好多钱", "滤芯质保几年",
     "装一次要几个小时", "坏了打哪个电话", "上门收不收钱啊", "周日来不来"],
)
def test_a_question_back_is_read_as_asking(reply: str) -> None:
    assert intents.read(reply).asking


@pytest.mark.parametrize(
    "reply",
    ["用了好几年了", "几年前装的", "哪个都行", "随便哪个", "动不动就坏", "时不时漏水",
     "花了好多钱", "好不好都行", "差不多"],
)
def test_a_statement_is_not_read_as_asking(reply: str) -> None:
    assert not intents.read(reply).asking


@pytest.fixture(scope="module")
def engine():
    return ScriptEngine()


FILTER = ("您家用的是哪种滤芯：陶瓷滤芯、活性炭滤芯，还是不清楚？",
          ["陶瓷滤芯", "活性炭滤芯", "不清楚"])  # fmt: skip
PAYMENT = ("您想怎么付费：微信、银行代扣，还是现金？", ["微信", "银行代扣", "现金"])


@pytest.mark.parametrize(
    ("asked", "reply"),
    [(FILTER, "陶瓷滤芯质保几年"), (PAYMENT, "代扣要带么斯去办"), (PAYMENT, "代扣收不收手续费")],
)
def test_a_question_naming_an_option_is_not_collected(engine, asked, reply) -> None:
    ctx = context(
        lang="zh", welcome="您好，这里是净水服务中心，给您做个回访。", name="王",
        kb=None, collect=[{"question": asked[0], "answers": asked[1]}],
    )  # fmt: skip
    conv, _ = hear_once(engine, ctx, reply)
    assert last_answer(conv) is None


_GROOMER = (
    "Dog nail trimming is done by a groomer with quiet clippers, takes about 15 minutes "
    "and costs $20 for all four paws.\n\n"
    "Our salon is open Monday to Friday, 8am to 5pm.\n\n"
    "Payment: we take cards and cash.\n\n"
    "A full wash and dry takes about an hour and costs $60."
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_text(_GROOMER)


def test_an_offer_whose_head_noun_the_text_never_uses_is_declined(kb: KnowledgeBase) -> None:
    assert kb.answer("do you do dog training") is None  # "dog" alone is named


def test_an_offer_the_text_names_is_still_answered(kb: KnowledgeBase) -> None:
    hit = kb.answer("do you do dog nail trimming")
    assert hit is not None and "$20" in hit.passage
