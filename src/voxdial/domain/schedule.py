"""A task's calling schedule: dates, daily windows, weekdays and time zone.

Validation lives here so that the API, the importer and the dialer agree on what a
possible schedule is. Dates are bounded to `EARLIEST_DATE`..`LATEST_DATE`: far enough
for any campaign, and far from the ends of the calendar, where date arithmetic (a
window ending at 24:00 is the next day's midnight) would overflow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from voxdial.errors import InvalidSchedule, ScheduleOutOfRange

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
_HHMM = re.compile(r"^([0-9]{2}):([0-9]{2})$")


def parse_hhmm(value: object, *, field: str, allow_24: bool = False) -> time | None:
    """Parse `HH:MM`; `24:00` (end of day) only where `allow_24`. None means 24:00."""
    if not isinstance(value, str) or not (m := _HHMM.match(value)):
        raise InvalidSchedule(f"{field}: {value!r} is not a time of day in HH:MM form")
    hour, minute = int(m.group(1)), int(m.group(2))
    if allow_24 and hour == 24 and minute == 0:
        return None
    if hour > 23 or minute > 59:
        raise InvalidSchedule(f"{field}: {value!r} is not a time of day (00:00 to 23:59)")
    return time(hour, minute)


@dataclass(frozen=True)
class Window:
    start: time
    end: time | None  # None: until midnight

    def end_minutes(self) -> int:
        return 24 * 60 if self.end is None else self.end.hour * 60 + self.end.minute

    def start_minutes(self) -> int:
        return self.start.hour * 60 + self.start.minute


def parse_windows(raw: object) -> list[Window]:
    """Validate `startTime`: a non-empty list of `["HH:MM", "HH:MM"]`, each end after its
    start, none overlapping another."""
    if not isinstance(raw, list) or not raw:
        raise InvalidSchedule('option.startTime: give at least one ["HH:MM", "HH:MM"] window')
    windows: list[Window] = []
    for i, pair in enumerate(raw):
        field = f"option.startTime[{i}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise InvalidSchedule(f'{field}: a window is a pair ["HH:MM", "HH:MM"]')
        start = parse_hhmm(pair[0], field=f"{field}[0]")
        end = parse_hhmm(pair[1], field=f"{field}[1]", allow_24=True)
        window = Window(start, end)  # type: ignore[arg-type]
        if window.end_minutes() <= window.start_minutes():
            raise InvalidSchedule(
                f"{field}: the window ends ({pair[1]}) before it starts ({pair[0]})"
            )
        windows.append(window)
    ordered = sorted(windows, key=Window.start_minutes)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start_minutes() < a.end_minutes():
            raise InvalidSchedule(
                f"option.startTime: windows {_fmt(a)} and {_fmt(b)} overlap; merge them or move one"
            )
    return ordered


def _fmt(w: Window) -> str:
    end = "24:00" if w.end is None else w.end.strftime("%H:%M")
    return f"[{w.start.strftime('%H:%M')}, {end}]"


def parse_date(value: object, *, field: str) -> date:
    """A `YYYY-MM-DD` calendar date (400 otherwise) from `EARLIEST_DATE` to
    `LATEST_DATE` (422 outside)."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise InvalidSchedule(f"{field}: {value!r} is not a date in YYYY-MM-DD form")
    try:
        day = date.fromisoformat(value)
    except ValueError as e:
        raise InvalidSchedule(f"{field}: {value!r} is not a calendar date") from e
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ScheduleOutOfRange(
            f"{field}: {value} is outside the dates a task may use "
            f"({EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()})"
        )
    return day


def parse_time_zone(value: object, *, field: str) -> ZoneInfo:
    if not isinstance(value, str) or not value or len(value) > 64:
        raise InvalidSchedule(f"{field}: give an IANA time zone such as Asia/Shanghai")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise InvalidSchedule(f"{field}: {value!r} is not a known IANA time zone") from e


def validate_weeks(raw: object) -> list[int]:
    """`option.weeks`: ISO weekdays (1 = Monday .. 7 = Sunday) on which calls may start."""
    if not isinstance(raw, list) or not raw:
        raise InvalidSchedule("option.weeks: give the weekdays to call on, 1 (Mon) to 7 (Sun)")
    days: list[int] = []
    for v in raw:
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 7:
            raise InvalidSchedule(f"option.weeks: {v!r} is not a weekday number 1..7")
        if v not in days:
            days.append(v)
    return sorted(days)


@dataclass(frozen=True)
class Schedule:
    """When calls of a task may start: local wall-clock windows on allowed weekdays
    between the start and end dates, in the task's time zone (DST-aware)."""

    zone: ZoneInfo
    start_date: date
    end_date: date | None
    weeks: frozenset[int]
    windows: tuple[Window, ...]

    @classmethod
    def from_option(cls, option: dict) -> Schedule:
        return cls(
            zone=parse_time_zone(option["timeZone"], field="option.timeZone"),
            start_date=parse_date(option["startDate"], field="option.startDate"),
            end_date=(
                parse_date(option["endDate"], field="option.endDate")
                if option.get("endDate")
                else None
            ),
            weeks=frozenset(option.get("weeks") or range(1, 8)),
            windows=tuple(parse_windows(option["startTime"])),
        )

    def _day_allowed(self, day: date) -> bool:
        if day < self.start_date or (self.end_date is not None and day > self.end_date):
            return False
        return day.isoweekday() in self.weeks

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        if not self._day_allowed(local.date()):
            return False
        second = local.hour * 3600 + local.minute * 60 + local.second
        return any(w.start_minutes() * 60 <= second < w.end_minutes() * 60 for w in self.windows)

    def next_open(self, after: datetime) -> datetime | None:
        """The first instant at or after `after` when a call may start; None when the
        schedule is exhausted."""
        day = after.astimezone(self.zone).date()
        if day < self.start_date:
            day = self.start_date
        # The weekly pattern repeats: if 8 days hold no opening, none ever will.
        for _ in range(8 if self.end_date is None else (self.end_date - day).days + 2):
            if self.end_date is not None and day > self.end_date:
                return None
            if self._day_allowed(day):
                for w in self.windows:
                    start, end = _window_bounds(self.zone, day, w.start_minutes(), w.end_minutes())
                    candidate = max(start, after)
                    # Step over a DST gap at the window's start, minute by minute.
                    while candidate < end and not self.is_open(candidate):
                        candidate = _next_minute(candidate)
                    if candidate < end:
                        return candidate
            day = day + timedelta(days=1)
        return None


@lru_cache(maxsize=4096)
def _window_bounds(zone: ZoneInfo, day: date, start: int, end: int) -> tuple[datetime, datetime]:
    """A window's first and last instant on `day`, in UTC. A wall time in a DST gap or
    repeat maps to two instants: the window spans from the earlier start to the later
    end. Cached: the dialer asks for the same days' windows for every retry."""
    return (
        min(_instant(zone, day, start, f) for f in (0, 1)),
        max(_instant(zone, day, end, f) for f in (0, 1)),
    )


def _instant(zone: ZoneInfo, day: date, minutes: int, fold: int = 0) -> datetime:
    if minutes >= 24 * 60:
        local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    else:
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return local.replace(fold=fold).astimezone(UTC)


def _next_minute(at: datetime) -> datetime:
    return (at + timedelta(minutes=1)).replace(second=0, microsecond=0)
