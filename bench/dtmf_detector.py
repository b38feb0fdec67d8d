"""The in-band key detector's cost: CPU seconds per second of call audio, and the calls
one core could run it for, on this machine as it is during the run.

The detector (voice/dtmf.py) runs on every answered call's whole incoming audio, so its
cost is per call-second. Fed 20 ms frames as the session feeds it, over a minute of
noise with a key every two seconds (the keys found are checked, so the figure is of a
detector that works).

    .venv/bin/python bench/dtmf_detector.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from voxdial.voice.base import FRAME_SAMPLES, SAMPLE_RATE  # noqa: E402
from voxdial.voice.dtmf import DtmfDetector, tones  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    n = int(args.seconds * SAMPLE_RATE)
    audio = rng.normal(0, 300, n)
    keys = "1234567890*#"
    expected = []
    for i, at in enumerate(range(SAMPLE_RATE, n - SAMPLE_RATE, 2 * SAMPLE_RATE)):
        digit = keys[i % len(keys)]
        tone = tones(digit).astype(np.float64)
        audio[at : at + len(tone)] += tone
        expected.append(digit)
    pcm = np.clip(audio, -32768, 32767).astype(np.int16)
    detector = DtmfDetector()
    t0 = time.process_time()
    found = []
    for i in range(0, len(pcm), FRAME_SAMPLES):
        found += detector.feed(pcm[i : i + FRAME_SAMPLES])
    cpu = time.process_time() - t0
    assert [d for d, _ in found] == expected, "the detector missed or added keys"
    per_second = cpu / args.seconds
    load = os.getloadavg()[0]
    sys.stdout.write(
        f"audio {args.seconds:.0f} s, {len(expected)} keys, all found\n"
        f"CPU {cpu:.3f} s: {per_second * 1000:.2f} ms per call-second\n"
        f"one core runs it for {1 / per_second:.0f} calls at once (load average {load:.1f})\n"
    )


if __name__ == "__main__":
    main()
