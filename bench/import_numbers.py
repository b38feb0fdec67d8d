"""Benchmark: import a large number file into a task on SQLite, against a bare floor.

    .venv/bin/python bench/import_numbers.py [--rows 1000000] [--json out.json]

1. Generates a CSV (号码,姓名,备注) of realistic Chinese mobile numbers in mixed formats,
   with ~1% invalid values and ~0.5% duplicates (the same number written differently).
2. Upload step, in its own process: `reader.inspect_file` + `numberfiles.save` + commit,
   as `POST /openapi/numberfiles` does.
3. Import step, in its own process: `tasks.create_task` (which imports the file) + commit,
   as `POST /openapi/tasks` does.
4. Floor, in its own process: the same file read with the `csv` module and inserted with
   `sqlite3` executemany into a table with the same columns and indexes, no validation.

Each measured step runs in a fresh subprocess that reports its wall time and its peak
RSS (VmHWM from /proc/self/status), so the figures do not mix. Targets: import at
>= 100,000 rows/s and peak RSS <= 400 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

TARGET_ROWS_PER_S = 100_000
TARGET_PEAK_MB = 400.0
HEADER = ["号码", "姓名", "备注"]

console = Console(stderr=True)

# ---------------------------------------------------------------------------------------
# data

# Mobile prefixes in use in mainland China (all valid in libphonenumber's metadata).
_PREFIXES = (
    [f"13{d}" for d in range(10)]
    + ["145", "147", "150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["166", "172", "173", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + ["191", "198", "199"]
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"  # noqa: E501
_NOTES = ["", "", "", "VIP", "老客户", "回访", "新客户", "已购", "意向高", "上海", "北京", "深圳"]
_INVALID = [
    "",
    "12345",
    "1391234567",  # 10 digits
    "139123456789",  # 12 digits
    "abc",
    "未知",
    "10086",
    "+1 555 0100",
    "0000000000",
    "139-1234-567x",
]


def _format(number: str, rnd: random.Random) -> str:
    r = rnd.random()
    if r < 0.60:
        return number
    if r < 0.75:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if r < 0.85:
        return f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"
    if r < 0.90:
        return f"+86{number}"
    if r < 0.95:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return f"0086 {number}"


def generate(path: Path, rows: int, *, seed: int = 20241201) -> dict[str, int]:
    """Write the CSV; returns how many rows are invalid and duplicate by construction."""
    rnd = random.Random(seed)
    seen: set[str] = set()
    issued: list[str] = []
    invalid = duplicates = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(HEADER)
        for _ in range(rows):
            r = rnd.random()
            if r < 0.01:
                phone = rnd.choice(_INVALID)
                invalid += 1
            elif r < 0.015 and issued:
                phone = _format(rnd.choice(issued), rnd)
                duplicates += 1
            else:
                while True:
                    number = rnd.choice(_PREFIXES) + f"{rnd.randrange(100_000_000):08d}"
                    if number not in seen:
                        break
                seen.add(number)
                if len(issued) < 100_000:
                    issued.append(number)
                phone = _format(number, rnd)
            name = rnd.choice(_SURNAMES) + "".join(rnd.choices(_GIVEN, k=rnd.choice((1, 2, 2))))
            w.writerow([phone, name, rnd.choice(_NOTES)])
    return {"invalid": invalid, "duplicates": duplicates}


# ---------------------------------------------------------------------------------------
# measured steps (each in its own process)


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _peak_mb() -> float:
    """This process's RSS high-water mark. VmHWM, not getrusage's ru_maxrss: on Linux the
    latter carries over the parent's peak across fork + exec."""
    return _status_mb("VmHWM")


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def machine_speed() -> dict[str, float | None]:
    """How fast and how busy the machine is now, to read the figures against: the best of
    three runs of a fixed pure-Python loop (ms, lower is faster), and the kernel's CPU
    pressure (share of time some task waited for a CPU, last 10 s)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    pressure = None
    try:
        with open("/proc/pressure/cpu") as f:
            pressure = float(f.readline().split()[1].split("=")[1])
    except (OSError, IndexError, ValueError):
        pass
    return {"python_loop_ms": best * 1000, "cpu_pressure_pct": pressure}


def describe_speed(m: dict[str, Any]) -> str:
    parts = []
    for when in ("before", "after"):
        d = m[when]
        pressure = d["cpu_pressure_pct"]
        parts.append(
            f"{when}: Python loop {d['python_loop_ms']:.0f} ms"
            + (f", CPU pressure {pressure:.0f}%" if pressure is not None else "")
        )
    return "; ".join(parts)


def _cpu_s() -> float:
    """CPU time of this process (user + system, all threads)."""
    t = os.times()
    return t.user + t.system


def step_upload(db_url: str, csv_path: Path, workspace_id: int) -> dict[str, Any]:
    from voxdial.numbers.reader import Limits, inspect_file
    from voxdial.settings import Settings
    from voxdial.store import numberfiles
    from voxdial.store.db import Database

    settings = Settings(database_url=db_url)
    db = Database(db_url)
    base = _rss_mb()
    cpu = _cpu_s()
    started = time.perf_counter()
    with csv_path.open("rb") as fp:
        size = os.fstat(fp.fileno()).st_size
        inspected_at = time.perf_counter()
        info = inspect_file(
            fp,
            filename=csv_path.name,
            limits=Limits(
                max_rows=settings.max_file_rows,
                max_xlsx_uncompressed_bytes=settings.max_xlsx_uncompressed_bytes,
                max_xlsx_ratio=settings.max_xlsx_ratio,
            ),
        )
        inspect_s = time.perf_counter() - inspected_at
        with db.session() as s:
            nf = numberfiles.save(
                s, workspace_id=workspace_id, name=csv_path.name, fp=fp, size=size, info=info
            )
            s.commit()
            file_id = nf.id
    seconds = time.perf_counter() - started
    db.dispose()
    return {
        "file_id": file_id,
        "rows": info.rows,
        "seconds": seconds,
        "inspect_seconds": inspect_s,
        "cpu_seconds": _cpu_s() - cpu,
        "base_mb": base,
        "peak_mb": _peak_mb(),
    }


def step_import(db_url: str, workspace_id: int, assistant_id: int, file_id: int) -> dict[str, Any]:
    from voxdial.domain.phone import PhoneNormalizer
    from voxdial.store import tasks
    from voxdial.store.db import Database

    db = Database(db_url)
    normalizer = PhoneNormalizer("CN")
    base = _rss_mb()
    cpu = _cpu_s()
    started = time.perf_counter()
    with db.session() as s:
        task = tasks.create_task(
            s,
            workspace_id=workspace_id,
            time_zone="Asia/Shanghai",
            name="基准导入",
            assistant_id=assistant_id,
            assistant_vid=None,
            option={
                "numberFileMeta": {"号码": 0, "姓名": 1, "备注": 2},
                "numbers": [file_id],
                "startDate": "2026-12-01",
                "startTime": [["09:00", "12:00"], ["14:00", "18:00"]],
            },
            normalizer=normalizer,
        )
        s.commit()
        out = {"task_id": task.id, "total": task.total, "rejected": task.rejected}
    seconds = time.perf_counter() - started
    db.dispose()
    return {
        **out,
        "seconds": seconds,
        "cpu_seconds": _cpu_s() - cpu,
        "base_mb": base,
        "peak_mb": _peak_mb(),
    }


FLOOR_DDL = """
CREATE TABLE task_numbers (
    id INTEGER NOT NULL PRIMARY KEY,
    task_id INTEGER NOT NULL,
    phone VARCHAR(20) NOT NULL,
    name VARCHAR(200) NOT NULL,
    note TEXT NOT NULL,
    variables JSON,
    file_id BIGINT,
    row_no BIGINT NOT NULL,
    state VARCHAR(12) NOT NULL,
    attempts INTEGER NOT NULL,
    last_outcome VARCHAR(20),
    next_attempt_at DATETIME,
    collected JSON,
    CONSTRAINT uq_task_numbers_task_phone UNIQUE (task_id, phone)
);
CREATE INDEX ix_task_numbers_due ON task_numbers (task_id, state, next_attempt_at);
CREATE INDEX ix_task_numbers_source ON task_numbers (task_id, file_id, row_no);
"""


def step_floor(db_path: Path, csv_path: Path) -> dict[str, Any]:
    """The same file into an equivalent table with no validation, on a connection set up
    as the product's (its engine's PRAGMAs, and the page cache its importer uses)."""
    from voxdial.numbers.importer import SQLITE_IMPORT_CACHE_KIB
    from voxdial.store.db import make_engine

    engine = make_engine(f"sqlite:///{db_path}")
    conn = engine.raw_connection().driver_connection
    conn.executescript(FLOOR_DDL)
    conn.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    base = _rss_mb()
    cpu = _cpu_s()
    started = time.perf_counter()
    sql = (
        "INSERT INTO task_numbers "
        "(task_id, phone, name, note, file_id, row_no, state, attempts) "
        "VALUES (1, ?, ?, ?, 1, ?, 'pending', 0) ON CONFLICT DO NOTHING"
    )
    rows = 0
    with csv_path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        batch: list[tuple[str, str, str, int]] = []
        for row_no, (phone, name, note) in enumerate(reader, start=2):
            batch.append((phone, name, note, row_no))
            if len(batch) >= 5000:
                conn.executemany(sql, batch)
                rows += len(batch)
                batch = []
        conn.executemany(sql, batch)
        rows += len(batch)
        conn.commit()
    seconds = time.perf_counter() - started
    conn.close()
    engine.dispose()
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_seconds": _cpu_s() - cpu,
        "base_mb": base,
        "peak_mb": _peak_mb(),
    }


# ---------------------------------------------------------------------------------------
# orchestration


def _setup(db_url: str) -> tuple[int, int]:
    """A migrated database with a workspace, a user and an assistant (not measured)."""
    from voxdial.store.assistants import create_assistant, default_config
    from voxdial.store.db import Database
    from voxdial.store.migrate import upgrade
    from voxdial.store.tokens import get_or_create_workspace

    upgrade(db_url)
    db = Database(db_url)
    with db.session() as s:
        ws, user = get_or_create_workspace(s, name="bench", email="bench@localhost")
        config = default_config("Asia/Shanghai")
        config["welcome"] = "您好{姓名}，我是小狐，耽误您一分钟做个回访。"
        config["collect"] = [{"question": "您对我们的服务满意吗？", "answers": ["满意", "一般"]}]
        a, _v = create_assistant(
            s, workspace_id=ws.id, user_id=user.id, name="基准助手", config=config
        )
        s.commit()
        ids = (ws.id, a.id)
    db.dispose()
    return ids


def _run_step(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--step", *args],
        capture_output=True,
        text=True,
        timeout=580,
        check=False,
    )
    if proc.returncode != 0:
        console.print(proc.stderr[-4000:], markup=False)
        raise SystemExit(f"step {args[0]} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(rows: int, workdir: Path, repeat: int) -> dict[str, Any]:
    csv_path = workdir / "numbers.csv"
    with console.status(f"generating {rows:,} rows"):
        started = time.perf_counter()
        made = generate(csv_path, rows)
        gen_s = time.perf_counter() - started
    console.print(
        f"generated {csv_path.stat().st_size / 1e6:.1f} MB CSV in {gen_s:.1f} s "
        f"({made['invalid']:,} invalid, {made['duplicates']:,} duplicate by construction)"
    )
    speed_before = machine_speed()
    runs = []
    for n in range(1, repeat + 1):
        rundir = workdir / f"run{n}"
        shutil.rmtree(rundir, ignore_errors=True)
        rundir.mkdir()
        db_url = f"sqlite:///{rundir / 'voxdial.db'}"
        workspace_id, assistant_id = _setup(db_url)
        with console.status(f"run {n}/{repeat}: upload (inspect_file + numberfiles.save)"):
            upload = _run_step("upload", db_url, str(csv_path), str(workspace_id))
        with console.status(f"run {n}/{repeat}: import (tasks.create_task)"):
            imported = _run_step(
                "import", db_url, str(workspace_id), str(assistant_id), str(upload["file_id"])
            )
        with console.status(f"run {n}/{repeat}: floor (csv + sqlite3 executemany)"):
            floor = _run_step("floor", str(rundir / "floor.db"), str(csv_path))
        console.print(
            f"run {n}/{repeat}: upload {upload['seconds']:.2f} s, import {imported['seconds']:.2f}"
            f" s ({imported['cpu_seconds']:.2f} s CPU), floor {floor['seconds']:.2f} s "
            f"({floor['cpu_seconds']:.2f} s CPU)"
        )
        runs.append({"upload": upload, "import": imported, "floor": floor})
        if n < repeat:
            shutil.rmtree(rundir)
    return {
        "rows": rows,
        "csv_mb": csv_path.stat().st_size / 1e6,
        "generated": made,
        "runs": runs,
        "cpus": os.cpu_count(),
        "machine": {"before": speed_before, "after": machine_speed()},
        "sqlite": sqlite3.sqlite_version,
        "python": sys.version.split()[0],
    }


def _median_run(r: dict[str, Any], step: str) -> dict[str, Any]:
    """The run whose `step` time is the median (the upper one for an even count)."""
    ordered = sorted(r["runs"], key=lambda run: run[step]["seconds"])
    return ordered[len(ordered) // 2][step]


def summarize(r: dict[str, Any]) -> dict[str, Any]:
    rows = r["rows"]
    up, imp, floor = (_median_run(r, k) for k in ("upload", "import", "floor"))
    rates = {k: [rows / run[k]["seconds"] for run in r["runs"]] for k in ("import", "floor")}
    peak = max(max(run["upload"]["peak_mb"], run["import"]["peak_mb"]) for run in r["runs"])
    return {
        "upload_rows_per_s": rows / up["seconds"],
        "inspect_rows_per_s": rows / up["inspect_seconds"],
        "import_rows_per_s": rows / imp["seconds"],
        "import_rows_per_s_range": [min(rates["import"]), max(rates["import"])],
        "floor_rows_per_s": rows / floor["seconds"],
        "floor_rows_per_s_range": [min(rates["floor"]), max(rates["floor"])],
        "ratio": (rows / imp["seconds"]) / (rows / floor["seconds"]),
        "peak_mb": peak,
        "import_peak_mb": max(run["import"]["peak_mb"] for run in r["runs"]),
        "upload_peak_mb": max(run["upload"]["peak_mb"] for run in r["runs"]),
        "floor_peak_mb": max(run["floor"]["peak_mb"] for run in r["runs"]),
        "imported": imp["total"],
        "rejected": imp["rejected"],
    }


def report(r: dict[str, Any]) -> dict[str, Any]:
    rows, n = r["rows"], len(r["runs"])
    up, imp, floor = (_median_run(r, k) for k in ("upload", "import", "floor"))
    sm = summarize(r)
    t = Table(
        title=f"number import, {rows:,} rows ({r['csv_mb']:.1f} MB CSV), SQLite, "
        f"median of {n} run{'s' if n > 1 else ''}"
    )
    for col in (
        "step",
        "seconds",
        "CPU s",
        "rows/s",
        "rows/s min-max",
        "peak RSS MB",
        "RSS before MB",
    ):
        t.add_column(col, justify="right" if col != "step" else "left")

    def spread(step: str) -> str:
        rates = [rows / run[step]["seconds"] for run in r["runs"]]
        return f"{min(rates):,.0f}-{max(rates):,.0f}"

    for label, step, d in (
        ("upload (inspect + save)", "upload", up),
        ("import (create_task)", "import", imp),
        ("floor (csv + sqlite3)", "floor", floor),
    ):
        t.add_row(
            label,
            f"{d['seconds']:.2f}",
            f"{d['cpu_seconds']:.2f}",
            f"{rows / d['seconds']:,.0f}",
            spread(step),
            f"{max(run[step]['peak_mb'] for run in r['runs']):.0f}",
            f"{d['base_mb']:.0f}",
        )
        if step == "upload":
            t.add_row(
                "  of which inspect_file",
                f"{up['inspect_seconds']:.2f}",
                "",
                f"{sm['inspect_rows_per_s']:,.0f}",
                "",
                "",
                "",
            )
    out = Console(width=110)
    out.print(t)
    rate_ok = sm["import_rows_per_s"] >= TARGET_ROWS_PER_S
    mem_ok = sm["peak_mb"] <= TARGET_PEAK_MB
    out.print(
        f"imported {imp['total']:,} numbers, rejected {imp['rejected']:,} "
        f"(generated: {r['generated']['invalid']:,} invalid, "
        f"{r['generated']['duplicates']:,} duplicates)"
    )
    out.print(f"voxdial / floor (medians): {sm['ratio']:.2f}")
    out.print(f"upload + import end to end: {rows / (up['seconds'] + imp['seconds']):,.0f} rows/s")
    out.print(
        f"target import >= {TARGET_ROWS_PER_S:,} rows/s "
        f"(median {sm['import_rows_per_s']:,.0f}): "
        + ("[green]met[/green]" if rate_ok else "[red]missed[/red]")
    )
    out.print(
        f"target peak RSS <= {TARGET_PEAK_MB:.0f} MB (max {sm['peak_mb']:.0f} MB): "
        + ("[green]met[/green]" if mem_ok else "[red]missed[/red]")
    )
    out.print(f"{r['cpus']} CPUs, Python {r['python']}, SQLite {r['sqlite']}")
    out.print(f"machine: {describe_speed(r['machine'])}")
    return sm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the CSV")
    parser.add_argument("--repeat", type=int, default=3, help="runs; medians are reported")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:
        name, *rest = args.step
        if name == "upload":
            result = step_upload(rest[0], Path(rest[1]), int(rest[2]))
        elif name == "import":
            result = step_import(rest[0], int(rest[1]), int(rest[2]), int(rest[3]))
        elif name == "floor":
            result = step_floor(Path(rest[0]), Path(rest[1]))
        else:
            raise SystemExit(f"unknown step {name}")
        sys.stdout.write(json.dumps(result) + "\n")
        return

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        result = run(args.rows, args.keep, args.repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="voxdial-bench-") as d:
            result = run(args.rows, Path(d), args.repeat)
    result["summary"] = report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
