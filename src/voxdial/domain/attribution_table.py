"""The Chinese-language part of phonenumbers' geocoding and carrier data, as a small
SQLite file read by prefix (domain/attribution.py uses it).

phonenumbers keeps every language's place names for every prefix in one set of Python
dicts, ~108 MiB resident once imported; voxdial shows only the "zh" names. This file
holds what the package would answer in "zh": each prefix that has a "zh" place name
(`geo`), each prefix that has a "zh" carrier name (`carrier`), and each region's "zh"
display name with the package's "*<language>" indirection resolved (`region`). A prefix
without a "zh" name is absent, as the package skips it too and tries a shorter prefix
(for "zh" it never falls back to English).

The file is built once from the installed package's data, in a child process (so the
process that asks never holds the package's data), under a name keyed by the package's
version and this format; it is written to a temporary file beside it and renamed into
place, so processes that build it at once are safe and a reader never sees half a file.

Run as a script (`python attribution_table.py OUT`), it builds OUT: it imports nothing
of voxdial's, so the child needs only phonenumbers.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

LANGUAGE = "zh"
FORMAT = 2  # bump when the tables change: the file name changes with it
BUILD_TIMEOUT_SECONDS = 300.0


def file_name() -> str:
    """The table's file name for the installed phonenumbers."""
    import phonenumbers

    return f"attribution-{LANGUAGE}-v{FORMAT}-phonenumbers-{phonenumbers.__version__}.sqlite3"


def prune_stale(directory: Path, keep: str) -> list[Path]:
    """Delete the tables in `directory` built for another phonenumbers or format than
    `keep` (each upgrade would otherwise leave a few MiB behind). A process still reading
    an old table keeps its open file; one that starts later builds its own. Files that
    are not tables of this module's naming are left alone."""
    removed = []
    for old in directory.glob(f"attribution-{LANGUAGE}-v*-phonenumbers-*.sqlite3"):
        if old.name != keep:
            old.unlink(missing_ok=True)
            removed.append(old)
    return removed


def build(path: Path) -> None:
    """Write the table to `path` (atomically: a temporary file, then a rename). Loads
    the package's full data: run it in a child process (`build_in_child`)."""
    import phonenumbers
    from phonenumbers.carrierdata import CARRIER_DATA
    from phonenumbers.geodata import GEOCODE_DATA
    from phonenumbers.geodata.locale import LOCALE_DATA

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        try:
            db.executescript(
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
                "CREATE TABLE geo (prefix TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;"
                "CREATE TABLE carrier (prefix TEXT PRIMARY KEY, name TEXT NOT NULL)"
                " WITHOUT ROWID;"
                "CREATE TABLE region (code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;"
            )
            for table, data in (("geo", GEOCODE_DATA), ("carrier", CARRIER_DATA)):
                db.executemany(
                    f"INSERT INTO {table} VALUES (?, ?)",
                    sorted((p, names[LANGUAGE]) for p, names in data.items() if LANGUAGE in names),
                )
            db.executemany("INSERT INTO region VALUES (?, ?)", sorted(_region_names(LOCALE_DATA)))
            longest = max(len(p) for p, names in GEOCODE_DATA.items() if LANGUAGE in names)
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("phonenumbers", phonenumbers.__version__),
                    ("format", str(FORMAT)),
                    ("geo_longest_prefix", str(longest)),
                ],
            )
            db.commit()
        finally:
            db.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _region_names(locale_data: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """Each region's display name in LANGUAGE, as the geocoder reads it: a name
    "*<other>" means the name in <other>."""
    out = []
    for code, names in locale_data.items():
        name = names.get(LANGUAGE, "")
        if name.startswith("*"):
            name = names.get(name[1:], "")
        out.append((code, name))
    return out


def build_in_child(path: Path) -> None:
    """Build the table at `path` in a fresh interpreter (this process stays small)."""
    command = [sys.executable, "-P", str(Path(__file__).resolve()), str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=BUILD_TIMEOUT_SECONDS)


class Table:
    """The built table, opened read-only; safe to share between threads. The carrier
    and region names (a few hundred) are read into memory; the places (~130,000, nearly
    all Chinese) stay in the file and are read by prefix."""

    def __init__(self, path: Path) -> None:
        uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        try:
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
            if meta.get("format") != str(FORMAT):
                raise sqlite3.DatabaseError(f"attribution table of format {meta.get('format')}")
            self._geo_longest = int(meta["geo_longest_prefix"])
            self._carriers = dict(self._db.execute("SELECT prefix, name FROM carrier"))
            self._carrier_longest = max(map(len, self._carriers), default=0)
            self._regions = dict(self._db.execute("SELECT code, name FROM region"))
        except (sqlite3.Error, KeyError, ValueError) as exc:
            self._db.close()
            raise sqlite3.DatabaseError("attribution table unreadable") from exc
        self._sql: dict[int, str] = {}

    def place(self, digits: str) -> str:
        """The "zh" place name of the longest prefix of `digits` that has one, or ""."""
        prefixes = [digits[:n] for n in range(1, min(len(digits), self._geo_longest) + 1)]
        if not prefixes:
            return ""
        sql = self._sql.get(len(prefixes))
        if sql is None:
            marks = ",".join("?" * len(prefixes))
            sql = self._sql[len(prefixes)] = (
                f"SELECT name FROM geo WHERE prefix IN ({marks})"
                " ORDER BY length(prefix) DESC LIMIT 1"
            )
        with self._lock:
            row = self._db.execute(sql, prefixes).fetchone()
        return row[0] if row else ""

    def carrier(self, digits: str) -> str:
        """The "zh" carrier name of the longest prefix of `digits` that has one, or ""."""
        for n in range(min(len(digits), self._carrier_longest), 0, -1):
            name = self._carriers.get(digits[:n])
            if name is not None:
                return name
        return ""

    def region(self, code: str) -> str:
        """A region's "zh" display name, "" for a region the data does not name."""
        return self._regions.get(code, "")

    def close(self) -> None:
        self._db.close()


if __name__ == "__main__":
    build(Path(sys.argv[1]))
