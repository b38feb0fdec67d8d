"""An answer named by its place in the list: "第二个", "the last one", "option B"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.match import Heard, Match

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
        index = _EN_ORDINAL[m.group(1)]
    elif re.search(r"中间|middle", text) and count == 3:
        index = 1
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


def ranks_of(keys: list[str], uncertain: list[bool]) -> list[float] | None:
    """Each answer's place from lowest to highest (by a tier word, a price, or a kind
    that costs less or more: generic / brand name, 品质屏 / 原装屏), when every answer
    has one and no two share it. Not with an uncertain answer among them: ranking the
    rest then added wrong answers on the validation part (blind5, aggregates only)."""
    return None if any(uncertain) else _ranks(keys)


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
