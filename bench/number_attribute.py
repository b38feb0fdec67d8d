"""What a number's 归属地 and carrier cost (`domain/attribution.py`): the first lookup of
a process (which opens, or loads, the data: wall time and resident memory it adds), then
a lookup per distinct number, and a repeated (cached) one.

Each figure is taken in a fresh interpreter, so the load is measured from cold. With
`--base COMMIT` the same probe runs on that commit's code too (its `src/` taken with
`git archive`), base and head alternated run by run, so that the machine's load falls on
both alike. The head runs twice over: with its table already built (`warm`: every
process but the first), and with an empty cache directory (`cold`: the one process that
builds the table, in a child whose peak memory is shown apart).

    .venv/bin/python bench/number_attribute.py [--numbers 20000] [--runs 5] [--base a6fc276]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import commit  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, random, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
def rss():  # resident now, KiB
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
import voxdial.domain.attribution as attribution
from voxdial.domain.attribution import attribute_of
if hasattr(attribution, "use_cache_dir"):
    attribution.use_cache_dir(Path(sys.argv[3]))
count = int(sys.argv[2])
before = rss()
t = time.perf_counter()
attribute_of("+8613912345678")
load = time.perf_counter() - t
added = rss() - before
rng = random.Random(7)
numbers = sorted({f"+861{rng.choice('3589')}{rng.randrange(10**9):09d}" for _ in range(count)})
numbers += [f"+86{a}{rng.randrange(10**8):08d}" for a in ("10", "20", "21") for _ in range(300)]
t = time.perf_counter()
for n in numbers:
    attribute_of(n)
fresh = (time.perf_counter() - t) / len(numbers)
t = time.perf_counter()
for _ in range(10):
    for n in numbers[-1000:]:  # the last looked up: still in the cache
        attribute_of(n)
cached = (time.perf_counter() - t) / 10_000
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"load_s": load, "rss_added_mib": added / 1024, "rss_total_mib": rss() / 1024,
                  "child_peak_mib": child / 1024, "fresh_us": fresh * 1e6,
                  "cached_us": cached * 1e6}))
"""

KEYS = ("load_s", "rss_added_mib", "rss_total_mib", "child_peak_mib", "fresh_us", "cached_us")


def probe(src: Path, numbers: int, cache: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(src), str(numbers), str(cache)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def checkout(rev: str, into: Path) -> Path:
    """`rev`'s src/ under `into`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--numbers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--base", help="a commit to compare with (alternated)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        variants: dict[str, tuple[Path, bool]] = {}  # name: (src, fresh cache each run)
        if args.base:
            variants[f"base {args.base}"] = (checkout(args.base, tmp_path / "base"), False)
        variants["head warm"] = (ROOT / "src", False)
        variants["head cold"] = (ROOT / "src", True)
        warm = tmp_path / "warm-cache"
        probe(ROOT / "src", 10, warm)  # builds the table the warm runs find
        load_before = os.getloadavg()
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        for i in range(args.runs):
            for name, (src, cold) in variants.items():
                cache = tmp_path / f"cold-{i}" if cold else warm
                runs[name].append(probe(src, args.numbers, cache))
        load_after = os.getloadavg()
    sys.stdout.write(
        f"commit {commit()}, {args.runs} runs alternated, {args.numbers} numbers + 900"
        f" landlines; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n"
    )
    sys.stdout.write(f"{'':>16}" + "".join(f"{name:>26}" for name in variants) + "\n")
    for key in KEYS:
        cells = []
        for name in variants:
            values = [r[key] for r in runs[name]]
            cells.append(f"{median(values):.3f} ({min(values):.3f}-{max(values):.3f})")
        sys.stdout.write(f"{key:>16}" + "".join(f"{c:>26}" for c in cells) + "\n")


if __name__ == "__main__":
    main()
