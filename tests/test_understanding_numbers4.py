"""Round 10, amounts, marks, times and free text: "nothing to add" said with praise
around it, a reference the callee cannot give or says asking, a rough amount on the
bound two answers share, a total said after its parts, minutes that are no mark, the
verb 来 after a mark, a correction owned up to at the end, clock times run together or
said "in the pm", a weekday's short name before a part of the day, two parts of the
day both fine. Replies written for these tests, in domains of their own."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation.engine import ActionKind
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.script import ScriptEngine


def _read(question: str, answers: list[str], reply: str) -> str | None:
    m = AnswerMatcher(answers, question=question).match(reply)
    return None if m is None else m.answer


def _free(question: str, reply: str):
    """One free-text question on a fresh call: the call, and the actions of the reply."""
    zh = not reply.isascii()
    welcome = "您好，这里是花店回访。" if zh else "Hi, this is the bike shop following up."
    ctx = context(lang="zh" if zh else "en", welcome=welcome, name="X", kb=None,
                  collect=[{"question": question, "answers": []}])  # fmt: skip
    return hear_once(ScriptEngine(), ctx, reply)


IDEAS_EN = "Is there anything the workshop could do better?"
IDEAS_ZH = "您对我们的送花服务还有什么建议吗？"


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        (IDEAS_EN, "nope, the mechanic was really helpful"),  # praise that asks for nothing
        (IDEAS_EN, "not really, the lads at the counter were great, cheers"),
        (IDEAS_EN, "nothing, nothing more to add"),
        (IDEAS_EN, "can't think of anything off the top of my head"),
        (IDEAS_EN, "no everybody was friendly"),  # no punctuation
        (IDEAS_ZH, "没得啥子建议 挺好的"),  # 没得: 没有 in south-western Mandarin
        (IDEAS_ZH, "莫得 送花的小哥很热情"),
        (IDEAS_ZH, "没有 包装很用心 很满意"),
    ],
)
def test_nothing_to_add_said_with_praise_is_no_answer(question, reply):
    conv, actions = _free(question, reply)
    assert last_answer(conv) is None
    assert any(a.kind == ActionKind.HANGUP and a.result == "completed" for a in actions)


@pytest.mark.parametrize(
    ("question", "reply", "kept"),
    [
        (IDEAS_EN, "no, the staff were great but the wait was long", "wait"),
        (IDEAS_EN, "nothing really, maybe open on sundays", "sundays"),
        (IDEAS_EN, "no, the mechanic wasn't friendly", "friendly"),
        (IDEAS_ZH, "没有 挺好的 就是送得有点晚", "晚"),
        (IDEAS_ZH, "没啥 希望多几种花", "花"),
    ],
)
def test_praise_beside_a_wish_or_complaint_is_still_the_answer(question, reply, kept):
    conv, _ = _free(question, reply)
    assert kept in (last_answer(conv) or "")


CARD_EN = "Could you read me the number on your loyalty card?"


@pytest.mark.parametrize(
    "reply",
    ["I don't have the card with me", "haven't got my wallet on me", "i dont have it handy"],
)
def test_a_reference_not_at_hand_is_no_answer(reply):
    conv, actions = _free(CARD_EN, reply)
    assert last_answer(conv) is None
    assert not any(a.kind == ActionKind.CALLBACK for a in actions)


@pytest.mark.parametrize(
    ("question", "reply", "digits"),
    [
        ("麻烦报一下您的会员卡号。", "是不是HY80231那个", "80231"),
        (CARD_EN, "is it the 44718 one?", "44718"),
    ],
)
def test_a_reference_said_asking_is_still_the_reference(question, reply, digits):
    conv, _ = _free(question, reply)
    assert digits in (last_answer(conv) or "")


SPEND = ("这次买花大概花了多少钱：50元以下、50到200元，还是200元以上？",
         ["50元以下", "50到200元", "200元以上"])  # fmt: skip
SPEND_EN = ("How much did the service cost: under $40, $40 to $90, or over $90?",
            ["Under $40", "$40 to $90", "Over $90"])  # fmt: skip


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (SPEND, "两百左右", None),  # on the bound 50到200元 / 200元以上 share
        (SPEND, "差不多五十块", None),
        (SPEND, "两百", "50到200元"),  # said exactly: the bound's own answer
        (SPEND, "一百左右", "50到200元"),  # well inside one answer
        (SPEND_EN, "about 90 dollars", None),
        (SPEND_EN, "90 bucks or so", None),
        (SPEND_EN, "about 60 dollars", "$40 to $90"),
    ],
)
def test_a_rough_amount_on_a_shared_bound_is_no_answer(question, reply, want):
    assert _read(*question, reply) == want


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (SPEND, "花一百六 运费五十 一共两百一", "200元以上"),
        (SPEND, "包装三十 花二十 总共五十五", "50到200元"),
        (SPEND_EN, "thirty for the chain and twenty for the brakes, fifty in total", "$40 to $90"),
        (SPEND_EN, "the parts were 70 and labour 35, total of 105", "Over $90"),
    ],
)
def test_the_total_said_after_its_parts_is_the_amount(question, reply, want):
    assert _read(*question, reply) == want


MARK = ("送花小哥的服务态度您从1到5给打个分？5分是最满意。", ["1", "2", "3", "4", "5"])


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("三分钟就到了", None),  # minutes, no mark
        ("等两分钟", None),
        ("四分 来得挺快", "4"),  # 来 the verb after a mark, not 来 for "about"
        ("两分 来晚了", "2"),
    ],
)
def test_minutes_are_no_mark_and_lai_after_a_mark_is_a_verb(reply, want):
    assert _read(*MARK, reply) == want


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (MARK, "三分 哦不是 五分 我说错了", "5"),
        (MARK, "一分 不对 四分 口误", "4"),
        (("How would you rate the repair, 1 to 5?", ["1", "2", "3", "4", "5"]),
         "two, no wait, four, my mistake", "4"),
    ],
)  # fmt: skip
def test_a_correction_owned_up_to_at_the_end_keeps_the_corrected_answer(question, reply, want):
    assert _read(*question, reply) == want


PICKUP = ("What time would you like to pick up the bike: 8:30 am, 12:15 pm or 4:45 pm?",
          ["8:30 am", "12:15 pm", "4:45 pm"])  # fmt: skip


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("445", "4:45 pm"),  # hours and minutes run together
        ("830", "8:30 am"),
        ("1215 please", "12:15 pm"),
        ("quarter to five in the pm", "4:45 pm"),
        ("8 30 in the am", "8:30 am"),
    ],
)
def test_clock_times_run_together_or_said_in_the_am(reply, want):
    assert _read(*PICKUP, reply) == want


def test_a_weekday_short_name_before_a_part_of_the_day():
    q = ("Which day shall we deliver: Tuesday, Thursday or Sunday?",
         ["Tuesday", "Thursday", "Sunday"])  # fmt: skip
    assert _read(*q, "sun afternoon would be ideal for us") == "Sunday"
    assert _read(*q, "we sat down and thought about it, thursday") == "Thursday"


SLOT = ("送花时段您选哪个：上午9点到11点、下午2点到5点，还是晚上7点到9点？",
        ["上午9点到11点", "下午2点到5点", "晚上7点到9点"])  # fmt: skip


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("上午下午都要得", None),  # both fine: no choice made
        ("早上下午我都在家", None),
        ("上午不行 下午吧", "下午2点到5点"),  # one turned down, the other chosen
        ("晚上 上午要上班", "晚上7点到9点"),
    ],
)
def test_two_parts_of_the_day_both_fine_choose_neither(reply, want):
    assert _read(*SLOT, reply) == want


@pytest.mark.parametrize("reply", ["精神挺好 一回来就找吃的", "挺好 一进门就认出我了"])
def test_yi_before_a_verb_and_jiu_is_no_count(reply):
    # 一 + verb + 就 is "as soon as": no mark of 1 is given
    assert _read(*MARK, reply) is None
