"""Benchmark: `GET /openapi/tasks/{id}` over HTTP with wrk, for a 10-number task and a
1,000,000-number task, against a real `voxdial serve` on SQLite.

    .venv/bin/python bench/task_detail_http.py [--numbers 1000000] [--duration 15]
        [--workers 1,2]

1. Starts `voxdial serve --port <free port>` on a fresh SQLite file in a temporary
   directory (rate limit off), and reads the token it writes to `<data_dir>/token`.
2. Through the HTTP API: creates an assistant, uploads a 10-row CSV and creates a task
   from it, then uploads the generated 1M-row CSV (bench/import_numbers.py's generator)
   and creates a task from it (the import runs inside the server, as in production).
3. Runs wrk (2 threads, 50 connections, `--latency`, a Lua script adding the
   Authorization header) against each task's detail: a warm-up, then the measured
   runs, alternating small and big task `--repeat` times; medians are reported.
4. Stops the server, whatever happens.

`--workers 1,2` measures `voxdial serve --workers N` for each N in the same run: one
server per N, all on the one database and its tasks and all up for the whole run, a
warm-up on each, then rounds that measure each N in turn (the order reversed every other
round). The report gives each N's medians and their ratios to the first N's.

wrk and the server share the machine's cores. Targets: >= 1,000 requests/s with
p99 <= 50 ms, and the big task's latency within 1.2x of the small one's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_numbers import describe_speed, generate, machine_speed  # noqa: E402

TARGET_RPS = 1_000
TARGET_P99_MS = 50.0
TARGET_RATIO = 1.2
VENV_BIN = Path(sys.executable).parent

console = Console(stderr=True)

# wrk's Lua: the token comes from the environment (not the command line); `done` prints
# one JSON line with the figures, so nothing depends on wrk's text layout.
WRK_SCRIPT = """
local token = os.getenv("VOXDIAL_BENCH_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'VOXDIAL_WRK {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""

OPTION = {
    "numberFileMeta": {"号码": 0, "姓名": 1, "备注": 2},
    "startDate": "2026-12-01",
    "startTime": [["09:00", "12:00"], ["14:00", "18:00"]],
    "retryCount": 2,
    "retryInterval": 30,
}
ASSISTANT = {
    "name": "满意度回访",
    "welcome": "您好{姓名}，我是小狐，耽误您一分钟做个回访。",
    "collect": [{"question": "您对我们的服务满意吗？", "answers": ["满意", "一般", "不满意"]}],
    "knowledge": "营业时间：每天九点到十八点。",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`voxdial serve` in its own process group; always stopped by `stop()`."""

    def __init__(self, workdir: Path, port: int, extra_args: list[str]) -> None:
        self.workdir = workdir
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.data_dir = workdir / "data"
        # holds the first-start token: not printed
        self.log_path = workdir / f"server-{port}.log"
        self.env = {
            **os.environ,
            "VOXDIAL_DATABASE_URL": f"sqlite:///{workdir / 'voxdial.db'}",
            "VOXDIAL_DATA_DIR": str(self.data_dir),
            "VOXDIAL_RATE_LIMIT_PER_SECOND": "0",
        }
        self.args = [str(VENV_BIN / "voxdial"), "serve", "--port", str(port), *extra_args]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> str:
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.args,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"voxdial serve exited with {self.proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return (self.data_dir / "token").read_text().strip()
            time.sleep(0.2)
        raise RuntimeError(f"voxdial serve did not answer on port {self.port} in {timeout} s")

    def peak_rss_mb(self) -> float | None:
        """The peak resident memory of the server and its API processes, together."""
        if self.proc is None:
            return None
        total = 0.0
        for pid in (self.proc.pid, *_children(self.proc.pid)):
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            total += int(line.split()[1]) / 1024
            except OSError:
                continue
        return total or None

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGINT, 15), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)  # the group this script created for the server
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def setup_tasks(base: str, token: str, numbers: int, workdir: Path) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{base}/openapi", headers=headers, timeout=600) as c:
        r = c.post("/assistants", json=ASSISTANT)
        r.raise_for_status()
        assistant_id = r.json()["id"]

        def task_from(csv_path: Path, name: str) -> tuple[dict[str, Any], float, float]:
            started = time.perf_counter()
            with csv_path.open("rb") as f:
                r = c.post("/numberfiles", files={"file": (csv_path.name, f, "text/csv")})
            r.raise_for_status()
            uploaded = time.perf_counter()
            body = {
                "name": name,
                "assistantId": assistant_id,
                "option": {**OPTION, "numbers": [r.json()["id"]]},
            }
            r = c.post("/tasks", json=body)
            r.raise_for_status()
            return r.json(), uploaded - started, time.perf_counter() - uploaded

        small_csv = workdir / "small.csv"
        small_csv.write_text(
            "号码,姓名,备注\r\n" + "".join(f"1391234{i:04d},客户{i},\r\n" for i in range(10)),
            encoding="utf-8",
        )
        small, _, _ = task_from(small_csv, "十个号码")
        big_csv = workdir / "big.csv"
        with console.status(f"generating {numbers:,} rows"):
            generate(big_csv, numbers)
        with console.status(f"uploading and importing {numbers:,} rows through the API"):
            big, upload_s, create_s = task_from(big_csv, "一百万个号码")
        big_csv.unlink()
        # a read through the API, as wrk will do it
        for task in (small, big):
            r = c.get(f"/tasks/{task['id']}")
            r.raise_for_status()
            assert r.json()["total"] == task["total"]
    return {
        "small": small,
        "big": big,
        "big_upload_seconds": upload_s,
        "big_create_seconds": create_s,
    }


def run_wrk(
    url: str, token: str, script: Path, *, duration: int, connections: int, threads: int
) -> dict[str, Any]:
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    proc = subprocess.run(
        cmd,
        env={**os.environ, "VOXDIAL_BENCH_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr[-2000:]}")
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("VOXDIAL_WRK ")), None)
    if line is None:
        raise RuntimeError("wrk printed no summary")
    raw = json.loads(line.removeprefix("VOXDIAL_WRK "))
    errors = raw["errors"]
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "requests": raw["requests"],
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "errors": errors,
        "failed": sum(errors.values()),
    }


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms")
    out: dict[str, Any] = {k: statistics.median(r[k] for r in runs) for k in keys}
    out["failed"] = sum(r["failed"] for r in runs)
    out["requests"] = sum(r["requests"] for r in runs)
    return out


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    speed_before = machine_speed()
    counts: list[int] = args.workers
    extra = args.server_arg or []
    # one server per count, all on the one database, all up for the whole run: the
    # measured runs alternate between them, so a load that comes and goes on the machine
    # falls on each about equally (only the one measured is sent requests)
    servers = {n: Server(workdir, free_port(), [*extra, "--workers", str(n)]) for n in counts}
    try:
        first = servers[counts[0]]
        with console.status(f"starting voxdial serve --workers {counts[0]}"):
            token = first.start()
        tasks = setup_tasks(first.base, token, args.numbers, workdir)
        console.print(
            f"tasks ready: {tasks['small']['total']} and {tasks['big']['total']:,} numbers "
            f"(the big one: upload {tasks['big_upload_seconds']:.1f} s, "
            f"create + import {tasks['big_create_seconds']:.1f} s)"
        )
        for n in counts[1:]:
            with console.status(f"starting voxdial serve --workers {n}"):
                servers[n].start()
        script = workdir / "auth.lua"
        script.write_text(WRK_SCRIPT)
        urls = {
            n: {k: f"{servers[n].base}/openapi/tasks/{tasks[k]['id']}" for k in ("small", "big")}
            for n in counts
        }
        wrk = {"threads": args.threads, "connections": args.connections}
        for n in counts:
            for k in ("small", "big"):
                with console.status(f"warm-up: {n} worker(s), {k} task, {args.warmup} s"):
                    run_wrk(urls[n][k], token, script, duration=args.warmup, **wrk)
        runs: dict[int, dict[str, list[dict[str, Any]]]] = {
            n: {"small": [], "big": []} for n in counts
        }
        for i in range(1, args.repeat + 1):
            # every other round in reverse order, so that neither count always goes first
            for n in counts if i % 2 else counts[::-1]:
                for k in ("small", "big"):
                    label = f"run {i}/{args.repeat}, {n} worker(s), {k} task"
                    with console.status(f"{label}, {args.duration} s"):
                        r = run_wrk(urls[n][k], token, script, duration=args.duration, **wrk)
                    runs[n][k].append(r)
                    console.print(
                        f"{label}: {r['rps']:,.0f} req/s, p50 {r['p50_ms']:.1f} "
                        f"ms, p99 {r['p99_ms']:.1f} ms, errors {r['failed']}"
                    )
        peaks = {n: servers[n].peak_rss_mb() for n in counts}
    finally:
        for server in servers.values():
            server.stop()
    return {
        "numbers": args.numbers,
        "totals": {k: tasks[k]["total"] for k in ("small", "big")},
        "big_upload_seconds": tasks["big_upload_seconds"],
        "big_create_seconds": tasks["big_create_seconds"],
        "server_peak_rss_mb": peaks,
        "server_args": extra,
        "wrk": {**wrk, "duration": args.duration, "warmup": args.warmup},
        "workers": counts,
        "runs": runs,
        "medians": {n: {k: median_of(runs[n][k]) for k in ("small", "big")} for n in counts},
        "cpus": os.cpu_count(),
        "machine": {"before": speed_before, "after": machine_speed()},
    }


def report(r: dict[str, Any]) -> dict[str, Any]:
    counts = r["workers"]
    medians = r["medians"]
    n_runs = len(r["runs"][counts[0]]["small"])
    t = Table(
        title=f"GET /openapi/tasks/{{id}}, wrk -t{r['wrk']['threads']} -c{r['wrk']['connections']}"
        f" -d{r['wrk']['duration']}s, median of {n_runs} run{'s' if n_runs > 1 else ''}"
    )
    columns = ("workers", "task", "numbers", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms")
    for col in (*columns, "errors"):
        t.add_column(col, justify="left" if col == "task" else "right")
    for n in counts:
        for k, name in (("small", "10 numbers"), ("big", f"{r['numbers']:,} numbers")):
            d = medians[n][k]
            t.add_row(
                str(n),
                name,
                f"{r['totals'][k]:,}",
                f"{d['rps']:,.0f}",
                f"{d['p50_ms']:.1f}",
                f"{d['p90_ms']:.1f}",
                f"{d['p99_ms']:.1f}",
                f"{d['max_ms']:.0f}",
                f"{d['failed']}",
            )
    out = Console(width=120)
    out.print(t)

    def verdict(ok: bool) -> str:
        return "[green]met[/green]" if ok else "[red]missed[/red]"

    summary: dict[str, Any] = {}
    base = counts[0]
    for n in counts:
        small, big = medians[n]["small"], medians[n]["big"]
        ratios = {
            "p50": big["p50_ms"] / small["p50_ms"],
            "p99": big["p99_ms"] / small["p99_ms"],
            "rps": small["rps"] / big["rps"],
        }
        rps_ok = min(small["rps"], big["rps"]) >= TARGET_RPS
        p99_ok = max(small["p99_ms"], big["p99_ms"]) <= TARGET_P99_MS
        ratio_ok = max(ratios.values()) <= TARGET_RATIO
        errors_ok = small["failed"] == 0 and big["failed"] == 0
        out.print(
            f"[bold]{n} worker(s)[/bold]: big / small: p50 {ratios['p50']:.2f}x, p99 "
            f"{ratios['p99']:.2f}x, time per request {ratios['rps']:.2f}x (req/s small / big)"
        )
        out.print(f"  target >= {TARGET_RPS:,} req/s on both: {verdict(rps_ok)}")
        out.print(f"  target p99 <= {TARGET_P99_MS:.0f} ms on both: {verdict(p99_ok)}")
        out.print(f"  target big within {TARGET_RATIO}x of small: {verdict(ratio_ok)}")
        out.print(f"  no errors or non-2xx answers: {verdict(errors_ok)}")
        entry: dict[str, Any] = {
            "ratios": ratios,
            "rps_ok": rps_ok,
            "p99_ok": p99_ok,
            "ratio_ok": ratio_ok,
        }
        if n != base:
            vs = {
                k: {
                    "rps": medians[n][k]["rps"] / medians[base][k]["rps"],
                    "p50": medians[n][k]["p50_ms"] / medians[base][k]["p50_ms"],
                    "p99": medians[n][k]["p99_ms"] / medians[base][k]["p99_ms"],
                }
                for k in ("small", "big")
            }
            entry["vs_first"] = vs
            for k, name in (("small", "10 numbers"), ("big", "big task")):
                out.print(
                    f"  {n} / {base} worker(s), {name}: req/s {vs[k]['rps']:.2f}x, "
                    f"p50 {vs[k]['p50']:.2f}x, p99 {vs[k]['p99']:.2f}x"
                )
        summary[str(n)] = entry
    peaks = ", ".join(f"{n} worker(s) {r['server_peak_rss_mb'].get(n) or 0:.0f} MB" for n in counts)
    out.print(
        f"{r['cpus']} CPUs shared by wrk and the server; server peak RSS, all its "
        f"processes (includes the import of the big task): {peaks}"
    )
    out.print(f"machine: {describe_speed(r['machine'])}")
    return summary


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"--workers: {text!r} is not a comma list") from e
    if not counts or any(n < 1 for n in counts):
        raise argparse.ArgumentTypeError("--workers: give counts of 1 or more, e.g. 1,2")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--numbers", type=int, default=1_000_000, help="numbers in the big task")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per task")
    parser.add_argument("--repeat", type=int, default=2, help="measured runs per task")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--server-arg", action="append", help="extra argument for voxdial serve (repeatable)"
    )
    parser.add_argument(
        "--workers",
        type=_counts,
        default=[1],
        help="API processes (voxdial serve --workers N); a comma list measures each in "
        "the same run, e.g. 1,2",
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run scripts/system-deps.sh wrk")

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        result = run(args, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="voxdial-bench-http-") as d:
            result = run(args, Path(d))
    result["summary"] = report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
