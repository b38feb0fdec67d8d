"""Import number rows into a task: validate, normalise, de-duplicate, check the block
list, and bulk-insert, batch by batch, so memory stays flat however long the file.

De-duplication leans on the `(task_id, phone)` unique index: each batch is inserted with
ON CONFLICT DO NOTHING; only when the database reports fewer rows than sent does the
importer look up which ones it skipped. Every rejected row is kept with its row number,
value and reason. The caller owns the transaction: a fatal error rolls it all back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from voxdial.domain.phone import InvalidPhone, PhoneNormalizer
from voxdial.domain.status import RejectReason
from voxdial.store.models import BlockedNumber, TaskNumber, TaskReject

BATCH = 5000
PHONE_KEY = "号码"
NAME_KEY = "姓名"
NOTE_KEY = "备注"


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
    ) -> None:
        self.conn = conn
        self.task_id = task_id
        self.workspace_id = workspace_id
        self.normalizer = normalizer
        self._has_blocklist = (
            conn.execute(
                select(BlockedNumber.id).where(BlockedNumber.workspace_id == workspace_id).limit(1)
            ).first()
            is not None
        )
        self._returning = conn.dialect.name != "sqlite"
        dialect = postgresql if self._returning else sqlite
        self._insert = (
            dialect.insert(TaskNumber.__table__)
            .values(state="pending", attempts=0)
            .on_conflict_do_nothing()
        )

    def import_file_rows(
        self, rows: Iterable[tuple[int, list[str]]], *, columns: ColumnMap, file_id: int | None
    ) -> ImportResult:
        result = ImportResult()
        batch: list[dict[str, Any]] = []
        rejects: list[dict[str, Any]] = []
        phone_i, name_i, note_i, var_map = (
            columns.phone,
            columns.name,
            columns.note,
            columns.variables,
        )
        normalize = self.normalizer.normalize
        for row_no, cells in rows:
            n = len(cells)
            raw = cells[phone_i] if phone_i < n else ""
            try:
                phone = normalize(raw)
            except InvalidPhone as e:
                rejects.append(_reject(file_id, row_no, raw, RejectReason.INVALID, e.reason))
                continue
            variables = {k: (cells[i] if i < n else "") for k, i in var_map} if var_map else None
            batch.append(
                {
                    "task_id": self.task_id,
                    "phone": phone,
                    "name": cells[name_i][:200] if name_i is not None and name_i < n else "",
                    "note": cells[note_i] if note_i is not None and note_i < n else "",
                    "variables": variables,
                    "file_id": file_id,
                    "row_no": row_no,
                }
            )
            if len(batch) >= BATCH:
                self._flush(batch, rejects, result)
                batch = []
        self._flush(batch, rejects, result)
        return result

    def _flush(
        self, batch: list[dict[str, Any]], rejects: list[dict[str, Any]], result: ImportResult
    ) -> None:
        if batch:
            batch = self._drop_in_batch_duplicates(batch, rejects)
            if self._has_blocklist:
                batch = self._drop_blocked(batch, rejects)
        if batch:
            inserted_phones = self._insert_batch(batch)
            if inserted_phones is not None:
                for row in batch:
                    if row["phone"] not in inserted_phones:
                        rejects.append(
                            _reject(
                                row["file_id"],
                                row["row_no"],
                                row["phone"],
                                RejectReason.DUPLICATE,
                                "already in this task",
                            )
                        )
                inserted = len(inserted_phones)
            else:
                inserted = len(batch)
            result.count += inserted
        if rejects:
            for r in rejects:
                r["task_id"] = self.task_id
            self.conn.execute(TaskReject.__table__.insert(), rejects)
            result.rejected += len(rejects)
            rejects.clear()

    def _insert_batch(self, batch: list[dict[str, Any]]) -> set[str] | None:
        """Insert, skipping phones already in the task. Returns the phones inserted, or
        None when all were."""
        if self._returning:
            return set(self.conn.execute(self._insert.returning(TaskNumber.phone), batch).scalars())
        # SQLite: a plain executemany is fastest; its rowcount says whether any row was
        # skipped, and only then are the inserted rows looked up by id.
        before = self.conn.execute(select(func.coalesce(func.max(TaskNumber.id), 0))).scalar_one()
        if self.conn.execute(self._insert, batch).rowcount == len(batch):
            return None
        return set(
            self.conn.execute(
                select(TaskNumber.phone).where(
                    TaskNumber.task_id == self.task_id, TaskNumber.id > before
                )
            ).scalars()
        )

    @staticmethod
    def _drop_in_batch_duplicates(
        batch: list[dict[str, Any]], rejects: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        seen: set[str] = set()
        kept = []
        for row in batch:
            if row["phone"] in seen:
                rejects.append(
                    _reject(
                        row["file_id"],
                        row["row_no"],
                        row["phone"],
                        RejectReason.DUPLICATE,
                        "already in this task",
                    )
                )
            else:
                seen.add(row["phone"])
                kept.append(row)
        return kept

    def _drop_blocked(
        self, batch: list[dict[str, Any]], rejects: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        blocked: set[str] = set()
        phones = [r["phone"] for r in batch]
        for i in range(0, len(phones), 900):
            blocked.update(
                self.conn.execute(
                    select(BlockedNumber.phone).where(
                        BlockedNumber.workspace_id == self.workspace_id,
                        BlockedNumber.phone.in_(phones[i : i + 900]),
                    )
                ).scalars()
            )
        if not blocked:
            return batch
        kept = []
        for row in batch:
            if row["phone"] in blocked:
                rejects.append(
                    _reject(
                        row["file_id"],
                        row["row_no"],
                        row["phone"],
                        RejectReason.BLOCKED,
                        "on the workspace block list",
                    )
                )
            else:
                kept.append(row)
        return kept


def _reject(
    file_id: int | None, row_no: int, value: str, reason: str, detail: str
) -> dict[str, Any]:
    return {
        "file_id": file_id,
        "row_no": row_no,
        "value": str(value)[:100],
        "reason": str(reason),
        "detail": detail[:200],
    }
