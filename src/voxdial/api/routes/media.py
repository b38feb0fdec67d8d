"""The assistant's realtime endpoint: `ws://HOST/openapi/assistants/{id}/ws`.

Two framings on one URL:

- **media stream** (the default), compatible with Twilio Media Streams: JSON text
  frames `connected`, `start` (with `customParameters`), `media` (base64 μ-law 8 kHz),
  `mark`, `stop` from the caller's side; `media`, `mark` and `clear` from ours.
- **browser** (`?mode=browser`, or a first message `{"type": "start"}`): binary frames
  of 16-bit little-endian mono PCM at 16 kHz both ways, and JSON control messages:
  in `{"type": "start", "variables": {...}}`, `{"type": "stop"}`; out
  `{"type": "started", "sessionId"}`, `{"type": "transcript", "who", "text"}` (each
  side's words as they are said), `{"type": "clear"}`, `{"type": "ended", ...}`.

The token (the assistant's `websocketToken`, the one-call token the `mediastream`
carrier issued, or a browser's one-call token from the console, `api/call_tokens.py`,
for browser framing only) comes as `?token=`, an `Authorization: Bearer` header, or
the start message's `token` / `customParameters.token` / `streamToken`. A wrong token
in the URL or header is refused before the socket is accepted; a wrong, expired or
used token in `start`, or an unknown assistant, closes it with 1008 before any audio
flows. The limits on unauthenticated sockets (a short deadline for `start`, caps on
open sockets, failed authentications per address) are `api/socket_guard.py`'s.

Malformed frames before `start` close the socket (1003 for what is not a JSON object,
1008 for a `start` of the wrong shape); after it they are logged and ignored, so a
sloppy peer never ends a call it did not hang up.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from voxdial import inbound as inbound_calls
from voxdial.api.call_tokens import is_call_token, read_call_token
from voxdial.api.deps import AppState
from voxdial.api.socket_guard import (
    POLICY_VIOLATION,
    TRY_AGAIN_LATER,
    UNSUPPORTED_DATA,
    SocketGuard,
    socket_guard,
)
from voxdial.clock import SystemClock
from voxdial.conversation.analysis import analyse_call
from voxdial.conversation.calls import DialRequest
from voxdial.conversation.engine import CallContext
from voxdial.domain.attempts import collect_questions, conversation_facts
from voxdial.inbound import e164
from voxdial.store import calls as call_store
from voxdial.store.models import Assistant, AssistantVersion, Call, Workspace
from voxdial.store.outcomes import CallOutcome
from voxdial.telephony.mediastream import PendingCall
from voxdial.telephony.stream_lines import (
    BrowserLine,
    Frame,
    FrameReader,
    MediaStreamLine,
    StreamLine,
    json_object,
)

log = logging.getLogger(__name__)
router = APIRouter()

START_TIMEOUT = 15.0  # seconds a socket with a valid token in its URL has to send `start`
MAX_BEFORE_START = 8  # messages (`connected`, ...) that may come before `start`


@dataclass
class _Target:
    assistant: Assistant
    version: AssistantVersion
    time_zone: str
    session_id: str = ""  # the call a one-call token was minted for


class _Unauthorized(Exception):
    pass


class _Refused(Exception):
    """Close the socket with `code` and `reason` (a malformed or late `start`)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class _Start:
    message: dict[str, Any]
    browser: bool
    params: dict[str, Any]  # customParameters
    variables: dict[str, Any]  # the browser's `variables`; customParameters otherwise
    token: str
    session_id: str


def _sender(ws: WebSocket):
    """The lines' `Send`: one frame out, False once the far end is gone."""

    async def send(frame: str | bytes) -> bool:
        try:
            if isinstance(frame, str):
                await ws.send_text(frame)
            else:
                await ws.send_bytes(frame)
        except (WebSocketDisconnect, RuntimeError):
            return False
        return True

    return send


@router.websocket("/assistants/{assistant_id}/ws")
async def assistant_socket(ws: WebSocket, assistant_id: int) -> None:
    guard = socket_guard(ws.app)
    client = ws.client.host if ws.client else ""
    if guard.blocked(client):
        await ws.close(code=POLICY_VIOLATION, reason="too many failed attempts; try again later")
        return
    over = guard.admit(client)
    if over is not None:
        await ws.accept()
        await ws.close(code=TRY_AGAIN_LATER, reason=over)
        return
    try:
        await _serve(ws, assistant_id, guard, client)
    finally:
        guard.release(client)


async def _serve(ws: WebSocket, assistant_id: int, guard: SocketGuard, client: str) -> None:
    state: AppState = ws.app.state.voxdial
    url_token = ws.query_params.get("token") or _bearer(ws)
    target: _Target | None = None
    if url_token and not state.runtime.pending.holds(url_token, assistant_id):
        try:
            target = await asyncio.to_thread(_authorize, state, assistant_id, url_token)
        except _Unauthorized:
            guard.failed(client)
            await ws.close(code=POLICY_VIOLATION, reason="unknown assistant or bad token")
            return
    await ws.accept()
    deadline = guard.deadline(START_TIMEOUT if url_token else None)
    try:
        start = await _read_start(ws, guard, deadline)
        token = url_token or start.token
        pending = (
            state.runtime.pending.claim(start.session_id, token, assistant_id)
            if start.session_id
            else None
        )
        if pending is None and target is None:
            if guard.blocked(client):
                raise _Refused(POLICY_VIOLATION, "too many failed attempts; try again later")
            try:
                target = await asyncio.to_thread(_authorize, state, assistant_id, token)
            except _Unauthorized:
                guard.failed(client)
                raise
    except _Unauthorized:
        await ws.close(code=POLICY_VIOLATION, reason="unknown assistant or bad token")
        return
    except _Refused as e:
        await ws.close(code=e.code, reason=e.reason)
        return
    except WebSocketDisconnect:
        return

    browser = start.browser
    if target is not None and target.session_id and not browser:
        await ws.close(code=POLICY_VIOLATION, reason="this token is for a browser call")
        return
    if browser:
        line: StreamLine = BrowserLine(_sender(ws))
    else:
        inner = start.message.get("start") or {}
        sid = str(inner.get("streamSid") or start.message.get("streamSid") or "")
        line = MediaStreamLine(_sender(ws), sid[:64] or uuid.uuid4().hex)
    admitted: _Admitted | None = None
    if pending is not None:
        talk = _dialled_call(state, pending, line)  # within the dialer's reserved lines
    else:
        assert target is not None
        admitted = _admit(state, target, start)
        if isinstance(admitted, str):
            await ws.close(code=TRY_AGAIN_LATER, reason=admitted)
            return
        talk = _direct_call(state, target, line, start)
    reader = asyncio.create_task(_read(ws, line, assistant_id=assistant_id))
    try:
        summary = await talk
        if browser and not line.gone:
            await ws.send_text(json.dumps({"type": "ended", **summary}))
    except _Refused as e:
        await ws.close(code=e.code, reason=e.reason)
    finally:
        if admitted is not None:
            admitted.release()
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        if ws.client_state.name == "CONNECTED":
            try:
                await ws.close(code=1000)
            except (RuntimeError, WebSocketDisconnect):
                pass  # the far end went first


@dataclass
class _Admitted:
    """A call no task placed, holding a spoken-call place and, when inbound, one of its
    workspace's inbound places (voxdial/inbound.py: InboundLimit)."""

    state: AppState
    inbound_workspace: int | None

    def release(self) -> None:
        self.state.runtime.voice.release()
        if self.inbound_workspace is not None:
            self.state.runtime.inbound.release(self.inbound_workspace)


def _admit(state: AppState, target: _Target, start: _Start) -> _Admitted | str:
    """Places for a call no task placed, or why there are none (the close reason): its
    workspace's share of inbound calls first, then the spoken-call capacity."""
    workspace = target.assistant.workspace_id if _direction(start) == "inbound" else None
    inbound = state.runtime.inbound
    if workspace is not None and not inbound.take(workspace):
        return "inbound-call limit of this workspace reached"
    if not state.runtime.voice.admit():
        if workspace is not None:
            inbound.release(workspace)
        return "spoken-call capacity reached"
    return _Admitted(state, workspace)


def _direction(start: _Start) -> str:
    """A PBX's call is inbound unless its `direction` says outbound; a browser's call
    (the console trying an assistant) is outbound."""
    return "outbound" if start.browser or start.params.get("direction") == "outbound" else "inbound"


async def _dialled_call(state: AppState, pending: PendingCall, line: StreamLine) -> dict:
    """A call the dialer placed: run it here, hand the result back to the dialer."""
    try:
        result = await state.runtime.voice.talk(
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
    line: StreamLine,
    start: _Start,
) -> dict:
    """A call no task placed (a PBX or a browser): recorded in the assistant's workspace.
    A PBX's call is inbound (unless its `direction` says outbound): the assistant bound
    to the number called holds it, and a caller some task dialled is linked to that
    task.s number (voxdial/inbound.py)."""
    now = datetime.now(UTC)
    session_id = target.session_id or uuid.uuid4().hex
    browser = start.browser
    params = start.params
    variables = {str(k): v for k, v in start.variables.items() if k not in ("token", "streamToken")}
    inner = start.message.get("start") or {}
    caller = str(params.get("caller") or params.get("from") or inner.get("from") or "")[:32]
    callee = str(params.get("callee") or params.get("to") or inner.get("to") or "")[:32]
    direction = _direction(start)
    answering = None
    if direction == "inbound":
        caller, callee = e164(state.normalizer, caller), e164(state.normalizer, callee)
        answering = await asyncio.to_thread(
            inbound_calls.answering,
            state.db,
            workspace_id=target.assistant.workspace_id,
            called=callee,
            caller=caller,
        )
        if answering.assistant is not None:
            target = replace(
                target, assistant=answering.assistant[0], version=answering.assistant[1]
            )
    callback = answering.callback if answering is not None else None
    config = target.version.config
    context = CallContext(
        assistant=config,
        name=str(variables.get("姓名") or variables.get("name") or ""),
        variables=variables,
        now=now,
        time_zone=config.get("timeZone") or target.time_zone,
    )
    try:
        call_id = await asyncio.to_thread(
            call_store.open_call,
            state.db,
            session_id=session_id,
            workspace_id=target.assistant.workspace_id,
            assistant_id=target.assistant.id,
            assistant_vid=target.version.id,
            description="privateTest" if browser else "mediastream",
            direction=direction,
            caller=caller,
            callee=callee,
            started=now,
            task_number_id=callback.task_number_id if callback is not None else None,
        )
    except IntegrityError:  # a one-call token's call is already taken
        raise _Refused(POLICY_VIOLATION, "unknown assistant or bad token") from None
    if isinstance(line, BrowserLine):
        await line.started(session_id)
    request = DialRequest(session_id, callee, caller, context, assistant_id=target.assistant.id)
    engine = state.runtime.engine_for(config)
    result = await state.runtime.voice.talk(
        request,
        engine=engine,
        line=line,
        clock=SystemClock(),
        started=now,
        answered=now,
        detect_answer=False,  # the caller called us: a person, no voicemail to find
    )
    if callback is not None:
        inbound_calls.link_callback(result, callback)
    outcome = CallOutcome(
        call_id=call_id,
        session_id=session_id,
        result=result,
        analysis=analyse_call(config, result),
        facts=conversation_facts(result, questions=collect_questions(config)),
    )
    then = None
    if direction == "inbound":
        base, tz = state.settings.base_url(), target.time_zone
        then = inbound_calls.callin_events(call_id, base_url=base, tz=tz)
    await asyncio.to_thread(call_store.close_call, state.db, outcome, then=then)
    return {
        "sessionId": session_id,
        "collected": [
            {"question": c.question, "hit": c.hit, "result": c.result} for c in result.collected
        ],
    }


async def _read(ws: WebSocket, line: StreamLine, *, assistant_id: int) -> None:
    """Feed the caller's frames to the line until they stop or hang up."""
    reader = FrameReader(line, assistant_id=assistant_id)
    gone = False
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                gone = True
                break
            if reader.feed(text=message.get("text"), data=message.get("bytes")) == Frame.STOP:
                break
    except WebSocketDisconnect:
        gone = True
    finally:
        reader.finish(gone=gone)


async def _receive_object(ws: WebSocket, guard: SocketGuard, deadline: float) -> dict[str, Any]:
    remaining = guard.remaining(deadline)
    if remaining <= 0:
        raise _Refused(POLICY_VIOLATION, "no start message in time")
    try:
        message = await asyncio.wait_for(ws.receive(), remaining)
    except TimeoutError:
        raise _Refused(POLICY_VIOLATION, "no start message in time") from None
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    if guard.remaining(deadline) <= 0:
        raise _Refused(POLICY_VIOLATION, "no start message in time")
    value = json_object(message.get("text"))
    if value is None:
        raise _Refused(UNSUPPORTED_DATA, "expected JSON object text messages")
    return value


def _object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Refused(POLICY_VIOLATION, f"{name} must be an object")
    return value


async def _read_start(ws: WebSocket, guard: SocketGuard, deadline: float) -> _Start:
    """The `start` message, by `deadline` (on the guard's clock) however many
    `connected` messages come first; media before it is refused, since nothing is
    authorized yet. In browser mode (or with a `{"type": "start"}`) the first message
    is the start."""
    for _ in range(MAX_BEFORE_START):
        message = await _receive_object(ws, guard, deadline)
        if ws.query_params.get("mode") == "browser" or message.get("type") == "start":
            return _parse_start(message, browser=True)
        if message.get("event") == "start":
            return _parse_start(message, browser=False)
        if message.get("event") == "media":
            break
    raise _Refused(POLICY_VIOLATION, "no start event")


def _parse_start(message: dict[str, Any], *, browser: bool) -> _Start:
    inner = _object(message.get("start"), "start")
    params = _object(
        message.get("customParameters") or inner.get("customParameters"), "customParameters"
    )
    variables = _object(message.get("variables"), "variables") if browser else params
    token = str(message.get("token") or params.get("token") or params.get("streamToken") or "")
    session_id = str(params.get("sessionId") or message.get("sessionId") or "")
    return _Start(message, browser, params, variables, token, session_id[:64])


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
        if row is None:
            raise _Unauthorized
        session_id = ""
        if is_call_token(token):
            grant = read_call_token(
                token,
                row.Assistant.websocket_token,
                assistant_id=assistant_id,
                workspace_id=row.Assistant.workspace_id,
                now=datetime.now(UTC),
            )
            taken = (
                grant is not None
                and s.execute(select(Call.id).where(Call.session_id == grant.session_id)).first()
            )
            if grant is None or taken:
                raise _Unauthorized
            session_id = grant.session_id
        elif not hmac.compare_digest(row.Assistant.websocket_token.encode(), token.encode()):
            raise _Unauthorized
        s.expunge_all()
        return _Target(row.Assistant, row.AssistantVersion, row.time_zone, session_id)
