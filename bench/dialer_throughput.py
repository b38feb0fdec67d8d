"""Benchmark: the dialer on the sim carrier, on SQLite and on PostgreSQL.

    .venv/bin/python bench/dialer_throughput.py [--seconds 30] [--virtual-numbers 100000]
        [--db sqlite,postgres] [--parts real,virtual]

A. Real time, one worker, zero talk time: every call rings for a fixed few seconds and
   ends, so the number of calls in flight is the dial rate times the ring time. Reports
   dial attempts per second over the steady part of the run, the peak number of calls in
   flight, and the process's RSS growth per in-flight call. Targets: >= 1,000 concurrent
   calls and >= 200 attempts/s.
B. Virtual time: a 100,000-number task (window all day, retries on) run to `done` with
   the virtual clock. Target: <= 60 s of wall time.

PostgreSQL runs in a temporary data directory on loopback (tests/support/postgres.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.postgres import TempPostgres  # noqa: E402

from voxdial.clock import SystemClock, VirtualClock  # noqa: E402
from voxdial.dialer.dialer import Dialer, DialerConfig  # noqa: E402
from voxdial.domain.phone import PhoneNormalizer  # noqa: E402
from voxdial.domain.status import HangupReason  # noqa: E402
from voxdial.store import assistants, tasks  # noqa: E402
from voxdial.store.db import Database  # noqa: E402
from voxdial.store.migrate import upgrade  # noqa: E402
from voxdial.store.models import Task  # noqa: E402
from voxdial.store.tokens import get_or_create_workspace  # noqa: E402
from voxdial.telephony.sim import SimCarrier, SimConfig  # noqa: E402

console = Console()
RING_SECONDS = 6.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def make_task(db: Database, *, numbers: int, concurrency: int, retry: int) -> int:
    normalizer = PhoneNormalizer("CN")
    with db.session() as s:
        ws, user = get_or_create_workspace(s, name=f"bench-{time.time_ns()}", email="b@x")
        config = assistants.default_config("Asia/Shanghai")
        config.update(welcome="您好", collect=[{"question": "满意吗？", "answers": ["满意"]}])
        a, _ = assistants.create_assistant(
            s, workspace_id=ws.id, user_id=user.id, name="bench", config=config
        )
        today = datetime.now(UTC).date() - timedelta(days=1)
        t = tasks.create_task(
            s,
            workspace_id=ws.id,
            time_zone="Asia/Shanghai",
            name="bench",
            assistant_id=a.id,
            assistant_vid=None,
            normalizer=normalizer,
            option={
                "startDate": today.isoformat(),
                "startTime": [["00:00", "24:00"]],
                "retryCount": retry,
                "retryInterval": 1,
                "concurrency": concurrency,
            },
        )
        rows = [{"号码": f"139{i:08d}"} for i in range(numbers)]
        for i in range(0, len(rows), 10_000):
            tasks.add_numbers_from_json(
                s, task=t, numbers=rows[i : i + 10_000], normalizer=normalizer
            )
        t.status = "running"
        s.commit()
        return t.id


def sim(seed: int) -> SimCarrier:
    return SimCarrier(
        SimConfig(
            seed=seed,
            ring_seconds=(RING_SECONDS, RING_SECONDS),
            no_answer_seconds=RING_SECONDS,
            talk_seconds_per_char=0.0,
            think_seconds=0.0,
            rates={HangupReason.ANSWERED: 0.6, HangupReason.NO_ANSWER: 0.3, HangupReason.BUSY: 0.1},
        )
    )


async def real_time(db: Database, seconds: float) -> dict[str, float]:
    task_id = make_task(db, numbers=int(seconds * 400) + 5000, concurrency=5000, retry=0)
    config = DialerConfig(
        tick_seconds=0.05, max_lines=3000, calls_per_second=0, daily_cap=0, lease_seconds=600
    )
    dialer = Dialer(db, carrier=sim(1), clock=SystemClock(), config=config)
    stop = asyncio.Event()
    base_rss = rss_mb()
    runner = asyncio.create_task(dialer.run(stop))
    samples: list[tuple[float, int, int]] = []  # (t, attempts started, in flight)
    started_at = time.perf_counter()
    peak_rss = base_rss
    while time.perf_counter() - started_at < seconds:
        await asyncio.sleep(1.0)
        with db.session() as s:
            t = s.get(Task, task_id)
            attempts = t.final_num + t.calling_num
        samples.append((time.perf_counter() - started_at, attempts, dialer.in_flight))
        peak_rss = max(peak_rss, rss_mb())
    stop.set()
    await runner
    # steady state: from the first second with a full pipeline to the end
    steady = [x for x in samples if x[0] >= RING_SECONDS + 1] or samples
    rate = (steady[-1][1] - steady[0][1]) / max(1e-9, steady[-1][0] - steady[0][0])
    peak = max(x[2] for x in samples)
    return {
        "attempts_per_s": rate,
        "peak_in_flight": peak,
        "rss_per_call_kb": (peak_rss - base_rss) * 1024 / max(1, peak),
        "peak_rss_mb": peak_rss,
    }


def virtual(db: Database, numbers: int) -> dict[str, float]:
    task_id = make_task(db, numbers=numbers, concurrency=1000, retry=2)
    start = datetime.now(UTC)
    clock = VirtualClock(start)
    config = DialerConfig(
        tick_seconds=5.0, max_lines=1000, calls_per_second=0, daily_cap=0, lease_seconds=3600
    )
    carrier = SimCarrier(SimConfig(seed=2))  # realistic rates, ring and talk times
    dialer = Dialer(db, carrier=carrier, clock=clock, config=config)
    began = time.perf_counter()
    asyncio.run(clock.run(dialer.run_until_idle()))
    wall = time.perf_counter() - began
    with db.session() as s:
        t = s.get(Task, task_id)
        status, final, total = t.status, t.final_num, t.total
    hours = (clock.now() - start).total_seconds() / 3600
    return {
        "wall_s": wall,
        "status": status,
        "final": final,
        "total": total,
        "virtual_hours": hours,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--virtual-numbers", type=int, default=100_000)
    ap.add_argument("--db", default="sqlite,postgres")
    ap.add_argument("--parts", default="real,virtual", help="real, virtual or both")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    results = []
    for kind in args.db.split(","):
        pg = None
        tmp = tempfile.mkdtemp(prefix="voxdial-bench-")
        if kind == "postgres":
            pg = TempPostgres()
            pg.start()
            url = pg.create_database("bench")
        else:
            url = f"sqlite:///{os.path.join(tmp, 'bench.db')}"
        try:
            upgrade(url)
            db = Database(url)
            rt, vt = None, None
            if "real" in parts:
                console.print(f"[bold]{kind}[/bold]: real-time run, {args.seconds:.0f} s ...")
                rt = asyncio.run(real_time(db, args.seconds))
            if "virtual" in parts:
                n = args.virtual_numbers
                console.print(f"[bold]{kind}[/bold]: virtual-time run, {n} numbers")
                vt = virtual(db, n)
                console.print(
                    f"{kind}: {vt['final']}/{vt['total']} numbers, {vt['status']}, "
                    f"{vt['wall_s']:.1f} s wall, {vt['virtual_hours']:.1f} h virtual"
                )
            db.dispose()
            results.append((kind, rt, vt))
        finally:
            if pg is not None:
                pg.stop()
            shutil.rmtree(tmp, ignore_errors=True)
    table = Table(title="dialer on the sim carrier (one worker)")
    for col in (
        "db",
        "attempts/s",
        "peak in flight",
        "RSS/call KB",
        "peak RSS MB",
        "100k virtual: wall s",
        "virtual h",
        "status",
    ):
        table.add_column(col)
    for kind, rt, vt in results:
        real_cols = (
            [
                f"{rt['attempts_per_s']:.0f}",
                f"{rt['peak_in_flight']:.0f}",
                f"{rt['rss_per_call_kb']:.1f}",
                f"{rt['peak_rss_mb']:.0f}",
            ]
            if rt
            else ["-"] * 4
        )
        virtual_cols = (
            [
                f"{vt['wall_s']:.1f}",
                f"{vt['virtual_hours']:.1f}",
                f"{vt['status']} {vt['final']}/{vt['total']}",
            ]
            if vt
            else ["-"] * 3
        )
        table.add_row(kind, *real_cols, *virtual_cols)
    console.print(table)


if __name__ == "__main__":
    main()
