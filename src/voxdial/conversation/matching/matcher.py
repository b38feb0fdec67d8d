"""`AnswerMatcher`: a question's answers and the stages that read a reply against them,
first decisive one wins."""

from __future__ import annotations

import re
from datetime import date

from voxdial.conversation import intents, polarity, times
from voxdial.conversation.matching import (
    numbers,
    ordinals,
    outright,
    paraphrases,
    scores,
    similarity,
    spelling,
    states,
    yes_no,
)
from voxdial.conversation.matching.answers import AnswerSet
from voxdial.conversation.matching.cues import (
    ANY,
    DEFERS,
    NEG_CLAUSE,
    NOW_CLAUSE,
    PAST_CLAUSE,
    REASON,
    SOMETIMES,
    USUALLY,
)
from voxdial.conversation.matching.match import Ambiguous, Heard, Match
from voxdial.conversation.normalize import fold


def _unsure(a: AnswerSet, heard: Heard) -> Match | None:
    """Someone else decides, or the callee is unsure ("还没想好", "depends"): the
    question's uncertain answer, or no answer at all."""
    if polarity.CONSULTS.search(heard.text) and any(a.uncertain):
        return a.pick(a.uncertain.index(True), "unsure")  # "得先问问我儿子": undecided
    if DEFERS.search(heard.text):
        raise Ambiguous  # ask again (or the one who decides)
    if not any(
        intents.UNSURE.search(p) or polarity.UNSURE.search(p) for p in [heard.text, *heard.parts]
    ):  # a clause of its own: "不知道，是我妈收的", "no... well, maybe"
        return None
    found = outright.said(a, heard, quiet=True)
    if found is not None and a.uncertain[found.index]:
        return found
    if any(a.uncertain):
        return a.pick(a.uncertain.index(True), "unsure")
    raise Ambiguous  # unsure, and the question offers no such answer: ask again


def _time(a: AnswerSet, heard: Heard) -> Match | None:
    """A time of day or a day ("三点左右", "周四", "tomorrow") among timed choices."""
    if a.choices is None:
        return None
    scope = " ".join(heard.parts) if heard.parts else heard.text
    if heard.parts and all(NEG_CLAUSE.search(p) for p in heard.parts):
        raise Ambiguous  # "mornings are no good": turned down, nothing chosen
    if ANY.search(scope) and not times.is_soonest(scope):
        raise Ambiguous
    try:
        index = a.choices.pick(scope, heard.today)
    except times.Ambiguous:
        raise Ambiguous from None
    return None if index is None else a.pick(index, "time")


# how plainly a clause names an answer: said outright (2) or in other words (1); a score
# word is not weighed (a reason clause, "太差了 装了三次才装好", often carries one)
_RANK = {"state": 2, "said": 2, "number": 2, "time": 2, "ordinal": 2, "paraphrase": 1, "partial": 1}
# a correction in the reply: the later answer stands, the engine reads it
CORRECTION = re.compile(
    r"不对|说错|我是说|应该是|哦不|啊不|不是不是|\bno,? (wait|sorry)\b|\bactually\b|"
    r"\bi mean\b|\bsorry\b|\brather\b|scratch that|make (that|it)"
)

# after the answer said outright and the scale, in this order
_LATER_STAGES = (
    numbers.number,
    ordinals.ordinal,
    _time,
    paraphrases.paraphrase,
    yes_no.yes_no,
    outright.partial,
    spelling.fuzzy,
    spelling.sounds,
    spelling.clipped,
    similarity.embedding,
)


class AnswerMatcher(AnswerSet):
    """Matches replies to one question's preset answers. Build once per question:
    the answers' embeddings are computed on first use and kept."""

    def match(self, reply: str, *, today: date | None = None) -> Match | None:
        found = self._match(reply, today, whole=True)
        if found is None or found.how not in _RANK:
            return found
        return self._one_answer(reply, found, today)

    def _one_answer(self, reply: str, found: Match, today: date | None) -> Match | None:
        """Collect only when one answer has the evidence: a clause naming another answer
        at least as plainly ("周二吧，周四也行") makes the reply ambiguous (None). What
        a clause says happens sometimes gives way to what happens usually ("usually
        online, sometimes a check"); a weaker reading in a reason clause ("text, I'm
        always on my phone") does not outweigh an answer said outright. A correction
        ("不对", "no wait") is the engine's to read: the last answer stands."""
        parts, _ = self._clauses(reply)
        if len(parts) < 2 or CORRECTION.search(fold(reply)):
            return found
        read = [(p, self._match(p, today, whole=False)) for p in parts if not REASON.search(p)]
        own = [p for p, m in read if m is not None and m.index == found.index]
        rare = bool(own) and all(SOMETIMES.search(p) for p in own)
        for part, other in read:
            if other is None or other.index == found.index or other.how not in _RANK:
                continue
            if SOMETIMES.search(part) and not rare:
                continue
            if rare or USUALLY.search(part):
                return other if not SOMETIMES.search(part) else None
            if _RANK[other.how] >= _RANK[found.how]:
                return None
        return found

    def _match(self, reply: str, today: date | None, *, whole: bool) -> Match | None:
        text = self.clean(reply)
        if not text or not self.answers or intents.is_hesitation(reply):
            return None
        parts, narrowed = self._clauses(reply)
        heard = Heard(text, parts, narrowed, today or date.today())
        said, scale = outright.said, scores.scale
        first = (scale, said) if self.is_scale else (said, scale)
        later = _LATER_STAGES if whole else _LATER_STAGES[:-1]  # no encoder per clause
        try:
            for stage in (_unsure, states.state, yes_no.share, *first, *later):
                found = stage(self, heard)
                if found is not None:
                    return found
        except Ambiguous:
            return None
        return None

    def _clauses(self, reply: str) -> tuple[list[str], bool]:
        """The reply's clauses that may carry the answer: a clause turning a choice down
        ("上午不行") or saying how it used to be ("以前去营业厅", with a "现在" clause)
        is left out when another clause remains."""
        parts = [self.clean(p) for p in intents.clauses(reply)]
        parts = [p for p in parts if p]
        if len(parts) < 2:
            return parts, False
        kept = [p for p in parts if not NEG_CLAUSE.search(p)]
        if any(NOW_CLAUSE.search(p) for p in kept):
            kept = [p for p in kept if not PAST_CLAUSE.search(p) or NOW_CLAUSE.search(p)]
        return (kept, len(kept) < len(parts)) if kept else (parts, False)
