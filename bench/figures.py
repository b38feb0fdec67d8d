"""Small helpers the benchmarks share: a percentile of samples, and the commit measured."""

from __future__ import annotations

import statistics
import subprocess


def pct(values: list[float], p: int) -> float:
    """The `p`th percentile of `values` (the one value when there is one; NaN for none)."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def commit() -> str:
    """The checkout's short commit hash, "?" outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
