"""The adaptive pace: the spoken-call limit follows the turn latency (dialer/pace.py),
and the dialer keeps to the limit it is given."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from tests.support.dialer import ScriptedCarrier, calls_of, make_task, max_open, phones
from voxdial.clock import VirtualClock
from voxdial.dialer.dialer import Dialer, DialerConfig
from voxdial.dialer.pace import PaceConfig, PaceState, SpokenPace, decide, p95
from voxdial.store.db import Database

CONFIG = PaceConfig(target_s=1.5, decrease=0.75, raise_after=3, max_calm=12)
S = PaceState


@pytest.mark.parametrize(
    ("state", "latency", "running", "capacity", "expected"),
    [
        # over the target: down to 3/4, at least one call less, never below 1
        (S(20), 2.0, 20, 20, S(15)),
        (S(20, calm=2), 1.51, 10, 20, S(15)),  # a calm streak is broken
        (S(4), 3.0, 4, 20, S(3)),
        (S(3), 3.0, 3, 20, S(2)),
        (S(2), 9.0, 2, 20, S(1)),
        (S(1), 9.0, 1, 20, S(1)),
        # over the target with more calls running than the limit: the last cut drains
        (S(15, calm=1), 2.0, 20, 20, S(15)),
        # at or under the target: one more (a probe) after three calm decisions in a row
        (S(10), 1.5, 10, 20, S(10, calm=1)),
        (S(10, calm=1), 0.4, 10, 20, S(10, calm=2)),
        (S(10, calm=2), 0.4, 10, 20, S(11, probing=True)),
        (S(20, calm=2), 0.4, 20, 20, S(20)),  # never above the capacity
        (S(1, calm=2), 0.2, 0, 5, S(2, probing=True)),
        # a probe that fails: cut, and the next probe waits twice as long (at most 12)
        (S(3, probing=True), 1.6, 3, 20, S(2, calm_needed=6)),
        (S(3, calm_needed=6, probing=True), 1.6, 3, 20, S(2, calm_needed=12)),
        (S(3, calm_needed=12, probing=True), 1.6, 3, 20, S(2, calm_needed=12)),
        (S(2, calm=4, calm_needed=6), 1.0, 2, 20, S(2, calm=5, calm_needed=6)),
        (S(2, calm=5, calm_needed=6), 1.0, 2, 20, S(3, calm_needed=6, probing=True)),
        # a probe that holds: the wait is back to three
        (S(3, calm_needed=12, probing=True), 1.2, 3, 20, S(3, calm=1)),
        # a cut that is not after a probe keeps the wait
        (S(4, calm_needed=6), 2.0, 4, 20, S(3, calm_needed=6)),
    ],
)
def test_decide(state, latency, running, capacity, expected):
    got = decide(state, latency_p95=latency, running=running, capacity=capacity, config=CONFIG)
    assert got == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [([1.0], 1.0), ([3.0, 1.0, 2.0], 3.0), ([0.1] * 95 + [5.0] * 5, 5.0), ([0.1] * 96, 0.1)],
)
def test_p95_is_the_nearest_rank(values, expected):
    assert p95(values) == expected


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_falls_while_turns_are_slow_and_climbs_back_when_they_are_fast():
    clock = Ticks()
    pace = SpokenPace(8, config=PaceConfig(period_s=10, min_turns=5, raise_after=2), clock=clock)
    seen = [pace.limit]
    for latency in [3.0] * 4 + [0.8] * 8:  # four slow periods, then eight fast ones
        for _ in range(5):
            pace.observe(latency)
        clock.now += 10
        seen.append(pace.current(running=pace.limit))
    assert seen == [8, 6, 4, 3, 2, 2, 3, 3, 4, 4, 5, 5, 6]
    assert pace.last_p95 == 0.8


def test_no_decision_before_the_period_or_without_enough_turns():
    clock = Ticks()
    pace = SpokenPace(8, config=PaceConfig(period_s=10, min_turns=5), clock=clock)
    for _ in range(20):
        pace.observe(5.0)
    clock.now = 9.9
    assert pace.current(running=8) == 8  # too soon
    clock.now = 10.0
    assert pace.current(running=8) == 6
    for _ in range(4):
        pace.observe(5.0)
    clock.now = 30.0
    assert pace.current(running=6) == 6  # four turns are not enough to judge
    pace.observe(5.0)
    assert pace.current(running=6) == 4


def test_a_capacity_of_zero_still_allows_one_call():
    pace = SpokenPace(0, clock=Ticks())
    assert pace.current(running=0) == 1


@pytest.fixture
def db(sqlite_url):
    d = Database(sqlite_url)
    yield d
    d.dispose()


T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


def run_with_limit(db, limit) -> list:
    """A 12-number task on 10 lines, run in virtual time with `line_limit=limit`."""
    task = make_task(db, phones(12), concurrency=10, retryCount=0)
    clock = VirtualClock(T0)
    config = DialerConfig(max_lines=10, calls_per_second=0, daily_cap=0, lease_seconds=3600)
    dialer = Dialer(
        db, carrier=ScriptedCarrier(call_seconds=30.0), clock=clock, config=config, line_limit=limit
    )
    asyncio.run(clock.run(dialer.run_until_idle()))
    return calls_of(db, task.id)


def test_the_dialer_keeps_to_the_line_limit_it_is_given(db):
    asked: list[int] = []

    def three() -> int:
        asked.append(3)
        return 3

    calls = run_with_limit(db, three)
    assert len(calls) == 12 and asked
    assert max_open((c.start_at, c.end_at) for c in calls) == 3


def test_a_limit_above_the_lines_does_not_raise_them(db):
    calls = run_with_limit(db, lambda: 50)
    assert max_open((c.start_at, c.end_at) for c in calls) == 10


def test_without_a_line_limit_the_dialer_fills_its_lines(db):
    calls = run_with_limit(db, None)
    assert max_open((c.start_at, c.end_at) for c in calls) == 10
