"""Tasks: the list (filter, live), the detail (figures, charts, calls), start/stop/resume
and the results export. Reads go through the same store queries and wire rendering as
the API (`store.tasks`, `api.render`); a status change through `store.tasks.set_status`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response
from pydantic import ValidationError
from sqlalchemy import select

from voxdial.api import render as wire
from voxdial.api.routes.tasks import read_task_statistics
from voxdial.api.schemas import TaskStatusUpdate
from voxdial.domain.status import OPERATOR_TRANSITIONS, TaskStatus
from voxdial.errors import Unprocessable
from voxdial.insights.figures import read_figures
from voxdial.store import tasks as repo
from voxdial.store.models import Task, TaskReject
from voxdial.web import export
from voxdial.web.callquery import INTENTS, CallFilter, filter_choices, list_calls
from voxdial.web.guard import ConsoleRoute, Operator, Reader, app_state, principal, redirect
from voxdial.web.pages import render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
TaskId = Annotated[int, Path(ge=1, le=2**53)]
STATUSES = tuple(s.value for s in TaskStatus)
PAGE = 20


def _list(request: Request, user) -> dict[str, Any]:
    q = request.query_params
    status = q.get("status", "") if q.get("status") in STATUSES else ""
    name = q.get("name", "")[:200].replace("\x00", "")
    try:
        page = max(1, min(100_000, int(q.get("page", "1"))))
    except ValueError:
        page = 1
    where = [Task.workspace_id == user.workspace_id, Task.deleted_at.is_(None)]
    if status:
        where.append(Task.status == status)
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(Task.name.like(f"%{escaped}%", escape="\\"))
    state = app_state(request)
    with state.db.session() as s:
        total = repo.count_tasks(s, where)
        rows = s.execute(
            repo.detail_query()
            .where(*where)
            .order_by(Task.id.desc())
            .offset((page - 1) * PAGE)
            .limit(PAGE)
        ).all()
        tasks = [
            wire.task_detail(t, a, v, e, tz=user.time_zone, base_url=state.settings.base_url())
            for t, a, v, e in rows
        ]
    return {
        "tasks": tasks,
        "total": total,
        "page": page,
        "pages": max(1, (total + PAGE - 1) // PAGE),
        "status": status,
        "name": name,
        "statuses": STATUSES,
        "live": any(t["status"] == TaskStatus.RUNNING for t in tasks),
        "moves": {s.value: sorted(m.value for m in OPERATOR_TRANSITIONS[s]) for s in TaskStatus},
        "query": request.url.query,
    }


@router.get("/tasks")
def tasks_page(request: Request, user: Reader) -> Response:
    return render(request, "tasks.html", _list(request, user), user=user)


@router.get("/tasks/rows")
def tasks_rows(request: Request, user: Reader) -> Response:
    return render(request, "_tasks_rows.html", _list(request, user), user=user)


def _detail(request: Request, user, task_id: int) -> dict[str, Any]:
    state = app_state(request)
    p = principal(user)
    with state.db.session() as s:
        t, a, v, email = repo.get_detail(s, workspace_id=user.workspace_id, task_id=task_id)
        detail = wire.task_detail(
            t, a, v, email, tz=user.time_zone, base_url=state.settings.base_url()
        )
        stats = read_task_statistics(task_id, p, s)
        figures = read_figures(s, t, config=v.config, zone=user.time_zone)
        rejects = (
            s.execute(
                select(TaskReject)
                .where(TaskReject.task_id == t.id)
                .order_by(TaskReject.id)
                .limit(20)
            )
            .scalars()
            .all()
        )
        f = CallFilter.from_query(request.query_params)
        calls, calls_total = list_calls(
            s, workspace_id=user.workspace_id, tz=user.time_zone, f=f, task_id=t.id
        )
    charts = {
        "outcomes": {"labels": list(figures.outcomes), "data": list(figures.outcomes.values())},
        "intents": {"labels": list(INTENTS), "data": [figures.intents.get(i, 0) for i in INTENTS]},
        "hours": {
            "labels": [f"{h:02d}" for h in range(24)],
            "attempts": [figures.hour_attempts.get(h, 0) for h in range(24)],
            "answered": [figures.hour_answered.get(h, 0) for h in range(24)],
        },
        "answers": [
            {
                "question": o["question"],
                "labels": [r["result"] for r in o["results"]],
                "data": [r["total"] for r in o["results"]],
            }
            for o in stats["overview"]
        ],
    }
    return {
        "task": detail,
        "stats": stats,
        "charts": charts,
        "rejects": rejects,
        "calls": calls,
        "calls_total": calls_total,
        "filter": f,
        **filter_choices(),
        "moves": sorted(m.value for m in OPERATOR_TRANSITIONS[TaskStatus(detail["status"])]),
        "live": detail["status"] == TaskStatus.RUNNING,
    }


@router.get("/tasks/{task_id}")
def task_page(request: Request, user: Reader, task_id: TaskId) -> Response:
    return render(request, "task_detail.html", _detail(request, user, task_id), user=user)


@router.get("/tasks/{task_id}/live")
def task_live(request: Request, user: Reader, task_id: TaskId) -> Response:
    return render(request, "_task_live.html", _detail(request, user, task_id), user=user)


@router.get("/tasks/{task_id}/calls")
def task_calls(request: Request, user: Reader, task_id: TaskId) -> Response:
    return render(request, "_task_calls.html", _detail(request, user, task_id), user=user)


@router.post("/tasks/{task_id}/status")
def set_task_status(
    request: Request,
    user: Operator,
    task_id: TaskId,
    status: Annotated[str, Form(max_length=20)] = "",
    back: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Start, stop or resume: the API's rules (TaskStatusUpdate, store.tasks.set_status)."""
    try:
        wanted = TaskStatusUpdate(status=status).status
    except ValidationError as e:
        raise Unprocessable("status: give running or stop.operate") from e
    state = app_state(request)
    with state.db.session() as s:
        task = repo.get_task(s, workspace_id=user.workspace_id, task_id=task_id, for_update=True)
        repo.set_status(s, task=task, wanted=TaskStatus(wanted))
        s.commit()
    return redirect(request, "/tasks" if back == "list" else f"/tasks/{task_id}")


@router.get("/tasks/{task_id}/export.{fmt}")
def export_task(request: Request, user: Reader, task_id: TaskId, fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        raise Unprocessable("export: csv or xlsx")
    return export.respond(app_state(request), user, task_id=task_id, fmt=fmt)
