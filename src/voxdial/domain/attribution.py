"""A phone number's 归属地 (where it is registered) and carrier, as the call records
show them (`calleeAttribute`, `callerAttribute`), from the offline geocoding and carrier
data of the phonenumbers package: no network, no account.

The text is the place, then a space, then the carrier: "江苏省常州市 中国移动". The place
is the most precise the data knows (a province and city in China; a country for numbers
abroad, "美国"); the carrier is the one the number's range was allocated to (a number
ported since still shows its first carrier), and landlines have none: "广东省广州市".
A part the data lacks is left out; a value that is not a valid number in E.164 form
(`+` and country code: what voxdial stores for every callee) gives "".

The answers are exactly phonenumbers' own (`geocoder.description_for_number` and
`carrier.name_for_number` in "zh"; for "zh" the package never falls back to English
names), but read from a table of the "zh" names only (domain/attribution_table.py): the
package itself keeps every language's names in memory, ~108 MiB a process. The table is
a ~5 MB SQLite file in a cache directory (`use_cache_dir`; the runtime applies the
`attribution_cache_dir` setting), keyed by the package's version; the first process
that needs it builds it in a child process (~1 s, the child peaks at ~130 MiB and
exits). A process that reads it adds under 1 MiB and opens it in ~7 ms (BENCHMARKS.md).
If the table cannot be built or read (a read-only directory, say), the answers come from
the package's own data, at its cost. `preload()` opens (or builds) the table ahead, so
that the first call's webhook (built inside the outcome's transaction) does not wait for
it. Answers are cached per number.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import threading
from functools import lru_cache
from pathlib import Path

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, PhoneNumberType

from voxdial.domain import attribution_table
from voxdial.domain.attribution_table import Table

LANGUAGE = attribution_table.LANGUAGE

log = logging.getLogger(__name__)

_lock = threading.Lock()
_cache_dir: Path | None = None
_table: Table | None = None
_unusable = False  # the table could not be built or read: use the package's data

_MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.PAGER)


def default_cache_dir() -> Path:
    """Where the table goes when nobody said: the user's cache directory."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "voxdial"


def use_cache_dir(path: Path | None) -> None:
    """Keep the table in `path` (None: `default_cache_dir()`); forgets answers given."""
    global _cache_dir, _table, _unusable
    with _lock:
        if path == _cache_dir:
            return
        if _table is not None:
            _table.close()
        _cache_dir, _table, _unusable = path, None, False
    attribute_of.cache_clear()


def table_path() -> Path:
    """The table's file for the installed phonenumbers."""
    return (_cache_dir or default_cache_dir()) / attribution_table.file_name()


def _open_table() -> Table | None:
    """The table, built first if missing; None when it cannot be had."""
    global _table, _unusable
    if _table is not None or _unusable:
        return _table
    with _lock:
        if _table is not None or _unusable:
            return _table
        path: Path | None = None
        for attempt in range(2):  # a file that does not open is built afresh, once
            try:
                path = table_path()  # RuntimeError: no home directory to default to
                if attempt or not path.exists():
                    attribution_table.build_in_child(path)
                    attribution_table.prune_stale(path.parent, keep=path.name)
                _table = Table(path)
                return _table
            except (OSError, RuntimeError, sqlite3.Error, subprocess.SubprocessError) as exc:
                failure = exc
        log.warning(
            "attribution table unusable, using phonenumbers' own data (~108 MiB)",
            extra={"path": str(path), "error": type(failure).__name__},
        )
        _unusable = True
        return None


@lru_cache(maxsize=8192)
def attribute_of(number: str, *, language: str = LANGUAGE) -> str:
    """'<place> <carrier>' of an E.164 number, "" when there is nothing to tell."""
    if not number.startswith("+") or len(number) > 20:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    table = _open_table() if language == LANGUAGE else None
    if table is not None:
        kind = phonenumbers.number_type(parsed)
        place, allocated = _place(parsed, kind, table), _carrier(parsed, kind, table)
    else:
        # imported here: the package's geocoding data costs ~108 MiB
        from phonenumbers import carrier, geocoder

        place = geocoder.description_for_number(parsed, language)
        allocated = carrier.name_for_number(parsed, language)
    return " ".join(part for part in (place, allocated) if part)


def _e164_digits(numobj: PhoneNumber) -> str:
    return phonenumbers.format_number(numobj, PhoneNumberFormat.E164)[1:]


def _place(numobj: PhoneNumber, kind: int, table: Table) -> str:
    """`geocoder.description_for_number(numobj, "zh")`, from the table (`kind`: the
    number's type)."""
    if kind == PhoneNumberType.UNKNOWN:
        return ""
    if not phonenumbers.is_number_type_geographical(kind, numobj.country_code):
        return _country(numobj, table)
    # as the package does: a mobile token (Argentina's 9, say) is dropped before lookup
    target = numobj
    token = phonenumbers.country_mobile_token(numobj.country_code)
    national = phonenumbers.national_significant_number(numobj)
    if token and national.startswith(token):
        region = phonenumbers.region_code_for_country_code(numobj.country_code)
        try:
            target = phonenumbers.parse(national[len(token) :], region)
        except NumberParseException:
            target = numobj
    area = table.place(_e164_digits(target))
    return area or _country(numobj, table)


def _country(numobj: PhoneNumber, table: Table) -> str:
    """`geocoder.country_name_for_number(numobj, "zh")`: "" when the number could be
    from several regions of its country code."""
    regions = phonenumbers.region_codes_for_country_code(numobj.country_code)
    if len(regions) == 1:
        return table.region(regions[0])
    where = "ZZ"
    for region in regions:
        if phonenumbers.is_valid_number_for_region(numobj, region):
            if where != "ZZ":
                return ""
            where = region
    return table.region(where)


def _carrier(numobj: PhoneNumber, kind: int, table: Table) -> str:
    """`carrier.name_for_number(numobj, "zh")`, from the table: mobile numbers only."""
    if kind not in _MOBILE:
        return ""
    return table.carrier(_e164_digits(numobj))


def preload() -> None:
    """Open the table now, building it if missing (blocking: run it in a thread)."""
    attribute_of("+8613912345678")
