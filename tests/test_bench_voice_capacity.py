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

import numpy as np
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


def _bench():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "voice_capacity", ROOT / "bench" / "voice_capacity.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_callee_is_quiet_with_zeros_or_a_lines_hiss():
    import base64

    from voxdial.voice.audio import mulaw_to_pcm

    bench = _bench()

    def pcm(messages):
        return mulaw_to_pcm(
            b"".join(base64.b64decode(json.loads(m)["media"]["payload"]) for m in messages)
        ).astype(float)

    zeros = bench.line_quiet(None)
    assert len(zeros) == 1 and not pcm(zeros).any()
    hiss = pcm(bench.line_quiet(-60.0))
    level = 20 * np.log10(np.sqrt(np.mean(hiss**2)) / 32768)
    assert -63 < level < -57 and hiss.size == 16_000  # 2 s at 8 kHz


def test_rows_name_the_checkout_they_measured():
    bench = _bench()
    row = dict.fromkeys(("p50_ms", "p95_ms", "server_cores", "bench_cores", "wall_s"), 1.0)
    r = bench.Result(
        window="fitted",
        language="en",
        n=1,
        turns=2,
        expected_turns=2,
        right=2,
        answers=2,
        calls_logged=1,
        load_before=1.0,
        load_after=1.0,
        asr_median_ms=1.0,
        first_tts_median_ms=1.0,
        errors=[],
        **row,
    )
    assert bench.report_line(r).startswith("| fitted | en | 1 |")
    r.checkout, r.commit = "head", "abc1234"
    assert bench.report_line(r).startswith("| head (abc1234) fitted | en | 1 |")
    assert bench.held([r], "fitted", "en", "head") == 1
    assert bench.held([r], "fitted", "en", "") == 0  # another checkout's row
