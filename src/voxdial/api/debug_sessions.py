"""Text debug calls with an assistant (`POST /openapi/assistants/{id}/debug`).

A debug session is a conversation held in this API process's memory (sessions expire
after `TTL`; behind a balancer, route a session's requests to one process). Each one is
also a call record with `description=privateTest`, with its trace written turn by turn
and, when it ends, its outcome, collected answers and analysis written as a spoken
call's are (store/outcomes.py), so it shows in `/openapi/calllog`.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from voxdial.conversation.analysis import analyse_call
from voxdial.conversation.calls import CallResult, Utterance, note_request
from voxdial.conversation.engine import Action, ActionKind, CallContext, Conversation
from voxdial.domain.attempts import KNOWLEDGE_NOTE, collect_questions, conversation_facts
from voxdial.domain.status import HangupReason
from voxdial.store import calls as call_store
from voxdial.store.db import Database
from voxdial.store.models import Assistant, AssistantVersion
from voxdial.store.outcomes import CallOutcome

TTL = 30 * 60
MAX_SESSIONS = 1000
MAX_TURNS = 60


@dataclass
class DebugSession:
    session_id: str
    workspace_id: int
    assistant_id: int
    call_id: int
    config: dict[str, Any]
    conversation: Conversation
    started: datetime
    touched: float = field(default_factory=time.monotonic)
    turns: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    utterances: list[Utterance] = field(default_factory=list)
    flags: dict[str, Any] = field(default_factory=dict)  # CallResult's request flags
    traced: int | None = None  # utterances already in the call's trace (None: no trace yet)


class DebugSessions:
    def __init__(self, db: Database, engine_for) -> None:
        self.db = db
        self.engine_for = engine_for
        self._sessions: dict[str, DebugSession] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str, *, workspace_id: int, assistant_id: int) -> DebugSession | None:
        self._expire()
        with self._lock:
            s = self._sessions.get(session_id)
        if s is None or s.workspace_id != workspace_id or s.assistant_id != assistant_id:
            return None
        s.touched = time.monotonic()
        return s

    def start(
        self,
        *,
        workspace_id: int,
        assistant: Assistant,
        version: AssistantVersion,
        variables: dict[str, Any],
        name: str,
        time_zone: str,
    ) -> tuple[DebugSession, list[Action]]:
        self._expire()
        now = datetime.now(UTC)
        session_id = uuid.uuid4().hex
        context = CallContext(
            assistant=version.config,
            name=name,
            variables=variables,
            now=now,
            time_zone=version.config.get("timeZone") or time_zone,
        )
        conversation = self.engine_for(version.config).begin(context)
        call_id = call_store.open_call(
            self.db,
            session_id=session_id,
            workspace_id=workspace_id,
            assistant_id=assistant.id,
            assistant_vid=version.id,
            description="privateTest",
            direction="outbound",
            caller="",
            callee="",
            started=now,
        )
        session = DebugSession(
            session_id, workspace_id, assistant.id, call_id, version.config, conversation, now
        )
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                oldest = min(self._sessions.values(), key=lambda x: x.touched)
                self._sessions.pop(oldest.session_id, None)
            self._sessions[session_id] = session
        with session.lock:
            actions = conversation.start()
            self._record(session, None, actions)
        return session, actions

    def hear(self, session: DebugSession, text: str | None) -> list[Action]:
        with session.lock:
            if session.conversation.finished:
                return []
            session.turns += 1
            if session.turns > MAX_TURNS:
                actions = [Action(ActionKind.HANGUP, result="too long")]
            elif text is None or not text.strip():
                actions = session.conversation.silence()
            else:
                actions = session.conversation.hear(text)
            self._record(session, text, actions)
            return actions

    def _record(self, session: DebugSession, heard: str | None, actions: list[Action]) -> None:
        """The turn's lines in the call's trace; the call's outcome when it ended."""
        now = datetime.now(UTC)
        if heard and heard.strip():
            session.utterances.append(Utterance("customer", heard, now))
        for a in actions:
            if a.kind == ActionKind.SAY:
                session.utterances.append(Utterance("system", a.text, now))
            elif a.kind == ActionKind.NOTE:
                session.utterances.append(Utterance("note", a.text, now))
                if a.text.startswith(KNOWLEDGE_NOTE):
                    session.flags["knowledge_questions"] = (
                        session.flags.get("knowledge_questions", 0) + 1
                    )
            else:
                note_request(a, session.flags)
        ended = session.conversation.finished or any(a.kind == ActionKind.HANGUP for a in actions)
        if ended:
            call_store.close_call(self.db, self._outcome(session, now))
            with self._lock:
                self._sessions.pop(session.session_id, None)
        else:
            call_store.add_traces(
                self.db,
                call_id=session.call_id,
                session_id=session.session_id,
                answered=session.started,
                utterances=session.utterances,
                traced=session.traced,
            )
            session.traced = len(session.utterances)

    def _outcome(self, session: DebugSession, now: datetime) -> CallOutcome:
        """A debug call ends when the assistant hangs up; it was answered when it began."""
        result = CallResult(
            HangupReason.ANSWERED,
            session.started,
            session.started,
            now,
            "assistant",
            utterances=list(session.utterances),
            collected=list(session.conversation.collected),
            **session.flags,
        )
        return CallOutcome(
            call_id=session.call_id,
            session_id=session.session_id,
            result=result,
            analysis=analyse_call(session.config, result),
            facts=conversation_facts(result, questions=collect_questions(session.config)),
            traced=session.traced,
        )

    def _expire(self) -> None:
        cutoff = time.monotonic() - TTL
        with self._lock:
            for sid in [k for k, v in self._sessions.items() if v.touched < cutoff]:
                self._sessions.pop(sid, None)
