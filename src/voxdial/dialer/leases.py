"""Leases: a number in flight belongs to one worker until its `lease_until`. A live
worker renews its leases; a lease that expires (its worker died) is closed as a failed
attempt by whichever worker notices, and the number goes back to the attempt policy,
which retries it if it allows."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from voxdial.conversation.calls import CallResult
from voxdial.dialer.claims import Claim
from voxdial.dialer.finishing import Finished, Finishing
from voxdial.dialer.running import RunningTask, RunningTasks
from voxdial.domain.attempts import Policy
from voxdial.domain.status import HangupReason, NumberState
from voxdial.store.db import Database
from voxdial.store.models import Call, TaskNumber

RECOVER_BATCH = 1000  # expired leases closed per pass


class Leases:
    def __init__(
        self,
        db: Database,
        *,
        worker_id: str,
        policy: Policy,
        finishing: Finishing,
        tasks: RunningTasks,
    ) -> None:
        self.db = db
        self.worker_id = worker_id
        self.policy = policy
        self.finishing = finishing
        self.tasks = tasks

    def renew(self, *, now: datetime) -> None:
        """Extend the leases of every number this worker has in flight."""
        with self.db.session() as s, s.begin():
            s.execute(
                update(TaskNumber)
                .where(
                    TaskNumber.worker_id == self.worker_id, TaskNumber.state == NumberState.CALLING
                )
                .values(lease_until=now + timedelta(seconds=self.policy.lease_seconds))
            )

    def recover_expired(self, *, now: datetime, tasks_by_id: dict[int, RunningTask]) -> int:
        """Close attempts whose lease expired (their worker died) as failed, and give
        the numbers back to the policy. Returns how many were recovered."""
        with self.db.session() as s:
            stuck = s.execute(
                select(
                    TaskNumber.id,
                    TaskNumber.task_id,
                    TaskNumber.last_call_id,
                    TaskNumber.attempts,
                    TaskNumber.phone,
                    Call.session_id,
                    Call.start_at,
                )
                .join(Call, Call.id == TaskNumber.last_call_id)
                .where(TaskNumber.state == NumberState.CALLING, TaskNumber.lease_until < now)
                .limit(RECOVER_BATCH)
            ).all()
        if not stuck:
            return 0
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
            result = CallResult(
                HangupReason.FAILED,
                row.start_at,
                None,
                now,
                "system",
                extra={"error": "worker lost during the call"},
            )
            done.append(Finished(claim, result, recovered=True))
        return self.finishing.finish(done, tasks_by_id, now=now)
