"""Answers that are amounts or ranges ("1-2辆", "100元以上", "None"), and the amount a
reply says for them: counted in the question's unit ("两辆"), of people named ("me, my
wife and three kids"), for each of several owners ("我和我老公各一辆"), as a school age
("上小学"), or as a range across two answers ("三四分": ambiguous)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from voxdial.conversation import times
from voxdial.conversation.matching.cues import EACH
from voxdial.conversation.matching.match import Ambiguous, Heard, Match
from voxdial.conversation.normalize import fold
from voxdial.conversation.quantities import Amount, amounts

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

# the school a child goes to, as an age range
_SCHOOL_AGE = [
    (re.compile(r"幼儿园|kindergarten|preschool|nursery"), 3.0, 6.0),
    (re.compile(r"小学|primary school|elementary"), 6.0, 12.0),
    (re.compile(r"初中|中学|middle school|junior high"), 12.0, 15.0),
    (re.compile(r"高中|high school"), 15.0, 18.0),
    (re.compile(r"大学|college|university"), 18.0, 22.0),
]
# one-word replies ASR writes for a number
_SPOKEN_DIGITS = {"for": "4", "fore": "4", "to": "2", "too": "2", "won": "1", "tree": "3",
                  "ate": "8", "五份": "5", "四份": "4", "三份": "3"}  # fmt: skip
# ASR writes "four" as "for" after a filler or before the counted thing ("uh for I guess",
# "for bedrooms"), never in "for me", "for sure", "for now"
_FOR_FOUR = re.compile(
    r"^((?:uh|um|er|erm|hmm|mm|like|maybe|about|probably)\s+)*(for|fore)\b"
    r"(?!\s+(me|us|you|him|her|them|it|that|this|the|a|an|my|our|your|now|sure|real|example|"
    r"a while|now|one|two|three|five|six|seven|eight|nine|ten|\d))"
)
# an amount said only in words ("很少", "hardly any", "挺多的 基本每天都有"): the lowest
# or the highest of answers that are ranges of a count, never a middle one
FEW = re.compile(
    r"(很|太|比较|挺|特别|非常|蛮)少|没几|不多|几乎没|偶尔|少得很|"
    r"\b(hardly|barely|rarely|seldom)\b|\bnot (that |very |too |so )?(many|much|a lot|often)\b|"
    r"\bvery few\b|\balmost (none|never|nothing)\b|\bonly (a couple|one or two)\b"
)
MANY = re.compile(
    r"(?<!不)(很|挺|好|特别|非常|老|蛮|超)多|不少|一大堆|每天都|天天|"
    r"\b(lots|loads|tons|plenty|heaps)\b|\ba lot\b|\b(so|too) many\b|\bevery ?day\b|"
    r"\ball the time\b"
)
_TEN_POINTS = re.compile(r"(?<![一二三四五六七八九几])十分(?=$|\s|吧|啊|呀|呢|嘛|[，,。!！])")
# numerals ASR writes as a homophone before 分 ("打酒分" for 九分)
_SCORE_SOUND = {"酒": "九", "久": "九", "巴": "八", "期": "七", "妻": "七", "溜": "六", "似": "四"}
_SCORE_SOUNDS = re.compile(r"([酒久巴期妻溜似])分")
_POINTS_QUESTION = re.compile(r"打分|评分|几分|分最|scale|\brate\b|score|points|out of")
_HOW_OFTEN = re.compile(r"how often|多久一次|多长时间一次|频率|经常")
_TOP = re.compile(r"满分|最高分|五星|top marks|full marks|perfect score|highest")
_BOTTOM = re.compile(r"最低分|零分|lowest|bottom|the worst score")
_NONE_COUNT = re.compile(
    r"^(没有|没|无|零|一个都没有|none|zero|nothing|no)$|"
    r"没车|没有车|没孩子|we don'?t have|i don'?t have|"
    r"don'?t (own|have) (a|any)|no cars?"
)
# who makes up a household ("me, my wife and three kids")
_PERSON = re.compile(
    r"\b(me|myself|i|my (wife|husband|partner|son|daughter|mum|mom|dad|mother|father|"
    r"girlfriend|boyfriend|brother|sister|kid|child|baby|grandma|grandpa|flatmate|roommate))\b|"
    r"我(?!们)|老婆|老公|老伴|爱人|媳妇|儿子|女儿|孩子|妈|爸|对象"
)
_COUPLE = re.compile(
    r"夫妻俩|夫妻两个|两口子|老两口|小两口|我们俩|我们两个|我俩|\b(the two of us|us two)\b"
)
_ME = {"i": "me", "myself": "me", "我": "me"}
_ZERO_ANSWER = re.compile(r"^(没有|无|零|none|zero|0|no\b)")
# "a month", "每周": the period an amount is counted over
_PERIOD = re.compile(
    r"(?:一个?|每个?|per|a|every|each)\s*(天|日|周|星期|礼拜|月|年|day|week|month|year)"
)
_PERIODS = {"天": "day", "日": "day", "周": "week", "星期": "week", "礼拜": "week", "月": "month",
            "年": "year"}  # fmt: skip
# the units a question counts in, by the words of its text and answers
_UNITS = (
    ("人", ("人", "口", "几个人", "household", "people")),
    ("口", ("人", "口", "household", "people")),
    ("岁", ("岁", "年龄", "多大", "age", "old")),
    ("year", ("age", "old")),
    ("辆", ("辆", "车", "car")),
    ("台", ("辆", "车")),
    ("元", ("元", "钱", "话费", "dollar", "$")),
    ("块", ("元", "钱", "话费")),
    ("分", ("分", "打分", "评分", "score", "rate")),
    ("星", ("分", "星", "star")),
    ("people", ("people", "household")),
    ("car", ("car",)),
)


@dataclass
class Range:
    low: float
    high: float


def answer_range(answer: str) -> Range | None:
    a = fold(answer)
    if _ZERO_ANSWER.search(a.strip()):
        return Range(0, 0)
    found = amounts(a)
    if not found:
        return None
    if len(found) >= 2 and re.search(r"[-~到至]|to", a):
        return Range(found[0].low, found[1].high)
    return Range(found[0].low, found[0].high)


def exclusive(ranges: list[Range | None]) -> list[Range | None]:
    """ "100元以上" next to "50-100元": 100 itself belongs to the bounded answer."""
    out = list(ranges)
    for i, r in enumerate(out):
        if r is None:
            continue
        for j, other in enumerate(out):
            if i == j or other is None:
                continue
            if r.high == float("inf") and other.low <= r.low <= other.high and other.high != r.high:
                out[i] = Range(r.low + 0.01, r.high)
            if r.low == float("-inf") and other.low <= r.high <= other.high and other.low != r.low:
                out[i] = Range(r.low, r.high - 0.01)
    return out


def units_of(answers: list[str], question: str) -> tuple[str, ...]:
    said = " ".join(answers).lower() + " " + question
    return tuple(unit for unit, words in _UNITS if any(w in said for w in words))


def is_five_scale(a: AnswerSet) -> bool:
    return all(r is None or (1 <= r.low <= 5 and r.low == r.high) for r in a.ranges)


def amounts_said(a: AnswerSet, text: str) -> list[Amount]:
    word = _SPOKEN_DIGITS.get(text.strip())
    if a.is_numeric and any(r is not None and r.low <= 10 <= r.high for r in a.ranges):
        # on a ten-point scale "十分" alone is ten points, not "very" (十分满意)
        text = _TEN_POINTS.sub("10分", text)
    text = _SCORE_SOUNDS.sub(lambda m: _SCORE_SOUND[m.group(1)] + "分", text)
    if word is None and a.is_numeric and _FOR_FOUR.search(text):
        text = _FOR_FOUR.sub(lambda m: (m.group(1) or "") + "4", text, count=1)
    return amounts(word if word and a.is_numeric else text)


def vague(a: AnswerSet, text: str) -> Match | None:
    """ "很少" / "hardly any" to the lowest count answer (above none), "挺多的" / "loads" to
    the open-ended highest one; only among three or more count ranges, and only for a
    count over a period ("一个月多少个", "how many a week"): "家里人挺多的" says no size."""
    if not _PERIOD.search(a.question) and not _HOW_OFTEN.search(a.question):
        return None
    ranges = [(r.low, r.high, i) for i, r in enumerate(a.ranges) if r is not None]
    if len(ranges) < 3 or len(ranges) != len(a.ranges) or is_five_scale(a):
        return None
    few, many = FEW.search(text), MANY.search(text)
    if bool(few) == bool(many):
        return None
    if few:
        low = min((r for r in ranges if r[1] > 0), default=None)
        return None if low is None else a.pick(low[2], "number-vague")
    high = max(ranges)
    return a.pick(high[2], "number-vague") if high[1] == float("inf") else None


def number(a: AnswerSet, heard: Heard) -> Match | None:
    if not a.is_numeric or a.is_timed and _reads_as_time(a, heard):
        return None  # hours of the day ("上午9-12点", "noon to four"): the time stage's
    text = " ".join(heard.parts) if heard.narrowed else heard.text  # "不是五分 是四分"
    if "十分" in heard.parts:  # "十分吧 挺好的": ten points, a clause of its own
        text = text.replace("十分", "10分", 1)
    points = [r.low for r in a.ranges if r is not None and r.low == r.high]
    if len(points) == len(a.ranges) and _POINTS_QUESTION.search(a.question):
        # a points scale (1-5, 1-10): top and bottom marks are its ends
        if _TOP.search(text):
            return number_match(a, Range(max(points), max(points)), "number")
        if _BOTTOM.search(text):
            return number_match(a, Range(min(points), min(points)), "number")
    elif is_five_scale(a):
        if _TOP.search(text):
            return number_match(a, Range(5, 5), "number")
        if _BOTTOM.search(text):
            return number_match(a, Range(1, 1), "number")
    if any(r is not None and r.high == 0 for r in a.ranges) and _NONE_COUNT.search(text):
        return number_match(a, Range(0, 0), "number")
    found = amounts_said(a, text)
    if found and _other_period(a.question, text):
        raise Ambiguous  # "一周两三个" to "一个月多少个": not counted over the asked period
    periods = [m.span() for m in _PERIOD.finditer(text)]
    found = [x for x in found if not any(s <= x.start < e for s, e in periods)]  # "一个月"
    if re.search(r"out of|满分", text) and len(found) >= 2:
        found = [min(found[:2], key=lambda x: x.low)] if "满分" in text else found[:1]
    units = a.units
    said_in = _answer_units(a)
    if found and said_in and all(x.unit and not _same_unit(x.unit, said_in + units) for x in found):
        return vague(a, text)  # "就我一个人住" counts people, the answers count tons
    counted = [x for x in found if x.unit and any(u in x.unit for u in units)]
    if counted:
        found = counted
    if len(found) >= 2 and all(x.exact for x in found) and _summed(text, found):
        found = [Amount(sum(x.low for x in found), sum(x.low for x in found), 0, 0, found[0].unit)]
    people = _people(a, text)
    if people is None and found and EACH.search(text):
        owners = len({_ME.get(m.group(0), m.group(0)) for m in _PERSON.finditer(text)})
        if owners < 2 or len(found) > 1 or not found[0].exact:
            raise Ambiguous
        x = found[0]
        found = [Amount(x.low * owners, x.high * owners, x.start, x.end, x.unit)]
    elif people is not None and (not found or people > max(x.high for x in found)):
        found = [Amount(people, people, 0, 0, "人")]
    if not found and "岁" in units:
        school = [(lo, hi) for p, lo, hi in _SCHOOL_AGE if p.search(text)]
        if len(school) == 1:
            return number_match(a, Range(*school[0]), "number")
    if not found:
        return vague(a, text)
    if len({(x.low, x.high) for x in found}) > 1:
        picks = {_inside(a, Range(x.low, x.high)) for x in found}
        if len(picks) == 1 and None not in picks:  # "好几辆 四五辆吧"
            return a.pick(picks.pop(), "number")
        raise Ambiguous  # "老大九岁 老二三岁"
    x = found[0]
    low, high = x.low, x.high
    if ("月" in x.unit or "month" in x.unit) and any(u in ("岁", "year") for u in units):
        # 八个月 -> 0.7 岁, eighteen months -> 1.5 years
        low, high = low / 12, high / 12
    return number_match(a, Range(low, high), "number")


_PLUS = re.compile(r"^\s*[a-z\u4e00-\u9fff]{0,8}?\s*(,?\s*and|plus|\+|加上?|再加|还有|另外)\s*$")


def _summed(text: str, found: list[Amount]) -> bool:
    """Amounts of kinds added up ("two dogs and three cats", "两个大人加三个孩子"): each
    counted in a word of its own, joined by "and" / 加."""
    gaps = [text[x.end : y.start] for x, y in zip(found, found[1:], strict=False)]
    return not re.search(r"between|之间|到|至|\bor\b|或", text) and all(
        _PLUS.search(g) and re.search(r"[a-z\u4e00-\u9fff]", g.split()[0] if g.split() else "")
        for g in gaps
    )


def counted(a: AnswerSet, text: str, how: str = "number") -> bool:
    """Whether the reply counts what `a`'s question counts (an amount in its unit, a
    score given as one, the people named): only then may a count answer it when another
    question was asked."""
    if how != "number":
        return True
    if _POINTS_QUESTION.search(a.question) and re.search(r"out of|give|分|打|points?|stars?", text):
        return True
    units = _answer_units(a) + a.units
    return _people(a, text) is not None or any(
        x.unit and _same_unit(x.unit, units) and x.unit != "个" for x in amounts(text)
    )


def _answer_units(a: AnswerSet) -> tuple[str, ...]:
    """The units the answers themselves count in ("10吨以下" -> 吨)."""
    if a._units is None:
        a._units = tuple({x.unit for k in a.answers for x in amounts(fold(k)) if x.unit})
    return a._units


def _same_unit(unit: str, units: tuple[str, ...]) -> bool:
    """Whether a unit said counts what the answers count; 个 counts anything."""
    if unit == "个" or any(u in unit or unit in u for u in units):
        return True
    ages = ("岁", "年", "year", "月", "month")
    return any(w in unit for w in ages) and any(w in u for u in units for w in ages)


def _other_period(question: str, text: str) -> bool:
    """Whether the reply counts over another period than the question asks about."""
    asked, said = _PERIOD.search(question), _PERIOD.search(text)
    if asked is None or said is None:
        return False
    return _PERIODS.get(asked.group(1), asked.group(1)) != _PERIODS.get(
        said.group(1), said.group(1)
    )


def _reads_as_time(a: AnswerSet, heard: Heard) -> bool:
    """Whether the time stage reads the reply among answers that are hours of the day."""
    try:
        return a.choices is not None and a.choices.pick(heard.text, heard.today) is not None
    except times.Ambiguous:
        return True


def _people(a: AnswerSet, text: str) -> float | None:
    """How many people "me, my wife and three kids" or "我和我老婆" names."""
    if "人" not in a.units and "people" not in a.units:
        return None
    if re.search(
        r"just me|only me|myself|live alone|就我一?个|我一个人|一个人|我自己|就我自己", text
    ):
        return 1.0
    couple = 2 if _COUPLE.search(text) else 0  # "我们夫妻俩加一个孩子"
    if couple:
        text = _COUPLE.sub(" ", text)
    named = {_ME.get(m.group(0), m.group(0)) for m in _PERSON.finditer(text)}
    kids = sum(x.low for x in amounts(text) if x.exact and re.search(
        r"^\s*(kids|children|sons|daughters|个孩子|孩子)", text[x.end : x.end + 10]
    ))  # fmt: skip
    if kids:
        named = {n for n in named if not re.search(r"kid|child|孩子", n)}
    if couple + len(named) + (1 if kids else 0) < 2:
        return None
    return float(couple + len(named) + kids)


def _inside(a: AnswerSet, said: Range) -> int | None:
    inside = [
        i for i, r in enumerate(a.ranges)
        if r is not None and r.low <= said.low and said.high <= r.high
    ]  # fmt: skip
    return inside[0] if len(inside) == 1 else None


def number_match(a: AnswerSet, said: Range, how: str) -> Match | None:
    """The one answer whose range holds `said`; Ambiguous when it overlaps two ("三四分",
    "一百左右" across two answers); None when it falls outside them all."""
    inside = [
        i for i, r in enumerate(a.ranges)
        if r is not None and r.low <= said.low and said.high <= r.high
    ]  # fmt: skip
    stated = [i for i, r in enumerate(a.stated) if r == said]
    if not inside and len(stated) == 1:  # "十五个以上" for 15个以上 (next to 5-15个)
        return a.pick(stated[0], how)
    if len(inside) == 1:
        return a.pick(inside[0], how)
    if len(inside) > 1 or any(
        r is not None and r.low <= said.high and said.low <= r.high for r in a.ranges
    ):
        raise Ambiguous
    return None
