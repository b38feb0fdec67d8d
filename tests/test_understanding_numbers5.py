"""Round 11, numbers, marks and times: count answers that are bare number ranges ("1 to 3")
read as counts, not hours; a mark given before a hedge or out of a named total; marks
below the scale; points taken off with 少; school grades beside an age; a number word
repeated or misheard; counts said day by day; a list closed by its total; one choice
excepted from a refusal of the others; a correction whose first clause is its reason;
"a bit" (早一点) that is no hour; am / pm / arvo alone. Replies written for these tests,
in domains of their own."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.script import ScriptEngine


def _read(question: str, answers: list[str], reply: str) -> str | None:
    m = AnswerMatcher(answers, question=question).match(reply)
    return None if m is None else m.answer


def _collected(question: str, answers: list[str], reply: str) -> str | None:
    """What a fresh call collects from one reply to one question."""
    zh = not reply.isascii()
    welcome = "您好，这里是健身房回访。" if zh else "Hi, this is the garden centre following up."
    ctx = context(lang="zh" if zh else "en", welcome=welcome, name="X", kb=None,
                  collect=[{"question": question, "answers": answers}])  # fmt: skip
    conv, _ = hear_once(ScriptEngine(), ctx, reply)
    return last_answer(conv)


TEN_ZH = "从1到10分，您有多大可能把我们的健身房推荐给朋友？"
TEN_EN = "From 1 to 10, how easy was it to find what you needed?"
TEN = [str(i) for i in range(1, 11)]
FIVE_ZH = "您给这次的教练打几分？1到5分"
FIVE = [str(i) for i in range(1, 6)]


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (TEN_ZH, TEN, "六分 看情况吧", "6"),  # a mark, then a hedge
        (TEN_ZH, TEN, "三分 别的不想说了", "3"),  # a mark, then no more said
        (FIVE_ZH, FIVE, "四分吧 其他的不想说了", "4"),
        (TEN_EN, TEN, "seven, it depends", "7"),
        (TEN_ZH, TEN, "不好说 五分吧", None),  # the hedge comes first: unread
        (TEN_ZH, TEN, "10分里给个6分", "6"),  # the total named before the mark
        (TEN_ZH, TEN, "十分制的话打七分", "7"),
        (FIVE_ZH, FIVE, "五分里面给三分", "3"),
        (TEN_ZH, TEN, "零分 不会推荐", None),  # below the scale: no mark of it
        (FIVE_ZH, FIVE, "零分", None),
        (TEN_ZH, TEN, "八分 少一分是怕你们骄傲", "8"),  # one point kept back, not a mark
        (TEN_ZH, TEN, "至少八分", "8"),  # 至少 is "at least", nothing taken off
        (TEN_EN, TEN, "eight, nine maybe", None),
    ],
)
def test_marks(question, answers, reply, want):
    assert _collected(question, answers, reply) == want


ITEMS = "How many boxes do you need delivered?"
BUCKETS = ["1 to 3", "4 to 6", "7 to 10", "more than 10"]
AGE_ZH = "您家孩子多大了：3到5岁、6到8岁，还是9到12岁？"
AGES_ZH = ["3到5岁", "6到8岁", "9到12岁"]
AGE_EN = "How old is the dog?"
AGES_EN = ["under 2", "2 to 6", "7 to 10", "over 10"]


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (ITEMS, BUCKETS, "about eight", "7 to 10"),  # bare ranges count; not 7-10 pm
        (ITEMS, BUCKETS, "roughly five boxes", "4 to 6"),
        (AGE_EN, AGES_EN, "about nine", "7 to 10"),
        (AGE_ZH, AGES_ZH, "上三年级了 八岁", "6到8岁"),  # a grade is no age
        (AGE_ZH, AGES_ZH, "十一 初一了", "9到12岁"),
        (AGE_ZH, AGES_ZH, "九岁 四年级", "9到12岁"),
        (AGE_ZH, AGES_ZH, "三年级", None),  # a grade alone: not three years
    ],
)
def test_counts_and_ages(question, answers, reply, want):
    assert _read(question, answers, reply) == want


KIDS = "这次一共几个人参加：1个、2个，还是3个及以上？"
KIDS_ANSWERS = ["1个", "2个", "3个及以上"]
WEEKLY_ZH = "您一周想来几次：1次、2次还是3次？"
WEEKLY_ZH_ANSWERS = ["1次", "2次", "3次"]
WEEKLY_EN = "How many lessons a week would you like?"
WEEKLY_EN_ANSWERS = ["1", "2", "3", "4 or more"]
BIKES = "And how many of those are bikes?"
BIKES_ANSWERS = ["0", "1", "2", "3 or more"]


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (KIDS, KIDS_ANSWERS, "一各 就一各", "1个"),  # 各 for 个; said twice is not two
        (KIDS, KIDS_ANSWERS, "两各", "2个"),
        (KIDS, KIDS_ANSWERS, "好几个 我问问他们家长", None),  # not known yet
        (WEEKLY_ZH, WEEKLY_ZH_ANSWERS, "礼拜一一次礼拜四一次", "2次"),  # day by day
        (WEEKLY_ZH, WEEKLY_ZH_ANSWERS, "周二或者周四一次", "1次"),
        (WEEKLY_EN, WEEKLY_EN_ANSWERS, "one on tuesday and two on saturday", "3"),
        (BIKES, BIKES_ANSWERS, "uh won bike", "1"),  # a sound-alike before what is counted
        (BIKES, BIKES_ANSWERS, "to, both in the shed", "2"),
        (BIKES, BIKES_ANSWERS, "too many", None),
        (BIKES, BIKES_ANSWERS, "no bikes at all", "0"),
        (BIKES, BIKES_ANSWERS, "no idea at all", None),
        (ITEMS, BUCKETS, "a lamp, two rugs and a mirror, so four", "4 to 6"),  # the total
        (ITEMS, BUCKETS, "a desk, a chair and a lamp, three in all", "1 to 3"),
    ],
)
def test_counts_said_in_words(question, answers, reply, want):
    assert _collected(question, answers, reply) == want


SLOT_ZH = "周六您想约哪个时段：上午10点、中午12点、下午2点还是下午4点？"
SLOTS_ZH = ["上午10点", "中午12点", "下午2点", "下午4点"]
DAY_ZH = "您想约在哪天：周一、周三还是周五？"
DAYS_ZH = ["周一", "周三", "周五"]
DAY_EN = "Which day works best: Tuesday, Thursday or Saturday?"
DAYS_EN = ["Tuesday", "Thursday", "Saturday"]
HALF_EN = "Would you like the morning visit, eight till twelve, or the afternoon, one till six?"


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (SLOT_ZH, SLOTS_ZH, "早一点的 十点", "上午10点"),  # 早一点: a bit early, not 1:00
        (SLOT_ZH, SLOTS_ZH, "晚一点的 四点", "下午4点"),
        (SLOT_ZH, SLOTS_ZH, "下午2点吧 嗯 就2点", "下午2点"),  # said twice, not 2 + 2
        (DAY_ZH, DAYS_ZH, "除了周三 其他都不行", "周三"),  # the one excepted
        (DAY_ZH, DAYS_ZH, "除了周三 其他都可以", None),
        (DAY_EN, DAYS_EN, "except thursday, none of them work", "Thursday"),
        (DAY_ZH, DAYS_ZH, "那就周一吧 不对 周一孩子有游泳 周五", "周五"),  # its reason, then
        (DAY_EN, DAYS_EN, "tuesday, no wait, tuesday is bin day, saturday", "Saturday"),
        (HALF_EN, ["morning", "afternoon"], "am if possible", "morning"),
        (HALF_EN, ["morning", "afternoon"], "pm please", "afternoon"),
        (HALF_EN, ["morning", "afternoon"], "the arvo suits me", "afternoon"),
        (HALF_EN, ["morning", "afternoon"], "am i allowed to choose", None),
    ],
)
def test_times(question, answers, reply, want):
    assert _collected(question, answers, reply) == want


RENT_EN = "How many days will you need the van: 1 to 3 days, 4 to 7 days, or more than a week?"
RENT_EN_ANSWERS = ["1 to 3 days", "4 to 7 days", "more than a week"]
RENT_ZH = "您这次大概要借几天：1到3天、4到7天，还是一周以上？"
RENT_ZH_ANSWERS = ["1到3天", "4到7天", "一周以上"]
BOILER = "您家这台热水器用了多少年了：不到五年、五到十年，还是十年以上？"
BOILER_ANSWERS = ["不到五年", "五到十年", "十年以上"]
VISIT_DAY = "您哪天过来取件：周三、周五还是周六？"
VISIT_DAYS = ["周三", "周五", "周六"]
HOUSEHOLD = "How many people live in your home: one, two to three, or four or more?"
HOUSEHOLD_ANSWERS = ["one", "two to three", "four or more"]
PETS = "您家一共有几只猫：1只、2只，还是3只及以上？"
PETS_ANSWERS = ["1只", "2只", "3只及以上"]


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (RENT_EN, RENT_EN_ANSWERS, "just the weekend", "1 to 3 days"),  # spans of days
        (RENT_EN, RENT_EN_ANSWERS, "a long weekend", "1 to 3 days"),
        (RENT_EN, RENT_EN_ANSWERS, "the whole week", "4 to 7 days"),
        (RENT_EN, RENT_EN_ANSWERS, "a fortnight", "more than a week"),
        (RENT_ZH, RENT_ZH_ANSWERS, "一整周", "4到7天"),
        (RENT_ZH, RENT_ZH_ANSWERS, "就一个周末", "1到3天"),
        (BOILER, BOILER_ANSWERS, "零五年装的", "十年以上"),  # a year said digit by digit
        (BOILER, BOILER_ANSWERS, "一九年买的", "五到十年"),
        (BOILER, BOILER_ANSWERS, "五六年了", "五到十年"),  # neighbouring digits: a range
        (VISIT_DAY, VISIT_DAYS, "周事吧", None),  # 周四 misheard, not offered: no guess
        (HOUSEHOLD, HOUSEHOLD_ANSWERS, "tree of us", "two to three"),
        (PETS, PETS_ANSWERS, "两只 哦还有只小的 算三只", "3只及以上"),  # settled on a count
    ],
)
def test_spans_years_and_sounds(question, answers, reply, want):
    assert _collected(question, answers, reply) == want


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (TEN_EN, TEN, "three, sorry", "3"),  # an apology after the mark, not "pardon?"
        (TEN_EN, TEN, "6/10", "6"),  # a mark written over its total
        (FIVE_ZH, FIVE, "8/10", "4"),
        (TEN_EN, TEN, "seven, eight, ok eight", "8"),  # settled on the last
        (TEN_EN, TEN, "five, no, four actually", "4"),
        (TEN_ZH, TEN, "满分十分 给八分半 算八分吧", "8"),
        (TEN_ZH, TEN, "八分半吧", None),  # a half mark: between two answers
    ],
)
def test_marks_settled_and_written(question, answers, reply, want):
    assert _collected(question, answers, reply) == want


def test_sorry_alone_still_asks_again():
    zh = False
    ctx = context(lang="en", welcome="Hi, this is the garden centre following up.", name="X",
                  kb=None, collect=[{"question": TEN_EN, "answers": TEN}])  # fmt: skip
    conv, actions = hear_once(ScriptEngine(), ctx, "sorry?")
    assert not zh and last_answer(conv) is None
    assert any(TEN_EN in (a.text or "") for a in actions)


STAY_EN = "How many nights would you like to book: one, two to three, or four or more?"
STAY_EN_ANSWERS = ["1 night", "2 to 3 nights", "4 or more nights"]
STAY_ZH = "您这次住几晚：1晚、2到3晚，还是4晚以上？"
STAY_ZH_ANSWERS = ["1晚", "2到3晚", "4晚以上"]
PICKUP = "What time should the courier come: 9 am, noon or 4 pm?"
PICKUP_ANSWERS = ["9 am", "noon", "4 pm"]
CLASS = "Which class would you like: 7 am, 10 am or 3 pm?"
CLASS_ANSWERS = ["7 am", "10 am", "3 pm"]


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (STAY_EN, STAY_EN_ANSWERS, "saturday to monday", "2 to 3 nights"),  # days it runs over
        (STAY_EN, STAY_EN_ANSWERS, "wednesday through sunday", "4 or more nights"),
        (STAY_EN, STAY_EN_ANSWERS, "oh a week", "4 or more nights"),
        (STAY_ZH, STAY_ZH_ANSWERS, "周四到周六", "2到3晚"),
        (RENT_EN, RENT_EN_ANSWERS, "friday to monday, so three", "1 to 3 days"),
        (PICKUP, PICKUP_ANSWERS, "twelve", "noon"),  # beside 9 am and 4 pm, twelve is noon
        (CLASS, CLASS_ANSWERS, "seven's too early, ten", "10 am"),  # a bare hour left
        (CLASS, CLASS_ANSWERS, "7 is too early, three then", "3 pm"),
        (CLASS, CLASS_ANSWERS, "seven's too early", None),  # two left
        (DAY_ZH, DAYS_ZH, "周儿吧", None),  # 周二 is not offered
    ],
)
def test_spans_of_days_and_bare_hours(question, answers, reply, want):
    assert _collected(question, answers, reply) == want
