"""Round 9, choices, counts and scales: two answers offered as alternatives, "maybe yes
maybe no", a negative answer that negates what follows ("不会不来"), the one choice left
when the others are turned down, kinds counted one by one ("一只狗一只猫"), a vague
"a bunch", points taken off beside the mark, "满分十分" alone, and more ways of not
having decided. Replies written for these tests, in domains of their own (a florist,
a ski school, a bike shop, a bakery, a language school, a removal van)."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.quantities import amounts
from voxdial.conversation.script import ScriptEngine

WELCOME = {"zh": "您好，这里是花好月圆花店的回访。", "en": "Hi, this is Jo from Northside."}


@pytest.fixture(scope="module")
def engine():
    return ScriptEngine()


def _answer(engine, lang: str, question: str, answers: list[str], reply: str) -> str | None:
    """A fresh debug call with one collect question, the callee's one reply: the answer
    collected, or None."""
    ctx = context(
        lang=lang, welcome=WELCOME[lang], name="周女士" if lang == "zh" else "Sam", kb=None,
        collect=[{"question": question, "answers": answers}],
    )  # fmt: skip
    conv, _ = hear_once(engine, ctx, reply)
    return last_answer(conv)


BOUQUET = ("下次订花您想要玫瑰、百合还是向日葵？", ["玫瑰", "百合", "向日葵"])
BOUQUET_UNSURE = ("下次订花您想要玫瑰、百合，还是没想好？", ["玫瑰", "百合", "没想好"])
LESSON = ("Which lesson would you book: Private, Group or Family?", ["Private", "Group", "Family"])
LESSON_UNSURE = (
    "Will you book lessons again next winter: yes, no, or not sure yet?",
    ["yes", "no", "not sure yet"],
)
COME_BACK = ("下学期您还会来我们学校上课吗：会、不会，还是说不准？", ["会", "不会", "说不准"])
SLOT_EN = ("Which delivery window: 8 to 10, 12 to 2, or 6 to 8?", ["8 to 10", "12 to 2", "6 to 8"])
SLOT_ZH = ("您想约上午9点、下午3点还是晚上7点送货？", ["上午9点", "下午3点", "晚上7点"])


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        # two answers offered as alternatives name neither (no uncertain answer offered)
        (BOUQUET, "要么玫瑰要么百合 我再看看", None),
        (BOUQUET, "玫瑰或者百合吧", None),
        (BOUQUET, "可能玫瑰 也可能向日葵", None),
        (LESSON, "either private or family, I'll check with the kids", None),
        (LESSON, "group, or maybe private", None),
        (SLOT_EN, "morning or lunchtime, whichever", None),
        (SLOT_ZH, "上午或者下午都行", None),
        # ... or the uncertain answer, when the question offers one
        (BOUQUET_UNSURE, "要么玫瑰要么百合", "没想好"),
        (COME_BACK, "可能会可能不会", "说不准"),
        (COME_BACK, "也许会 也许不会吧", "说不准"),
        (LESSON_UNSURE, "maybe yes maybe no", "not sure yet"),
        # one answer with a hedge, or "或者说" restating it, is still that answer
        (BOUQUET, "可能玫瑰吧", "玫瑰"),
        (BOUQUET, "玫瑰 或者说红玫瑰", "玫瑰"),
        (LESSON, "group maybe", "Group"),
    ],
)
def test_alternatives_name_no_one_answer(engine, asked, reply, want):
    lang = "en" if asked[0].isascii() else "zh"
    assert _answer(engine, lang, *asked, reply) == want


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        (COME_BACK, "不会不来的 孩子挺喜欢", "会"),  # a double negation is a yes
        (COME_BACK, "不会 不来了", "不会"),
        (("孩子最近胃口好不好？", ["好", "不好"]), "没有不好 能吃着呢", "好"),
        (("孩子最近胃口好不好？", ["好", "不好"]), "不好 吃得少", "不好"),
    ],
)
def test_a_negative_answer_that_negates_what_follows(engine, asked, reply, want):
    assert _answer(engine, "zh", *asked, reply) == want


def test_a_negative_answer_said_twice_is_an_emphatic_no():
    m = AnswerMatcher(list(COME_BACK[1]), question=COME_BACK[0], encoder=None)
    assert m.match("不会不会").answer == "不会"


STYLE = ("这次理发您想要洗剪吹、烫发还是染发？", ["洗剪吹", "烫发", "染发"])
SIZE = ("您要的蛋糕是小号、中号还是大号？", ["小号", "中号", "大号"])


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        (STYLE, "不烫发 也不染发", "洗剪吹"),
        (STYLE, "烫发不做 染发也算了", "洗剪吹"),  # turned away after each
        # each turned down with 不要 / 不用: the choice left, not the call refused
        (STYLE, "烫发不要 染发也不用了", "洗剪吹"),
        (SIZE, "大号不用 小号也不要", "中号"),
        (SIZE, "不要小号的 也不要大号的", "中号"),
        (SIZE, "不是小号 也不算大 中号吧", "中号"),  # 中号 said in a clause of its own
        (LESSON, "not private, not group", "Family"),
        # all turned down, or only one: none is left or several are
        (STYLE, "都不要 烫发染发都不做", None),
        (STYLE, "烫发染发都不做", "洗剪吹"),  # the two listed, then turned down together
        (SIZE, "小号和大号都不要", "中号"),
        (SIZE, "哪个都不要", None),
        (BOUQUET_UNSURE, "都没想好呢", "没想好"),  # not a refusal of all: not decided
        (STYLE, "不烫发", None),
        (("您支持小区装充电桩吗：支持还是反对？", ["支持", "反对"]), "不支持也不反对", None),
    ],
)
def test_the_one_choice_left(engine, asked, reply, want):
    lang = "en" if asked[0].isascii() else "zh"
    assert _answer(engine, lang, *asked, reply) == want


PETS = ("您家一共有几只宠物：1只、2只，还是3只及以上？", ["1只", "2只", "3只及以上"])
BIKES = ("您家有几辆自行车：1辆、2辆，还是3辆及以上？", ["1辆", "2辆", "3辆及以上"])
RIDERS = (
    "How many people will ride in the van: one, two to three, or four or more?",
    ["one", "two to three", "four or more"],
)
ROOMS = ("How many bedrooms are there: 1, 2, 3, or 4 or more?", ["1", "2", "3", "4 or more"])


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        # kinds counted one by one are added up
        (PETS, "一只猫一只兔子", "2只"),
        (PETS, "一猫一狗 还有一对仓鼠", "3只及以上"),
        (PETS, "一只狗 一只猫", "2只"),
        (BIKES, "一辆山地车一辆折叠车", "2辆"),
        (RIDERS, "one adult one kid", "two to three"),
        (RIDERS, "two parents two toddlers", "four or more"),
        # a total said before what it is made of is the total
        (PETS, "俩 一猫一狗", "2只"),
        (PETS, "两只 一猫一狗", "2只"),
        (RIDERS, "three, two adults one kid", "two to three"),
        # amounts ranked, doubted or of another noun are not added
        (PETS, "平时一只 周末两只", None),
        (PETS, "一只 两只吧", None),
        # an amount in words only, for a size: no answer, and no guess by sound
        (RIDERS, "a bunch of us", None),
        (RIDERS, "a crowd", None),
    ],
)
def test_kinds_counted_one_by_one(engine, asked, reply, want):
    lang = "en" if asked[0].isascii() else "zh"
    assert _answer(engine, lang, *asked, reply) == want


def test_kinds_of_another_noun_than_the_one_asked_are_not_added(engine):
    assert _answer(engine, "en", *ROOMS, "three bedrooms, two bathrooms") != "4 or more"


def test_liang_and_lia_are_not_read_digit_by_digit():
    """两 / 俩 / 仨 start no digit string (二零二六 is a year; "俩一猫" is 2, then 1)."""
    assert [x.low for x in amounts("俩一猫一狗")] == [2, 1, 1]
    assert [x.low for x in amounts("仨一")] == [3, 1]
    assert [x.low for x in amounts("二零二六")] == [2026]
    assert [(x.low, x.high) for x in amounts("两三个")] == [(2, 3)]


FIVE_ZH = ("给这次配送打个分，1到5分，5分最满意。", ["1", "2", "3", "4", "5"])
TEN_ZH = ("从1到10分，您有多愿意推荐我们？", [str(n) for n in range(1, 11)])
FIVE_EN = ("On a scale of 1 to 5, how was the fitting?", ["1", "2", "3", "4", "5"])


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        # points taken off beside the mark are no mark
        (FIVE_ZH, "打四分 扣一分是因为来晚了", "4"),
        (FIVE_ZH, "四分吧 减一分 包装有点破", "4"),
        (FIVE_EN, "four, I knocked one off for the wait", "4"),
        (FIVE_EN, "three, two points off for the mess", "3"),
        # full marks with the total said after them, and nothing else
        (TEN_ZH, "满分十分 没得说", "10"),
        (FIVE_ZH, "满分十分", "5"),
        (TEN_ZH, "满分十分 我给七分", "7"),  # the total, and the mark given
        # a mark turned down before it, in the table numbers and scores share
        (FIVE_ZH, "不能给五分 四分吧", "4"),
        (FIVE_EN, "not a five, a four", "4"),
    ],
)
def test_marks_beside_points_taken_off_and_totals(engine, asked, reply, want):
    lang = "en" if asked[0].isascii() else "zh"
    assert _answer(engine, lang, *asked, reply) == want


@pytest.mark.parametrize(
    ("asked", "reply"),
    [
        (COME_BACK, "回不回来 还定不下来"),
        (COME_BACK, "这个真拿不准"),
        (COME_BACK, "决定不了 看孩子"),
        (LESSON_UNSURE, "ask me again once the season's over"),
        (LESSON_UNSURE, "I haven't made up my mind"),
        (LESSON_UNSURE, "honestly I'm in two minds"),
        (LESSON_UNSURE, "can't decide yet"),  # "can't" opening a reply does not ask
        (LESSON_UNSURE, "can't say really, depends on the snow"),
    ],
)
def test_more_ways_of_not_having_decided(engine, asked, reply):
    lang = "en" if asked[0].isascii() else "zh"
    assert _answer(engine, lang, *asked, reply) == asked[1][2]


def test_cant_before_its_subject_still_asks(engine):
    """ "can't you ..." is a question back: nothing collected, not even as free text."""
    member = ("What is your member number?", [])
    assert _answer(engine, "en", *member, "can't you look me up by name") is None
    assert _answer(engine, "en", *LESSON_UNSURE, "can't you just pick one for me") is None


def test_a_reply_turning_every_choice_down_takes_no_spelling_guess():
    """A weak reading (by sound or spelling) does not survive "都不要"."""
    m = AnswerMatcher(list(STYLE[1]), question=STYLE[0], encoder=None)
    assert m.match("都不要 烫发染发都不做") is None
    assert m.match("都不要 染发也不做") is None
    assert m.match("染发").answer == "染发"


BIKE = ("这次来店里您想修车、换胎还是保养？", ["修车", "换胎", "保养"])


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        (BIKE, "修修就行 别的先不弄", "修车"),
        (BIKE, "简单换一下就好", "换胎"),
        (STYLE, "烫一烫吧", "烫发"),
        (STYLE, "染一下就行", "染发"),
    ],
)
def test_an_answer_named_by_its_verb(engine, asked, reply, want):
    assert _answer(engine, "zh", *asked, reply) == want


def test_a_verb_negated_or_shared_names_no_answer():
    bike = AnswerMatcher(list(BIKE[1]), question=BIKE[0], encoder=None)
    assert bike.match("不用修一下") is None
    wash = AnswerMatcher(["洗车", "洗车加打蜡"], question="您要洗车还是洗车加打蜡？", encoder=None)
    assert wash.match("洗一下就行") is None  # 洗 is in both answers


TIERS_EN = ("Which box would you like: Mini at $19, Classic at $35, or Feast at $59?",
            ["Mini", "Classic", "Feast"])  # fmt: skip
TIERS_ZH = ("您要哪种蛋糕卡：银卡每月79元、金卡129元，还是黑卡299元？", ["银卡", "金卡", "黑卡"])
SPEEDS = ("Which line speed: Home 200 meg, Pro 600 meg or Ultra 1000 meg?",
          ["Home", "Pro", "Ultra"])  # fmt: skip


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        # an answer named by the figure the question gives after it
        (TIERS_EN, "the 35 one", "Classic"),
        (TIERS_EN, "the fifty nine dollar box", "Feast"),
        (TIERS_ZH, "要那个一百二十九的", "金卡"),
        (TIERS_ZH, "二百九十九那个吧", "黑卡"),
        (SPEEDS, "six hundred meg please", "Pro"),
        (SPEEDS, "the thousand one", "Ultra"),
        # ... and by its price, the lowest or the highest
        (TIERS_EN, "whichever's cheapest", "Mini"),
        (TIERS_ZH, "最贵的那个", "黑卡"),
        # figures of two answers, or a figure no answer has: none
        (TIERS_EN, "the 19 or the 35", None),
        (TIERS_ZH, "一百块左右的", None),
    ],
)
def test_an_answer_named_by_its_figure(engine, asked, reply, want):
    lang = "en" if asked[0].isascii() else "zh"
    assert _answer(engine, lang, *asked, reply) == want


def test_english_hundreds_and_thousands():
    said = {t: [x.low for x in amounts(t)] for t in (
        "five hundred and fifty", "a thousand", "two thousand nineteen", "three hundred people",
    )}  # fmt: skip
    assert said == {
        "five hundred and fifty": [550],
        "a thousand": [1000],
        "two thousand nineteen": [2019],
        "three hundred people": [300],
    }
    assert amounts("hundreds of them") == []  # many, not a figure


CAT_AGE = ("您家猫咪几岁了：2岁以下、2到8岁，还是9岁及以上？", ["2岁以下", "2到8岁", "9岁及以上"])
MEMBER = (
    "How long have you been a member: under a year, one to five years, or over five years?",
    ["under a year", "one to five years", "over five years"],
)


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        # an age between two answers counts in whole years; half a year is an age too
        (CAT_AGE, "八岁半", "2到8岁"),
        (CAT_AGE, "快九岁了 八岁多", "2到8岁"),
        (CAT_AGE, "半岁多一点", "2岁以下"),
        (CAT_AGE, "九岁半", "9岁及以上"),
        # weeks and days, of answers counted in years
        (MEMBER, "only a few weeks", "under a year"),
        (MEMBER, "about ten days", "under a year"),
    ],
)
def test_ages_and_short_lengths_of_time(engine, asked, reply, want):
    lang = "en" if asked[0].isascii() else "zh"
    assert _answer(engine, lang, *asked, reply) == want


LEASE = ("Would you sign a 12-month lease or go week to week?", ["12-month", "week to week"])
BOAT = ("您想租船3个月、6个月还是1年？", ["3个月", "6个月", "1年"])


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        (LEASE, "the one year one", "12-month"),
        (LEASE, "twelve months, and I'll pay by card", "12-month"),
        (LEASE, "I've rented here a year, week to week suits me", "week to week"),
        (LEASE, "two years", None),  # a length no answer has
        (BOAT, "半年吧", "6个月"),
        (BOAT, "十二个月的", "1年"),
    ],
)
def test_a_length_said_in_other_units(engine, asked, reply, want):
    lang = "en" if asked[0].isascii() else "zh"
    assert _answer(engine, lang, *asked, reply) == want
