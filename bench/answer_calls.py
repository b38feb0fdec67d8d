"""What answer detection costs a call's event loop (voice/answering.py).

N calls at once on one event loop, each fed a recording in 20 ms frames at the line's
pace (one frame every 20 ms, as SIP and the media stream deliver them), with the real
models (Silero VAD, Whisper base): half "Hello?"
(decided on its length, no recognizer), half "The number you have dialed is not in
service" (one Whisper run). Two ways of feeding:

- `answering`: `Answering.feed`, which runs each frame's detector work off the loop
  (what calls do);
- `inline`: `AnswerDetector.feed` on the loop itself.

Figures: the decision's lag (wall time from the call's first frame to its decision,
less the audio time the decision was made at: what detection adds to "decided within
1.2 s of the greeting's end"), worst and median over the calls, and the loop's worst
lateness: a heartbeat task that wakes every 20 ms (what a call's audio pump needs)
records how late it woke. Recordings: tests/support/answer_audio.py.

    .venv/bin/python bench/answer_calls.py [--calls 1,10,20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT / "src", ROOT):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from tests.support.answer_audio import make_recordings  # noqa: E402

from voxdial.settings import Settings  # noqa: E402
from voxdial.voice.answer_detect import AnswerDetector  # noqa: E402
from voxdial.voice.answer_types import AnswerDetectionConfig  # noqa: E402
from voxdial.voice.answering import Answering  # noqa: E402
from voxdial.voice.models import SpeechModels  # noqa: E402

FRAME = 320
TICK = 0.02


async def heartbeat(stop: asyncio.Event, late: list[float]) -> None:
    loop = asyncio.get_running_loop()
    due = loop.time() + TICK
    while not stop.is_set():
        await asyncio.sleep(max(0.0, due - loop.time()))
        late.append(max(0.0, loop.time() - due))
        due += TICK


async def one_call(audio: np.ndarray, models: SpeechModels, *, inline: bool) -> float:
    """The decision's lag in seconds (wall time to it less its audio time)."""
    recognizer = models.recognizer(1, language="en")
    config = AnswerDetectionConfig()
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    detector = AnswerDetector(recognizer, language="en", config=config, vad=models.detector())
    answering = Answering(recognizer, config=config, vad=models.detector(), language="en")
    decision = None
    for k, i in enumerate(range(0, audio.size, FRAME)):
        # the line's pace: frame k arrives at k * 20 ms (late frames are fed at once)
        await asyncio.sleep(max(0.0, t0 + k * TICK - loop.time()))
        frame = audio[i : i + FRAME]
        if inline:
            decision = detector.feed(frame)
        else:
            await answering.feed(frame)
            decision = answering.decision
        if decision is not None:
            break
    assert decision is not None
    return loop.time() - t0 - decision.decided_at_ms / 1000


async def run(n: int, recordings: list[np.ndarray], models: SpeechModels, *, inline: bool):
    stop = asyncio.Event()
    late: list[float] = []
    beat = asyncio.create_task(heartbeat(stop, late))
    lags = await asyncio.gather(
        *(one_call(recordings[i % len(recordings)], models, inline=inline) for i in range(n))
    )
    stop.set()
    await beat
    return max(lags), float(np.median(lags)), max(late) * 1000 if late else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", default="1,10,20")
    args = parser.parse_args()
    models = SpeechModels(Settings())
    with tempfile.TemporaryDirectory() as tmp:
        made = make_recordings(Path(tmp), ["human", "vacant"])
    silence = np.zeros(16000 * 7, dtype=np.int16)
    recordings = [np.concatenate([made[k], silence]) for k in ("human", "vacant")]
    models.recognizer(1, language="en").transcribe(recordings[1], language="en", hot_words=[])
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")  # noqa: T201
    print("| calls | feed | decision lag, worst | median | worst loop lateness |")  # noqa: T201
    print("|---|---|---|---|---|")  # noqa: T201
    for n in (int(x) for x in args.calls.split(",")):
        for inline in (False, True):
            worst, median, late = asyncio.run(run(n, recordings, models, inline=inline))
            way = "inline" if inline else "answering"
            print(  # noqa: T201
                f"| {n} | {way} | {worst * 1000:.0f} ms | {median * 1000:.0f} ms | {late:.0f} ms |"
            )


if __name__ == "__main__":
    main()
