"""Calls stored as a spoken call stores them: opened by `store.calls.open_call`, closed
by the outcome writer (`store_call`); here with the `transfer.*` and `dtmf` calltrace
lines voice/session.py leaves (an `Utterance` per line, on the call's timeline) and the
`extra.transfer` record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from voxdial.conversation.analysis import CallAnalysis
from voxdial.conversation.calls import CallResult, Utterance
from voxdial.domain.status import HangupReason
from voxdial.store import calls as call_store
from voxdial.store.db import Database
from voxdial.store.models import Call
from voxdial.store.outcomes import CallOutcome
from voxdial.voice.keypad import trace_text

STARTED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
ANSWERED = STARTED + timedelta(seconds=4)


def said(side: str, text: str, ms: int) -> Utterance:
    return Utterance(side, text, ANSWERED + timedelta(milliseconds=ms))


def key(digit: str, direction: str, source: str, ms: int) -> Utterance:
    return said("dtmf", trace_text(digit, direction=direction, source=source), ms)


def transfer(target: str, *, at_ms: int, outcome: str, end_ms: int, error: str = "") -> tuple:
    """The calltrace lines of one transfer and the `extra.transfer` record it leaves."""
    lines = [said("transfer.requested", target, at_ms)]
    record: dict[str, Any] = {
        "mode": "blind",
        "target": target,
        "requestedAt": (ANSWERED + timedelta(milliseconds=at_ms)).isoformat(),
        "status": outcome,
    }
    if outcome == "connected":
        lines.append(said("transfer.connected", target, end_ms))
        record["connectedAt"] = (ANSWERED + timedelta(milliseconds=end_ms)).isoformat()
    else:
        lines.append(said("transfer.failed", error, end_ms))
        record["error"] = error
    return lines, record


def store_call(
    db: Database,
    *,
    session_id: str,
    workspace_id: int,
    assistant_id: int,
    assistant_vid: int,
    callee: str,
    result: CallResult,
    task_id: int | None = None,
    intent: str = "C",
) -> int:
    """A dialled phone call opened and closed as the dialer's spoken calls are, with
    `result`'s lines and extra; put in task `task_id` when one is given."""
    call_id = call_store.open_call(
        db,
        session_id=session_id,
        workspace_id=workspace_id,
        assistant_id=assistant_id,
        assistant_vid=assistant_vid,
        description="phone",
        direction="outbound",
        caller="10086",
        callee=callee,
        started=result.started_at,
    )
    call_store.close_call(
        db,
        CallOutcome(
            call_id=call_id,
            session_id=session_id,
            result=result,
            analysis=CallAnalysis(intent_level=intent, summary=""),
            facts={},
        ),
    )
    if task_id is not None:
        with db.session() as s:
            s.execute(update(Call).where(Call.id == call_id).values(task_id=task_id))
            s.commit()
    return call_id


def line_call(
    db: Database,
    *,
    lines: list[Utterance],
    extra: dict[str, Any] | None = None,
    outcome: HangupReason = HangupReason.ANSWERED,
    started: datetime = STARTED,
    **call: Any,
) -> int:
    """A call whose assistant greeted, then `lines` (on the call's timeline from
    ANSWERED, moved with `started`); `call`: store_call's other arguments."""
    shift = started - STARTED
    utterances = [said("system", "您好，我是小狐。", 0), *lines]
    utterances = [Utterance(u.side, u.text, u.at + shift) for u in utterances]
    ended = max(u.at for u in utterances) + timedelta(seconds=1)
    result = CallResult(
        outcome,
        started,
        ANSWERED + shift,
        ended,
        "assistant",
        utterances=utterances,
        extra={"spoken": True, **(extra or {})},
    )
    return store_call(db, result=result, **call)
