"""What a number's 归属地 and carrier cost (`domain/attribution.py`): the one-time load of
the phonenumbers geocoding data (wall time and resident memory it adds to the process),
then a lookup per distinct number, and a repeated (cached) one.

Each figure is taken in a fresh interpreter, so the load is measured from cold.

    .venv/bin/python bench/number_attribute.py [--numbers 20000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, random, resource, sys, time
sys.path.insert(0, sys.argv[1])
from voxdial.domain.attribution import attribute_of
count = int(sys.argv[2])
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
before = rss()
t = time.perf_counter()
attribute_of("+8613912345678")
load = time.perf_counter() - t
added = rss() - before
rng = random.Random(7)
numbers = sorted({f"+861{rng.choice('3589')}{rng.randrange(10**9):09d}" for _ in range(count)})
t = time.perf_counter()
for n in numbers:
    attribute_of(n)
fresh = (time.perf_counter() - t) / len(numbers)
t = time.perf_counter()
for _ in range(10):
    for n in numbers[-1000:]:  # the last looked up: still in the cache
        attribute_of(n)
cached = (time.perf_counter() - t) / 10_000
print(json.dumps({"load_s": load, "rss_added_mib": added / 1024, "numbers": len(numbers),
                  "fresh_us": fresh * 1e6, "cached_us": cached * 1e6}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--numbers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE, str(ROOT / "src"), str(args.numbers)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs.append(json.loads(out))
    for key in ("load_s", "rss_added_mib", "fresh_us", "cached_us"):
        values = sorted(r[key] for r in runs)
        mid, low, high = values[len(values) // 2], values[0], values[-1]
        sys.stdout.write(f"{key:>14}: median {mid:.3f}  (min {low:.3f}, max {high:.3f})\n")


if __name__ == "__main__":
    main()
