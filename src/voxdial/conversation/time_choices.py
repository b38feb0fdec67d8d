"""Which of a question's preset answers a reply names when they are times of day
("上午", "After 5 pm", "11am-1pm") or days ("明天", "Friday", "下周"): by the hours or
days the reply says (`times`), by the choice's own period word, by its place in time
("the earliest one", "最晚的那个"), after a correction ("周一 不对 周三"), or as the one
left when the reply turns the others down ("周二周四都不行")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from voxdial.conversation import time_words as words
from voxdial.conversation import times
from voxdial.conversation.normalize import fold

# where a day or a time of day begins, to read "周二周四都不行" as 周二 / 周四
_NAME_START = re.compile(
    r"(?=周|星期|礼拜|上午|下午|早上|晚上|中午|傍晚|今天|明天|(?<!大)后天|大后天)|"
    r"(?<![零一二两三四五六七八九十\d])(?=[零一二两三四五六七八九十\d]+[点點])"
)
# a count of something ("2 to 3 nights", "两到三晚", "1 to 3 days", "三次"): an answer
# that counts nights, days or visits is a number, not a time of day ("1 night" is not
# one o'clock at night)
_COUNTED = re.compile(
    r"(?:\d+|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b|[一二两三四五六七八九十]+)"
    r"\s*(?:(?:to|-|~|到|至|or)\s*(?:\d+|[a-z]+|[一二两三四五六七八九十]+)\s*)?(?:or more\s*)?"
    r"(?:nights?\b|days?\b|weeks?\b|months?\b|years?\b|times?\b|people\b|persons?\b|"
    r"guests?\b|visits?\b|晚(?![上饭间])|夜|天|个?星期|周(?![一二三四五六日天末])|次|回|人|个月|年)"
)


# a clause that is only an hour ("eleven", "11 then", "at two please")
_BARE_HOUR = re.compile(
    r"(?:(?:so|then|at|maybe|ok|okay)\s+)?(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|"
    r"ten|eleven|twelve)(?:\s+(?:then|please|instead|is better|is fine|works))?"
)


# hours said from a moment on ("下班以后", "after work", "from six")
_FROM = re.compile(r"以后|之后|(?<!之|以)后(?!天)|\b(after|from|once|onwards)\b")


# the words a question calls a choice by, just before it ("the late class at 7:45pm")
_CALLED = {"early": re.compile(r"\b(?:early|earlier)\b[^,;:]{0,20}$"),
           "late": re.compile(r"\b(?:late|later)\b[^,;:]{0,20}$")}  # fmt: skip
# the reply calls a choice the early or the late one ("put me in the late slot", "early
# doors"), not a part of the day ("late morning", "later in the evening")
_SAYS_CALLED = {
    "early": re.compile(r"\b(?:early|earlier)\b(?! (?:in|morning|afternoon|evening|night)\b)"),
    "late": re.compile(r"\b(?:late|later)\b(?! (?:in|on|morning|afternoon|evening|night)\b)"),
}


def _called(answers: list[str], question: str) -> dict[str, int]:
    """Which choice the question calls the early one and which the late one, when it
    calls exactly one so."""
    q = fold(question)
    out: dict[str, int] = {}
    found = [(q.find(fold(a)), len(fold(a))) for a in answers]
    for word, pattern in _CALLED.items():
        held = []
        for i, (at, _) in enumerate(found):
            # the words since the answer named before it: "early afternoon or late
            # afternoon" calls no choice the early one, the early is the first answer's own
            since = max([0, at - 30] + [b + n for b, n in found if 0 <= b < at])
            if at > 0 and pattern.search(q[since:at]):
                held.append(i)
        if len(held) == 1:
            out[word] = held[0]
    return out


class Ambiguous(ValueError):
    """The reply names several of the choices ("周末" for 周六 / 周日)."""


@dataclass
class TimeChoices:
    """Preset answers that are times of day ("上午", "After 5 pm") or days ("明天",
    "Friday", "下周"): which one a reply names."""

    answers: list[str]
    windows: list[tuple[float, float] | None]
    days_of: list[bool]
    # the choice the question itself calls the early one or the late one ("the early
    # class at 6pm, the late class at 7:45pm")
    called: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, answers: list[str], question: str = "") -> TimeChoices | None:
        windows = [None if _COUNTED.search(fold(a)) else times.window(a) for a in answers]
        dayish = [bool(times.days(a, date(2026, 1, 5), every=True)) for a in answers]
        choices = cls(answers, windows, dayish, _called(answers, question))
        return choices if choices.timed or choices.dayish else None

    @property
    def timed(self) -> bool:
        return sum(w is not None for w in self.windows) >= 2

    @property
    def dayish(self) -> bool:
        return sum(self.days_of) >= 2

    def pick(self, text: str, today: date) -> int | None:
        """The index of the choice `text` names; None when it names none; raises
        `Ambiguous` when it names several. A reply that only turns choices down
        ("四点太晚了") names the one left, if one is left, and otherwise none."""
        clauses = times.clauses(fold(text))
        if words.BY_POSITION.search(fold(text)):
            raise Ambiguous(text)  # "第一个": the ordinals stage's, no numeral is an hour
        if clauses and all(words.REJECTS.search(c) for c in clauses):
            return self.remaining(clauses, today)  # None: the later stages read it
        return self._read(text, today)

    def _read(self, text: str, today: date) -> int | None:
        if (extreme := self._extreme(text, today)) is not None:
            return extreme
        if self.dayish:
            found = self._day(text, today)
            if found is not None:
                return found
        if not self.timed:
            return None
        if self._two_parts_of_day(text):
            raise Ambiguous(text)  # "上午下午都得行": both offered, neither chosen
        return self._hours(text)

    def _hours(self, text: str) -> int | None:
        """The timed choice the hours the reply says fall in."""
        said = times.window(text, asked=True)
        if said is None:
            return None
        if (labelled := self._labelled(text)) is not None:
            return labelled
        return self._in_window(text, said)

    def corrected(self, clauses: list[str], today: date) -> int | None:
        """The choice named after the reply's last correction ("周一 不对 周三"); None
        when there is none or nothing follows it; raises `Ambiguous` when what follows
        names several."""
        last = None
        for i, clause in enumerate(clauses):
            if m := words.CORRECTS.search(fold(clause)):
                last = (i, m.end())
        if last is None:
            return None
        i, end = last
        tail = [fold(clauses[i])[end:].strip(), *clauses[i + 1 :]]
        tail = [c for c in tail if c]
        return self.pick(", ".join(tail), today) if tail else None

    def turned_down(self, clauses: list[str], today: date) -> int | None:
        """A reply whose every clause turns choices down ("周二周四都不行", "not monday,
        not friday", "除了周六都行"): the one choice left; raises `Ambiguous` when more
        than one is left; None when the reply does not turn any choice down."""
        clauses = [c for said in clauses for c in times.clauses(fold(said))]
        rejecting = [c for c in clauses if words.REJECTS.search(c)]
        turned = set().union(*(self._named(c, today) for c in rejecting))
        if not turned:
            return None
        rest = [c for c in clauses if c not in rejecting]
        if rest:  # "晚上我要接孩子 还是早上吧": the choice the other clauses name
            found = self._read(", ".join(rest), today)
            if found is None and len(rest) == 1:
                found = self._at_bare_hour(rest[0], turned)  # "eight's too early, eleven"
            if found is None and not any(self._named(c, today) for c in rest):
                # "不要上午 我要睡觉 也不要晚上": the others give reasons, name no choice
                left = [i for i in range(len(self.answers)) if i not in turned]
                return left[0] if len(left) == 1 else None
            return found if found is not None and found not in turned else None
        left = self.remaining(clauses, today)
        if left is None:
            raise Ambiguous(" ".join(clauses))
        return left

    def _at_bare_hour(self, clause: str, turned: set[int]) -> int | None:
        """The one choice left that starts at the hour a clause says as a bare number
        ("eleven", "11", "两点"), morning or afternoon."""
        m = _BARE_HOUR.fullmatch(clause.strip())
        if m is None:
            return None
        said = m.group(1)
        hour = words.EN_HOURS.get(said) if not said.isdigit() else int(said)
        if hour is None or not 1 <= hour <= 12:
            return None
        at = [i for i, w in enumerate(self.windows) if w is not None and i not in turned
              and w[0] in (hour % 12, hour % 12 + 12)]  # fmt: skip
        return at[0] if len(at) == 1 else None

    def remaining(self, clauses: list[str], today: date) -> int | None:
        """ "周二周四都不行", "not monday or wednesday": the one choice left when the
        reply turns the others down and names nothing else; None otherwise."""
        named: set[int] = set()
        for clause in clauses:
            if not words.REJECTS.search(fold(clause)):
                return None
            named |= self._named(clause, today)
        left = [i for i in range(len(self.answers)) if i not in named]
        return left[0] if named and len(left) == 1 else None

    def _named(self, clause: str, today: date) -> set[int]:
        """The choices a clause names, each on its own: "周二周四" -> both."""
        pieces = re.split(
            r"和|跟|与|还有|或者|或|、|/|\band\b|\bor\b|\bnor\b|,|，|\s+",
            _NAME_START.sub(" ", fold(clause)),
        )
        named: set[int] = set()
        for piece in pieces:
            if not piece:
                continue
            try:
                found = self._read(piece, today)
            except Ambiguous:
                continue
            if found is None and pieces[0] == piece and words.REJECTS.search(fold(clause)):
                found = self._at_bare_hour(re.sub(r"'s$", "", piece), set())  # "eight's too early"
            if found is not None:
                named.add(found)
        return named

    def _two_parts_of_day(self, text: str) -> bool:
        """Whether one clause names two choices by words for parts of the day, each word
        on its own ("上午下午都得行", "mornings or afternoons both work"): both offered, none
        chosen. Not when a clock time is said, the clause turns one down, or the reply
        corrects itself ("afternoon, wait, no, morning")."""
        t = fold(text)
        parts = times.clauses(t)
        if times.clock(t) is not None or any(words.CORRECTS.search(c) for c in parts):
            return False
        for clause in parts:
            if words.REJECTS.search(clause):
                continue
            spans: list[tuple[int, int]] = []
            named: set[int] = set()
            for period in words.PERIODS:  # most specific first: "下午晚点" before "下午"
                for m in period.pattern.finditer(clause):
                    if any(s < m.end() and m.start() < e for s, e in spans):
                        continue
                    spans.append((m.start(), m.end()))
                    try:
                        found = self._hours(m.group(0))
                    except Ambiguous:
                        continue
                    named |= {found} if found is not None else set()
            if len(named) > 1:
                return True
        return False

    def _extreme(self, text: str, today: date) -> int | None:
        """ "the earliest one", "最晚的那个", "越快越好": the first or last choice in time."""
        t = fold(text)
        if words.AT_THE_LATEST.search(t):
            return None
        called = [i for word, i in self.called.items() if _SAYS_CALLED[word].search(t)]
        if len(called) == 1:
            return called[0]  # "the later one" to "the early class at 6pm, the late class at.."
        order = self._order(today)
        if not order or self._days_mixed():
            return None  # "the later one" to 6pm / 7:45pm / Saturday 10am: later by day or hour
        if times.is_soonest(t) or words.EARLIEST.search(t):
            return order[0]
        if words.LATEST.search(t):
            return order[-1]
        return None

    def _days_mixed(self) -> bool:
        """Whether some choices name a day and others only an hour."""
        return any(self.days_of) and any(
            w is not None and not d for w, d in zip(self.windows, self.days_of, strict=True)
        )

    def _labelled(self, text: str) -> int | None:
        """The one choice whose label carries the period word the reply says ("早上" to
        早上8-10点 / 上午10-12点), when the reply says no clock time."""
        t = fold(text)
        period = times.period_of(t)
        if period is None or times.clock(t) is not None:
            return None
        m = period.pattern.search(t)
        said = m.group(0) if m else ""
        word = re.compile(rf"(?<![a-z]){re.escape(said)}(?![a-z])")  # not "night" in midnight
        holders = [i for i, a in enumerate(self.answers) if said and word.search(fold(a))]
        return holders[0] if len(holders) == 1 and self.windows[holders[0]] else None

    def _in_window(self, text: str, said: tuple[float, float]) -> int | None:
        inside, overlap, at_start = [], [], []
        for i, w in enumerate(self.windows):
            if w is None:
                continue
            if w[0] <= said[0] and said[1] <= w[1]:
                inside.append(i)
            # a point slot inside a narrow range said: "七八点" holds 8点; a wide one
            # ("after two") is a bound, not a choice among the points it holds
            point = w[0] == w[1] and said[0] <= w[0] <= said[1] and said[1] - said[0] <= 2
            if w[0] < said[1] and said[0] < w[1] or point or (
                said[0] == said[1] and w[0] <= said[0] < w[1]
            ):
                overlap.append(i)
            elif w[0] == w[1] == said[0] < said[1]:
                at_start.append(i)
        if overlap and at_start:
            raise Ambiguous(text)  # "evening" to 6pm / 7:45pm: it holds 6pm as well
        if len(inside) == 1:
            return inside[0]
        if len(overlap) == 1:
            return overlap[0]
        if (held := self._held(said, overlap)) is not None:
            return held
        if len(inside) > 1 or len(overlap) > 1:
            raise Ambiguous(text)
        # hours said to begin at a point slot ("下班以后": from 18:00, to 晚上6点): that slot
        starts = [i for i, w in enumerate(self.windows) if w and w[0] == w[1] == said[0]]
        if len(starts) == 1 and _FROM.search(fold(text)):
            return starts[0]
        # hours no choice touches ("evening" to 8 am / noon / 5 pm): none of them, and
        # no later stage may take one for its likeness to the words
        raise Ambiguous(text)

    def _held(self, said: tuple[float, float], overlap: list[int]) -> int | None:
        """ "afternoon" to 8-10am / 11am-1pm / 3-5pm: the one choice lying wholly within
        the hours said, when every other one it touches lies at most half within them."""
        within, partly = [], []
        for i in overlap:
            lo, hi = self.windows[i]  # type: ignore[misc]
            if hi <= lo:
                continue
            share = (min(hi, said[1]) - max(lo, said[0])) / (hi - lo)
            (within if share >= 1 else partly).append(share)
            if share >= 1:
                held = i
        if len(within) == 1 and all(share <= 0.5 for share in partly):
            return held
        return None

    def _sets(self, today: date) -> list[frozenset[date] | None]:
        return [
            times.days(a, today, every=True) if d else None
            for a, d in zip(self.answers, self.days_of, strict=True)
        ]

    def _day(self, text: str, today: date) -> int | None:
        said = times.days(text, today)
        if not said:
            return None
        sets = self._sets(today)
        inside = [i for i, s in enumerate(sets) if s and said <= s]
        if len(inside) == 1:
            return inside[0]
        touching = [i for i, s in enumerate(sets) if s and said & s]
        if len(touching) == 1:
            return touching[0]
        if len(touching) > 1 or words.NAMES_WEEKDAY.search(fold(text)):
            raise Ambiguous(text)  # a weekday no choice holds ("friday?" to mon/thu/sat)
        return None

    def _order(self, today: date) -> list[int]:
        """The choices from the earliest to the latest."""
        keyed = []
        for i, (d, w) in enumerate(zip(self._sets(today), self.windows, strict=True)):
            if d:
                keyed.append((min(d).toordinal(), w[0] if w else 0, i))
            elif w:
                keyed.append((0, w[0], i))
        return [i for *_, i in sorted(keyed)]
