"""Streaming readers for uploaded number files.

`inspect_file()` checks an upload once (type, encoding, shape, limits) and returns what
the API shows about it; `iter_rows()` streams its data rows later, at import. Neither
holds the file in memory: CSV is decoded incrementally, XLSX is read with openpyxl's
read-only (SAX) mode after a zip-bomb check.

XLSX sheets are read by their real cells: the `<dimension>` a sheet declares is ignored
(a forged `A1:XFD1048576` would pad every row to 16,384 cells) and rows are cut at the
column limit. python-calamine is not used for uploads: it allocates the sheet's whole
rectangle, so two cells at A1 and XFD1048576 ask it for 17 billion.

Row numbers are those a spreadsheet shows: the header is row 1, the first data row is 2.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import IO

from voxdial.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from voxdial.numbers.encoding import sniff_encoding

PREVIEW_ROWS = 5
MAX_COLUMNS = 200  # the default column limit (settings.max_file_columns)
MAX_CELL_CHARS = 10_000
csv.field_size_limit(MAX_CELL_CHARS)

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
# Other binary formats people upload by mistake: refused by what they are, whatever the name.
_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_xlsx_uncompressed_bytes: int
    max_xlsx_ratio: int
    max_columns: int = MAX_COLUMNS


@dataclass
class FileInfo:
    kind: str  # csv | xlsx
    encoding: str | None
    rows: int
    columns: list[str]
    preview: list[list[str]] = field(default_factory=list)


def detect_kind(filename: str, head: bytes) -> str:
    name = filename.lower()
    if head.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise UnsupportedMediaType(
            "legacy .xls workbooks are not supported: save the file as .xlsx or .csv"
        )
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise UnsupportedMediaType(
                f"{filename!r} is {what}: only .csv and .xlsx number files are accepted"
            )
    if name.endswith(".xlsx"):
        if not head.startswith(_XLSX_MAGIC):
            raise BadRequest(f"{filename!r} is named .xlsx but is not an XLSX workbook")
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        if head.startswith(_XLSX_MAGIC):
            raise BadRequest(f"{filename!r} is named .csv but is a zip or XLSX file")
        if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise UnsupportedMediaType(f"{filename!r} is a binary file, not CSV text")
        return "csv"
    raise UnsupportedMediaType(f"{filename!r}: only .csv and .xlsx number files are accepted")


def inspect_file(fp: IO[bytes], *, filename: str, limits: Limits) -> FileInfo:
    fp.seek(0)
    head = fp.read(8)
    fp.seek(0)
    if not head:
        raise BadRequest(f"{filename!r} is empty")
    kind = detect_kind(filename, head)
    encoding = sniff_encoding(fp) if kind == "csv" else None
    if kind == "xlsx":
        check_xlsx_bomb(fp, limits=limits)
    columns: list[str] | None = None
    preview: list[list[str]] = []
    rows = 0
    # closed here, not when collected (by then the upload may be closed under it)
    with closing(
        _iter_all(fp, kind=kind, encoding=encoding, max_columns=limits.max_columns)
    ) as rows_in:
        for _row_no, row in rows_in:
            if columns is None:
                columns = [c.strip().lstrip("\ufeff") for c in row]
                while columns and not columns[-1]:
                    columns.pop()
                if not columns:
                    raise BadRequest(f"{filename!r}: row 1 must be a header naming the columns")
                if len(columns) > limits.max_columns:
                    raise BadRequest(
                        f"{filename!r}: {len(columns)} columns, at most {limits.max_columns}"
                    )
                continue
            rows += 1
            if rows > limits.max_rows:
                raise PayloadTooLarge(
                    f"{filename!r} has more than {limits.max_rows} rows; "
                    "split it into smaller files"
                )
            if len(preview) < PREVIEW_ROWS:
                preview.append(row[: len(columns)])
    if columns is None:
        raise BadRequest(f"{filename!r} is empty")
    if rows == 0:
        raise BadRequest(f"{filename!r} has a header but no rows of numbers")
    return FileInfo(kind=kind, encoding=encoding, rows=rows, columns=columns, preview=preview)


def iter_rows(
    fp: IO[bytes], *, kind: str, encoding: str | None, max_columns: int = MAX_COLUMNS
) -> Iterator[tuple[int, list[str]]]:
    """Data rows (header skipped) as (row number, cells)."""
    rows = _iter_all(fp, kind=kind, encoding=encoding, max_columns=max_columns)
    next(rows, None)
    yield from rows


def _iter_all(
    fp: IO[bytes], *, kind: str, encoding: str | None, max_columns: int
) -> Iterator[tuple[int, list[str]]]:
    fp.seek(0)
    if kind == "csv":
        yield from _iter_csv(fp, encoding or "utf-8")
    else:
        yield from _iter_xlsx(fp, max_columns=max_columns)


def _iter_csv(fp: IO[bytes], encoding: str) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(fp, encoding=encoding, newline="")
    try:
        sample = text.read(8192)
        text.seek(0)
        dialect = _sniff_dialect(sample)
        # strict: an unterminated quote is an error, not a cell that swallows the rest
        reader = csv.reader(text, dialect, strict=True)
        row_no = 0
        try:
            for row in reader:
                row_no += 1
                # blank: no cell has anything but whitespace (row[0] first, the cheap test)
                if not row or (not row[0].strip() and not "".join(row).strip()):
                    continue
                yield row_no, row
        except csv.Error as e:
            raise BadRequest(f"CSV is malformed at line {reader.line_num}: {e}") from e
    finally:
        text.detach()


def _sniff_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    first_line = sample.split("\n", 1)[0]
    for delimiter in (",", "\t", ";", "|"):
        if delimiter in first_line:

            class Sniffed(csv.excel):
                pass

            Sniffed.delimiter = delimiter
            return Sniffed
    return csv.excel


def check_xlsx_bomb(fp: IO[bytes], *, limits: Limits) -> None:
    fp.seek(0)
    try:
        with zipfile.ZipFile(fp) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise BadRequest("the XLSX file is damaged (not a readable zip archive)") from e
    finally:
        fp.seek(0)
    if "xl/workbook.xml" not in names:
        raise BadRequest("the XLSX file has no workbook (xl/workbook.xml missing)")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1 << 20 and info.file_size > limits.max_xlsx_ratio * max(
            info.compress_size, 1
        ):
            raise PayloadTooLarge(
                f"the XLSX file expands {info.file_size // max(info.compress_size, 1)}x "
                "when unzipped; refused as a possible zip bomb"
            )
    if total > limits.max_xlsx_uncompressed_bytes:
        raise PayloadTooLarge(
            f"the XLSX file unzips to {total} bytes, over the limit of "
            f"{limits.max_xlsx_uncompressed_bytes}"
        )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_CELL_CHARS]


def _iter_xlsx(fp: IO[bytes], *, max_columns: int) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(fp, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for damaged workbooks
        raise BadRequest(f"the XLSX file cannot be read: {type(e).__name__}") from e
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise BadRequest("the XLSX file has no worksheet")
        ws.reset_dimensions()  # ignore the declared size: rows are their own cells
        # One past the limit, so that a header that wide is refused. Once the header is
        # read, a row matters only as far as the header goes (the preview and the
        # importer take no cell beyond it): rows are cut there before any per-cell work.
        limit = width = max_columns + 1
        try:
            for row_no, row in enumerate(ws.iter_rows(values_only=True, max_col=limit), 1):
                if width < limit:
                    row = row[:width]
                if row.count(None) == len(row):  # the gaps between rows come as all-None
                    continue
                end = len(row)
                while end and row[end - 1] is None:
                    end -= 1
                cells = [_cell_text(v) for v in row[:end]]
                while cells and not cells[-1]:
                    cells.pop()
                if not cells or all(not c.strip() for c in cells):
                    continue
                yield row_no, cells
                if width == limit:
                    width = len(cells)
        except BadRequest:
            raise
        except Exception as e:
            raise BadRequest(f"the XLSX file cannot be read: {type(e).__name__}") from e
    finally:
        wb.close()
