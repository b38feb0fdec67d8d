"""A SIP call's audio between the stack and the event loop: `CallHandle`, `CallMedia`.

`CallHandle` is a call's state shared by the SIP thread (which reports) and the event
loop that placed the call (which waits): futures for the answer and the end, a queue of
the callee's 16 kHz frames, and the assistant's audio waiting to be sent. It holds no
stack object.

Early media (a 183 Session Progress with SDP: an announcement, a ringback) is pumped
too when the carrier asked for it (`wants_early`: its answer detector listens), into
`early`, apart from the answered call's `rx`.

`CallMedia` is one call's audio, and `pump` moves every call's once per 20 ms tick of
the endpoint (sip_endpoint.py), on the SIP thread: it takes what the stack decoded (PCM
at the codec's rate, 8 kHz for G.711), brings it to 16 kHz and cuts it into 20 ms
frames for the handle; and it keeps the stack's transmit buffer a few frames ahead with
the assistant's audio, brought down to the codec's rate. The 8 kHz calls are resampled
in one batch per tick each way, not call by call (a hundred calls' frames cost about
what one call's did). A callee whose RTP stops (silence suppression, a lost stream)
still yields a steady stream: when the stack has had nothing for `_FILL_AFTER` frames,
the frames due are filled with silence, as a phone line's would be.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import numpy as np

from voxdial.voice.base import FRAME_SAMPLES, SAMPLE_RATE, Pcm
from voxdial.voice.halfband import Downsampler, Upsampler, downsample_all, upsample_all

log = logging.getLogger("voxdial.sip")

FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE  # 20 ms: the pump's tick
_FRAME_BYTES = FRAME_SAMPLES * 2
_RX_QUEUE_FRAMES = 3000  # a minute of callee audio waiting for a slow reader
# Frames kept in the stack's transmit buffer: enough to ride out a pump held up by a busy
# host (the stack sends silence when it runs dry); a barge-in drops them (flush_tx).
_TX_AHEAD_FRAMES = 25
# ... topped up when it may have fallen under this: the stack's buffer is looked at (a
# native probe) and written to every fifth tick or so while the assistant speaks, not
# on every tick.
_TX_LOW_FRAMES = 20
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
        if not self._flush:  # the usual tick: no lock taken
            return False
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
    """One call's audio, pumped every tick on the SIP thread (`pump`, for all the calls).

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
        narrow = rate != SAMPLE_RATE
        self.up = Upsampler() if narrow else None  # the callee's audio to 16 kHz
        self.down = Downsampler() if narrow else None  # the assistant's to the codec's rate
        self._rx = _NO_SAMPLES  # callee audio short of a whole frame
        self._started = started
        self._delivered = 0  # frames handed to the session
        self._tx_buffered = 0  # bytes in the stack's transmit buffer, as last seen...
        self._tx_seen = 0.0  # ... at this loop time
        self.frame_bytes = rate // 50 * 2  # 20 ms at the codec's rate
        self.frames_in = 0  # figures for the bench: frames decoded, frames filled
        self.frames_filled = 0

    def read(self) -> bytes:
        """What the stack decoded since the last tick, at the codec's rate: all it holds
        (a late tick catches up)."""
        part = self.audio.read(_READ_BYTES)
        if len(part) < _READ_BYTES:
            return part
        parts = [part]
        while len(part) == _READ_BYTES:
            part = self.audio.read(_READ_BYTES)
            parts.append(part)
        return b"".join(parts)

    def frames(self, pcm: Pcm | None, now: float) -> list[Pcm]:
        """This tick's 20 ms frames of the callee's 16 kHz audio `pcm` (None: the stack
        had nothing); after `_FILL_AFTER` frames of nothing, the frames due are silence."""
        frames: list[Pcm] = []
        if pcm is not None:
            rx = np.concatenate([self._rx, pcm]) if self._rx.size else pcm
            whole = rx.size // FRAME_SAMPLES
            if whole:  # a copy of their own: `pcm` may be a row of every call's batch
                frames = list(rx[: whole * FRAME_SAMPLES].reshape(whole, FRAME_SAMPLES).copy())
            rest = rx.size - whole * FRAME_SAMPLES
            self._rx = rx[-rest:].copy() if rest else _NO_SAMPLES
            self.frames_in += whole
        due = int((now - self._started) / FRAME_SECONDS)
        missing = due - _FILL_AFTER - (self._delivered + len(frames))
        if missing > 0 and pcm is None:  # nothing from the callee for a while: silence
            frames += list(np.zeros((missing, FRAME_SAMPLES), dtype=np.int16))
            self.frames_filled += missing
        self._delivered += len(frames)
        return frames

    def audio_due(self, now: float) -> bytes:
        """The assistant's 16 kHz audio the stack's transmit buffer needs this tick, in
        whole frames: when it may hold fewer than `_TX_LOW_FRAMES` (it drains at most in
        real time since it was last looked at), enough to bring it to `_TX_AHEAD_FRAMES`
        (b"" for none). A clear() drops what the stack holds first."""
        handle = self.handle
        if handle.take_flush():
            self.audio.flush_tx()
            self._tx_buffered = 0
        if not handle.has_audio:
            if not handle.sending_seconds:
                return b""  # nothing to say: the stack sends silence by itself
        else:
            ahead = self._tx_buffered - (now - self._tx_seen) * self.rate * 2
            if ahead >= _TX_LOW_FRAMES * self.frame_bytes:
                handle.sending_seconds = ahead / 2 / self.rate
                return b""
        buffered = self._tx_buffered = self.audio.info().tx_buffered
        self._tx_seen = now
        handle.sending_seconds = buffered / 2 / self.rate
        short = _TX_AHEAD_FRAMES * self.frame_bytes - buffered
        if short <= 0 or not handle.has_audio:
            return b""
        chunk = handle.take_audio(-(-short // self.frame_bytes) * _FRAME_BYTES)
        if len(chunk) % _FRAME_BYTES:
            chunk += bytes(_FRAME_BYTES - len(chunk) % _FRAME_BYTES)
        return chunk

    def write(self, pcm: bytes) -> None:
        """Audio at the codec's rate into the stack's transmit buffer."""
        self._tx_buffered += self.audio.write(pcm)
        self.handle.sending_seconds = self._tx_buffered / 2 / self.rate


def pump(medias: Sequence[CallMedia], now: float) -> list[list[Pcm] | None]:
    """One tick of every call's audio, on the SIP thread: what the stack decoded for each
    callee, as 20 ms frames at 16 kHz, and the assistant's audio, at the codec's rate,
    into the stack's transmit buffer. The 8 kHz calls are resampled all together, one
    batch each way (voice/halfband.py: the same samples as each call filtered alone).
    Returns each call's frames; None for a call whose audio failed this tick (between
    renegotiations, closing)."""
    count = len(medias)
    data: list[bytes | None] = [None] * count
    for i, media in enumerate(medias):
        try:
            data[i] = media.read()
        except Exception as e:  # AudioNotActive between renegotiations, a closing call
            _skipped(media, e)
    pcm: list[Pcm | None] = [None] * count
    narrow = []
    for i, d in enumerate(data):
        if d:
            if medias[i].up is None:  # 16 kHz already
                pcm[i] = np.frombuffer(d, dtype=np.int16)
            else:
                narrow.append(i)
    batch = upsample_all([medias[i].up for i in narrow], [data[i] for i in narrow])
    for i, samples in zip(narrow, batch, strict=True):
        pcm[i] = samples
    heard: list[list[Pcm] | None] = [None] * count
    due: list[bytes] = [b""] * count
    for i, media in enumerate(medias):
        if data[i] is None:
            continue
        heard[i] = media.frames(pcm[i], now)
        try:
            due[i] = media.audio_due(now)
        except Exception as e:
            _skipped(media, e)
    narrow = [i for i in range(count) if due[i] and medias[i].down is not None]
    batch = downsample_all([medias[i].down for i in narrow], [due[i] for i in narrow])
    out: list[bytes] = list(due)
    for i, samples in zip(narrow, batch, strict=True):
        out[i] = samples.tobytes()
    for i, media in enumerate(medias):
        if out[i]:
            try:
                media.write(out[i])
            except Exception as e:
                _skipped(media, e)
    return heard


_NO_SAMPLES = np.zeros(0, dtype=np.int16)


def _skipped(media: CallMedia, error: Exception) -> None:
    if media.handle.live:
        log.debug("SIP audio skipped a tick", extra={"error": type(error).__name__})
