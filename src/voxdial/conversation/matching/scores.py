"""A score on a 1-5 scale: satisfaction words ("挺好的" -> 4), a number given as a score
("打四分", "4 out of 5") but not a clock time ("四点"), or how likely ("very likely" ->
5) when the answers are the numbers 1-5."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.cues import CLOCK
from voxdial.conversation.matching.match import Ambiguous, Heard, Match
from voxdial.conversation.matching.numbers import Range, amounts_said, is_five_scale, number_match
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
