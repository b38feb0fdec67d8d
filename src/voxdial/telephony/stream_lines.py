"""The two framings of the assistant's websocket, as voice `Line`s, without the socket.

- `MediaStreamLine`: Twilio Media Streams framing. JSON text frames in: `connected`,
  `start`, `media` (base64 μ-law 8 kHz), `dtmf` (`{"dtmf": {"digit": "1"}}`, a key),
  `mark`, `stop`; out: `media` (200 ms chunks), a `mark` after each clause, `clear` on
  barge-in. The assistant's keys go out as tones in the media.
  **[ours]** A transfer to a person (which a stream cannot do itself) is asked of the
  controller that placed the call: `{"event": "transfer", "transfer": {"mode": "blind",
  "target"}}` out (bridged: `"mode": "bridged"` and `"agentTimeoutSeconds"`, the
  controller calling the agent and joining the calls); the controller answers
  `{"event": "transfer", "transfer": {"status": "connected" | "failed", "reason"}}`
  (docs/transfer.md).
- `BrowserLine`: binary 16-bit little-endian mono PCM at 16 kHz both ways, JSON control
  messages (`{"type": "clear"}` and `{"type": "transcript", "who", "text"}` out,
  `{"type": "stop"}` and `{"type": "dtmf", "digit": "1"}` in).

The route that accepts the socket (api/routes/media.py) hands each line a `Send`
callable (it knows the web framework's disconnect errors; this module does not) and
feeds every frame it receives to `FrameReader.feed`. So the framing is tested with
plain coroutines, no web server.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from enum import StrEnum
from typing import Any

import numpy as np

from voxdial.voice.audio import Downsampler, Upsampler, mulaw_to_pcm, pcm_to_mulaw
from voxdial.voice.base import Pcm, TransferFailed
from voxdial.voice.dtmf import DIGITS, Key, KeySource

log = logging.getLogger(__name__)

MAX_MESSAGE = 1 << 20  # no legitimate control or audio message is larger
CHUNK_8K = 1600  # μ-law bytes per outgoing media message: 200 ms
TRANSFER_SECONDS = 30.0  # wait for the controller's word on a transfer

# Sends one frame (text or bytes); False once the socket is gone.
Send = Callable[[str | bytes], Awaitable[bool]]


class StreamLine:
    """A websocket as a voice Line; the frame reader feeds `push` and `end`."""

    def __init__(self, send: Send) -> None:
        self._send_frame = send
        self._in: asyncio.Queue[Pcm | None] = asyncio.Queue()
        self._keys: asyncio.Queue[Key] = asyncio.Queue(maxsize=256)
        self.closed = False  # the assistant hung up
        self.gone = False  # the socket is closed or broken

    def push(self, pcm: Pcm) -> None:
        self._in.put_nowait(pcm)

    def push_key(self, digit: str) -> None:
        if not self._keys.full():  # a flood of keys is not a callee: the rest are dropped
            self._keys.put_nowait(Key(digit, KeySource.MEDIASTREAM))

    async def keys(self) -> AsyncIterator[Key]:
        while True:
            yield await self._keys.get()

    async def send_keys(self, digits: str) -> KeySource | None:
        return None  # no key message goes out: the session plays tones in the media

    def end(self, *, gone: bool = False) -> None:
        self.gone = self.gone or gone
        self._in.put_nowait(None)

    async def frames(self) -> AsyncIterator[Pcm]:
        while True:
            pcm = await self._in.get()
            if pcm is None:
                return
            yield pcm

    async def close(self) -> None:
        self.closed = True
        self.end()

    async def _send(self, frame: str | bytes) -> None:
        if not self.gone and not await self._send_frame(frame):
            self.gone = True


class MediaStreamLine(StreamLine):
    def __init__(self, send: Send, stream_sid: str) -> None:
        super().__init__(send)
        self.stream_sid = stream_sid
        self._up = Upsampler()
        self._down = Downsampler()
        self._marks = 0
        self._transfer: asyncio.Future[dict[str, Any]] | None = None
        self.transfer_seconds = TRANSFER_SECONDS

    def end(self, *, gone: bool = False) -> None:
        self.transfer_reply({"status": "failed", "reason": "the stream ended"})
        super().end(gone=gone)

    async def transfer(self, target: str) -> None:
        """Ask the controller to hand the callee over to `target`; returns when it
        says "connected" (the line has then ended for us), raises TransferFailed when
        it says otherwise, the stream ends, or no word comes in `transfer_seconds`."""
        await self._ask_controller({"mode": "blind", "target": target}, self.transfer_seconds)

    async def bridge(self, target: str, *, answer_seconds: float, greeting: Pcm | None) -> None:
        """A bridged transfer (`voxdial.voice.base.BridgeLine`), asked of the controller,
        which calls the agent and joins the calls itself: `{"mode": "bridged", "target",
        "agentTimeoutSeconds"}`. Its word may take the agent's time to answer, and
        `transfer_seconds` more. Returns None once "connected" (our part has ended);
        the controller gets no summary to play, so `greeting` is not sent."""
        seconds = int(answer_seconds)
        request = {"mode": "bridged", "target": target, "agentTimeoutSeconds": seconds}
        await self._ask_controller(request, answer_seconds + self.transfer_seconds)

    async def _ask_controller(self, request: dict[str, Any], seconds: float) -> None:
        if self.gone or self.closed or self._transfer is not None:
            raise TransferFailed("the stream cannot transfer now")
        waiting = self._transfer = asyncio.get_running_loop().create_future()
        try:
            await self._event({"event": "transfer", "transfer": request})
            if self.gone:
                raise TransferFailed("the stream is gone")
            try:
                reply = await asyncio.wait_for(waiting, seconds)
            except TimeoutError:
                raise TransferFailed("no transfer outcome in time") from None
        finally:
            self._transfer = None
        status = reply.get("status")
        if status != "connected":
            reason = reply.get("reason") or status or "no status"
            raise TransferFailed(str(reason)[:200])
        super().end()

    def transfer_reply(self, reply: dict[str, Any]) -> None:
        """The controller's word on the transfer asked (ignored when none is)."""
        waiting = self._transfer
        if waiting is not None and not waiting.done():
            waiting.set_result(reply)

    def push_mulaw(self, payload: str) -> None:
        """A `media` event's payload (raises binascii.Error / ValueError when it is not
        base64)."""
        self.push(self._up(mulaw_to_pcm(base64.b64decode(payload, validate=True))))

    async def play(self, audio: Pcm) -> None:
        data = pcm_to_mulaw(self._down(audio))
        for i in range(0, len(data), CHUNK_8K):
            chunk = base64.b64encode(data[i : i + CHUNK_8K]).decode()
            await self._event({"event": "media", "media": {"payload": chunk}})
        self._marks += 1
        await self._event({"event": "mark", "mark": {"name": f"clause-{self._marks}"}})

    async def clear(self) -> None:
        await self._event({"event": "clear"})

    async def _event(self, message: dict[str, Any]) -> None:
        message["streamSid"] = self.stream_sid
        await self._send(json.dumps(message))


class BrowserLine(StreamLine):
    async def started(self, session_id: str) -> None:
        """Tell the browser its call's session id, before any audio."""
        await self._send(json.dumps({"type": "started", "sessionId": session_id}))

    async def play(self, audio: Pcm) -> None:
        await self._send(audio.astype("<i2").tobytes())

    async def transcript(self, who: str, text: str) -> None:
        """What one side said (the assistant's words as they are queued, the callee's
        once recognised), for the page to show as the call goes."""
        await self._send(json.dumps({"type": "transcript", "who": who, "text": text}))

    async def clear(self) -> None:
        await self._send(json.dumps({"type": "clear"}))


class Frame(StrEnum):
    """What one received frame meant."""

    AUDIO = "audio"  # audio for the line
    CONTROL = "control"  # a control message with nothing to do (`connected`, `mark`)
    STOP = "stop"  # the caller ended the stream
    MALFORMED = "malformed"  # ignored, counted


def json_object(text: str | None) -> dict[str, Any] | None:
    """A text frame's JSON object, or None for anything else."""
    if not text or len(text) > MAX_MESSAGE:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class FrameReader:
    """Turns the caller's frames into audio on `line`. Malformed frames are counted and
    skipped (the first logged at once, the count when the call ends): one bad frame
    never ends a call."""

    def __init__(self, line: StreamLine, *, assistant_id: int) -> None:
        self.line = line
        self.assistant_id = assistant_id
        self.malformed = 0

    def feed(self, *, text: str | None = None, data: bytes | None = None) -> Frame:
        if data is not None:
            if not isinstance(self.line, BrowserLine):
                return self._bad("binary")
            usable = len(data) // 2 * 2
            self.line.push(np.frombuffer(data[:usable], dtype="<i2").astype(np.int16))
            return Frame.AUDIO
        event = json_object(text)
        if event is None:
            return self._bad("not a JSON object")
        kind = event.get("event") or event.get("type")
        if kind == "stop":
            return Frame.STOP
        if kind == "dtmf":
            # Twilio: {"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": "1"}};
            # the browser: {"type": "dtmf", "digit": "1"}
            body = event.get("dtmf")
            digit = body.get("digit") if isinstance(body, dict) else event.get("digit")
            if not isinstance(digit, str) or len(digit) != 1 or digit.upper() not in DIGITS:
                return self._bad("dtmf without a key")
            self.line.push_key(digit.upper())
            return Frame.CONTROL
        if kind == "media" and isinstance(self.line, MediaStreamLine):
            media = event.get("media")
            payload = media.get("payload") if isinstance(media, dict) else None
            if not isinstance(payload, str):
                return self._bad("media without a payload")
            try:
                self.line.push_mulaw(payload)
            except (binascii.Error, ValueError):
                return self._bad("media payload not base64")
            return Frame.AUDIO
        if kind == "transfer" and isinstance(self.line, MediaStreamLine):
            reply = event.get("transfer")
            if not isinstance(reply, dict):
                return self._bad("transfer without its outcome")
            self.line.transfer_reply(reply)
        return Frame.CONTROL

    def finish(self, *, gone: bool) -> None:
        if self.malformed:
            log.warning(
                "malformed websocket frames ignored",
                extra={"assistant_id": self.assistant_id, "count": self.malformed},
            )
        self.line.end(gone=gone)

    def _bad(self, kind: str) -> Frame:
        self.malformed += 1
        if self.malformed == 1:
            log.warning(
                "malformed websocket frame ignored",
                extra={"assistant_id": self.assistant_id, "frame": kind},
            )
        return Frame.MALFORMED
