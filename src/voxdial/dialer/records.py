"""The dialer's database work: claim due numbers, record outcomes, recover leases.

Rules (DESIGN.md): the attempt is recorded before the dial (a crash still counts it);
a number in flight is leased to one worker until `lease_until`; a lease that expires is
closed as a failed attempt by whichever worker notices, and retried if the policy
allows. Task counters change in the same transaction as the outcomes, by increments,
so a task read stays O(1) and exact. On PostgreSQL the task row is locked while
claiming, so the concurrency cap holds across workers.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from voxdial.conversation.calls import CallResult
from voxdial.dialer.bulk import (
    CLAIM_NUMBER_KEYS,
    CLOSE_CALL_KEYS,
    OPEN_CALL_KEYS,
    SETTLE_NUMBER_KEYS,
    TRACE_KEYS,
    SqliteWrites,
    Values,
    as_params,
)
from voxdial.domain.language import language_of
from voxdial.domain.outcomes import CARRIER_FAILURES, is_final
from voxdial.domain.schedule import Schedule
from voxdial.domain.status import HangupReason, NumberState, TaskStatus
from voxdial.insights.figures import read_figures
from voxdial.insights.writer import write as write_insight
from voxdial.store.calls import analyse_call
from voxdial.store.db import Database
from voxdial.store.models import (
    Assistant,
    AssistantVersion,
    BlockedNumber,
    Call,
    CallTrace,
    NumberDailyCount,
    Task,
    TaskNumber,
    Workspace,
)


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

    @property
    def concurrency(self) -> int:
        return int(self.option.get("concurrency") or 5)


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


@dataclass
class Finished:
    claim: Claim
    result: CallResult
    recovered: bool = False  # closed by lease recovery: not the carrier's failure
    analysis: list[dict[str, str]] = field(default_factory=list)  # set when recorded


MAX_CALLBACKS = 2  # "call me later" honoured this many times per number
CALLBACK_DEFAULT_DELAY = timedelta(hours=2)  # when the callee names no time
CALLBACK_MIN_DELAY = timedelta(minutes=5)


@dataclass
class Held:
    """A number in flight, as the finishing transaction found it."""

    call_id: int
    last_outcome: str | None
    callbacks: int
    collected: list[dict[str, Any]]


@dataclass
class Policy:
    lease_seconds: float = 300.0
    daily_cap: int = 3  # attempts per number per local day across the workspace; 0: off
    breaker_threshold: int = 20  # consecutive carrier failures that stop a task
    caller_id: str = ""


# A hook the webhooks part plugs in: (session, event, workspace_id, data builder args).
EventHook = Callable[[Session, str, dict[str, Any]], None]


@dataclass
class TaskDelta:
    final: int = 0
    calling: int = 0
    called: int = 0
    answered: int = 0
    collected: int = 0
    answers: dict[str, dict[str, int]] = field(default_factory=dict)
    # The failure streak after this batch: None while the batch has only failures (they
    # add `failures_added` to the stored streak), a number once any call went through.
    failures_streak: int | None = None
    failures_added: int = 0
    blocks: list[str] = field(default_factory=list)
    answered_calls: int = 0


class DialerRecords:
    def __init__(
        self, db: Database, *, worker_id: str, policy: Policy, on_event: EventHook | None = None
    ) -> None:
        self.db = db
        self.worker_id = worker_id
        self.policy = policy
        self.on_event = on_event
        self.is_pg = db.engine.dialect.name == "postgresql"
        self._insert = (postgresql if self.is_pg else sqlite).insert
        self._schedules: dict[tuple[int, str], Schedule] = {}
        self.clock: Any = None  # when set, claims stamp the time read after the task lock
        self._values = Values(db.engine.dialect)
        self._sqlite_writes: SqliteWrites | None = None
        self._build_statements()

    def _build_statements(self) -> None:
        """Statements built once and run with executemany: building SQLAlchemy
        expressions per call costs more than the database work."""
        tn, calls = TaskNumber.__table__, Call.__table__
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
                lease_until=bindparam("b_lease"),
                last_call_id=bindparam("b_call"),
            )
        )
        self._settle_numbers = (
            update(tn)
            .where(tn.c.id == bindparam("b_id"))
            .values(
                state=bindparam("b_state"),
                next_attempt_at=bindparam("b_next"),
                last_outcome=bindparam("b_outcome"),
                worker_id=None,
                lease_until=None,
                collected=bindparam("b_collected", type_=tn.c.collected.type),
                callbacks=bindparam("b_callbacks"),
            )
        )
        self._close_calls = (
            update(calls)
            .where(calls.c.id == bindparam("b_id"))
            .values(
                answer_at=bindparam("b_answer"),
                end_at=bindparam("b_end"),
                hangup_reason=bindparam("b_reason"),
                hangup_side=bindparam("b_side"),
                ring_time=bindparam("b_ring"),
                billsec=bindparam("b_billsec"),
                duration=bindparam("b_duration"),
                rounds=bindparam("b_rounds"),
                collect=bindparam("b_collect", type_=calls.c.collect.type),
                extra=bindparam("b_extra", type_=calls.c.extra.type),
                intent_level=bindparam("b_intent"),
                summary=bindparam("b_summary"),
                record_file=bindparam("b_record"),
            )
        )
        self._insert_traces = CallTrace.__table__.insert()
        self._insert_blocks = self._insert(BlockedNumber.__table__).on_conflict_do_nothing()
        pg = self.is_pg
        task_id = bindparam("b_task")
        self._running = (
            _task_query()
            .where(Task.status == TaskStatus.RUNNING, Task.deleted_at.is_(None))
            .order_by(Task.id)
        )
        self._one_task = _task_query().where(Task.id == task_id)
        self._lock_for_claim = _locked(
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
        self._due_first = _locked(
            select(*numbers)
            .where(*pending, TaskNumber.next_attempt_at.is_(None))
            .order_by(TaskNumber.id)
            .limit(bindparam("b_limit")),
            pg,
            skip_locked=True,
        )
        self._due_retry = _locked(
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
        self._held = _locked(
            select(
                TaskNumber.id,
                TaskNumber.last_call_id,
                TaskNumber.last_outcome,
                TaskNumber.callbacks,
                TaskNumber.collected,
            ).where(
                TaskNumber.id.in_(bindparam("b_ids", expanding=True)),
                TaskNumber.state == NumberState.CALLING,
            ),
            pg,
        )
        self._answer_counts = _locked(select(Task.answer_counts).where(Task.id == task_id), pg)
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
        self._settle_state = _locked(
            select(
                Task.status, Task.consecutive_failures, Task.final_num, Task.total, Task.calling_num
            ).where(Task.id == task_id),
            pg,
        )
        self._settle_row = select(Task).where(Task.id == task_id)
        in_tasks = TaskNumber.task_id.in_(bindparam("b_tasks", expanding=True))
        pending_in = (in_tasks, TaskNumber.state == NumberState.PENDING)
        self._any_first = (
            select(TaskNumber.id).where(*pending_in, TaskNumber.next_attempt_at.is_(None)).limit(1)
        )
        self._min_due = select(func.min(TaskNumber.next_attempt_at)).where(*pending_in)
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

    # -- reading -------------------------------------------------------------------

    def running_tasks(self) -> list[RunningTask]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(self._running).all()
        return [self._running_task(row) for row in rows]

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
        )

    # -- claiming ------------------------------------------------------------------

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
            if row.consecutive_failures >= self.policy.breaker_threshold:
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
            day = now.astimezone(ZoneInfo(task.workspace_zone)).date().isoformat()
            to_dial, deferred, blocked_rows = [], [], []
            for n in candidates:
                if n.phone in blocked:
                    blocked_rows.append(n)
                elif not self._count_today(s, task.workspace_id, n.phone, day):
                    deferred.append(n.id)
                else:
                    to_dial.append(n)
            if deferred:
                self._defer_to_tomorrow(s, task, deferred, now)
            if blocked_rows:
                self._close_blocked(s, task, blocked_rows, now)
            claims = self._open_calls(s, task, to_dial, now) if to_dial else []
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

    def _count_today(self, s: Session, workspace_id: int, phone: str, day: str) -> bool:
        """Count one attempt against the number's daily cap; False if the cap is reached."""
        cap = self.policy.daily_cap
        if cap <= 0:
            return True
        params = {"b_ws": workspace_id, "b_phone": phone, "b_day": day, "b_cap": cap}
        return s.connection().execute(self._count_daily, params).first() is not None

    def _defer_to_tomorrow(
        self, s: Session, task: RunningTask, ids: list[int], now: datetime
    ) -> None:
        zone = ZoneInfo(task.workspace_zone)
        tomorrow = datetime.combine(
            now.astimezone(zone).date() + timedelta(days=1), datetime.min.time(), tzinfo=zone
        )
        at = task.schedule.next_open(tomorrow)
        s.execute(
            update(TaskNumber).where(TaskNumber.id.in_(ids)).values(next_attempt_at=at or tomorrow)
        )

    def _open_calls(
        self, s: Session, task: RunningTask, rows: list[Any], now: datetime
    ) -> list[Claim]:
        conn = s.connection()
        stamp = self._values.time
        start = stamp(now)
        caller, worker = self.policy.caller_id, self.worker_id
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
                (n.attempts + 1, start, worker, lease, cid, n.id)  # CLAIM_NUMBER_KEYS
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
                        (n.attempts + 1, start, worker, lease, cid, n.id)
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

    # -- finishing -----------------------------------------------------------------

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
                and held[item.claim.number_id].call_id == item.claim.call_id
            ]
            if not kept:
                return 0
            deltas: dict[int, TaskDelta] = defaultdict(TaskDelta)
            numbers, calls, traces = [], [], []
            for item in kept:
                task = tasks[item.claim.task_id]
                n, c, t = self._outcome_rows(
                    task, item, deltas[task.id], held[item.claim.number_id], self._values
                )
                numbers.append(n)
                calls.append(c)
                traces.extend(t)
            if self.is_pg:
                conn.execute(self._settle_numbers, as_params(SETTLE_NUMBER_KEYS, numbers))
                conn.execute(self._close_calls, as_params(CLOSE_CALL_KEYS, calls))
                if traces:
                    conn.execute(self._insert_traces, as_params(TRACE_KEYS, traces))
            else:
                sql = self._sqlite(conn)
                cur = conn.connection.cursor()
                try:
                    cur.executemany(sql.settle_numbers, numbers)
                    cur.executemany(sql.close_calls, calls)
                    sql.traces.execute(cur, traces)
                finally:
                    cur.close()
            for task_id, d in deltas.items():
                self._apply_delta(s, tasks[task_id], d, now)
            if self.on_event is not None:
                for item in kept:
                    self.on_event(
                        s,
                        "call.finished",
                        {
                            "task": tasks[item.claim.task_id],
                            "claim": item.claim,
                            "result": item.result,
                            "collect": _collect_rows(item.result),
                            "now": now,
                        },
                    )
        return len(kept)

    def _still_held(self, conn: Connection, done: list[Finished]) -> dict[int, Held]:
        """The numbers still in flight under these calls (a lease that expired and was
        recovered elsewhere is not), with what earlier calls left on them."""
        ids = [item.claim.number_id for item in done]
        held: dict[int, Held] = {}
        for i in range(0, len(ids), 900):
            for row in conn.execute(self._held, {"b_ids": ids[i : i + 900]}):
                held[row.id] = Held(
                    row.last_call_id, row.last_outcome, row.callbacks, row.collected or []
                )
        return held

    def _outcome_rows(
        self, task: RunningTask, item: Finished, d: TaskDelta, before: Held, values: Values
    ) -> tuple[tuple[Any, ...], tuple[Any, ...], list[tuple[Any, ...]]]:
        """The number's and the call's rows (SETTLE_NUMBER_KEYS, CLOSE_CALL_KEYS) and the
        calltrace lines (TRACE_KEYS); adds the call to the task's delta."""
        c, r = item.claim, item.result
        stamp, as_json = values.time, values.json
        outcome = HangupReason(r.outcome)
        retry_count = int(task.option.get("retryCount") or 0)
        final = is_final(outcome, attempts=c.attempt, retry_count=retry_count)
        answered = outcome == HangupReason.ANSWERED
        callbacks = before.callbacks
        next_at = None
        if answered and r.callback and not r.block and callbacks < MAX_CALLBACKS:
            # "call me later": the named time (or a default delay), inside the windows
            wanted = r.callback_at or r.ended_at + CALLBACK_DEFAULT_DELAY
            wanted = max(wanted, r.ended_at + CALLBACK_MIN_DELAY)
            next_at = task.schedule.next_open(wanted)
            if next_at is not None:
                final, callbacks = False, callbacks + 1
        elif not final:
            due = r.ended_at + timedelta(minutes=int(task.option.get("retryInterval") or 0))
            next_at = task.schedule.next_open(due) or due
        collect = _collect_rows(r)
        merged = _merge_collected(before.collected, collect) if answered else before.collected
        questions = [q["question"] for q in task.config.get("collect") or []]
        analysis = analyse_call(task.config, r)
        item.analysis = analysis.items
        number = (
            NumberState.DONE if final else NumberState.PENDING,
            stamp(next_at),
            outcome,
            as_json(merged or None),
            callbacks,
            c.number_id,
        )
        extra = dict(r.extra or {})
        extra["conversation_analysis"] = analysis.items
        extra.update(_conversation_facts(r, questions))
        if r.callback:
            extra["callback_at"] = next_at.isoformat() if next_at else None
        call = (
            stamp(r.answered_at),
            stamp(r.ended_at),
            outcome,
            r.hangup_side,
            r.ring_seconds,
            r.billsec,
            max(0, round((r.ended_at - r.started_at).total_seconds())),
            sum(1 for u in r.utterances if u.side == "customer"),
            as_json(collect or None),
            as_json(extra),
            analysis.intent_level,
            analysis.summary[:2000],
            r.record_file,
            c.call_id,
        )
        d.calling -= 1
        d.final += int(final)
        d.called += int(c.attempt == 1)
        if item.recovered:
            pass  # a lost worker says nothing about the carrier
        elif outcome not in CARRIER_FAILURES:
            d.failures_streak = 0
        elif d.failures_streak is None:
            d.failures_added += 1  # continues the streak already stored on the task
        else:
            d.failures_streak += 1
        if answered:
            d.answered_calls += 1
        # An answered call is final unless the callee asked for a callback, so a number
        # was answered before exactly when its last outcome was, or it has callbacks.
        answered_before = before.last_outcome == HangupReason.ANSWERED or before.callbacks > 0
        if answered and not answered_before:
            d.answered += 1  # a number counts once, however many calls it took
        if answered and r.block:
            d.blocks.append(c.phone)
        if final and (answered or answered_before):
            hits = {x["question"] for x in merged if x["hit"]}
            if questions and all(q in hits for q in questions):
                d.collected += 1
            for x in merged:
                if x["hit"] and x["result"]:
                    per = d.answers.setdefault(x["question"], {})
                    per[x["result"]] = per.get(x["result"], 0) + 1
        return number, call, _trace_rows(c, r, stamp)

    def _apply_delta(self, s: Session, task: RunningTask, d: TaskDelta, now: datetime) -> None:
        conn = s.connection()
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
            counts = conn.execute(self._answer_counts, {"b_task": task.id}).scalar_one() or {}
            merged = {q: dict(v) for q, v in counts.items()}
            for q, per in d.answers.items():
                into = merged.setdefault(q, {})
                for result, n in per.items():
                    into[result] = into.get(result, 0) + n
            params["b_counts"] = merged
        statement = self._task_deltas[(d.failures_streak is not None, bool(d.answers))]
        conn.execute(statement, params)
        if d.answered_calls:
            conn.execute(
                self._add_usage, {"b_assistant": task.assistant_id, "b_n": d.answered_calls}
            )

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

    # -- leases --------------------------------------------------------------------

    def renew_leases(self, *, now: datetime) -> None:
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
                .limit(1000)
            ).all()
        if not stuck:
            return 0
        done = []
        for row in stuck:
            task = tasks_by_id.get(row.task_id) or self._load_task(row.task_id)
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
        return self.finish(done, tasks_by_id, now=now)

    def _load_task(self, task_id: int) -> RunningTask | None:
        with self.db.engine.connect() as conn:
            row = conn.execute(self._one_task, {"b_task": task_id}).first()
        return None if row is None else self._running_task(row)

    # -- task end states -----------------------------------------------------------

    def settle(self, task: RunningTask, *, now: datetime) -> str | None:
        """Move a running task to done / stop.timeout / stop.abnormal when due.
        Returns the new status, if any."""
        with self.db.session() as s, s.begin():
            # The few columns first (locked on PostgreSQL); the ORM row only to change it.
            t = s.connection().execute(self._settle_state, {"b_task": task.id}).one()
            if t.status != TaskStatus.RUNNING:
                return None
            new: TaskStatus | None = None
            reason = None
            if t.consecutive_failures >= self.policy.breaker_threshold:
                new = TaskStatus.STOP_ABNORMAL
                reason = (
                    f"carrier failing: {t.consecutive_failures} calls in a row failed; "
                    "check the carrier, then resume the task"
                )
            elif task.assistant_deleted:
                new, reason = TaskStatus.STOP_ABNORMAL, "the task's assistant was deleted"
            elif t.final_num >= t.total and t.calling_num == 0:
                new = TaskStatus.DONE
            elif t.calling_num == 0 and task.schedule.next_open(now) is None:
                new = TaskStatus.STOP_TIMEOUT
                reason = "the schedule ended with numbers unfinished"
            if new is None:
                return None
            t = s.execute(self._settle_row, {"b_task": task.id}).scalar_one()
            t.status = new
            t.stop_reason = reason
            t.ended_at = now
            t.updated_at = now
            if self.on_event is not None:
                self.on_event(s, "task.settled", {"task": task, "row": t, "now": now})
        return new

    def next_due(self, task_ids: list[int], *, now: datetime) -> datetime | None:
        """The earliest time a pending number of these tasks becomes due."""
        if not task_ids:
            return None
        params = {"b_tasks": task_ids}
        with self.db.engine.connect() as conn:
            if conn.execute(self._any_first, params).first() is not None:
                return now
            return conn.execute(self._min_due, params).scalar_one()


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


def _locked(query: Any, pg: bool, *, skip_locked: bool = False) -> Any:
    """`query` with FOR UPDATE on PostgreSQL (rows locked until the transaction ends)."""
    return query.with_for_update(skip_locked=skip_locked) if pg else query


_TRACE_EVENTS = {"system": "system.say", "customer": "customer.say", "note": "system.note"}


def _collect_rows(r: CallResult) -> list[dict[str, Any]]:
    return [
        {"question": x.question, "hit": x.hit, "result": x.result, "message": x.message}
        for x in r.collected
    ]


def _trace_rows(c: Claim, r: CallResult, stamp: Callable[[Any], Any]) -> list[tuple[Any, ...]]:
    """The calltrace of an answered call (TRACE_KEYS rows): begin, each utterance,
    hang-up."""
    answered = r.answered_at
    if answered is None:
        return []
    call_id = c.call_id
    rows = [(call_id, "begin", "", 0, "", stamp(answered))]
    dialog = c.session_id[:8]
    for i, u in enumerate(r.utterances):
        rows.append(
            (
                call_id,
                _TRACE_EVENTS[u.side],
                u.text,
                int((u.at - answered).total_seconds() * 1000),
                f"{dialog}-{i}",
                stamp(u.at),
            )
        )
    rows.append(
        (
            call_id,
            "hangup",
            r.hangup_side,
            int((r.ended_at - answered).total_seconds() * 1000),
            "",
            stamp(r.ended_at),
        )
    )
    return rows


KNOWLEDGE_MISS = "knowledge miss: "  # a NOTE an engine writes for a question it could not answer


def _conversation_facts(r: CallResult, questions: list[str]) -> dict[str, Any]:
    """Where the callee hung up, and what they asked that the knowledge could not
    answer: the task insight reads these."""
    facts: dict[str, Any] = {}
    if r.block:
        facts["block"] = True
    said = [u for u in r.utterances if u.side == "system"]
    if r.answered_at is not None and r.hangup_side == "callee" and said:
        last = said[-1].text
        if last is said[0].text and not any(q in last for q in questions):
            facts["hangup_after"] = "opening"
        else:
            facts["hangup_after"] = next((q for q in questions if q in last), "other")
    misses = [
        u.text[len(KNOWLEDGE_MISS) :]
        for u in r.utterances
        if u.side == "note" and u.text.startswith(KNOWLEDGE_MISS)
    ]
    if misses:
        facts["unanswered_questions"] = misses[:5]
    return facts


def _merge_collected(
    before: list[dict[str, Any]], now: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Answers across a number's calls: a later hit replaces an earlier answer."""
    by_question = {x["question"]: x for x in before}
    for x in now:
        if x["hit"] or x["question"] not in by_question:
            by_question[x["question"]] = x
    return list(by_question.values())
