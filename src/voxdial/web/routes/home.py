"""Home: today's calls and rates, running tasks, lines and spoken sessions in use, live."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select

from voxdial.api.render import percent
from voxdial.domain.status import TaskStatus
from voxdial.store.models import Call, Task
from voxdial.web.guard import ConsoleRoute, Reader, app_state, now
from voxdial.web.pages import render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


def figures(s, *, workspace_id: int, tz: str) -> dict[str, Any]:
    local = now().astimezone(ZoneInfo(tz))
    midnight = datetime(local.year, local.month, local.day, tzinfo=ZoneInfo(tz))
    calls, answered = s.execute(
        select(func.count(), func.count(Call.answer_at)).where(
            Call.workspace_id == workspace_id,
            Call.description == "phone",
            Call.start_at >= midnight,
        )
    ).one()
    open_lines, open_sessions = s.execute(
        select(func.count(Call.task_id), func.count() - func.count(Call.task_id)).where(
            Call.workspace_id == workspace_id, Call.end_at.is_(None)
        )
    ).one()
    live = [Task.workspace_id == workspace_id, Task.deleted_at.is_(None)]
    task_answered, task_collected = s.execute(
        select(
            func.coalesce(func.sum(Task.answered_num), 0),
            func.coalesce(func.sum(Task.collected_num), 0),
        ).where(*live)
    ).one()
    running = (
        s.execute(
            select(Task).where(*live, Task.status == TaskStatus.RUNNING).order_by(Task.id.desc())
        )
        .scalars()
        .all()
    )
    return {
        "calls_today": calls,
        "answered_today": answered,
        "answer_rate": percent(answered, calls),
        "collection_rate": percent(task_collected, task_answered),
        "running": [
            {
                "id": t.id,
                "name": t.name,
                "progress": percent(t.final_num, t.total),
                "total": t.total,
                "calling": t.calling_num,
            }
            for t in running
        ],
        "lines": open_lines,
        "sessions": open_sessions,
    }


@router.get("/")
def home(request: Request, user: Reader) -> Response:
    with app_state(request).db.session() as s:
        f = figures(s, workspace_id=user.workspace_id, tz=user.time_zone)
    return render(request, "home.html", {"f": f}, user=user)


@router.get("/home/live")
def home_live(request: Request, user: Reader) -> Response:
    with app_state(request).db.session() as s:
        f = figures(s, workspace_id=user.workspace_id, tz=user.time_zone)
    return render(request, "_home_live.html", {"f": f}, user=user)
