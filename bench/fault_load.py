"""Load and faults together: the worst inputs of issue 11, replayed at once against a real
`voxdial serve` (SQLite, the sim carrier, loopback only) while another workspace's task
dials and its `GET /openapi/tasks/{id}` is timed.

    .venv/bin/python bench/fault_load.py [--before 10] [--numbers 3000] [--xlsx 40]

1. Starts `voxdial serve` on a free port in a temporary directory (rate limit off, no
   speech models, short simulated calls) and makes a second workspace's token with
   `voxdial token create`.
2. The victim workspace: an assistant and a task of `--numbers` numbers, dialling all
   day, started. Two pollers read its detail, a few times a second each, and the victim
   writes (adds a number to its block list) twice a second: every answer is timed and
   its status kept.
3. `--before` seconds of that alone, then the faults, all at once, from the attacker
   workspace:
   - a task starting 9999-12-31 through the API (should be 422), and one written into
     the database past the API and started (the dialer should stop it, stop.abnormal);
   - a task listing one number file 100 times (should be 422);
   - a legitimate import of `--import-rows` rows (should be 201, in batches);
   - `--xlsx` uploads at once of a ~1.5 MB XLSX whose sheet claims A1:XFD1048576 (201,
     or 503 with Retry-After past the file threads; never a 500).
   The pollers go on until the faults are done (at least `--during` seconds).
4. Prints p50/p99/max of the victim's reads before and during, its writes' statuses,
   what each fault got, and how many numbers the victim's task called in each phase.
   The server is stopped whatever happens; every process here is this script's own.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from openpyxl import Workbook
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.figures import commit, pct  # noqa: E402
from import_numbers import generate  # noqa: E402
from task_detail_http import ASSISTANT, VENV_BIN, Server, free_port  # noqa: E402

console = Console(stderr=True)
ZONE = "Asia/Shanghai"  # the server's default workspace zone
META = {"号码": 0, "姓名": 1, "备注": 2}


def option(**changes: Any) -> dict[str, Any]:
    today = datetime.now(ZoneInfo(ZONE)).date().isoformat()
    return {
        "numberFileMeta": META,
        "startDate": today,
        "startTime": [["00:00", "24:00"]],
        "retryCount": 0,
        "concurrency": 20,
        **changes,
    }


def padded_xlsx(rows: int) -> bytes:
    """A workbook of `rows` numbers whose sheet declares A1:XFD1048576 (16,384 columns):
    read by the declared size, each row is 16,384 cells."""
    wb = Workbook()
    ws = wb.active
    ws.append(list(META))
    for i in range(rows):
        ws.append([13900000000 + i, "张三", "x"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', data
                )
            zf.writestr(info.filename, data)
    return out.getvalue()


def numbers_csv(path: Path, count: int, start: int) -> Path:
    lines = ["号码,姓名,备注"] + [f"137{start + i:08d},客户{i}," for i in range(count)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


class Recorder:
    """Timed requests of one kind, by phase."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[tuple[float, int]]] = {}

    def add(self, phase: str, seconds: float, status: int) -> None:
        with self.lock:
            self.samples.setdefault(phase, []).append((seconds, status))

    def summary(self, phase: str) -> dict[str, Any]:
        got = self.samples.get(phase, [])
        ms = sorted(s * 1000 for s, _ in got)
        statuses: dict[int, int] = {}
        for _, status in got:
            statuses[status] = statuses.get(status, 0) + 1

        return {
            "n": len(ms),
            "p50_ms": statistics.median(ms) if ms else float("nan"),
            "p99_ms": pct(ms, 99),
            "max_ms": ms[-1] if ms else float("nan"),
            "statuses": statuses,
        }


def timed(client: httpx.Client, method: str, url: str, **kw: Any) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        status = client.request(method, url, **kw).status_code
    except httpx.HTTPError:
        status = 0  # no answer (timeout, connection reset)
    return time.perf_counter() - started, status


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    port = free_port()
    server = Server(workdir, port, [])
    server.env.update(
        VOXDIAL_VOICE_WARM="false",
        VOXDIAL_SIM_TALK_SECONDS_PER_CHAR="0.01",
        VOXDIAL_DAILY_CALL_CAP="0",
        VOXDIAL_SIM_SEED="7",
    )
    out: dict[str, Any] = {}
    try:
        with console.status("starting voxdial serve"):
            victim_token = server.start()
        made = subprocess.run(
            [str(VENV_BIN / "voxdial"), "token", "create", "--workspace", "attacker"],
            env=server.env,
            capture_output=True,
            text=True,
            check=True,
        )
        attacker_token = made.stdout.strip().splitlines()[-1]
        api = f"{server.base}/openapi"
        victim = httpx.Client(
            base_url=api, headers={"Authorization": f"Bearer {victim_token}"}, timeout=120
        )
        attacker = httpx.Client(
            base_url=api, headers={"Authorization": f"Bearer {attacker_token}"}, timeout=600
        )

        # -- the victim's dialling task -------------------------------------------------
        with console.status(f"victim: a task of {args.numbers} numbers, started"):
            aid = victim.post("/assistants", json=ASSISTANT).raise_for_status().json()["id"]
            path = numbers_csv(workdir / "victim.csv", args.numbers, 0)
            with path.open("rb") as f:
                fid = victim.post("/numberfiles", files={"file": (path.name, f, "text/csv")})
            body = {
                "name": "受害者",
                "assistantId": aid,
                "option": option(numbers=[fid.json()["id"]]),
            }
            task = victim.post("/tasks", json=body).raise_for_status().json()
            victim.put(f"/tasks/{task['id']}/status", json={"status": "running"}).raise_for_status()

        # -- the attacker's material ------------------------------------------------------
        with console.status("attacker: files"):
            a_aid = attacker.post("/assistants", json=ASSISTANT).raise_for_status().json()["id"]
            dup = numbers_csv(workdir / "dup.csv", 19_800, 50_000_000)
            with dup.open("rb") as f:
                dup_id = attacker.post("/numberfiles", files={"file": (dup.name, f, "text/csv")})
            dup_id = dup_id.raise_for_status().json()["id"]
            big = workdir / "big.csv"
            generate(big, args.import_rows)
            with big.open("rb") as f:
                big_id = attacker.post("/numberfiles", files={"file": (big.name, f, "text/csv")})
            big_id = big_id.raise_for_status().json()["id"]
            xlsx = padded_xlsx(args.xlsx_rows)
            out["xlsx_bytes"] = len(xlsx)
            # the 9999 task to be written past the API: made valid, started, then spoiled
            body = {"name": "9999", "assistantId": a_aid, "option": option()}
            spoiled = attacker.post("/tasks", json=body).raise_for_status().json()
            r = attacker.post(
                f"/tasks/{spoiled['id']}/numbers", json={"numbers": [{"号码": "13600000001"}]}
            )
            r.raise_for_status()

        reads, writes = Recorder(), Recorder()
        phase = {"name": "before"}
        stop = threading.Event()

        def poll() -> None:
            with httpx.Client(
                base_url=api, headers={"Authorization": f"Bearer {victim_token}"}, timeout=120
            ) as c:
                while not stop.is_set():
                    seconds, status = timed(c, "GET", f"/tasks/{task['id']}")
                    reads.add(phase["name"], seconds, status)
                    stop.wait(1 / args.poll_rate)

        def write() -> None:
            n = 0
            with httpx.Client(
                base_url=api, headers={"Authorization": f"Bearer {victim_token}"}, timeout=120
            ) as c:
                while not stop.is_set():
                    n += 1
                    body = {"numbers": [f"135{n:08d}"], "reason": "bench"}
                    seconds, status = timed(c, "POST", "/blocklist", json=body)
                    writes.add(phase["name"], seconds, status)
                    stop.wait(0.5)

        def called() -> int:
            return victim.get(f"/tasks/{task['id']}/statistics").json()["calledNum"]

        workers = [threading.Thread(target=poll) for _ in range(2)]
        workers.append(threading.Thread(target=write))
        for w in workers:
            w.start()
        called_at_start = called()
        console.print(f"before: {args.before} s of the victim alone")
        time.sleep(args.before)
        called_before = called()
        phase["name"] = "during"
        during_started = time.perf_counter()
        console.print("during: the faults, all at once")

        faults: dict[str, Any] = {}

        def fault_9999_api() -> None:
            body = {"name": "9999", "assistantId": a_aid, "option": option(startDate="9999-12-31")}
            r = attacker.post("/tasks", json=body)
            faults["9999 through the API"] = r.status_code

        def fault_9999_db() -> None:
            with sqlite3.connect(workdir / "voxdial.db", timeout=30) as db:
                db.execute(
                    "UPDATE tasks SET option = json_set(option, '$.startDate', '9999-12-31') "
                    "WHERE id = ?",
                    (spoiled["id"],),
                )
            r = attacker.put(f"/tasks/{spoiled['id']}/status", json={"status": "running"})
            faults["9999 written to the DB, started"] = r.status_code

        def fault_duplicates() -> None:
            body = {"name": "dup", "assistantId": a_aid, "option": option(numbers=[dup_id] * 100)}
            started = time.perf_counter()
            r = attacker.post("/tasks", json=body)
            faults["one file listed 100 times"] = (
                f"{r.status_code} in {time.perf_counter() - started:.2f} s"
            )

        def fault_import() -> None:
            body = {"name": "big", "assistantId": a_aid, "option": option(numbers=[big_id])}
            started = time.perf_counter()
            r = attacker.post("/tasks", json=body)
            faults[f"an import of {args.import_rows:,} rows"] = (
                f"{r.status_code} in {time.perf_counter() - started:.1f} s"
            )

        def one_xlsx(i: int) -> tuple[int, float, str | None]:
            started = time.perf_counter()
            with httpx.Client(
                base_url=api, headers={"Authorization": f"Bearer {attacker_token}"}, timeout=600
            ) as c:
                r = c.post(
                    "/numberfiles", files={"file": (f"p{i}.xlsx", xlsx, "application/octet-stream")}
                )
            return r.status_code, time.perf_counter() - started, r.headers.get("retry-after")

        with ThreadPoolExecutor(args.xlsx + 4) as pool:
            jobs = [
                pool.submit(f)
                for f in (fault_9999_api, fault_9999_db, fault_duplicates, fault_import)
            ]
            uploads = [pool.submit(one_xlsx, i) for i in range(args.xlsx)]
            for j in jobs:
                j.result()
            results = [u.result() for u in uploads]
        statuses: dict[int, int] = {}
        for status, _, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        accepted = [s for status, s, _ in results if status == 201]
        faults[f"{args.xlsx} padded XLSX at once"] = (
            f"statuses {statuses}; accepted ones took "
            f"{min(accepted, default=0):.1f}..{max(accepted, default=0):.1f} s; "
            f"Retry-After on 503: {sorted({ra for st, _, ra in results if st == 503})}"
        )
        while time.perf_counter() - during_started < args.during:
            time.sleep(0.5)
        during_seconds = time.perf_counter() - during_started
        called_during = called()
        stop.set()
        for w in workers:
            w.join()
        out["spoiled_task"] = attacker.get(f"/tasks/{spoiled['id']}").json()
        out.update(
            faults=faults,
            reads={p: reads.summary(p) for p in ("before", "during")},
            writes={p: writes.summary(p) for p in ("before", "during")},
            called={
                "before": (called_before - called_at_start, args.before),
                "during": (called_during - called_before, during_seconds),
            },
            peak_rss_mb=server.peak_rss_mb(),
        )
        victim.close()
        attacker.close()
    finally:
        server.stop()
    server_log = server.log_path.read_text(errors="replace")
    out["server_500s"] = server_log.count(" 500 ")
    out["tracebacks"] = tracebacks(server_log)
    return out


def tracebacks(log: str) -> list[tuple[str, str]]:
    """Each traceback in a log: the line logged above it, and the exception ending it."""
    lines = log.splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            end = i + 1
            while end < len(lines) and lines[end][:1] in (" ", "\t"):
                end += 1
            found.append((lines[i - 1] if i else "", lines[end] if end < len(lines) else ""))
    return found


def report(r: dict[str, Any]) -> None:
    table = Table(title="victim workspace during the faults")
    for col in ("", "requests", "p50 ms", "p99 ms", "max ms", "statuses"):
        table.add_column(col)
    for kind in ("reads", "writes"):
        for phase in ("before", "during"):
            s = r[kind][phase]
            label = f"{'GET task' if kind == 'reads' else 'POST blocklist'} {phase}"
            table.add_row(
                label,
                str(s["n"]),
                f"{s['p50_ms']:.1f}",
                f"{s['p99_ms']:.1f}",
                f"{s['max_ms']:.1f}",
                json.dumps(s["statuses"]),
            )
    console.print(f"commit {commit()}")
    console.print(table)
    for phase, (n, seconds) in r["called"].items():
        console.print(
            f"victim task: {n} numbers called {phase} ({n / seconds:.1f}/s over {seconds:.0f} s)"
        )
    console.print(f"padded XLSX: {r['xlsx_bytes'] / 1e6:.2f} MB each")
    for what, got in r["faults"].items():
        console.print(f"  {what}: {got}")
    t = r["spoiled_task"]
    console.print(f"the 9999 task written to the DB: {t['status']} ({t['stopReason']})")
    console.print(
        f"server: {r['server_500s']} answers 500, peak RSS {r['peak_rss_mb'] or 0:.0f} MB, "
        f"{len(r['tracebacks'])} tracebacks logged"
    )
    for logged, error in r["tracebacks"]:
        console.print(f"  {logged[-90:]} -> {error[:120]}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--before", type=float, default=10.0, help="seconds of the victim alone")
    p.add_argument(
        "--during", type=float, default=20.0, help="at least this many seconds of faults"
    )
    p.add_argument("--numbers", type=int, default=3000, help="the victim task's numbers")
    p.add_argument("--import-rows", type=int, default=200_000, help="rows of the legitimate import")
    p.add_argument("--xlsx", type=int, default=40, help="padded XLSX uploads at once")
    p.add_argument(
        "--xlsx-rows", type=int, default=100_000, help="rows of the padded XLSX (~1.5 MB)"
    )
    p.add_argument("--poll-rate", type=float, default=5.0, help="reads per second per poller")
    p.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="voxdial-fault-") as tmp:
        r = run(args, Path(tmp))
    report(r)
    if args.json:
        print(json.dumps(r, ensure_ascii=False, indent=1, default=str))  # noqa: T201


if __name__ == "__main__":
    main()
