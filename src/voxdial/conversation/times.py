"""Times said in replies, resolved against the call's start: "明天下午三点",
"半小时后", "晚上八点", "tomorrow morning", "in two hours", "周五上午十点半", and the
days and hours of the day a reply names among time-like choices. The words people use
are tables in `time_words`; this module holds the grammar that puts them together:
clock times ("half past two", "两点半", "12:30"), ranges ("11 to 1", "between three and
five"), days ("weds", "星期4", "the 17th", "early next week") and a clause turning a day
or time down ("周二不行"), which is left out of what the reply names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from voxdial.conversation import time_words as words
from voxdial.conversation.normalize import fold, numbers

_ZH_NUM = r"[0-9零一二两三四五六七八九十]+"
_EN_NUM = (
    r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|forty-five|couple of|few)"
)
_EN_HOUR_WORD = "|".join(w for w in words.EN_HOURS if w != "midnight")
_HOUR = rf"(?:\d{{1,2}}|{_EN_HOUR_WORD})"
_MER = r"(?:[ap]\.?\s?m\.?)(?![a-z])"  # am, p.m., "p m" (punctuation dropped)
# what may follow a number that is not an hour: "about two weeks", "like five people"
_NOT_HOUR = (
    r"(?!\s*(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|times?|people|"
    r"persons?|kids?|children|of\b|percent|%|dollars?|bucks|pounds|pets?|points?|"
    r"or (?:more|so|three|four|five)|more|stars?|out of))"
)


@dataclass
class SpokenTime:
    """What a reply says about a time; any part may be missing."""

    day_offset: int | None = None  # 0 today, 1 tomorrow, ...
    weekday: int | None = None  # 0 Monday; 7 and up: next week's
    period: str | None = None  # a name in time_words.PERIODS
    hour: int | None = None
    minute: int = 0
    delta: timedelta | None = None  # "in two hours"
    month_day: tuple[int | None, int] | None = None  # "3月17号" -> (3, 17), "the 17th"

    @property
    def said(self) -> bool:
        return any(
            v is not None
            for v in (self.day_offset, self.weekday, self.period, self.hour, self.month_day)
        ) or (self.delta is not None)


def _num(text: str) -> float | None:
    text = text.strip()
    if text in ("a", "an", "one"):
        return 1
    if text in words.EN_HOURS:
        return words.EN_HOURS[text]
    if text in ("中午",):
        return 12
    if text in ("couple of",):
        return 2
    if text in ("few",):
        return 3
    found = numbers(text)
    return found[0] if found else None


_PERIOD_SLIP = re.compile(
    rf"({'|'.join(words.ZH_PERIOD_SLIPS)})(?![个位次天年月名十百千万块元])"
)
_HOUR_SLIP = re.compile(
    rf"\b(?:(at|half past|quarter past|quarter to) ({'|'.join(words.EN_HOUR_SLIPS)})\b|"
    rf"({'|'.join(words.EN_HOUR_SLIPS)}) (?=o'?clock|thirty|fifteen|forty[- ]?five|[ap]\.?\s?m\b))"
)


# "half six": half past six, as said in Britain and Australia (not "half six hours")
_HALF_HOUR = re.compile(
    r"\bhalf (one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
    r"(?! (?:hours?|days?|weeks?|months?|years?|minutes?|of\b))"
)


def _folded(text: str) -> str:
    """Folded, with ASR's slips of time words read as meant: "after noon" split from
    "afternoon", "in the am" as am, "half six" as half past six, "下五" for 下午, "at
    for" / "too thirty" for four / two."""
    t = re.sub(r"\bafter noon\b", "afternoon", fold(text))
    t = re.sub(r"\bin the ([ap])\.?\s?m\b\.?", r"\1m", t)
    t = _HALF_HOUR.sub(r"half past \1", t)
    t = _PERIOD_SLIP.sub(lambda m: words.ZH_PERIOD_SLIPS[m.group(1)], t)
    return _HOUR_SLIP.sub(_hour_slip, t)


def _hour_slip(m: re.Match) -> str:
    if m.group(1):
        return f"{m.group(1)} {words.EN_HOUR_SLIPS[m.group(2)]}"
    return f"{words.EN_HOUR_SLIPS[m.group(3)]} "


# ----- clauses that turn a time down -----


def clauses(t: str) -> list[str]:
    """Clauses of a folded reply: split at punctuation, "but", and spaces between CJK."""
    t = re.sub(r"\b(any ?(?:day|time|thing|one)?|all|every day|whenever) but\b", r"\1 except", t)
    parts = re.split(
        r"[,，。.;；!！?？、]|\bbut\b|\boh wait\b|但是|不过|(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", t
    )
    return [p.strip() for p in parts if p and p.strip()]


def _kept(t: str, names) -> str:
    """`t` without its clauses that turn a day or time down ("今天不行 周四再打" ->
    "周四再打"), when another clause still names one (`names`: whether a clause does)."""
    parts = clauses(t)
    if len(parts) < 2:
        return t
    kept = [p for p in parts if not words.REJECTS.search(p)]
    return " ".join(kept) if any(names(p) for p in kept) else t


# ----- clock times -----


@dataclass
class Clock:
    """A clock time as said: the hour as said (3 for "三点", "3 pm"), its minutes,
    am/pm when said, "多" (三点多: past three), and where it sits in the text."""

    hour: int
    minute: int
    meridiem: str | None
    more: bool
    start: int
    end: int


_ZH_CLOCK = re.compile(rf"({_ZH_NUM})[点點](?:钟)?(半|一刻|三刻|({_ZH_NUM})分?)?(多)?")
_EN_CLOCKS = [
    # 12:30, 9:15 am
    re.compile(rf"\b(\d{{1,2}})(?::|\s(?=\d{{2}}\s*{_MER}))(\d{{2}})\s*({_MER})?"),
    # half past two, quarter to five
    re.compile(rf"\b(half|quarter) (past|after|to) ({_HOUR})\b\s*({_MER})?"),
    # two thirty, five o'clock
    re.compile(rf"\b({_EN_HOUR_WORD}) (thirty|fifteen|forty[- ]?five|o'?clock)\b\s*({_MER})?"),
    # 4pm, nine a.m., 3 o'clock
    re.compile(rf"\b({_HOUR})\s*({_MER}|o'?clock)"),
    # fiveish, 3-ish
    re.compile(rf"\b({_HOUR})-?ish\b"),
    # at five, after six, before noon
    re.compile(
        rf"\b(?:at|after|by|before|till|until|from|past|just after|just before)\s+"
        rf"({_HOUR}|noon|midday|midnight)\b{_NOT_HOUR}"
    ),
    # around two, like four, maybe three: an hour only where a time is asked about
    # ("maybe three, maybe four" to a 1-5 scale is not three o'clock)
    re.compile(
        rf"\b(?:around|about|like|say|maybe|roughly|approximately)\s+({_HOUR})\b{_NOT_HOUR}"
    ),
    # "12 30": a clock time whose colon was dropped with the punctuation
    re.compile(r"\b(\d{1,2}) ([0-5][05])\b(?!\s*(?:[a-z]|\d))"),
    # "530", "1130 am": hours and minutes run together, as ASR writes them
    re.compile(rf"\b(1[0-2]|0?[1-9])([0-5][05])\b\s*({_MER})?{_NOT_HOUR}"),
    # a bare hour beside a period of the day: "late afternoon, five" (not "one": "the
    # evening one")
    re.compile(rf"\b(\d{{1,2}}|{'|'.join(list(words.EN_HOURS)[1:12])})\b{_NOT_HOUR}"),
]
_WEAK = len(_EN_CLOCKS) - 4  # from this pattern on: hours only where a time is asked for
_BARE = len(_EN_CLOCKS) - 1  # a bare hour: only beside a period of the day
_MINUTES = {"thirty": 30, "fifteen": 15, "fortyfive": 45, "forty-five": 45, "forty five": 45}


def _en_clock(m: re.Match, i: int) -> Clock | None:
    g = m.groups()
    mer = None
    if i == 0:
        hour, minute, mer = int(g[0]), int(g[1]), g[2]
    elif i == _WEAK + 1:
        hour, minute = int(g[0]), int(g[1])
    elif i == _WEAK + 2:
        hour, minute, mer = int(g[0]), int(g[1]), g[2]
    elif i == 1:
        hour = int(_num(g[2]) or 0)
        minute = 30 if g[0] == "half" else 15
        if g[1] == "to":
            hour, minute = hour - 1, 45 if g[0] == "quarter" else 30
        mer = g[3]
    elif i == 2:
        hour, minute, mer = words.EN_HOURS[g[0]], _MINUTES.get(g[1], 0), g[2]
    elif i == 3:
        hour, minute = int(_num(g[0]) or 0), 0
        mer = g[1] if not g[1].startswith("o") else None
    else:
        hour, minute = int(_num(g[0]) or 0), 0
    if not 0 <= hour <= 24 or minute >= 60:
        return None
    mer = ("pm" if mer.startswith("p") else "am") if mer else None
    return Clock(hour, minute, mer, False, m.start(1), m.end())


# 一点 after a word of degree is "a bit" ("早一点的", "晚一点", "快一点"), not one o'clock
_A_BIT_AFTER = "早晚快慢稍好多少大小高低差有近远宜贵便强弱长短松紧"


def _zh_clock(m: re.Match) -> Clock | None:
    hour = _num(m.group(1))
    if hour is None or not 0 <= hour <= 24:
        return None
    if m.group(1) == "一" and m.start() > 0 and m.string[m.start() - 1] in _A_BIT_AFTER:
        return None
    if m.group(1) == "一" and m.string.startswith(("点儿", "点点"), m.end() - 1):
        return None  # 一点儿, 一点点: a little
    minute = {"半": 30, "一刻": 15, "三刻": 45}.get(m.group(2) or "", 0)
    if m.group(3):
        minute = int(_num(m.group(3)) or 0) % 60
    return Clock(int(hour), minute, None, bool(m.group(4)), m.start(), m.end())


def clock(t: str, *, asked: bool = False) -> Clock | None:
    """The first clock time said in folded text `t`, or None. `asked`: the question asks
    for a time, so "around two", "like five", "12 30" are hours too, and so is a bare
    "five" beside a period of the day."""
    found = [(c.start, -1, c) for m in _ZH_CLOCK.finditer(t) if (c := _zh_clock(m))]
    last = (_BARE + 1 if period_of(t) else _BARE) if asked else _WEAK
    for i, pattern in enumerate(_EN_CLOCKS[:last]):
        found += [(c.start, i, c) for m in pattern.finditer(t) if (c := _en_clock(m, i))]
    return min(found, key=lambda f: f[:2])[2] if found else None


def period_of(t: str) -> words.Period | None:
    return next((p for p in words.PERIODS if p.pattern.search(t)), None)


def _on_clock(hour: float, period: words.Period | None, meridiem: str | None) -> float:
    """An hour as said, on the 24-hour clock: "3 pm" and "下午三点" -> 15, "中午一点" ->
    13 (the reading inside the period said), a bare 1-7 -> the afternoon."""
    if meridiem == "pm" and hour < 12:
        return hour + 12
    if meridiem == "am":
        return 0 if hour == 12 else hour
    if period is not None and hour < 12:
        lo, hi = period.span
        if not lo <= hour <= hi and lo <= hour + 12 <= hi or period.pm:
            return hour + 12
        return hour
    if period is None and 1 <= hour <= 7:
        return hour + 12
    return hour


# ----- relative amounts of time -----

_EN_DELTA = re.compile(
    rf"\b(?:in|give me|after|wait|within) (?:an? )?(half an hour|{_EN_NUM}(?: and a half)?)"
    rf" (hours?|minutes?|mins?)\b|\b(an?|{_EN_NUM}) (hours?|minutes?|mins?) (?:from now|later|"
    rf"or so)"
)


def _delta(t: str) -> timedelta | None:
    """ "半小时后", "过两个小时", "in two hours", "give me an hour": how long from now."""
    m = re.search(rf"(过|等)?({_ZH_NUM})?个?(半)?个?(小时|钟头|分钟)(之?后|以后)?", t)
    if m and (m.group(1) or m.group(5)):
        half = m.group(3) is not None
        amount = _num(m.group(2)) if m.group(2) else (0.0 if half else 1.0)
        if amount is None:
            return None
        if m.group(4) == "分钟":
            return timedelta(minutes=amount)
        return timedelta(hours=amount + (0.5 if half else 0))
    if re.search(r"半(个)?(小时|钟头)(之?后|以后)", t):
        return timedelta(minutes=30)
    if m := _EN_DELTA.search(t):
        said, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if said == "half an hour":
            return timedelta(minutes=30)
        amount = _num(said.replace(" and a half", ""))
        if amount is None:
            return None
        amount += 0.5 if "half" in said else 0
        return timedelta(**{"hours" if unit.startswith("hour") else "minutes": amount})
    if re.search(r"in half an hour|half an hour", t):
        return timedelta(minutes=30)
    return None


# ----- days -----


# a part of the day after a weekday abbreviation that is also a word ("sat morning")
_DAY_PART = re.compile(r"\s+(morning|afternoon|evening|night|lunchtime|am|pm)\b")


def _weekday(t: str, *, short: bool) -> int | None:
    """The weekday named (0 Monday; +7 for next week's: "下周一", "next monday"):
    "周4", "礼拜天", "周事" (an ASR slip of 周四), "weds", "thurs". A weekday
    abbreviation that is also a word ("sat", "sun") counts in a `short` reply, after
    a word that introduces a day ("on sat") or before a part of the day ("sat morning")."""
    slips = "".join(words.ZH_WEEKDAY_SLIPS)
    m = re.search(r"(下个?)?(?:周|星期|礼拜)([一二三四五六日天七末1-7])", t) or re.search(
        rf"(下个?)?(?:周|星期|礼拜)([{slips}])(?=$|[\s吧呀啊的那行好可就呢嘛])", t
    )
    if m:
        said = words.ZH_WEEKDAY_SLIPS.get(m.group(2), m.group(2))
        return words.ZH_WEEKDAY[said] + (7 if m.group(1) else 0)
    for i, form in enumerate(words.EN_WEEKDAY):
        for m in re.finditer(rf"(?:\b(next|{words.EN_DAY_LEAD}) )?\b({form})\b", t):
            wordlike = m.group(2) in words.EN_WEEKDAY_WORDLIKE
            if wordlike and not short and not m.group(1) and not _DAY_PART.match(t, m.end()):
                continue
            return i + (7 if m.group(1) == "next" else 0)
    return None


_ZH_DATE = re.compile(
    rf"(?:({_ZH_NUM})月(?:份)?)?({_ZH_NUM})(?:号|日)(?![楼线门床房机车元块])"
)
_EN_DATE = re.compile(
    r"\b(?:(?P<m1>[a-z]{3,9})\s+)?(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)\b"
    r"(?:\s+of\s+(?P<m2>[a-z]{3,9}))?|"
    r"\b(?:(?P<m3>[a-z]{3,9})\s+)?the\s+(?P<w>[a-z-]+)\b(?:\s+of\s+(?P<m4>[a-z]{3,9}))?|"
    r"\b(?P<m5>[a-z]{3,9})\s+(?P<d2>\d{1,2})\b"
)


def _month_day(t: str) -> tuple[int | None, int] | None:
    """A day of the month said: "17号", "3月17日", "the 17th", "the seventeenth",
    "march 17"; (month or None, day)."""
    if m := _ZH_DATE.search(t):
        day = _num(m.group(2))
        month = _num(m.group(1)) if m.group(1) else None
        if day is not None and 1 <= day <= 31 and (month is None or 1 <= month <= 12):
            return (int(month) if month else None, int(day))
    for m in _EN_DATE.finditer(t):
        month_word = next((m.group(k) for k in ("m1", "m2", "m3", "m4", "m5") if m.group(k)), None)
        month = words.EN_MONTHS.get(month_word) if month_word else None
        if month_word and month is None and not m.group("d") and not m.group("w"):
            continue
        if m.group("d2") and month is None:
            continue
        if m.group("w") and m.group("w") not in words.EN_ORDINALS:
            continue
        day = int(m.group("d") or m.group("d2") or words.EN_ORDINALS.get(m.group("w"), 0))
        if 1 <= day <= 31:
            return (month, day)
    return None


def _on_month_day(month_day: tuple[int | None, int], today: date) -> date | None:
    """The next date with that day (of that month): "the 17th" on the 20th is next
    month's."""
    month, day = month_day
    for ahead in range(13):
        y, m = divmod(today.month - 1 + ahead, 12)
        if month is not None and m + 1 != month:
            continue
        try:
            found = date(today.year + y, m + 1, day)
        except ValueError:
            continue
        if found >= today:
            return found
    return None


def _names_time(p: str) -> bool:
    return bool(clock(p) or period_of(p) or _weekday(p, short=True) or re.search(
        r"今天|明天|后天|tomorrow|today|tonight|周末|weekend|week|[号日]", p
    ))  # fmt: skip


def parse(text: str) -> SpokenTime:
    t = _folded(text)
    t = _kept(t, _names_time)
    st = SpokenTime(delta=_delta(t))
    if re.search(r"大后天", t):
        st.day_offset = 3
    elif re.search(r"后天|day after tomorrow", t):
        st.day_offset = 2
    elif re.search(r"明天|明早|明晚|明儿|tomorrow", t):
        st.day_offset = 1
    elif re.search(r"今天|今晚|today|tonight|this (morning|afternoon|evening)", t):
        st.day_offset = 0
    if m := re.search(rf"\bin ({_EN_NUM}) days\b|({_ZH_NUM})天(?:之|以)?后(?!天)", t):
        ahead = _num(m.group(1) or m.group(2))  # "in three days", "三天后" (not 过两天)
        st.day_offset = int(ahead) if ahead is not None and 0 < ahead < 15 else st.day_offset
    st.weekday = _weekday(t, short=len(t.split()) <= 3)
    if st.weekday is None and re.search(r"weekend", t):
        st.weekday = 5
    if st.day_offset is None and st.weekday is None:
        st.month_day = _month_day(t)
    period = period_of(t)
    st.period = period.name if period else None
    if said := clock(t, asked=period is not None):
        st.hour, st.minute = int(_on_clock(said.hour, period, said.meridiem)), said.minute
        if said.meridiem is None and period is None:
            st.hour = said.hour  # as said: resolve() places a bare hour
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
    elif st.month_day is not None and (on := _on_month_day(st.month_day, now.date())):
        day = now + timedelta(days=(on - now.date()).days)
    hour, minute = st.hour, st.minute
    if hour is None:
        if st.period is None:
            if day.date() == now.date():
                return None
            hour = 10
        else:
            hour = words.PERIOD_BY_NAME[st.period].at
    elif st.period is None and 1 <= hour <= 7:
        hour += 12  # a bare "三点" during the day means the afternoon
    at = day.replace(hour=hour % 24, minute=minute, second=0, microsecond=0)
    if at <= now and st.day_offset is None and st.weekday is None and st.month_day is None:
        at += timedelta(days=1)
    return at


# ----- windows of the day and sets of days, for matching time-like answers -----

# hours a period of the day spans, by its name
WINDOWS: dict[str, tuple[float, float]] = {p.name: p.span for p in words.PERIODS}
_SOONEST = re.compile(
    r"越快越好|越早越好|尽快|尽早|越快|as soon as possible|asap|the sooner the better|"
    r"the earlier the better|soonest|earliest"
)
# "before noon", "中午前": the morning, up to noon
_BEFORE_NOON = re.compile(r"(?:中午|午饭)(?:之|以)?前(?!后)|before (?:noon|lunch|midday)")
_RANGE_END = (
    rf"(\d{{1,2}}(?::\d{{2}})?|{_ZH_NUM}|{_EN_HOUR_WORD})(?![\d零一二两三四五六七八九十])"
    rf"\s*({_MER})?\s*[点點]?(半)?"
)
_RANGE = re.compile(
    rf"(?:\b(?:between|from)\s+)?{_RANGE_END}\s*(?:到|至|-|–|~|\bto\b|\btill\b|\buntil\b|"
    rf"(?<=[\d\w]) and\b)\s*{_RANGE_END}"
    rf"(?!\s*(?:[个次人吨岁年月天周块元分份口位家间张台件号楼层度]|minutes?|mins?|hours?|"
    rf"days?|weeks?|months?|years?|times?|people|persons?|kids?|percent|points?|stars?))"
)
_AFTER_LEAD = re.compile(r"\b(?:after|from|past|since|any ?time after)\s+(?:about |around )?$")
_BEFORE_LEAD = re.compile(r"\b(?:before|by|until|till|no later than)\s+(?:about |around )?$")
_AFTER_CLOCK = re.compile(r"^\s*(?:之后|以后|往后|后(?!天)|or later|onwards?|and later|on\b)")
_BEFORE_CLOCK = re.compile(r"^\s*(?:之前|以前|前(?!后)|or earlier|at the latest)")


def bounded(text: str) -> bool:
    """ "下午两点以后都行", "any time after three": a bound on the hours, so "都行" /
    "any time" leaves out the choices outside it rather than naming them all."""
    t = _folded(text)
    c = clock(t, asked=True)
    if c is None:
        return False
    before = t[max(0, c.start - 20) : c.start]
    lead = _AFTER_LEAD.search(before) or _BEFORE_LEAD.search(before)
    return bool(lead or _AFTER_CLOCK.search(t[c.end :]) or _BEFORE_CLOCK.search(t[c.end :]))


_EXCEPT = re.compile(
    r"除了|除开|\bexcept\b|\bany ?(?:day|time|thing|one)? but\b|other than|apart from"
)


def excepts(text: str) -> bool:
    """ "除了周一都行", "any day except monday": every choice but those named."""
    return bool(_EXCEPT.search(fold(text)))


def is_soonest(text: str) -> bool:
    """ "越快越好", "as soon as possible": the earliest choice."""
    return bool(_SOONEST.search(fold(text)))


# two neighbouring numerals before 点: "三四点" (three or four), "十一二点", "一两点"
_NEIGHBOURS = re.compile(r"(十?[一二两三四五六七八九])([二两三四五六七八九十])[点點]")


def _neighbours(t: str, period: words.Period | None) -> tuple[float, float] | None:
    m = _NEIGHBOURS.search(t)
    if m is None:
        return None
    lo = _num(m.group(1))
    hi = _num(("十" if m.group(1).startswith("十") and m.group(2) != "十" else "") + m.group(2))
    if lo is None or hi is None or hi != lo + 1:
        return None
    if period is None and 8 <= lo <= 11:
        return None  # "八九点" alone: morning or evening, unsaid
    return (_on_clock(lo, period, None), _on_clock(hi, period, None))


def _range(t: str, period: words.Period | None) -> tuple[float, float] | None:
    """ "9点到12点", "11 to 1", "between three and five", "11am-1pm", "3-5pm", "三四点"."""
    if (said := _neighbours(t, period)) is not None:
        return said
    m = _RANGE.search(t)
    if m is None or (" and" in m.group(0) and "between" not in m.group(0)):
        return None
    said = [m.group(1, 2, 3), m.group(4, 5, 6)]
    hours = [_num(h.partition(":")[0]) for h, _, _ in said]
    if any(h is None or h > 24 for h in hours):
        return None
    meridiems = [("pm" if x.startswith("p") else "am") if x else None for _, x, _ in said]
    if meridiems[0] is None and meridiems[1] is not None and hours[0] < hours[1]:
        meridiems[0] = meridiems[1]  # "3-5pm": both after noon; not "11-1pm"
    ends = []
    for (h, _, half), hour, mer in zip(said, hours, meridiems, strict=True):
        minutes = h.partition(":")[2]
        ends.append(_on_clock(hour, period, mer) + (int(minutes) / 60 if minutes else 0) + (
            0.5 if half else 0
        ))  # fmt: skip
    lo, hi = ends
    if hi <= lo:
        hi += 12
    return (lo, hi)


@lru_cache(maxsize=4096)
def window(text: str, *, asked: bool = False) -> tuple[float, float] | None:
    """The hours of the day `text` names: "上午" -> (6, 12), "三点左右" -> (15, 15),
    "晚上七点以后" -> (19, 24), "before noon" -> (0, 12), "after 5 pm" -> (17, 24),
    "上午9点到12点" -> (9, 12), "after work" -> (18, 24), "三点多" -> (15, 16),
    "half past twelve" -> (12.5, 12.5). None when it names none. `asked`: said to a
    question that asks for a time ("like five" is then five o'clock)."""
    t = _kept(_folded(text), lambda p: bool(clock(p, asked=asked) or period_of(p)))
    period = period_of(t)
    if (said := _range(t, period)) is not None:
        return said
    if (c := clock(t, asked=asked or period is not None)) is not None:
        hour = _on_clock(c.hour, period, c.meridiem) + c.minute / 60
        before = t[max(0, c.start - 20) : c.start]
        if c.more:
            return (hour, hour + 1)
        if _AFTER_LEAD.search(before) or _AFTER_CLOCK.search(t[c.end :]):
            if hour == 0:
                return (0, 6)  # "after midnight": the small hours
            # "下午两点以后": from two to the end of the afternoon said, not of the day
            end = period.span[1] if period is not None and period.span[1] > hour else 24
            return (hour, end)
        if _BEFORE_LEAD.search(before) or _BEFORE_CLOCK.search(t[c.end :]):
            return (0, hour)
        return (hour, hour)
    if _BEFORE_NOON.search(t):
        return (0, 12)
    return period.span if period is not None else None


HORIZON_DAYS = 14


def _week(today: date, weeks_ahead: int, first: int = 0, last: int = 6) -> frozenset[date]:
    """Days `first`..`last` (0 Monday) of the week `weeks_ahead` from this one."""
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)
    return frozenset(monday + timedelta(days=i) for i in range(first, last + 1))


_WEEKS_AHEAD = [
    (r"week after next|the week after|in (?:two|2) weeks|two weeks from|fortnight|"
     r"下下个?(?:周|星期|礼拜)|(?:两|2)(?:个)?(?:周|星期|礼拜)(?:之|以)?后|"
     r"过两(?:个)?(?:周|星期|礼拜)", 2),
    # 下礼拜 / 这礼拜 are the week only when no weekday follows ("下礼拜四": a Thursday)
    (r"\bnext week|\bin a week|a week from|下个?(?:周|星期|礼拜)(?![一二三四五六日天末1-7])|"
     r"(?:一|1)(?:个)?(?:周|星期|礼拜)(?:之|以)?后|过一(?:个)?(?:周|星期|礼拜)", 1),
    (r"this week|(?:这|本|这个)(?:周|星期|礼拜)(?![一二三四五六日天末1-7])", 0),
]  # fmt: skip


def _part_of_week(t: str, today: date) -> frozenset[date] | None:
    """ "early next week", "下周初", "end of next week", "mid-week", "周中"."""
    for said, (first, last) in words.WEEK_PARTS:
        m = re.search(
            rf"(?:{said})\s*(?P<en>next |this )?week\b|"
            rf"(?P<zh>下个?|这|本)?(?:周|星期|礼拜)(?:{said})(?!午|饭)", t
        )
        if not m or re.search(r"weekend|周末", m.group(0)):
            continue
        lead = (m.group("en") or m.group("zh") or "").strip()
        if lead:
            return _week(today, 1 if lead.startswith(("next", "下")) else 0, first, last)
        return frozenset(d for w in (0, 1) for d in _week(today, w, first, last) if d >= today)
    return None


@lru_cache(maxsize=4096)
def days(text: str, today: date, *, every: bool = False) -> frozenset[date] | None:
    """The days `text` names, within two weeks of `today` (a named week or date may lie
    beyond): "明天" -> {tomorrow}, "周四" -> {this Thursday}, "这周" -> today..Sunday,
    "下礼拜" -> next Monday..Sunday, "weekend" -> the Saturdays and Sundays, "weekday"
    -> Mondays..Fridays, "end of the week" -> this Friday, "early next week" -> next
    Monday..Tuesday, "the 17th" -> that date. None when it names no day. With `every`,
    a bare weekday ("周六", "Friday") is every such day in the two weeks (how a choice
    is meant)."""
    t = _kept(fold(text), lambda p: days(p, today) is not None)
    span = [today + timedelta(days=i) for i in range(HORIZON_DAYS)]
    if re.search(r"end of (the|this) week|周末之前|这周末前", t):
        return frozenset({today + timedelta(days=(4 - today.weekday()) % 7)})
    if re.search(r"weekdays?|during the week|工作日|周一到周五|平时上班的?日子", t):
        return frozenset(d for d in span if d.weekday() < 5)
    if re.search(r"(?:this|next|下个?|这个?|本) ?(?:week ?end|周末)", t):
        ahead = 1 if re.search(r"next|下", t) else 0
        return _week(today, ahead, 5, 6)
    if re.search(r"week ?ends?|周末|礼拜天礼拜六|双休", t):
        return frozenset(d for d in span if d.weekday() >= 5)
    if (part := _part_of_week(t, today)) is not None:
        return part
    for said, ahead in _WEEKS_AHEAD:
        if re.search(said, t):
            week = _week(today, ahead)
            return frozenset(d for d in week if d >= today)
    st = parse(t)
    if st.day_offset is not None:
        return frozenset({today + timedelta(days=st.day_offset)})
    if st.weekday is not None:
        return _weekdays(t, st.weekday, today, span, every=every)
    if st.month_day is not None and (on := _on_month_day(st.month_day, today)):
        return frozenset({on})
    return None


def _weekdays(
    t: str, wd: int, today: date, span: list[date], *, every: bool
) -> frozenset[date]:
    this_sunday = today + timedelta(days=6 - today.weekday())
    if wd >= 7:  # "下周一": that weekday of next week
        return frozenset({this_sunday + timedelta(days=wd - 7 + 1)})
    if every and not re.search(r"下|这|本|next|this", t):
        return frozenset(d for d in span if d.weekday() == wd)
    explicit_this = re.search(r"(这|本|这个)(周|星期|礼拜)|this (mon|tue|wed|thu|fri|sat|sun)", t)
    ahead = (wd - today.weekday()) % 7
    if ahead == 0 and not explicit_this:
        ahead = 7
    return frozenset({today + timedelta(days=ahead)})


_CHOICES = ("Ambiguous", "TimeChoices")


def __getattr__(name: str):
    """`times.TimeChoices`, `times.Ambiguous`: the choices a reply names live in
    time_choices, which reads with the grammar above (imported on first use, so either
    module may be imported first)."""
    if name in _CHOICES:
        from voxdial.conversation import time_choices

        return getattr(time_choices, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
