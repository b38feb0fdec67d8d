"""A task's `option`: validated and completed with defaults into its stored form."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from voxdial.domain.schedule import (
    parse_date,
    parse_time_zone,
    parse_windows,
    validate_weeks,
)
from voxdial.errors import InvalidSchedule, Unprocessable

PHONE_COLUMN = "号码"
# The columns the VoiceFox task detail always shows in `numberFileMeta`, in its order,
# and the index that says a task's number files have no such column.
SEED_COLUMNS = ("号码", "备注", "姓名")
NO_COLUMN = -1
DEFAULT_CONCURRENCY = 5
ALL_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7]


def shown_meta(meta: dict[str, int]) -> dict[str, int]:
    """`numberFileMeta` as the task detail shows it: 号码, 备注 and 姓名 always (NO_COLUMN
    for one the mapping lacks), then the mapping's other columns."""
    return {**dict.fromkeys(SEED_COLUMNS, NO_COLUMN), **meta}


def without_absent(meta: dict[str, int]) -> dict[str, int]:
    """A `numberFileMeta` as sent, with the columns given as NO_COLUMN left out (what a
    client that sends back a task detail's mapping means by them)."""
    return {k: i for k, i in meta.items() if i != NO_COLUMN}


def check_number_file_meta(meta: dict[str, int]) -> dict[str, int]:
    meta = without_absent(meta)
    if PHONE_COLUMN not in meta:
        raise Unprocessable(
            "option.numberFileMeta: the phone column 号码 is required "
            '(e.g. {"号码": 0, "姓名": 1, "备注": 2})'
        )
    for key in meta:
        if not key.strip() or any(c in key for c in "{}"):
            raise Unprocessable(f"option.numberFileMeta: {key!r} is not a usable column name")
    seen: dict[int, str] = {}
    for key, index in meta.items():
        if index in seen:
            raise Unprocessable(
                f"option.numberFileMeta: {seen[index]!r} and {key!r} both map column {index}"
            )
        seen[index] = key
    return dict(meta)


def check_file_ids(ids: list[int]) -> list[int]:
    """`option.numbers`: each number file once (a file listed twice would be imported
    twice, every row of the second pass a duplicate)."""
    counts = Counter(ids)
    repeated = sorted(i for i, n in counts.items() if n > 1)
    if repeated:
        listed = ", ".join(f"{i} ({counts[i]} times)" for i in repeated[:10])
        more = f" and {len(repeated) - 10} more" if len(repeated) > 10 else ""
        raise Unprocessable(
            f"option.numbers: list each number file once; repeated: {listed}{more}",
            details=[{"field": "option.numbers", "repeated": repeated}],
        )
    return ids


def build_option(raw: dict[str, Any], *, default_time_zone: str) -> dict[str, Any]:
    """Validate a full option (create) and return its stored form."""
    meta = without_absent(raw.get("numberFileMeta") or {})
    if meta or raw.get("numbers"):
        meta = check_number_file_meta(meta)
    option: dict[str, Any] = {
        "numberFileMeta": meta,
        "numbers": check_file_ids(list(raw.get("numbers") or [])),
        "retryCount": raw.get("retryCount") if raw.get("retryCount") is not None else 0,
        "retryInterval": raw.get("retryInterval") if raw.get("retryInterval") is not None else 60,
        "weeks": ALL_WEEKDAYS,
        "endDate": None,
        "timeZone": default_time_zone,
        "concurrency": raw.get("concurrency") or DEFAULT_CONCURRENCY,
    }
    return merge_schedule(option, raw)


def merge_schedule(option: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply schedule fields from `changes` over `option` and validate the result."""
    out = dict(option)
    for key in (
        "startDate",
        "startTime",
        "retryCount",
        "retryInterval",
        "weeks",
        "endDate",
        "timeZone",
        "concurrency",
    ):
        if changes.get(key) is not None:
            out[key] = changes[key]
    if "startDate" not in out:
        raise InvalidSchedule("option.startDate: required (YYYY-MM-DD)")
    start = parse_date(out["startDate"], field="option.startDate")
    windows = parse_windows(out.get("startTime"))
    out["startTime"] = [
        [w.start.strftime("%H:%M"), "24:00" if w.end is None else w.end.strftime("%H:%M")]
        for w in windows
    ]
    out["weeks"] = validate_weeks(out["weeks"])
    parse_time_zone(out["timeZone"], field="option.timeZone")
    if out.get("endDate") is not None:
        end = parse_date(out["endDate"], field="option.endDate")
        if end < start:
            raise InvalidSchedule(
                f"option.endDate {out['endDate']} is before option.startDate {out['startDate']}"
            )
        span = (end - start).days + 1
        if span < 7 and not any(
            (start + timedelta(days=i)).isoweekday() in out["weeks"] for i in range(span)
        ):
            raise InvalidSchedule(
                "option.weeks: no day from option.startDate to option.endDate is a calling day"
            )
    return out
