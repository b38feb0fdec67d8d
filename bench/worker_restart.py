"""Benchmark: how soon the calls of a killed worker are dialled again.

    .venv/bin/python bench/worker_restart.py [--numbers 120] [--lease 30] [--in-flight 60]

A real `voxdial worker` on a temporary PostgreSQL is killed (SIGKILL) with calls in
flight, and a worker is started at once, either under the same name (it releases its
earlier start's calls at its start) or under another name (the calls wait for their
leases to expire). Reports, for each, the seconds from the second start until every cut
number has been dialled again (read from the call rows' start times), against the lease.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.dialer import calls_of, make_task, numbers_of, phones, task_row  # noqa: E402
from tests.support.postgres import TempPostgres  # noqa: E402

from voxdial.store.db import Database  # noqa: E402
from voxdial.store.migrate import upgrade  # noqa: E402

VOXDIAL = str(Path(sys.executable).parent / "voxdial")
console = Console()


def worker_env(url: str, data_dir: Path, lease: float) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "VOXDIAL_DATABASE_URL": url,
            "VOXDIAL_DATA_DIR": str(data_dir),
            "VOXDIAL_DIALER_LEASE_SECONDS": str(lease),
            "VOXDIAL_DAILY_CALL_CAP": "0",
            "VOXDIAL_DIALER_CALLS_PER_SECOND": "0",
            "VOXDIAL_SIM_TALK_SECONDS_PER_CHAR": "0.05",
            "VOXDIAL_SIM_SEED": "5",
            "VOXDIAL_SIM_PERSONAS": "cooperative=5,refuses=2,asks_question=1,silent=1",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        }
    )
    return env


def wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise SystemExit("timed out")


def run_once(url: str, *, second_name: str, args, tmp: Path) -> dict:
    db = Database(url)
    zone = "Asia/Shanghai"
    today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date().isoformat()
    t = make_task(
        db,
        phones(args.numbers),
        concurrency=args.in_flight,
        retryCount=0,
        timeZone=zone,
        startDate=today,
        startTime=[["00:00", "24:00"]],
    )
    env = worker_env(url, tmp / "data", args.lease)
    logs = []

    def start(name: str) -> subprocess.Popen:
        log = open(tmp / f"{name}-{len(logs)}.log", "wb")  # noqa: SIM115 - closed below
        logs.append(log)
        return subprocess.Popen(
            [VOXDIAL, "worker", "--name", name], env=env, stdout=log, stderr=subprocess.STDOUT
        )

    first = start("w")
    second = None
    try:
        wait_for(lambda: task_row(db, t.id).calling_num >= args.in_flight * 0.9, 120)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        held = {n.id: n.attempts for n in numbers_of(db, t.id) if n.state == "calling"}
        restarted = datetime.now(UTC)
        second = start(second_name)

        def redialled() -> bool:
            dialled = {(c.task_number_id, c.attempt) for c in calls_of(db, t.id)}
            return all((i, a + 1) in dialled for i, a in held.items())

        wait_for(redialled, args.lease * 3 + 120)
        starts = [
            c.start_at
            for c in calls_of(db, t.id)
            if c.task_number_id in held and c.attempt == held[c.task_number_id] + 1
        ]
    finally:
        for p in (first, second):
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(10)
        for log in logs:
            log.close()
        db.dispose()
    return {
        "cut": len(held),
        "first": (min(starts) - restarted).total_seconds(),
        "all": (max(starts) - restarted).total_seconds(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=120)
    parser.add_argument("--in-flight", type=int, default=60)
    parser.add_argument("--lease", type=float, default=30.0)
    args = parser.parse_args()
    server = TempPostgres()
    server.start()
    table = Table(title=f"cut calls dialled again (lease {args.lease:g} s)")
    for col in ("second start", "cut calls", "first redial s", "all redialled s", "/ lease"):
        table.add_column(col)
    try:
        for i, (label, name) in enumerate([("same name", "w"), ("another name", "x")]):
            url = server.create_database(f"restart_{i}")
            upgrade(url)
            with tempfile.TemporaryDirectory() as tmp:
                r = run_once(url, second_name=name, args=args, tmp=Path(tmp))
            table.add_row(
                label,
                str(r["cut"]),
                f"{r['first']:.1f}",
                f"{r['all']:.1f}",
                f"{r['all'] / args.lease:.2f}",
            )
    finally:
        server.stop()
    console.print(table)


if __name__ == "__main__":
    main()
