"""Tasks: creation with number import, reads (O(1) from kept counters), edits, status.

Numbers imported here go in the caller's transaction (the CLI's demo, benchmarks and
tests); the API imports files batch by batch (`store/imports.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, inspect, select
from sqlalchemy.orm import Session

from voxdial.domain.options import (
    build_option,
    check_number_file_meta,
    merge_schedule,
    without_absent,
)
from voxdial.domain.phone import PhoneNormalizer
from voxdial.domain.status import EDITABLE, TaskStatus, can_transition
from voxdial.errors import BadRequest, Conflict, NotFound, Unprocessable
from voxdial.numbers.importer import (
    PHONE_KEY,
    ColumnMap,
    ImportLimits,
    ImportResult,
    NumberImporter,
)
from voxdial.numbers.reader import MAX_COLUMNS, iter_rows
from voxdial.store import assistants, numberfiles
from voxdial.store.models import Assistant, AssistantVersion, NumberFile, Task, User

DetailRow = Row[tuple[Task, Assistant, AssistantVersion, str]]


def detail_query():
    return (
        select(Task, Assistant, AssistantVersion, User.email)
        .join(AssistantVersion, AssistantVersion.id == Task.assistant_vid)
        .join(Assistant, Assistant.id == Task.assistant_id)
        .join(User, User.id == Assistant.creator_id)
    )


# Built once: constructing the statement and its SQL cache key cost more than running
# it; each call binds only the values.
_DETAIL_BY_ID = detail_query().where(
    Task.id == bindparam("task_id"),
    Task.workspace_id == bindparam("workspace_id"),
    Task.deleted_at.is_(None),
)


def get_detail(s: Session, *, workspace_id: int, task_id: int) -> DetailRow:
    row = s.execute(_DETAIL_BY_ID, {"task_id": task_id, "workspace_id": workspace_id}).first()
    if row is None:
        raise NotFound(f"task {task_id} not found")
    return row


def _detail_view_query() -> tuple[list[tuple[str, ...]], Any]:
    """The detail query over plain columns: each model's attribute names, and the
    statement selecting their columns in that order, then the creator's email."""
    keys: list[tuple[str, ...]] = []
    columns: list[Any] = []
    for model, prefix in ((Task, "t_"), (Assistant, "a_"), (AssistantVersion, "v_")):
        attrs = inspect(model).column_attrs
        keys.append(tuple(a.key for a in attrs))
        columns.extend(a.columns[0].label(prefix + a.key) for a in attrs)
    statement = (
        select(*columns, User.email)
        .join(AssistantVersion, AssistantVersion.id == Task.assistant_vid)
        .join(Assistant, Assistant.id == Task.assistant_id)
        .join(User, User.id == Assistant.creator_id)
        .where(
            Task.id == bindparam("task_id"),
            Task.workspace_id == bindparam("workspace_id"),
            Task.deleted_at.is_(None),
        )
    )
    return keys, statement


_VIEW_KEYS, _DETAIL_VIEW_BY_ID = _detail_view_query()


def read_detail(conn: Connection, *, workspace_id: int, task_id: int) -> tuple[Any, Any, Any, str]:
    """What `get_detail` reads, as read-only views (same attribute names as the Task,
    Assistant and AssistantVersion objects) from one Core query: about half the cost of
    loading ORM objects, for the API's most polled read."""
    row = conn.execute(
        _DETAIL_VIEW_BY_ID, {"task_id": task_id, "workspace_id": workspace_id}
    ).first()
    if row is None:
        raise NotFound(f"task {task_id} not found")
    views = []
    start = 0
    for keys in _VIEW_KEYS:
        end = start + len(keys)
        views.append(SimpleNamespace(**dict(zip(keys, row[start:end], strict=True))))
        start = end
    t, a, v = views
    return t, a, v, row[start]


def get_task(s: Session, *, workspace_id: int, task_id: int, for_update: bool = False) -> Task:
    q = select(Task).where(
        Task.id == task_id, Task.workspace_id == workspace_id, Task.deleted_at.is_(None)
    )
    if for_update:
        q = q.with_for_update()
    task = s.execute(q).scalar_one_or_none()
    if task is None:
        raise NotFound(f"task {task_id} not found")
    return task


def create_task(
    s: Session,
    *,
    workspace_id: int,
    time_zone: str,
    name: str,
    assistant_id: int | None,
    assistant_vid: int | None,
    option: dict[str, Any],
    normalizer: PhoneNormalizer,
    progress=None,
    limits: ImportLimits | None = None,
) -> Task:
    """Create a task and import its files, in the caller's transaction."""
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
    s.flush()
    for nf in files:
        result = import_file(
            s, task=task, number_file=nf, columns=columns, normalizer=normalizer, progress=progress
        )
        _count(task, result)
    return task


def new_task(
    s: Session,
    *,
    workspace_id: int,
    time_zone: str,
    name: str,
    assistant_id: int | None,
    assistant_vid: int | None,
    option: dict[str, Any],
    limits: ImportLimits | None,
) -> tuple[Task, list[NumberFile], ColumnMap | None]:
    """A new task row (added to the session) after every check, with its files."""
    a, v = assistants.get_version_for_task(
        s, workspace_id=workspace_id, assistant_id=assistant_id, assistant_vid=assistant_vid
    )
    stored = build_option(option, default_time_zone=time_zone)
    files = numberfiles.get_many(s, workspace_id=workspace_id, ids=stored["numbers"])
    columns = column_map(stored["numberFileMeta"], files)
    if limits is not None:
        limits.check(task_rows=0, incoming=sum(nf.rows for nf in files))
    now = datetime.now(UTC)
    task = Task(
        workspace_id=workspace_id,
        name=name,
        status=TaskStatus.PENDING,
        assistant_id=a.id,
        assistant_vid=v.id,
        option=stored,
        summary="",
        suggestion="",
        total=0,
        rejected=0,
        created_at=now,
        updated_at=now,
    )
    s.add(task)
    return task, files, columns


def column_map(meta: dict[str, int], files: list[NumberFile]) -> ColumnMap | None:
    if not files:
        return None
    columns = ColumnMap.from_meta(meta)
    for nf in files:
        if columns.width() > len(nf.columns):
            wanted = max(meta.values())
            key = next(k for k, i in meta.items() if i == wanted)
            raise BadRequest(
                f"option.numberFileMeta: {key!r} is column {wanted}, but number file {nf.id} "
                f"({nf.name}) has only {len(nf.columns)} columns (0 to {len(nf.columns) - 1})"
            )
    return columns


def import_file(
    s: Session,
    *,
    task: Task,
    number_file: NumberFile,
    columns: ColumnMap,
    normalizer: PhoneNormalizer,
    progress=None,
) -> ImportResult:
    importer = NumberImporter(
        s.connection(), task_id=task.id, workspace_id=task.workspace_id, normalizer=normalizer
    )
    with numberfiles.open_copy(s, number_file.id) as fp:
        rows = iter_rows(fp, kind=number_file.kind, encoding=number_file.encoding)
        if progress is not None:
            rows = progress(rows, number_file.rows)
        return importer.import_file_rows(rows, columns=columns, file_id=number_file.id)


def _count(task: Task, result: ImportResult) -> None:
    task.total += result.count
    task.rejected += result.rejected


def check_accepts_files(task: Task) -> None:
    """Whether a number file may be added to the task (before its columns are known)."""
    _require_editable_for_numbers(task)
    if not task.option["numberFileMeta"]:
        raise Unprocessable(
            "this task has no option.numberFileMeta; set it with PATCH before adding files"
        )


def add_numbers_from_file(
    s: Session, *, task: Task, number_file: NumberFile, normalizer: PhoneNormalizer
) -> ImportResult:
    check_accepts_files(task)
    columns = column_map(task.option["numberFileMeta"], [number_file])
    assert columns is not None
    result = import_file(
        s, task=task, number_file=number_file, columns=columns, normalizer=normalizer
    )
    _count(task, result)
    task.option = {**task.option, "numbers": [*task.option["numbers"], number_file.id]}
    task.updated_at = datetime.now(UTC)
    return result


def add_numbers_from_json(
    s: Session,
    *,
    task: Task,
    numbers: list[dict[str, Any]],
    normalizer: PhoneNormalizer,
    limits: ImportLimits | None = None,
) -> ImportResult:
    """Import numbers sent as JSON, in the caller's transaction (which holds the task's
    row). The task's `json` number file counts them and joins its `option.numbers`; the
    numbers and rejects carry that file's id, and as their row their place in it: the
    item's position from 1, after the rows of the task's earlier JSON batches."""
    _require_editable_for_numbers(task)
    if limits is not None:
        limits.check(task_rows=task.total + task.rejected, incoming=len(numbers))
    max_columns = limits.max_columns if limits is not None else MAX_COLUMNS
    keys: list[str] = [PHONE_KEY]
    seen = {PHONE_KEY}
    for i, item in enumerate(numbers):
        if PHONE_KEY not in item:
            raise Unprocessable(f"numbers[{i}]: the phone field 号码 is missing")
        for k in item:
            if k not in seen:
                seen.add(k)
                keys.append(k)
        if len(keys) > max_columns:
            raise Unprocessable(
                f"numbers: more than {max_columns} different keys across the items "
                "(a number file's column limit)"
            )
    record = numberfiles.json_batch_file(
        s, workspace_id=task.workspace_id, listed=task.option["numbers"]
    )
    first_row = record.rows if record is not None else 0
    cells = [["" if item.get(k) is None else str(item.get(k)) for k in keys] for item in numbers]
    record = numberfiles.record_json_batch(
        s,
        workspace_id=task.workspace_id,
        task_id=task.id,
        record=record,
        columns=keys,
        rows=cells,
        max_columns=max_columns,
    )
    columns = ColumnMap.from_meta({k: i for i, k in enumerate(keys)})
    importer = NumberImporter(
        s.connection(), task_id=task.id, workspace_id=task.workspace_id, normalizer=normalizer
    )
    result = importer.import_file_rows(
        enumerate(cells, first_row + 1), columns=columns, file_id=record.id
    )
    _count(task, result)
    if record.id not in task.option["numbers"]:
        task.option = {**task.option, "numbers": [*task.option["numbers"], record.id]}
    task.updated_at = datetime.now(UTC)
    return result


def _require_editable_for_numbers(task: Task) -> None:
    if task.status == TaskStatus.DONE:
        raise Conflict(f"task {task.id} is done; create a new task for more numbers")


def update_task(s: Session, *, task: Task, name: str | None, option: dict[str, Any] | None) -> None:
    if task.status not in EDITABLE:
        raise Conflict(
            f"task {task.id} is {task.status}; stop it (status stop.operate) before editing"
        )
    if name is not None:
        task.name = name
    if option:
        if option.get("numberFileMeta") is not None:
            option = {**option, "numberFileMeta": without_absent(option["numberFileMeta"])}
        for key in ("numbers", "numberFileMeta"):
            if option.get(key) is not None and option[key] != task.option.get(key):
                if key == "numberFileMeta" and task.total == 0 and not task.option["numbers"]:
                    continue
                raise Unprocessable(
                    f"option.{key} cannot change once numbers are imported; "
                    "add numbers with POST /openapi/tasks/{id}/numbers"
                )
        merged = merge_schedule(task.option, option)
        meta = option.get("numberFileMeta")
        if meta is not None and meta != task.option["numberFileMeta"]:
            merged["numberFileMeta"] = check_number_file_meta(meta)
        task.option = merged
    task.updated_at = datetime.now(UTC)


def set_status(s: Session, *, task: Task, wanted: TaskStatus) -> None:
    current = TaskStatus(task.status)
    if current == wanted:
        return
    if not can_transition(current, wanted):
        raise Conflict(f"task {task.id} is {current}; it cannot move to {wanted}")
    now = datetime.now(UTC)
    if wanted == TaskStatus.RUNNING:
        a = s.get(Assistant, task.assistant_id)
        if a is None or a.deleted_at is not None:
            raise Conflict(f"task {task.id}: its assistant was deleted; it cannot run")
        task.stop_reason = None
        if task.started_at is None:
            task.started_at = now
    task.status = wanted
    task.updated_at = now


def soft_delete(s: Session, *, task: Task) -> None:
    if task.status == TaskStatus.RUNNING:
        raise Conflict(f"task {task.id} is running; stop it before deleting")
    task.deleted_at = datetime.now(UTC)


def count_tasks(s: Session, where: list[Any]) -> int:
    return s.execute(select(func.count()).select_from(Task).where(*where)).scalar_one()


def running_task_ids(conn: Connection) -> list[int]:
    """The tasks a dialer works on: running and not deleted."""
    return list(
        conn.execute(
            select(Task.id)
            .where(Task.status == TaskStatus.RUNNING, Task.deleted_at.is_(None))
            .order_by(Task.id)
        ).scalars()
    )


def stop_abnormally(s: Session, *, task_id: int, reason: str, now: datetime) -> Task | None:
    """Stop a running task the dialer cannot work on (`stop.abnormal`, with the reason
    shown as its `stopReason`). Returns the task, or None if it was not running."""
    task = s.execute(select(Task).where(Task.id == task_id).with_for_update()).scalar_one_or_none()
    if task is None or task.status != TaskStatus.RUNNING:
        return None
    task.status = TaskStatus.STOP_ABNORMAL
    task.stop_reason = reason
    task.ended_at = now
    task.updated_at = now
    return task
