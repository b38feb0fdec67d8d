"""Leases: a number in flight belongs to one worker until its `lease_until`. A lease
names its worker (a name that a restarted worker keeps, dialer/identity.py) and the start
of it that claimed the number (its generation). A live worker renews the leases of its
own start only, so an earlier start's lease it failed to release still expires.

A call whose worker was lost is closed as interrupted and the number goes back to the
attempt policy, which dials it again without using up a retry or a daily attempt:
- at once by the worker itself when it starts again under the same name: the numbers
  its earlier starts held cannot be in flight any more (one process holds a name on a
  machine at a time);
- by whichever worker notices, once the lease expired: the leases of other names wait
  out their time, as their worker may be alive on another machine.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from voxdial.conversation.calls import CallResult
from voxdial.dialer.claims import Claim
from voxdial.dialer.finishing import Finished, Finishing
from voxdial.dialer.running import RunningTask, RunningTasks
from voxdial.domain.attempts import Policy
from voxdial.domain.status import HangupReason, NumberState
from voxdial.store.db import Database
from voxdial.store.models import Call, TaskNumber

RECOVER_BATCH = 1000  # lost calls closed per pass
LOST = "worker lost during the call"  # the closed call's extra["error"]


class Leases:
    def __init__(
        self,
        db: Database,
        *,
        worker_id: str,
        generation: int,
        policy: Policy,
        finishing: Finishing,
        tasks: RunningTasks,
    ) -> None:
        self.db = db
        self.worker_id = worker_id
        self.generation = generation
        self.policy = policy
        self.finishing = finishing
        self.tasks = tasks
        self._stuck = (
            select(
                TaskNumber.id,
                TaskNumber.task_id,
                TaskNumber.last_call_id,
                TaskNumber.attempts,
                TaskNumber.phone,
                TaskNumber.lease_until,
                Call.session_id,
                Call.start_at,
            )
            .join(Call, Call.id == TaskNumber.last_call_id)
            .where(TaskNumber.state == NumberState.CALLING)
            .limit(RECOVER_BATCH)
        )

    def renew(self, *, now: datetime) -> None:
        """Extend the leases of every number this worker's start has in flight."""
        with self.db.session() as s, s.begin():
            s.execute(
                update(TaskNumber)
                .where(
                    TaskNumber.worker_id == self.worker_id,
                    TaskNumber.worker_generation == self.generation,
                    TaskNumber.state == NumberState.CALLING,
                )
                .values(lease_until=now + timedelta(seconds=self.policy.lease_seconds))
            )

    def release_own(self, *, now: datetime, tasks_by_id: dict[int, RunningTask]) -> int:
        """At a worker's start, before its first claim: close the calls its earlier
        starts had in flight as interrupted, whatever their leases say. Every lease of
        the name is theirs then, whatever generation it names (one that a lost state
        file repeated included). Returns how many."""
        query = self._stuck.where(TaskNumber.worker_id == self.worker_id)
        released = 0
        while True:
            n = self._close(query, "restart", now=now, tasks_by_id=tasks_by_id)
            released += n
            if n < RECOVER_BATCH:
                return released

    def recover_expired(self, *, now: datetime, tasks_by_id: dict[int, RunningTask]) -> int:
        """Close the calls whose lease expired (their worker died) as interrupted.
        Returns how many were recovered."""
        query = self._stuck.where(TaskNumber.lease_until < now)
        return self._close(query, "lease expired", now=now, tasks_by_id=tasks_by_id)

    def _close(
        self, query: Any, how: str, *, now: datetime, tasks_by_id: dict[int, RunningTask]
    ) -> int:
        with self.db.session() as s:
            stuck = s.execute(query).all()
        if not stuck:
            return 0
        lease = timedelta(seconds=self.policy.lease_seconds)
        done = []
        for row in stuck:
            task = tasks_by_id.get(row.task_id) or self.tasks.load(row.task_id)
            if task is None:
                continue
            tasks_by_id[task.id] = task
            claim = Claim(
                task_id=row.task_id,
                number_id=row.id,
                call_id=row.last_call_id,
                session_id=row.session_id,
                phone=row.phone,
                name="",
                note="",
                variables={},
                attempt=row.attempts,
            )
            # The call ended at the latest when its worker was last known alive: when it
            # last set the lease (a lease renewed with the worker's lease time).
            seen = row.lease_until - lease if row.lease_until is not None else now
            ended = min(now, max(row.start_at, seen))
            result = CallResult(
                HangupReason.INTERRUPTED,
                row.start_at,
                None,
                ended,
                "system",
                extra={"error": LOST, "recovery": how},
            )
            done.append(Finished(claim, result, recovered=True))
        return self.finishing.finish(done, tasks_by_id, now=now)
