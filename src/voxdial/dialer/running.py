"""What the dialer knows of running tasks: read once per tick, with their schedules
parsed once per option."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select

from voxdial.domain.attempts import collect_questions
from voxdial.domain.schedule import Schedule
from voxdial.domain.status import NumberState, TaskStatus
from voxdial.store.db import Database
from voxdial.store.models import Assistant, AssistantVersion, Task, TaskNumber, Workspace


@dataclass
class RunningTask:
    """What the dialer needs of a running task, read once per tick."""

    id: int
    workspace_id: int
    workspace_zone: str
    assistant_id: int
    assistant_vid: int
    assistant_deleted: bool
    config: dict[str, Any]
    option: dict[str, Any]
    schedule: Schedule
    total: int
    final_num: int
    calling_num: int
    retry_count: int  # attempts after the first
    retry_minutes: int  # between an attempt's end and the next
    questions: list[str]  # the assistant's `collect` questions

    @property
    def concurrency(self) -> int:
        return int(self.option.get("concurrency") or 5)


class RunningTasks:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._schedules: dict[tuple[int, str], Schedule] = {}
        task_id = bindparam("b_task")
        self._running = (
            _task_query()
            .where(Task.status == TaskStatus.RUNNING, Task.deleted_at.is_(None))
            .order_by(Task.id)
        )
        self._one_task = _task_query().where(Task.id == task_id)
        in_tasks = TaskNumber.task_id.in_(bindparam("b_tasks", expanding=True))
        pending_in = (in_tasks, TaskNumber.state == NumberState.PENDING)
        self._any_first = (
            select(TaskNumber.id).where(*pending_in, TaskNumber.next_attempt_at.is_(None)).limit(1)
        )
        self._min_due = select(func.min(TaskNumber.next_attempt_at)).where(*pending_in)

    def running(self) -> list[RunningTask]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(self._running).all()
        return [self._running_task(row) for row in rows]

    def load(self, task_id: int) -> RunningTask | None:
        """One task, whatever its status (a lease recovered after the task stopped)."""
        with self.db.engine.connect() as conn:
            row = conn.execute(self._one_task, {"b_task": task_id}).first()
        return None if row is None else self._running_task(row)

    def next_due(self, task_ids: list[int], *, now: datetime) -> datetime | None:
        """The earliest time a pending number of these tasks becomes due."""
        if not task_ids:
            return None
        params = {"b_tasks": task_ids}
        with self.db.engine.connect() as conn:
            if conn.execute(self._any_first, params).first() is not None:
                return now
            return conn.execute(self._min_due, params).scalar_one()

    def _running_task(self, t: Any) -> RunningTask:
        key = (t.id, repr(sorted(t.option.items())))
        schedule = self._schedules.get(key)
        if schedule is None:
            schedule = self._schedules[key] = Schedule.from_option(t.option)
        return RunningTask(
            id=t.id,
            workspace_id=t.workspace_id,
            workspace_zone=t.time_zone,
            assistant_id=t.assistant_id,
            assistant_vid=t.assistant_vid,
            assistant_deleted=t.deleted_at is not None,
            config=t.config,
            option=t.option,
            schedule=schedule,
            total=t.total,
            final_num=t.final_num,
            calling_num=t.calling_num,
            retry_count=int(t.option.get("retryCount") or 0),
            retry_minutes=int(t.option.get("retryInterval") or 0),
            questions=collect_questions(t.config),
        )


def _task_query():
    """What the dialer needs of a task and beside it: its pinned config, whether its
    assistant is deleted, and its workspace's time zone."""
    return (
        select(
            Task.id,
            Task.workspace_id,
            Task.assistant_id,
            Task.assistant_vid,
            Task.option,
            Task.total,
            Task.final_num,
            Task.calling_num,
            AssistantVersion.config,
            Assistant.deleted_at,
            Workspace.time_zone,
        )
        .join(AssistantVersion, AssistantVersion.id == Task.assistant_vid)
        .join(Assistant, Assistant.id == Task.assistant_id)
        .join(Workspace, Workspace.id == Task.workspace_id)
    )
