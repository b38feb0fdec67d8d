"""The SIP pump without a stack (telephony/sip_media.py's `pump`): every call's audio
moved in one tick, the 8 kHz calls resampled in one batch each way. Against a fake of
the stack's per-call PCM access, with calls joining and leaving: each callee's frames
are what its own resampler makes of what the stack decoded, the assistant's audio
reaches the stack as its own resampler makes it, the stack's transmit buffer never runs
dry while there is audio to send, and a call whose audio fails skips only its tick."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import SimpleNamespace

import numpy as np
import pytest

from voxdial.telephony.sip_media import (
    _TX_AHEAD_FRAMES,
    _TX_LOW_FRAMES,
    CallHandle,
    CallMedia,
    pump,
)
from voxdial.voice.base import FRAME_SAMPLES
from voxdial.voice.halfband import Downsampler, Upsampler

TICK = 0.02


class FakeAudio:
    """A call's PCM in the stack: `decoded` waits for `read`; `write` fills the transmit
    buffer, which the stack's clock drains a frame a tick (`clock`) into `sent`."""

    def __init__(self, rate: int) -> None:
        self.frame_bytes = rate // 50 * 2
        self.decoded = bytearray()
        self.tx = bytearray()
        self.sent = bytearray()
        self.probes = 0
        self.fails = False
        self.ran_dry = 0  # ticks the stack had nothing to send

    def read(self, nbytes: int) -> bytes:
        if self.fails:
            raise RuntimeError("audio not active")
        chunk = bytes(self.decoded[:nbytes])
        del self.decoded[:nbytes]
        return chunk

    def write(self, pcm: bytes) -> int:
        self.tx += pcm
        return len(pcm)

    def info(self) -> SimpleNamespace:
        self.probes += 1
        return SimpleNamespace(tx_buffered=len(self.tx))

    def flush_tx(self) -> None:
        self.tx.clear()

    def clock(self, speaking: bool) -> None:
        if speaking and not self.tx:
            self.ran_dry += 1
        self.sent += self.tx[: self.frame_bytes]
        del self.tx[: self.frame_bytes]


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def voice(rng: np.random.Generator, samples: int) -> np.ndarray:
    t = np.arange(samples)
    x = 12000 * np.sin(t * rng.uniform(0.05, 0.5)) + rng.normal(0, 3000, samples)
    return np.clip(x, -32768, 32767).astype(np.int16)


class Line:
    """One call: its media, its fake stack audio, and what went in on each side."""

    def __init__(self, loop, rate: int, now: float, rng: np.random.Generator) -> None:
        self.rate = rate
        self.handle = CallHandle(loop)
        self.handle.live = True
        self.audio = FakeAudio(rate)
        self.media = CallMedia(self.handle, self.audio, rate, now)
        self.decoded = bytearray()  # all the stack decoded (the callee)
        self.heard: list[np.ndarray] = []
        self.ticks = 0  # ticks pumped with the assistant's audio waiting
        self.said = voice(rng, int(rng.integers(1, 4)) * 16000)  # the assistant, 16 kHz
        self.handle.queue_audio(self.said)

    def callee_speaks(self, rng: np.random.Generator) -> None:
        frames = int(rng.choice([0, 1, 1, 1, 1, 2, 3]))  # a late tick reads several
        pcm = voice(rng, frames * self.rate // 50).tobytes()
        self.audio.decoded += pcm
        self.decoded += pcm


def test_a_tick_moves_every_calls_audio_as_each_calls_own_resampler_would(loop):
    rng = np.random.default_rng(5)
    lines: list[Line] = []
    done: list[Line] = []
    now = 100.0
    for tick in range(400):
        if tick < 300 and rng.random() < 0.3:
            lines.append(Line(loop, 8000 if rng.random() < 0.8 else 16000, now, rng))
        for line in lines:
            line.callee_speaks(rng)
            line.ticks += line.handle.has_audio
        heard = pump([line.media for line in lines], now)
        for line, frames in zip(lines, heard, strict=True):
            assert frames is not None
            line.heard += frames
            line.audio.clock(speaking=line.handle.has_audio)
        for line in list(lines):
            if rng.random() < 0.01:  # hangs up
                lines.remove(line)
                done.append(line)
        now += TICK
    done += lines
    assert len(done) > 60 and sum(line.rate == 16000 for line in done) > 5

    frames = compared = 0
    for line in done:
        # the callee: what the stack decoded, to 16 kHz by the call's own resampler,
        # cut into 20 ms frames
        decoded = np.frombuffer(bytes(line.decoded), np.int16)
        wide = Upsampler()(decoded) if line.rate == 8000 else decoded
        heard = np.concatenate(line.heard) if line.heard else np.zeros(0, np.int16)
        assert all(f.shape == (FRAME_SAMPLES,) for f in line.heard)
        assert heard.size == wide.size // FRAME_SAMPLES * FRAME_SAMPLES
        assert np.array_equal(heard, wide[: heard.size])
        # the assistant: its audio at the codec's rate, as its own resampler makes it,
        # in the order queued, to the last frame taken
        out = np.frombuffer(bytes(line.audio.sent + line.audio.tx), np.int16)
        said = Downsampler()(line.said) if line.rate == 8000 else line.said
        assert out.size > 0 and np.array_equal(out, said[: out.size])
        assert line.audio.ran_dry == 0  # never dry while it had audio waiting
        frames += len(line.heard)
        compared += heard.size + out.size
        # the stack's buffer is looked at when it may be low, not every tick (and on
        # every tick once all is sent, until it has played out)
        assert line.audio.probes <= line.ticks / 3 + _TX_AHEAD_FRAMES + 3
    assert frames > 5_000 and compared > 3_000_000


def test_the_transmit_buffer_is_kept_between_the_low_mark_and_full(loop):
    rng = np.random.default_rng(2)
    line = Line(loop, 8000, 0.0, rng)
    line.handle.queue_audio(voice(rng, 16000 * 5))
    frame = line.audio.frame_bytes
    now = 0.0
    seen = []
    for _ in range(200):
        pump([line.media], now)
        seen.append(len(line.audio.tx) // frame)
        line.audio.clock(speaking=True)
        now += TICK
    assert max(seen) == _TX_AHEAD_FRAMES
    assert min(seen[1:]) >= _TX_LOW_FRAMES - 1
    # and the time queued counts what the stack holds
    assert line.handle.queued_seconds > _TX_LOW_FRAMES * TICK - 0.03


def test_a_clear_drops_what_the_stack_holds(loop):
    rng = np.random.default_rng(4)
    line = Line(loop, 8000, 0.0, rng)
    pump([line.media], 0.0)
    assert len(line.audio.tx) == _TX_AHEAD_FRAMES * line.audio.frame_bytes
    line.handle.clear_audio()  # a barge-in
    pump([line.media], TICK)
    assert not line.audio.tx and line.handle.queued_seconds == 0.0
    line.handle.queue_audio(voice(rng, 8000))  # the next answer starts at once
    pump([line.media], 2 * TICK)
    assert len(line.audio.tx) == _TX_AHEAD_FRAMES * line.audio.frame_bytes


def test_a_call_whose_audio_fails_skips_its_tick_and_no_other(loop):
    rng = np.random.default_rng(9)
    lines = [Line(loop, 8000, 0.0, rng) for _ in range(3)]
    for line in lines:
        line.callee_speaks(rng)
        line.audio.decoded += bytes(320)
    lines[1].audio.fails = True
    heard = pump([line.media for line in lines], 0.0)
    assert heard[1] is None and heard[0] and heard[2]
    assert not lines[1].audio.tx and lines[0].audio.tx


def test_silence_fills_in_for_a_callee_who_sends_nothing(loop):
    rng = np.random.default_rng(1)
    line = Line(loop, 8000, 0.0, rng)
    frames = []
    for tick in range(100):
        got = pump([line.media], tick * TICK + 1e-6)[0]
        assert got is not None
        frames += got
    # 99 frames due by the last tick: nothing for 0.5 s (25 frames), then silence
    assert len(frames) == 99 - 25 and not np.any(np.concatenate(frames))
