"""Claiming due numbers: the attempt is recorded and the call record opened before the
dial, so a crash still counts it (DESIGN.md). A claimed number is leased to this worker
until `lease_until`. On PostgreSQL the task row is locked while claiming, so the
concurrency cap holds across workers; due numbers other workers hold are skipped."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from voxdial.clock import Clock
from voxdial.dialer.bulk import CLAIM_NUMBER_KEYS, OPEN_CALL_KEYS, SqliteWrites, for_update
from voxdial.dialer.running import RunningTask
from voxdial.domain.attempts import Policy, local_day, next_day_open
from voxdial.domain.status import HangupReason, NumberState, TaskStatus
from voxdial.store.db import Database
from voxdial.store.models import BlockedNumber, Call, NumberDailyCount, Task, TaskNumber
from voxdial.store.outcomes import Values, as_params


@dataclass
class Claim:
    task_id: int
    number_id: int
    call_id: int
    session_id: str
    phone: str
    name: str
    note: str
    variables: dict[str, Any]
    attempt: int


class Claims:
    def __init__(
        self,
        db: Database,
        *,
        worker_id: str,
        generation: int,
        policy: Policy,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        self.worker_id = worker_id
        self.generation = generation
        self.policy = policy
        self.clock = clock  # when set, claims stamp the time read after the task lock
        self.is_pg = db.engine.dialect.name == "postgresql"
        self._insert = (postgresql if self.is_pg else sqlite).insert
        self._values = Values(db.engine.dialect)
        self._sqlite_writes: SqliteWrites | None = None
        self._build_statements()

    def _build_statements(self) -> None:
        """Statements built once and run with executemany: building SQLAlchemy
        expressions per call costs more than the database work."""
        tn, calls, pg = TaskNumber.__table__, Call.__table__, self.is_pg
        task_id = bindparam("b_task")
        # session ids are unique and made here: they tell which id each new row got
        self._insert_calls = self._insert(calls).returning(calls.c.session_id, calls.c.id)
        self._claim_numbers = (
            update(tn)
            .where(tn.c.id == bindparam("b_id"))
            .values(
                state=NumberState.CALLING,
                attempts=bindparam("b_attempts"),
                last_attempt_at=bindparam("b_now"),
                worker_id=bindparam("b_worker"),
                worker_generation=bindparam("b_generation"),
                lease_until=bindparam("b_lease"),
                last_call_id=bindparam("b_call"),
            )
        )
        self._lock_for_claim = for_update(
            select(Task.calling_num, Task.status, Task.consecutive_failures).where(
                Task.id == task_id
            ),
            pg,
        )
        numbers = (
            TaskNumber.id,
            TaskNumber.phone,
            TaskNumber.name,
            TaskNumber.note,
            TaskNumber.variables,
            TaskNumber.attempts,
        )
        pending = (TaskNumber.task_id == task_id, TaskNumber.state == NumberState.PENDING)
        # First attempts (no due time yet) before any retry, then retries oldest due first.
        self._due_first = for_update(
            select(*numbers)
            .where(*pending, TaskNumber.next_attempt_at.is_(None))
            .order_by(TaskNumber.id)
            .limit(bindparam("b_limit")),
            pg,
            skip_locked=True,
        )
        self._due_retry = for_update(
            select(*numbers)
            .where(*pending, TaskNumber.next_attempt_at <= bindparam("b_now"))
            .order_by(TaskNumber.next_attempt_at, TaskNumber.attempts, TaskNumber.id)
            .limit(bindparam("b_limit")),
            pg,
            skip_locked=True,
        )
        self._blocked_phones = select(BlockedNumber.phone).where(
            BlockedNumber.workspace_id == bindparam("b_ws"),
            BlockedNumber.phone.in_(bindparam("b_phones", expanding=True)),
        )
        self._add_calling = (
            update(Task)
            .where(Task.id == task_id)
            .values(calling_num=Task.calling_num + bindparam("b_n"))
        )
        daily = NumberDailyCount.__table__
        upsert = self._insert(daily).values(
            workspace_id=bindparam("b_ws"),
            phone=bindparam("b_phone"),
            day=bindparam("b_day"),
            count=1,
        )
        self._count_daily = upsert.on_conflict_do_update(
            index_elements=["workspace_id", "phone", "day"],
            set_={"count": daily.c.count + 1},
            where=daily.c.count < bindparam("b_cap"),
        ).returning(daily.c.count)

    def claim(self, task: RunningTask, *, now: datetime, limit: int) -> list[Claim]:
        """Take up to `limit` due numbers of `task` (fewer if the task's concurrency is
        used up), record their attempts and open their call records."""
        if limit <= 0:
            return []
        with self.db.session() as s, s.begin():
            conn = s.connection()
            row = conn.execute(self._lock_for_claim, {"b_task": task.id}).first()
            if row is None or row.status != TaskStatus.RUNNING:
                return []
            if self.policy.breaker_tripped(row.consecutive_failures):
                return []  # the breaker tripped: settle() stops the task, claim nothing
            if self.clock is not None:
                # Another worker may have ended calls while we waited for the lock: the
                # attempt starts now, after those ends, and only inside a window.
                now = max(now, self.clock.now())
                if not task.schedule.is_open(now):
                    return []
            limit = min(limit, task.concurrency - row.calling_num)
            if limit <= 0:
                return []
            candidates = self._due(conn, task.id, now, limit)
            if not candidates:
                return []
            blocked = self._blocked(conn, task.workspace_id, [c.phone for c in candidates])
            day = local_day(now, ZoneInfo(task.workspace_zone))
            to_dial, deferred, blocked_rows = [], [], []
            for n in candidates:
                if n.phone in blocked:
                    blocked_rows.append(n)
                elif not self._count_today(conn, task.workspace_id, n.phone, day):
                    deferred.append(n.id)
                else:
                    to_dial.append(n)
            if deferred:
                self._defer_to_tomorrow(s, task, deferred, now)
            if blocked_rows:
                self._close_blocked(s, task, blocked_rows, now)
            claims = self._open_calls(conn, task, to_dial, now) if to_dial else []
            if claims:
                conn.execute(self._add_calling, {"b_task": task.id, "b_n": len(claims)})
        return claims

    def _due(self, conn: Connection, task_id: int, now: datetime, limit: int) -> list[Any]:
        rows = list(conn.execute(self._due_first, {"b_task": task_id, "b_limit": limit}).all())
        if len(rows) < limit:
            params = {"b_task": task_id, "b_now": now, "b_limit": limit - len(rows)}
            rows.extend(conn.execute(self._due_retry, params).all())
        return rows

    def _blocked(self, conn: Connection, workspace_id: int, phones: list[str]) -> set[str]:
        params = {"b_ws": workspace_id, "b_phones": phones}
        return set(conn.execute(self._blocked_phones, params).scalars())

    def _count_today(self, conn: Connection, workspace_id: int, phone: str, day: str) -> bool:
        """Count one attempt against the number's daily cap; False if the cap is reached."""
        cap = self.policy.daily_cap
        if cap <= 0:
            return True
        params = {"b_ws": workspace_id, "b_phone": phone, "b_day": day, "b_cap": cap}
        return conn.execute(self._count_daily, params).first() is not None

    def _defer_to_tomorrow(
        self, s: Session, task: RunningTask, ids: list[int], now: datetime
    ) -> None:
        at = next_day_open(now, zone=ZoneInfo(task.workspace_zone), schedule=task.schedule)
        s.execute(update(TaskNumber).where(TaskNumber.id.in_(ids)).values(next_attempt_at=at))

    def _open_calls(
        self, conn: Connection, task: RunningTask, rows: list[Any], now: datetime
    ) -> list[Claim]:
        stamp = self._values.time
        start = stamp(now)
        caller, worker, generation = self.policy.caller_id, self.worker_id, self.generation
        ws, task_id, aid, avid = task.workspace_id, task.id, task.assistant_id, task.assistant_vid
        opened = [
            # OPEN_CALL_KEYS
            (
                new_session_id(),
                ws,
                task_id,
                n.id,
                n.phone,
                caller,
                "outbound",
                "phone",
                start,
                aid,
                avid,
                n.attempts + 1,
                worker,
                0,
                0,
                0,
                "",
                0,
                "",
            )
            for n in rows
        ]
        lease = stamp(now + timedelta(seconds=self.policy.lease_seconds))
        if self.is_pg:
            ids = dict(conn.execute(self._insert_calls, as_params(OPEN_CALL_KEYS, opened)).all())
            call_ids = [ids[row[0]] for row in opened]
            claimed = [
                (n.attempts + 1, start, worker, generation, lease, cid, n.id)  # CLAIM_NUMBER_KEYS
                for n, cid in zip(rows, call_ids, strict=True)
            ]
            conn.execute(self._claim_numbers, as_params(CLAIM_NUMBER_KEYS, claimed))
        else:
            sql = self._sqlite(conn)
            cur = conn.connection.cursor()
            try:
                ids = dict(sql.open_calls.returning(cur, opened))
                call_ids = [ids[row[0]] for row in opened]
                cur.executemany(
                    sql.claim_numbers,
                    [
                        (n.attempts + 1, start, worker, generation, lease, cid, n.id)
                        for n, cid in zip(rows, call_ids, strict=True)
                    ],
                )
            finally:
                cur.close()
        return [
            Claim(
                task_id=task_id,
                number_id=n.id,
                call_id=cid,
                session_id=row[0],
                phone=n.phone,
                name=n.name,
                note=n.note,
                variables=n.variables or {},
                attempt=n.attempts + 1,
            )
            for n, cid, row in zip(rows, call_ids, opened, strict=True)
        ]

    def _sqlite(self, conn: Any) -> SqliteWrites:
        if self._sqlite_writes is None:
            self._sqlite_writes = SqliteWrites(conn.connection.driver_connection)
        return self._sqlite_writes

    def _close_blocked(self, s: Session, task: RunningTask, rows: list[Any], now: datetime) -> None:
        """A number the callee blocked since the task started: closed without a dial."""
        for n in rows:
            s.execute(
                self._insert(Call).values(
                    session_id=new_session_id(),
                    workspace_id=task.workspace_id,
                    task_id=task.id,
                    task_number_id=n.id,
                    callee=n.phone,
                    caller=self.policy.caller_id,
                    direction="outbound",
                    description="phone",
                    start_at=now,
                    end_at=now,
                    hangup_reason=HangupReason.BLOCKED,
                    hangup_side="system",
                    assistant_id=task.assistant_id,
                    assistant_vid=task.assistant_vid,
                    attempt=n.attempts,
                    duration=0,
                    billsec=0,
                    ring_time=0,
                    record_file="",
                    rounds=0,
                    summary="",
                )
            )
        s.execute(
            update(TaskNumber)
            .where(TaskNumber.id.in_([n.id for n in rows]))
            .values(state=NumberState.DONE, last_outcome=HangupReason.BLOCKED, next_attempt_at=None)
        )
        s.execute(
            update(Task).where(Task.id == task.id).values(final_num=Task.final_num + len(rows))
        )


def new_session_id() -> str:
    """A call's session id: a UUID version 7 (RFC 9562) in hex, 32 characters as
    uuid4().hex was. The first 48 bits are the Unix time in milliseconds and 74 are
    random, so new calls' rows land at the end of the calls' unique session id index,
    not each on a random page of it that the claiming transaction then rewrites."""
    rand = int.from_bytes(os.urandom(10), "big")
    value = (
        (time.time_ns() // 1_000_000 & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76  # version
        | (rand >> 62 & 0xFFF) << 64
        | 0b10 << 62  # variant
        | rand & (1 << 62) - 1
    )
    return f"{value:032x}"
