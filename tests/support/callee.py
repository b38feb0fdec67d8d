"""A simulated callee on a Twilio-style media stream, and a live server to call.

The callee behaves like a person on a phone: it hears the assistant's audio at the
speed it would play, waits for the assistant to finish (a short quiet after its audio
has played out), then says its next reply in real time, 20 ms at a time, followed by
line silence. It times each turn from the end of its own speech to the first audio of
the assistant's reply: the turn latency a caller would feel.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import uvicorn
import websockets

from voxdial.voice.audio import Downsampler, Upsampler, mulaw_to_pcm, pcm_to_mulaw
from voxdial.voice.base import SAMPLE_RATE

FRAME = 320  # 20 ms at 16 kHz


@contextmanager
def live_server(app) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (a free port) in a thread; yields `http://127.0.0.1:PORT`."""
    # the socket is bound here and handed to uvicorn, so no other test (or xdist
    # worker) can take the port between choosing it and listening on it
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@dataclass
class Turn:
    speech_end: float  # monotonic: our last speech sample went out
    first_reply: float | None = None  # the first assistant audio after that

    @property
    def latency(self) -> float | None:
        return None if self.first_reply is None else self.first_reply - self.speech_end


@dataclass
class CalleeReport:
    close_code: int | None = None
    heard: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    turns: list[Turn] = field(default_factory=list)
    clears: int = 0
    marks: int = 0
    messages: int = 0
    transfers: list[dict] = field(default_factory=list)  # `transfer` requests received


class MediaStreamCallee:
    def __init__(
        self,
        url: str,
        replies: list[np.ndarray | dict],
        *,
        token: str = "",
        parameters: dict[str, str] | None = None,
        quiet_before_reply: float = 0.5,
        hang_up_after: float = 6.0,
        max_seconds: float = 120.0,
        opening: np.ndarray | None = None,
        transfer_reply: dict | None = None,
    ) -> None:
        """`opening`: audio played from the answer on, before any prompt (a greeting, a
        voicemail or an announcement); `replies` each wait for the assistant's prompt."""
        self.url = url
        self.opening = opening
        # the controller's answer to a `transfer` request (None: no answer); "connected"
        # stops the stream, as a controller does once the person took the call
        self.transfer_reply = transfer_reply
        self.replies = list(replies)
        self.token = token
        self.parameters = dict(parameters or {})
        self.quiet_before_reply = quiet_before_reply
        self.hang_up_after = hang_up_after
        self.max_seconds = max_seconds
        self.report = CalleeReport()
        self._playout_end = 0.0  # monotonic: when what we were sent has played
        self._heard_any = False
        self._down = Downsampler()
        self._up = Upsampler()
        self._heard: list[np.ndarray] = []

    def _talking(self) -> bool:
        return time.monotonic() < self._playout_end

    async def run(self) -> CalleeReport:
        async with websockets.connect(self.url, max_size=None) as ws:
            await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1"}))
            params = {**self.parameters}
            if self.token:
                params["token"] = self.token
            await ws.send(
                json.dumps(
                    {
                        "event": "start",
                        "sequenceNumber": "1",
                        "start": {
                            "streamSid": "MZtest",
                            "callSid": "CAtest",
                            "customParameters": params,
                            "mediaFormat": {
                                "encoding": "audio/x-mulaw",
                                "sampleRate": 8000,
                                "channels": 1,
                            },
                        },
                        "streamSid": "MZtest",
                    }
                )
            )
            receiver = asyncio.create_task(self._receive(ws))
            try:
                await asyncio.wait_for(self._speak(ws, receiver), self.max_seconds)
            except TimeoutError:
                pass
            finally:
                if not receiver.done():
                    try:
                        await ws.send(json.dumps({"event": "stop", "streamSid": "MZtest"}))
                    except websockets.ConnectionClosed:
                        pass
                    await ws.close()
                await asyncio.gather(receiver, return_exceptions=True)
        if self._heard:
            self.report.heard = np.concatenate(self._heard)
        return self.report

    async def _speak(self, ws, receiver: asyncio.Task) -> None:
        start = time.monotonic()
        sent = 0  # frames sent: paces the stream to real time
        pending = self.opening if self.opening is not None else np.zeros(0, np.int16)
        quiet_since = time.monotonic()
        done_at: float | None = None
        while not receiver.done():
            now = time.monotonic()
            if self._talking() or not self._heard_any:
                quiet_since = now
            if not len(pending) and self.replies and self._heard_any and not self._talking():
                if now - quiet_since >= self.quiet_before_reply:
                    reply = self.replies.pop(0)
                    self._heard_any = False  # the next reply waits for the next prompt
                    if isinstance(reply, dict):  # a message (a `dtmf` key), not audio
                        await ws.send(json.dumps({**reply, "streamSid": "MZtest"}))
                        self.report.turns.append(Turn(speech_end=time.monotonic()))
                    else:
                        pending = reply
            if not len(pending) and not self.replies and done_at is None:
                done_at = now
            if done_at is not None and now - done_at >= self.hang_up_after:
                return  # we said everything and the assistant did not hang up
            frame = np.zeros(FRAME, np.int16)
            if len(pending):
                take = pending[:FRAME]
                frame[: len(take)] = take
                pending = pending[FRAME:]
                if not len(pending):
                    self.report.turns.append(Turn(speech_end=time.monotonic()))
            payload = base64.b64encode(pcm_to_mulaw(self._down(frame))).decode()
            try:
                await ws.send(
                    json.dumps(
                        {"event": "media", "streamSid": "MZtest", "media": {"payload": payload}}
                    )
                )
            except websockets.ConnectionClosed:
                return
            sent += 1
            delay = start + sent * FRAME / SAMPLE_RATE - time.monotonic()
            await asyncio.sleep(max(0.0, delay))

    async def _receive(self, ws) -> None:
        try:
            async for raw in ws:
                event = json.loads(raw)
                self.report.messages += 1
                kind = event.get("event")
                if kind == "media":
                    pcm = self._up(mulaw_to_pcm(base64.b64decode(event["media"]["payload"])))
                    now = time.monotonic()
                    if self.report.turns and self.report.turns[-1].first_reply is None:
                        self.report.turns[-1].first_reply = now
                    self._heard.append(pcm)
                    self._playout_end = max(self._playout_end, now) + len(pcm) / SAMPLE_RATE
                    self._heard_any = True
                elif kind == "clear":
                    self.report.clears += 1
                    self._playout_end = time.monotonic()
                elif kind == "mark":
                    self.report.marks += 1
                elif kind == "transfer":
                    self.report.transfers.append(event.get("transfer"))
                    if self.transfer_reply is not None:
                        reply = {"event": "transfer", "streamSid": "MZtest"}
                        await ws.send(json.dumps({**reply, "transfer": self.transfer_reply}))
        except websockets.ConnectionClosed as closed:
            self.report.close_code = closed.rcvd.code if closed.rcvd else None
            return
        self.report.close_code = ws.close_code
