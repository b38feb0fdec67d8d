"""Text debug calls with an assistant (`POST /openapi/assistants/{id}/debug`).

A debug session is kept in the database (store/debug_sessions.py), so any API process
continues it: behind a balancer, or under `voxdial serve --workers N`, no affinity is
needed. Each workspace keeps at most `per_workspace` open sessions: a new one closes that
workspace's least recently used session, never another workspace's. A session idle for
`idle_seconds` is closed. A closed session's next turn is a 404 that says why it may be
gone.

What is stored is each turn as it was taken: the callee's words (or silence) and the
engine's actions. A process that does not hold the conversation in memory rebuilds it by
taking the same turns again: the script engine is deterministic (same assistant version,
same start time, same words: same state), and cheaper to replay than to serialise its
state with the matchers and retrieval it points to. A chat-model conversation is not
asked again: its `restore()` replays its script companion and takes its history and
answers from the recorded actions. A process keeps the conversations it served (up to
`per_workspace` per workspace) and catches them up by the turns taken elsewhere.

Each session is also a call record with `description=privateTest`, with its trace written
turn by turn and, when it ends, its outcome, collected answers and analysis written as a
spoken call's are (store/outcomes.py), so it shows in `/openapi/calllog`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from voxdial.conversation.analysis import analyse_call
from voxdial.conversation.calls import CallResult, Utterance, note_request
from voxdial.conversation.engine import (
    Action,
    ActionKind,
    CallContext,
    CollectResult,
    Conversation,
)
from voxdial.domain.attempts import KNOWLEDGE_NOTE, collect_questions, conversation_facts
from voxdial.domain.status import HangupReason
from voxdial.errors import Conflict, NotFound
from voxdial.store import calls as call_store
from voxdial.store import debug_sessions as repo
from voxdial.store.db import Database
from voxdial.store.models import Assistant, AssistantVersion, DebugSession
from voxdial.store.outcomes import CallOutcome

log = logging.getLogger("voxdial.api.debug")

MAX_TURNS = 60  # callee turns; the next one ends the call ("too long")


@dataclass
class DebugReply:
    """What one turn of a debug call gave."""

    session_id: str
    actions: list[Action]
    finished: bool
    collected: list[CollectResult]


@dataclass
class _Live:
    """A conversation this process holds, and how many of the session's turns it took."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    conversation: Conversation | None = None
    config: dict[str, Any] = field(default_factory=dict)
    turns: int = 0


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DebugSessions:
    def __init__(
        self,
        db: Database,
        engine_for: Callable[[dict[str, Any]], Any],
        *,
        per_workspace: int = 20,
        idle_seconds: float = 30 * 60,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.db = db
        self.engine_for = engine_for
        self.per_workspace = per_workspace
        self.idle = timedelta(seconds=idle_seconds)
        self.clock = clock
        self._live: dict[int, OrderedDict[str, _Live]] = {}
        self._lock = threading.Lock()

    # ----- the two requests -----

    def start(
        self,
        *,
        workspace_id: int,
        assistant: Assistant,
        version: AssistantVersion,
        variables: dict[str, Any],
        name: str,
        time_zone: str,
    ) -> DebugReply:
        """A new session: the call's record, and the assistant's opening."""
        now = self.clock()
        repo.close_idle(self.db, before=now - self.idle)
        session_id = uuid.uuid4().hex
        saved = {
            "name": name,
            "variables": variables,
            "timeZone": version.config.get("timeZone") or time_zone,
        }
        conversation = self.engine_for(version.config).begin(_context(version.config, saved, now))
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
        actions = conversation.start()
        turns = [_turn("start", None, actions, now)]
        if _ended(conversation, actions):
            call_store.close_call(
                self.db,
                _outcome(
                    version.config, call_id, session_id, now, turns, conversation, traced=None
                ),
            )
            return DebugReply(session_id, actions, True, list(conversation.collected))
        closed = repo.open_session(
            self.db,
            session_id=session_id,
            workspace_id=workspace_id,
            assistant_id=assistant.id,
            assistant_vid=version.id,
            call_id=call_id,
            context=saved,
            started=now,
            turns=turns,
            utterances=_lines(turns)[0],
            cap=self.per_workspace,
        )
        live = self._entry(workspace_id, session_id)
        live.conversation, live.config, live.turns = conversation, version.config, 1
        self._forget(workspace_id, closed)
        return DebugReply(session_id, actions, False, list(conversation.collected))

    def hear(
        self, session_id: str, text: str | None, *, workspace_id: int, assistant_id: int
    ) -> DebugReply:
        """The callee's next turn (`text`; None or blank: silence) in an open session."""
        now = self.clock()
        live = self._entry(workspace_id, session_id)
        with live.lock:
            row = repo.load(self.db, session_id, workspace_id=workspace_id)
            if row is not None and row.touched_at < now - self.idle:
                repo.close_idle(self.db, before=now - self.idle)
                row = None
            if row is None or row.assistant_id != assistant_id:
                self._forget(workspace_id, [session_id])
                raise NotFound(
                    f"debug session {session_id!r} not found: it never existed here, has "
                    f"finished, was idle over {self.idle.total_seconds() / 60:g} minutes, "
                    f"or was the oldest of this workspace's {self.per_workspace} open "
                    "debug sessions when a new one started"
                )
            try:
                return self._take(live, row, text, now)
            except BaseException:
                live.conversation = None  # it may be part-way through the failed turn
                raise

    def _take(self, live: _Live, row: DebugSession, text: str | None, now: datetime) -> DebugReply:
        """The turn, on the session's conversation caught up to `row`; kept only if the
        session did not move on meanwhile (409)."""
        session_id, workspace_id = row.session_id, row.workspace_id
        conversation = self._catch_up(live, row)
        if row.turn_count > MAX_TURNS:
            kind, actions = "limit", [Action(ActionKind.HANGUP, result="too long")]
        elif text is None or not text.strip():
            kind, actions = "silence", conversation.silence()
        else:
            kind, actions = "hear", conversation.hear(text)
        turns = [*row.turns, _turn(kind, text, actions, now)]
        traced = len(_lines(row.turns)[0])
        ended = kind == "limit" or _ended(conversation, actions)
        if ended:
            outcome = _outcome(
                live.config,
                row.call_id,
                session_id,
                row.started_at,
                turns,
                conversation,
                traced=traced,
                ended=now,
            )
            kept = repo.finish(self.db, row, outcome)
        else:
            utterances = _lines(turns)[0]
            kept = repo.take_turn(
                self.db, row, turns=turns, touched=now, utterances=utterances, traced=traced
            )
        if ended or not kept:
            self._forget(workspace_id, [session_id])
        else:
            live.turns = len(turns)
        if not kept:
            raise Conflict(
                f"debug session {session_id!r} took another turn at the same time; "
                "this one was not recorded: send the next turn after that one's reply"
            )
        return DebugReply(session_id, actions, ended, list(conversation.collected))

    # ----- the conversations this process holds -----

    def _entry(self, workspace_id: int, session_id: str) -> _Live:
        with self._lock:
            held = self._live.setdefault(workspace_id, OrderedDict())
            live = held.get(session_id)
            if live is None:
                live = held[session_id] = _Live()
            held.move_to_end(session_id)
            while len(held) > self.per_workspace:
                held.popitem(last=False)
            return live

    def _forget(self, workspace_id: int, session_ids: list[str]) -> None:
        with self._lock:
            held = self._live.get(workspace_id)
            for sid in session_ids:
                if held is not None:
                    held.pop(sid, None)

    def _catch_up(self, live: _Live, row: DebugSession) -> Conversation:
        """The session's conversation as of its last stored turn: the one held, caught up
        by the turns other processes took, or rebuilt from all of them."""
        if live.conversation is None or live.turns > row.turn_count:
            with self.db.session() as s:
                version = s.get(AssistantVersion, row.assistant_vid)
            if version is None:  # versions are never deleted; a broken row is no session
                raise NotFound(f"debug session {row.session_id!r} not found")
            live.config = version.config
            live.conversation = self.engine_for(version.config).begin(
                _context(version.config, row.context, row.started_at)
            )
            live.turns = 0
        replay(live.conversation, row.turns[live.turns :], session_id=row.session_id)
        live.turns = row.turn_count
        return live.conversation


# ----- turns: stored, replayed, read back -----


def _turn(kind: str, text: str | None, actions: list[Action], at: datetime) -> dict[str, Any]:
    return {
        "kind": kind,
        "text": text,
        "at": at.isoformat(),
        "actions": [
            {
                "kind": str(a.kind),
                "text": a.text,
                "question": a.question,
                "result": a.result,
                "hit": a.hit,
                "at": a.at.isoformat() if a.at else None,
            }
            for a in actions
        ],
    }


def _actions(turn: dict[str, Any]) -> list[Action]:
    return [
        Action(
            ActionKind(a["kind"]),
            a["text"],
            a["question"],
            a["result"],
            a["hit"],
            datetime.fromisoformat(a["at"]) if a["at"] else None,
        )
        for a in turn["actions"]
    ]


def replay(conversation: Conversation, turns: list[dict[str, Any]], *, session_id: str) -> None:
    """Take stored turns again. An engine whose turns cannot be taken again (a chat
    model's) offers `restore()`, given each turn's kind, words and recorded actions."""
    restore = getattr(conversation, "restore", None)
    if restore is not None:
        restore([(t["kind"], t["text"], _actions(t)) for t in turns])
        return
    for t in turns:
        if t["kind"] == "start":
            got = conversation.start()
        elif t["kind"] == "hear":
            got = conversation.hear(t["text"])
        else:
            got = conversation.silence()
        if got != _actions(t):
            # same version, same start, same words should give the same turn; if not
            # (an engine changed between the turns), the conversation goes on from here
            log.warning("debug session replay differs", extra={"session_id": session_id})


def _context(config: dict[str, Any], saved: dict[str, Any], started: datetime) -> CallContext:
    return CallContext(
        assistant=config,
        name=saved["name"],
        variables=saved["variables"],
        now=started,
        time_zone=saved["timeZone"],
    )


def _ended(conversation: Conversation, actions: list[Action]) -> bool:
    return conversation.finished or any(a.kind == ActionKind.HANGUP for a in actions)


def _lines(turns: list[dict[str, Any]]) -> tuple[list[Utterance], dict[str, Any]]:
    """The call's lines (what was said, and notes) and the callee's requests (for
    `CallResult`), from its turns."""
    utterances: list[Utterance] = []
    flags: dict[str, Any] = {}
    for t in turns:
        at = datetime.fromisoformat(t["at"])
        heard = t["text"]
        if heard and heard.strip():
            utterances.append(Utterance("customer", heard, at))
        for a in _actions(t):
            if a.kind == ActionKind.SAY:
                utterances.append(Utterance("system", a.text, at))
            elif a.kind == ActionKind.NOTE:
                utterances.append(Utterance("note", a.text, at))
                if a.text.startswith(KNOWLEDGE_NOTE):
                    flags["knowledge_questions"] = flags.get("knowledge_questions", 0) + 1
            else:
                note_request(a, flags)
    return utterances, flags


def _outcome(
    config: dict[str, Any],
    call_id: int,
    session_id: str,
    started: datetime,
    turns: list[dict[str, Any]],
    conversation: Conversation,
    *,
    traced: int | None,
    ended: datetime | None = None,
) -> CallOutcome:
    """A debug call ends when the assistant hangs up; it was answered when it began."""
    utterances, flags = _lines(turns)
    result = CallResult(
        HangupReason.ANSWERED,
        started,
        started,
        ended or started,
        "assistant",
        utterances=utterances,
        collected=list(conversation.collected),
        **flags,
    )
    return CallOutcome(
        call_id=call_id,
        session_id=session_id,
        result=result,
        analysis=analyse_call(config, result),
        facts=conversation_facts(result, questions=collect_questions(config)),
        traced=traced,
    )
