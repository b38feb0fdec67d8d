"""The dialer in virtual time, on SQLite and PostgreSQL: schedule, retry policy, task
end states, caps, block list, counters and lease recovery, judged from the rows."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.dialer import (
    ScriptedCarrier,
    block,
    calls_of,
    counters,
    make_task,
    max_open,
    numbers_of,
    phones,
    recount,
    run_virtual,
    set_status,
    task_row,
    usage_count,
)
from voxdial.clock import VirtualClock
from voxdial.dialer.dialer import Dialer, DialerConfig
from voxdial.domain.status import HangupReason as H
from voxdial.errors import InvalidSchedule
from voxdial.store.db import Database
from voxdial.telephony.sim import SimCarrier, SimConfig

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
SH = ZoneInfo("Asia/Shanghai")
WORK = [["09:00", "12:00"], ["14:00", "18:00"]]


@pytest.fixture
def db(db_url):
    d = Database(db_url)
    yield d
    d.dispose()


def cfg(**kw) -> DialerConfig:
    values = {"calls_per_second": 0, "daily_cap": 0, "lease_seconds": 3600}
    values.update(kw)
    return DialerConfig(**values)


def assert_counters_exact(db, task_id):
    assert counters(db, task_id) == recount(db, task_id)


def assert_inside(calls, zone, windows, start="2026-01-01", end=None, weeks=range(1, 8)):
    for c in calls:
        local = c.start_at.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)
        assert local.date() >= date.fromisoformat(start), c.start_at
        assert end is None or local.date() <= date.fromisoformat(end), c.start_at
        assert local.isoweekday() in weeks, c.start_at
        sec = local.hour * 3600 + local.minute * 60 + local.second
        assert any(_minutes(a) * 60 <= sec < _minutes(b) * 60 for a, b in windows), local


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


# -- the real simulated carrier -------------------------------------------------------


def test_sim_carrier_campaign(db):
    t = make_task(db, phones(30), startTime=WORK, retryCount=2, retryInterval=30, concurrency=5)
    carrier = SimCarrier(SimConfig(seed=7))
    run_virtual(db, carrier, T0, config=cfg())
    row = task_row(db, t.id)
    assert row.status == "done"
    calls = calls_of(db, t.id)
    assert_inside(calls, SH, WORK)
    assert max_open((c.start_at, c.end_at) for c in calls) <= 5
    per = defaultdict(list)
    for c in calls:
        per[c.task_number_id].append(c)
    numbers = numbers_of(db, t.id)
    # retries (2) plus the callbacks callees asked for ("call me later")
    assert all(len(per[n.id]) <= 3 + n.callbacks for n in numbers)
    assert any(n.callbacks for n in numbers)
    assert all(n.state == "done" for n in numbers)
    assert_counters_exact(db, t.id)
    answered_calls = sum(1 for c in calls if c.hangup_reason == "answered")
    assert usage_count(db, t.assistant_id) == answered_calls >= row.answered_num > 0
    assert all(c.intent_level for c in calls)
    assert {c.intent_level for c in calls if c.hangup_reason != "answered"} == {"E"}


# -- lifecycle ------------------------------------------------------------------------


def test_all_final_is_done_with_counters_usage_and_statistics(env, tmp_path):
    db = env.db
    t = make_task(db, phones(12), retryCount=1, retryInterval=5, concurrency=4)
    scripts = {p: [H.NO_ANSWER] for p in t.phones[:3]}
    scripts.update({p: [H.VACANT] for p in t.phones[3:5]})
    carrier = ScriptedCarrier(
        scripts, answers={"您对我们的服务满意吗？": "满意", "您愿意推荐给朋友吗？": "愿意"}
    )
    run_virtual(db, carrier, T0, config=cfg())
    row = task_row(db, t.id)
    assert row.status == "done" and row.ended_at is not None
    assert_counters_exact(db, t.id)
    assert row.answered_num == 10 and row.collected_num == 10 and row.called_num == 12
    assert usage_count(db, t.assistant_id) == 10
    r = env.client.get(f"/openapi/tasks/{t.id}/statistics")
    assert r.status_code == 200, r.text
    stats = r.json()
    assert stats["calledAnsweredNum"] == 10 and stats["callingNum"] == 0
    first = {x["result"]: x["total"] for x in stats["overview"][0]["results"]}
    assert first["满意"] == 10 and stats["overview"][0]["total"] == 10


def test_end_date_passing_is_stop_timeout(db):
    t = make_task(
        db,
        phones(20),
        startDate="2026-06-15",
        endDate="2026-06-15",
        startTime=[["09:00", "10:00"]],
        concurrency=1,
    )
    run_virtual(db, ScriptedCarrier(call_seconds=600), T0, config=cfg())
    row = task_row(db, t.id)
    assert row.status == "stop.timeout"
    assert row.stop_reason
    calls = calls_of(db, t.id)
    assert 0 < len(calls) < 20
    assert_inside(calls, SH, [["09:00", "10:00"]], end="2026-06-15")
    assert sum(n.state == "pending" for n in numbers_of(db, t.id)) == 20 - len(calls)
    assert_counters_exact(db, t.id)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_failing_carrier_trips_the_breaker(db, concurrency):
    t = make_task(db, phones(40), retryCount=0, concurrency=concurrency)
    run_virtual(db, ScriptedCarrier(default=H.FAILED, call_seconds=10), T0, config=cfg())
    row = task_row(db, t.id)
    assert row.status == "stop.abnormal"
    assert "fail" in row.stop_reason
    calls = calls_of(db, t.id)
    # claims stop once 20 failures in a row are recorded; calls then in flight may end
    assert 20 <= len(calls) <= 20 + concurrency - 1
    assert all(c.start_at <= row.ended_at for c in calls)
    assert all(c.end_at is not None for c in calls)
    assert_counters_exact(db, t.id)


def test_stop_operate_stops_claiming_and_resume_continues(db):
    t = make_task(db, phones(20), concurrency=5)
    stop_at = T0 + timedelta(seconds=90)
    stopped = []

    def on_tick(now):
        if now >= stop_at and not stopped:
            set_status(db, t.id, "stop.operate")
            stopped.append(now)

    clock = VirtualClock(T0)
    dialer = Dialer(db, carrier=ScriptedCarrier(call_seconds=60), clock=clock, config=cfg())
    asyncio.run(clock.run(dialer.run_until_idle(on_tick=on_tick)))
    row = task_row(db, t.id)
    assert row.status == "stop.operate" and row.calling_num == 0
    calls = calls_of(db, t.id)
    assert 5 <= len(calls) < 20
    assert all(c.end_at is not None and c.hangup_reason == "answered" for c in calls)
    assert all(c.start_at <= stopped[0] for c in calls)
    assert_counters_exact(db, t.id)

    set_status(db, t.id, "running")
    run_virtual(db, ScriptedCarrier(call_seconds=60), T0 + timedelta(hours=1), config=cfg())
    assert task_row(db, t.id).status == "done"
    calls = calls_of(db, t.id)
    assert len(calls) == 20 and len({c.task_number_id for c in calls}) == 20
    assert_counters_exact(db, t.id)


def test_blocked_at_dial_time_is_never_dialled(db):
    t = make_task(db, phones(10), concurrency=3)
    blocked = set(t.phones[2:4])
    for p in blocked:
        block(db, t.workspace_id, p)
    carrier = ScriptedCarrier()
    run_virtual(db, carrier, T0, config=cfg())
    assert task_row(db, t.id).status == "done"
    assert not blocked & set(carrier.placed) and len(carrier.placed) == 8
    outcomes = {n.phone: n.last_outcome for n in numbers_of(db, t.id)}
    assert all(outcomes[p] == "blocked" for p in blocked)
    assert all(c.hangup_reason == "blocked" for c in calls_of(db, t.id) if c.callee in blocked)
    assert_counters_exact(db, t.id)


def test_daily_cap_defers_a_number_present_in_two_tasks(db):
    shared = phones(1, seed=99)[0]
    a = make_task(db, [shared, *phones(3, seed=5)], retryCount=0)
    b = make_task(db, [shared, *phones(3, seed=6)], retryCount=0)
    run_virtual(db, ScriptedCarrier(), T0, config=cfg(daily_cap=1))
    assert task_row(db, a.id).status == task_row(db, b.id).status == "done"
    days = sorted(
        c.start_at.astimezone(SH).date()
        for c in calls_of(db, a.id) + calls_of(db, b.id)
        if c.callee == shared
    )
    assert len(days) == 2 and days[0] != days[1]
    assert_counters_exact(db, a.id)
    assert_counters_exact(db, b.id)


def test_concurrency_cap_from_call_intervals(db):
    t = make_task(db, phones(40), concurrency=7, retryCount=1, retryInterval=0)
    scripts = {p: [H.BUSY] for p in t.phones[::3]}
    carrier = ScriptedCarrier(scripts, seconds={H.BUSY: 7.0}, call_seconds=43.0)
    run_virtual(db, carrier, T0, config=cfg())
    calls = calls_of(db, t.id)
    assert max_open((c.start_at, c.end_at) for c in calls) == 7
    assert_counters_exact(db, t.id)


def test_first_attempts_before_retries(db):
    t = make_task(db, phones(10), concurrency=1, retryCount=1, retryInterval=0)
    carrier = ScriptedCarrier({t.phones[0]: [H.NO_ANSWER]}, call_seconds=20)
    run_virtual(db, carrier, T0, config=cfg())
    calls = sorted(calls_of(db, t.id), key=lambda c: c.start_at)
    assert [c.attempt for c in calls] == [1] * 10 + [2]
    assert task_row(db, t.id).status == "done"


# -- lease recovery -------------------------------------------------------------------


class HangingCarrier:
    name = "hanging"

    async def place_call(self, request, *, clock, engine):
        await clock.sleep(10**7)


def _crash_after_claims(db, lease_seconds: float) -> int:
    """A dialer claims numbers, then dies mid-call (its tasks are cancelled)."""

    async def main():
        clock = VirtualClock(T0)
        dialer = Dialer(db, carrier=HangingCarrier(), clock=clock, config=cfg(lease_seconds=60))
        started = dialer.tick()
        await asyncio.sleep(0)
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()
        await asyncio.sleep(0)
        return started

    return asyncio.run(main())


@pytest.mark.parametrize("retry_count", [0, 1])
def test_lease_recovery_after_a_crash(db, retry_count):
    """Leases that expired (a worker that is not coming back): the calls are closed as
    interrupted and dialled again without using up a retry."""
    t = make_task(db, phones(30), concurrency=25, retryCount=retry_count, retryInterval=0)
    claimed = _crash_after_claims(db, lease_seconds=60)
    assert claimed == 25
    assert task_row(db, t.id).calling_num == 25
    run_virtual(db, ScriptedCarrier(), T0 + timedelta(seconds=61), config=cfg(lease_seconds=60))
    row = task_row(db, t.id)
    assert row.status == "done"  # 25 lost calls are not a failing carrier
    calls = calls_of(db, t.id)
    lost = [c for c in calls if c.hangup_reason == "interrupted"]
    assert len(lost) == 25
    assert all(c.extra["error"].startswith("worker lost") for c in lost)
    assert all(c.extra["recovery"] == "lease expired" for c in lost)
    # the lease was last set when the call was claimed: the call ended then at the latest
    assert all(c.end_at == c.start_at == T0 for c in lost)
    per = defaultdict(list)
    for c in calls:
        per[c.task_number_id].append(c)
    assert len(per) == 30
    # whatever the retry count, each cut number is dialled again and answered
    cut = {c.task_number_id for c in lost}
    for number_id, v in per.items():
        want = ["interrupted", "answered"] if number_id in cut else ["answered"]
        assert [c.hangup_reason for c in sorted(v, key=lambda c: c.attempt)] == want
    numbers = numbers_of(db, t.id)
    assert all(n.state == "done" and n.lease_until is None for n in numbers)
    assert sorted(n.interrupted for n in numbers) == [0] * 5 + [1] * 25
    assert_counters_exact(db, t.id)


# -- property: schedule and retry policy hold for random tasks --------------------------

ZONES = ["America/New_York", "Europe/London", "Asia/Shanghai"]
DST_DAYS = [date(2026, 3, 8), date(2026, 11, 1), date(2026, 3, 29), date(2026, 10, 25)]
OUTCOMES = [H.ANSWERED, H.NO_ANSWER, H.BUSY, H.FAILED, H.VACANT, H.POWERED_OFF, H.VOICEMAIL]


def _hhmm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


@st.composite
def tasks_and_scripts(draw):
    zone = draw(st.sampled_from(ZONES))
    cuts = draw(
        st.lists(st.integers(0, 96), min_size=2, max_size=6, unique=True).map(sorted)
    )  # quarter hours
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    windows = [[_hhmm(a * 15), _hhmm(b * 15)] for a, b in pairs[:3]]
    weeks = draw(st.lists(st.integers(1, 7), min_size=1, max_size=7, unique=True))
    day = draw(st.sampled_from(DST_DAYS))
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(-48 * 60, 48 * 60))
    )
    start_date = start.astimezone(ZoneInfo(zone)).date() + timedelta(days=draw(st.integers(-1, 2)))
    end_date = None
    if draw(st.booleans()):
        end_date = start_date + timedelta(days=draw(st.integers(0, 6)))
    n = draw(st.integers(3, 8))
    scripts = draw(
        st.lists(st.lists(st.sampled_from(OUTCOMES), max_size=4), min_size=n, max_size=n)
    )
    option = {
        "timeZone": zone,
        "startTime": windows,
        "weeks": weeks,
        "startDate": start_date.isoformat(),
        "retryCount": draw(st.integers(0, 3)),
        "retryInterval": draw(st.sampled_from([0, 1, 5, 30, 120])),
        "concurrency": draw(st.integers(1, 4)),
    }
    if end_date:
        option["endDate"] = end_date.isoformat()
    seconds = draw(st.sampled_from([5.0, 60.0, 600.0, 2400.0]))
    return option, start, scripts, seconds


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=tasks_and_scripts())
def test_property_schedule_and_retry_policy(case, sqlite_template, tmp_path):
    option, start, scripts, seconds = case
    path = tmp_path / f"{uuid.uuid4().hex}.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    try:
        nums = phones(len(scripts), seed=3)
        try:
            t = make_task(db, nums, **option)
        except InvalidSchedule:
            return  # no calling day between the dates: the API refuses such a task
        carrier = ScriptedCarrier(
            {p: list(s) for p, s in zip(nums, scripts, strict=True)}, call_seconds=seconds
        )
        # Long enough for every attempt the policy allows: a week may hold as little as
        # one window that fits one call (a 15-minute window, concurrency 1, 40-minute
        # calls), and an endless task stays running until its last attempt.
        weeks = 2 + len(scripts) * (1 + option["retryCount"])
        run_virtual(
            db,
            carrier,
            start,
            config=cfg(breaker_threshold=10**6),
            until=start + timedelta(weeks=weeks),
        )
        row = task_row(db, t.id)
        calls = calls_of(db, t.id)
        zone = ZoneInfo(option["timeZone"])
        s_date = date.fromisoformat(option["startDate"])
        e_date = date.fromisoformat(option["endDate"]) if option.get("endDate") else None
        for c in calls:  # an oracle independent of Schedule
            local = c.start_at.astimezone(zone)
            assert local.date() >= s_date, (c.start_at, local)
            assert e_date is None or local.date() <= e_date, (c.start_at, local)
            assert local.isoweekday() in option["weeks"], (c.start_at, local)
            sec = local.hour * 3600 + local.minute * 60 + local.second
            assert any(
                _minutes(a) * 60 <= sec < _minutes(b) * 60 for a, b in option["startTime"]
            ), (c.start_at, local, option["startTime"])
        per = defaultdict(list)
        for c in calls:
            per[c.task_number_id].append(c.start_at)
        gap = timedelta(minutes=option["retryInterval"])
        for starts in per.values():
            assert len(starts) <= 1 + option["retryCount"]
            starts.sort()
            assert all(b - a >= gap for a, b in zip(starts, starts[1:], strict=False))
        assert max_open((c.start_at, c.end_at) for c in calls) <= option["concurrency"]
        assert row.status in ("done", "stop.timeout"), row.status
        if row.status == "done":
            assert all(n.state == "done" for n in numbers_of(db, t.id))
        assert row.calling_num == 0
        assert_counters_exact(db, t.id)
    finally:
        db.dispose()
