"""Helpers for dialer tests: tasks set up through the store, a scripted carrier, runs in
virtual time, and recounts of a task's counters from its rows."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from voxdial.clock import Clock, VirtualClock
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.conversation.engine import CollectResult, ConversationEngine
from voxdial.demo import demo_numbers
from voxdial.dialer.dialer import Dialer, DialerConfig
from voxdial.dialer.identity import WorkerIdentity
from voxdial.domain.phone import PhoneNormalizer
from voxdial.domain.status import HangupReason, NumberState
from voxdial.store import assistants, tasks
from voxdial.store.db import Database
from voxdial.store.models import Assistant, BlockedNumber, Call, Task, TaskNumber
from voxdial.store.tokens import get_or_create_workspace

NORMALIZER = PhoneNormalizer("CN")
COLLECT = [
    {"question": "您对我们的服务满意吗？", "answers": ["满意", "一般", "不满意"]},
    {"question": "您愿意推荐给朋友吗？", "answers": ["愿意", "不愿意"]},
]


def phones(count: int, seed: int = 1) -> list[str]:
    """`count` distinct valid E.164 mobile numbers."""
    return demo_numbers(random.Random(seed), count, NORMALIZER)


@dataclass
class TaskRef:
    id: int
    workspace_id: int
    assistant_id: int
    phones: list[str]


def make_task(
    db: Database,
    numbers: Sequence[str],
    *,
    workspace: str = "acme",
    time_zone: str = "Asia/Shanghai",
    running: bool = True,
    collect: list[dict] | None = None,
    assistant_id: int | None = None,
    **option: Any,
) -> TaskRef:
    """A task on `numbers` (E.164), created through the store as the API would, and
    started unless `running=False`."""
    with db.session() as s:
        ws, user = get_or_create_workspace(
            s, name=workspace, email=f"ops@{workspace}.test", time_zone=time_zone
        )
        if assistant_id is None:
            config = assistants.default_config(ws.time_zone)
            config.update(welcome="您好{姓名}，耽误您一分钟。", collect=collect or COLLECT)
            a, _ = assistants.create_assistant(
                s, workspace_id=ws.id, user_id=user.id, name="回访", config=config
            )
            assistant_id = a.id
        full = {"startDate": "2026-01-01", "startTime": [["00:00", "24:00"]], **option}
        task = tasks.create_task(
            s,
            workspace_id=ws.id,
            time_zone=ws.time_zone,
            name="回访任务",
            assistant_id=assistant_id,
            assistant_vid=None,
            option=full,
            normalizer=NORMALIZER,
        )
        tasks.add_numbers_from_json(
            s,
            task=task,
            numbers=[{"号码": p, "姓名": f"客户{i}"} for i, p in enumerate(numbers)],
            normalizer=NORMALIZER,
        )
        if running:
            task.status = "running"
        s.commit()
        assert task.total == len(numbers), "every number should be accepted"
        return TaskRef(task.id, ws.id, assistant_id, list(numbers))


def set_status(db: Database, task_id: int, status: str) -> None:
    with db.session() as s:
        s.get(Task, task_id).status = status
        s.commit()


def block(db: Database, workspace_id: int, phone: str) -> None:
    with db.session() as s:
        s.add(BlockedNumber(workspace_id=workspace_id, phone=phone, reason="test"))
        s.commit()


@dataclass
class ScriptedCarrier:
    """Returns, for each number, the next outcome of its script (then `default`).
    Each call takes `seconds[outcome]` (or `call_seconds`) of the clock. Answered calls
    answer every collect question with `answers` (question -> result)."""

    scripts: dict[str, list[HangupReason]] = field(default_factory=dict)
    default: HangupReason = HangupReason.ANSWERED
    call_seconds: float = 30.0
    seconds: dict[HangupReason, float] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    name: str = "scripted"
    placed: list[str] = field(default_factory=list)

    async def place_call(
        self, request: DialRequest, *, clock: Clock, engine: ConversationEngine
    ) -> CallResult:
        self.placed.append(request.callee)
        script = self.scripts.get(request.callee)
        outcome = script.pop(0) if script else self.default
        started = clock.now()
        duration = self.seconds.get(outcome, self.call_seconds)
        if outcome == HangupReason.ANSWERED:
            await clock.sleep(1.0)
            answered = clock.now()
            await clock.sleep(max(0.0, duration - 1.0))
            collected = [CollectResult(q, True, r) for q, r in self.answers.items()]
            return CallResult(
                outcome, started, answered, clock.now(), "callee", collected=collected
            )
        await clock.sleep(duration)
        return CallResult(outcome, started, None, clock.now(), "carrier")


def run_virtual(
    db: Database,
    carrier: Any,
    start: datetime,
    *,
    config: DialerConfig | None = None,
    until: datetime | None = None,
    identity: WorkerIdentity | None = None,
) -> tuple[Dialer, VirtualClock]:
    """Run a dialer in virtual time from `start` until no task runs (or `until`)."""
    clock = VirtualClock(start)
    cfg = config or DialerConfig(calls_per_second=0, daily_cap=0, lease_seconds=3600)
    dialer = Dialer(db, carrier=carrier, clock=clock, config=cfg, identity=identity)
    asyncio.run(clock.run(dialer.run_until_idle(until=until)))
    return dialer, clock


def task_row(db: Database, task_id: int) -> Task:
    with db.session() as s:
        t = s.get(Task, task_id)
        s.expunge(t)
        return t


def run_until_settled(dialer: Dialer, db: Database, task_id: int, *, seconds: float) -> None:
    """Run a real-time dialer until its task leaves `running` (polled in the database,
    every 0.1 s, at most `seconds`), then stop it cleanly."""

    async def run() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(dialer.run(stop))
        for _ in range(int(seconds * 10)):  # the task's status is in the database: poll it
            if task_row(db, task_id).status != "running":
                break
            await asyncio.sleep(0.1)
        stop.set()
        await running

    asyncio.run(asyncio.wait_for(run(), seconds))


def numbers_of(db: Database, task_id: int) -> list[TaskNumber]:
    with db.session() as s:
        rows = list(
            s.execute(select(TaskNumber).where(TaskNumber.task_id == task_id)).scalars().all()
        )
        s.expunge_all()
        return rows


def calls_of(db: Database, task_id: int) -> list[Call]:
    with db.session() as s:
        rows = list(
            s.execute(select(Call).where(Call.task_id == task_id).order_by(Call.id)).scalars()
        )
        s.expunge_all()
        return rows


def counters(db: Database, task_id: int) -> dict[str, int]:
    t = task_row(db, task_id)
    return {
        "total": t.total,
        "final_num": t.final_num,
        "calling_num": t.calling_num,
        "called_num": t.called_num,
        "answered_num": t.answered_num,
        "collected_num": t.collected_num,
    }


def recount(db: Database, task_id: int, questions: Iterable[str] = ()) -> dict[str, int]:
    """The task's counters recomputed from task_numbers and calls."""
    questions = list(questions) or [q["question"] for q in COLLECT]
    with db.session() as s:
        total = s.scalar(select(func.count()).where(TaskNumber.task_id == task_id))
        by_state = dict(
            s.execute(
                select(TaskNumber.state, func.count())
                .where(TaskNumber.task_id == task_id)
                .group_by(TaskNumber.state)
            ).all()
        )
        called = s.scalar(
            select(func.count(func.distinct(Call.task_number_id))).where(
                Call.task_id == task_id,
                Call.attempt == 1,
                Call.end_at.is_not(None),
                Call.hangup_reason != HangupReason.BLOCKED,
            )
        )
        # a number counts once however many calls it took (callbacks)
        answered = s.scalar(
            select(func.count(func.distinct(Call.task_number_id))).where(
                Call.task_id == task_id, Call.hangup_reason == HangupReason.ANSWERED
            )
        )
        finals = s.execute(
            select(TaskNumber.collected).where(
                TaskNumber.task_id == task_id, TaskNumber.state == NumberState.DONE
            )
        ).all()
    collected = sum(
        1
        for (collect,) in finals
        if collect and all(any(x["question"] == q and x["hit"] for x in collect) for q in questions)
    )
    return {
        "total": total,
        "final_num": by_state.get(NumberState.DONE, 0) + by_state.get(NumberState.REJECTED, 0),
        "calling_num": by_state.get(NumberState.CALLING, 0),
        "called_num": called,
        "answered_num": answered,
        "collected_num": collected,
    }


def usage_count(db: Database, assistant_id: int) -> int:
    with db.session() as s:
        return s.get(Assistant, assistant_id).usage_count


def max_open(intervals: Iterable[tuple[datetime, datetime | None]]) -> int:
    """The most intervals [start, end) open at one instant (an open end counts forever)."""
    events = []
    for start, end in intervals:
        events.append((start, 1))
        if end is not None:
            events.append((end, -1))
    events.sort(key=lambda e: (e[0], e[1]))  # an end at t comes before a start at t
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def fast_worker_main() -> None:
    """`python -m tests.support.dialer`: the real `voxdial worker` command, with a
    simulated carrier whose calls last about a second (scale tests)."""
    from voxdial import cli, runtime
    from voxdial.telephony.sim import SimCarrier, SimConfig

    def make_carrier(rt):
        settings = rt.settings
        config = SimConfig(
            seed=settings.sim_seed,
            ring_seconds=(0.1, 0.8),
            no_answer_seconds=1.0,
            talk_seconds_per_char=0.002,
            think_seconds=0.05,
        )
        if settings.sim_personas:
            config.personas = runtime.parse_weights(settings.sim_personas)
        return SimCarrier(config)

    runtime.make_carrier = make_carrier
    cli.app(["worker"])


if __name__ == "__main__":
    fast_worker_main()
