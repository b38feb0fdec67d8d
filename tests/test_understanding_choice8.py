"""Round 14, preset choices: a guess put as a question reaches the engine with its rising
end; choices turned down leave the one wanted (English light verbs, Mandarin 不要X with
what is wanted said after); the "none of them" answer is read; a plan told done already,
a yes beside a "not" of something else, and a description said of another thing in the
knowledge are no answer; never having looked is not knowing; a word split in two is
joined. Replies written for these tests, in domains of their own."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from tests.test_understanding_choice7 import _read
from voxdial.conversation.described import described
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.script import ScriptEngine


@pytest.fixture(scope="module")
def engine():
    return ScriptEngine()


def _answer(engine, lang: str, question: str, answers: list[str], reply: str) -> str | None:
    """A fresh debug call with one collect question, the callee's one reply: the answer
    collected, or None."""
    welcome = (
        "您好，这里是客服中心，回访一下。" if lang == "zh" else "Hi, this is the service team."
    )
    ctx = context(
        lang=lang, welcome=welcome, name="Sam", kb=None,
        collect=[{"question": question, "answers": answers}],
    )  # fmt: skip
    conv, _ = hear_once(engine, ctx, reply)
    return last_answer(conv)


SIZE = ("Which size do you usually take: S, M or L, or are you not sure?",
        ["S", "M", "L", "not sure"])  # fmt: skip
MEAL = ("您想要哪个套餐：A套餐、B套餐还是C套餐？", ["A套餐", "B套餐", "C套餐"])
DELIVERY = ("How should we send the statement: post, text message or email?",
            ["Post", "Text message", "Email"])  # fmt: skip
RENEW = ("Would you like us to renew the service plan: yes, no, or not sure yet?",
         ["Yes", "No", "Not sure"])  # fmt: skip
PAY = ("您一般怎么付物业费：微信、支付宝、银行代扣，还是去前台？",
       ["微信", "支付宝", "银行代扣", "前台"])  # fmt: skip
EXTRA = ("这次保养要不要加一项：换机油、换滤芯，还是都不用？", ["换机油", "换滤芯", "都不用"])
FLOOR = ("您家地板是哪种：实木地板、复合地板，还是不清楚？", ["实木地板", "复合地板", "不清楚"])
PLAN = ("师傅建议装个净水器，您打算装吗：装、不装，还是再考虑？", ["装", "不装", "再考虑"])
STORE = ("Which branch suits you: Northgate or Riverside?", ["Northgate", "Riverside"])


@pytest.mark.parametrize(
    ("lang", "question", "reply"),
    [
        ("en", SIZE, "my brother's an M so probably me too?"),
        ("en", SIZE, "maybe L?"),
        ("zh", MEAL, "我朋友点的B套餐 我估计也是B套餐？"),
    ],
)
def test_a_guess_asked_is_no_answer_in_a_call(engine, lang, question, reply):
    assert _answer(engine, lang, *question, reply) is None


@pytest.mark.parametrize(
    ("lang", "question", "reply", "want"),
    [("en", SIZE, "M I think", "M"), ("zh", MEAL, "B套餐吧", "B套餐")],
)
def test_a_choice_told_is_still_collected(engine, lang, question, reply, want):
    assert _answer(engine, lang, *question, reply) == want


@pytest.mark.parametrize(
    "reply",
    ["I've moved so no post, and I don't do email, so", "not by post and not by email"],
)
def test_two_turned_down_leave_the_third(reply):
    assert _read(*DELIVERY, reply) == "Text message"


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (PAY, "不用微信 也不用支付宝 建行每个月自己扣", "银行代扣"),
        (EXTRA, "不要换机油 滤芯还是换了吧", "换滤芯"),
        (FLOOR, "应该不是实木的 是复合的", "复合地板"),
    ],
)
def test_mandarin_choices_turned_down_leave_the_one_wanted(question, reply, want):
    assert _read(*question, reply) == want


@pytest.mark.parametrize("reply", ["不要换机油 再说吧", "不要换机油 谢谢", "不要换机油"])
def test_one_turned_down_with_nothing_wanted_is_no_answer(reply):
    assert _read(*EXTRA, reply) is None


@pytest.mark.parametrize(
    "reply", ["都不用 上个月才换的", "不用不用 就保养", "算了 什么都不加 保养就行"]
)
def test_the_none_of_them_answer_is_read(engine, reply):
    assert _answer(engine, "zh", *EXTRA, reply) == "都不用"


@pytest.mark.parametrize("reply", ["已经装了啊 上个月就装上了", "早就装好了"])
def test_a_plan_done_already_is_no_answer(reply):
    assert _read(*PLAN, reply) is None


def test_a_plan_said_is_still_read():
    assert _read(*PLAN, "打算装") == "装"


@pytest.mark.parametrize("reply", ["definitely, it's not working at all", "yep, they don't fit"])
def test_a_yes_beside_a_not_of_something_else_is_no_no(reply):
    assert _read(*RENEW, reply) != "No"


@pytest.mark.parametrize("reply", ["yeah, not this year though", "no, that's fine"])
def test_a_no_to_what_is_asked_is_still_read(reply):
    assert _read(*RENEW, reply) == "No"


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (FLOOR, "这个我真说不上来", "不清楚"),
        (FLOOR, "床底下我够不着 没看过", "不清楚"),
        (SIZE, "couldn't tell you, I'd have to check the label", "not sure"),
    ],
)
def test_never_looked_or_cannot_say_is_not_knowing(question, reply, want):
    assert _read(*question, reply) == want


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [(DELIVERY, "e-mail, it's on my account", "Email"), (STORE, "north gate", "Northgate")],
)
def test_an_answer_word_split_in_two_is_joined(question, reply, want):
    assert _read(*question, reply) == want


_COLOURS = (
    "客服人员统一穿红色马甲，您可以在微信公众号里查看工号。"
    "物业费可以在微信、支付宝里交，也可以办银行代扣，或者到前台交。"
)


def test_a_description_said_before_its_choice_is_another_things():
    a = AnswerMatcher(PAY[1], question=PAY[0])
    assert described(a, _COLOURS, "就是那个红色的那个") is None
