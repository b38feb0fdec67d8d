"""The dialer's database work, one part per idea: reading running tasks (running.py),
claiming due numbers (claims.py), recording finished calls (finishing.py), leases
(leases.py), and here the task's end states and its insight.

Rules (DESIGN.md): the attempt is recorded before the dial (a crash still counts it);
a number in flight is leased to one worker until `lease_until`; a call whose worker was
lost is closed as interrupted, at once by that worker when it starts again under its
name, or by whichever worker notices once the lease expired, and dialled again without
using up a retry. Task counters change in the same transaction as the outcomes, by increments,
so a task read stays O(1) and exact. On PostgreSQL the task row is locked while
claiming, so the concurrency cap holds across workers. What an outcome means for the
number and the task is the attempt policy's (domain/attempts.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update

from voxdial.clock import Clock
from voxdial.dialer.bulk import for_update
from voxdial.dialer.claims import Claim, Claims
from voxdial.dialer.finishing import EventHook, Finished, Finishing
from voxdial.dialer.leases import Leases
from voxdial.dialer.running import RunningTask, RunningTasks
from voxdial.domain.attempts import Policy, task_end
from voxdial.domain.language import language_of
from voxdial.domain.status import TaskStatus
from voxdial.insights.figures import read_figures
from voxdial.insights.writer import write as write_insight
from voxdial.store.db import Database
from voxdial.store.models import Task

__all__ = ["Claim", "DialerRecords", "EventHook", "Finished", "Policy", "RunningTask"]


class DialerRecords:
    def __init__(
        self,
        db: Database,
        *,
        worker_id: str,
        generation: int = 1,
        policy: Policy,
        on_event: EventHook | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        self.worker_id = worker_id
        self.policy = policy
        self.on_event = on_event
        self.tasks = RunningTasks(db)
        self.claims = Claims(
            db, worker_id=worker_id, generation=generation, policy=policy, clock=clock
        )
        self.finishing = Finishing(db, on_event=on_event)
        self.leases = Leases(
            db,
            worker_id=worker_id,
            generation=generation,
            policy=policy,
            finishing=self.finishing,
            tasks=self.tasks,
        )
        pg = db.engine.dialect.name == "postgresql"
        task_id = bindparam("b_task")
        self._settle_state = for_update(
            select(
                Task.status, Task.consecutive_failures, Task.final_num, Task.total, Task.calling_num
            ).where(Task.id == task_id),
            pg,
        )
        self._settle_row = select(Task).where(Task.id == task_id)

    # -- the parts -----------------------------------------------------------------

    def running_tasks(self) -> list[RunningTask]:
        return self.tasks.running()

    def load_task(self, task_id: int) -> RunningTask | None:
        """One task, whatever its status (raises when its stored row cannot be read)."""
        return self.tasks.load(task_id)

    def next_due(self, task_ids: list[int], *, now: datetime) -> datetime | None:
        return self.tasks.next_due(task_ids, now=now)

    def claim(self, task: RunningTask, *, now: datetime, limit: int) -> list[Claim]:
        return self.claims.claim(task, now=now, limit=limit)

    def finish(self, done: list[Finished], tasks: dict[int, RunningTask], *, now: datetime) -> int:
        return self.finishing.finish(done, tasks, now=now)

    def renew_leases(self, *, now: datetime) -> None:
        self.leases.renew(now=now)

    def recover_expired(self, *, now: datetime, tasks_by_id: dict[int, RunningTask]) -> int:
        return self.leases.recover_expired(now=now, tasks_by_id=tasks_by_id)

    def release_own(self, *, now: datetime, tasks_by_id: dict[int, RunningTask]) -> int:
        return self.leases.release_own(now=now, tasks_by_id=tasks_by_id)

    # -- task end states -----------------------------------------------------------

    def settle(self, task: RunningTask, *, now: datetime) -> str | None:
        """Move a running task to done / stop.timeout / stop.abnormal when due.
        Returns the new status, if any."""
        with self.db.session() as s, s.begin():
            # The few columns first (locked on PostgreSQL); the ORM row only to change it.
            t = s.connection().execute(self._settle_state, {"b_task": task.id}).one()
            if t.status != TaskStatus.RUNNING:
                return None
            end = task_end(
                consecutive_failures=t.consecutive_failures,
                assistant_deleted=task.assistant_deleted,
                final_num=t.final_num,
                total=t.total,
                calling_num=t.calling_num,
                schedule=task.schedule,
                now=now,
                policy=self.policy,
            )
            if end is None:
                return None
            row = s.execute(self._settle_row, {"b_task": task.id}).scalar_one()
            row.status = end.status
            row.stop_reason = end.reason
            row.ended_at = now
            row.updated_at = now
            if self.on_event is not None:
                self.on_event(s, "task.settled", {"task": task, "row": row, "now": now})
        return end.status

    # -- insight ------------------------------------------------------------------

    def refresh_insight(self, task: RunningTask) -> None:
        """Rewrite the task's summary and suggestion from its figures."""
        with self.db.session() as s, s.begin():
            t = s.get(Task, task.id)
            if t is None:
                return
            figures = read_figures(s, t, config=task.config, zone=task.schedule.zone.key)
            summary, suggestion = write_insight(figures, language=language_of(task.config))
            s.execute(
                update(Task)
                .where(Task.id == task.id)
                .values(summary=summary, suggestion=suggestion)
            )
