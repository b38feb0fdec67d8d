"""Answers that are levels on one axis: 很高 / 一般 / 很低, High / Medium / Low, 很快 /
一般 / 很慢, Too expensive / About right / Cheap.

Each answer is high, middle or low (with how strongly: 很 2, 比较 1). A reply says the
same axis in the answers' own words ("挺高的") or in the words of what the question
measures ("效率" is high when fast: "很快 十分钟就办完了", "太慢了"; "价格" is high when
dear: "有点贵"), or the middle ("还行吧", "一般般", "so-so"). A level denied ("不算低")
only rules its side out. The answer on the reply's side nearest its strength is taken;
two answers as near, or sides that disagree, are asked again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from voxdial.conversation.matching.match import Ambiguous, Heard, Match

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

# the axis in any question's own words: high and low
_HIGH = r"(?<!提)高(?!兴|峰|铁|速|中|考)|\bhigh\b"
_LOW = r"(?<!最)低(?!调)|\blow\b"
# what a question measures, and the words that make it high or low
_MEASURES = [
    (
        r"效率|速度|快慢|时效|办事|处理|响应|efficien|speed|how (fast|quick)|turnaround|response",
        r"(?<![愉凉尽赶飞爽痛])快(?![递乐件])|迅速|麻利|利索|利落|高效|及时|\bfast\b|\bquick(ly)?\b|"
        r"\bspeedy\b|\bprompt\b|"
        r"\bin no time\b|\befficient\b",
        r"慢|拖拉|磨蹭|拖沓|低效|等了?(好久|半天|很久)|\bslow\b|\bsluggish\b|"
        r"\btook (forever|ages)\b|\binefficient\b",
    ),
    (
        r"价格|价钱|价位|收费|费用|定价|price|cost|fee|charge|pricing",
        r"贵|\bexpensive\b|\bpricey\b|\bsteep\b|\boverpriced\b|\bdear\b|\ba rip-?off\b",
        r"便宜|实惠|划算|\bcheap(er)?\b|\baffordable\b|\binexpensive\b|\ba bargain\b",
    ),
]
_MIDDLE = re.compile(
    r"一般般?|中等|适中|还行|还可以|凑合|马马虎虎|过得去|正常|不高不低|不快不慢|不贵不便宜|合理|"
    r"\bmedium\b|\baverage\b|\bmoderate\b|\bso-?so\b|\bnormal\b|\babout right\b|"
    r"\bin the middle\b|\breasonable\b|\bmiddling\b"
)
# a middle answer's own words, too loose to read in a reply ("fair enough", "ok")
_MIDDLE_ANSWER = re.compile(r"^(fair|ok|okay|just right|合适|适中)$")
_STRONG = re.compile(
    r"很|非常|特别|太|超|极|相当|贼|老|好(?=[快慢高低贵])|\bvery\b|\breally\b|\btoo\b|\bextremely\b|"
    r"\bsuper\b|\bso\b|\bway\b"
)
_MILD = re.compile(r"比较|较|挺|还算|蛮|偏|有点|有些|稍微?|\bfairly\b|\bquite\b|\bpretty\b|"
                   r"\ba bit\b|\brather\b|\bkind of\b|\bsomewhat\b")  # fmt: skip
_DENIED = re.compile(
    r"(不|没|不算|不太|没那么|没有|谈不上|not|isn'?t|wasn'?t|n't)\s*(很|太|那么|算|so|that|too|very)?\s*$"
)


@dataclass(frozen=True)
class Axis:
    """The answers' levels (side +1 high, 0 middle, -1 low; strength 1-2) and the words
    a reply may say for high and low."""

    levels: tuple[tuple[int, int], ...]
    high: re.Pattern[str]
    low: re.Pattern[str]

    @classmethod
    def of(cls, keys: list[str], question: str, skip: list[bool]) -> Axis | None:
        high, low = [_HIGH], [_LOW]
        for measures, up, down in _MEASURES:
            if re.search(measures, question):
                high.append(up)
                low.append(down)
        axis = cls((), re.compile("|".join(high)), re.compile("|".join(low)))
        levels = []
        for key, s in zip(keys, skip, strict=True):
            level = None if s else axis.answer_level(key)
            if level is None and not s:
                return None
            levels.append(level if level is not None else (9, 0))
        sides = [side for side, _ in levels if side != 9]
        if 1 not in sides or -1 not in sides:
            return None
        return cls(tuple(levels), axis.high, axis.low)

    def answer_level(self, key: str) -> tuple[int, int] | None:
        up, down = bool(self.high.search(key)), bool(self.low.search(key))
        if up == down:
            middle = _MIDDLE.search(key) or _MIDDLE_ANSWER.search(key)
            return (0, 0) if not up and middle else None
        return (1 if up else -1), _strength(key)


def _strength(text: str) -> int:
    return 2 if _STRONG.search(text) else 1


def _clause_level(axis: Axis, clause: str) -> tuple[int, int] | None:
    """(side, strength) a clause says; strength 0 for a side denied ("不算低": not -1)."""
    if _MIDDLE.search(clause) and not re.search(r"不[高低快慢贵]|not (high|low)", clause):
        if not (axis.high.search(clause) or axis.low.search(clause)) or re.search(
            r"不高不低|不快不慢|不贵不便宜", clause
        ):
            return 0, 0
    found = [(1, m) for m in axis.high.finditer(clause)]
    found += [(-1, m) for m in axis.low.finditer(clause)]
    if not found:
        return None
    sides = {side for side, _ in found}
    if len(sides) > 1:
        raise Ambiguous
    side, m = found[0]
    before = clause[max(0, m.start() - (14 if clause.isascii() else 6)) : m.start()]
    if _DENIED.search(before):
        return side, 0  # denied
    return side, _strength(before + m.group(0))


def level(a: AnswerSet, heard: Heard) -> Match | None:
    """The answer on the side the reply's clauses say, nearest its strength."""
    axis = a.axis
    if axis is None:
        return None
    said = [lv for p in (heard.parts or [heard.text]) if (lv := _clause_level(axis, p))]
    plain = {(side, strength) for side, strength in said if strength or side == 0}
    denied = {side for side, strength in said if not strength and side != 0}
    if not plain:
        return None
    if len({side for side, _ in plain}) > 1 or {side for side, _ in plain} & denied:
        raise Ambiguous
    side = next(iter(plain))[0]
    strength = max(s for _, s in plain)
    on_side = [i for i, (s, _) in enumerate(axis.levels) if s == side]
    if not on_side:
        raise Ambiguous
    if len(on_side) > 1:
        near = sorted((abs(axis.levels[i][1] - strength), i) for i in on_side)
        if near[0][0] == near[1][0]:
            raise Ambiguous
        on_side = [near[0][1]]
    return a.pick(on_side[0], "level")
