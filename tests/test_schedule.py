"""`Schedule.is_open` / `next_open` as tables (arq test_cron style): three time zones,
DST transition days, weekday switches, start/end dates, windows ending at 24:00, and
exhausted schedules. Instants are UTC; the comments give the local wall time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from voxdial.domain.schedule import Schedule

SH, NY, LDN = "Asia/Shanghai", "America/New_York", "Europe/London"
WORK = [["09:00", "12:00"], ["14:00", "18:00"]]
ALL_DAY = [["00:00", "24:00"]]


def sched(zone: str, windows, start="2026-01-01", end=None, weeks=None) -> Schedule:
    option = {"timeZone": zone, "startDate": start, "startTime": windows}
    if end:
        option["endDate"] = end
    if weeks:
        option["weeks"] = weeks
    return Schedule.from_option(option)


def utc(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


IS_OPEN = [
    # --- Asia/Shanghai (UTC+8, no DST) -------------------------------------------
    ("sh-window-start", SH, WORK, {}, "2026-06-15T01:00:00", True),  # 09:00
    ("sh-before-window", SH, WORK, {}, "2026-06-15T00:59:59", False),  # 08:59:59
    ("sh-last-second", SH, WORK, {}, "2026-06-15T03:59:59", True),  # 11:59:59
    ("sh-end-exclusive", SH, WORK, {}, "2026-06-15T04:00:00", False),  # 12:00
    ("sh-lunch", SH, WORK, {}, "2026-06-15T05:00:00", False),  # 13:00
    ("sh-second-window", SH, WORK, {}, "2026-06-15T06:00:00", True),  # 14:00
    ("sh-evening", SH, WORK, {}, "2026-06-15T10:00:00", False),  # 18:00
    # startDate is a local date: 00:30 local on the start date is the previous UTC day
    ("sh-start-local", SH, ALL_DAY, {"start": "2026-06-01"}, "2026-05-31T16:30:00", True),
    ("sh-before-start", SH, ALL_DAY, {"start": "2026-06-01"}, "2026-05-31T15:59:59", False),
    ("sh-end-last-minute", SH, WORK, {"end": "2026-06-30"}, "2026-06-30T09:59:00", True),
    ("sh-after-end", SH, ALL_DAY, {"end": "2026-06-30"}, "2026-06-30T16:00:00", False),
    ("sh-end-local", SH, ALL_DAY, {"end": "2026-06-30"}, "2026-06-30T15:59:59", True),
    # windows ending at 24:00
    ("sh-24-last-second", SH, [["20:00", "24:00"]], {}, "2026-06-15T15:59:59", True),
    ("sh-24-midnight", SH, [["20:00", "24:00"]], {}, "2026-06-15T16:00:00", False),
    # weekdays switch at local midnight, not UTC midnight (06-14 is a Sunday)
    ("sh-week-sun", SH, ALL_DAY, {"weeks": [1]}, "2026-06-14T15:59:00", False),
    ("sh-week-mon", SH, ALL_DAY, {"weeks": [1]}, "2026-06-14T16:00:00", True),
    ("sh-weekend-off", SH, WORK, {"weeks": [1, 2, 3, 4, 5]}, "2026-06-13T02:00:00", False),
    # --- America/New_York: spring forward 2026-03-08 02:00 EST -> 03:00 EDT ------
    ("ny-spring-before-gap", NY, [["01:00", "04:00"]], {}, "2026-03-08T06:59:00", True),
    ("ny-spring-after-gap", NY, [["01:00", "04:00"]], {}, "2026-03-08T07:00:00", True),
    ("ny-spring-end-edt", NY, [["01:00", "04:00"]], {}, "2026-03-08T08:00:00", False),
    ("ny-gap-only-a", NY, [["02:00", "03:00"]], {}, "2026-03-08T06:59:00", False),
    ("ny-gap-only-b", NY, [["02:00", "03:00"]], {}, "2026-03-08T07:00:00", False),
    ("ny-gap-end-closed", NY, [["01:00", "02:30"]], {}, "2026-03-08T07:00:00", False),
    # fall back 2026-11-01 02:00 EDT -> 01:00 EST: 01:00-02:00 happens twice
    ("ny-fall-first", NY, [["01:00", "01:30"]], {}, "2026-11-01T05:15:00", True),
    ("ny-fall-between", NY, [["01:00", "01:30"]], {}, "2026-11-01T05:45:00", False),
    ("ny-fall-repeat", NY, [["01:00", "01:30"]], {}, "2026-11-01T06:15:00", True),
    ("ny-fall-after", NY, [["01:00", "01:30"]], {}, "2026-11-01T06:30:00", False),
    ("ny-24-edt", NY, [["22:00", "24:00"]], {}, "2026-03-09T03:59:00", True),  # 23:59 EDT
    ("ny-24-edt-end", NY, [["22:00", "24:00"]], {}, "2026-03-09T04:00:00", False),
    # --- Europe/London: spring 2026-03-29 01:00 GMT -> 02:00 BST -----------------
    ("ldn-gap-only-a", LDN, [["01:00", "02:00"]], {}, "2026-03-29T00:59:00", False),
    ("ldn-gap-only-b", LDN, [["01:00", "02:00"]], {}, "2026-03-29T01:00:00", False),
    ("ldn-bst", LDN, WORK, {}, "2026-03-29T08:00:00", True),  # 09:00 BST
    ("ldn-bst-early", LDN, WORK, {}, "2026-03-29T07:59:00", False),
    ("ldn-gmt", LDN, WORK, {}, "2026-03-28T09:00:00", True),  # 09:00 GMT
    # fall back 2026-10-25 02:00 BST -> 01:00 GMT
    ("ldn-fall-first", LDN, [["01:00", "01:30"]], {}, "2026-10-25T00:10:00", True),
    ("ldn-fall-repeat", LDN, [["01:00", "01:30"]], {}, "2026-10-25T01:10:00", True),
    ("ldn-fall-between", LDN, [["01:00", "01:30"]], {}, "2026-10-25T00:40:00", False),
    ("ldn-24-gmt", LDN, [["23:00", "24:00"]], {}, "2026-10-25T23:59:59", True),
    ("ldn-after-end", LDN, ALL_DAY, {"end": "2026-10-25"}, "2026-10-26T00:00:00", False),
]


@pytest.mark.parametrize(
    "zone,windows,kw,at,expected", [c[1:] for c in IS_OPEN], ids=[c[0] for c in IS_OPEN]
)
def test_is_open(zone, windows, kw, at, expected):
    assert sched(zone, windows, **kw).is_open(utc(at)) is expected


NEXT_OPEN = [
    # --- Asia/Shanghai --------------------------------------------------------------
    ("sh-inside", SH, WORK, {}, "2026-06-15T02:00:00", "2026-06-15T02:00:00"),
    ("sh-lunch", SH, WORK, {}, "2026-06-15T04:00:00", "2026-06-15T06:00:00"),
    ("sh-evening", SH, WORK, {}, "2026-06-15T10:00:00", "2026-06-16T01:00:00"),
    (
        "sh-before-start",
        SH,
        WORK,
        {"start": "2026-06-01"},
        "2026-01-01T00:00:00",
        "2026-06-01T01:00:00",
    ),
    ("sh-weekly", SH, WORK, {"weeks": [3]}, "2026-06-18T02:00:00", "2026-06-24T01:00:00"),
    (
        "sh-weekend",
        SH,
        WORK,
        {"weeks": [1, 2, 3, 4, 5]},
        "2026-06-12T10:00:00",
        "2026-06-15T01:00:00",
    ),
    (
        "sh-last-window",
        SH,
        WORK,
        {"end": "2026-06-30"},
        "2026-06-30T09:00:00",
        "2026-06-30T09:00:00",
    ),
    ("sh-24", SH, [["20:00", "24:00"]], {}, "2026-06-15T15:59:00", "2026-06-15T15:59:00"),
    ("sh-24-next", SH, [["20:00", "24:00"]], {}, "2026-06-15T16:00:00", "2026-06-16T12:00:00"),
    # exhausted: past the last window of the end date, or no allowed weekday left
    ("sh-exhausted", SH, WORK, {"end": "2026-06-30"}, "2026-06-30T10:00:00", None),
    ("sh-exhausted-late", SH, WORK, {"end": "2026-06-30"}, "2026-08-01T00:00:00", None),
    (
        "sh-no-weekday",
        SH,
        WORK,
        {"start": "2026-06-13", "end": "2026-06-14", "weeks": [1, 2]},
        "2026-06-01T00:00:00",
        None,
    ),
    (
        "sh-last-day-weekday",
        SH,
        WORK,
        {"end": "2026-06-19", "weeks": [5]},
        "2026-06-15T00:00:00",
        "2026-06-19T01:00:00",
    ),
    # --- America/New_York ------------------------------------------------------------
    # a window starting in the spring gap opens when the gap ends (03:00 EDT)
    ("ny-gap-start", NY, [["02:30", "04:00"]], {}, "2026-03-08T05:00:00", "2026-03-08T07:00:00"),
    ("ny-gap-only", NY, [["02:00", "03:00"]], {}, "2026-03-08T05:00:00", "2026-03-09T06:00:00"),
    ("ny-gap-end-open", NY, [["01:00", "02:30"]], {}, "2026-03-08T06:50:00", "2026-03-08T06:50:00"),
    (
        "ny-gap-end-closed",
        NY,
        [["01:00", "02:30"]],
        {},
        "2026-03-08T07:00:00",
        "2026-03-09T05:00:00",
    ),
    # the repeated hour of fall back opens the window a second time
    ("ny-fall-repeat", NY, [["01:00", "01:30"]], {}, "2026-11-01T05:45:00", "2026-11-01T06:00:00"),
    ("ny-fall-after", NY, [["01:00", "01:30"]], {}, "2026-11-01T06:30:00", "2026-11-02T06:00:00"),
    ("ny-edt-to-est", NY, WORK, {}, "2026-10-31T22:00:00", "2026-11-01T14:00:00"),
    ("ny-est-to-edt", NY, WORK, {}, "2026-03-07T23:00:00", "2026-03-08T13:00:00"),
    ("ny-saturday", NY, ALL_DAY, {"weeks": [6]}, "2026-06-13T03:00:00", "2026-06-13T04:00:00"),
    ("ny-24-spring", NY, [["22:00", "24:00"]], {}, "2026-03-08T12:00:00", "2026-03-09T02:00:00"),
    ("ny-end-date-local", NY, WORK, {"end": "2026-06-15"}, "2026-06-15T22:00:00", None),
    # --- Europe/London ---------------------------------------------------------------
    ("ldn-gap-only", LDN, [["01:00", "02:00"]], {}, "2026-03-29T00:00:00", "2026-03-30T00:00:00"),
    ("ldn-gap-end", LDN, [["00:30", "01:30"]], {}, "2026-03-29T00:45:00", "2026-03-29T00:45:00"),
    (
        "ldn-fall-repeat",
        LDN,
        [["01:00", "01:30"]],
        {},
        "2026-10-25T00:40:00",
        "2026-10-25T01:00:00",
    ),
    ("ldn-24-fall", LDN, [["23:00", "24:00"]], {}, "2026-10-25T12:00:00", "2026-10-25T23:00:00"),
    ("ldn-gmt-week", LDN, WORK, {"weeks": [1]}, "2026-10-24T12:00:00", "2026-10-26T09:00:00"),
    ("ldn-exhausted", LDN, WORK, {"end": "2026-10-25"}, "2026-10-25T18:00:00", None),
]


@pytest.mark.parametrize(
    "zone,windows,kw,after,expected", [c[1:] for c in NEXT_OPEN], ids=[c[0] for c in NEXT_OPEN]
)
def test_next_open(zone, windows, kw, after, expected):
    s = sched(zone, windows, **kw)
    got = s.next_open(utc(after))
    assert got == (utc(expected) if expected else None)
    if got is not None:
        assert s.is_open(got)


# -- next_open against a brute-force oracle around each DST change ------------------


def _oracle_open(at: datetime, zone: str, windows, start: date, weeks) -> bool:
    local = at.astimezone(ZoneInfo(zone))
    if local.date() < start or local.isoweekday() not in weeks:
        return False
    minute = local.hour * 60 + local.minute
    for a, b in windows:
        lo = int(a[:2]) * 60 + int(a[3:])
        hi = int(b[:2]) * 60 + int(b[3:])
        if lo <= minute < hi:
            return True
    return False


SCAN = [
    (NY, "2026-03-07", [["01:00", "02:30"], ["03:15", "04:00"]], [1, 2, 3, 4, 5, 6, 7]),
    (NY, "2026-10-31", [["00:30", "01:15"], ["01:45", "02:30"], ["23:00", "24:00"]], [7, 1]),
    (LDN, "2026-03-28", [["00:45", "01:30"], ["02:30", "03:00"]], [6, 7, 1]),
    (LDN, "2026-10-24", [["01:00", "01:59"], ["22:00", "24:00"]], [7]),
    (SH, "2026-03-07", [["00:00", "00:10"], ["23:50", "24:00"]], [1, 3, 5, 7]),
]


@pytest.mark.parametrize("zone,day,windows,weeks", SCAN, ids=[f"{z}-{d}" for z, d, *_ in SCAN])
def test_next_open_matches_a_minute_scan(zone, day, windows, weeks):
    s = sched(zone, windows, start=day, weeks=weeks)
    start = date.fromisoformat(day)
    origin = datetime.combine(start, datetime.min.time(), tzinfo=UTC) - timedelta(hours=14)
    minutes = [origin + timedelta(minutes=i) for i in range(4 * 24 * 60)]
    opened = [_oracle_open(m, zone, windows, start, weeks) for m in minutes]
    for i, m in enumerate(minutes):
        assert s.is_open(m) is opened[i], m
    for i in range(0, len(minutes) - 24 * 60, 7):
        want = next((minutes[j] for j in range(i, len(minutes)) if opened[j]), None)
        if want is None:
            continue
        assert s.next_open(minutes[i]) == want, minutes[i]
