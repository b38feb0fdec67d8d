"""Satisfaction words as a score from 1 (very bad) to 5 (very good): "挺好的" -> 4,
"还行" -> 3, "不太满意" -> 2, "not great" -> 3, "terrible" -> 1. The longest phrase
found wins ("不太满意" over "满意"); ASCII phrases match as whole words."""

from __future__ import annotations

import re

_SCALE = {
    5: "非常满意,很满意,特别满意,超级满意,十分满意,太满意,相当满意,非常好,特别好,很好,太好了,超棒,"
    "完美,五星,very satisfied,extremely satisfied,excellent,perfect,amazing,great,love it,"
    "fantastic,very happy,really happy,awesome,very good,really good,really pleased,"
    "very pleased,brilliant,outstanding,superb,wonderful",
    4: "满意,比较满意,挺满意,还挺满意,蛮满意,挺好,挺好的,不错,还不错,蛮好,满好,可以的,好评,"
    "satisfied,pretty good,good,happy,quite satisfied,fairly satisfied,pretty happy,nice,"
    "lovely,pleased,quite happy,happy enough,quite good",
    3: "一般,一般般,还行,还可以,凑合,马马虎虎,普通,过得去,中等,说不上,不好不坏,将就,还好,就那样,"
    "so so,so-so,average,okay,ok,alright,neutral,not bad,not great,mediocre,it's fine,fine,meh,"
    "neither here nor there,could be better,nothing special,it was okay,it does the job",
    2: "不满意,不太满意,不怎么满意,不是很满意,不大满意,有点不满意,较差,比较差,不太好,不好,差,"
    "不怎么样,不咋地,不咋样,dissatisfied,unsatisfied,not satisfied,not happy,not very good,poor,"
    "bad,not good,disappointed,not so good,not really satisfied,unhappy,"
    "not too happy,not very happy",
    1: "非常不满意,很不满意,特别不满意,极其不满意,太差了,很差,非常差,特别差,糟糕,垃圾,烂透了,差劲,"
    "very dissatisfied,terrible,awful,horrible,worst,very bad,very unhappy,really bad,"
    "hate it,appalling,dreadful",
}
# praise of the staff ("师傅挺仔细的"): 4, and 2 when negated ("不太耐心")
_PRAISE = ("仔细", "认真", "专业", "耐心", "热情", "周到", "细心")
_NOT = ("不", "不太", "不够", "不怎么", "不是很", "没那么", "不大", "一点都不", "一点也不")
_SCALE[4] += "," + ",".join(_PRAISE)
_SCALE[2] += "," + ",".join(n + p for p in _PRAISE for n in _NOT)
_SCALE_TABLE = sorted(
    ((phrase, score) for score, text in _SCALE.items() for phrase in text.split(",")),
    key=lambda p: -len(p[0]),
)
# Compiled once: this runs for every reply to a scale question.
_SCALE_SEARCH = [
    (
        re.compile(rf"(^|[^a-z']){re.escape(phrase)}($|[^a-z])").search
        if phrase.isascii()
        else None,
        phrase,
        score,
    )
    for phrase, score in _SCALE_TABLE
]


def scale_score(text: str) -> int | None:
    """1..5 for a satisfaction phrase in `text` (the longest phrase found)."""
    for search, phrase, score in _SCALE_SEARCH:
        if search is not None:
            if search(text):
                return score
        elif phrase in text:
            return score
    return None
