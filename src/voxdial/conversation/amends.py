"""A late correction: the callee goes back to an answer given to an earlier question.

"保安八分 刚才保洁那个我改一下 给四分", "不对 我刚才说错了 是周五 时间的话上午吧", "支持 哦对了
车位那个我再想想 还没想好", "actually scratch that, thursday, and lunchtime please", "no
thanks. oh and about the plan, i've changed my mind, no". Read against the question being
asked, such a reply gives it the corrected answer (a wrong answer) or reads as two answers.

A clause that goes back (a back-reference cue: 刚才, 说错了, scratch that, changed my mind,
or a "by the way" cue with the topic of an earlier question) opens the correction. Its
target is the earlier answered question whose topic words it names (words of that
question the current one does not have), or else the one earlier question its clauses
answer plainly while the current question does not read them. From the cue on, the
clauses that answer the target are its new answer; the other clauses still answer the
question being asked. Without a cue or a clear target nothing is amended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from voxdial.conversation import intents, topics
from voxdial.conversation.matching import Match
from voxdial.conversation.normalize import clean, fold

# going back to an earlier answer: a past marker, a taking-back, a change of mind
_BACK = re.compile(
    r"刚才|刚刚|前面(那|的)|之前(那|的|说)|上一个|上个问题|头一个问题|第一个问题|说错了|我说错|"
    r"改一下|改一改|我再想想|重新说|"
    r"\bscratch that\b|\bchanged? my mind\b|\bchange (that|my answer)\b|\bgoing back to\b|"
    r"\bgo back to\b|\bsaid (earlier|before)\b|\bearlier i said\b|\bthe (first|last|previous) "
    r"(one|question|answer)\b|\bi got that wrong\b|\bthat was wrong\b"
)
# a "by the way" or topic cue: goes back only when it names an earlier question's topic
_ASIDE = re.compile(
    r"哦对了|对了|还有|另外|至于|\bby the way\b|\boh and\b|\babout the\b|"
    r"\bas for\b|\bregarding\b|那个"
)
# how plainly a clause must name the new answer
_PLAIN = {"said", "said-negated", "scale", "number", "time", "ordinal", "period", "state",
          "unsure", "corrected", "no", "yes"}  # fmt: skip


@dataclass
class Amend:
    index: int  # the earlier question
    found: Match  # its new answer
    rest: str  # what is left for the question being asked


def read(conv: Any, reply: str) -> Amend | None:
    """The late correction in `reply` (its statements: questions back are left out by
    the caller), or None."""
    if not conv.recent:
        return None
    parts = [c for c in intents.clauses(reply) if clean(c)]
    if not any(_BACK.search(fold(p)) for p in parts):
        return None  # "对了 你们营业厅在哪儿": a topic named, nothing taken back
    for n, part in enumerate(parts):
        said = fold(part)
        back, aside = _BACK.search(said), _ASIDE.search(said)
        if not back and not aside:
            continue
        named = _named(conv, " ".join(parts[n:]))
        target = named if named is not None else (_answered(conv, parts[n:]) if back else None)
        if target is None:
            continue
        return _amend(conv, target, parts[:n], parts[n:], named is not None)
    return None


def _amend(conv: Any, j: int, before: list[str], after: list[str], named: bool) -> Amend | None:
    mine, theirs = [], []
    for part in after:
        own = conv._match(conv.index, part)
        old = conv._match(j, part)
        if old is not None and (named or own is None):
            mine.append(part)
        elif own is not None:
            theirs.append(part)
        elif not theirs:
            mine.append(part)  # the cue clause itself, "我再想想"
    found = conv._match(j, "，".join(mine)) if mine else None
    if found is None or found.how not in _PLAIN:
        return None
    return Amend(j, found, "，".join([*before, *theirs]))


def _named(conv: Any, text: str) -> int | None:
    """The one earlier answered question whose topic the text names."""
    said = fold(text)
    current = conv._question(conv.index)
    hits = [
        j for j in conv.recent
        if j != conv.index and conv._answers_of(j)
        and any(topics.names(said, w) for w in topics.words(conv._question(j), current))
    ]  # fmt: skip
    return hits[0] if len(hits) == 1 else None


def _answered(conv: Any, parts: list[str]) -> int | None:
    """The one earlier answered question a clause answers plainly, with another answer
    than the one recorded, while the question being asked does not read that clause."""
    hits = set()
    for part in parts:
        if conv._match(conv.index, part) is not None:
            continue
        for j in conv.recent:
            if j == conv.index or not conv._answers_of(j):
                continue
            m = conv._match(j, part)
            if m is not None and m.how in _PLAIN and m.answer != conv.answers[j].result:
                hits.add(j)
    return hits.pop() if len(hits) == 1 else None
