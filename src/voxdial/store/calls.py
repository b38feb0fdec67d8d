"""Call records for spoken calls that no task dialled: a carrier or PBX streaming a call
to an assistant's websocket, or a browser talking to it. They show in `/openapi/calllog`
with their trace, collected answers, analysis and recording, like any call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from voxdial.conversation.analysis import CallAnalysis, analyse
from voxdial.conversation.calls import CallResult
from voxdial.domain.language import language_of
from voxdial.domain.status import HangupReason
from voxdial.store.db import Database
from voxdial.store.models import Call, CallTrace

TRACE_EVENTS = {"system": "system.say", "customer": "customer.say", "note": "system.note"}


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
) -> int:
    """The call's row as soon as the stream starts (so a crash still leaves a record)."""
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
            attempt=1,
        )
        s.add(call)
        s.commit()
        return call.id


def trace_rows(call_id: int, session_id: str, r: CallResult) -> list[dict[str, Any]]:
    """The calltrace of an answered call: begin, each utterance, hang-up."""
    if r.answered_at is None:
        return []
    answered = r.answered_at

    def row(event: str, content: str, at: datetime, dialog: str = "") -> dict[str, Any]:
        elapsed = int((at - answered).total_seconds() * 1000)
        return {
            "call_id": call_id,
            "event": event,
            "content": content,
            "elapsed_ms": elapsed,
            "dialog_id": dialog,
            "created_at": at,
        }

    rows = [row("begin", "", answered)]
    rows += [
        row(TRACE_EVENTS[u.side], u.text, u.at, f"{session_id[:8]}-{i}")
        for i, u in enumerate(r.utterances)
    ]
    rows.append(row("hangup", r.hangup_side, r.ended_at))
    return rows


def analyse_call(config: dict[str, Any], result: CallResult) -> CallAnalysis:
    """The call's intent level, summary and analysis items, from how it went."""
    return analyse(
        language=language_of(config),
        outcome=HangupReason(result.outcome),
        questions=[q["question"] for q in config.get("collect") or []],
        collected=result.collected,
        hangup_side=result.hangup_side,
        refused=result.refused or result.block,
        callback=result.callback,
        knowledge_questions=result.knowledge_questions,
    )


def close_call(
    db: Database, call_id: int, session_id: str, result: CallResult, config: dict[str, Any]
) -> None:
    """Everything the spoken call left: outcome, trace, answers, analysis, recording."""
    analysis = analyse_call(config, result)
    collect = [
        {"question": c.question, "hit": c.hit, "result": c.result, "message": c.message}
        for c in result.collected
    ]
    with db.session() as s, s.begin():
        s.execute(
            update(Call)
            .where(Call.id == call_id)
            .values(
                answer_at=result.answered_at,
                end_at=result.ended_at,
                hangup_reason=result.outcome,
                hangup_side=result.hangup_side,
                duration=max(0, round((result.ended_at - result.started_at).total_seconds())),
                billsec=result.billsec,
                rounds=sum(1 for u in result.utterances if u.side == "customer"),
                intent_level=analysis.intent_level,
                summary=analysis.summary[:2000],
                collect=collect or None,
                record_file=result.record_file,
                extra={**result.extra, "conversation_analysis": analysis.items},
            )
        )
        rows = trace_rows(call_id, session_id, result)
        if rows:
            s.execute(CallTrace.__table__.insert(), rows)
