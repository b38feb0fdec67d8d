"""Open text debug calls (api/debug_sessions.py) in the database, so that any API process
can continue one, and each workspace keeps its own few.

Every write that moves a session on is conditional on the version it was read at
(`turn_count`): a turn taken by two processes at once is kept once, and the other is
told (`False`). A turn's trace lines, and a finished call's outcome, are written in the
same transaction as the session's row, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update

from voxdial.store.db import Database
from voxdial.store.models import DebugSession
from voxdial.store.outcomes import CallOutcome, OutcomeWriter, trace_begin, trace_lines

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from voxdial.conversation.calls import Utterance


def _add_traces(
    conn: Connection,
    writer: OutcomeWriter,
    *,
    call_id: int,
    session_id: str,
    answered: datetime,
    utterances: Sequence[Utterance],
    traced: int | None,
) -> None:
    """The call's trace lines not written yet (as `store.calls.add_traces` writes them)."""
    stamp = writer.values.time
    rows = [trace_begin(call_id, answered, stamp)] if traced is None else []
    rows += trace_lines(call_id, session_id, answered, utterances, first=traced or 0, stamp=stamp)
    writer.add_traces(conn, rows)


def open_session(
    db: Database,
    *,
    session_id: str,
    workspace_id: int,
    assistant_id: int,
    assistant_vid: int,
    call_id: int,
    context: dict[str, Any],
    started: datetime,
    turns: list[dict[str, Any]],
    utterances: Sequence[Utterance],
    cap: int,
) -> list[str]:
    """Keep a new session (its opening turn taken, its trace begun), then close the
    workspace's least recently used sessions past `cap`. Returns the ids it closed."""
    writer = OutcomeWriter(db.engine.dialect)
    with db.session() as s, s.begin():
        s.add(
            DebugSession(
                session_id=session_id,
                workspace_id=workspace_id,
                assistant_id=assistant_id,
                assistant_vid=assistant_vid,
                call_id=call_id,
                context=context,
                started_at=started,
                touched_at=started,
                turns=turns,
                turn_count=len(turns),
            )
        )
        s.flush()
        _add_traces(
            s.connection(),
            writer,
            call_id=call_id,
            session_id=session_id,
            answered=started,
            utterances=utterances,
            traced=None,
        )
        # the newest `cap` stay; ties on the time go by id, so the new one always stays
        over = s.execute(
            select(DebugSession.id, DebugSession.session_id)
            .where(DebugSession.workspace_id == workspace_id)
            .order_by(DebugSession.touched_at.desc(), DebugSession.id.desc())
            .offset(cap)
        ).all()
        if over:
            s.execute(delete(DebugSession).where(DebugSession.id.in_([i for i, _ in over])))
    return [sid for _, sid in over]


def load(db: Database, session_id: str, *, workspace_id: int) -> DebugSession | None:
    """The workspace's open session of that id, if any."""
    with db.session() as s:
        return s.execute(
            select(DebugSession).where(
                DebugSession.session_id == session_id, DebugSession.workspace_id == workspace_id
            )
        ).scalar_one_or_none()


def take_turn(
    db: Database,
    row: DebugSession,
    *,
    turns: list[dict[str, Any]],
    touched: datetime,
    utterances: Sequence[Utterance],
    traced: int,
) -> bool:
    """Keep the session's next turn and its trace lines (from `utterances[traced:]`);
    False, with nothing written, if the session is gone or moved on since `row` was read."""
    writer = OutcomeWriter(db.engine.dialect)
    with db.session() as s, s.begin():
        done = s.execute(
            update(DebugSession)
            .where(DebugSession.id == row.id, DebugSession.turn_count == row.turn_count)
            .values(turns=turns, turn_count=len(turns), touched_at=touched)
        )
        if done.rowcount != 1:
            return False
        _add_traces(
            s.connection(),
            writer,
            call_id=row.call_id,
            session_id=row.session_id,
            answered=row.started_at,
            utterances=utterances,
            traced=traced,
        )
    return True


def finish(db: Database, row: DebugSession, outcome: CallOutcome) -> bool:
    """Close the session with the call's outcome (through the one outcome writer);
    False, with nothing written, if it is gone or moved on since `row` was read."""
    with db.session() as s, s.begin():
        done = s.execute(
            delete(DebugSession).where(
                DebugSession.id == row.id, DebugSession.turn_count == row.turn_count
            )
        )
        if done.rowcount != 1:
            return False
        OutcomeWriter(db.engine.dialect).write(s.connection(), [outcome])
    return True


def close_idle(db: Database, *, before: datetime) -> int:
    """Close every session last used before `before` (any workspace); how many."""
    with db.session() as s, s.begin():
        return s.execute(delete(DebugSession).where(DebugSession.touched_at < before)).rowcount
