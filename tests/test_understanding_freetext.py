"""Free-text questions: which replies are their answer (conversation/free_text.py).

Replies written for these tests, Mandarin and English: nothing to add, no content,
cannot give it, questions back, and numbers said digit by digit.
"""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation import free_text
from voxdial.conversation.engine import ActionKind
from voxdial.conversation.script import ScriptEngine

ENGINE = ScriptEngine()
IDEAS = {
    "zh": "您对我们的门店服务还有什么意见或者建议吗？",
    "en": "Is there anything we could do better at the shop?",
}
CODE = {"zh": "麻烦您报一下会员卡的卡号。", "en": "Could you read me your member number, please?"}
WELCOME = {"zh": "您好，我是花园书店的小李。", "en": "Hi, this is Sam from Garden Books."}


def _hear(lang: str, question: str, reply: str):
    ctx = context(
        lang=lang, welcome=WELCOME[lang], name="", kb=None,
        collect=[{"question": question, "answers": []}],
    )  # fmt: skip
    conv, actions = hear_once(ENGINE, ctx, reply)
    return actions, last_answer(conv)


@pytest.mark.parametrize(
    ("lang", "reply"),
    [
        ("zh", "没什么建议 你们都挺好的"),
        ("zh", "嗯 暂时没有 谢谢"),
        ("zh", "想不出来 挺满意的"),
        ("en", "nah, you guys are great"),
        ("en", "honestly nothing springs to mind"),
        ("en", "no complaints at all, thanks"),
        ("en", "um not that i can think of"),
    ],
)
def test_nothing_to_add_is_not_collected_and_the_call_moves_on(lang, reply):
    actions, hit = _hear(lang, IDEAS[lang], reply)
    assert hit is None
    assert ActionKind.CALLBACK not in {a.kind for a in actions}
    assert free_text.read(IDEAS[lang], reply) == free_text.NOTHING


@pytest.mark.parametrize(
    ("lang", "reply", "kept"),
    [
        ("zh", "没有 就是希望停车位多一点", "停车位"),
        ("en", "no, but the queue at the till was long", "queue"),
        ("en", "nothing else, just open earlier on sundays", "sundays"),
    ],
)
def test_a_no_with_something_said_after_it_is_collected(lang, reply, kept):
    _, hit = _hear(lang, IDEAS[lang], reply)
    assert hit is not None and kept in hit


@pytest.mark.parametrize(
    ("lang", "reply"),
    [("zh", "嗯嗯 你讲"), ("zh", "呃 那个 怎么说呢"), ("en", "yeah, right"), ("en", "hmm ok")],
)
def test_backchannels_are_not_a_suggestion(lang, reply):
    actions, hit = _hear(lang, IDEAS[lang], reply)
    assert hit is None
    assert any(IDEAS[lang] in a.text for a in actions if a.kind == ActionKind.SAY)


@pytest.mark.parametrize(
    ("lang", "reply"),
    [
        ("zh", "卡早就弄丢了"),
        ("zh", "这个不方便在电话里告诉你"),
        ("en", "sorry, i don't have it with me"),
        ("en", "i threw it away ages ago"),
    ],
)
def test_cannot_give_it_is_no_answer_and_no_callback(lang, reply):
    actions, hit = _hear(lang, CODE[lang], reply)
    assert hit is None
    assert ActionKind.CALLBACK not in {a.kind for a in actions}


@pytest.mark.parametrize(
    ("lang", "reply"),
    [("zh", "跟上次的一样"), ("en", "uh same as before")],
)
def test_a_value_never_said_is_not_collected(lang, reply):
    _, hit = _hear(lang, CODE[lang], reply)
    assert hit is None


@pytest.mark.parametrize(
    ("lang", "reply", "digits"),
    [
        ("zh", "三九幺零八", "39108"),
        ("zh", "稍等我翻一下 是二 七 七 零", "2770"),
        ("en", "four two double nine", "4299"),
        ("en", "it's 8 0 3 1", "8031"),
        ("en", "hold on... it's seven oh six two", "7062"),
    ],
)
def test_a_number_said_digit_by_digit_is_collected_as_digits(lang, reply, digits):
    _, hit = _hear(lang, CODE[lang], reply)
    assert hit is not None and digits in hit


def test_digits_are_not_rewritten_for_a_question_that_asks_no_number():
    _, hit = _hear("zh", IDEAS["zh"], "希望三五天就能到货")
    assert hit is not None and "三五天" in hit and "35" not in hit


@pytest.mark.parametrize(
    ("lang", "reply"),
    [
        ("zh", "你们周末到底开不开门"),
        ("zh", "会员卡在哪个柜台办"),
        ("en", "how much is the membership"),
    ],
)
def test_a_question_back_to_a_suggestions_question_is_not_a_suggestion(lang, reply):
    _, hit = _hear(lang, IDEAS[lang], reply)
    assert hit is None


def test_a_wish_phrased_as_a_question_is_a_suggestion():
    _, hit = _hear("zh", IDEAS["zh"], "能不能晚上多开一个小时")
    assert hit is not None and "晚上" in hit


def test_nothing_to_add_with_a_goodbye_closes_the_call():
    actions, hit = _hear("zh", IDEAS["zh"], "没别的了 拜拜")
    hangup = next(a for a in actions if a.kind == ActionKind.HANGUP)
    assert hit is None and hangup.result != "refused"
