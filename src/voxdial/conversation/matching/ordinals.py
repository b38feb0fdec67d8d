"""An answer named by its place in the list: "第二个", "the last one", "option B"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.cues import negated_before
from voxdial.conversation.matching.match import Heard, Match
from voxdial.conversation.matching.numbers import amounts_said, is_points_scale, without_pronoun_one
from voxdial.conversation.quantities import EN_TENS, EN_UNITS, amounts

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

_ZH_ORDINAL = {"一": 0, "二": 1, "两": 1, "三": 2, "四": 3, "五": 4, "六": 5, "1": 0, "2": 1,
               "3": 2, "4": 3, "5": 4, "6": 5}  # fmt: skip
_EN_ORDINAL = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "1st": 0,
               "2nd": 1, "3rd": 2, "4th": 3, "5th": 4}  # fmt: skip


# counted from the end: "倒数第二个", "second to last", "the last but one"
_FROM_END = re.compile(
    r"倒数第([一二两三123])|\b(second|third)[- ](to|from)[- ]last\b|\bpenultimate\b|"
    r"\blast but one\b"
)
# named by number: "option 2", "number two", "choice three", "选二", "选2"
_BY_NUMBER = re.compile(
    r"\b(?:option|number|choice) ?(one|two|three|four|five|[1-5])\b|"
    r"选([一二两三四五1-5])(?![\u4e00-\u9fff])"
)
_EN_NUMBER = {"one": 0, "two": 1, "three": 2, "four": 3, "five": 4}


# "first" closing a clause after a verb or a noun is "before that", not a place ("let me
# check with my insurer first", "panels first"); "the first", "first one" are places
_FIRST_ADVERB = re.compile(
    r"\b(?!(?:the|pick|take|choose|want|with|um|uh|er|oh|ok|okay|well|so|yeah|just|"
    r"probably|maybe|definitely|one|me)\b)[a-z']+ first\s*($|[,.!?])"
)


def _special_place(text: str, count: int) -> int | None:
    if m := _FROM_END.search(text):
        back = m.group(1) or m.group(2) or "second"
        n = {"second": 2, "third": 3}.get(back) or _ZH_ORDINAL[back] + 1
        return count - n if count - n >= 0 else None
    if m := _BY_NUMBER.search(text):
        word = m.group(1) or m.group(2)
        return _EN_NUMBER.get(word, _ZH_ORDINAL.get(word))
    return None


def place(text: str, count: int) -> int | None:
    """The index `text` names among `count` answers, if it names one by place."""
    index = _special_place(text, count)
    if index is not None:
        pass
    elif m := re.search(r"第([一二两三四五六123456])(个|种|项|条|位|档|类|)", text):
        index = _ZH_ORDINAL[m.group(1)]
    elif m := re.search(
        r"(?<!\ba )(?<!\bone )(?<!\bat )\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b"
        r"(?! (time|thought|hand|opinion|guess))",
        text,
    ):
        index = None if _FIRST_ADVERB.search(text) else _EN_ORDINAL[m.group(1)]
    elif re.search(r"中间|middle", text) and count in (3, 5):
        index = count // 2  # the middle of three, or of a 1-5 scale
    elif re.search(r"最后|the last|(?<!every )last one|latter|后面那个|后一个|后者", text):
        index = count - 1
    elif re.search(r"前面那个|^前面的?$|前一个|前者|former|头一个|the first one", text):
        index = 0
    elif m := re.search(r"\b(?:option|choice) ([a-e])\b|^([a-e])$|选([a-eA-E])", text):
        index = "abcde".index((m.group(1) or m.group(2) or m.group(3)).lower())
    if index is None or index >= count:
        return None
    return index


def ordinal(a: AnswerSet, heard: Heard) -> Match | None:
    index = place(heard.text, len(a.answers))
    return None if index is None else a.pick(index, "ordinal")


# plans or sizes in a known order, lowest first: "the cheapest one" is the lowest tier
_TIERS = [
    ("basic", "essential", "starter", "lite", "light", "standard", "plus", "premium", "pro",
     "deluxe", "ultimate"),
    ("bronze", "silver", "gold", "platinum"),
    ("small", "medium", "large"),
    ("economy", "standard", "superior", "deluxe", "executive", "suite", "presidential"),
    ("基础", "入门", "标准", "高级", "豪华", "尊享", "旗舰"),
    ("小杯", "中杯", "大杯"),
]  # fmt: skip
_PRICE = re.compile(r"[$¥£€]\s?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s?(元|块|dollars?|bucks|pounds?)")
# the lowest or the highest of the list, said by price or by level
_LOWEST = re.compile(
    r"\bcheap(est|er)\b|\bleast expensive\b|\bless expensive\b|\blowest (price|cost|tier|one)\b|"
    r"\bmost basic\b|\bthe basic one\b|\bcheapest\b|\bwhichever('s| is) cheap|哪个便宜|"
    r"\b(smallest|littlest)\b|最便宜|最小的?|"
    r"(?<![挺很太不还蛮])便宜(的|点的?)(那个|那种|那款|$)|最低(的|档|那个)|最基础|最简单的(那个|那种)"
)
_HIGHEST = re.compile(
    r"\bmost expensive\b|\bpriciest\b|\b(biggest|largest)\b|最大的?|\bdear(est|er)\b|"
    r"\bpricier\b|\btop (one|tier|plan)\b|\bwhichever('s| is) (the )?best\b|哪个贵|"
    r"\bhighest (tier|one|level)\b|\bthe best one\b|\beverything included\b|最贵|最高(的|档|那个)|"
    r"最好的(那个|那种|那款)|(?<![挺很太不还蛮])贵(的|点的?)(那个|那种|那款|$)|全包的?"
)
# "the cheaper one" compares two: it names one only of two answers
_COMPARES = re.compile(r"\b(cheaper|less expensive|dearer|pricier)\b|便宜点的?|贵点的?")


# of two kinds of one thing, the one that costs less and the one that costs more
_VALUE = (
    re.compile(
        r"generic|own[- ]brand|store brand|saver|budget|economy|value|经济|普通|品质|副厂|国产|平价"
    ),
    re.compile(
        r"brand(ed)?( name)?|original|genuine|oem|premium|flexible|原装|原厂|正品|进口|高端"
    ),
)


def ranks_of(keys: list[str], uncertain: list[bool], question: str = "") -> list[float] | None:
    """Each answer's place from lowest to highest (by a tier word, a price, or a kind
    that costs less or more: generic / brand name, 品质屏 / 原装屏; else by the price the
    question gives after it, "Basic at $29"), when every answer has one and no two share
    it. Not with an uncertain answer among them: ranking the rest then added wrong
    answers on the validation part (blind5, aggregates only)."""
    if any(uncertain):
        return None
    ranks = _ranks(keys)
    if ranks is None and (prices := _question_prices(question, keys)) is not None:
        ranks = prices if len(set(prices)) == len(prices) > 1 else None
    return ranks


def _ranks(keys: list[str]) -> list[float] | None:
    low, high = _VALUE
    value = [0.0 if low.search(k) else 1.0 if high.search(k) else None for k in keys]
    if len(keys) == 2 and None not in value and len(set(value)) == 2:
        return value  # type: ignore[return-value]
    for tier in _TIERS:
        ranks = [next((n for n, w in enumerate(tier) if w in k), None) for k in keys]
        if all(r is not None for r in ranks) and len(set(ranks)) == len(ranks) > 1:
            return [float(r) for r in ranks]  # type: ignore[arg-type]
    prices = []
    for k in keys:
        m = _PRICE.search(k)
        prices.append(float(m.group(1) or m.group(2)) if m else None)
    if all(p is not None for p in prices) and len(set(prices)) == len(prices) > 1:
        return prices  # type: ignore[return-value]
    return None


def _stretches(question: str, keys: list[str]) -> list[str] | None:
    """What the question says right after each answer, up to the next one ("basic at
    $29, " of "Basic at $29, Plus at $49"); None when an answer is not in the question."""
    starts = []
    for k in keys:
        pattern = rf"(?<![a-z]){re.escape(k)}(?![a-z])" if k.isascii() else re.escape(k)
        found = re.search(pattern, question) if k else None
        if found is None:
            return None
        starts.append((found.start(), found.end()))
    order = sorted(range(len(keys)), key=lambda i: starts[i][0])
    ends = {i: starts[j][0] for i, j in zip(order, order[1:], strict=False)}
    return [question[end : ends.get(i, len(question))][:24] for i, (_, end) in enumerate(starts)]


def figures_of(question: str, keys: list[str]) -> list[frozenset[float]] | None:
    """The figures the question says after each answer ("Basic at $29, Plus at $49" ->
    {29}, {49}; "基础版每月59元、标准版99元" -> {59}, {99}), when every answer has its own
    and no two share one; None otherwise."""
    stretches = _stretches(question, keys)
    if stretches is None:
        return None
    figures = [frozenset(x.low for x in amounts(s) if x.exact) for s in stretches]
    flat = [f for fs in figures for f in fs]
    return figures if all(figures) and len(flat) == len(set(flat)) else None


def _question_prices(question: str, keys: list[str]) -> list[float] | None:
    """Each answer's price as the question says it after the answer ("Plus at $49")."""
    stretches = _stretches(question, keys) or []
    found = [_PRICE.search(s) for s in stretches]
    if not stretches or not all(found):
        return None
    return [float(m.group(1) or m.group(2)) for m in found if m]


def figure(a: AnswerSet, heard: Heard) -> Match | None:
    """The answer whose figure in the question the reply says ("the 49 one", "要那个九十九
    的", "the 100 meg"); none when it says figures of two answers."""
    if a.figures is None or a.is_numeric or a.is_scale:
        return None
    said = {x.low for x in amounts(without_pronoun_one(heard.text)) if x.exact}
    hits = {i for i, fs in enumerate(a.figures) if fs & said}
    return a.pick(hits.pop(), "figure") if len(hits) == 1 else None


def extreme(a: AnswerSet, heard: Heard) -> Match | None:
    """The lowest or highest answer when the answers say their order ("the cheapest
    one" of Basic / Plus / Premium, 最贵的 of 99元 / 199元 套餐)."""
    if a.ranks is None:
        return None
    text = heard.text
    low, high = bool(_LOWEST.search(text)), bool(_HIGHEST.search(text))
    if low == high or (_COMPARES.search(text) and len(a.ranks) != 2):
        return None
    return a.pick(a.ranks.index(min(a.ranks) if low else max(a.ranks)), "ordinal")


# --- an answer that is a size or an amount (140 / 240 / 360 litres) ------------------------
# the number words the quantities reader knows, one word each: "one".."nine", "ten".."nineteen"
_WORDS = {w: int(n) for w, n in EN_UNITS.items() if " " not in w}
_DIGIT_WORDS = {w: n for w, n in _WORDS.items() if 1 <= n <= 9}
_TEENS_WORDS = {w: n for w, n in _WORDS.items() if 10 <= n <= 19}
_TENS_WORDS = EN_TENS
# a number said as its hundreds and then the rest, the way sizes, models and prices are
# read out: "two forty" (240), "three sixty five" (365), "one oh five" (105)
_HUNDREDS_SPOKEN = re.compile(
    rf"\b({'|'.join(_DIGIT_WORDS)})[\s-]+(?:({'|'.join(_TENS_WORDS)})(?:[\s-]+"
    rf"({'|'.join(_DIGIT_WORDS)}))?|({'|'.join(_TEENS_WORDS)})|oh[\s-]+({'|'.join(_DIGIT_WORDS)}))\b"
)
# the smallest or the biggest of sizes ("the smallest of those", "the biggest you do",
# "the big one", 最大的); a comparative ("the bigger one") names one only of two
_SMALLEST = re.compile(
    r"\b(smallest|littlest|tiniest|least)\b|\bthe (small|little|tiny) (one|size)\b|"
    r"最小|小的那(个|种|款)|最少(的|那)|\bthe fewest\b"
)
_BIGGEST = re.compile(
    r"\b(biggest|largest|hugest)\b|\bthe (big|large|huge) (one|size)\b|最大|大的那(个|种|款)|"
    r"最多(的|那)"
)
_SMALLER = re.compile(r"\b(smaller|littler)\b|小一?点的|小些的")
_BIGGER = re.compile(r"\b(bigger|larger)\b|大一?点的|大些的")


# units of a size or a measure, not a count: "the biggest" of 1个 / 2个 / 3个 names no count
_MEASURE = re.compile(
    r"\d\s?(lit(re|er)s?|l|ml|gb|tb|mb|megs?|gigs?|kg|kilos?|lbs?|inch(es)?|in|cm|mm|metres?|"
    r"meters?|m|sq ?(ft|m)|square (feet|metres|meters)|feet|ft|kw|watts?|w|hp|cc|"
    r"升|毫升|寸|英寸|平米|平方米?|米|公斤|斤|克|瓦|千瓦|匹|兆|g|t|m)(?![a-z])"
)
# a package's size in lessons or sessions (48节 / 96节 / 144节): a count, read as a size
# only when the reply says the biggest or the smallest and no figure ("最大那个")
_LESSONS = re.compile(r"\d\s?(节|课时|堂|lessons?|sessions?|classes)(?![a-z])")


def _sizes(a: AnswerSet, unit: re.Pattern[str] = _MEASURE) -> list[tuple[float, int]] | None:
    """(value, index) of answers that are each one measure (140 litres, 1 tb, 55寸), when
    every answer but an uncertain one is and no two share a value."""
    sizes = []
    for i, r in enumerate(a.ranges):
        if a.uncertain[i]:
            continue
        if r is None or r.low != r.high or not unit.search(a.keys[i]):
            return None
        sizes.append((r.low, i))
    if len(sizes) < 2 or len({v for v, _ in sizes}) != len(sizes):
        return None
    return None if a.is_scale or is_points_scale(a) else sizes


def _spoken_hundreds(text: str) -> set[float]:
    found = set()
    for m in _HUNDREDS_SPOKEN.finditer(text):
        rest = (
            _TENS_WORDS.get(m.group(2) or "", 0) + _DIGIT_WORDS.get(m.group(3) or "", 0)
            + _TEENS_WORDS.get(m.group(4) or "", 0) + _DIGIT_WORDS.get(m.group(5) or "", 0)
        )  # fmt: skip
        found.add(float(_DIGIT_WORDS[m.group(1)] * 100 + rest))
    return found


def quantity(a: AnswerSet, heard: Heard) -> Match | None:
    """An answer that is an amount, named by its figure alone or read out ("small one,
    140", "two forty", "one forty litre" for 140 litres), or as the smallest or the
    biggest ("the smallest of those", "the biggest you do"); read before the number
    stage, which takes "one" and "forty" for two counts."""
    sizes = _sizes(a)
    if sizes is None:
        return _pack_end(a, heard)
    text = without_pronoun_one(heard.text)
    said = {x.low for x in amounts_said(a, text) if x.exact} | _spoken_hundreds(text)
    hits = {i for v, i in sizes if v in said}
    low, high = _size_said(heard.text, len(sizes))
    if len(hits) > 1 or (hits and (low or high)):
        ends = {min(sizes)[1]} if low else {max(sizes)[1]} if high else set()
        return a.pick(hits.pop(), "number") if len(hits) == 1 and hits == ends else None
    if hits:
        return a.pick(hits.pop(), "number")
    if low == high:
        return None
    return a.pick((min(sizes) if low else max(sizes))[1], "ordinal")


def _pack_end(a: AnswerSet, heard: Heard) -> Match | None:
    """The biggest or the smallest of packages counted in lessons, said with no figure
    ("最大那个", "先来个最少的试试" of 48节 / 96节 / 144节)."""
    packs = _sizes(a, _LESSONS)
    if packs is None or amounts(without_pronoun_one(heard.text)):
        return None
    low, high = _size_said(heard.text, len(packs))
    if low == high:
        return None
    return a.pick((min(packs) if low else max(packs))[1], "ordinal")


def _size_said(text: str, count: int) -> tuple[bool, bool]:
    """Whether the reply says the smallest, and whether the biggest (not turned down: "not
    the big one"); a comparative counts among two sizes only."""
    def said(most: re.Pattern[str], more: re.Pattern[str]) -> bool:
        m = most.search(text) or (more.search(text) if count == 2 else None)
        return m is not None and not negated_before(text, m.start(), 16)

    return said(_SMALLEST, _SMALLER), said(_BIGGEST, _BIGGER)


# --- an answer named by where it falls in a span or by how long it is ------------------
# Days of the month (5号 / 15号 / 25号, "the 1st" / "the 15th") named by the part of the
# month they fall in: its start (月初, "early in the month"), middle (月中) or end (月底).
_DAY_OF_MONTH = re.compile(
    r"^(?:每月)?(\d{1,2}) ?(?:号|日)$|^(?:the )?(\d{1,2}) ?(?:st|nd|rd|th)?$"
)
_MONTH_PART = (
    ("start", re.compile(
        r"月初|月头|上旬|月份?(刚)?开头|\b(beginning|start) of (the|each|every) month\b|"
        r"\bearly (in|on in) the month\b|\bfirst (week|part|half) of the month\b|"
        r"最早的?(那个|那天|那一?号)|\bthe earliest\b|靠前的?(那个|那天)"
    )),
    ("middle", re.compile(
        r"月中(?!旬)|中旬|\bmid[- ]?month\b|\b(middle|mid) of the month\b|"
        r"\bhalfway through the month\b"
    )),
    ("end", re.compile(
        r"月底|月末|月尾|下旬|\bend of (the|each|every) month\b|\blate in the month\b|"
        r"\blast (week|part|half) of the month\b|最晚的?(那个|那天|那一?号)|\bthe latest\b|"
        r"靠后的?(那个|那天)"
    )),
)  # fmt: skip
# answers that are a length of time (3期 / 6期 / 12期, "10-year loan"), named by length
_LENGTH_UNIT = re.compile(
    r"(\d+) ?(?:个)?(年|月|期|周|天|years?|months?|weeks?|days?|instal?lments?|payments?)"
)
_TIME_WORD = re.compile(r"年|月|周|天|日|\b(year|month|week|day|night)s?\b")
_LONGEST = re.compile(r"\blongest\b|最长|期数最多|时间最长|期限最长")
_SHORTEST = re.compile(r"\bshortest\b|最短|期数最少|时间最短|期限最短")
_LONGER = re.compile(r"\blonger\b|长一?点的?|时间长的|期限长的|期数多的|长的那个|久一点的")
_SHORTER = re.compile(r"\bshorter\b|短一?点的?|时间短的|期限短的|期数少的|短的那个")


def _month_days(a: AnswerSet) -> list[tuple[int, int]] | None:
    """(day, index) of answers that are days of the month, when all but an uncertain
    answer are; None otherwise."""
    days = []
    for i, key in enumerate(a.keys):
        if a.uncertain[i]:
            continue
        m = _DAY_OF_MONTH.match(key)
        if m is None:
            return None
        days.append((int(m.group(1) or m.group(2)), i))
    return days if len(days) >= 2 and len({d for d, _ in days}) == len(days) else None


def _lengths(a: AnswerSet) -> list[tuple[float, int]]:
    """(length, index) of answers that are a length in one unit of time; others (paid
    in full, 还没想好) are left out, unless one of them is a length said without a
    number ("month to month")."""
    found = [(m, i) for i, k in enumerate(a.keys) if (m := _LENGTH_UNIT.search(k))]
    if len({m.group(2).rstrip("s") for m, _ in found}) != 1:
        return []
    timed = {i for _, i in found}
    if any(_TIME_WORD.search(k) for i, k in enumerate(a.keys) if i not in timed):
        return []  # "month to month" is a length too, without a number: not ranked
    lengths = [(float(m.group(1)), i) for m, i in found]
    return lengths if len({n for n, _ in lengths}) == len(lengths) else []


# a length of time in months, by the word of its unit
_MONTHS = {"年": 12, "year": 12, "月": 1, "month": 1, "期": 1, "instalment": 1, "installment": 1,
           "payment": 1, "周": 0.23, "week": 0.23, "天": 1 / 30, "day": 1 / 30}  # fmt: skip


def _in_months(n: float, unit: str) -> float | None:
    word = next((w for w in _MONTHS if w in unit), None)
    return None if word is None else round(n * _MONTHS[word], 2)


def length(a: AnswerSet, heard: Heard) -> Match | None:
    """An answer that is a length of time named by the same length in other words or
    units ("the two year one", "24 months" for 24-month; 一年的 for 12期)."""
    known = {}
    for i, k in enumerate(a.keys):
        if m := _LENGTH_UNIT.search(k):
            known[i] = _in_months(float(m.group(1)), m.group(2))
    if len(known) < 1 or a.is_numeric or len(set(known.values())) != len(known):
        return None
    said = set()
    for x in amounts(without_pronoun_one(heard.text)):
        if x.exact and x.unit and (months := _in_months(x.low, x.unit)) is not None:
            said.add(months)
    hits = [i for i, months in known.items() if months in said]
    return a.pick(hits[0], "length") if len(said) == 1 and len(hits) == 1 else None


def _one_said(patterns: list[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    said = {name for name, p in patterns if p.search(text)}
    return said.pop() if len(said) == 1 else None


def span(a: AnswerSet, heard: Heard) -> Match | None:
    """A day of the month named by the part of the month it falls in ("就月初那个吧" =
    5号 of 5号 / 15号 / 25号; the middle only of three), or a length named by how long
    it is ("the longer loan", "最长的那个"; a comparative only of two lengths)."""
    text = heard.text
    days = _month_days(a)
    if days is not None:
        part = _one_said(list(_MONTH_PART), text)
        if part is None or (part == "middle" and len(days) != 3):
            return None
        days.sort()
        return a.pick(days[{"start": 0, "middle": 1, "end": -1}[part]][1], "ordinal")
    lengths = sorted(_lengths(a))
    if len(lengths) < 2:
        return None
    most = _one_said([("long", _LONGEST), ("short", _SHORTEST)], text)
    more = _one_said([("long", _LONGER), ("short", _SHORTER)], text)
    if most is None and (more is None or len(lengths) != 2):
        return None
    return a.pick(lengths[-1 if (most or more) == "long" else 0][1], "ordinal")
