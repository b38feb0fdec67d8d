"""Recovery without waiting, on SQLite and PostgreSQL, in virtual time: a worker started
again under its name closes the calls its earlier start had in flight as interrupted at
once and dials those numbers again, without using up a retry or a daily attempt; the
leases of another worker wait out their time, then take the same way."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.support.dialer import (
    ScriptedCarrier,
    calls_of,
    counters,
    make_task,
    numbers_of,
    phones,
    recount,
    run_virtual,
    task_row,
)
from voxdial.clock import VirtualClock
from voxdial.dialer.dialer import Dialer, DialerConfig
from voxdial.dialer.identity import WorkerIdentity
from voxdial.store.db import Database
from voxdial.store.models import NumberDailyCount

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
LEASE = 300.0
W1, W2 = WorkerIdentity("w", 1), WorkerIdentity("w", 2)
OTHER = WorkerIdentity("other-host", 1)


@pytest.fixture
def db(db_url):
    d = Database(db_url)
    yield d
    d.dispose()


def cfg(**kw) -> DialerConfig:
    values = {"calls_per_second": 0, "daily_cap": 1, "lease_seconds": LEASE}
    values.update(kw)
    return DialerConfig(**values)


class HangingCarrier:
    name = "hanging"

    async def place_call(self, request, *, clock, engine):
        await clock.sleep(10**7)


def crash(db, *identities: WorkerIdentity, lines: int) -> None:
    """Each worker claims `lines` numbers at T0, then all die mid-call."""

    async def main():
        clock = VirtualClock(T0)
        for identity in identities:
            dialer = Dialer(
                db,
                carrier=HangingCarrier(),
                clock=clock,
                config=cfg(max_lines=lines),
                identity=identity,
            )
            assert dialer.tick() == lines
        await asyncio.sleep(0)
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()
        await asyncio.sleep(0)

    asyncio.run(main())


def run_until(db, start: datetime, until: datetime, identity: WorkerIdentity) -> None:
    """A dialer ticking every virtual second from `start` to `until` exactly (a burst
    run sleeps to the next due time, which may be past `until`)."""
    clock = VirtualClock(start)
    carrier = ScriptedCarrier(call_seconds=30)
    dialer = Dialer(db, carrier=carrier, clock=clock, config=cfg(), identity=identity)

    async def main():
        while clock.now() < until:
            dialer.tick()
            await clock.sleep(1.0)
        dialer.tick()

    asyncio.run(clock.run(main()))


def idle_dialer(db, identity: WorkerIdentity, **config) -> Dialer:
    """A dialer whose record keeping the test calls itself."""
    return Dialer(
        db,
        carrier=ScriptedCarrier(),
        clock=VirtualClock(T0),
        config=cfg(**config),
        identity=identity,
    )


def daily_counts(db, phones_: set[str]) -> dict[str, int]:
    with db.session() as s:
        rows = s.execute(select(NumberDailyCount.phone, NumberDailyCount.count)).all()
    return {p: n for p, n in rows if p in phones_}


def by_number(calls) -> dict[int, list]:
    per = defaultdict(list)
    for c in calls:
        per[c.task_number_id].append(c)
    return {k: sorted(v, key=lambda c: c.attempt) for k, v in per.items()}


def test_restarted_worker_releases_its_own_calls_at_once(db):
    # no retries and one attempt per number per day: a redial is possible only if the
    # cut call used up neither
    t = make_task(db, phones(30), concurrency=30, retryCount=0, retryInterval=0)
    crash(db, OTHER, W1, lines=10)
    held = {n.id: n for n in numbers_of(db, t.id) if n.state == "calling"}
    mine = {i for i, n in held.items() if n.worker_id == "w"}
    others = {i for i, n in held.items() if n.worker_id == "other-host"}
    assert len(mine) == len(others) == 10
    assert all(n.worker_generation == 1 for n in held.values())
    assert {n.lease_until for n in held.values()} == {T0 + timedelta(seconds=LEASE)}

    # A later start renews only its own leases: the earlier start's are not kept alive.
    later = idle_dialer(db, W2)
    later.records.renew_leases(now=T0 + timedelta(seconds=100))
    assert all(
        n.lease_until == T0 + timedelta(seconds=LEASE) for n in numbers_of(db, t.id) if n.id in held
    )

    # W starts again 5 s after the crash and runs until 200 s: every lease is still valid.
    restart = T0 + timedelta(seconds=5)
    run_until(db, restart, T0 + timedelta(seconds=200), W2)
    numbers = {n.id: n for n in numbers_of(db, t.id)}
    per = by_number(calls_of(db, t.id))
    for i in mine:
        cut, again = per[i]
        assert (cut.hangup_reason, cut.attempt, again.hangup_reason, again.attempt) == (
            "interrupted",
            1,
            "answered",
            2,
        )
        assert cut.extra["recovery"] == "restart"
        assert cut.extra["error"].startswith("worker lost")
        assert cut.end_at == T0  # its lease was last set at the claim
        # dialled again before the old lease would have expired, by the new start
        assert restart <= again.start_at < held[i].lease_until
        assert again.worker_id == "w"
        assert (numbers[i].state, numbers[i].interrupted, numbers[i].attempts) == ("done", 1, 2)
    # another worker's leases are left alone until they expire
    for i in others:
        n = numbers[i]
        assert (n.state, n.worker_id, n.worker_generation) == ("calling", "other-host", 1)
        assert n.lease_until == held[i].lease_until
        assert len(per[i]) == 1 and per[i][0].end_at is None
    rest = set(numbers) - mine - others
    assert all([c.hangup_reason for c in per[i]] == ["answered"] for i in rest)
    # the cut attempt went back to the daily cap: one attempt counted per number today
    mine_phones = {numbers[i].phone for i in mine}
    assert daily_counts(db, mine_phones) == dict.fromkeys(mine_phones, 1)
    row = task_row(db, t.id)
    assert (row.status, row.calling_num, row.consecutive_failures) == ("running", 10, 0)
    assert counters(db, t.id) == recount(db, t.id)

    # Past the other worker's lease: its calls are closed the same way and dialled again.
    run_virtual(
        db, ScriptedCarrier(call_seconds=30), T0 + timedelta(seconds=LEASE + 1), config=cfg()
    )
    assert task_row(db, t.id).status == "done"
    per = by_number(calls_of(db, t.id))
    for i in others:
        assert [c.hangup_reason for c in per[i]] == ["interrupted", "answered"]
        assert per[i][0].extra["recovery"] == "lease expired"
    numbers = numbers_of(db, t.id)
    assert all(n.state == "done" and n.worker_id is None for n in numbers)
    assert sorted(n.interrupted for n in numbers) == [0] * 10 + [1] * 20
    all_phones = {n.phone for n in numbers}
    assert daily_counts(db, all_phones) == dict.fromkeys(all_phones, 1)
    assert counters(db, t.id) == recount(db, t.id)


def test_a_start_that_repeats_a_generation_still_releases(db):
    """A lost state file may repeat a generation: at its start a worker releases every
    lease of its name, and renews only what it claims itself."""
    t = make_task(db, phones(5), concurrency=5)
    crash(db, W1, lines=5)
    dialer = idle_dialer(db, W1)
    assert dialer.records.release_own(now=T0 + timedelta(seconds=1), tasks_by_id={}) == 5
    assert task_row(db, t.id).calling_num == 0
    assert all(n.state == "pending" and n.worker_id is None for n in numbers_of(db, t.id))
    assert counters(db, t.id) == recount(db, t.id)


def test_a_number_that_keeps_cutting_its_worker_still_ends(db):
    """Past MAX_FREE_INTERRUPTIONS a cut call is a failed attempt: with no retries left
    the number is final instead of dialled for ever."""
    t = make_task(db, phones(1), concurrency=1, retryCount=0, retryInterval=0)
    generation = 1
    for _ in range(4):
        crash(db, WorkerIdentity("w", generation), lines=1)
        generation += 1
        dialer = idle_dialer(db, WorkerIdentity("w", generation), daily_cap=0)
        dialer.records.release_own(now=T0 + timedelta(seconds=1), tasks_by_id={})
    (n,) = numbers_of(db, t.id)
    assert (n.state, n.attempts, n.interrupted, n.last_outcome) == ("done", 4, 3, "interrupted")
    assert [c.hangup_reason for c in calls_of(db, t.id)] == ["interrupted"] * 4
    assert counters(db, t.id) == recount(db, t.id)
