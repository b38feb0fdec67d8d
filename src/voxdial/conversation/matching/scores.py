"""A score on a 1-5 scale: satisfaction words ("挺好的" -> 4), a number given as a score
("打四分", "4 out of 5") but not a clock time ("四点"), or how likely ("very likely" ->
5) when the answers are the numbers 1-5."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.cues import CLOCK
from voxdial.conversation.matching.match import Ambiguous, Heard, Match
from voxdial.conversation.matching.numbers import (
    GIVEN,
    REFUSED,
    TURNED_DOWN_AFTER,
    Range,
    amounts_said,
    is_five_scale,
    number_match,
    short_alone,
    short_of_top,
)
from voxdial.conversation.quantities import amounts
from voxdial.conversation.scale import scale_score

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

# how likely, on a 1-5 scale ("very likely" -> 5)
LIKELY_QUESTION = re.compile(r"likely|how probable|可能性|可能")
_LIKELY = [
    (
        re.compile(
            r"not (very |at all )?likely at all|not at all likely|very unlikely|"
            r"highly unlikely|\bi never\b|never (would|will|recommend)|no chance|"
            r"绝对不会|肯定不会|不可能"
        ),
        1,
    ),
    (re.compile(r"\bunlikely\b|not (very|that|too|really) likely|probably not|不太可能"), 2),
    (
        re.compile(
            r"very likely|extremely likely|highly likely|definitely|certainly|for sure|"
            r"absolutely|肯定会|一定会|非常可能"
        ),
        5,
    ),
    (re.compile(r"\b(likely|probably)\b|很可能|应该会"), 4),
]


def scale(a: AnswerSet, heard: Heard) -> Match | None:
    text = heard.text
    score = scale_score(text)
    found = amounts_said(a, text)
    how = "scale"
    if score is None and found and a.is_scale:
        x = found[0]
        as_score = re.search(r"out of|满分|分$|星|points?|stars?|give|打", text) or re.fullmatch(
            r"\W*\w+\W*", text
        )
        as_score = as_score and not CLOCK.search(text)
        if len({(y.low, y.high) for y in found}) == 1 and x.exact and as_score:
            score, how = (int(x.low) if 1 <= x.low <= 5 else None), "scale-number"
    if score is None and a.likely and not found:
        score = next((n for p, n in _LIKELY if p.search(text)), None)
    if score is None or not a.is_scale:
        # on answers that are only numbers, a lukewarm word ("they were fine", "人挺好的")
        # gives no number; the scale's ends said plainly ("非常满意", "terrible") and how
        # likely ("very likely" -> 5) do (the middle, "一般", was tried and dropped: the
        # validation part's writers read it as no answer)
        plain = a.likely or score in (1, 5)
        if score is not None and plain and a.is_numeric and is_five_scale(a) and not found:
            return number_match(a, Range(score, score), "scale")
        return None
    scored = sorted((abs(s - score), i) for i, s in enumerate(a.scores) if s)
    if (
        len(scored) > 1
        and scored[0][0] == scored[1][0]
        and a.scores[scored[0][1]] != a.scores[scored[1][1]]
    ):
        side = _one_on_its_side(a, score)
        if side is None:
            # "挺好的" (4) between 很好 (5) and 还可以 (3), with 非常好 too: ask again
            raise Ambiguous
        return a.pick(side, how)
    return a.pick(scored[0][1], how)


def _one_on_its_side(a: AnswerSet, score: int) -> int | None:
    """A score between two answers still names one when it is the only answer on the
    reply's side of the middle (3): "挺好的" (4) of 很好 / 还可以 / 比较差 is 很好, the
    only good one; of 非常满意 / 一般 / ... with two good ones it stays unread."""
    if score == 3:
        return None
    same = [i for i, s in enumerate(a.scores) if s not in (None, 3) and (s > 3) == (score > 3)]
    return same[0] if len(same) == 1 else None


# --- marks on a points scale (answers 1-5, 1-10, 0-10) ---------------------------------
# A mark is said as a mark: given ("打个八分吧", "给七", "I'd give it a six"), with its
# unit ("三分", "four stars"), or qualified ("a solid seven", "a strong eight"). Of the
# numbers in a reply only these count, so a reason with a count ("扎了两回", "waited
# forty minutes") no longer hides the mark.
_NUM = r"[零一二两三四五六七八九十\d]+"
_EN_NUM = r"\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten"
_MARKS = (
    re.compile(
        rf"(?:打|给|评|算)(?:个|了|上|它|他|她|你|您)?(?P<n>{_NUM})(?:分|颗星|星|(?=[吧啊呀呗嘛的]|\s|$))"
    ),
    re.compile(
        rf"(?P<n>{_NUM})(?:分(?!钟|之[一二三四五六七八九十\d]|期|店|行|开|别|享)|颗星|星(?!期))"
    ),
    re.compile(
        rf"\b(?:give|giving|gave|rate|rating|score|scoring|mark|put) (?:it|them|you|him|her|"
        rf"us|that|this)?\s?(?:at )?(?:an? )?(?P<n>{_EN_NUM})\b"
    ),
    re.compile(
        rf"\b(?:an? )(?:solid|strong|good|firm|clear|generous|high|low|weak|hard|easy|"
        rf"straight|fair|honest|decent|definite) (?P<n>{_EN_NUM})\b"
    ),
    re.compile(rf"\b(?P<n>{_EN_NUM}) (?:stars?|points?|out of|outta|out a)\b"),
)
# sounds ASR writes for a number, as a mark ("ate out of ten", "tin") or before 分
# ("打死分" for 四分); read only where a mark is said, or as the whole first clause
_EN_SOUNDS = {"won": "one", "to": "two", "too": "two", "tree": "three", "for": "four",
              "fore": "four", "fife": "five", "sicks": "six", "ate": "eight",
              "tin": "ten"}  # fmt: skip
_EN_SOUND = re.compile(
    r"\b(won|to|too|tree|for|fore|fife|sicks|ate|tin)\b(?= (?:stars?|points?|out of|outta|out a)\b)"
)
_ZH_SOUNDS = {"死": "四", "似": "四", "寺": "四", "舞": "五", "午": "五", "武": "五",
              "溜": "六", "流": "六", "期": "七", "妻": "七", "巴": "八", "酒": "九",
              "久": "九", "玖": "九"}  # fmt: skip
_ZH_SOUND = re.compile(r"(?<=打|给|评)(个)?([死似寺舞午武溜流期妻巴酒久玖])分")
# the total, not the mark ("满分十分", "out of ten"), and a half point between two marks
_TOTAL = re.compile(
    rf"(?:满分|总分|一共|out of|outta|out a) ?(?:是|为)?(?P<t>{_NUM}分?|(?:{_EN_NUM})\b)"
)
# the total said before the mark as the scale it is given on ("10分里给个4分", "十分制的话
# 打七分", "五分里面给四分")
_TOTAL_OF = re.compile(rf"(?P<t>{_NUM})分?(?=里面|里头|里|当中|之中|制)")
_BETWEEN = re.compile(r"之间|中间|\bbetween\b|\bor\b|或者?|还是")
_HALF = re.compile(r"点五|分半|\bpoint five\b|and a half|\d\.5|个半|半分")
# a mark turned down before it ("不能给五分", "not a five"; a mark has no bound, so 不到五分
# and 没有五分 turn it down too) or after it ("五分不至于")
_NOT_BEFORE = re.compile(rf"({REFUSED}|不|没有|不到){GIVEN}")


# points taken off or added, not a mark given ("打个四分 扣一分是因为等太久", "four, knocked
# one off for the wait", "两分 多一分都不给")
_OFF_BEFORE = re.compile(
    r"(扣|减|少给|少打|(?<![至多])少|多给|多打|(?<![至最差不顶])多)了?\s*$|\bminus\s*$|"
    r"\b(take|took|knock(ed)?) $"
)
_OFF_AFTER = re.compile(r"\s*(points?|marks?)?\s*off\b")


def _turned_down(text: str, start: int, end: int) -> bool:
    """Whether the mark at text[start:end] is turned down before or after it, or is
    points taken off."""
    before, after = text[max(0, start - 8) : start], text[end:]
    return bool(
        _NOT_BEFORE.search(before)
        or TURNED_DOWN_AFTER.match(after)
        or _OFF_BEFORE.search(before)
        or _OFF_AFTER.match(after)
    )


def _sounds(text: str) -> str:
    text = _EN_SOUND.sub(lambda m: _EN_SOUNDS[m.group(1)], text)
    return _ZH_SOUND.sub(lambda m: (m.group(1) or "") + _ZH_SOUNDS[m.group(2)] + "分", text)


def _blank_total(m: re.Match[str]) -> str:
    """ "满分十分" / "out of ten" with the total blanked: the mark is not the total."""
    return m.group()[: m.start("t") - m.start()] + " " * len(m["t"])


def _marks(text: str) -> set[float] | None:
    """The marks a clause gives (None: one of them is not a whole mark, "七八分")."""
    text = _TOTAL_OF.sub(_blank_total, _TOTAL.sub(_blank_total, _sounds(text)))
    found: set[float] = set()
    for pattern in _MARKS:
        for m in pattern.finditer(text):
            if _turned_down(text, m.start(), m.end()):
                continue
            if m.group("n") == "十" and re.match(r"分[\u4e00-\u9fff]", text[m.end("n") :]):
                continue  # "十分满意": very, not ten
            said = amounts(m.group("n"))
            if len(said) != 1 or not said[0].exact:
                return None
            found.add(said[0].low)
    return found


def _other_total(text: str, top: float) -> bool:
    """Whether the reply gives its mark out of a total other than the scale's own."""
    said = _sounds(text)
    for m in [*_TOTAL.finditer(said), *_TOTAL_OF.finditer(said)]:
        total = amounts(m["t"].rstrip("分"))
        if len(total) != 1 or total[0].low != top:
            return True
    return False


def _points(a: AnswerSet) -> list[float] | None:
    """The scale's points when the answers are one mark each, consecutive from 0 or 1."""
    points = sorted(r.low for r in a.ranges if r is not None and r.low == r.high)
    if len(points) != len(a.ranges) or len(points) < 4 or points[0] not in (0, 1):
        return None
    return points if points == [points[0] + i for i in range(len(points))] else None


# words after a mark that vouch for it and hedge nothing ("one honestly", "four easily")
_VOUCHED = re.compile(
    r"\s+(?:honestly|to be honest|frankly|definitely|easily|for sure|from me|i think|i reckon)$"
)


# a clause of what would be so if things were otherwise ("maybe a five if the queue was
# shorter"): its mark is not the one given; "five if I'm honest" frames no condition
# (Chinese 要是 / 如果 … 的话 often frames the mark given, so it is not read here)
_IF_ONLY = re.compile(
    r"\bif\b(?! (?:i'?m|i am) (?:being )?(?:honest|truthful)| you ask me| anything| i'?m honest)|"
    r"\bunless\b"
)
# "one" naming a thing, not a number ("the Duke Street one's", "that one", "the big one")
_ONE_THING = re.compile(r"(?:\b(?:the|this|that|which|each|every|another|other)\b[a-z' ]{0,20})$")


def _pronoun_one(part: str, start: int) -> bool:
    """Whether the amount at part[start:] is "one" naming a thing, not a number."""
    if not part.startswith("one", start):
        return False
    return part.startswith("one's", start) or _ONE_THING.search(part[:start]) is not None


def _bare(part: str) -> float | None:
    """A clause that is only a number ("one", "三", "ate"): the mark said first."""
    words = re.sub(r"^(?:uh|um|er|erm|hmm|mm|well|like|oh|嗯|呃|额|啊)\s*", "", part.strip())
    words = re.sub(r"\s*(?:吧|啊|呀|呗|嘛|分吧)$", "", words)
    words = _VOUCHED.sub("", words)  # "one honestly": the number, vouched for
    words = re.sub(r"^an? (?=[a-z])", "", words)  # "a three": the mark, as "give it a three"
    words = _EN_SOUNDS.get(words, words)
    if not re.fullmatch(rf"(?:{_EN_NUM}|{_NUM})分?", words):
        return None
    said = amounts(words)
    return said[0].low if len(said) == 1 and said[0].exact else None


# the last clause settling on a mark after others ("nine, ten, ok ten", "four, no, three
# actually", "九分半 算九分吧"): a settling word before the mark or "actually" after it
_SETTLING = re.compile(
    r"^(?:(?:ok(?:ay)?|so|fine|alright|all right|let'?s say|make it|call it|算|就算|那就算|"
    r"那就|还是)\s*)(?P<m>.+?)(?:\s*(?:then|吧|啦))?$|^(?P<m2>.+?)\s+actually$"
)


def _settled(parts: list[str]) -> float | None:
    """The mark the reply's last clause settles on, after a clause with a number or a
    plain "no" ("four, no, three actually"), when that clause is only the mark."""
    if len(parts) < 2:
        return None
    m = _SETTLING.match(parts[-1].strip())
    if m is None or not any(amounts(p) or p.strip() in ("no", "不") for p in parts[:-1]):
        return None
    said = (m["m"] or m["m2"]).strip()
    said = re.sub(r"^(?:an? )", "", said)
    found = _marks(said)
    if found and len(found) == 1 and said.endswith(("分", "星")):
        return next(iter(found))
    return _bare(said)


def first_mark(a: AnswerSet, clause: str, today) -> Match | None:
    """The mark an opening clause gives on a points scale: said as a mark ("五分") or
    as a number alone ("seven")."""
    found = mark(a, Heard(clause, [clause], False, today))
    points = _points(a)
    if found is not None or points is None or not _POINTS_ASKED.search(a.question):
        return found
    bare = _bare(clause)
    if bare is None or not points[0] <= bare <= points[-1]:
        return None
    return number_match(a, Range(bare, bare), "number")


def mark(a: AnswerSet, heard: Heard) -> Match | None:
    """A mark given on a points scale, read before the number stage weighs every number
    in the reply: the one mark said as a mark ("三分 扎了两回才抽出来", "满分十分的话
    我给七", "八九不离十吧 给九"), or a first clause that is only a number followed by
    reasons without a number of their own ("one, I waited forty minutes"). A half mark
    ("七点五", "seven and a half") is between two answers: asked again."""
    points = _points(a)
    if points is None or not _POINTS_ASKED.search(a.question) or short_of_top(heard.text):
        return None  # "比满分差一分": the number stage reads the mark below the top
    if short_alone(heard.text):
        raise Ambiguous  # "就差一分": short of a mark not said, no mark of one
    if (settled := _settled(heard.parts)) is not None and points[0] <= settled <= points[-1]:
        return number_match(a, Range(settled, settled), "number")
    if _HALF.search(heard.text):
        raise Ambiguous
    if _other_total(heard.text, points[-1]):
        return None  # "four out of five" on a ten-point scale: the number stage converts
    if _BETWEEN.search(heard.text):
        return None  # "四分五分之间": two marks, the number stage reads the range
    found: set[float] | None = set()
    for part in heard.parts or [heard.text]:
        said = _marks(part)
        if said is None:
            return None
        found |= said
    given = {x for x in found if points[0] <= x <= points[-1]}
    if found and all(x < points[0] for x in found):
        raise Ambiguous  # "零分 不会推荐的" on a 1-10 scale: below every mark, none given
    if len(given) == 1 and given == found:
        return number_match(a, Range(*(given.pop(),) * 2), "number")
    if not found and heard.text in _EN_SOUNDS and points[0] <= 10 <= points[-1]:
        return number_match(a, Range(*(_bare(heard.text),) * 2), "number")  # "tin"
    if found or len(heard.parts) < 2:
        return None
    first = _bare(heard.parts[0])
    rest_bare = any(
        x.unit == "" and not _turned_down(p, x.start, x.end) and not _pronoun_one(p, x.start)
        for p in heard.parts[1:]
        if not _IF_ONLY.search(p)
        for x in amounts(p)
    )  # "four, knocked one off for the wait": points taken off are no mark
    if first is None or rest_bare or not points[0] <= first <= points[-1]:
        return None
    return number_match(a, Range(first, first), "number")


_POINTS_ASKED = re.compile(
    r"打分|评分|几分|分最|打几|给几|满分|\d+ ?(?:到|-|至) ?\d+ ?分|scale|\brate\b|rating|score|"
    r"points|out of|from (?:1|one|0|zero) to|(?:1|0)-(?:5|10)|how likely"
)
