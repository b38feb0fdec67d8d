"""`SipCarrier`: calls through a SIP trunk or PBX, the answered ones spoken.

A call is an INVITE from the carrier's `SipEndpoint` (telephony/sip_endpoint.py, the
thread that runs the SIP stack, baresip). Its final response, with any Q.850 cause, is
the outcome; a call still ringing at the dial timeout is cancelled as no answer. An
answered call is a `SipLine` (`voxdial.voice.base.Line`: the callee's 16 kHz audio in
through an asyncio queue, the assistant's out through a playout buffer) that the voice
runtime's `talk()` holds until either side hangs up. One carrier holds `max_calls`
calls at once in one process (a hundred and more: bench/sip_lines.py).

Early media (183 Session Progress with SDP) goes to the runtime's answer detector when
it has one for the call (`early_answering`): a carrier announcement heard there
("the number you have dialed is switched off") cancels the call with that outcome, more
telling than the final response that would follow. Anything else heard before the
answer (ringback, a ringback song) is left alone.

SIP only runs in real time: the injected clock stamps the result, the waits are real.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from voxdial.clock import Clock
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.conversation.engine import ConversationEngine
from voxdial.domain.phone import mask
from voxdial.domain.status import HangupReason
from voxdial.settings import SipSettings
from voxdial.telephony.sip_bridge import AgentCall, call_agent
from voxdial.telephony.sip_endpoint import COMMAND_SECONDS, Incoming, SipEndpoint, SipError
from voxdial.telephony.sip_media import END_SECONDS, CallHandle, play_out, received, wait_done
from voxdial.telephony.sip_stats import MediaCounters
from voxdial.voice.answer_types import AnswerDecision
from voxdial.voice.answering import Answering, hangup_reason
from voxdial.voice.base import Line, Pcm, TransferFailed
from voxdial.voice.dtmf import PAUSE, PAUSE_MS, Key, KeySource

if TYPE_CHECKING:
    from voxdial.settings import Settings

__all__ = ["DEFAULT_MAX_CALLS", "SipCarrier", "SipConfig", "SipError", "SipLine", "outcome_for"]

log = logging.getLogger("voxdial.sip")

DEFAULT_MAX_CALLS = 100  # SIP calls at once when neither the SIP nor the dialer settings say
TRANSFER_SECONDS = 30.0  # wait for the far end's report of a REFER's new call


class SipConfig(SipSettings):
    """What a `SipCarrier` runs with: the `VOXDIAL_SIP_*` settings (`SipSettings`), the
    defaults that point at other settings resolved, and two knobs that are no setting."""

    max_calls: int = DEFAULT_MAX_CALLS  # calls at once (the dialer's lines follow it)
    register_timeout_seconds: float = 10.0
    max_call_seconds: float = 3600.0  # an answered call still up this long is hung up

    @classmethod
    def from_settings(cls, settings: Settings) -> SipConfig:
        """The `VOXDIAL_SIP_*` settings; the line count defaults to the dialer's."""
        sip = settings.sip
        return cls.model_validate(
            {
                **sip.model_dump(),
                "domain": sip.domain or sip.registrar_host(),
                "caller_id": sip.caller_id or settings.caller_id,
                "max_calls": sip.max_calls or settings.dialer_max_lines,
                # the session ends a call at voice_max_call_seconds; this is the backstop
                "max_call_seconds": settings.voice_max_call_seconds + 60,
            }
        )


class CallRuntime(Protocol):
    """What runs an answered call (`voxdial.voice.session.VoiceRuntime`)."""

    async def talk(
        self,
        request: DialRequest,
        *,
        engine: ConversationEngine,
        line: Line,
        clock: Clock,
        started: datetime,
        answered: datetime,
    ) -> CallResult: ...


# -- SIP final responses to outcomes ---------------------------------------------------

_BY_STATUS: dict[int, HangupReason] = {
    486: HangupReason.BUSY,
    600: HangupReason.BUSY,
    480: HangupReason.NO_ANSWER,
    408: HangupReason.NO_ANSWER,
    487: HangupReason.NO_ANSWER,  # cancelled: our dial timeout
    603: HangupReason.REFUSED,
    404: HangupReason.VACANT,
    410: HangupReason.VACANT,
    484: HangupReason.VACANT,
    604: HangupReason.VACANT,
    502: HangupReason.UNREACHABLE,
    503: HangupReason.UNREACHABLE,
    504: HangupReason.UNREACHABLE,
}

# ITU-T Q.850 cause values (a `Reason: Q.850;cause=N` header) that say more than the
# status code: 480 with cause 20 is a switched-off phone, not one left ringing.
_BY_Q850: dict[int, HangupReason] = {
    1: HangupReason.VACANT,  # unallocated number
    3: HangupReason.UNREACHABLE,  # no route to destination
    17: HangupReason.BUSY,  # user busy
    18: HangupReason.NO_ANSWER,  # no user responding
    19: HangupReason.NO_ANSWER,  # no answer from user
    20: HangupReason.POWERED_OFF,  # subscriber absent
    21: HangupReason.REFUSED,  # call rejected
    22: HangupReason.VACANT,  # number changed
    27: HangupReason.UNREACHABLE,  # destination out of order
    28: HangupReason.VACANT,  # invalid number format
}


def outcome_for(status: int, q850: int | None = None) -> HangupReason:
    """The outcome of a call that ended with final response `status` before an answer.

    4xx/5xx/6xx codes not listed (403, 488, 500, auth failures, ...) say the trunk or our
    side failed: FAILED, which trips the dialer's breaker when it keeps happening."""
    if q850 is not None and q850 in _BY_Q850:
        return _BY_Q850[q850]
    return _BY_STATUS.get(status, HangupReason.FAILED)


# -- the line ------------------------------------------------------------------------


class SipLine:
    """An answered SIP call as the session sees it (`voxdial.voice.base.Line`; a
    `TransferLine`: a blind transfer is a REFER; a `BridgeLine`: a bridged one is a
    second call, to the agent, joined to this one)."""

    def __init__(
        self,
        handle: CallHandle,
        endpoint: SipEndpoint,
        *,
        uri_of: Callable[[str], str] | None = None,
        transfer_seconds: float = TRANSFER_SECONDS,
    ) -> None:
        self._handle = handle
        self._endpoint = endpoint
        self._uri_of = uri_of or (lambda target: target)
        self._transfer_seconds = transfer_seconds

    @property
    def media_report(self) -> MediaCounters | None:
        """Where the call's audio frames went, hop by hop (sip_stats.py), once it ended."""
        return self._handle.media_report

    def frames(self) -> AsyncIterator[Pcm]:
        return received(self._handle)

    async def play(self, audio: Pcm) -> None:
        if not self._handle.ended.done():
            self._handle.queue_audio(audio)

    async def clear(self) -> None:
        self._handle.clear_audio()

    async def keys(self) -> AsyncIterator[Key]:
        """The callee's keys the stack received out of band (RFC 4733 or SIP INFO)."""
        while True:
            yield Key(await self._handle.keys.get(), KeySource.SIP)

    async def send_keys(self, digits: str) -> KeySource | None:
        """Keys out of band (`,` waits `PAUSE_MS`); None when they go in band (the
        `keys_out` setting) or the first would not go: the session plays tones instead."""
        if self._endpoint.config.keys_out == "inband":
            return None
        sent = False
        for i, group in enumerate(digits.split(PAUSE)):
            if i:
                await asyncio.sleep(PAUSE_MS / 1000)
            if not group:
                continue
            if not await self._endpoint.send_keys(self._handle, group):
                if not sent:
                    return None
                break
            sent = True
        return KeySource.SIP if sent else None

    async def transfer(self, target: str) -> None:
        """REFER the callee to `target` (a number goes to the trunk's domain, a SIP URI
        as it is); returns once the far end reports the new call answered, the call then
        ended for us. Raises TransferFailed with the call still up."""
        handle = self._handle
        if handle.ended.done():
            raise TransferFailed("the call has ended")
        uri = target if target.startswith(("sip:", "sips:")) else self._uri_of(target)
        await play_out(handle)
        try:
            await self._endpoint.transfer(handle, uri, seconds=self._transfer_seconds)
        except (SipError, ValueError) as e:
            raise TransferFailed(str(e)) from None
        # the stack closes the call on success ("Call transfered"): wait for its end
        await wait_done(handle.ended, END_SECONDS)

    async def bridge(
        self, target: str, *, answer_seconds: float, greeting: Pcm | None
    ) -> AgentCall:
        """A bridged transfer (`voxdial.voice.base.BridgeLine`): call the agent at
        `target` from this endpoint and join the two calls (telephony/sip_bridge.py)."""
        if self._handle.ended.done():
            raise TransferFailed("the call has ended")
        uri = target if target.startswith(("sip:", "sips:")) else self._uri_of(target)
        return await call_agent(
            self._endpoint, self._handle, uri, answer_seconds=answer_seconds, greeting=greeting
        )

    async def close(self) -> None:
        """Let what is queued play out, hang up, and wait (bounded) for the call to end."""
        handle = self._handle
        if handle.ended.done():
            return
        await play_out(handle)
        await self._endpoint.hang_up(handle)
        await wait_done(handle.ended, END_SECONDS)


# -- the carrier -----------------------------------------------------------------------


@dataclass
class SipCarrier:
    """Places calls through a SIP trunk or PBX; an answered call is handed, as a
    `SipLine`, to the runtime's `talk` until either side hangs up.

    The endpoint starts with the first call (or `start()`) and stops at `close()`
    (or at exit); one carrier per process, as the SIP stack is one per process. At most
    `config.max_calls` calls run at once; one more is refused as FAILED at once.
    """

    config: SipConfig
    runtime: CallRuntime
    name: str = "sip"
    _endpoint: SipEndpoint | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _active: int = field(default=0, init=False, repr=False)
    # answers inbound calls (voxdial/inbound.py's SipInbound) when set before start()
    incoming: Incoming | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.config.max_calls < 1:
            raise ValueError("SIP max calls must be at least 1")
        if not self.config.domain:
            raise ValueError("the SIP carrier needs a domain (VOXDIAL_SIP_DOMAIN)")

    # lifecycle --------------------------------------------------------------------

    @property
    def running(self) -> bool:
        endpoint = self._endpoint
        return endpoint is not None and endpoint.ready.is_set() and endpoint.is_alive()

    def start(self) -> None:
        """Start the endpoint (blocking, idempotent); raises SipError if it cannot."""
        with self._lock:
            endpoint = self._endpoint
            if endpoint is None or not endpoint.is_alive():
                endpoint = self._endpoint = SipEndpoint(self.config)
                endpoint.on_incoming = self.incoming
                endpoint.start()
        endpoint.ready.wait(COMMAND_SECONDS)
        if endpoint.start_error is not None:
            raise SipError(f"SIP endpoint failed to start: {endpoint.start_error}")
        if not endpoint.ready.is_set():
            raise SipError("SIP endpoint did not start in time")
        if self.config.registrar and not endpoint.registration_done.wait(
            self.config.register_timeout_seconds
        ):
            log.warning("SIP registration has not finished yet")

    def close(self) -> None:
        """Hang up whatever is still up and stop the endpoint."""
        with self._lock:
            endpoint, self._endpoint = self._endpoint, None
        if endpoint is not None:
            endpoint.stop()

    @property
    def lines(self) -> int:
        """Calls this carrier can hold at once (the dialer caps its lines to it)."""
        return self.config.max_calls

    @property
    def registered(self) -> bool:
        endpoint = self._endpoint
        return endpoint is not None and endpoint.registered.is_set()

    @property
    def local_port(self) -> int:
        """The UDP port SIP listens on (once started)."""
        endpoint = self._endpoint
        return int(endpoint.local_port) if endpoint is not None else 0

    # calls ------------------------------------------------------------------------

    def target_uri(self, number: str) -> str:
        if self.config.strip_plus:
            number = number.lstrip("+")
        return f"sip:{number}@{self.config.domain}"

    async def place_call(
        self, request: DialRequest, *, clock: Clock, engine: ConversationEngine
    ) -> CallResult:
        started = clock.now()
        with self._lock:
            if self._active >= self.config.max_calls:
                return _failed(started, clock, "no free SIP line")
            self._active += 1
        try:
            return await self._place(request, clock=clock, engine=engine, started=started)
        except Exception as e:  # a carrier never raises for a failed call
            log.error(
                "SIP call failed",
                extra={"session_id": request.session_id, "callee": mask(request.callee)},
                exc_info=e,
            )
            return _failed(started, clock, type(e).__name__)
        finally:
            with self._lock:
                self._active -= 1

    async def _place(
        self,
        request: DialRequest,
        *,
        clock: Clock,
        engine: ConversationEngine,
        started: datetime,
    ) -> CallResult:
        if not self.running:
            try:
                await asyncio.to_thread(self.start)
            except SipError as e:
                return _failed(started, clock, str(e))
        endpoint = self._endpoint
        assert endpoint is not None
        handle = CallHandle(asyncio.get_running_loop())
        early_for = getattr(self.runtime, "early_answering", None)
        answering = early_for(request) if early_for is not None else None
        handle.wants_early = answering is not None
        headers = {}
        caller = self.config.caller_id or request.caller
        if caller:
            headers["P-Asserted-Identity"] = f"<sip:{caller}@{self.config.domain}>"
        uri = self.target_uri(request.callee)
        try:
            await endpoint.run_command(lambda: endpoint.make_call(handle, uri, headers))
        except (SipError, TimeoutError) as e:
            log.warning(
                "SIP call not placed",
                extra={"session_id": request.session_id, "error": str(e)},
            )
            return _failed(started, clock, str(e) or "timeout")
        try:
            return await self._follow(request, handle, endpoint, clock, engine, started, answering)
        finally:
            if not handle.ended.done():  # cancelled or failed half-way: never leave it up
                await asyncio.shield(endpoint.hang_up(handle))

    async def _follow(
        self,
        request: DialRequest,
        handle: CallHandle,
        endpoint: SipEndpoint,
        clock: Clock,
        engine: ConversationEngine,
        started: datetime,
        answering: Answering | None = None,
    ) -> CallResult:
        announced = await self._until_answer(handle, answering)
        if announced is not None:  # the network said why: cancel with its outcome
            await endpoint.hang_up(handle, unanswered_only=True)
            await wait_done(handle.ended, END_SECONDS)
            if not handle.answered.done():
                outcome = hangup_reason(announced.outcome) or HangupReason.FAILED
                extra = {
                    "answer": {
                        "outcome": announced.outcome.value,
                        "reason": announced.reason,
                        "decidedAtMs": announced.decided_at_ms,
                        "earlyMedia": True,
                    }
                }
                return CallResult(outcome, started, None, clock.now(), "carrier", extra=extra)
        if not handle.answered.done() and not handle.ended.done():
            # Rang too long: CANCEL. A trunk that never answered the INVITE at all gets
            # no CANCEL (the stack lets the INVITE time out by itself): nothing to wait for.
            rang = handle.ringing
            await endpoint.hang_up(handle, unanswered_only=True)
            await asyncio.wait(
                [handle.answered, handle.ended],
                timeout=END_SECONDS if rang else 1.0,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if not handle.answered.done():
                if not rang:
                    return _failed(started, clock, "no response from the SIP trunk")
                ended = handle.ended.result() if handle.ended.done() else (487, "", None)
                return _unanswered(started, clock, ended, timed_out=True)
        if not handle.answered.done():
            return _unanswered(started, clock, handle.ended.result(), timed_out=False)

        answered = clock.now()
        line = SipLine(handle, endpoint, uri_of=self.target_uri)
        handle.wants_early = False
        try:
            result = await asyncio.wait_for(
                self.runtime.talk(
                    request,
                    engine=engine,
                    line=line,
                    clock=clock,
                    started=started,
                    answered=answered,
                ),
                self.config.max_call_seconds,
            )
        except Exception as e:  # the session broke or hung: end the call, keep what we know
            log.error(
                "SIP call session failed",
                extra={"session_id": request.session_id},
                exc_info=e,
            )
            result = CallResult(
                HangupReason.ANSWERED,
                started,
                answered,
                clock.now(),
                "carrier",
                extra={"error": type(e).__name__},
            )
        if not handle.ended.done():
            await line.close()
        return result

    async def _until_answer(
        self, handle: CallHandle, answering: Answering | None
    ) -> AnswerDecision | None:
        """Wait (up to the dial timeout) for the answer or the end; meanwhile the early
        media goes to `answering`. Its decision, if it is a carrier announcement's."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.dial_timeout_seconds
        early = asyncio.create_task(_early_media(handle, answering)) if answering else None
        try:
            while not handle.answered.done() and not handle.ended.done():
                left = deadline - loop.time()
                if left <= 0:
                    break
                waiters: list[asyncio.Future[Any]] = [handle.answered, handle.ended]
                if early is not None and not early.done():
                    waiters.append(early)
                await asyncio.wait(waiters, timeout=left, return_when=asyncio.FIRST_COMPLETED)
                if early is not None and early.done() and not handle.answered.done():
                    decision = early.result()
                    if decision is not None:
                        return decision
        finally:
            if early is not None and not early.done():
                early.cancel()
                await asyncio.gather(early, return_exceptions=True)
        return None


async def _early_media(handle: CallHandle, answering: Answering) -> AnswerDecision | None:
    """Feed the early media to the detector until it decides; the decision if it is a
    carrier announcement's (a person's voice or a song before the answer is ringback
    to us), else None."""
    try:
        while True:
            pcm = await handle.early.get()
            if pcm is None:
                return None
            await answering.feed(pcm)
            decision = answering.decision
            if decision is not None:
                return decision if decision.outcome.is_carrier else None
    except Exception as e:  # the detector failed: the call goes on without it
        log.warning("early media detection failed", extra={"error": type(e).__name__})
        return None


def _failed(started: datetime, clock: Clock, error: str) -> CallResult:
    return CallResult(
        HangupReason.FAILED, started, None, clock.now(), "carrier", extra={"error": error}
    )


def _unanswered(
    started: datetime,
    clock: Clock,
    ended: tuple[int, str, int | None],
    *,
    timed_out: bool,
) -> CallResult:
    status, reason, q850 = ended
    sip: dict[str, Any] = {"status": status, "reason": reason}
    if q850 is not None:
        sip["q850"] = q850
    extra: dict[str, Any] = {"sip": sip}
    if timed_out:
        outcome = HangupReason.NO_ANSWER
        sip["dial_timeout"] = True
    elif status == 0:
        outcome = HangupReason.FAILED
        extra["error"] = "no response from the SIP trunk"
    else:
        outcome = outcome_for(status, q850)
    return CallResult(outcome, started, None, clock.now(), "carrier", extra=extra)
