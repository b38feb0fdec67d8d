"""Outbound call tasks (呼出任务)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from voxdial.api import render
from voxdial.api.deps import PrincipalDep, SessionDep, StateDep, run_read
from voxdial.api.routes.numberfiles import file_pool, import_limits, receive_upload
from voxdial.api.routes.paging import PagingDep, PathId
from voxdial.api.schemas import (
    NumbersAdded,
    Page,
    RejectPublic,
    TaskCreate,
    TaskNumberPublic,
    TaskNumbersAdd,
    TaskPublic,
    TaskStatistics,
    TaskStatusUpdate,
    TaskUpdate,
)
from voxdial.domain.status import TaskStatus
from voxdial.errors import Unprocessable, UnsupportedMediaType, VoxdialError
from voxdial.numbers.export import csv_chunks
from voxdial.store import imports
from voxdial.store import numberfiles as numberfiles_repo
from voxdial.store import tasks as repo
from voxdial.store.models import AssistantVersion, Task, TaskNumber, TaskReject

router = APIRouter(tags=["tasks"])


def _detail(state, p, row) -> dict[str, Any]:
    t, a, v, email = row
    return render.task_detail(t, a, v, email, tz=p.time_zone, base_url=state.settings.base_url())


@router.post("/tasks", status_code=201, response_model=TaskPublic)
async def create_task(body: TaskCreate, request: Request, p: PrincipalDep, state: StateDep) -> Any:
    """Create a task from number files and an assistant; its status is `pending`."""
    if body.option.numbers:  # an import: on the file threads (503 when they are full)
        return await file_pool(request).run(_create_task, state, p, body)
    return await _in_thread(_create_task, state, p, body)


def _create_task(state, p, body: TaskCreate) -> dict[str, Any]:
    task_id = imports.create_task_in_batches(
        state.db,
        workspace_id=p.workspace_id,
        time_zone=p.time_zone,
        name=body.name,
        assistant_id=body.assistantId,
        assistant_vid=body.assistantVid,
        option=body.option.model_dump(exclude_none=True),
        normalizer=state.normalizer,
        limits=import_limits(state),
    )
    with state.db.session() as s:
        return _detail(state, p, repo.get_detail(s, workspace_id=p.workspace_id, task_id=task_id))


@router.get("/tasks", response_model=Page[TaskPublic])
def list_tasks(
    p: PrincipalDep,
    s: SessionDep,
    state: StateDep,
    page: PagingDep,
    status: Annotated[
        Literal["pending", "running", "stop.operate", "stop.timeout", "stop.abnormal", "done"]
        | None,
        Query(),
    ] = None,
    name: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")] = None,
) -> Any:
    """List tasks, newest first; filter by status or by a part of the name."""
    where = [Task.workspace_id == p.workspace_id, Task.deleted_at.is_(None)]
    if status:
        where.append(Task.status == status)
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(Task.name.like(f"%{escaped}%", escape="\\"))
    total = repo.count_tasks(s, where)
    rows = s.execute(
        repo.detail_query()
        .where(*where)
        .order_by(Task.id.desc())
        .offset(page.offset)
        .limit(page.size)
    ).all()
    return page.page([_detail(state, p, r) for r in rows], total)


@router.get("/tasks/{taskID}", response_model=TaskPublic)
async def read_task(taskID: PathId, p: PrincipalDep, state: StateDep) -> Any:
    """Task detail (VoiceFox `GET /openapi/tasks/{taskID}`), O(1) whatever the task's size."""
    # The API's most polled read: a Core query on a connection of its own (SessionDep
    # would cost two more hops through the thread pool, and ORM loading twice the query),
    # in the pool's read lane (deps.run_read).
    row = await run_read(state, _read_detail, state, p.workspace_id, taskID)
    return JSONResponse(_detail(state, p, row))


def _read_detail(state, workspace_id: int, task_id: int):
    with state.db.engine.connect() as conn:
        return repo.read_detail(conn, workspace_id=workspace_id, task_id=task_id)


@router.patch("/tasks/{taskID}", response_model=TaskPublic)
def update_task(
    taskID: PathId, body: TaskUpdate, p: PrincipalDep, s: SessionDep, state: StateDep
) -> Any:
    """Rename a task or change its schedule and retry policy, while it is not running."""
    task = repo.get_task(s, workspace_id=p.workspace_id, task_id=taskID, for_update=True)
    repo.update_task(
        s,
        task=task,
        name=body.name,
        option=body.option.model_dump(exclude_none=True) if body.option else None,
    )
    s.commit()
    return _detail(state, p, repo.get_detail(s, workspace_id=p.workspace_id, task_id=taskID))


@router.put("/tasks/{taskID}/status", response_model=TaskPublic)
def set_task_status(
    taskID: PathId, body: TaskStatusUpdate, p: PrincipalDep, s: SessionDep, state: StateDep
) -> Any:
    """Start (`running`), stop (`stop.operate`) or resume (`running`) a task."""
    task = repo.get_task(s, workspace_id=p.workspace_id, task_id=taskID, for_update=True)
    repo.set_status(s, task=task, wanted=TaskStatus(body.status))
    s.commit()
    return _detail(state, p, repo.get_detail(s, workspace_id=p.workspace_id, task_id=taskID))


@router.delete("/tasks/{taskID}", status_code=204)
def delete_task(taskID: PathId, p: PrincipalDep, s: SessionDep) -> None:
    """Delete a task that is not running (soft: its calls stay readable)."""
    task = repo.get_task(s, workspace_id=p.workspace_id, task_id=taskID, for_update=True)
    repo.soft_delete(s, task=task)
    s.commit()


@router.post(
    "/tasks/{taskID}/numbers",
    response_model=NumbersAdded,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": TaskNumbersAdd.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
async def add_task_numbers(
    taskID: PathId, request: Request, p: PrincipalDep, state: StateDep
) -> Any:
    """Add numbers: a file (mapped by the task's numberFileMeta) or a JSON list."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        # the task first: an unknown task or one that takes no files stores no file
        await _in_thread(_check_file_target, state, p, taskID)
        number_file = await receive_upload(request, p, state)
        try:
            return await file_pool(request).run(_add_file, state, p, taskID, number_file.id)
        except VoxdialError:
            await _in_thread(_drop_file, state, number_file.id)
            raise
    if content_type.startswith("application/json"):
        try:
            raw = await request.json()
        except ValueError as e:
            raise Unprocessable("the body is not valid JSON") from e
        if not isinstance(raw, dict):
            raise Unprocessable('numbers: give {"numbers": [{"号码": "..."}]}')
        try:
            body = TaskNumbersAdd.model_validate(raw)
        except ValidationError as e:
            raise RequestValidationError(e.errors(include_url=False)) from e
        if len(body.numbers) > state.settings.max_json_numbers:
            raise Unprocessable(
                f"numbers: at most {state.settings.max_json_numbers} per request; upload a file"
            )
        return await _in_thread(_add_json, state, p, taskID, body.numbers)
    raise UnsupportedMediaType("send multipart/form-data with a file, or application/json")


async def _in_thread(fn, *args):
    return await run_in_threadpool(fn, *args)


def _check_file_target(state, p, task_id: int) -> None:
    with state.db.session() as s:
        task = repo.get_task(s, workspace_id=p.workspace_id, task_id=task_id)
        repo.check_accepts_files(task)


def _drop_file(state, file_id: int) -> None:
    with state.db.session() as s:
        numberfiles_repo.delete(s, file_id)
        s.commit()


def _add_file(state, p, task_id: int, file_id: int) -> dict[str, int]:
    result = imports.add_file_in_batches(
        state.db,
        workspace_id=p.workspace_id,
        task_id=task_id,
        file_id=file_id,
        normalizer=state.normalizer,
        limits=import_limits(state),
    )
    return {"count": result.count, "rejected": result.rejected}


def _add_json(state, p, task_id: int, numbers: list[dict[str, Any]]) -> dict[str, int]:
    with state.db.session() as s:
        task = repo.get_task(s, workspace_id=p.workspace_id, task_id=task_id, for_update=True)
        result = repo.add_numbers_from_json(
            s,
            task=task,
            numbers=numbers,
            normalizer=state.normalizer,
            limits=import_limits(state),
        )
        s.commit()
    return {"count": result.count, "rejected": result.rejected}


@router.get("/tasks/{taskID}/rejects", response_model=Page[RejectPublic])
def list_task_rejects(taskID: PathId, p: PrincipalDep, s: SessionDep, page: PagingDep) -> Any:
    """Rows refused at import: row number, value and reason (invalid, duplicate, blocked)."""
    task = repo.get_task(s, workspace_id=p.workspace_id, task_id=taskID)
    rows = s.execute(
        select(TaskReject)
        .where(TaskReject.task_id == task.id)
        .order_by(TaskReject.id)
        .offset(page.offset)
        .limit(page.size)
    ).scalars()
    return page.page(
        [
            {
                "row": r.row_no,
                "fileId": r.file_id,
                "value": r.value,
                "reason": r.reason,
                "detail": r.detail,
            }
            for r in rows
        ],
        task.rejected,
    )


REJECT_COLUMNS = ["row", "fileId", "value", "reason", "detail"]


@router.get(
    "/tasks/{taskID}/rejects.csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the rejects as CSV (UTF-8 with BOM)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def export_task_rejects(taskID: PathId, p: PrincipalDep, s: SessionDep, state: StateDep) -> Any:
    """The rows refused at import as a CSV file for a spreadsheet: row, fileId, value,
    reason, detail. Cells a spreadsheet would run as formulas start with an apostrophe."""
    task = repo.get_task(s, workspace_id=p.workspace_id, task_id=taskID)
    return StreamingResponse(
        csv_chunks(REJECT_COLUMNS, _reject_rows(state, task.id)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="task-{task.id}-rejects.csv"'},
    )


def _reject_rows(state, task_id: int, page: int = 5000):
    """A task's rejects in id order, a page per short read."""
    after = 0
    while True:
        with state.db.engine.connect() as conn:
            rows = conn.execute(
                select(
                    TaskReject.id,
                    TaskReject.row_no,
                    TaskReject.file_id,
                    TaskReject.value,
                    TaskReject.reason,
                    TaskReject.detail,
                )
                .where(TaskReject.task_id == task_id, TaskReject.id > after)
                .order_by(TaskReject.id)
                .limit(page)
            ).all()
        if not rows:
            return
        for r in rows:
            yield (r.row_no, "" if r.file_id is None else r.file_id, r.value, r.reason, r.detail)
        after = rows[-1].id


@router.get("/tasks/{taskID}/numbers", response_model=Page[TaskNumberPublic])
def list_task_numbers(
    taskID: PathId,
    p: PrincipalDep,
    s: SessionDep,
    page: PagingDep,
    state: Annotated[Literal["pending", "calling", "done", "rejected"] | None, Query()] = None,
) -> Any:
    """Each number's state, attempts, last outcome, next attempt and collected answers."""
    task = repo.get_task(s, workspace_id=p.workspace_id, task_id=taskID)
    where = [TaskNumber.task_id == task.id]
    if state:
        where.append(TaskNumber.state == state)
    total = (
        task.total
        if state is None
        else s.execute(select(func.count()).select_from(TaskNumber).where(*where)).scalar_one()
    )
    rows = s.execute(
        select(TaskNumber)
        .where(*where)
        .order_by(TaskNumber.id)
        .offset(page.offset)
        .limit(page.size)
    ).scalars()
    return page.page(
        [
            {
                "id": n.id,
                "phone": n.phone,
                "name": n.name,
                "note": n.note,
                "variables": n.variables or {},
                "row": n.row_no,
                "fileId": n.file_id,
                "state": n.state,
                "attempts": n.attempts,
                "lastOutcome": n.last_outcome,
                "nextAttemptAt": render.ts(n.next_attempt_at, p.time_zone),
                "collected": n.collected or [],
            }
            for n in rows
        ],
        total,
    )


@router.get("/tasks/{taskID}/statistics", response_model=TaskStatistics)
def read_task_statistics(taskID: PathId, p: PrincipalDep, s: SessionDep) -> Any:
    """Counts of numbers by outcome and, per collect question, the answers given."""
    task = repo.get_task(s, workspace_id=p.workspace_id, task_id=taskID)
    version = s.get(AssistantVersion, task.assistant_vid)
    collect = version.config["collect"] if version else []
    # kept by the dialer with each outcome: O(1) whatever the task's size
    stored = task.answer_counts or {}
    counts: dict[str, dict[str, int]] = {
        c["question"]: stored.get(c["question"], {}) for c in collect
    }
    overview = []
    for c in collect:
        per = counts[c["question"]]
        total = sum(per.values())
        results = [
            {"result": r, "total": per.get(r, 0), "percent": render.percent(per.get(r, 0), total)}
            for r in c["answers"]
        ] + [
            {"result": r, "total": n, "percent": render.percent(n, total)}
            for r, n in per.items()
            if r not in c["answers"]
        ]
        overview.append(
            {"question": c["question"], "total": total, "option": c["answers"], "results": results}
        )
    pending = max(0, task.total - task.final_num - task.calling_num)
    return {
        "totalNum": task.total,
        "pendingNum": pending,
        "callingNum": task.calling_num,
        "calledNum": task.called_num,
        "calledAnsweredNum": task.answered_num,
        "calledUnAnsweredNum": max(0, task.called_num - task.answered_num),
        "overview": overview,
    }
