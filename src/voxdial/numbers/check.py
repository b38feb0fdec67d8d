"""What importing a file into a new task would give, counted without writing anything:
how many rows would become numbers, and how many would be rejected as invalid, duplicate
or blocked, with the first rejects.

The rows go through the importer's own functions (`split_rows`, `sort_batch`), batch by
batch as it imports them, so the counts and the order of the rejects are the import's.
The one thing the database tells the importer, a phone already in the task, is the set of
phones kept so far here: a new task holds nothing else. Memory grows with the distinct
phones of the file (the request's row limit bounds it); each batch's block-list lookup
is the caller's (`blocked`), so no transaction is held between batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from voxdial.domain.phone import PhoneNormalizer
from voxdial.domain.status import RejectReason
from voxdial.numbers.importer import ColumnMap, already_in_task, sort_batch, split_rows

FIRST_REJECTS = 10
# positions in the importer's number and reject rows
_PHONE = 1
_ROW, _VALUE, _REASON, _DETAIL = 2, 3, 4, 5


@dataclass(frozen=True)
class Reject:
    row: int
    value: str
    reason: str
    detail: str


@dataclass
class RowCheck:
    valid: int = 0
    invalid: int = 0
    duplicate: int = 0
    blocked: int = 0
    first_rejects: list[Reject] = field(default_factory=list)


def check_rows(
    rows: Iterable[tuple[int, list[str]]],
    *,
    columns: ColumnMap,
    normalizer: PhoneNormalizer,
    blocked: Callable[[list[str]], set[str]] | None,
    keep: int = FIRST_REJECTS,
) -> RowCheck:
    """Count `rows` (row number, cells) as `NumberImporter` would import them into a new
    task. `blocked` gives the phones of a list that are on the workspace's block list
    (None: the workspace has none)."""
    out = RowCheck()
    seen: set[str] = set()
    counts = {
        str(RejectReason.INVALID): 0,
        str(RejectReason.DUPLICATE): 0,
        str(RejectReason.BLOCKED): 0,
    }
    for batch, rejects in split_rows(
        rows, columns=columns, normalize=normalizer.normalize, task_id=0, file_id=None
    ):
        if batch:
            for row in sort_batch(batch, rejects, blocked=blocked):
                phone = row[_PHONE]
                if phone in seen:  # the importer's insert would skip it: in the task already
                    rejects.append(already_in_task(row))
                else:
                    seen.add(phone)
                    out.valid += 1
        for r in rejects:
            counts[r[_REASON]] += 1
            if len(out.first_rejects) < keep:
                out.first_rejects.append(Reject(r[_ROW], r[_VALUE], r[_REASON], r[_DETAIL]))
    out.invalid = counts[str(RejectReason.INVALID)]
    out.duplicate = counts[str(RejectReason.DUPLICATE)]
    out.blocked = counts[str(RejectReason.BLOCKED)]
    return out
