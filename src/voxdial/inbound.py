"""What an inbound call needs before and after its conversation: the assistant bound to
the number called (store/inbound.py), the task number the caller calls back, and the
`callin.*` webhook events written with the call's outcome.

Used by the media-stream socket (api/routes/media.py) for calls a PBX streams in, and by
`SipInbound`, which answers the SIP endpoint's INVITEs (`VOXDIAL_SIP_ACCEPT_CALLS`):
an INVITE whose To user is a bound number is answered (200) and held by the bound
assistant on a loop of its own; any other is refused (486, the stack's refusal), as is
one beyond the spoken-call capacity or beyond its workspace's share of inbound calls
(`InboundLimit`, shared by both ways in).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from voxdial.clock import SystemClock
from voxdial.conversation.analysis import analyse_call
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.conversation.engine import CallContext, ConversationEngine
from voxdial.domain.attempts import collect_questions, conversation_facts
from voxdial.domain.phone import InvalidPhone, PhoneNormalizer
from voxdial.store import calls as call_store
from voxdial.store.db import Database
from voxdial.store.inbound import Callback, binding_of, bound_version, callback_of
from voxdial.store.models import Assistant, AssistantVersion, Call, Workspace
from voxdial.store.outcomes import CallOutcome
from voxdial.telephony.sip_media import CallHandle
from voxdial.webhooks.outbox import enqueue_call_events

if TYPE_CHECKING:
    from voxdial.settings import Settings
    from voxdial.telephony.sip import SipLine
    from voxdial.telephony.sip_endpoint import IncomingCall
    from voxdial.voice.runtime import VoiceRuntime

log = logging.getLogger("voxdial.inbound")

ANSWER_SECONDS = 10.0  # from our 200 OK to the caller's ACK, at most


class InboundLimit:
    """At most `per_workspace` inbound calls of one workspace at once (0: no limit), so
    one workspace's callers cannot take every line of the process from the others'.

    One per process (the runtime's), counting SIP and media-stream inbound calls
    together; spoken-call capacity (`VoiceRuntime.admit`) is per process too, so a
    share of it is counted where it is held. Thread-safe: SIP calls are held on their
    own loop's thread, media-stream calls on the API's."""

    def __init__(self, per_workspace: int) -> None:
        self.per_workspace = per_workspace
        self._active: dict[int, int] = {}
        self._lock = threading.Lock()

    def take(self, workspace_id: int) -> bool:
        """A place for one more inbound call of `workspace_id`: False when it holds its
        share already. Each True is given back with `release`."""
        with self._lock:
            held = self._active.get(workspace_id, 0)
            if self.per_workspace and held >= self.per_workspace:
                return False
            self._active[workspace_id] = held + 1
            return True

    def release(self, workspace_id: int) -> None:
        with self._lock:
            held = self._active.get(workspace_id, 0) - 1
            if held > 0:
                self._active[workspace_id] = held
            else:
                self._active.pop(workspace_id, None)

    def active(self, workspace_id: int) -> int:
        with self._lock:
            return self._active.get(workspace_id, 0)


@dataclass(frozen=True, slots=True)
class Answering:
    """Who answers an inbound call: the bound assistant (None: the one the call came
    to), and the task number the caller was dialled as, if any."""

    assistant: tuple[Assistant, AssistantVersion] | None
    callback: Callback | None


def e164(normalizer: PhoneNormalizer, value: str) -> str:
    """`value` as E.164 when it is a phone number; otherwise as it came (cut short)."""
    try:
        return normalizer.normalize(value) if value else ""
    except InvalidPhone:
        return value[:20]


def answering(db: Database, *, workspace_id: int, called: str, caller: str) -> Answering:
    """Who answers a call from `caller` to `called` (both E.164) in `workspace_id`. A
    binding of another workspace is not followed: the call came in on this one's."""
    with db.session() as s:
        bound = None
        binding = binding_of(s, called) if called else None
        if binding is not None and binding.workspace_id == workspace_id:
            bound = bound_version(s, binding)
        callback = callback_of(s, workspace_id=workspace_id, caller=caller)
        s.expunge_all()
    return Answering(bound, callback)


def link_callback(result: CallResult, callback: Callback) -> None:
    """Note on the call's `extra` the task number the caller calls back."""
    result.extra["callback"] = {"taskId": callback.task_id, "taskItemId": callback.task_number_id}


def callin_events(call_id: int, *, base_url: str, tz: str) -> Callable[[Session], None]:
    """`close_call`'s `then`: the ended inbound call's `callin.hangup` and
    `callin.collect` outbox rows, in the outcome's transaction."""

    def enqueue(s: Session) -> None:
        call = s.get(Call, call_id)
        if call is not None:
            enqueue_call_events(s, call, base_url=base_url, tz=tz, now=datetime.now(UTC))

    return enqueue


@dataclass(frozen=True, slots=True)
class _Bound:
    workspace_id: int
    time_zone: str
    assistant: Assistant
    version: AssistantVersion
    callback: Callback | None


def _bound(db: Database, *, called: str, caller: str) -> _Bound | None:
    """The binding of the number called (any workspace's: a SIP call comes to us, not
    to an assistant), its assistant and workspace zone, and the caller's task number."""
    with db.session() as s:
        binding = binding_of(s, called) if called else None
        found = bound_version(s, binding) if binding is not None else None
        if binding is None or found is None:
            return None
        zone = s.get(Workspace, binding.workspace_id).time_zone
        callback = callback_of(s, workspace_id=binding.workspace_id, caller=caller)
        s.expunge_all()
    return _Bound(binding.workspace_id, zone, found[0], found[1], callback)


class SipInbound:
    """The SIP endpoint's `on_incoming`: decides on each INVITE, and holds the answered
    calls on its own event loop (the `voxdial-sip-inbound` thread), each as a spoken
    call of the voice runtime, recorded and closed like a media-stream call."""

    def __init__(
        self,
        settings: Settings,
        *,
        voice: Callable[[], VoiceRuntime],
        engine_for: Callable[[dict], ConversationEngine],
        limit: InboundLimit | None = None,
    ) -> None:
        self.settings = settings
        self.limit = limit or InboundLimit(settings.inbound_calls_per_workspace)
        self.normalizer = PhoneNormalizer(settings.default_region)
        self._voice = voice
        self._engine_for = engine_for
        self._db: Database | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._calls: set[asyncio.Task[None]] = set()

    @property
    def db(self) -> Database:
        with self._lock:
            if self._db is None:
                self._db = Database(self.settings.database_url)
            return self._db

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=loop.run_forever, name="voxdial-sip-inbound", daemon=True
                )
                self._thread.start()
            return self._loop

    def __call__(self, incoming: IncomingCall) -> concurrent.futures.Future[CallHandle | None]:
        return asyncio.run_coroutine_threadsafe(self._offer(incoming), self._running_loop())

    async def _offer(self, incoming: IncomingCall) -> CallHandle | None:
        called = e164(self.normalizer, incoming.called)
        caller = e164(self.normalizer, incoming.caller)
        bound = await asyncio.to_thread(_bound, self.db, called=called, caller=caller)
        if bound is None:
            log.info("SIP call to a number no assistant answers: refused")
            return None
        if not self.limit.take(bound.workspace_id):
            log.warning(
                "SIP inbound call refused: the workspace's inbound-call limit reached",
                extra={"workspace_id": bound.workspace_id},
            )
            return None
        voice = self._voice()
        if not voice.admit():
            self.limit.release(bound.workspace_id)
            log.warning("SIP inbound call refused: spoken-call capacity reached")
            return None
        handle = CallHandle(asyncio.get_running_loop())
        task = asyncio.get_running_loop().create_task(
            self._hold(handle, incoming, bound, called=called, caller=caller, voice=voice)
        )
        self._calls.add(task)
        task.add_done_callback(self._calls.discard)
        return handle

    async def _hold(
        self,
        handle: CallHandle,
        incoming: IncomingCall,
        bound: _Bound,
        *,
        called: str,
        caller: str,
        voice: VoiceRuntime,
    ) -> None:
        # sip.py (the SIP stack, and the answer detector's pypinyin tables: seconds)
        # loads only in a process that answers SIP calls; the websocket's don't need it
        from voxdial.telephony.sip import SipLine

        try:
            started = datetime.now(UTC)
            await asyncio.wait(
                [handle.answered, handle.ended],
                timeout=ANSWER_SECONDS,
                return_when=asyncio.FIRST_COMPLETED,
            )
            line = SipLine(handle, incoming.endpoint)
            if not handle.answered.done():  # the caller went before the call was up
                await line.close()
                return
            await self._talk(
                handle, line, bound, called=called, caller=caller, voice=voice, started=started
            )
        except Exception:
            log.exception("SIP inbound call failed")
        finally:
            voice.release()
            self.limit.release(bound.workspace_id)

    async def _talk(
        self,
        handle: CallHandle,
        line: SipLine,
        bound: _Bound,
        *,
        called: str,
        caller: str,
        voice: VoiceRuntime,
        started: datetime,
    ) -> None:
        answered = datetime.now(UTC)
        session_id = uuid.uuid4().hex
        config = bound.version.config
        callback = bound.callback
        call_id = await asyncio.to_thread(
            call_store.open_call,
            self.db,
            session_id=session_id,
            workspace_id=bound.workspace_id,
            assistant_id=bound.assistant.id,
            assistant_vid=bound.version.id,
            description="phone",
            direction="inbound",
            caller=caller,
            callee=called,
            started=started,
            task_number_id=callback.task_number_id if callback is not None else None,
        )
        context = CallContext(
            assistant=config,
            name="",
            variables={},
            now=answered,
            time_zone=config.get("timeZone") or bound.time_zone,
        )
        request = DialRequest(session_id, called, caller, context, assistant_id=bound.assistant.id)
        try:
            result = await voice.talk(
                request,
                engine=self._engine_for(config),
                line=line,
                clock=SystemClock(),
                started=started,
                answered=answered,
            )
        finally:
            if not handle.ended.done():
                await line.close()
        if callback is not None:
            link_callback(result, callback)
        outcome = CallOutcome(
            call_id=call_id,
            session_id=session_id,
            result=result,
            analysis=analyse_call(config, result),
            facts=conversation_facts(result, questions=collect_questions(config)),
        )
        then = callin_events(call_id, base_url=self.settings.base_url(), tz=bound.time_zone)
        await asyncio.to_thread(call_store.close_call, self.db, outcome, then=then)

    def close(self) -> None:
        """Stop the loop (after the endpoint: its teardown ends the calls still up)."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
            db, self._db = self._db, None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            if not thread.is_alive():
                loop.close()
        if db is not None:
            db.dispose()
