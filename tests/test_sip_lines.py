"""A hundred SIP lines at once from one carrier: a task of 110 numbers dialled by the
dialer (at its default 50 calls per second) through one SIPp on 127.0.0.1
(tests/sipp/lines.xml): 70 callees echo the
assistant's audio back, 30 speak a recorded tone and hang up, 5 are busy, 5 never
answer. All 100 answered calls are up at the same time; each echoed call hears its own
tone back whole (no gaps, no crosstalk), each speaking callee is heard whole, the
frames come steadily, and every call record has its outcome and hang-up side. Frame by
frame (telephony/sip_stats.py): every RTP packet an echoing callee returned was read
by the stack, to the last few in flight at the hang-up (the 70 are hung up within 1.4 s:
before the endpoint hung calls with media up one at a time, the stack's SIP thread,
busy tearing them down, left ~10% of the others' packets unread in their sockets), and
none was dropped on the way to the session.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from tests.support.dialer import calls_of, counters, make_task, recount, run_until_settled, task_row
from tests.support.sipp import SIPP, Sipp, g711, rtp_pcap, scenario, tone
from voxdial.clock import Clock, SystemClock
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.dialer.dialer import Dialer, DialerConfig
from voxdial.domain.status import HangupReason as H
from voxdial.store.db import Database
from voxdial.telephony.sip import SipCarrier, SipConfig
from voxdial.telephony.sip_stats import MediaCounters
from voxdial.voice.base import FRAME_SAMPLES, SAMPLE_RATE, Line

pytestmark = [pytest.mark.sipp, pytest.mark.slow, pytest.mark.timeout(120)]

ECHO = {f"+86138{i:08d}": 300.0 + 30 * i for i in range(70)}  # number -> its tone (Hz)
SPEAK = [f"+86138{500 + i:08d}" for i in range(30)]
BUSY = [f"+861380000{k}486" for k in range(5)]
RING = [f"+861380000{k}487" for k in range(5)]
CALLEE_HZ = 660.0
TONE_SECONDS = 1.0
TALK_SECONDS = 6.0  # an echoed call is hung up this long after the answer
HOLD_MS = 6000  # a speaking callee hangs up this long after answering
CPS = 50  # new calls per second (the dialer's default): all 110 dialled within 2.2 s


@dataclass
class Heard:
    frames: list[np.ndarray] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)  # loop time of each frame
    report: MediaCounters | None = None  # where its frames went (the endpoint's count)

    @property
    def pcm(self) -> np.ndarray:
        return np.concatenate(self.frames) if self.frames else np.zeros(0, dtype=np.int16)


class LinesRuntime:
    """Stands in for the voice session on every line: plays the call's tone, records
    what it hears and when, and hangs up `talk_seconds[number]` after the answer unless
    the callee hangs up first. Counts the lines up at once."""

    def __init__(self, talk_seconds: dict[str, float]) -> None:
        self.talk_seconds = talk_seconds
        self.heard: dict[str, Heard] = {}
        self.up = 0
        self.most_up = 0

    async def talk(
        self,
        request: DialRequest,
        *,
        engine,
        line: Line,
        clock: Clock,
        started: datetime,
        answered: datetime,
    ) -> CallResult:
        loop = asyncio.get_running_loop()
        heard = self.heard[request.callee] = Heard()
        self.up += 1
        self.most_up = max(self.most_up, self.up)

        async def listen() -> None:
            async for pcm in line.frames():
                heard.frames.append(pcm)
                heard.arrivals.append(loop.time())

        listener = asyncio.create_task(listen())
        try:
            await line.play(tone(TONE_SECONDS, hz=ECHO.get(request.callee, 1000.0)))
            await asyncio.wait([listener], timeout=self.talk_seconds[request.callee])
            side = "callee" if listener.done() else "assistant"
            if not listener.done():
                await line.close()
                await asyncio.wait_for(listener, 10)
        finally:
            self.up -= 1
        heard.report = getattr(line, "media_report", None)
        return CallResult(H.ANSWERED, started, answered, clock.now(), side)


def loud_runs(pcm: np.ndarray, threshold: float = 1000.0) -> list[int]:
    """The lengths, in 20 ms frames, of the runs of frames louder than `threshold`."""
    frames = pcm[: len(pcm) // FRAME_SAMPLES * FRAME_SAMPLES].reshape(-1, FRAME_SAMPLES)
    loud = np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1)) > threshold
    runs, n = [], 0
    for is_loud in loud:
        if is_loud:
            n += 1
        elif n:
            runs.append(n)
            n = 0
    return runs + [n] if n else runs


def dominant_hz(pcm: np.ndarray, threshold: float = 1000.0) -> float:
    frames = pcm[: len(pcm) // FRAME_SAMPLES * FRAME_SAMPLES].reshape(-1, FRAME_SAMPLES)
    loud = frames[np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1)) > threshold]
    spectrum = np.abs(np.fft.rfft(loud.reshape(-1).astype(np.float64)))
    return float(np.argmax(spectrum) * SAMPLE_RATE / loud.size)


@pytest.fixture
def sipp(tmp_path: Path) -> Iterator[Sipp]:
    if SIPP is None:
        if os.environ.get("VOXDIAL_REQUIRE_SIPP") == "1":
            pytest.fail("sipp is required (VOXDIAL_REQUIRE_SIPP=1) but not installed")
        pytest.skip("sipp (Debian sip-tester) is not installed")
    rtp_pcap(tmp_path / "callee.pcap", g711(tone(TONE_SECONDS, hz=CALLEE_HZ), "PCMA"), "PCMA")
    path = scenario("lines", tmp_path, pcap="callee.pcap", hold_ms=HOLD_MS)
    # the echoing callees all send to one port: SIPp's echo keeps each stream apart
    far_end = Sipp(path, tmp_path, rtp_echo=True, extra=["-max_socket", "4096"])
    yield far_end
    far_end.stop()


def test_a_hundred_lines_at_once_with_audio_both_ways(sipp, sqlite_url):
    numbers = list(ECHO) + SPEAK + BUSY + RING
    # the echoed calls end from our side, the speaking callees hang up themselves
    runtime = LinesRuntime({**dict.fromkeys(ECHO, TALK_SECONDS), **dict.fromkeys(SPEAK, 20.0)})
    carrier = SipCarrier(
        SipConfig(domain=sipp.domain, max_calls=len(numbers), dial_timeout_seconds=4.0),
        runtime,
    )
    db = Database(sqlite_url)
    try:
        task = make_task(db, numbers, concurrency=len(numbers))
        dialer = Dialer(
            db,
            carrier=carrier,
            clock=SystemClock(),
            config=DialerConfig(
                max_lines=carrier.lines,
                calls_per_second=CPS,
                daily_cap=0,
                lease_seconds=3600,
                tick_seconds=0.05,
            ),
        )

        run_until_settled(dialer, db, task.id, seconds=90)
        calls = calls_of(db, task.id)
        assert carrier._endpoint is not None
        media = carrier._endpoint.media
        assert task_row(db, task.id).status == "done" and dialer.in_flight == 0
        assert counters(db, task.id) == recount(db, task.id)
    finally:
        carrier.close()
        db.dispose()

    # every call record: its outcome and side
    by_number = {c.callee: c for c in calls}
    assert sorted(by_number) == sorted(numbers)
    for number in ECHO:
        c = by_number[number]
        assert (c.hangup_reason, c.hangup_side) == (H.ANSWERED, "assistant"), number
        assert 5 <= c.billsec <= 12, (number, c.billsec)
    for number in SPEAK:
        c = by_number[number]
        assert (c.hangup_reason, c.hangup_side) == (H.ANSWERED, "callee"), number
        assert 5 <= c.billsec <= 12, (number, c.billsec)
    for number in BUSY:
        assert by_number[number].hangup_reason == H.BUSY and by_number[number].billsec == 0
    for number in RING:
        assert by_number[number].hangup_reason == H.NO_ANSWER and by_number[number].billsec == 0

    # the hundred answered calls were up together
    assert runtime.most_up == len(ECHO) + len(SPEAK)

    # Frame by frame: each closing report came, no frame was dropped for lack of room
    # (the stack's jitter buffer, its ring towards us, our queue), and what the echo
    # returned was read (we send a packet every 20 ms, silence included).
    assert media.calls == len(numbers), media
    assert (media.jbuf_overflow, media.ring_dropped, media.queue_dropped) == (0, 0, 0), media
    unread = {}
    for number in ECHO:
        report = runtime.heard[number].report
        assert report is not None and report.sent > 250, (number, report)
        unread[number] = report.sent - report.received
    sent = sum(runtime.heard[n].report.sent for n in ECHO)  # type: ignore[union-attr]
    assert sum(unread.values()) <= 0.03 * sent, sorted(unread.values())

    # A tone is heard in one piece: one run of loud frames, as long as the tone (the
    # first frames of a stream may go to the jitter buffer's start, never any later).
    tone_frames = TONE_SECONDS * SAMPLE_RATE / FRAME_SAMPLES
    for number, hz in ECHO.items():
        heard = runtime.heard[number]
        # our tone went out and came back whole: one run of loud frames, its length
        runs = loud_runs(heard.pcm)
        assert whole_enough(runs, tone_frames), (number, runs)
        assert abs(dominant_hz(heard.pcm) - hz) < 10, number  # its own, no other call's
        steady(number, heard)
    for number in SPEAK:
        heard = runtime.heard[number]
        runs = loud_runs(heard.pcm)
        assert whole_enough(runs, tone_frames), (number, runs)
        assert abs(dominant_hz(heard.pcm) - CALLEE_HZ) < 10, number
        steady(number, heard)


def whole_enough(runs: list[int], tone_frames: float) -> bool:
    """The tone came through in one piece: one run of loud frames as long as the tone, no
    more than 5 frames short (the first of a stream go to the jitter buffer's start)."""
    return len(runs) == 1 and -5 <= runs[0] - tone_frames <= 2


def steady(number: str, heard: Heard) -> None:
    """A 20 ms frame for every 20 ms of the call, none held back long: a speaking callee
    sends no RTP after its recording, and the line fills in silence after 0.5 s of
    nothing; the bound leaves room for a host shared with other work (bench/sip_lines.py
    measures the timing)."""
    arrivals = np.array(heard.arrivals)
    span = arrivals[-1] - arrivals[0]
    assert abs(len(arrivals) - span * 50) <= 0.1 * span * 50 + 3, (number, len(arrivals), span)
    assert np.diff(arrivals).max() < 1.0, (number, np.diff(arrivals).max())
