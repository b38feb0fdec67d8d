"""Cells voxdial writes into spreadsheets and CSV files, safe to open in Excel.

A value a spreadsheet would take for a formula (one that starts with `=`, `+`, `-` or
`@`, after any tabs, carriage returns or spaces; or that starts with a tab or carriage
return) is written with a leading apostrophe, which spreadsheets read as "this is
text". The value itself is kept as given everywhere else (the database, the JSON API):
only what goes into a file for a spreadsheet is neutralised, here, by
`neutralise_cell`. Every CSV or XLSX voxdial writes goes through it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

_FORMULA_FIRST = frozenset("=+-@")
_CONTROL_FIRST = frozenset("\t\r")
_SKIPPED = " \t\r\n"


def neutralise_cell(value: object) -> str:
    """`value` as spreadsheet text that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    if not text:
        return text
    if text[0] in _CONTROL_FIRST or text.lstrip(_SKIPPED)[:1] in _FORMULA_FIRST:
        return "'" + text
    return text


def csv_chunks(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """A CSV file (UTF-8 BOM first, so that Excel reads it as UTF-8; CRLF line ends),
    every cell neutralised, in chunks of a few hundred rows."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write("\ufeff")
    writer.writerow([neutralise_cell(c) for c in header])
    for n, row in enumerate(rows, 1):
        writer.writerow([neutralise_cell(c) for c in row])
        if n % 500 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
