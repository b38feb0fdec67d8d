"""One task the dialer cannot work on never stops the others: it is stopped itself
(`stop.abnormal`, the error in its stopReason) and every other task dials on. The bad
tasks are written straight into the database, past the API's checks, as an old row or
another writer could have left them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from tests.support.dialer import ScriptedCarrier, calls_of, make_task, phones, task_row
from voxdial.clock import VirtualClock
from voxdial.dialer.dialer import Dialer, DialerConfig
from voxdial.store.db import Database
from voxdial.store.models import Task

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


@pytest.fixture
def db(db_url):
    d = Database(db_url)
    yield d
    d.dispose()


def cfg() -> DialerConfig:
    return DialerConfig(calls_per_second=0, daily_cap=0, lease_seconds=3600)


def spoil(db: Database, task_id: int, **option) -> None:
    """Write option values into a task row as no API request could."""
    with db.session() as s:
        t = s.get(Task, task_id)
        s.execute(update(Task).where(Task.id == task_id).values(option={**t.option, **option}))
        s.commit()


# Each spoils the schedule (or the policy) of one task in its own way.
SPOILED = {
    # next_open() would step past the calendar's last day: OverflowError, every tick
    "year-9999": {"startDate": "9999-12-31"},
    # no schedule can be made of it at all
    "windows-not-a-list": {"startTime": "always"},
    # the schedule is fine; claiming reads the concurrency
    "concurrency-text": {"concurrency": "many"},
}


@pytest.mark.parametrize("case", list(SPOILED), ids=list(SPOILED))
def test_a_task_the_dialer_fails_on_is_stopped_and_the_others_finish(db, case):
    good = make_task(db, phones(6), concurrency=3)
    bad = make_task(db, phones(4, seed=9), workspace="globex")
    spoil(db, bad.id, **SPOILED[case])

    clock = VirtualClock(T0)
    dialer = Dialer(db, carrier=ScriptedCarrier(), clock=clock, config=cfg())
    asyncio.run(clock.run(dialer.run_until_idle()))

    assert task_row(db, good.id).status == "done"
    assert {c.callee for c in calls_of(db, good.id)} == set(good.phones)
    row = task_row(db, bad.id)
    assert row.status == "stop.abnormal"
    assert row.stop_reason and "could not work on this task" in row.stop_reason
    assert row.ended_at is not None
    assert calls_of(db, bad.id) == []


def test_the_stopped_task_is_left_alone_by_later_ticks(db):
    bad = make_task(db, phones(2, seed=5))
    spoil(db, bad.id, startDate="9999-12-31")
    dialer = Dialer(db, carrier=ScriptedCarrier(), clock=VirtualClock(T0), config=cfg())
    assert dialer.tick() == 0
    first = task_row(db, bad.id)
    assert first.status == "stop.abnormal"
    assert "option.startDate: 9999-12-31 is outside" in first.stop_reason
    assert dialer.tick() == 0  # the next tick neither fails nor touches it again
    assert task_row(db, bad.id).updated_at == first.updated_at
