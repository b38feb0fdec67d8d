"""Text debug calls with an assistant (`POST /openapi/assistants/{id}/debug`).

A debug session is a conversation held in this API process's memory (sessions expire
after `TTL`; behind a balancer, route a session's requests to one process). Each one is
also a call record with `description=privateTest`, with its trace and, when it ends,
its collected answers and analysis, so it shows in `/openapi/calllog`.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update

from voxdial.conversation.analysis import analyse
from voxdial.conversation.engine import Action, ActionKind, CallContext, Conversation
from voxdial.domain.language import language_of
from voxdial.domain.status import HangupReason
from voxdial.store.db import Database
from voxdial.store.models import Assistant, AssistantVersion, Call, CallTrace

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
        with self.db.session() as s:
            call = Call(
                session_id=session_id,
                workspace_id=workspace_id,
                callee="",
                caller="",
                direction="outbound",
                description="privateTest",
                start_at=now,
                answer_at=now,
                assistant_id=assistant.id,
                assistant_vid=version.id,
                attempt=1,
            )
            s.add(call)
            s.commit()
            call_id = call.id
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
        now = datetime.now(UTC)
        elapsed = int((now - session.started).total_seconds() * 1000)
        rows = []
        if heard:
            rows.append(("customer.say", heard))
        for a in actions:
            if a.kind == ActionKind.SAY:
                rows.append(("system.say", a.text))
            elif a.kind == ActionKind.NOTE:
                rows.append(("system.note", a.text))
        ended = session.conversation.finished or any(a.kind == ActionKind.HANGUP for a in actions)
        with self.db.session() as s:
            if not session.turns:
                s.add(
                    CallTrace(
                        call_id=session.call_id,
                        event="begin",
                        elapsed_ms=0,
                        created_at=session.started,
                    )
                )
            for event, content in rows:
                s.add(
                    CallTrace(
                        call_id=session.call_id,
                        event=event,
                        content=content,
                        elapsed_ms=elapsed,
                        dialog_id=session.session_id[:8],
                        created_at=now,
                    )
                )
            if ended:
                self._close(s, session, actions, now, elapsed)
            s.commit()
        if ended:
            with self._lock:
                self._sessions.pop(session.session_id, None)

    def _close(
        self, s, session: DebugSession, actions: list[Action], now: datetime, elapsed: int
    ) -> None:
        collected = list(session.conversation.collected)
        questions = [q["question"] for q in session.config.get("collect") or []]
        refused = any(a.kind == ActionKind.HANGUP and a.result == "refused" for a in actions)
        analysis = analyse(
            language=language_of(session.config),
            outcome=HangupReason.ANSWERED,
            questions=questions,
            collected=collected,
            hangup_side="assistant",
            refused=refused,
            callback=any(a.kind == ActionKind.CALLBACK for a in actions),
        )
        s.add(
            CallTrace(
                call_id=session.call_id,
                event="hangup",
                content="assistant",
                elapsed_ms=elapsed,
                created_at=now,
            )
        )
        duration = max(0, round((now - session.started).total_seconds()))
        s.execute(
            update(Call)
            .where(Call.id == session.call_id)
            .values(
                end_at=now,
                hangup_reason=HangupReason.ANSWERED,
                hangup_side="assistant",
                duration=duration,
                billsec=duration,
                rounds=session.turns,
                intent_level=analysis.intent_level,
                summary=analysis.summary,
                collect=[
                    {"question": c.question, "hit": c.hit, "result": c.result, "message": c.message}
                    for c in collected
                ]
                or None,
                extra={"conversation_analysis": analysis.items},
            )
        )

    def _expire(self) -> None:
        cutoff = time.monotonic() - TTL
        with self._lock:
            for sid in [k for k, v in self._sessions.items() if v.touched < cutoff]:
                self._sessions.pop(sid, None)
