"""Call records for calls that no task dialled: a carrier or PBX streaming a call to an
assistant's websocket, a browser talking to it, or a text debug call. They show in
`/openapi/calllog` with their trace, collected answers, analysis and recording, like any
call, and close through the same outcome writer as dialled calls (store/outcomes.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from voxdial.store.db import Database
from voxdial.store.models import Call
from voxdial.store.outcomes import CallOutcome, OutcomeWriter, trace_begin, trace_lines

if TYPE_CHECKING:
    from voxdial.conversation.calls import Utterance


def open_call(
    db: Database,
    *,
    session_id: str,
    workspace_id: int,
    assistant_id: int,
    assistant_vid: int,
    description: str,
    direction: str,
    caller: str,
    callee: str,
    started: datetime,
    task_number_id: int | None = None,
) -> int:
    """The call's row as soon as the call starts (so a crash still leaves a record).
    `task_number_id`: the task number an inbound caller calls back (store/inbound.py)."""
    with db.session() as s:
        call = Call(
            session_id=session_id,
            workspace_id=workspace_id,
            callee=callee,
            caller=caller,
            direction=direction,
            description=description,
            start_at=started,
            answer_at=started,
            assistant_id=assistant_id,
            assistant_vid=assistant_vid,
            task_number_id=task_number_id,
            attempt=1,
        )
        s.add(call)
        s.commit()
        return call.id


def add_traces(
    db: Database,
    *,
    call_id: int,
    session_id: str,
    answered: datetime,
    utterances: Sequence[Utterance],
    traced: int | None,
) -> None:
    """Append to a call in progress the calltrace lines not written yet: with `traced`
    None its "begin" line and every utterance's, with `traced` n those of
    `utterances[n:]` (as `CallOutcome.traced` counts them when the call closes)."""
    writer = OutcomeWriter(db.engine.dialect)
    stamp = writer.values.time
    rows = [trace_begin(call_id, answered, stamp)] if traced is None else []
    rows += trace_lines(call_id, session_id, answered, utterances, first=traced or 0, stamp=stamp)
    with db.session() as s, s.begin():
        writer.add_traces(s.connection(), rows)


def close_call(
    db: Database, outcome: CallOutcome, *, then: Callable[[Session], None] | None = None
) -> None:
    """Everything the call left: outcome, trace, answers, analysis, recording; and
    `then` (e.g. its webhook events) in the same transaction, after the call is closed."""
    with db.session() as s, s.begin():
        OutcomeWriter(db.engine.dialect).write(s.connection(), [outcome])
        if then is not None:
            then(s)
