"""Times said in replies, resolved against the call's start: "明天下午三点",
"半小时后", "晚上八点", "tomorrow morning", "in two hours", "周五上午十点半"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

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
    if m := re.search(rf"({_ZH_NUM})?个?半?(小时|钟头|分钟)(之?后|以后)", t):
        amount = _num(m.group(1)) if m.group(1) else (0.5 if "半" in m.group(0) else 1.0)
        if amount is not None:
            half = "半" in m.group(0) and m.group(1) is not None and amount >= 1
            if m.group(2) == "分钟":
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
