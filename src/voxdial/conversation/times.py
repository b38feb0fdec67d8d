"""Times said in replies, resolved against the call's start: "明天下午三点",
"半小时后", "晚上八点", "tomorrow morning", "in two hours", "周五上午十点半"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from voxdial.conversation.normalize import fold, numbers

_ZH_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_EN_WEEKDAY = {
    d: i
    for i, d in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}
# period of day -> (default hour, add 12 to a bare hour below 12)
PERIODS: dict[str, tuple[str, int, bool]] = {
    "凌晨": (r"凌晨", 5, False),
    "早上": (r"早上|早晨|一早|明早|清早|morning", 9, False),
    "上午": (r"上午", 10, False),
    "中午": (r"中午|\bnoon\b|lunch", 12, False),
    "下午": (r"下午|afternoon", 15, True),
    "傍晚": (r"傍晚", 18, True),
    "晚上": (r"晚上|今晚|明晚|夜里|evening|tonight|night", 19, True),
}
_ZH_NUM = r"[0-9零一二两三四五六七八九十]+"
_EN_NUM = (
    r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|forty-five|couple of|few)"
)


@dataclass
class SpokenTime:
    """What a reply says about a time; any part may be missing."""

    day_offset: int | None = None  # 0 today, 1 tomorrow, ...
    weekday: int | None = None
    period: str | None = None  # a key of PERIODS
    hour: int | None = None
    minute: int = 0
    delta: timedelta | None = None  # "in two hours"

    @property
    def said(self) -> bool:
        return any(
            v is not None for v in (self.day_offset, self.weekday, self.period, self.hour)
        ) or (self.delta is not None)


def _num(text: str) -> float | None:
    text = text.strip()
    if text in ("a", "an", "one"):
        return 1
    if text in ("noon", "midday", "中午"):
        return 12
    if text in ("couple of",):
        return 2
    if text in ("few",):
        return 3
    found = numbers(text)
    return found[0] if found else None


def parse(text: str) -> SpokenTime:
    t = fold(text)
    st = SpokenTime()
    # relative amounts: 半小时后, 两个小时以后, 十分钟后, in two hours, in 30 minutes
    # ... also 过两个小时, 等半小时
    m = re.search(rf"(过|等)?({_ZH_NUM})?个?半?(小时|钟头|分钟)(之?后|以后)?", t)
    if m and (m.group(1) or m.group(4)):
        amount = _num(m.group(2)) if m.group(2) else (0.5 if "半" in m.group(0) else 1.0)
        if amount is not None:
            half = "半" in m.group(0) and m.group(2) is not None and amount >= 1
            if m.group(3) == "分钟":
                st.delta = timedelta(minutes=amount)
            else:
                st.delta = timedelta(hours=amount + (0.5 if half else 0))
    elif re.search(r"半(个)?(小时|钟头)(之?后|以后)?", t):
        st.delta = timedelta(minutes=30)
    elif m := re.search(
        rf"in (?:an? )?(half an hour|{_EN_NUM}(?: and a half)?) (hours?|minutes?|mins?)", t
    ):
        if m.group(1) == "half an hour":
            st.delta = timedelta(minutes=30)
        else:
            amount = _num(m.group(1).replace(" and a half", ""))
            if amount is not None:
                amount += 0.5 if "half" in m.group(1) else 0
                unit = "hours" if m.group(2).startswith("hour") else "minutes"
                st.delta = timedelta(**{unit: amount})
    elif re.search(r"in half an hour|half an hour", t):
        st.delta = timedelta(minutes=30)

    if re.search(r"大后天", t):
        st.day_offset = 3
    elif re.search(r"后天|day after tomorrow", t):
        st.day_offset = 2
    elif re.search(r"明天|明早|明晚|明儿|tomorrow", t):
        st.day_offset = 1
    elif re.search(r"今天|今晚|today|tonight|this (morning|afternoon|evening)", t):
        st.day_offset = 0
    if m := re.search(r"(下个?)?(周|星期|礼拜)([一二三四五六日天末])", t):
        st.weekday = _ZH_WEEKDAY[m.group(3)] + (7 if m.group(1) else 0)
    elif m := re.search(r"(next )?(" + "|".join(_EN_WEEKDAY) + r")", t):
        st.weekday = _EN_WEEKDAY[m.group(2)] + (7 if m.group(1) else 0)
    elif re.search(r"weekend", t):
        st.weekday = 5

    st.period = next((name for name, (p, _, _) in PERIODS.items() if re.search(p, t)), None)

    if m := re.search(rf"({_ZH_NUM})[点點](半|一刻|三刻|({_ZH_NUM})分?)?", t):
        hour = _num(m.group(1))
        if hour is not None and 0 <= hour <= 24:
            st.hour = int(hour)
            if m.group(2) == "半":
                st.minute = 30
            elif m.group(2) == "一刻":
                st.minute = 15
            elif m.group(2) == "三刻":
                st.minute = 45
            elif m.group(3):
                st.minute = int(_num(m.group(3)) or 0) % 60
    elif m := re.search(
        r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|o'?clock)", t
    ) or re.search(r"\b(?:at|around|after|by) (\d{1,2})(?::(\d{2}))?\b", t):
        st.hour = int(m.group(1))
        st.minute = int(m.group(2) or 0)
        suffix = m.group(3) if m.lastindex and m.lastindex >= 3 else None
        if suffix and suffix.startswith("p") and st.hour < 12:
            st.hour += 12
        elif suffix and suffix.startswith("a") and st.hour == 12:
            st.hour = 0
    elif m := re.search(r"\b(" + "|".join(["one", "two", "three", "four", "five", "six", "seven",
                                          "eight", "nine", "ten", "eleven", "twelve"]) +
                        r")(?: o'?clock| thirty| pm| am)", t):  # fmt: skip
        st.hour = int(_num(m.group(1)) or 0)
        if "thirty" in m.group(0):
            st.minute = 30
        if " pm" in m.group(0) and st.hour < 12:
            st.hour += 12
    return st


def resolve(text: str, now: datetime) -> datetime | None:
    """The aware datetime `text` names, relative to `now` (aware, in the callee's zone);
    None when it names no time."""
    st = parse(text)
    if not st.said:
        return None
    if st.delta is not None and st.hour is None:
        return now + st.delta
    day = now
    if st.day_offset is not None:
        day = now + timedelta(days=st.day_offset)
    elif st.weekday is not None:
        ahead = (st.weekday - now.weekday()) % 7 if st.weekday < 7 else st.weekday - now.weekday()
        day = now + timedelta(days=ahead or 7)
    hour, minute = st.hour, st.minute
    period = st.period
    if hour is None:
        if period is None:
            hour = 10 if day.date() != now.date() else None
            if hour is None:
                return None
        else:
            hour = PERIODS[period][1]
    else:
        if period is not None and PERIODS[period][2] and hour < 12:
            hour += 12
        elif period is None and 1 <= hour <= 7:
            hour += 12  # a bare "三点" during the day means the afternoon
    at = day.replace(hour=hour % 24, minute=minute, second=0, microsecond=0)
    if at <= now and st.day_offset is None and st.weekday is None:
        at += timedelta(days=1)
    return at


# ----- windows of the day and sets of days, for matching time-like answers -----

# period of day -> the hours it spans
WINDOWS: dict[str, tuple[float, float]] = {
    "凌晨": (0, 6),
    "早上": (6, 12),
    "上午": (6, 12),
    "中午": (11, 13.5),
    "下午": (12, 18),
    "傍晚": (17, 19.5),
    "晚上": (18, 24),
}
_BEFORE = r"(?:之前|以前|前|before|by)"
_AFTER = r"(?:之后|以后|后|往后|after|onwards)"
# an hour said in English words, for "noon to four", "nine to twelve"
_EN_HOUR = r"\b(?:noon|midday|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
_SOONEST = re.compile(
    r"越快越好|越早越好|尽快|尽早|越快|as soon as possible|asap|the sooner the better|"
    r"the earlier the better|soonest|earliest"
)


def is_soonest(text: str) -> bool:
    """ "越快越好", "as soon as possible": the earliest choice."""
    return bool(_SOONEST.search(fold(text)))


@lru_cache(maxsize=4096)
def window(text: str) -> tuple[float, float] | None:
    """The hours of the day `text` names: "上午" -> (6, 12), "三点左右" -> (15, 15),
    "晚上七点以后" -> (19, 24), "before noon" -> (0, 12), "after 5 pm" -> (17, 24),
    "上午9点到12点" -> (9, 12), "after work" -> (18, 24). None when it names none."""
    t = fold(text)
    if re.search(r"after work|下班(之?后|以后)|下了班|after dinner|晚饭后", t):
        return (18, 24)
    if re.search(r"after lunch|(午饭|吃完午饭|中午).{0,4}(之|以)?后", t):
        return (13, 18)
    if re.search(rf"中午{_BEFORE}|before (noon|lunch|midday)|in the morning", t):
        return (0, 12) if not re.search(r"in the morning", t) else (6, 12)
    if re.search(r"\bafter ?noon\b|afternoon", t) and not re.search(r"\d", t):
        return (12, 18)
    # "X点到Y点", "9 to 12", "2-5 pm"
    if m := re.search(
        rf"({_ZH_NUM}|\d{{1,2}}|{_EN_HOUR})[点:]?(?:\d{{2}})?\s*(?:到|至|-|~|to)\s*"
        rf"({_ZH_NUM}|\d{{1,2}}|{_EN_HOUR})\s*[点]?",
        t,
    ):
        lo, hi = _num(m.group(1)), _num(m.group(2))
        if lo is not None and hi is not None:
            period = _period(t)
            lo, hi = _on_clock(lo, period, t), _on_clock(hi, period, t)
            if hi <= lo:
                hi += 12
            return (lo, hi)
    st = parse(t)
    if st.hour is not None:
        hour = float(st.hour) + st.minute / 60
        # parse() keeps the hour as said ("晚上七点" -> 7): a bare 1-7 o'clock and an
        # evening hour are in the afternoon or evening
        if st.period is None and 1 <= st.hour <= 7 and not re.search(r"am|a\.m\.", t):
            hour += 12
        elif st.period is not None and PERIODS[st.period][2] and hour < 12:
            hour += 12
        if re.search(rf"{_AFTER}|以后|之后|往后|onwards|or later", t):
            return (hour, 24)
        if re.search(rf"点{_BEFORE}|\bbefore\b|\bby\b", t):
            return (0, hour)
        return (hour, hour)
    m = re.search(
        r"\b(after|before) (\d{1,2}|one|two|three|four|"
        r"five|six|seven|eight|nine|ten|eleven|twelve)\b",
        t,
    )
    if m:
        n = _num(m.group(2))
        if n is not None:
            hour = n + 12 if n <= 7 else n
            return (hour, 24) if m.group(1) == "after" else (0, hour)
    if st.period is not None:
        return WINDOWS[st.period]
    return None


def _period(t: str) -> str | None:
    return next((name for name, (p, _, _) in PERIODS.items() if re.search(p, t)), None)


def _on_clock(hour: float, period: str | None, t: str) -> float:
    if re.search(r"pm|p\.m\.", t) and hour < 12:
        return hour + 12
    if period is not None and PERIODS[period][2] and hour < 12:
        return hour + 12
    if period is None and 1 <= hour <= 7:
        return hour + 12
    return hour


HORIZON_DAYS = 14


@lru_cache(maxsize=4096)
def days(text: str, today: date, *, every: bool = False) -> frozenset[date] | None:
    """The days `text` names, within two weeks of `today`: "明天" -> {tomorrow},
    "周四" -> {this Thursday}, "这周" -> today..Sunday, "下礼拜" -> next Monday..Sunday,
    "weekend" -> the Saturdays and Sundays, "weekday" -> Mondays..Fridays, "end of the
    week" -> this Friday. None when it names no day. With `every`, a bare weekday
    ("周六", "Friday") is every such day in the two weeks (how a choice is meant)."""
    t = fold(text)
    span = [today + timedelta(days=i) for i in range(HORIZON_DAYS)]
    this_sunday = today + timedelta(days=6 - today.weekday())
    if re.search(r"end of (the|this) week|周末之前|这周末前", t):
        return frozenset({today + timedelta(days=(4 - today.weekday()) % 7)})
    if re.search(r"weekdays?|during the week|工作日|周一到周五|平时上班的?日子", t):
        return frozenset(d for d in span if d.weekday() < 5)
    if re.search(r"week ?ends?|周末|礼拜天礼拜六|双休", t):
        return frozenset(d for d in span if d.weekday() >= 5)
    if re.search(r"next week|下个?(周|星期|礼拜)(?![一二三四五六日天末])|下礼拜", t):
        return frozenset(d for d in span if this_sunday < d <= this_sunday + timedelta(days=7))
    if re.search(r"this week|(这|本|这个)(周|星期|礼拜)(?![一二三四五六日天末])|这礼拜", t):
        return frozenset(d for d in span if d <= this_sunday)
    st = parse(t)
    if st.day_offset is not None:
        return frozenset({today + timedelta(days=st.day_offset)})
    if st.weekday is not None:
        wd = st.weekday
        if wd >= 7:  # "下周一": that weekday of next week
            return frozenset({this_sunday + timedelta(days=wd - 7 + 1)})
        if every and not re.search(r"下|这|本|next|this", t):
            return frozenset(d for d in span if d.weekday() == wd)
        explicit_this = re.search(
            r"(这|本|这个)(周|星期|礼拜)|this (mon|tue|wed|thu|fri|sat|sun)", t
        )
        ahead = (wd - today.weekday()) % 7
        if ahead == 0 and not explicit_this:
            ahead = 7
        return frozenset({today + timedelta(days=ahead)})
    return None


class Ambiguous(ValueError):
    """The reply names several of the choices ("周末" for 周六 / 周日)."""


@dataclass
class TimeChoices:
    """Preset answers that are times of day ("上午", "After 5 pm") or days ("明天",
    "Friday", "下周"): which one a reply names."""

    answers: list[str]
    windows: list[tuple[float, float] | None]
    days_of: list[bool]

    @classmethod
    def of(cls, answers: list[str]) -> TimeChoices | None:
        windows = [window(a) for a in answers]
        dayish = [bool(days(a, date(2026, 1, 5), every=True)) for a in answers]
        choices = cls(answers, windows, dayish)
        return choices if choices.timed or choices.dayish else None

    @property
    def timed(self) -> bool:
        return sum(w is not None for w in self.windows) >= 2

    @property
    def dayish(self) -> bool:
        return sum(self.days_of) >= 2

    def pick(self, text: str, today: date) -> int | None:
        """The index of the choice `text` names; None when it names none; raises
        `Ambiguous` when it names several."""
        if is_soonest(text):
            order = self._order(today)
            return order[0] if order else None
        if self.dayish:
            found = self._day(text, today)
            if found is not None:
                return found
        if not self.timed:
            return None
        said = window(text)
        if said is None:
            return None
        inside, overlap = [], []
        for i, w in enumerate(self.windows):
            if w is None:
                continue
            if w[0] <= said[0] and said[1] <= w[1]:
                inside.append(i)
            if w[0] < said[1] and said[0] < w[1] or (said[0] == said[1] and w[0] <= said[0] < w[1]):
                overlap.append(i)
        if len(inside) == 1:
            return inside[0]
        if len(overlap) == 1:
            return overlap[0]
        if len(inside) > 1 or len(overlap) > 1:
            raise Ambiguous(text)
        return None

    def _sets(self, today: date) -> list[frozenset[date] | None]:
        return [
            days(a, today, every=True) if d else None
            for a, d in zip(self.answers, self.days_of, strict=True)
        ]

    def _day(self, text: str, today: date) -> int | None:
        said = days(text, today)
        if not said:
            return None
        sets = self._sets(today)
        inside = [i for i, s in enumerate(sets) if s and said <= s]
        if len(inside) == 1:
            return inside[0]
        touching = [i for i, s in enumerate(sets) if s and said & s]
        if len(touching) == 1:
            return touching[0]
        if len(touching) > 1:
            raise Ambiguous(text)
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
