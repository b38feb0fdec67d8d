"""A SIP call's audio between the stack and the event loop: `CallHandle`, `CallMedia`.

`CallHandle` is a call's state shared by the SIP thread (which reports) and the event
loop that placed the call (which waits): futures for the answer and the end, a queue of
the callee's 16 kHz frames, and the assistant's audio waiting to be sent. It holds no
stack object.

Early media (a 183 Session Progress with SDP: an announcement, a ringback) is pumped
too when the carrier asked for it (`wants_early`: its answer detector listens), into
`early`, apart from the answered call's `rx`.

`CallMedia` moves one call's audio, once per 20 ms tick of the endpoint's pump
(sip_endpoint.py), on the SIP thread: it takes what the stack decoded (PCM at the
codec's rate, 8 kHz for G.711), brings it to 16 kHz and cuts it into 20 ms frames for
the handle; and it keeps the stack's transmit buffer a few frames ahead with the
assistant's audio, brought down to the codec's rate. A callee whose RTP stops (silence
suppression, a lost stream) still yields a steady stream: when the stack has had
nothing for `_FILL_AFTER` frames, the frames due are filled with silence, as a phone
line's would be.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import numpy as np

from voxdial.voice.audio import Downsampler, Upsampler
from voxdial.voice.base import FRAME_SAMPLES, SAMPLE_RATE, Pcm

FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE  # 20 ms: the pump's tick
_FRAME_BYTES = FRAME_SAMPLES * 2
_RX_QUEUE_FRAMES = 3000  # a minute of callee audio waiting for a slow reader
# Frames kept in the stack's transmit buffer: enough to ride out a pump held up by a busy
# host (the stack sends silence when it runs dry); a barge-in drops them (flush_tx).
_TX_AHEAD_FRAMES = 25
_FILL_AFTER = 25  # frames (500 ms) of nothing from the stack before silence is filled in
_READ_BYTES = 2560  # decoded audio taken per read (a small buffer: it is allocated per read)
END_SECONDS = 40.0  # bound on the wait for a call to end once hung up (Timer B is 32 s)


class CallHandle:
    """A call's state shared by the SIP thread and the event loop that waits for it."""

    _ids = itertools.count(1)

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.id = next(self._ids)
        self.loop = loop
        self.answered: asyncio.Future[None] = loop.create_future()
        self.ended: asyncio.Future[tuple[int, str, int | None]] = loop.create_future()
        self.rx: asyncio.Queue[Pcm | None] = asyncio.Queue()
        self.early: asyncio.Queue[Pcm | None] = asyncio.Queue()  # early media's frames
        self.wants_early = False  # pump early media (else it is dropped)
        self.keys: asyncio.Queue[str] = asyncio.Queue(maxsize=256)  # the callee's keys
        self.live = False  # frames count from the answer on
        self.ringing = False  # a provisional response came: the trunk is there
        self.sending_seconds = 0.0  # audio in the stack's transmit buffer (last seen)
        self.rx_dropped = 0  # callee frames dropped for a reader a minute behind
        self.media_report: Any = None  # where its frames went, once closed (sip_stats.py)
        self._out = bytearray()
        self._out_lock = threading.Lock()
        self._flush = False  # clear() came: the stack's transmit buffer is dropped too

    # SIP thread ---------------------------------------------------------------------

    def post(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            self.loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass

    def report_answered(self) -> None:
        self.live = True
        self.post(_resolve, self.answered, None)

    def report_ended(self, status: int, reason: str, q850: int | None) -> None:
        self.live = False
        self.sending_seconds = 0.0
        self.post(_resolve, self.ended, (status, reason, q850))
        self.post(self.rx.put_nowait, None)
        self.post(self.early.put_nowait, None)

    def report_key(self, digit: str) -> None:
        """A key the stack received (RFC 4733 telephone-event or SIP INFO)."""
        if self.live:
            self.post(_offer, self.keys, digit)

    def take_audio(self, nbytes: int) -> bytes:
        """Up to `nbytes` of the assistant's 16 kHz audio, b"" when there is none."""
        with self._out_lock:
            chunk = bytes(self._out[:nbytes])
            del self._out[:nbytes]
        return chunk

    @property
    def has_audio(self) -> bool:
        return bool(self._out)

    def take_flush(self) -> bool:
        with self._out_lock:
            flush, self._flush = self._flush, False
        return flush

    # event loop -----------------------------------------------------------------------

    def deliver(self, frames: list[Pcm], *, early: bool = False) -> None:
        queue = self.early if early else self.rx
        for pcm in frames:
            if queue.qsize() >= _RX_QUEUE_FRAMES:
                queue.get_nowait()  # a reader that fell a minute behind loses the oldest
                self.rx_dropped += 1
            queue.put_nowait(pcm)

    def queue_audio(self, pcm: Pcm) -> None:
        data = np.asarray(pcm, dtype=np.int16).tobytes()
        with self._out_lock:
            self._out += data

    def clear_audio(self) -> None:
        with self._out_lock:
            self._out.clear()
            self._flush = True

    @property
    def queued_seconds(self) -> float:
        """Assistant audio not yet sent: queued here, and in the stack's buffer."""
        with self._out_lock:
            waiting = len(self._out) / 2 / SAMPLE_RATE
        return waiting + self.sending_seconds if (waiting or self.live) else 0.0


async def received(handle: CallHandle) -> AsyncIterator[Pcm]:
    """The far end's 16 kHz frames as they arrive, until the call ends."""
    while True:
        pcm = await handle.rx.get()
        if pcm is None:
            return
        yield pcm


async def play_out(handle: CallHandle) -> None:
    """Let the audio queued to the far end play out (bounded by its length)."""
    left = handle.queued_seconds
    if left:
        deadline = handle.loop.time() + left + 1.0
        while handle.queued_seconds and not handle.ended.done():
            if handle.loop.time() >= deadline:
                break
            await asyncio.sleep(0.02)


async def wait_done(fut: asyncio.Future[Any], seconds: float) -> bool:
    """Wait for `fut` (never cancelling it) at most `seconds`; True if it is done."""
    if not fut.done():
        await asyncio.wait([fut], timeout=seconds)
    return fut.done()


def _resolve(fut: asyncio.Future[Any], value: Any) -> None:
    if not fut.done():
        fut.set_result(value)


def _offer(queue: asyncio.Queue[Any], item: Any) -> None:
    if not queue.full():  # a flood of keys is not a callee: the rest are dropped
        queue.put_nowait(item)


def deliver_all(batch: list[tuple[CallHandle, list[Pcm], bool]]) -> None:
    """One tick's frames for the calls of one event loop (run on that loop); the flag
    marks early media."""
    for handle, frames, early in batch:
        handle.deliver(frames, early=early)


class CallMedia:
    """One call's audio, pumped every tick on the SIP thread.

    `audio` is the stack's PCM access to the call (baresip's `CallAudio`: non-blocking
    `read`, `write`, `flush_tx` and `info`); `rate` its sample rate, 8000 or 16000.
    `early`: the media before the answer (its frames go to `CallHandle.early`)."""

    def __init__(
        self, handle: CallHandle, audio: Any, rate: int, started: float, *, early: bool = False
    ) -> None:
        if rate not in (8000, SAMPLE_RATE):
            raise ValueError(f"unsupported SIP audio rate {rate}")
        self.handle = handle
        self.early = early
        self.audio = audio
        self.rate = rate
        self._narrow = rate != SAMPLE_RATE
        self._up = Upsampler() if self._narrow else None
        self._down = Downsampler() if self._narrow else None
        self._rx = np.zeros(0, dtype=np.int16)
        self._started = started
        self._delivered = 0  # frames handed to the session
        self.frame_bytes = rate // 50 * 2  # 20 ms at the codec's rate
        self.frames_in = 0  # figures for the bench: frames decoded, frames filled
        self.frames_filled = 0

    def receive(self, now: float) -> list[Pcm]:
        """The callee's frames decoded since the last tick (16 kHz, 20 ms each)."""
        parts = []
        while True:  # all the stack holds: a late tick catches up
            part = self.audio.read(_READ_BYTES)
            if part:
                parts.append(part)
            if len(part) < _READ_BYTES:
                break
        data = b"".join(parts)
        if data:
            pcm = np.frombuffer(data, dtype=np.int16)
            if self._up is not None:
                pcm = self._up(pcm)
            self._rx = np.concatenate([self._rx, pcm]) if self._rx.size else pcm
        whole = self._rx.size // FRAME_SAMPLES
        rx = self._rx
        frames = [rx[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES].copy() for i in range(whole)]
        self._rx = self._rx[whole * FRAME_SAMPLES :]
        self.frames_in += whole
        due = int((now - self._started) / FRAME_SECONDS)
        missing = due - _FILL_AFTER - (self._delivered + whole)
        if missing > 0 and not data:  # nothing from the callee for a while: silence
            frames += [np.zeros(FRAME_SAMPLES, dtype=np.int16) for _ in range(missing)]
            self.frames_filled += missing
        self._delivered += len(frames)
        return frames

    def send(self) -> None:
        """Keep the stack's transmit buffer `_TX_AHEAD_FRAMES` ahead with the assistant's
        audio (a clear() drops what the stack holds too)."""
        handle = self.handle
        if handle.take_flush():
            self.audio.flush_tx()
        if not handle.has_audio and not handle.sending_seconds:
            return  # nothing to say: the stack sends silence by itself
        buffered = self.audio.info().tx_buffered
        while buffered < _TX_AHEAD_FRAMES * self.frame_bytes:
            chunk = handle.take_audio(_FRAME_BYTES)
            if not chunk:
                break
            if len(chunk) < _FRAME_BYTES:
                chunk += bytes(_FRAME_BYTES - len(chunk))
            pcm = np.frombuffer(chunk, dtype=np.int16)
            if self._down is not None:
                pcm = self._down(pcm)
            buffered += self.audio.write(pcm.tobytes())
        handle.sending_seconds = buffered / 2 / self.rate
