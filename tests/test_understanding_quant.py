"""How the script engine reads amounts said as people say them: numbers in words,
none said as words, counts it does not know, rates over another period, how long said
as when it began, time units other than the one asked, scale ends in words, ASR
sound-alikes, a mark turned down for another. Each case drives a call (start, then one
reply) and checks what was collected: the answer, or nothing (asked again)."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation.script import ScriptEngine

WELCOME = {
    "zh": "您好，我是回访专员小林。",
    "en": "Hi, this is Robin calling from the service desk.",
}


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine()


def collected(engine: ScriptEngine, lang: str, question: str, answers: list[str], reply: str):
    ctx = context(
        lang=lang, welcome=WELCOME[lang], name="", kb=None,
        collect=[{"question": question, "answers": answers}],
    )  # fmt: skip
    conv, _ = hear_once(engine, ctx, reply)
    return last_answer(conv)


GYM_EN = (
    "How many times a week do you train: once, 2 to 3, or 4 or more?",
    ["1", "2-3", "4 or more"],
)
GYM_ZH = ("您每周大概去健身房几次：一次、两到三次，还是四次以上？", ["1次", "2-3次", "4次以上"])
BOOKS_ZH = (
    "您一个月大概借几本书：3本以下、3到10本，还是10本以上？",
    ["3本以下", "3-10本", "10本以上"],
)
TENURE_EN = (
    "How many years have you been with us: under 2, 2 to 5, or more than 5?",
    ["Under 2", "2-5", "Over 5"],
)
TENURE_ZH = (
    "您在这个小区住了几年：3年以下、3到10年，还是10年以上？",
    ["3年以下", "3-10年", "10年以上"],
)
REPAIRS_ZH = (
    "这台洗衣机您报修过几次：没报修过、1次，还是2次及以上？",
    ["没报修过", "1次", "2次及以上"],
)
VISITS_EN = (
    "How many times have you visited the pharmacy this year: none, one or two, or three or more?",
    ["None", "1-2", "3 or more"],
)
AGE_EN = ("How old is your bike: under 1, 1 to 4, or over 4?", ["Under 1", "1-4", "Over 4"])
KID_ZH = ("孩子多大了：2岁以下、2到6岁，还是6岁以上？", ["2岁以下", "2-6岁", "6岁以上"])
STARS_ZH = ("您给这次的理发师打几分？1分最低，5分最高。", ["1", "2", "3", "4", "5"])
TEN_ZH = ("从1到10分，您会给我们的洗车服务打几分？", [str(i) for i in range(1, 11)])
TEN_EN = ("From 1 to 10, how would you score the new menu?", [str(i) for i in range(1, 11)])
FIVE_EN = ("On a scale of 1 to 5, how clean was the room?", ["1", "2", "3", "4", "5"])
HOUSE_EN = (
    "How many people live with you: 1 to 2, 3 to 4, or 5 or more?",
    ["1-2", "3-4", "5 or more"],
)
HOUSE_ZH = ("您家里一共住几个人：1到2人、3到4人，还是5人以上？", ["1-2人", "3-4人", "5人以上"])
ROOMS_EN = (
    "How many rooms did the cleaners do: one or two, three, or four or more?",
    ["1-2", "3", "4 or more"],
)


@pytest.mark.parametrize(
    ("asked", "lang", "reply", "want"),
    [
        # numbers in words, both languages
        (TENURE_EN, "en", "a decade, give or take", "Over 5"),
        (TENURE_EN, "en", "a year and a half", "Under 2"),
        (TENURE_EN, "en", "half a year", "Under 2"),
        (TENURE_ZH, "zh", "十多年了吧", "10年以上"),
        (TENURE_ZH, "zh", "十来年吧", None),  # about ten: either side of 10
        (TENURE_ZH, "zh", "五年多", "3-10年"),
        (TENURE_ZH, "zh", "才大半年", "3年以下"),
        (GYM_ZH, "zh", "俩回吧", "2-3次"),
        (GYM_ZH, "zh", "仨", "2-3次"),
        (GYM_EN, "en", "twice, sometimes", "2-3"),
        # bounds said before the amount
        (TENURE_EN, "en", "not even a year yet", "Under 2"),
        (TENURE_EN, "en", "well over a decade", "Over 5"),
        (TENURE_ZH, "zh", "还不到两年", "3年以下"),
        (KID_ZH, "zh", "不到半岁", "2岁以下"),  # 半岁 is half a year of age (round 9)
        # none said as words, and the zero answer's own verb
        (REPAIRS_ZH, "zh", "从来没报过修", "没报修过"),
        (REPAIRS_ZH, "zh", "一直没报修 挺好用的", "没报修过"),
        (VISITS_EN, "en", "not once, actually", "None"),
        (GYM_ZH, "zh", "一次也去不了 太忙", None),  # none, and no answer is none
        (GYM_EN, "en", "never, to be honest", None),
        (REPAIRS_ZH, "zh", "报修过两回", "2次及以上"),
        # a count not known or not given
        (REPAIRS_ZH, "zh", "记不清报没报过", None),
        (VISITS_EN, "en", "I've lost count", None),
        (VISITS_EN, "en", "I'd rather not say", None),
        # a rate over another period, converted when plain
        (BOOKS_ZH, "zh", "一周两本", "3-10本"),
        (BOOKS_ZH, "zh", "两个月十本左右", "3-10本"),
        (BOOKS_ZH, "zh", "一周两三本", None),  # 8..13 a month: across two answers
        (GYM_EN, "en", "every day", "4 or more"),
        (GYM_ZH, "zh", "每天都去", "4次以上"),
        (GYM_EN, "en", "every other week", None),  # half a time a week: no answer holds it
        (GYM_ZH, "zh", "一周就周六一天", "1次"),
        # how long, said as when it began (the call is on 2026-03-10)
        (TENURE_EN, "en", "we signed up last year", "Under 2"),
        (TENURE_EN, "en", "since 2018", "Over 5"),
        (TENURE_ZH, "zh", "前年刚搬来的", "3年以下"),
        (TENURE_EN, "en", "I was born in 1990", None),  # the callee's birth, not the tenure
        # time units other than the one asked, and life stages as ages
        (TENURE_EN, "en", "about eight months", "Under 2"),
        (AGE_EN, "en", "six weeks old", "Under 1"),
        (KID_ZH, "zh", "十八个月", "2岁以下"),
        (KID_ZH, "zh", "还是个婴儿", "2岁以下"),
        # scale ends in words, marks turned down, sound-alikes
        (STARS_ZH, "zh", "最高的", "5"),
        (STARS_ZH, "zh", "给最低", "1"),
        (STARS_ZH, "zh", "五分不至于 给四分吧", "4"),
        (STARS_ZH, "zh", "不能给满分", None),
        (TEN_ZH, "zh", "满分 没得说", "10"),
        (TEN_ZH, "zh", "给他们打个十分", "10"),
        (TEN_EN, "en", "not a nine, more like a seven", "7"),
        (TEN_EN, "en", "full marks", "10"),
        (FIVE_EN, "en", "tree I guess", "3"),
        (FIVE_EN, "en", "it was alright", None),  # a lukewarm word gives no number
        (STARS_ZH, "zh", "理发师人挺好的", None),
        # a mark out of a total: the scale's own, or converted when exact
        (FIVE_EN, "en", "I'd say 3 out of 5", "3"),
        (FIVE_EN, "en", "eight out of ten", "4"),
        (FIVE_EN, "en", "7 out of 10", None),  # 3.5: between two marks
        (TEN_EN, "en", "four out of five", "8"),
        (STARS_ZH, "zh", "满分十分 我给八分", "4"),
        (STARS_ZH, "zh", "四分半", None),  # no half marks on this scale
        # a decade said by its digit, a thing just got
        (TENURE_ZH, "zh", "零几年就住这了", "10年以上"),
        (TENURE_EN, "en", "just joined, brand new member", "Under 2"),
        # of two amounts, the usual one
        (HOUSE_EN, "en", "four, sometimes six", "3-4"),
        (HOUSE_ZH, "zh", "有时候六个 一般就俩", "1-2人"),
        # a total then its parts; the noun the question counts
        (ROOMS_EN, "en", "three, a bedroom and two bathrooms", "3"),
    ],
)
def test_amounts_as_people_say_them(engine, asked, lang, reply, want):
    question, answers = asked
    assert collected(engine, lang, question, answers, reply) == want
