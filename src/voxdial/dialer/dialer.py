"""The dialer loop: each tick it settles finished tasks, claims due numbers of running
tasks inside their windows and under the caps, starts their calls, and records the
outcomes of the calls that ended, in batches.

One `Dialer` per process. Several processes (`voxdial worker`) share a PostgreSQL
database and coordinate only through it (row leases, locks, atomic counters).

One task the dialer cannot work on (a stored option no schedule can be made of, a rule
that raises on its data) never stops the others: it is stopped itself, `stop.abnormal`
with the error as its `stopReason`, and the tick goes on. Database errors are not a
task's fault: they fail the tick, which the loop retries (outcomes not yet recorded are
kept for the next try).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from voxdial.clock import Clock
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.conversation.engine import CallContext, ConversationEngine
from voxdial.conversation.script import ScriptEngine
from voxdial.dialer.identity import WorkerIdentity
from voxdial.dialer.records import Claim, DialerRecords, Finished, Policy, RunningTask
from voxdial.domain.status import HangupReason
from voxdial.errors import VoxdialError
from voxdial.logs import redact
from voxdial.store import tasks as task_store
from voxdial.store.db import Database
from voxdial.store.models import AssistantVersion, Task, Workspace
from voxdial.telephony.base import Carrier

log = logging.getLogger("voxdial.dialer")


@dataclass
class DialerConfig:
    tick_seconds: float = 0.2
    max_lines: int = 200  # calls in flight on this worker (the carrier's line cap)
    calls_per_second: float = 50.0  # new calls per second on this worker (carrier CPS cap)
    lease_seconds: float = 300.0
    daily_cap: int = 3
    breaker_threshold: int = 20
    caller_id: str = ""
    insight_seconds: float = 300.0  # how often a task's summary is rewritten while calls end


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Dialer:
    def __init__(
        self,
        db: Database,
        *,
        carrier: Carrier,
        clock: Clock,
        config: DialerConfig | None = None,
        engine: ConversationEngine | None = None,
        engine_for: Callable[[dict], ConversationEngine] | None = None,
        worker_id: str | None = None,
        identity: WorkerIdentity | None = None,
        on_event=None,
        line_limit: Callable[[], int] | None = None,
    ) -> None:
        self.config = config or DialerConfig()
        # the lines in use now, within `max_lines` (an adaptive pace: dialer/pace.py)
        self.line_limit = line_limit
        self.carrier = carrier
        self.clock = clock
        self.engine = engine or ScriptEngine()
        # per assistant config (its llmId picks script or an LLM); `engine` when None
        self.engine_for = engine_for
        self._engines: dict[int, ConversationEngine] = {}
        # A kept name (dialer/identity.py) lets this start release its earlier starts'
        # calls at once; a one-off name leaves them to lease expiry.
        identity = identity or WorkerIdentity(worker_id or new_worker_id(), 1)
        self.worker_id = identity.name
        self.generation = identity.generation
        self._released_own = False
        self.records = DialerRecords(
            db,
            worker_id=self.worker_id,
            generation=self.generation,
            policy=Policy(
                lease_seconds=self.config.lease_seconds,
                daily_cap=self.config.daily_cap,
                breaker_threshold=self.config.breaker_threshold,
                caller_id=self.config.caller_id,
            ),
            on_event=on_event,
            clock=clock,
        )
        self.in_flight = 0
        self._finished: list[Finished] = []
        self._tasks: dict[int, RunningTask] = {}
        self._cps_tokens = self.config.calls_per_second
        self._cps_at: datetime | None = None
        self._last_renew: datetime | None = None
        self._last_recover: datetime | None = None
        self._running_ids: list[int] = []
        self._insight_due: set[int] = set()
        self._insight_at: dict[int, datetime] = {}

    # -- one tick ------------------------------------------------------------------

    def tick(self) -> int:
        """Do one round of work. Returns how many calls it started."""
        now = self.clock.now()
        self._flush(now)
        self._maintain_leases(now)
        started = 0
        ended: set[int] = set()
        running = self._running_tasks(now)
        self._running_ids = [t.id for t in running]
        lines = self.config.max_lines
        if self.line_limit is not None:
            lines = min(lines, self.line_limit())
        for task in running:
            self._tasks[task.id] = task
            try:
                if not task.assistant_deleted and task.schedule.is_open(now):
                    limit = min(lines - self.in_flight, self._cps_budget(now))
                    for claim in self.records.claim(task, now=now, limit=limit):
                        self._start(task, claim)
                        started += 1
                if self.records.settle(task, now=now) is not None:
                    ended.add(task.id)
            except SQLAlchemyError:
                raise
            except Exception as e:
                self._stop_faulty(task.id, e, now, task=task)
        self._refresh_insights(now, ended=ended)
        return started

    def _running_tasks(self, now: datetime) -> list[RunningTask]:
        try:
            return self.records.running_tasks()
        except SQLAlchemyError:
            raise
        except Exception:
            pass
        # One task's stored row cannot be read into a RunningTask: read them one by one,
        # and stop the ones that fail.
        with self.records.db.engine.connect() as conn:
            ids = task_store.running_task_ids(conn)
        running = []
        for task_id in ids:
            try:
                task = self.records.load_task(task_id)
            except SQLAlchemyError:
                raise
            except Exception as e:
                self._stop_faulty(task_id, e, now)
                continue
            if task is not None:
                running.append(task)
        return running

    def _stop_faulty(
        self, task_id: int, error: Exception, now: datetime, *, task: RunningTask | None = None
    ) -> None:
        """Stop a task the dialer failed on (`stop.abnormal`), with a task.end event."""
        log.error(
            "task stopped: the dialer failed on it", extra={"task_id": task_id}, exc_info=error
        )
        # voxdial's own messages name no phone number; others' might echo any value
        message = error.message if isinstance(error, VoxdialError) else redact(str(error))
        what = f"{type(error).__name__}: {message}"[:300]
        reason = (
            f"the dialer could not work on this task ({what}); correct its option, then resume it"
        )
        if task_id in self._running_ids:  # (its calls in flight are still recorded)
            self._running_ids.remove(task_id)
        try:
            self._stop_task(task_id, reason, now, task=task, notify=True)
        except SQLAlchemyError:
            raise
        except Exception as e:  # the event could not be made: stop the task without it
            log.error("task.end event failed", extra={"task_id": task_id}, exc_info=e)
            self._stop_task(task_id, reason, now, task=task, notify=False)

    def _stop_task(
        self, task_id: int, reason: str, now: datetime, *, task: RunningTask | None, notify: bool
    ) -> None:
        on_event = self.records.on_event if notify else None
        with self.records.db.session() as s, s.begin():
            row = task_store.stop_abnormally(s, task_id=task_id, reason=reason, now=now)
            if row is not None and on_event is not None:
                on_event(
                    s, "task.settled", {"task": task or _event_task(s, row), "row": row, "now": now}
                )

    def _cps_budget(self, now: datetime) -> int:
        rate = self.config.calls_per_second
        if rate <= 0:
            return self.config.max_lines
        if self._cps_at is not None:
            elapsed = (now - self._cps_at).total_seconds()
            self._cps_tokens = min(rate, self._cps_tokens + elapsed * rate)
        self._cps_at = now
        return int(self._cps_tokens)

    def _start(self, task: RunningTask, claim: Claim) -> None:
        self.in_flight += 1
        if self.config.calls_per_second > 0:
            self._cps_tokens -= 1
        self.clock.spawn(self._call(task, claim))

    async def _call(self, task: RunningTask, claim: Claim) -> None:
        request = DialRequest(
            session_id=claim.session_id,
            callee=claim.phone,
            caller=self.config.caller_id,
            assistant_id=task.assistant_id,
            context=CallContext(
                assistant=task.config,
                name=claim.name,
                note=claim.note,
                variables=claim.variables,
                now=self.clock.now(),
                time_zone=task.option.get("timeZone") or task.workspace_zone,
            ),
        )
        started = self.clock.now()
        try:
            engine = self._engine(task)
            result = await self.carrier.place_call(request, clock=self.clock, engine=engine)
        except Exception as e:  # a carrier bug must not lose the attempt
            log.error("carrier raised", extra={"session_id": claim.session_id}, exc_info=e)
            result = CallResult(
                HangupReason.FAILED,
                started,
                None,
                self.clock.now(),
                "carrier",
                extra={"error": type(e).__name__},
            )
        self._finished.append(Finished(claim, result))
        self.in_flight -= 1
        self.clock.poke()

    def _engine(self, task: RunningTask) -> ConversationEngine:
        if self.engine_for is None:
            return self.engine
        engine = self._engines.get(task.assistant_vid)
        if engine is None:
            engine = self._engines[task.assistant_vid] = self.engine_for(task.config)
        return engine

    def _flush(self, now: datetime) -> None:
        if not self._finished:
            return
        done, self._finished = self._finished, []
        try:
            self.records.finish(done, self._tasks, now=now)
        except SQLAlchemyError:
            self._finished[:0] = done  # rolled back: record them on the next try
            raise
        except Exception:
            self._finish_by_task(done, now)
        self._insight_due.update(item.claim.task_id for item in done)

    def _finish_by_task(self, done: list[Finished], now: datetime) -> None:
        """Record outcomes task by task, after a batch failed on one task's data: the
        task it failed on is stopped; its outcomes are left to lease recovery."""
        by_task: dict[int, list[Finished]] = {}
        for item in done:
            by_task.setdefault(item.claim.task_id, []).append(item)
        for task_id, items in by_task.items():
            try:
                self.records.finish(items, self._tasks, now=now)
            except SQLAlchemyError:
                self._finished[:0] = items
                raise
            except Exception as e:
                self._stop_faulty(task_id, e, now, task=self._tasks.get(task_id))

    def _refresh_insights(self, now: datetime, *, ended: set[int]) -> None:
        """Summary and advice: refreshed as calls end (at most every
        `insight_seconds` per task) and once more when a task ends."""
        period = timedelta(seconds=self.config.insight_seconds)
        for task_id in sorted(self._insight_due | ended):
            last = self._insight_at.get(task_id)
            if task_id in ended or last is None or now - last >= period:
                task = self._tasks.get(task_id)
                if task is not None:
                    try:
                        self.records.refresh_insight(task)
                    except SQLAlchemyError:
                        raise
                    except Exception as e:  # the summary waits; calls go on
                        log.error("task summary failed", extra={"task_id": task_id}, exc_info=e)
                self._insight_at[task_id] = now
                self._insight_due.discard(task_id)

    def _maintain_leases(self, now: datetime) -> None:
        if not self._released_own:  # before this start's first claim (release_own's rule)
            try:
                released = self.records.release_own(now=now, tasks_by_id=self._tasks)
            except SQLAlchemyError:
                raise
            except Exception as e:  # one task's outcome cannot be recorded: its leases expire
                log.error("releasing the earlier start's calls failed", exc_info=e)
                released = 0
            if released:
                log.warning(
                    "released the calls of this worker's earlier start",
                    extra={"count": released, "worker_id": self.worker_id},
                )
            self._released_own = True
        period = timedelta(seconds=self.config.lease_seconds / 3)
        if self.in_flight and (self._last_renew is None or now - self._last_renew >= period):
            self.records.renew_leases(now=now)
            self._last_renew = now
        if self._last_recover is None or now - self._last_recover >= period / 4:
            try:
                recovered = self.records.recover_expired(now=now, tasks_by_id=self._tasks)
            except SQLAlchemyError:
                raise
            except Exception as e:  # one task's outcome cannot be recorded: dial on
                log.error("lease recovery failed", exc_info=e)
                recovered = 0
            if recovered:
                log.warning("recovered calls of a lost worker", extra={"count": recovered})
            self._last_recover = now

    # -- loops ---------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then let in-flight calls end and record them."""
        while not stop.is_set():
            try:
                self.tick()
                idle = self._idle_seconds(self.clock.now())
            except Exception as e:  # a database hiccup: log, wait, go on
                log.error("dialer tick failed", exc_info=e)
                idle = 1.0
            await self.clock.nap(min(idle, 1.0))
            await self.clock.sleep(self.config.tick_seconds)  # gather call ends into a batch
        while self.in_flight:
            await self.clock.nap(1.0)
        self._flush(self.clock.now())

    async def run_until_idle(self, *, until: datetime | None = None, on_tick=None) -> None:
        """Burst mode for virtual time: work until no task is running (or `until`)."""
        while True:
            self.tick()
            now = self.clock.now()
            if on_tick is not None:
                on_tick(now)
            if not self._running_ids and not self.in_flight:
                self._flush(now)
                return
            if until is not None and now >= until:
                return
            # Nothing else adds work in a burst run: sleep to the next due time, not a poll.
            await self.clock.nap(self._idle_seconds(now, poll=3600.0))
            await self.clock.sleep(self.config.tick_seconds)

    def _idle_seconds(self, now: datetime, poll: float = 60.0) -> float:
        """How long the loop may sleep: until the next due number or window opening.
        Numbers due now but waiting for a free line wake the loop through `poke()`
        when a call ends."""
        if self._finished:
            return 0.0
        wake = [now + timedelta(seconds=poll)]
        due = self.records.next_due(self._running_ids, now=now)
        if due is not None:
            for task_id in list(self._running_ids):
                try:
                    opening = self._tasks[task_id].schedule.next_open(max(now, due))
                except Exception as e:
                    self._stop_faulty(task_id, e, now, task=self._tasks.get(task_id))
                    continue
                if opening is not None and (opening > now or not self.in_flight):
                    wake.append(opening)
        if self._cps_tokens < 1 and self.config.calls_per_second > 0:
            wake.append(now + timedelta(seconds=1 / self.config.calls_per_second))
        return max(0.0, (min(wake) - now).total_seconds())


@dataclass
class _EventTask:
    """What the task.end event reads of a task (a RunningTask's fields), for a task
    stopped before it could be read as one."""

    id: int
    workspace_id: int
    workspace_zone: str
    config: dict


def _event_task(s, row: Task) -> _EventTask:
    zone, config = s.execute(
        select(Workspace.time_zone, AssistantVersion.config)
        .join(Task, Task.workspace_id == Workspace.id)
        .join(AssistantVersion, AssistantVersion.id == Task.assistant_vid)
        .where(Task.id == row.id)
    ).one()
    return _EventTask(row.id, row.workspace_id, zone, config or {})
