"""Round 11, preset choices: an answer named by its stem with its head word dropped ("红的"
for 红色), sizes named by their figure read out ("two fifty") or as the smallest or the
biggest, a member named for its class ("a sofa" for Furniture) and a mix of classes, "am"
/ "pm" for the half of the day, choices said in other words (by phone, online, taught
alone, in the summer), not having decided, and a household still arguing it out.
Replies written for these tests, in domains of their own."""

from __future__ import annotations

import pytest

from voxdial.conversation.matching import AnswerMatcher


def _read(question: str, answers: list[str], reply: str) -> str | None:
    m = AnswerMatcher(answers, question=question).match(reply)
    return None if m is None else m.answer


BAG = ("购物袋您要哪个颜色：红色、白色还是黑色？", ["红色", "白色", "黑色"])
CUP = ("奶茶要大杯、中杯还是小杯？", ["大杯", "中杯", "小杯"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (BAG, "红的吧 喜庆", "红色"),
        (BAG, "给我来个白的", "白色"),
        (BAG, "不要黑的 太沉了 要个红的", "红色"),
        (CUP, "小的就行 喝不完", "小杯"),
    ],
)
def test_an_answer_named_by_its_stem(question, reply, want):
    assert _read(*question, reply) == want


@pytest.mark.parametrize(
    ("question", "reply"),
    [(BAG, "我明白的"), (BAG, "红的白的都行"), (BAG, "不要黑的")],
)
def test_a_stem_inside_a_word_or_beside_another_names_no_answer(question, reply):
    assert _read(*question, reply) is None


TANK = ("Which water heater size suits you: 150 litres, 250 litres or 300 litres?",
        ["150 litres", "250 litres", "300 litres"])  # fmt: skip
SCREEN = ("电视要多大的：55寸、65寸还是75寸？", ["55寸", "65寸", "75寸"])
COUNT = ("这次需要几台：1台、2台还是3台？", ["1台", "2台", "3台"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (TANK, "two fifty", "250 litres"),
        (TANK, "one fifty litre should do", "150 litres"),
        (TANK, "small one, 150", "150 litres"),
        (TANK, "the biggest you've got", "300 litres"),
        (TANK, "the smallest of the three", "150 litres"),
        (TANK, "the big one", "300 litres"),
        (SCREEN, "最大的那个吧", "75寸"),
    ],
)
def test_a_size_named_by_its_figure_or_as_the_smallest_or_biggest(question, reply, want):
    assert _read(*question, reply) == want


def test_sizes_said_against_each_other_or_counts_are_no_size():
    assert _read(*TANK, "the big one, 150") is None  # the figure is not the biggest
    assert _read(*TANK, "not the big one") is None
    assert _read(*COUNT, "最大的那个") is None  # a count, not a size


CLEAR = ("What are you clearing out mostly: furniture, white goods, garden waste or a mix?",
         ["furniture", "white goods", "garden waste", "a mix"])  # fmt: skip
MOVE = ("您这次搬的主要是家具、家电，还是都有？", ["家具", "家电", "都有"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (CLEAR, "an old dishwasher and a tumble dryer", "white goods"),
        (CLEAR, "mainly chairs", "furniture"),
        (CLEAR, "a couch, two bookcases and a fridge freezer", "a mix"),
        (CLEAR, "bit of everything really", "a mix"),
        (MOVE, "主要是沙发和衣柜", "家具"),
        (MOVE, "什么都有", "都有"),
    ],
)
def test_a_member_named_for_its_class_and_a_mix_of_classes(question, reply, want):
    assert _read(*question, reply) == want


SLOT = ("Shall we come in the morning or the afternoon?", ["Morning", "Afternoon"])


@pytest.mark.parametrize(
    ("reply", "want"),
    [("am please", "Morning"), ("pm would suit me", "Afternoon"), ("the am slot", "Morning"),
     ("i am around after lunch", "Afternoon")],
)  # fmt: skip
def test_am_and_pm_said_alone_are_the_half_of_the_day(reply, want):
    assert _read(*SLOT, reply) == want


ORDER = ("How did you place the order: online, by phone, or don't you remember?",
         ["Online", "By phone", "Not sure"])  # fmt: skip
LESSONS = ("您想给孩子报哪种：周末班、暑期班还是一对一辅导？", ["周末班", "暑期班", "一对一辅导"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (ORDER, "we rang them up", "By phone"),
        (ORDER, "through the shop's app", "Online"),
        (ORDER, "my son sorted it for me, no idea how", "Not sure"),
        (LESSONS, "单独一个老师带他的那种", "一对一辅导"),
        (LESSONS, "放暑假的时候上那种", "暑期班"),
    ],
)
def test_a_choice_said_in_other_words(question, reply, want):
    assert _read(*question, reply) == want


def test_phoned_and_then_online_is_no_answer():
    assert _read(*ORDER, "I phoned first but they had me do it online in the end") is None


LOCKER = ("需要给您留个停车位吗：要、不要，还是以后再说？", ["要", "不要", "以后再说"])
RENEW = ("Will you keep the magazine subscription: yes, no, or not sure yet?",
         ["yes", "no", "not sure"])  # fmt: skip
JOIN = ("您打算参加下个月的团建吗：参加、不参加，还是还没想好？", ["参加", "不参加", "还没想好"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (LOCKER, "到时候再看吧 不着急", "以后再说"),
        (RENEW, "I haven't made my mind up", "not sure"),
        (JOIN, "我老婆说参加 我觉得算了 我们还在商量呢", None),
        (RENEW, "my wife says yes, I say no, we can't agree", None),
    ],
)
def test_not_having_decided_and_a_household_arguing(question, reply, want):
    assert _read(*question, reply) == want


def test_a_negation_denied_says_the_answer():
    assert _read(*JOIN, "不是不想参加 是肯定要去的") == "参加"
    assert _read(*JOIN, "也不是不想参加 就是没时间") == "还没想好"


def _collected(question: str, answers: list[str], reply: str, lang: str) -> str | None:
    from tests.support.understanding import context, hear_once, last_answer
    from voxdial.conversation.script import ScriptEngine

    ctx = context(lang=lang, welcome="", name="", kb=None,
                  collect=[{"question": question, "answers": answers}])  # fmt: skip
    conv, _ = hear_once(ScriptEngine(), ctx, reply)
    return last_answer(conv)


def test_not_knowing_said_with_a_question_word_is_not_a_question_back():
    solar = ("Are you planning to get a heat pump next year?", ["Yes", "No", "Not sure"])
    assert _collected(*solar, "we've talked about it but who knows", "en") == "Not sure"
    pay = ("您平时怎么交物业费：微信、现金，还是说不清？", ["微信", "现金", "说不清"])
    assert _collected(*pay, "都是我老伴去交的 我也不晓得咋交的", "zh") == "说不清"


GOODS = ("What are the items mostly: furniture, white goods, mattresses or a mix?",
         ["furniture", "white goods", "mattresses", "a mix"])  # fmt: skip
SHOP = ("Which did you buy: dry goods, frozen food or fresh produce?",
        ["dry goods", "frozen food", "fresh produce"])  # fmt: skip


@pytest.mark.parametrize(
    ("question", "reply"),
    [(GOODS, "it's all good"), (GOODS, "good question"), (SHOP, "good, thanks"),
     (SHOP, "it was good")],
)  # fmt: skip
def test_an_everyday_word_is_no_plural_answer(question, reply):
    # "good" is not "goods" in the other number: nothing is taken, the question is asked again
    assert _read(*question, reply) is None


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [(GOODS, "goods mostly", "white goods"), (SHOP, "the dry goods", "dry goods")],
)
def test_a_plural_answer_is_still_named(question, reply, want):
    assert _read(*question, reply) == want
