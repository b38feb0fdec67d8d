"""Importing number files into tasks batch by batch, for the API.

Each batch of rows (`importer.BATCH`) is its own short transaction that also updates
the task's counters, so an import of millions of rows never holds SQLite's write lock
for longer than a batch, and other workspaces' writes wait at most that long. A task
created here stays hidden (soft-deleted) until all its files are in; an import that
fails takes back what it wrote. `store/tasks.py` imports in the caller's transaction
instead (the CLI's demo, benchmarks, tests).
"""

from __future__ import annotations

import logging
from contextlib import closing
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update

from voxdial.domain.phone import PhoneNormalizer
from voxdial.domain.status import NumberState, TaskStatus
from voxdial.errors import Conflict, NotFound
from voxdial.numbers.importer import BATCH, ColumnMap, ImportLimits, ImportResult, NumberImporter
from voxdial.numbers.reader import MAX_COLUMNS, iter_rows
from voxdial.store import numberfiles
from voxdial.store.db import Database
from voxdial.store.models import NumberFile, Task, TaskNumber, TaskReject
from voxdial.store.tasks import check_accepts_files, column_map, get_task, new_task

log = logging.getLogger("voxdial.imports")


def create_task_in_batches(
    db: Database,
    *,
    workspace_id: int,
    time_zone: str,
    name: str,
    assistant_id: int | None,
    assistant_vid: int | None,
    option: dict[str, Any],
    normalizer: PhoneNormalizer,
    limits: ImportLimits,
) -> int:
    """Create a task and import its files batch by batch; returns its id. The task is
    hidden until every file is in; if an import fails, it and its rows are removed."""
    with db.session() as s:
        task, files, columns = new_task(
            s,
            workspace_id=workspace_id,
            time_zone=time_zone,
            name=name,
            assistant_id=assistant_id,
            assistant_vid=assistant_vid,
            option=option,
            limits=limits,
        )
        if files:
            task.deleted_at = task.created_at
        s.commit()
        task_id = task.id
    if not files:
        return task_id
    assert columns is not None
    try:
        for nf in files:
            import_file_in_batches(
                db,
                task_id=task_id,
                workspace_id=workspace_id,
                number_file=nf,
                columns=columns,
                normalizer=normalizer,
                max_columns=limits.max_columns,
            )
        with db.session() as s:
            s.execute(
                update(Task)
                .where(Task.id == task_id)
                .values(deleted_at=None, updated_at=datetime.now(UTC))
            )
            s.commit()
    except Exception:
        _remove_unfinished(db, task_id)
        raise
    return task_id


def import_file_in_batches(
    db: Database,
    *,
    task_id: int,
    workspace_id: int,
    number_file: NumberFile,
    columns: ColumnMap,
    normalizer: PhoneNormalizer,
    max_columns: int = MAX_COLUMNS,
) -> ImportResult:
    """Import a file into a task, each batch of rows committed with the task's counters
    (a task that is done meanwhile takes no more: 409, and the batches written stay for
    the caller to take back)."""
    with db.session() as s:
        fp = numberfiles.copy_out(s, number_file.id)
    with fp, db.engine.connect() as conn:
        if fp.seek(0, 2) != number_file.size:
            raise Conflict(f"number file {number_file.id} was deleted while it was imported")
        fp.seek(0)

        def commit(added: ImportResult) -> None:
            counted = conn.execute(
                update(Task)
                .where(Task.id == task_id, Task.status != TaskStatus.DONE)
                .values(
                    total=Task.total + added.count,
                    rejected=Task.rejected + added.rejected,
                    updated_at=datetime.now(UTC),
                )
            )
            if counted.rowcount != 1:
                conn.rollback()
                raise Conflict(f"task {task_id} is done; create a new task for more numbers")
            conn.commit()

        importer = NumberImporter(
            conn,
            task_id=task_id,
            workspace_id=workspace_id,
            normalizer=normalizer,
            on_batch=commit,
        )
        rows = iter_rows(
            fp, kind=number_file.kind, encoding=number_file.encoding, max_columns=max_columns
        )
        with closing(rows):  # before the copy closes, even when the import fails
            result = importer.import_file_rows(rows, columns=columns, file_id=number_file.id)
        conn.commit()
        return result


def add_file_in_batches(
    db: Database,
    *,
    workspace_id: int,
    task_id: int,
    file_id: int,
    normalizer: PhoneNormalizer,
    limits: ImportLimits,
) -> ImportResult:
    """`add_numbers_from_file` batch by batch. The numbers count from their batch on
    (the dialer may call them before the last batch is in); if the import fails, the
    rows it wrote that no call has taken yet are removed again."""
    with db.session() as s:
        task = get_task(s, workspace_id=workspace_id, task_id=task_id, for_update=True)
        check_accepts_files(task)
        nf = s.get(NumberFile, file_id)
        if nf is None or nf.workspace_id != workspace_id:
            raise NotFound(f"number file {file_id} not found")
        columns = column_map(task.option["numberFileMeta"], [nf])
        assert columns is not None
        limits.check(task_rows=task.total + task.rejected, incoming=nf.rows)
        s.commit()
    try:
        result = import_file_in_batches(
            db,
            task_id=task_id,
            workspace_id=workspace_id,
            number_file=nf,
            columns=columns,
            normalizer=normalizer,
            max_columns=limits.max_columns,
        )
    except Exception:
        _take_back_file(db, task_id=task_id, file_id=file_id)
        raise
    with db.session() as s:
        task = get_task(s, workspace_id=workspace_id, task_id=task_id, for_update=True)
        task.option = {**task.option, "numbers": [*task.option["numbers"], file_id]}
        task.updated_at = datetime.now(UTC)
        s.commit()
    return result


def _remove_unfinished(db: Database, task_id: int) -> None:
    """Delete a hidden task whose import failed, and its rows, batch by batch. If that
    fails too, the task stays soft-deleted: invisible, and never dialled."""
    try:
        for model in (TaskNumber, TaskReject):
            _delete_in_batches(db, model, model.task_id == task_id)
        with db.session() as s:
            s.execute(delete(Task).where(Task.id == task_id, Task.deleted_at.is_not(None)))
            s.commit()
    except Exception as e:
        log.error(
            "could not remove a task whose import failed", extra={"task_id": task_id}, exc_info=e
        )


def _take_back_file(db: Database, *, task_id: int, file_id: int) -> None:
    """Remove what a failed import of a file wrote into a task: its rejects, and its
    numbers that no call has taken yet; the counters follow."""
    try:
        taken = _delete_in_batches(
            db,
            TaskNumber,
            (TaskNumber.task_id == task_id)
            & (TaskNumber.file_id == file_id)
            & (TaskNumber.state == NumberState.PENDING)
            & (TaskNumber.attempts == 0),
            task_id=task_id,
            counter="total",
        )
        dropped = _delete_in_batches(
            db,
            TaskReject,
            (TaskReject.task_id == task_id) & (TaskReject.file_id == file_id),
            task_id=task_id,
            counter="rejected",
        )
        log.warning(
            "an import failed: its rows were taken back",
            extra={"task_id": task_id, "numbers": taken, "rejects": dropped},
        )
    except Exception as e:
        log.error("could not take back a failed import", extra={"task_id": task_id}, exc_info=e)


def _delete_in_batches(
    db: Database, model: Any, where: Any, *, task_id: int | None = None, counter: str = ""
) -> int:
    """Delete the rows of `model` matching `where`, `BATCH` per transaction; with a
    `counter`, the task's counter goes down by the rows deleted, in the same one."""
    deleted = 0
    while True:
        with db.session() as s:
            ids = list(s.execute(select(model.id).where(where).limit(BATCH)).scalars())
            if not ids:
                return deleted
            s.execute(delete(model).where(model.id.in_(ids)))
            if counter:
                column = getattr(Task, counter)
                s.execute(
                    update(Task).where(Task.id == task_id).values({column: column - len(ids)})
                )
            s.commit()
        deleted += len(ids)
