"""Amounts said in replies, as the range of values the callee meant: "三个" -> 3,
"五六个" -> 5..6, "七八十块" -> 70..80, "一百多" -> just over 100 up to 199, "三十来块"
-> about 30, "四十出头" -> 40..44, "五十以下" -> below 50, "两岁半" -> 2.5,
"five or six" -> 5..6, "three and a half" -> 3.5, "four out of five" -> 4.

Each amount keeps the counting word said after it ("口", "岁", "月", "people"), so a
matcher can prefer the amount that counts what its question asks about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from voxdial.conversation import normalize
from voxdial.conversation.normalize import fold

_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "仨": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}
# words with numeral characters that are not amounts
_NOT_AMOUNTS = (
    "一般", "一下", "一直", "一样", "一定", "一些", "一起", "统一", "万一", "一会",
    "一点点", "一切", "一边", "一向", "一共", "唯一", "第一时间", "一致", "千万", "万分",
    "十分", "一天到晚", "不一", "一旦", "一概", "一律", "一家", "一趟", "一次性", "一年一付",
    "一付", "一交", "一块儿", "一半", "一亮", "一班", "三番五次", "七上八下", "乱七八糟",
    "一点都", "一辈子", "一阵", "一大家", "一大群", "一大帮", "一大堆", "一屋子", "二手",
    "双十一", "双十二", "双11", "双12", "隔三差五", "隔三岔五", "三天两头", "三三两两", "一五一十",
    "一齐",  # Cantonese "together"
    # more than a few, how many not said ("quite a few", "a good few"): not the three of "a few"
    "quite a few", "a good few", "a fair few", "not a few",
    # asked again ("再讲一次", "再说一遍"): how often to say it, no count
    "再说一次", "再说一遍", "再讲一次", "再讲一遍", "讲多一次", "讲多一遍", "再念一遍", "再念一次",
)  # fmt: skip
_NOT_AMOUNT_RE = re.compile(
    "|".join(sorted(map(re.escape, _NOT_AMOUNTS), key=len, reverse=True))
    # a day's name ("周五") is not five; "一周三天", "一周一次" count in a week
    + r"|(?<![一每两])(?:周|星期|礼拜)[一二三四五六日天1-7](?![次回趟遍])"
    + r"|(?<=每)(?:周|星期|礼拜)[一二三四五六日天1-7](?![次回趟遍天个一二两三四五六七八九])"
    + r"|没几|没多少"  # "没几个" says few (numbers.FEW), not "a few" of them
    # 一 + a verb + 就, "as soon as" ("一回来就找玩具", "一进门就"): no count of anything
    + r"|一(?=(?:回来|回家|进门|进屋|到家|出门|下班|上车|下车|开门|开机|打开|看到|看见|听到|"
    + r"接到|收到).{0,2}就)"
    + r"|(?<![\d一二三四五六七八九十])[零〇一二九八七]几年"  # 零几年: a decade (see years_since)
    # generations under one roof ("三代同堂", "四世同堂"): how a household is made up
    + r"|[两二三四五]\s*(?:代|世)(?:人)?\s*(?:同堂|一起住|住一起|一块住)"
)
_ZH_NEIGHBOURS = re.compile(r"([一二两俩三四五六七八九])([二两三仨四五六七八九])([十百千万]?)")
_ZH_RUN = re.compile(r"[零〇一二两俩三仨四五六七八九十百千万]+(?:点[零一二三四五六七八九]+)?")
# normalize's English number words, and the ways of saying a count it need not read
EN_UNITS = normalize.EN_UNITS | {
    "none": 0, "a dozen": 12, "a single": 1, "just the one": 1, "an only": 1,
}  # fmt: skip
EN_TENS = normalize.EN_TENS
_EN_NUMBER = re.compile(
    r"\b(?:(" + "|".join(EN_TENS) + r")(?:[\s-](one|two|three|four|five|six|seven|eight|nine))?"
    r"|(" + "|".join(sorted((u for u in EN_UNITS if u != "none"), key=len, reverse=True)) + r"))\b"
)
_UNIT = re.compile(
    r"\s*(口人|口|个人|个月|个小时|个钟头|个星期|个礼拜|个g|个|人|位|周岁|岁|月|年|分钟|分|颗星|星|块钱|块|元|辆|台|部|次|回|趟|遍|"
    r"小时|钟头|天|晚|宿|夜|周|星期|礼拜|"
    r"gb|g|mb|m|兆|公斤|斤|公里|km|kg|"
    r"吨|度|立方米?|方|升|毫升|平米|平方米?|米|件|只|条|张|本|瓶|箱|袋|包|盒|杯|份|支|双|套(?!内)|间|户|层|室|"
    r"people|persons?|kids?|children|adults|cars?|years?|months?|weeks?|points?|stars?|dollars?|"
    r"bucks|times|hours?|minutes?|mins?|days?|nights?|tons?|tonnes?|gallons?|lit(?:er|re)s?|kwh|units?|"
    r"pets?|dogs?|cats?|animals?|rooms?|bedrooms?|bags?|boxes|packages?|parcels?|items?)?"
    r"(?![a-z])"  # a whole word: "months" is not "m"
)


@dataclass(frozen=True)
class Amount:
    low: float
    high: float
    start: int
    end: int
    unit: str = ""

    @property
    def exact(self) -> bool:
        return self.low == self.high


def zh_number(run: str) -> float | None:
    """A Chinese numeral: 三, 十五, 二十八, 一百二, 三千五百, 两万."""
    if not run:
        return None
    if all(c in _ZH_DIGIT for c in run):
        if len(run) == 1:
            return float(_ZH_DIGIT[run])
        return float("".join(str(_ZH_DIGIT[c]) for c in run))  # 二零二六 -> 2026
    total, section, digit = 0, 0, None
    last_unit = 1
    for c in run:
        if c in _ZH_DIGIT:
            digit = _ZH_DIGIT[c]
        elif c in _ZH_UNIT:
            unit = _ZH_UNIT[c]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
            last_unit = unit
        else:
            return None
    if digit is not None:
        # 一百二 = 120, 三千五 = 3500: a trailing digit counts in the next smaller unit
        section += digit * (last_unit // 10 if last_unit >= 100 and len(run) > 1 else 1)
    return float(total + section)


_ZH_VAGUE = {"几": (2, 9), "好几": (3, 9), "几十": (20, 90), "十几": (11, 19), "几百": (200, 900),
             "一百多": (101, 199)}  # fmt: skip
# a share of one unit said without a numeral ("半年", "大半年", "小半个月", "个把月"); "一年半"
# is a numeral with 半 after it (see _qualified)
_ZH_HALVES = {"半": (0.5, 0.5), "大半": (0.5, 0.99), "小半": (0.25, 0.5), "个把": (1.0, 1.5)}
_ZH_HALF = re.compile(
    r"(?<![零〇一二两俩三仨四五六七八九十百个年岁块点])(大半|小半|半|个把)个?"
    r"(年|月|天|小时|钟头|周|星期|礼拜|辈子|岁)"
)


# tens and some more ("八十几", "二十几"): the tens' digit and one to nine over it
_TENS_AND_SOME = re.compile(r"(?<![一二两三四五六七八九十百千万])([二三四五六七八九])十几")
# 万 (ten thousand) after an amount multiplies all of it: "十八九万", "二十几万", "五六万"
_MYRIAD = re.compile(r"\s*万")


def _myriad(text: str, end: int) -> int:
    """Where the 万 after the amount ending at `end` ends; `end` when none follows."""
    m = _MYRIAD.match(text, end)
    return m.end() if m else end


def _vague_amounts(text: str) -> list[Amount]:
    out: list[Amount] = []
    vague = r"好几|几十|十几|几百|(?<![好十])几(?=[个位口人岁辆台块元次回趟遍天年g万])"
    for m in _TENS_AND_SOME.finditer(text):
        tens = _ZH_DIGIT[m.group(1)] * 10
        out.append(_scaled(text, m.start(), m.end(), float(tens + 1), float(tens + 9)))
    for m in re.finditer(vague, text):
        if any(a.start <= m.start() < a.end for a in out):
            continue
        low, high = _ZH_VAGUE[m.group()]
        out.append(_scaled(text, m.start(), m.end(), float(low), float(high)))
    return out


def _scaled(text: str, start: int, end: int, low: float, high: float) -> Amount:
    """The amount at text[start:end], times ten thousand when 万 follows it."""
    if (past := _myriad(text, end)) != end:
        return _qualified(text, start, past, low * 10000, high * 10000)
    return _qualified(text, start, end, low, high)


def _zh_amounts(text: str) -> list[Amount]:
    out = _vague_amounts(text)
    for m in _ZH_HALF.finditer(text):  # 半年, 大半年, 个把月: a share of one unit, no numeral
        low, high = _ZH_HALVES[m.group(1)]
        bound = _ZH_BOUND.search(text[max(0, m.start() - 4) : m.start()])  # 不到半年
        if bound:
            low, high = _bounded(bound.lastgroup or "", low, high)
        out.append(Amount(low, high, m.start(), m.end(), m.group(2)))
    for m in _ZH_RUN.finditer(text):
        if any(a.start <= m.start() < a.end or m.start() <= a.start < m.end() for a in out):
            continue
        run = m.group()
        start, end = m.start(), m.end()
        if "点" in run:
            run = run.split("点")[0]
            end = start + len(run)
        myriads = 1.0
        if len(run) > 1 and run.endswith("万") and "万" not in run[:-1]:
            run, myriads = run[:-1], 10000.0  # "十八九万": 18..19 ten thousands
        elif run == "万":
            continue  # 万 alone, after digits ("10万"): read with them (see _en_amounts)
        low = high = None
        # adjacent digits in a row mean "about": 五六 = 5..6, 七八十 = 70..80, 十五六 = 15..16
        if a := _ZH_NEIGHBOURS.fullmatch(run):
            x, y = _ZH_DIGIT[a.group(1)], _ZH_DIGIT[a.group(2)]
            if y in (x + 1, x + 2) or (x == 1 and y == 2):
                scale = _ZH_UNIT.get(a.group(3), 1)
                low, high = float(x * scale), float(y * scale)
        elif a := re.fullmatch(
            r"([一二三四五六七八九]?)十([一二三四五六七八])([二三四五六七八九])", run
        ):
            tens = (_ZH_DIGIT[a.group(1)] if a.group(1) else 1) * 10
            x, y = _ZH_DIGIT[a.group(2)], _ZH_DIGIT[a.group(3)]
            if y == x + 1:
                low, high = float(tens + x), float(tens + y)
        if low is None and len(run) == 2 and run[0] == run[1] and run[0] in _ZH_DIGIT:
            low = high = float(_ZH_DIGIT[run[0]])  # "七 七分吧": a stutter, not 77
        if low is None and len(run) > 1 and run[0] in "两俩仨" and run[1] in _ZH_DIGIT:
            # 两 / 俩 / 仨 are never read digit by digit as 二零二六 is: "俩一猫一狗" is 2, 1
            count = float(_ZH_DIGIT[run[0]])
            out.append(_qualified(text, start, start + 1, count, count))
            start, run = start + 1, run[1:]
        if low is None:
            value = zh_number(run)
            if value is None:
                continue
            low = high = value
        out.append(_qualified(text, start, end, low * myriads, high * myriads))
    return out


# a bound said before an amount (maybe before its currency sign, "under $40"): up to it
# (不超过二十吨), below it (不到一年, 没有十个), nearly it (快十年了), a little past it
# ("just over a year", 刚过十年), at least it (至少三个);
# in English the same families
_BOUND_END = r"\s*[$£€¥￥]?\s*$"
_ZH_BOUND = re.compile(
    r"(?P<upto>不超过|最多|顶多|至多|不多于|(?<![a-z])up to|at most|no more than|"
    rf"not more than){_BOUND_END}|"
    r"(?P<below>不到|没到|没有|不满|未满|没满|不足|(?<![a-z])under|below|less than|fewer than|"
    rf"not even( a| an)?|not quite( a| an)?|short of){_BOUND_END}|"
    r"(?P<nearly>快|将近|接近|差不多快|almost|nearly|close to|just under|"
    rf"getting on for){_BOUND_END}|"
    r"(?P<past>(?<![a-z])(?:just|only just|barely|slightly|a (?:little |tiny )?bit|a little) "
    rf"(?:over|more than|past)|刚过|刚超过|刚刚超过){_BOUND_END}|"
    r"(?P<least>至少|起码|最少|超过|不止|不少于|多于|(?<![a-z])over|more than|above|at least|"
    r"upwards of|"
    rf"well over|longer than){_BOUND_END}"
)


def _bounded(kind: str, low: float, high: float) -> tuple[float, float]:
    """An amount's range under a bound said before it (see _ZH_BOUND)."""
    if kind == "upto":
        return float("-inf"), high
    if kind == "below":
        return float("-inf"), low - 0.01
    if kind == "nearly":
        return low - (5 if low >= 20 else max(0.2 * low, 0.25)), low - 0.01
    if kind == "past":  # "just over a year": a little above it, as "nearly" is below
        return high + 0.01, high + (5 if high >= 20 else max(0.2 * high, 0.25))
    return low, float("inf")


def _about(after: str, tail: str, low: float, unit: str) -> bool:
    """Whether 来 after an amount says "about": after a round number ("十来年", "二十来个",
    "一百来块") or between a measure word and what it measures ("一个来月", "两块来钱");
    elsewhere 来 is the verb "come" ("两分 来晚了", "三个来了").
    """
    if re.match(r"\s*来", after):
        return low >= 10 and low % 10 == 0
    return unit in ("个", "块", "斤", "里") and bool(re.match(r"\s*来(?![了的过着得晚早])", tail))


def _qualified(text: str, start: int, end: int, low: float, high: float) -> Amount:
    """The amount at text[start:end] with what is said around it: its unit, 半, 多, 来,
    出头, 左右, 以上, 以下, 快, 上."""
    after = text[end:]
    unit_m = _UNIT.match(re.sub(r"^(来|多|余)(?=\S)", " ", after))  # 十来年: years
    unit = (unit_m.group(1) or "") if unit_m else ""
    tail = after[unit_m.end() if unit_m else 0 :]
    before = text[max(0, start - 4) : start]
    if re.match(r"\s*半", after) or re.match(r"(个|岁|块|年|分|星|颗星|小时|个月|周)半", after):
        low += 0.5
        high += 0.5
    elif re.match(r"\s*多", after) or re.match(r"\s*多", tail):
        step = 10 if low >= 20 and low % 10 == 0 else 1
        if low >= 100 and low % 100 == 0:
            step = 100
        low, high = low + 0.01, high + step - 0.01
    elif re.match(r"\s*出头", after) or re.match(r"\s*出头", tail):
        high = high + 4
    elif _about(after, tail, low, unit):
        high = high + 2
    if re.match(r"\s*(以上|及以上|或以上|往上)", tail) or re.match(r"\s*(以上|往上)", after):
        high = float("inf")
    elif re.match(r"\s*(以下|以内|之内|不到)", tail) or re.match(r"\s*(以下|以内|不到)", after):
        low, high = float("-inf"), low - 0.01
    bound = _ZH_BOUND.search(before)
    if bound and low != float("-inf") and high != float("inf"):
        low, high = _bounded(bound.lastgroup or "", low, high)
    elif before.endswith("上") and unit in ("", "百", "千"):  # 上百 = 100 or more
        low, high = low + 0.01, float("inf")
    return Amount(low, high, start, end, unit)


# English amounts said without a numeral: "a year", "an hour", "half a year", "once",
# "twice", "a decade and a half" (the value, and the unit it counts in when it has one)
_EN_ARTICLE_UNITS = (
    "years?|months?|weeks?|days?|nights?|hours?|cars?|dogs?|cats?|pets?|kids?|child|rooms?|"
    "bedrooms?|person|visits?"
)
_EN_WORDY = re.compile(
    r"\b(?P<half>half an?|a half)\s+(?=(?:" + _EN_ARTICLE_UNITS + r"|dozen)\b)|"
    r"\b(?P<one>an?)\s+(?=(?:" + _EN_ARTICLE_UNITS + r")\b)|"
    r"\b(?P<times>once|twice|thrice)\b(?!\s+(?:i|we|you|he|she|they|it)\b)|"
    r"\b(?P<decades>an?|one|two|three|four|five|\d+)\s+decades?(?P<dhalf>\s+and\s+a\s+half)?\b"
)
_EN_TIMES = {"once": 1, "twice": 2, "thrice": 3}
_EN_DECADES = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _en_wordy(text: str) -> list[Amount]:
    out: list[Amount] = []
    for m in _EN_WORDY.finditer(text):
        if m.group("decades"):
            n = _EN_DECADES.get(m.group("decades")) or float(m.group("decades"))
            years = n * 10 + (5 if m.group("dhalf") else 0)
            out.append(_en_bounded(text, m.start(), m.end(), years, years, "years"))
        elif m.group("times"):
            n = _EN_TIMES[m.group("times")]
            out.append(_en_bounded(text, m.start(), m.end(), n, n, "times"))
        else:
            value = 1.0 if m.group("one") else 0.5
            if m.group("half") and text[m.end() :].startswith("dozen"):
                value = 6.0
            out.append(_en_qualified(text, m.start(), m.end(), value))
    return out


def _en_amounts(text: str) -> list[Amount]:
    out = _en_wordy(text)
    taken = [(a.start, a.end) for a in out]
    for m in re.finditer(r"\d+(?:\.\d+)?", text):
        if any(s <= m.start() < e for s, e in taken):
            continue  # "2 decades"
        value, end = float(m.group()), m.end()
        if (past := _myriad(text, end)) != end:
            value, end = value * 10000, past  # "10万", "2.5万"
        a = _qualified(text, m.start(), end, value, value)
        if a.exact:
            a = _en_qualified(text, m.start(), end, value)
        out.append(a)
    for m in _EN_NUMBER.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue  # "two decades", "five hundred and fifty"
        value, end = _en_number(m), m.end()
        if scale := _EN_SCALE.match(text, end):  # "five hundred", "two thousand and ten"
            value *= _EN_SCALES[scale.group(1)]
            end = scale.end()
            rest = _EN_NUMBER.match(text, end)
            if scale.group(2) is not None and rest:
                value, end = value + _en_number(rest), rest.end()
            taken.append((m.start(), end))
        out.append(_en_qualified(text, m.start(), end, float(value)))
    for m in re.finditer(r"\b(?:(?:a|the|one) )?(hundred|thousand)\b", text):
        if not any(s <= m.start() < e for s, e in taken):  # "the thousand one": 1000
            out.append(_en_qualified(text, m.start(), m.end(), float(_EN_SCALES[m.group(1)])))
    return sorted(out, key=lambda a: a.start)


_EN_SCALES = {"hundred": 100, "thousand": 1000}
# a hundred or a thousand after a number, maybe with the rest after it ("and fifty")
_EN_SCALE = re.compile(r"[\s-]+(hundred|thousand)\b((?:\s+and)?\s+(?=[a-z]))?")


def _en_number(m: re.Match[str]) -> float:
    """The value an `_EN_NUMBER` match says ("forty two", "seven")."""
    if m.group(1):
        return float(EN_TENS[m.group(1)] + (EN_UNITS[m.group(2)] if m.group(2) else 0))
    return float(EN_UNITS[m.group(3)])


def _en_bounded(text: str, start: int, end: int, low: float, high: float, unit: str) -> Amount:
    """An amount with the bound said before it ("not even a year", "over a decade")."""
    bound = _ZH_BOUND.search(text[max(0, start - 18) : start])
    if bound:
        low, high = _bounded(bound.lastgroup or "", low, high)
    return Amount(low, high, start, end, unit)


def _en_qualified(text: str, start: int, end: int, value: float) -> Amount:
    """An English amount with its unit, "and a half" (after the number or its unit), "or
    more", "odd" ("forty odd"), and a bound said before it (see _ZH_BOUND)."""
    low = high = value
    after = text[end:]
    unit_m = _UNIT.match(after)
    unit = (unit_m.group(1) or "") if unit_m else ""
    rest = after[unit_m.end() if unit_m else 0 :]
    if re.match(r" and a half\b|\.5\b", after) or (unit and re.match(r"\s+and a half\b", rest)):
        low = high = value + 0.5
    if re.match(r"\s*(\+|or more|plus|and (up|over|above))", after) or (
        unit and re.match(r"\s*(\+|or more|plus)\b", rest)
    ):
        return Amount(low, float("inf"), start, end, unit)
    if re.match(r"[\s-]odd\b", after) and value >= 20 and value % 10 == 0:
        return Amount(value + 0.01, value + 9.99, start, end, unit)
    return _en_bounded(text, start, end, low, high, unit)


_YEAR_UNITS = ("岁", "年", "周岁", "years", "year", "yrs", "yr")
_MONTH_UNITS = ("个月", "月", "months", "month")


def _years_and_months(a: Amount, b: Amount, between: str) -> Amount | None:
    """Years then months said together ("两岁三个月", "1年零3个月", "two years and three
    months"): one amount of years with the months as its fraction."""
    if a.unit not in _YEAR_UNITS or b.unit not in _MONTH_UNITS:
        return None
    if not (a.exact and b.exact and 0 < b.low < 12):
        return None
    if not re.fullmatch(r"\s*(?:周岁|岁|年|years?|yrs?)\s*(?:零|又|and|,)?\s*", between):
        return None
    months = b.low / 12
    return Amount(a.low + months, a.high + months, a.start, b.end, a.unit)


def amounts(text: str) -> list[Amount]:
    """The amounts said in `text`, in order. "X out of Y" keeps X only; "X or Y",
    "X to Y", "between X and Y" become one amount X..Y."""
    return list(_amounts(text))


@lru_cache(maxsize=4096)
def _amounts(text: str) -> tuple[Amount, ...]:
    t = _NOT_AMOUNT_RE.sub(lambda m: " " * len(m.group()), fold(text))
    t = t.replace("满周岁", "满1岁")  # "还没满周岁": a first birthday, of the same length
    found = sorted(_zh_amounts(t) + _en_amounts(t), key=lambda a: a.start)
    out: list[Amount] = []
    i = 0
    while i < len(found):
        a = found[i]
        b = found[i + 1] if i + 1 < len(found) else None
        between = t[a.end : b.start] if b else ""
        if b and (merged := _years_and_months(a, b, between)) is not None:
            out.append(merged)  # "两岁三个月", "1年3个月", "two years and five months"
            i += 2
            continue
        if b and re.fullmatch(r"\s*(out of|/|分之)\s*", between):
            out.append(a)
            i += 2
            continue
        if b and re.fullmatch(r"\s*(?:\w+\s+)?(or|to|-|~|到|至|或|或者)\s*(?:a |an )?", between):
            if b.end <= len(t) and t[b.end - 1] == "万" and t[a.end - 1] != "万":
                a = Amount(a.low * 10000, a.high * 10000, a.start, a.end, a.unit)  # "10到20万"
            if a.exact and b.exact and b.low > a.low:
                out.append(Amount(a.low, b.high, a.start, b.end, b.unit or a.unit))
                i += 2
                continue
        out.append(a)
        i += 1
    if len(out) == 2 and re.search(r"between\s*$", t[max(0, out[0].start - 9) : out[0].start]):
        a, b = out
        out = [Amount(min(a.low, b.low), max(a.high, b.high), a.start, b.end, b.unit)]
    return tuple(out)


# -- none, not known, how often, how long since: lexicons the count stages read -------

# words that say an amount is the total of the others said, before it ("一共两部") or
# after it ("seventy all in")
TOTAL_BEFORE = r"一共|总共|加起来|加一起|合计|总计|统共|算下来|\b(total(led)?|(comes?|came) to)\b"
TOTAL_AFTER = r"\b(in total|all in|altogether|all together|all up|overall)\b"
TOTAL = f"{TOTAL_BEFORE}|{TOTAL_AFTER}"
# a reply saying none of what is counted ("从来没换", "一次都没有", "一个也没", "never", "not
# once"); the zero answer's own verb ("没换过" -> 没换) is read by numbers.py
ZERO_SAID = re.compile(
    r"从来?没|从来?不|从未|压根儿?没|根本没|一直没|一次(都|也).{0,3}(没|不)|一次没|零次|"
    r"一(个|回|趟|遍|辆|台|只|条|位|口|天|年|件|张)(都|也)(没|不)|"
    r"没(?!几|多少|怎么)有?[\u4e00-\u9fff]{1,2}过(?=$|\s|吧|啊|呢|呀|的)|"
    r"(?<!almost )(?<!nearly )(?<!hardly )\bnever\b(?! more than)|"
    r"\bnot (once|even once|a single (one|time)|one|any|ever)\b|\bnone( at all)?\b|"
    r"\bzero\b|\bno (times|one)\b|\bnot at all\b|"
    r"\bno (?!idea|clue|way|problem|worries|thanks|chance)[a-z]+ at all\b|"
    r"\b(don'?t|do not|doesn'?t) (have|own) any\b"
)
# ...unless what never happened is a miss ("一次都没落下", "never missed one"): that says all
ZERO_MISSED = re.compile(
    r"(没|不)(有)?(落下|落过|落|缺|耽误|错过|漏|拉下|迟到|晚)|"
    r"never (missed|skipped|failed|late)|not (missed|skipped)|(none|not one) (missed|skipped)"
)
# a count the callee does not know or will not give ("不记得", "没数", "no idea", "I'd
# rather not say"): not an answer; intents.UNSURE reads the hedges ("说不好", "not sure")
UNKNOWN_AMOUNT = re.compile(
    r"不记得|记不(得|清|住)|想不起来?|忘(了|记了)(?=$|\s|吧|呢|啊)|没数|没算过|没(数|记)过|说不清|搞不清|"
    r"不方便说|不想说|不愿意?说|不告诉|保密|"
    r"\bno idea\b|\bno clue\b|\blost count\b|(don'?t|do not|can'?t|cannot|couldn'?t) "
    r"(remember|recall|tell|say)\b|\brather not\b|\bprefer not\b|"
    r"(don'?t|do not) want to (say|tell)|"
    r"\bnone of your business\b|\bnot telling\b"
)

# how often, said as a rate over a period: each entry is (pattern, low, high, days of
# the period); "每周两次" is an amount over a period (see PERIOD), these have no numeral
FREQUENCY_IDIOMS = [
    (re.compile(r"隔三差五|隔三岔五|every few days"), 1.5, 3.0, 7),
    (re.compile(r"三天两头"), 2.0, 3.5, 7),
    (re.compile(r"隔天|隔一天|每隔一天|every (other|second) day|on alternate days"), 3.0, 4.0, 7),
    (re.compile(r"天天|每天|每日|\bevery ?day\b|\bdaily\b|\beach day\b"), 1.0, 1.0, 1),
    (re.compile(r"隔周|隔一周|每两周|每隔一周|\bevery (other|second|two) weeks?\b|fortnightly|"
                r"biweekly|once a fortnight"), 1.0, 1.0, 14),
    (re.compile(r"每周|每个?星期|每个?礼拜|\bevery week\b|\bweekly\b"), 1.0, 1.0, 7),
    (re.compile(r"每个?月|\bevery month\b|\bmonthly\b"), 1.0, 1.0, 30),
    (re.compile(r"每个?季度|\bevery quarter\b|\bquarterly\b"), 1.0, 1.0, 91),
    (re.compile(r"每年|\bevery year\b|\byearly\b|\bannually\b"), 1.0, 1.0, 365),
]  # fmt: skip
# a period an amount is counted over: "一个月", "每周", "两个月" (a count of periods),
# "per week", "a month", "every two weeks"
PERIOD = re.compile(
    r"(?P<zh>每隔?[一两俩三]?个?|[一两俩三半]个?)\s*(?P<zu>天|日|周|星期|礼拜|月|季度|年)|"
    r"(?P<en>per|an?|every|each|every (?:other|second|two|three)|"
    r"(?:two|three|four|six) (?=\w+s\b))\s*(?P<eu>day|week|fortnight|month|quarter|year)s?\b"
)
# a Chinese period without 每 is one only before what is counted in it ("一周两三个",
# "两个月三十吨", "三天一次"); "就周末一天" is a count of days
_ZH_COUNT_AFTER = re.compile(
    r"\s*(?:(?!的)[\u4e00-\u9fff]){0,3}?[零一二两俩三仨四五六七八九十几半\d]"
)
# a period's length in days, shortest and longest
_PERIOD_DAYS = {"天": (1, 1), "日": (1, 1), "day": (1, 1), "周": (7, 7), "星期": (7, 7),
                "礼拜": (7, 7), "week": (7, 7), "fortnight": (14, 14), "月": (28, 31),
                "month": (28, 31), "季度": (89, 92), "quarter": (89, 92), "年": (365, 366),
                "year": (365, 366)}  # fmt: skip
_PERIOD_COUNT = {"两": 2, "俩": 2, "三": 3, "半": 0.5, "other": 2, "second": 2, "two": 2,
                 "three": 3, "four": 4, "six": 6}  # fmt: skip


# what is counted before "a week" in "twice a week", "3 a month", "two visits a year"
_EN_COUNT_BEFORE = re.compile(
    r"(times|once|twice|thrice|\d+|one|two|three|four|five|six|seven|eight|nine|ten|couple|"
    r"few|[a-z]{3,}s)\s+$"
)


def _is_rate(text: str, m: re.Match) -> bool:
    """Whether the period at `m` is one something is counted over (see `periods`)."""
    if m.group("zh"):
        return "每" in m.group("zh") or bool(_ZH_COUNT_AFTER.match(text[m.end() :]))
    if m.group("en").strip() in ("a", "an"):
        return bool(_EN_COUNT_BEFORE.search(text[max(0, m.start() - 14) : m.start()]))
    return True


@dataclass(frozen=True)
class Period:
    """A period an amount is counted over, its length in days (shortest, longest)."""

    start: int
    end: int
    low: float
    high: float


def periods(text: str, *, asked: bool = False) -> list[Period]:
    """The periods said in `text` ("一个月" 28..31 days, "两周" 14, "every other week" 14);
    in a reply, "一周" and "a week" are periods only next to what is counted in them
    ("一周三天" counts days, "about a year old" is an age); in a question (`asked`)
    always."""
    out = []
    text = fold(text)
    for m in PERIOD.finditer(text):
        if not asked and not _is_rate(text, m):
            continue
        unit = m.group("zu") or m.group("eu")
        if m.group("zh"):
            zh = m.group("zh")
            count = next((_PERIOD_COUNT[c] for c in zh if c in _PERIOD_COUNT), 1)
            count += 1 if "隔" in zh else 0  # 每隔一天: every other day
        else:
            said = m.group("en").split()
            count = next((_PERIOD_COUNT[w] for w in said if w in _PERIOD_COUNT), 1)
        low, high = _PERIOD_DAYS[unit]
        out.append(Period(m.start(), m.end(), low * count, high * count))
    return out


# a time said as when something began, for "how long" questions: the years since then
# (today: the day of the call); "since 2019", "2019年搬来的", "去年", "last year", "刚搬来"
_SINCE_YEAR = re.compile(r"(?:since|from|in|back in|从|自从|自)?\s*((?:19|20)\d\d)\s*(?:年)?")
_YEARS_AGO = [
    (re.compile(r"今年|this year|earlier this year"), 0, 0),
    (re.compile(r"去年|last year|a year ago"), 1, 1),
    (re.compile(r"前年|the year before last|two years ago"), 2, 2),
]
_JUST_NOW = re.compile(
    r"刚搬|刚来|刚买|刚提|刚开始|刚住|刚装|刚办|新买的|上个月|前几个月|几个月前|just moved|"
    r"just bought|just started|just got|brand new|last month|a few months ago|"
    r"couple of months ago|recently (moved|bought|started|joined)"
)
# a decade said by its digit ("零几年买的": in the 2000s, "九几年": the 1990s)
_ZH_DECADE = re.compile(r"(?<![\d一二三四五六七八九十])([零〇一二九八七])几年")
_ZH_DECADES = {"零": 2000, "〇": 2000, "一": 2010, "二": 2020, "九": 1990, "八": 1980, "七": 1970}
# a decade said in English ("since the eighties", "back in the '90s", "in the 1970s")
_EN_DECADE = re.compile(
    r"\b(?:since|in|back in|from|way back in) the (?:(?:19)?'?(?P<d>[5-9])0'?s|"
    r"(?P<w>fifties|sixties|seventies|eighties|nineties))\b"
)
_EN_DECADE_YEARS = {"fifties": 1950, "sixties": 1960, "seventies": 1970, "eighties": 1980,
                    "nineties": 1990}  # fmt: skip


def _decade(t: str) -> int | None:
    """The first year of a decade the (folded) text names ("九几年", "the eighties")."""
    if (zh := _ZH_DECADE.search(t)) is not None:
        return _ZH_DECADES[zh.group(1)]
    if (en := _EN_DECADE.search(t)) is not None:
        return 1900 + 10 * int(en["d"]) if en["d"] else _EN_DECADE_YEARS[en["w"]]
    return None


def years_since(text: str, today) -> tuple[float, float] | None:  # noqa: ANN001 (a date)
    """How many years ago `text` says something began, as a range, or None."""
    t = fold(text)
    start_of_year = (today.timetuple().tm_yday - 1) / 365
    for pattern, ago, _ in _YEARS_AGO:
        if pattern.search(t):
            return (max(0.0, ago - 1 + start_of_year), ago + start_of_year)
    if _JUST_NOW.search(t):
        return (0.0, 0.5)
    if (first := _decade(t)) is not None:
        if first <= today.year:
            ago = today.year - first + start_of_year
            return (max(0.0, ago - 10), ago)
    years = [int(m.group(1)) for m in _SINCE_YEAR.finditer(t)]
    if len(years) == 1 and 1950 <= years[0] <= today.year:
        ago = today.year - years[0]
        return (max(0.0, ago - 1 + start_of_year), ago + start_of_year)
    return None


# -- occasions named instead of counted, and counts taken back -----------------------

# the parts of a day something is done in ("morning and night", "早晚", "睡前"): a count
# of times a day said by naming them; each row is one part, so "晚上" and "睡前" are one
DAY_PARTS = [
    ("morning", re.compile(r"早上|早晨|清早|一早|早起|起床|晨起|上午|早饭|早餐|\bmornings?\b|"
                           r"\bwhen i (wake|get) up\b|\bbreakfast\b|\bfirst thing\b")),
    ("midday", re.compile(r"中午|午饭|午餐|午休|\bnoon\b|\bmidday\b|\blunch(time)?\b")),
    ("afternoon", re.compile(r"下午|\bafternoons?\b")),
    ("night", re.compile(r"晚上|夜里|睡前|临睡|睡觉前|晚饭|晚餐|\bnights?\b|\bevenings?\b|"
                         r"\bbed(time)?\b|\bbefore (i go to )?(bed|sleep)\b|"
                         r"\bdinner\b|\bsupper\b")),
]  # fmt: skip
# words that name several parts at once: 早晚 (morning and night), 早中晚 (three)
DAY_PART_SETS = [
    (re.compile(r"早中晚|早午晚"), ("morning", "midday", "night")),
    (re.compile(r"早晚(?!都|会|的事)"), ("morning", "night")),
]
# after or with every meal: three times a day
EVERY_MEAL = re.compile(
    r"每顿饭|每餐|一日三餐|三餐|顿顿|每次吃完饭|\b(after|with|before) (every|each) meal\b|"
    r"\bafter meals\b|\bthree meals\b|\bevery meal\b"
)


def day_parts(text: str) -> set[str]:
    """The parts of a day `text` names ("早晚各一次": morning and night)."""
    t = fold(text)
    found: set[str] = set()
    for pattern, parts in DAY_PART_SETS:
        if pattern.search(t):
            found.update(parts)
            t = pattern.sub(" ", t)
    return found | {part for part, pattern in DAY_PARTS if pattern.search(t)}


# said between a count and the one that replaces it ("两张 嗯不 一张", "two, or rather
# three", "twice, well, honestly once"): the later count stands
RETRACT = re.compile(
    r"[哦噢啊嗯呃额][\s，,]*不(对)?(?=\s|$|[，,]|[一二两三四五六七八九十\d])|(?<=\s)不(?=\s)|不对|说错了|我是说|应该是|"
    r"不是不是|准确(地)?说|确切(地)?说|其实|"
    r"\bno,? wait\b|\bwait,? no\b|\bi mean\b|\bor rather\b|\bmake (that|it)\b|"
    r"\b(well,? )?(honestly|to be honest|truthfully|realistically)\b|\bactually\b|"
    r"\bscratch that\b|\bmore like\b|\bno,? sorry\b|(?<=[a-z0-9,] )sorry,? no\b"
)
# said before a count that was planned and then changed ("本来三个 … 就俩", "originally
# three but now two"): a later count stands
WAS_PLANNED = re.compile(
    r"本来|原本|原来|原先|一开始|开始说|之前说|\boriginally\b|\bat first\b|"
    r"\b(was|were) (going|supposed) to be\b|\bit was going to be\b"
)
