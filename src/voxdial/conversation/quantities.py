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

from voxdial.conversation.normalize import fold

_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}
# words with numeral characters that are not amounts
_NOT_AMOUNTS = (
    "一般", "一下", "一直", "一样", "一定", "一些", "一起", "统一", "万一", "一会",
    "一点点", "一切", "一边", "一向", "一共", "唯一", "第一时间", "一致", "千万", "万分",
    "十分", "一天到晚", "不一", "一旦", "一概", "一律", "一家", "一趟", "一次性", "一年一付",
    "一付", "一交", "一块儿", "一半", "一亮", "一班", "三番五次", "七上八下", "乱七八糟",
    "一点都", "一辈子", "一阵",
)  # fmt: skip
_NOT_AMOUNT_RE = re.compile(
    "|".join(sorted(map(re.escape, _NOT_AMOUNTS), key=len, reverse=True))
    + r"|(?:周|星期|礼拜)[一二三四五六日天1-7]"  # a day's name ("周五") is not five of anything
)
_ZH_RUN = re.compile(r"[零〇一二两俩三四五六七八九十百千万]+(?:点[零一二三四五六七八九]+)?")
_EN_UNITS = {
    "zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3, "a dozen": 12,
    "a single": 1, "just the one": 1, "an only": 1,
}  # fmt: skip
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90}  # fmt: skip
_EN_NUMBER = re.compile(
    r"\b(?:(" + "|".join(_EN_TENS) + r")(?:[\s-](one|two|three|four|five|six|seven|eight|nine))?"
    r"|(" + "|".join(sorted((u for u in _EN_UNITS if u != "none"), key=len, reverse=True)) + r"))\b"
)
_UNIT = re.compile(
    r"\s*(口人|口|个人|个月|个小时|个g|个|人|位|周岁|岁|月|年|分|颗星|星|块钱|块|元|辆|台|部|次|小时|天|"
    r"gb|g|mb|m|兆|公斤|斤|公里|km|kg|"
    r"吨|度|立方米?|方|升|毫升|平米|平方米?|米|分钟|件|只|条|张|本|瓶|箱|袋|包|盒|杯|份|支|双|套|间|户|层|"
    r"people|persons?|kids?|children|adults|cars?|years?|months?|points?|stars?|dollars?|"
    r"bucks|times|hours?|days?|weeks?|tons?|tonnes?|gallons?|lit(?:er|re)s?|kwh|units?|"
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


def _zh_number(run: str) -> float | None:
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


def _zh_amounts(text: str) -> list[Amount]:
    out: list[Amount] = []
    for m in re.finditer(r"好几|几十|十几|几百|(?<![好十])几(?=[个位口人岁辆台块元次天g])", text):
        low, high = _ZH_VAGUE[m.group()]
        out.append(_qualified(text, m.start(), m.end(), float(low), float(high)))
    for m in _ZH_RUN.finditer(text):
        if any(a.start <= m.start() < a.end or m.start() <= a.start < m.end() for a in out):
            continue
        run = m.group()
        start, end = m.start(), m.end()
        if "点" in run:
            run = run.split("点")[0]
            end = start + len(run)
        low = high = None
        # adjacent digits in a row mean "about": 五六 = 5..6, 七八十 = 70..80, 十五六 = 15..16
        if a := re.fullmatch(r"([一二两三四五六七八九])([二两三四五六七八九])([十百千万]?)", run):
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
        if low is None:
            value = _zh_number(run)
            if value is None:
                continue
            low = high = value
        out.append(_qualified(text, start, end, low, high))
    return out


def _qualified(text: str, start: int, end: int, low: float, high: float) -> Amount:
    """The amount at text[start:end] with what is said around it: its unit, 半, 多, 来,
    出头, 左右, 以上, 以下, 快, 上."""
    after = text[end:]
    unit_m = _UNIT.match(after)
    unit = (unit_m.group(1) or "") if unit_m else ""
    tail = after[unit_m.end() if unit_m else 0 :]
    before = text[max(0, start - 3) : start]
    if re.match(r"\s*半", after) or re.match(r"(个|岁|块|年)半", after):
        low += 0.5
        high += 0.5
    elif re.match(r"\s*多", after) or re.match(r"\s*多", tail):
        step = 10 if low >= 20 and low % 10 == 0 else 1
        if low >= 100 and low % 100 == 0:
            step = 100
        low, high = low + 0.01, high + step - 0.01
    elif re.match(r"\s*(来|出头)", after) or re.match(r"\s*(来|出头)", tail):
        high = high + (4 if "出头" in after[:6] else 2)
    if re.match(r"\s*(以上|及以上|或以上|往上)", tail) or re.match(r"\s*(以上|往上)", after):
        high = float("inf")
    elif re.match(r"\s*(以下|以内|之内|不到)", tail) or re.match(r"\s*(以下|以内|不到)", after):
        low, high = float("-inf"), low - 0.01
    if re.search(r"(不超过|不到|最多|顶多|至多|不多于|以内)$", before) and high != float("inf"):
        low = float("-inf")  # 不超过二十吨: anything up to 20
    elif re.search(r"(至少|起码|最少|超过|不少于)$", before) and low != float("-inf"):
        high = float("inf")
    if before.endswith("上") and unit in ("", "百", "千"):  # 上百 = 100 or more
        low, high = low + 0.01, float("inf")
    elif before.endswith("快") or before.endswith("不到"):
        low, high = low - (5 if low >= 20 else 1), low - 0.01
    return Amount(low, high, start, end, unit)


def _en_amounts(text: str) -> list[Amount]:
    out: list[Amount] = []
    for m in re.finditer(r"\d+(?:\.\d+)?", text):
        value = float(m.group())
        a = _qualified(text, m.start(), m.end(), value, value)
        if a.exact:
            a = _en_qualified(text, m.start(), m.end(), value)
        out.append(a)
    for m in _EN_NUMBER.finditer(text):
        if m.group(1):
            value = _EN_TENS[m.group(1)] + (_EN_UNITS[m.group(2)] if m.group(2) else 0)
        else:
            value = _EN_UNITS[m.group(3)]
        out.append(_en_qualified(text, m.start(), m.end(), float(value)))
    return sorted(out, key=lambda a: a.start)


def _en_qualified(text: str, start: int, end: int, value: float) -> Amount:
    low = high = value
    after = text[end:]
    before = text[max(0, start - 14) : start]
    if re.match(r" and a half\b|\.5\b", after):
        low = high = value + 0.5
    if re.match(r"\s*(\+|or more|plus|and (up|over|above))", after) or re.search(
        r"(more than|over|above|at least) $", before
    ):
        high = float("inf")
    elif re.search(r"(less than|under|below|fewer than) $", before):
        low, high = float("-inf"), value - 0.01
    unit_m = _UNIT.match(after)
    unit = (unit_m.group(1) or "") if unit_m else ""
    return Amount(low, high, start, end, unit)


def amounts(text: str) -> list[Amount]:
    """The amounts said in `text`, in order. "X out of Y" keeps X only; "X or Y",
    "X to Y", "between X and Y" become one amount X..Y."""
    return list(_amounts(text))


@lru_cache(maxsize=4096)
def _amounts(text: str) -> tuple[Amount, ...]:
    t = _NOT_AMOUNT_RE.sub(lambda m: " " * len(m.group()), fold(text))
    found = sorted(_zh_amounts(t) + _en_amounts(t), key=lambda a: a.start)
    out: list[Amount] = []
    i = 0
    while i < len(found):
        a = found[i]
        b = found[i + 1] if i + 1 < len(found) else None
        between = t[a.end : b.start] if b else ""
        if b and re.fullmatch(r"\s*(out of|/|分之)\s*", between):
            out.append(a)
            i += 2
            continue
        if b and re.fullmatch(r"\s*(?:\w+\s+)?(or|to|-|~|到|至|或|或者)\s*(?:a |an )?", between):
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
