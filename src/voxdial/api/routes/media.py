"""The assistant's realtime endpoint: `ws://HOST/openapi/assistants/{id}/ws`.

Two framings on one URL:

- **media stream** (the default), compatible with Twilio Media Streams: JSON text
  frames `connected`, `start` (with `customParameters`), `media` (base64 μ-law 8 kHz),
  `mark`, `stop` from the caller's side; `media`, `mark` and `clear` from ours.
- **browser** (`?mode=browser`, or a first message `{"type": "start"}`): binary frames
  of 16-bit little-endian mono PCM at 16 kHz both ways, and JSON control messages:
  in `{"type": "start", "variables": {...}}`, `{"type": "stop"}`; out
  `{"type": "started", "sessionId"}`, `{"type": "clear"}`, `{"type": "ended", ...}`.

The token (the assistant's `websocketToken`, or the one-call token the `mediastream`
carrier issued) comes as `?token=`, an `Authorization: Bearer` header, or the start
message's `token` / `customParameters.token` / `streamToken`. A wrong or expired token,
or an unknown assistant, closes the socket with 1008 before any audio flows.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy import select

from voxdial.api.deps import AppState
from voxdial.clock import SystemClock
from voxdial.conversation.analysis import analyse_call
from voxdial.conversation.calls import DialRequest
from voxdial.conversation.engine import CallContext
from voxdial.conversation.openai_engine import make_engine
from voxdial.dialer.service import make_voice_runtime
from voxdial.domain.attempts import collect_questions, conversation_facts
from voxdial.store import calls as call_store
from voxdial.store.models import Assistant, AssistantVersion, Workspace
from voxdial.store.outcomes import CallOutcome
from voxdial.telephony.mediastream import PENDING, PendingCall
from voxdial.voice.audio import Downsampler, Upsampler, mulaw_to_pcm, pcm_to_mulaw
from voxdial.voice.base import Pcm

log = logging.getLogger(__name__)
router = APIRouter()

POLICY_VIOLATION = 1008
MAX_MESSAGE = 1 << 20  # no legitimate control or audio message is larger
START_TIMEOUT = 15.0  # seconds to wait for the start message
CHUNK_8K = 1600  # μ-law bytes per outgoing media message: 200 ms


@dataclass
class _Target:
    assistant: Assistant
    version: AssistantVersion
    time_zone: str


class _Unauthorized(Exception):
    pass


class _StreamLine:
    """A websocket as a voice Line; the message reader feeds `push` and `end`."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self._in: asyncio.Queue[Pcm | None] = asyncio.Queue()
        self.closed = False  # the assistant hung up
        self.gone = False  # the socket is closed or broken

    def push(self, pcm: Pcm) -> None:
        self._in.put_nowait(pcm)

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


class MediaStreamLine(_StreamLine):
    def __init__(self, ws: WebSocket, stream_sid: str) -> None:
        super().__init__(ws)
        self.stream_sid = stream_sid
        self._up = Upsampler()
        self._down = Downsampler()
        self._marks = 0

    def push_mulaw(self, payload: str) -> None:
        self.push(self._up(mulaw_to_pcm(base64.b64decode(payload, validate=True))))

    async def play(self, audio: Pcm) -> None:
        data = pcm_to_mulaw(self._down(audio))
        for i in range(0, len(data), CHUNK_8K):
            chunk = base64.b64encode(data[i : i + CHUNK_8K]).decode()
            await self._send({"event": "media", "media": {"payload": chunk}})
        self._marks += 1
        await self._send({"event": "mark", "mark": {"name": f"clause-{self._marks}"}})

    async def clear(self) -> None:
        await self._send({"event": "clear"})

    async def _send(self, message: dict[str, Any]) -> None:
        if not self.gone:
            message["streamSid"] = self.stream_sid
            try:
                await self.ws.send_text(json.dumps(message))
            except (WebSocketDisconnect, RuntimeError):
                self.gone = True


class BrowserLine(_StreamLine):
    async def play(self, audio: Pcm) -> None:
        await self._send(bytes_=audio.astype("<i2").tobytes())

    async def clear(self) -> None:
        await self._send(text=json.dumps({"type": "clear"}))

    async def _send(self, *, text: str | None = None, bytes_: bytes | None = None) -> None:
        if self.gone:
            return
        try:
            if text is not None:
                await self.ws.send_text(text)
            else:
                await self.ws.send_bytes(bytes_ or b"")
        except (WebSocketDisconnect, RuntimeError):
            self.gone = True


@router.websocket("/assistants/{assistant_id}/ws")
async def assistant_socket(ws: WebSocket, assistant_id: int) -> None:
    state: AppState = ws.app.state.voxdial
    await ws.accept()
    try:
        first = await asyncio.wait_for(_receive_json(ws), START_TIMEOUT)
        browser = ws.query_params.get("mode") == "browser" or first.get("type") == "start"
        if browser:
            start = first
        else:
            start = first if first.get("event") == "start" else await _until_start(ws)
        params = start.get("customParameters") or (start.get("start") or {}).get("customParameters")
        params = params if isinstance(params, dict) else {}
        token = (
            ws.query_params.get("token")
            or _bearer(ws)
            or str(start.get("token") or params.get("token") or params.get("streamToken") or "")
        )
        session_id = str(params.get("sessionId") or start.get("sessionId") or "")
        pending = PENDING.claim(session_id, token, assistant_id) if session_id else None
        target = None
        if pending is None:
            target = await asyncio.to_thread(_authorize, state, assistant_id, token)
    except (_Unauthorized, ValueError, TimeoutError):
        await ws.close(code=POLICY_VIOLATION, reason="unknown assistant or bad token")
        return
    except WebSocketDisconnect:
        return

    if browser:
        line: _StreamLine = BrowserLine(ws)
    else:
        sid = str((start.get("start") or {}).get("streamSid") or start.get("streamSid") or "")
        line = MediaStreamLine(ws, sid or uuid.uuid4().hex)
    if pending is not None:
        talk = _dialled_call(state, pending, line)
    else:
        assert target is not None
        talk = _direct_call(state, target, line, start, params, browser=browser)
    reader = asyncio.create_task(_read(ws, line, browser=browser))
    try:
        summary = await talk
        if browser and not line.gone:
            await ws.send_text(json.dumps({"type": "ended", **summary}))
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        if ws.client_state.name == "CONNECTED":
            try:
                await ws.close(code=1000)
            except (RuntimeError, WebSocketDisconnect):
                pass  # the far end went first


async def _dialled_call(state: AppState, pending: PendingCall, line: _StreamLine) -> dict:
    """A call the dialer placed: run it here, hand the result back to the dialer."""
    try:
        result = await _runtime(state).talk(
            pending.request,
            engine=pending.engine,
            line=line,
            clock=SystemClock(),
            started=pending.started,
            answered=datetime.now(UTC),
        )
    except BaseException as exc:
        pending.result.set_exception(exc)
        raise
    pending.result.set_result(result)
    return {"sessionId": pending.request.session_id}


async def _direct_call(
    state: AppState,
    target: _Target,
    line: _StreamLine,
    start: dict[str, Any],
    params: dict[str, Any],
    *,
    browser: bool,
) -> dict:
    """A call no task placed (a PBX or a browser): recorded in the assistant's workspace."""
    now = datetime.now(UTC)
    session_id = uuid.uuid4().hex
    config = target.version.config
    variables = start.get("variables") if browser else params
    variables = {str(k): v for k, v in (variables or {}).items() if k != "token"}
    inner = start.get("start") or {}
    caller = str(params.get("caller") or inner.get("from") or "")[:32]
    callee = str(params.get("callee") or inner.get("to") or "")[:32]
    context = CallContext(
        assistant=config,
        name=str(variables.get("姓名") or variables.get("name") or ""),
        variables=variables,
        now=now,
        time_zone=config.get("timeZone") or target.time_zone,
    )
    call_id = await asyncio.to_thread(
        call_store.open_call,
        state.db,
        session_id=session_id,
        workspace_id=target.assistant.workspace_id,
        assistant_id=target.assistant.id,
        assistant_vid=target.version.id,
        description="privateTest" if browser else "mediastream",
        direction="outbound" if browser else "inbound",
        caller=caller,
        callee=callee,
        started=now,
    )
    if browser:
        await line.ws.send_text(json.dumps({"type": "started", "sessionId": session_id}))
    request = DialRequest(session_id, callee, caller, context, assistant_id=target.assistant.id)
    engine = make_engine(config, settings=state.settings)
    result = await _runtime(state).talk(
        request, engine=engine, line=line, clock=SystemClock(), started=now, answered=now
    )
    outcome = CallOutcome(
        call_id=call_id,
        session_id=session_id,
        result=result,
        analysis=analyse_call(config, result),
        facts=conversation_facts(result, questions=collect_questions(config)),
    )
    await asyncio.to_thread(call_store.close_call, state.db, outcome)
    return {
        "sessionId": session_id,
        "collected": [
            {"question": c.question, "hit": c.hit, "result": c.result} for c in result.collected
        ],
    }


async def _read(ws: WebSocket, line: _StreamLine, *, browser: bool) -> None:
    """Feed the caller's audio to the line until they stop or hang up."""
    gone = False
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                gone = True
                break
            data, text = message.get("bytes"), message.get("text")
            if browser and data:
                usable = len(data) // 2 * 2
                line.push(np.frombuffer(data[:usable], dtype="<i2").astype(np.int16))
                continue
            if not text or len(text) > MAX_MESSAGE:
                continue
            try:
                event = json.loads(text)
            except ValueError:
                continue
            if not isinstance(event, dict):
                continue
            kind = event.get("event") or event.get("type")
            if kind == "media" and isinstance(line, MediaStreamLine):
                payload = (event.get("media") or {}).get("payload")
                if isinstance(payload, str):
                    try:
                        line.push_mulaw(payload)
                    except (binascii.Error, ValueError):
                        continue
            elif kind == "stop":
                break
    except WebSocketDisconnect:
        gone = True
    finally:
        line.end(gone=gone)


def _runtime(state: AppState) -> Any:
    if state.voice is None:
        state.voice = make_voice_runtime(state.settings)
    return state.voice


async def _receive_json(ws: WebSocket) -> dict[str, Any]:
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if not text or len(text) > MAX_MESSAGE:
        raise ValueError("expected a JSON text message")
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


async def _until_start(ws: WebSocket) -> dict[str, Any]:
    """Skip `connected` (and anything else) up to the `start` event; media before it is
    refused, since nothing is authorized yet."""
    for _ in range(8):
        message = await asyncio.wait_for(_receive_json(ws), START_TIMEOUT)
        if message.get("event") == "start":
            return message
        if message.get("event") == "media":
            break
    raise ValueError("no start event")


def _bearer(ws: WebSocket) -> str:
    auth = ws.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else ""


def _authorize(state: AppState, assistant_id: int, token: str) -> _Target:
    if not token:
        raise _Unauthorized
    with state.db.session() as s:
        row = s.execute(
            select(Assistant, AssistantVersion, Workspace.time_zone)
            .join(AssistantVersion, AssistantVersion.id == Assistant.current_version_id)
            .join(Workspace, Workspace.id == Assistant.workspace_id)
            .where(Assistant.id == assistant_id, Assistant.deleted_at.is_(None))
        ).first()
        if row is None or not hmac.compare_digest(
            row.Assistant.websocket_token.encode(), token.encode()
        ):
            raise _Unauthorized
        s.expunge_all()
        return _Target(row.Assistant, row.AssistantVersion, row.time_zone)
