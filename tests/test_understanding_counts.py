"""How the script engine reads counts said as people say them: people named one by one
(alone, pairs, "the four of us", a big household), things counted by their owners, times
a day said by naming the parts of the day, a count taken back for another, and a count
declined as private (no callback). Each case drives a call (start, then one reply) and
checks what was collected: the answer, or nothing."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation.engine import ActionKind
from voxdial.conversation.script import ScriptEngine

WELCOME = {"zh": "您好，这里是社区服务站。", "en": "Hi, this is Sam from the front desk."}


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine()


def hear(engine: ScriptEngine, lang: str, question: str, answers: list[str], reply: str):
    ctx = context(
        lang=lang, welcome=WELCOME[lang], name="", kb=None,
        collect=[{"question": question, "answers": answers}],
    )  # fmt: skip
    conv, actions = hear_once(engine, ctx, reply)
    return last_answer(conv), {a.kind for a in actions}


PARTY_ZH = ("这次来参观的一共几位：1位、2位、3位，还是4位及以上？",
            ["1位", "2位", "3位", "4位及以上"])  # fmt: skip
HOME_ZH = ("您家里住几口人：1到2人、3到4人，还是5人以上？", ["1到2人", "3到4人", "5人以上"])
TABLE_EN = ("How many guests for the table: one, two, or three or more?", ["1", "2", "3 or more"])
BIKES_ZH = ("家里有几辆自行车要年检：1辆、2到3辆，还是4辆以上？", ["1辆", "2到3辆", "4辆以上"])
BIKES_EN = ("How many bikes in your household need a check: one, two, or three or more?",
            ["1", "2", "3 or more"])  # fmt: skip
PILLS_EN = ("How many times a day do you take the tablets: once, twice or three times or more?",
            ["Once", "Twice", "3 or more"])  # fmt: skip
PILLS_ZH = ("您每天吃几次药：一次、两次，还是三次以上？", ["1次", "2次", "3次以上"])
TICKETS_ZH = ("您要订几张票：1张、2张还是3张？", ["1张", "2张", "3张"])

CASES = [
    ("zh", PARTY_ZH, "就我自个儿来的", "1位"),
    ("zh", PARTY_ZH, "我跟我闺女俩", "2位"),
    ("zh", PARTY_ZH, "我 我爱人 还有我岳父母", "4位及以上"),
    ("zh", PARTY_ZH, "我们仨", "3位"),
    ("zh", PARTY_ZH, "三个人", "3位"),
    ("zh", HOME_ZH, "一大家子呢", "5人以上"),
    ("zh", HOME_ZH, "就我们老两口", "1到2人"),
    ("en", TABLE_EN, "just me and my partner", "2"),
    ("en", TABLE_EN, "both of us", "2"),
    ("en", TABLE_EN, "the five of us", "3 or more"),
    ("en", TABLE_EN, "only myself tonight", "1"),
    ("en", TABLE_EN, "me, my sister and her two kids", "3 or more"),
    ("zh", BIKES_ZH, "我的 我儿子的 还有我老伴的", "2到3辆"),
    ("zh", BIKES_ZH, "一家四口 每人一辆", "4辆以上"),
    ("zh", BIKES_ZH, "就我跟我老伴的", "2到3辆"),
    ("en", BIKES_EN, "just mine", "1"),
    ("en", PILLS_EN, "morning and evening", "Twice"),
    ("en", PILLS_EN, "one in the morning and one at bedtime", "Twice"),
    ("en", PILLS_EN, "with every meal", "3 or more"),
    ("en", PILLS_EN, "just at night", "Once"),
    ("zh", PILLS_ZH, "早晚各一次", "2次"),
    ("zh", PILLS_ZH, "早上一次 中午一次 晚上一次", "3次以上"),
    ("zh", PILLS_ZH, "就睡前吃", "1次"),
    ("zh", TICKETS_ZH, "三张 呃不 两张就行", "2张"),
    ("zh", PARTY_ZH, "原本四个 后来我哥没来 就仨", "3位"),
    ("en", TABLE_EN, "two, or rather three", "3 or more"),
    ("en", PILLS_EN, "three times, well, honestly twice most days", "Twice"),
]


@pytest.mark.parametrize(("lang", "q", "reply", "want"), CASES)
def test_count_is_read(engine: ScriptEngine, lang: str, q: tuple, reply: str, want: str) -> None:
    got, _ = hear(engine, lang, q[0], q[1], reply)
    assert got == want


UNREAD = [
    ("zh", PARTY_ZH, "我的那份也算上"),  # whose, not how many
    ("en", BIKES_EN, "me and my wife"),  # people named, bikes asked
    ("en", PILLS_EN, "in the morning"),  # when, not how many times
    ("zh", HOME_ZH, "四五个吧"),  # across two answers
]


@pytest.mark.parametrize(("lang", "q", "reply"), UNREAD)
def test_unsure_count_is_left_unread(engine: ScriptEngine, lang: str, q: tuple, reply: str) -> None:
    got, _ = hear(engine, lang, q[0], q[1], reply)
    assert got is None


@pytest.mark.parametrize("reply", ["这是个人隐私 不方便说", "这个不太方便透露"])
def test_private_count_is_no_callback(engine: ScriptEngine, reply: str) -> None:
    got, kinds = hear(engine, "zh", HOME_ZH[0], HOME_ZH[1], reply)
    assert got is None
    assert ActionKind.CALLBACK not in kinds


def test_busy_is_still_a_callback(engine: ScriptEngine) -> None:
    _, kinds = hear(engine, "zh", HOME_ZH[0], HOME_ZH[1], "现在不方便 在开车")
    assert ActionKind.CALLBACK in kinds
