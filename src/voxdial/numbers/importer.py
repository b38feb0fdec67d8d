"""Import number rows into a task: validate, normalise, de-duplicate, check the block
list, and bulk-insert, batch by batch, so memory stays flat however long the file.

De-duplication leans on the `(task_id, phone)` unique index: each batch is inserted with
ON CONFLICT DO NOTHING; only when the database reports fewer rows than sent does the
importer look up which ones it skipped. Every rejected row is kept with its row number,
value and reason. The caller owns the transaction: a fatal error rolls it all back. A
caller that commits batch by batch (so that an import of millions of rows never holds
the database's write lock for long) passes `on_batch`: called after each batch is
written, with what it added, it updates the task's counters and commits.

Rows travel as tuples, not dicts. On SQLite the batches go straight to the DBAPI cursor's
executemany with a prepared statement (SQLAlchemy's per-row parameter processing cost
more than SQLite's own insert), with the same values SQLAlchemy would bind, and the
connection's page cache is enlarged for the import so the random inserts into the
`(task_id, phone)` index stay in memory (see `SQLITE_IMPORT_CACHE_KIB`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql

from voxdial.domain.phone import InvalidPhone, PhoneNormalizer
from voxdial.domain.status import RejectReason
from voxdial.errors import PayloadTooLarge
from voxdial.numbers.reader import MAX_COLUMNS
from voxdial.store.models import BlockedNumber, TaskNumber, TaskReject
from voxdial.store.multirow import MultiRowInsert

# Rows per batch. Its size shows in the order of the rejects (a batch's repeats are
# listed before the rows found already in the task), so it stays what it was.
BATCH = 5000
# SQLite page cache while importing, in KiB (the default is 2 MiB). The (task_id, phone)
# index of a million numbers is about 40 MB, touched at random; with a small cache every
# insert would read and spill pages. Pages are allocated only as used, and the setting
# is restored when the import ends.
SQLITE_IMPORT_CACHE_KIB = 128 * 1024

# A number row, in the order of the insert's columns; a reject row likewise.
_NUMBER_KEYS = ("task_id", "phone", "name", "note", "variables", "file_id", "row_no")
_PHONE, _FILE, _ROW = 1, 5, 6
_REJECT_KEYS = ("task_id", "file_id", "row_no", "value", "reason", "detail")
_INVALID = str(RejectReason.INVALID)
_DUPLICATE = str(RejectReason.DUPLICATE)
_BLOCKED = str(RejectReason.BLOCKED)
_IN_TASK = "already in this task"
PHONE_KEY = "号码"
NAME_KEY = "姓名"
NOTE_KEY = "备注"


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class ImportLimits:
    """How much one request may import (settings `max_request_rows`, `max_task_rows`,
    `max_file_columns`)."""

    max_request_rows: int
    max_task_rows: int
    max_columns: int = MAX_COLUMNS

    def check(self, *, task_rows: int, incoming: int) -> None:
        """Refuse (413) a request of `incoming` rows into a task holding `task_rows`."""
        if incoming > self.max_request_rows:
            raise PayloadTooLarge(
                f"this request would import {incoming} rows, over the limit of "
                f"{self.max_request_rows} per request; split it into several requests"
            )
        if task_rows + incoming > self.max_task_rows:
            raise PayloadTooLarge(
                f"the task would hold {task_rows + incoming} rows (numbers and rejects), "
                f"over the limit of {self.max_task_rows} per task; create another task"
            )


@dataclass
class ImportResult:
    count: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class ColumnMap:
    """`numberFileMeta` resolved against a file's columns."""

    phone: int
    name: int | None
    note: int | None
    variables: tuple[tuple[str, int], ...]

    @classmethod
    def from_meta(cls, meta: Mapping[str, int]) -> ColumnMap:
        return cls(
            phone=meta[PHONE_KEY],
            name=meta.get(NAME_KEY),
            note=meta.get(NOTE_KEY),
            variables=tuple(
                (k, v) for k, v in meta.items() if k not in (PHONE_KEY, NAME_KEY, NOTE_KEY)
            ),
        )

    def width(self) -> int:
        return (
            max([self.phone, self.name or 0, self.note or 0, *(i for _, i in self.variables)]) + 1
        )


class NumberImporter:
    def __init__(
        self,
        conn: Connection,
        *,
        task_id: int,
        workspace_id: int,
        normalizer: PhoneNormalizer,
        on_batch: Callable[[ImportResult], None] | None = None,
    ) -> None:
        self.conn = conn
        self.on_batch = on_batch
        self._reported = ImportResult()
        self.task_id = task_id
        self.workspace_id = workspace_id
        self.normalizer = normalizer
        self._has_blocklist = has_blocklist(conn, workspace_id=workspace_id)
        self._sqlite = conn.dialect.name == "sqlite"
        self._dump_variables = None
        if self._sqlite:
            # bound by hand below, as SQLAlchemy's JSON type would (None is JSON null)
            self._dump_variables = TaskNumber.__table__.c.variables.type.bind_processor(
                conn.dialect
            )
            numbers, rejects = TaskNumber.__table__.name, TaskReject.__table__.name
            params = conn.connection.driver_connection.getlimit(
                sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
            )
            self._numbers_sql = MultiRowInsert(
                f"INSERT INTO {numbers} ({', '.join(_NUMBER_KEYS)}, state, attempts) VALUES ",
                f"({', '.join('?' * len(_NUMBER_KEYS))}, 'pending', 0)",
                " ON CONFLICT DO NOTHING",
                _rows_per_insert(params, len(_NUMBER_KEYS)),
            )
            self._rejects_sql = MultiRowInsert(
                f"INSERT INTO {rejects} ({', '.join(_REJECT_KEYS)}) VALUES ",
                f"({', '.join('?' * len(_REJECT_KEYS))})",
                "",
                _rows_per_insert(params, len(_REJECT_KEYS)),
            )
            self._sql_max_id = f"SELECT max(id) FROM {numbers}"
            # `+task_id` keeps SQLite on the rowid range: on the (task_id, phone) index
            # it would scan every number of the task, once per batch. One string of the
            # phones (E.164, no commas) is split faster than rows are fetched.
            self._sql_inserted = (
                f"SELECT group_concat(phone, ',') FROM {numbers} WHERE id > ? AND +task_id = ?"
            )
        else:
            self._insert = (
                postgresql.insert(TaskNumber.__table__)
                .values(state="pending", attempts=0)
                .on_conflict_do_nothing()
                .returning(TaskNumber.phone)
            )

    def import_file_rows(
        self, rows: Iterable[tuple[int, list[str]]], *, columns: ColumnMap, file_id: int | None
    ) -> ImportResult:
        if not self._sqlite:
            return self._import(rows, columns, file_id)
        cur = self.conn.connection.cursor()
        try:
            (cache,) = cur.execute("PRAGMA cache_size").fetchone()
            if cache >= 0 or -cache < SQLITE_IMPORT_CACHE_KIB:
                cur.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
            try:
                return self._import(rows, columns, file_id)
            finally:
                cur.execute(f"PRAGMA cache_size = {int(cache)}")
        finally:
            cur.close()

    def _import(
        self, rows: Iterable[tuple[int, list[str]]], columns: ColumnMap, file_id: int | None
    ) -> ImportResult:
        result = ImportResult()
        for batch, rejects in split_rows(
            rows,
            columns=columns,
            normalize=self.normalizer.normalize,
            task_id=self.task_id,
            file_id=file_id,
            dump=self._dump_variables or _same,
        ):
            self._flush(batch, rejects, result)
            self._batch_written(result)
        return result

    def _batch_written(self, result: ImportResult) -> None:
        """Tell `on_batch` what was written since it was last told."""
        if self.on_batch is None:
            return
        added = ImportResult(
            result.count - self._reported.count, result.rejected - self._reported.rejected
        )
        if added.count or added.rejected:
            self._reported = ImportResult(result.count, result.rejected)
            self.on_batch(added)

    def _flush(
        self, batch: list[tuple[Any, ...]], rejects: list[tuple[Any, ...]], result: ImportResult
    ) -> None:
        if batch:
            blocked = self._blocked if self._has_blocklist else None
            kept = sort_batch(batch, rejects, blocked=blocked)
            # On SQLite, with no block list, the repeats go in too: ON CONFLICT skips them
            # as it keeps the first of each (same rows, same ids), and a full batch stays
            # two full-size statements.
            sent = batch if self._sqlite and blocked is None else kept
            if kept:
                inserted_phones = self._insert_batch(sent, expected=len(kept))
                if inserted_phones is not None:
                    for row in kept:
                        if row[_PHONE] not in inserted_phones:
                            rejects.append(already_in_task(row))
                    inserted = len(inserted_phones)
                else:
                    inserted = len(kept)
                result.count += inserted
        self._write_rejects(rejects, result)

    def _blocked(self, phones: list[str]) -> set[str]:
        return blocked_among(self.conn, workspace_id=self.workspace_id, phones=phones)

    def _write_rejects(self, rejects: list[tuple[Any, ...]], result: ImportResult) -> None:
        if not rejects:
            return
        if self._sqlite:
            cur = self.conn.connection.cursor()
            try:
                self._rejects_sql.execute(cur, rejects)
            finally:
                cur.close()
        else:
            self.conn.execute(
                TaskReject.__table__.insert(),
                [dict(zip(_REJECT_KEYS, r, strict=True)) for r in rejects],
            )
        result.rejected += len(rejects)
        rejects.clear()

    def _insert_batch(self, batch: list[tuple[Any, ...]], *, expected: int) -> set[str] | None:
        """Insert, skipping phones already in the task. Returns the phones inserted, or
        None when all `expected` (the distinct phones sent) were."""
        if not self._sqlite:
            params = [dict(zip(_NUMBER_KEYS, row, strict=True)) for row in batch]
            return set(self.conn.execute(self._insert, params).scalars())
        # SQLite: multi-row INSERTs, whose row counts say whether any row was skipped;
        # only then are the inserted rows looked up by id.
        cur = self.conn.connection.cursor()
        try:
            if not self.conn.connection.driver_connection.in_transaction:
                # a batch of its own (`on_batch` committed the last): the ids read here
                # and the rows inserted must be one write transaction's
                cur.execute("BEGIN IMMEDIATE")
            before = cur.execute(self._sql_max_id).fetchone()[0] or 0
            if self._numbers_sql.execute(cur, batch) == expected:
                return None
            (phones,) = cur.execute(self._sql_inserted, (before, self.task_id)).fetchone()
            return set(phones.split(",")) if phones else set()
        finally:
            cur.close()


def split_rows(
    rows: Iterable[tuple[int, list[str]]],
    *,
    columns: ColumnMap,
    normalize: Callable[[str], str],
    task_id: int,
    file_id: int | None,
    dump: Callable[[Any], Any] = _same,
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """A file's rows as number rows (_NUMBER_KEYS) in batches of BATCH, each with the
    rejects of the rows whose phone is not a number (_REJECT_KEYS) found meanwhile. Yields
    `(batch, rejects)`: each full batch; a batch of none when the rejects alone reach
    BATCH (all invalid so far: they are written, memory stays flat); the rest at the end.
    The importer and `check_rows` read a file through this one function."""
    batch: list[tuple[Any, ...]] = []
    rejects: list[tuple[Any, ...]] = []
    phone_i, name_i, note_i, var_map = (
        columns.phone,
        columns.name,
        columns.note,
        columns.variables,
    )
    no_variables = dump(None)
    append = batch.append
    for row_no, cells in rows:
        n = len(cells)
        raw = cells[phone_i] if phone_i < n else ""
        try:
            phone = normalize(raw)
        except InvalidPhone as e:
            rejects.append((task_id, file_id, row_no, str(raw)[:100], _INVALID, e.reason[:200]))
            if len(rejects) >= BATCH:
                yield [], rejects
                rejects = []
            continue
        append(
            (
                task_id,
                phone,
                cells[name_i][:200] if name_i is not None and name_i < n else "",
                cells[note_i] if note_i is not None and note_i < n else "",
                dump({k: (cells[i] if i < n else "") for k, i in var_map})
                if var_map
                else no_variables,
                file_id,
                row_no,
            )
        )
        if len(batch) >= BATCH:
            yield batch, rejects
            batch, rejects = [], []
            append = batch.append
    yield batch, rejects


def sort_batch(
    batch: list[tuple[Any, ...]],
    rejects: list[tuple[Any, ...]],
    *,
    blocked: Callable[[list[str]], set[str]] | None,
) -> list[tuple[Any, ...]]:
    """The rows of a batch to insert: a phone repeated in the batch is kept once (the
    others are duplicates), then those on the block list (`blocked`: the phones of a
    list that are on it; None when the workspace has no block list) are rejected. The
    rejects go on `rejects` in that order. What is left may still repeat a phone already
    in the task (the database, or `check_rows`, tells)."""
    seen: set[str] = set()
    add = seen.add
    kept = []
    keep = kept.append
    for row in batch:
        phone = row[_PHONE]
        if phone in seen:
            rejects.append(_reject(row, phone, _DUPLICATE, _IN_TASK))
        else:
            add(phone)
            keep(row)
    if blocked is None or not kept:
        return kept
    found = blocked([r[_PHONE] for r in kept])
    if not found:
        return kept
    allowed = []
    for row in kept:
        if row[_PHONE] in found:
            rejects.append(_reject(row, row[_PHONE], _BLOCKED, "on the workspace block list"))
        else:
            allowed.append(row)
    return allowed


def has_blocklist(conn: Connection, *, workspace_id: int) -> bool:
    return (
        conn.execute(
            select(BlockedNumber.id).where(BlockedNumber.workspace_id == workspace_id).limit(1)
        ).first()
        is not None
    )


def blocked_among(conn: Connection, *, workspace_id: int, phones: list[str]) -> set[str]:
    """The phones of `phones` on the workspace's block list."""
    blocked: set[str] = set()
    for i in range(0, len(phones), 900):
        blocked.update(
            conn.execute(
                select(BlockedNumber.phone).where(
                    BlockedNumber.workspace_id == workspace_id,
                    BlockedNumber.phone.in_(phones[i : i + 900]),
                )
            ).scalars()
        )
    return blocked


def _rows_per_insert(max_params: int, columns: int) -> int:
    """Rows per full statement: half a batch (a full batch is two statements), or fewer
    if SQLite takes fewer parameters in one statement."""
    return max(1, min(BATCH // 2, max_params // columns))


def already_in_task(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The reject of a number row whose phone the task holds already."""
    return _reject(row, row[_PHONE], _DUPLICATE, _IN_TASK)


def _reject(row: tuple[Any, ...], value: str, reason: str, detail: str) -> tuple[Any, ...]:
    """A reject row for a number row (task, file and row number taken from it)."""
    return (row[0], row[_FILE], row[_ROW], str(value)[:100], reason, detail[:200])
