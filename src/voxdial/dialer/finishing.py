"""Recording finished calls, a batch in one transaction: each number settles by the
attempt policy (domain/attempts.py), each call record closes through the outcome
writer (store/outcomes.py), and the tasks' counters change by increments in the same
transaction, so a task read stays O(1) and exact. A call whose number was recovered
from it (its lease expired) is dropped. A call its worker lost (interrupted) gives its
attempt back to the number's daily cap, as the policy decides."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from voxdial.conversation.analysis import analyse_call
from voxdial.conversation.calls import CallResult
from voxdial.dialer.bulk import SETTLE_NUMBER_KEYS, SqliteWrites, for_update
from voxdial.dialer.claims import Claim
from voxdial.dialer.running import RunningTask
from voxdial.domain.attempts import (
    Attempt,
    Held,
    TaskDelta,
    conversation_facts,
    decide,
    local_day,
)
from voxdial.domain.status import HangupReason, NumberState
from voxdial.store.db import Database
from voxdial.store.models import Assistant, BlockedNumber, NumberDailyCount, Task, TaskNumber
from voxdial.store.outcomes import CallOutcome, OutcomeWriter, as_params, collect_rows

# A hook the webhooks part plugs in: (session, event, data).
EventHook = Callable[[Session, str, dict[str, Any]], None]


@dataclass
class Finished:
    claim: Claim
    result: CallResult
    recovered: bool = False  # closed by lease recovery: not the carrier's failure
    analysis: list[dict[str, str]] = field(default_factory=list)  # set when recorded


class Finishing:
    def __init__(self, db: Database, *, on_event: EventHook | None = None) -> None:
        self.db = db
        self.on_event = on_event
        self.is_pg = db.engine.dialect.name == "postgresql"
        self._insert = (postgresql if self.is_pg else sqlite).insert
        self._writer = OutcomeWriter(db.engine.dialect)
        self._sqlite_writes: SqliteWrites | None = None
        self._build_statements()

    def _build_statements(self) -> None:
        tn, pg = TaskNumber.__table__, self.is_pg
        task_id = bindparam("b_task")
        self._settle_numbers = (
            update(tn)
            .where(tn.c.id == bindparam("b_id"))
            .values(
                state=bindparam("b_state"),
                next_attempt_at=bindparam("b_next"),
                last_outcome=bindparam("b_outcome"),
                worker_id=None,
                worker_generation=None,
                lease_until=None,
                collected=bindparam("b_collected", type_=tn.c.collected.type),
                callbacks=bindparam("b_callbacks"),
                interrupted=bindparam("b_interrupted"),
            )
        )
        daily = NumberDailyCount.__table__
        self._refund_daily = (
            update(daily)
            .where(
                daily.c.workspace_id == bindparam("b_ws"),
                daily.c.phone == bindparam("b_phone"),
                daily.c.day == bindparam("b_day"),
                daily.c.count > 0,
            )
            .values(count=daily.c.count - 1)
        )
        self._insert_blocks = self._insert(BlockedNumber.__table__).on_conflict_do_nothing()
        self._held = for_update(
            select(
                TaskNumber.id,
                TaskNumber.last_call_id,
                TaskNumber.last_outcome,
                TaskNumber.callbacks,
                TaskNumber.collected,
                TaskNumber.interrupted,
            ).where(
                TaskNumber.id.in_(bindparam("b_ids", expanding=True)),
                TaskNumber.state == NumberState.CALLING,
            ),
            pg,
        )
        self._answer_counts = for_update(select(Task.answer_counts).where(Task.id == task_id), pg)
        self._task_deltas = {
            (streak, answers): update(Task)
            .where(Task.id == task_id)
            .values(
                final_num=Task.final_num + bindparam("b_final"),
                calling_num=Task.calling_num + bindparam("b_calling"),
                called_num=Task.called_num + bindparam("b_called"),
                answered_num=Task.answered_num + bindparam("b_answered"),
                collected_num=Task.collected_num + bindparam("b_collected"),
                updated_at=bindparam("b_now"),
                consecutive_failures=bindparam("b_streak")
                if streak
                else Task.consecutive_failures + bindparam("b_failures"),
                **({"answer_counts": bindparam("b_counts")} if answers else {}),
            )
            for streak in (False, True)
            for answers in (False, True)
        }
        self._add_usage = (
            update(Assistant)
            .where(Assistant.id == bindparam("b_assistant"))
            .values(usage_count=Assistant.usage_count + bindparam("b_n"))
        )

    def finish(self, done: list[Finished], tasks: dict[int, RunningTask], *, now: datetime) -> int:
        """Record outcomes of finished calls, in one transaction. Returns how many were
        recorded (a call whose lease was lost to recovery is dropped)."""
        if not done:
            return 0
        with self.db.session() as s, s.begin():
            conn = s.connection()
            held = self._still_held(conn, done)
            kept = [
                item
                for item in done
                if item.claim.number_id in held
                and held[item.claim.number_id][0] == item.claim.call_id
            ]
            if not kept:
                return 0
            deltas: dict[int, TaskDelta] = defaultdict(TaskDelta)
            numbers, outcomes, refunds = [], [], []
            for item in kept:
                task = tasks[item.claim.task_id]
                before = held[item.claim.number_id][1]
                number, outcome, refund = self._settle(task, item, before, deltas[task.id])
                numbers.append(number)
                outcomes.append(outcome)
                if refund:
                    refunds.append(self._daily_slot(task, item))
            if self.is_pg:
                conn.execute(self._settle_numbers, as_params(SETTLE_NUMBER_KEYS, numbers))
            else:
                cur = conn.connection.cursor()
                try:
                    cur.executemany(self._sqlite(conn).settle_numbers, numbers)
                finally:
                    cur.close()
            self._writer.write(conn, outcomes)
            if refunds:
                conn.execute(self._refund_daily, refunds)
            for task_id, d in deltas.items():
                self._apply_delta(conn, tasks[task_id], d, now)
            if self.on_event is not None:
                for item, outcome in zip(kept, outcomes, strict=True):
                    self.on_event(
                        s,
                        "call.finished",
                        {
                            "task": tasks[item.claim.task_id],
                            "claim": item.claim,
                            "result": item.result,
                            "collect": outcome.collect,
                            "now": now,
                        },
                    )
        return len(kept)

    def _still_held(self, conn: Connection, done: list[Finished]) -> dict[int, tuple[int, Held]]:
        """The numbers still in flight under these calls (a lease that expired and was
        recovered elsewhere is not): their current call, and what earlier calls left."""
        ids = [item.claim.number_id for item in done]
        held: dict[int, tuple[int, Held]] = {}
        for i in range(0, len(ids), 900):
            for row in conn.execute(self._held, {"b_ids": ids[i : i + 900]}):
                held[row.id] = (
                    row.last_call_id,
                    Held(row.last_outcome, row.callbacks, row.collected or [], row.interrupted),
                )
        return held

    def _settle(
        self, task: RunningTask, item: Finished, before: Held, d: TaskDelta
    ) -> tuple[tuple[Any, ...], CallOutcome, bool]:
        """The number's row (SETTLE_NUMBER_KEYS), the call's outcome and whether its
        attempt goes back to the number's daily cap; adds the call to the task's delta."""
        c, r = item.claim, item.result
        values = self._writer.values
        questions = task.questions
        collect = collect_rows(r.collected)
        attempt = Attempt(
            outcome=HangupReason(r.outcome),
            attempt=c.attempt,
            ended_at=r.ended_at,
            phone=c.phone,
            collect=collect,
            callback=r.callback,
            callback_at=r.callback_at,
            block=r.block,
            recovered=item.recovered,
        )
        decision = decide(
            attempt,
            before=before,
            schedule=task.schedule,
            retry_count=task.retry_count,
            retry_minutes=task.retry_minutes,
        )
        d.count(attempt, decision, before=before, questions=questions)
        analysis = analyse_call(task.config, r)
        item.analysis = analysis.items
        outcome = CallOutcome(
            call_id=c.call_id,
            session_id=c.session_id,
            result=r,
            analysis=analysis,
            facts=conversation_facts(r, questions=questions, callback_at=decision.next_at),
            collect=collect,
        )
        number = (
            decision.state,
            values.time(decision.next_at),
            attempt.outcome,
            values.json(decision.collected or None),
            decision.callbacks,
            decision.interrupted,
            c.number_id,
        )
        return number, outcome, decision.refund_daily

    @staticmethod
    def _daily_slot(task: RunningTask, item: Finished) -> dict[str, Any]:
        """The daily count a claim added to (claims.py: the day the call started)."""
        day = local_day(item.result.started_at, ZoneInfo(task.workspace_zone))
        return {"b_ws": task.workspace_id, "b_phone": item.claim.phone, "b_day": day}

    def _sqlite(self, conn: Any) -> SqliteWrites:
        if self._sqlite_writes is None:
            self._sqlite_writes = SqliteWrites(conn.connection.driver_connection)
        return self._sqlite_writes

    def _apply_delta(
        self, conn: Connection, task: RunningTask, d: TaskDelta, now: datetime
    ) -> None:
        if d.blocks:
            conn.execute(
                self._insert_blocks,
                [
                    {
                        "workspace_id": task.workspace_id,
                        "phone": phone,
                        "reason": "the callee asked not to be called again",
                        "created_at": now,
                    }
                    for phone in sorted(set(d.blocks))
                ],
            )
        params: dict[str, Any] = {
            "b_task": task.id,
            "b_final": d.final,
            "b_calling": d.calling,
            "b_called": d.called,
            "b_answered": d.answered,
            "b_collected": d.collected,
            "b_now": now,
            "b_streak": d.failures_streak,
            "b_failures": d.failures_added,
        }
        if d.answers:
            stored = conn.execute(self._answer_counts, {"b_task": task.id}).scalar_one()
            params["b_counts"] = d.answer_counts(stored)
        statement = self._task_deltas[(d.failures_streak is not None, bool(d.answers))]
        conn.execute(statement, params)
        if d.answered_calls:
            conn.execute(
                self._add_usage, {"b_assistant": task.assistant_id, "b_n": d.answered_calls}
            )
