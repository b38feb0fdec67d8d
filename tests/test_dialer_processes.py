"""The dialer as real `voxdial worker` processes on the real PostgreSQL: a worker
killed with ~200 calls in flight loses and double-dials nothing, a worker killed and
started again under its name redials its cut calls at once (not after their leases),
and three workers on one task keep its retry policy and concurrency cap between them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import _truncate_all
from tests.support.dialer import (
    calls_of,
    counters,
    make_task,
    max_open,
    numbers_of,
    phones,
    recount,
    task_row,
)
from voxdial.domain.attempts import MAX_FREE_INTERRUPTIONS
from voxdial.domain.outcomes import RETRYABLE
from voxdial.domain.status import HangupReason
from voxdial.store.db import Database

VOXDIAL = str(Path(sys.executable).parent / "voxdial")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pg(postgres_base):
    if postgres_base is None:
        pytest.skip("PostgreSQL not available")
    _truncate_all(postgres_base)
    db = Database(postgres_base)
    yield postgres_base, db
    db.dispose()


def worker_env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "VOXDIAL_DATABASE_URL": url,
            "VOXDIAL_DATA_DIR": str(tmp_path / "data"),
            "VOXDIAL_DIALER_LEASE_SECONDS": "2",
            "VOXDIAL_DAILY_CALL_CAP": "0",
            "VOXDIAL_DIALER_MAX_LINES": "400",
            "VOXDIAL_DIALER_CALLS_PER_SECOND": "0",
            # no "call me later" persona: its callbacks come hours later, past these tests
            "VOXDIAL_SIM_PERSONAS": (
                "cooperative=5,refuses=2,asks_question=1,silent=1,hangs_up_after_opening=1"
            ),
            # this checkout's sources, whichever one the interpreter has installed
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        }
    )
    env.update(extra)
    return env


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    out = open(log, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    proc.log = out  # type: ignore[attr-defined]
    return proc


def kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)
    proc.log.close()  # type: ignore[attr-defined]


def wait_for(predicate, timeout: float, what: str, procs=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for p in procs:
            assert p.poll() is None, f"a worker exited with {p.returncode} while waiting: {what}"
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def today_option(zone: str = "Asia/Shanghai") -> dict:
    return {
        "timeZone": zone,
        "startDate": datetime.now(UTC).astimezone(ZoneInfo(zone)).date().isoformat(),
        "startTime": [["00:00", "24:00"]],
    }


def assert_policy_kept(db, task_id: int, retry_count: int) -> dict[int, list]:
    per = defaultdict(list)
    for c in calls_of(db, task_id):
        per[c.task_number_id].append(c)
    for n in numbers_of(db, task_id):
        attempts = sorted(per[n.id], key=lambda c: c.attempt)
        assert n.state == "done", (n.id, n.state)
        assert [c.attempt for c in attempts] == list(range(1, len(attempts) + 1))
        # calls cut by a lost worker use up no retry (up to MAX_FREE_INTERRUPTIONS)
        cut = [c for c in attempts if c.hangup_reason == HangupReason.INTERRUPTED]
        assert n.interrupted == len(cut) <= MAX_FREE_INTERRUPTIONS, (n.id, len(cut))
        counted = [c for c in attempts if c.hangup_reason != HangupReason.INTERRUPTED]
        assert counted and attempts[-1] is counted[-1], n.id
        assert len(counted) <= 1 + retry_count + n.callbacks, (n.id, len(counted))
        # every attempt but the last was retryable; the last is final by the policy
        assert all(HangupReason(c.hangup_reason) in RETRYABLE for c in counted[:-1])
        last = HangupReason(counted[-1].hangup_reason)
        assert last not in RETRYABLE or len(counted) == 1 + retry_count
    assert counters(db, task_id) == recount(db, task_id)
    return per


def test_worker_killed_with_calls_in_flight(pg, tmp_path):
    url, db = pg
    t = make_task(db, phones(220), concurrency=200, retryCount=1, retryInterval=0, **today_option())
    env = worker_env(url, tmp_path, VOXDIAL_SIM_TALK_SECONDS_PER_CHAR="0.05", VOXDIAL_SIM_SEED="3")
    first = start([VOXDIAL, "worker"], env, tmp_path / "worker1.log")
    second = None
    try:
        wait_for(lambda: task_row(db, t.id).calling_num >= 190, 60, "~200 calls in flight", [first])
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        in_flight = task_row(db, t.id).calling_num
        assert in_flight >= 190
        second = start([VOXDIAL, "worker"], env, tmp_path / "worker2.log")
        wait_for(lambda: task_row(db, t.id).status != "running", 120, "the task to end", [second])
    finally:
        kill(first)
        if second is not None:
            kill(second)
    row = task_row(db, t.id)
    assert row.status == "done", (row.status, row.stop_reason)
    per = assert_policy_kept(db, t.id, retry_count=1)
    lost = [
        c
        for v in per.values()
        for c in v
        if (c.extra or {}).get("error", "").startswith("worker lost")
    ]
    assert len(lost) >= in_flight - 5  # calls that the killed worker had not yet recorded


def test_worker_restarted_under_its_name_redials_at_once(pg, tmp_path):
    """Killed mid-call and started again as `voxdial worker --name w`: the cut calls are
    closed as interrupted and dialled again before their 300 s leases would have
    expired, using up neither the task's only attempt nor the number's one a day."""
    url, db = pg
    t = make_task(db, phones(60), concurrency=50, retryCount=0, retryInterval=0, **today_option())
    env = worker_env(
        url,
        tmp_path,
        VOXDIAL_DIALER_LEASE_SECONDS="300",
        VOXDIAL_DAILY_CALL_CAP="1",
        VOXDIAL_SIM_TALK_SECONDS_PER_CHAR="0.05",
        VOXDIAL_SIM_SEED="5",
    )
    cmd = [VOXDIAL, "worker", "--name", "w"]
    first = start(cmd, env, tmp_path / "worker1.log")
    second = None
    try:
        wait_for(lambda: task_row(db, t.id).calling_num >= 40, 60, "40 calls in flight", [first])
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        held = {n.id: n for n in numbers_of(db, t.id) if n.state == "calling"}
        assert len(held) >= 40
        assert {(n.worker_id, n.worker_generation) for n in held.values()} == {("w", 1)}
        second = start(cmd, env, tmp_path / "worker2.log")
        # the guard's timeout only ends a broken run; the verdict is read from the rows
        wait_for(lambda: task_row(db, t.id).status != "running", 120, "the task to end", [second])
    finally:
        kill(first)
        if second is not None:
            kill(second)
    row = task_row(db, t.id)
    assert row.status == "done", (row.status, row.stop_reason)
    per = assert_policy_kept(db, t.id, retry_count=0)
    for number_id, lease in held.items():
        calls = sorted(per[number_id], key=lambda c: c.attempt)
        cut, again = calls[-2:]
        assert cut.hangup_reason == "interrupted" and cut.extra["recovery"] == "restart"
        assert again.hangup_reason != "interrupted"
        # dialled again by the restarted worker while the old lease was still valid
        assert again.start_at < lease.lease_until, (again.start_at, lease.lease_until)
        assert again.worker_id == "w"
    assert counters(db, t.id) == recount(db, t.id)


def test_three_workers_share_one_task(pg, tmp_path):
    url, db = pg
    t = make_task(db, phones(300), concurrency=10, retryCount=2, retryInterval=0, **today_option())
    env = worker_env(url, tmp_path, VOXDIAL_DIALER_LEASE_SECONDS="30")
    cmd = [sys.executable, "-m", "tests.support.dialer"]
    procs = []
    try:
        for i in range(3):
            e = dict(env, VOXDIAL_SIM_SEED=str(i + 1))
            procs.append(start(cmd, e, tmp_path / f"worker{i}.log"))
        wait_for(lambda: task_row(db, t.id).status != "running", 240, "the task to end", procs)
    finally:
        for p in procs:
            kill(p)
    row = task_row(db, t.id)
    assert row.status == "done", (row.status, row.stop_reason)
    assert_policy_kept(db, t.id, retry_count=2)
    calls = calls_of(db, t.id)
    assert all(c.end_at is not None for c in calls)
    assert max_open((c.start_at, c.end_at) for c in calls) <= 10
    assert len({c.worker_id for c in calls}) >= 2  # the workers really shared the task
