"""The `mediastream` carrier: the call is placed by someone else, its audio comes to us
over a websocket in the Twilio Media Streams format.

To dial, voxdial POSTs to `VOXDIAL_MEDIASTREAM_DIAL_URL` (a PBX module, a carrier's
call API behind a small adapter, or a test's simulated callee):

    {"sessionId": "...", "callee": "+86...", "caller": "+86...",
     "streamUrl": "ws://host/openapi/assistants/7/ws", "streamToken": "..."}

The dialler answers 2xx to say it is ringing (or a JSON `{"status": "busy"}` and the
like for a final outcome). When the callee answers it connects to `streamUrl` and sends
`sessionId` and `streamToken` as `customParameters` of the `start` event; the call then
runs on the API process's event loop and its result comes back to the dialer here. No
connection within `answer_timeout` is a no-answer. The token is good for this call only,
until it is answered or times out, and only with its own `sessionId`, on the websocket
of the assistant that placed it (so of its workspace).

The websocket is served by the API, so this carrier works in `voxdial serve` (the
dialer runs in the same process), not in a separate `voxdial worker`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hmac
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from voxdial.clock import Clock
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.conversation.engine import ConversationEngine
from voxdial.domain.status import HangupReason

log = logging.getLogger(__name__)

# what a dialler may answer instead of ringing
DIAL_STATUSES = {
    "busy": HangupReason.BUSY,
    "no_answer": HangupReason.NO_ANSWER,
    "refused": HangupReason.REFUSED,
    "vacant": HangupReason.VACANT,
    "powered_off": HangupReason.POWERED_OFF,
    "unreachable": HangupReason.UNREACHABLE,
    "suspended": HangupReason.SUSPENDED,
    "voicemail": HangupReason.VOICEMAIL,
    "failed": HangupReason.FAILED,
}


@dataclass
class PendingCall:
    request: DialRequest
    engine: ConversationEngine
    token: str
    assistant_id: int
    started: datetime
    answered: concurrent.futures.Future[None] = field(default_factory=concurrent.futures.Future)
    result: concurrent.futures.Future[CallResult] = field(default_factory=concurrent.futures.Future)


class PendingCalls:
    """Calls dialled and waiting for their stream; shared by the dialer's thread and the
    API's event loop, so every access takes the lock."""

    def __init__(self) -> None:
        self._calls: dict[str, PendingCall] = {}
        self._lock = threading.Lock()

    def add(self, call: PendingCall) -> None:
        with self._lock:
            self._calls[call.request.session_id] = call

    def drop(self, session_id: str) -> None:
        with self._lock:
            self._calls.pop(session_id, None)

    def holds(self, token: str, assistant_id: int) -> bool:
        """Is `token` the one-call token of a call waiting for `assistant_id`'s stream?
        (Says nothing of which call: `claim` with the call's sessionId decides.)"""
        given = token.encode()
        with self._lock:
            found = False
            for call in self._calls.values():
                same = hmac.compare_digest(call.token.encode(), given)
                found = found or (same and call.assistant_id == assistant_id)
            return found

    def claim(self, session_id: str, token: str, assistant_id: int) -> PendingCall | None:
        """The call this stream answers, once: a wrong token, another assistant, or a
        second stream for the same call gets None."""
        with self._lock:
            call = self._calls.get(session_id)
            if (
                call is None
                or call.assistant_id != assistant_id
                or not hmac.compare_digest(call.token.encode(), token.encode())
            ):
                return None
            del self._calls[session_id]
        call.answered.set_result(None)
        return call


class MediaStreamCarrier:
    name = "mediastream"

    def __init__(
        self,
        *,
        dial_url: str,
        stream_url: Callable[[int], str],
        pending: PendingCalls,
        answer_timeout: float = 45.0,
        max_call_seconds: float = 900.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        """`stream_url(assistant_id)` is where the dialler connects the call's audio;
        `pending` is shared with the API process's websocket route that serves it."""
        self.dial_url = dial_url
        self.stream_url = stream_url
        self.answer_timeout = answer_timeout
        self.max_call_seconds = max_call_seconds
        self.pending = pending
        self._client = client

    async def place_call(
        self, request: DialRequest, *, clock: Clock, engine: ConversationEngine
    ) -> CallResult:
        started = clock.now()
        token = secrets.token_urlsafe(24)
        call = PendingCall(request, engine, token, request.assistant_id, started)
        self.pending.add(call)
        try:
            status = await self._dial(request, call)
            if status is not None:
                return CallResult(status, started, None, clock.now(), "carrier")
            try:
                await asyncio.wait_for(asyncio.wrap_future(call.answered), self.answer_timeout)
            except TimeoutError:
                return CallResult(HangupReason.NO_ANSWER, started, None, clock.now(), "carrier")
            return await asyncio.wait_for(asyncio.wrap_future(call.result), self.max_call_seconds)
        except TimeoutError:
            log.warning("stream of %s outlived the call limit", request.session_id[:8])
            return CallResult(HangupReason.FAILED, started, None, clock.now(), "carrier")
        finally:
            self.pending.drop(request.session_id)

    async def _dial(self, request: DialRequest, call: PendingCall) -> HangupReason | None:
        """Ask the dialler to place the call: None while it rings, else the outcome."""
        body = {
            "sessionId": request.session_id,
            "callee": request.callee,
            "caller": request.caller,
            "streamUrl": self.stream_url(call.assistant_id),
            "streamToken": call.token,
        }
        client = self._client or httpx.AsyncClient(timeout=10)
        try:
            response = await client.post(self.dial_url, json=body)
        except httpx.HTTPError as exc:
            log.warning(
                "dial request for %s failed: %s", request.session_id[:8], type(exc).__name__
            )
            return HangupReason.FAILED
        finally:
            if self._client is None:
                await client.aclose()
        if response.status_code >= 300:
            return HangupReason.FAILED
        try:
            status = (response.json() or {}).get("status", "ringing")
        except ValueError:
            status = "ringing"
        return None if status == "ringing" else DIAL_STATUSES.get(status, HangupReason.FAILED)
