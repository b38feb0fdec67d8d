"""A short run of the capacity bench (bench/voice_capacity.py): one English call through a
real `voxdial serve`, fitted ASR. Speed figures are the bench's to report, not this test's:
it checks that the bench's call is a real one (both turns timed, the call filed with its
answers counted) and that its report holds what BENCHMARKS.md quotes. Whether the
answers were heard right is the bench's figure (tiny.en on a loaded host mishears now and
then); tests/test_voice_e2e.py holds the pipeline to them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.speech
@pytest.mark.slow
def test_the_capacity_bench_runs_one_spoken_call(tmp_path):
    out = tmp_path / "capacity.json"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "voice_capacity.py"),
            *("--languages", "en", "--windows", "fitted", "--n", "1", "--json", str(out)),
        ],
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    (result,) = json.loads(out.read_text())["results"]
    assert (result["window"], result["language"], result["n"]) == ("fitted", "en", 1)
    assert result["turns"] == result["expected_turns"] == 2, run.stdout
    assert result["answers"] == 2 and 0 <= result["right"] <= 2
    assert result["calls_logged"] == 1 and not result["errors"], run.stdout
    assert result["p50_ms"] > 0 and result["server_cores"] > 0
    assert "| fitted | en | 1 |" in run.stdout and "fitted en: held N =" in run.stdout
