"""Calls whose callee answer detection decided, stored as a spoken call stores them:
opened by `store.calls.open_call`, closed by the outcome writer with the `extra.answer`
and the `answer.detected` calltrace line voice/runtime.py and voice/session.py leave."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from voxdial.conversation.analysis import CallAnalysis
from voxdial.conversation.calls import CallResult, Utterance
from voxdial.domain.status import HangupReason
from voxdial.store import calls as call_store
from voxdial.store.db import Database
from voxdial.store.outcomes import CallOutcome


def answered_call(
    db: Database,
    *,
    session_id: str,
    workspace_id: int,
    assistant_id: int,
    assistant_vid: int,
    callee: str,
    outcome: str,
    reason: str,
    decided_ms: int,
    early_media: bool = False,
) -> int:
    started = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    answered = started + timedelta(seconds=5)
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
        started=started,
    )
    answer = {"outcome": outcome, "reason": reason, "decidedAtMs": decided_ms}
    if early_media:
        answer["earlyMedia"] = True
    hangup = HangupReason.ANSWERED if outcome in ("human", "unknown") else HangupReason(outcome)
    at = answered + timedelta(milliseconds=decided_ms)
    result = CallResult(
        hangup,
        started,
        answered,
        at + timedelta(seconds=1),
        "assistant",
        utterances=[
            Utterance(
                "answer",
                json.dumps({**answer, "beep": outcome == "voicemail"}, ensure_ascii=False),
                at,
            )
        ],
        extra={"spoken": True, "answer": answer},
    )
    call_store.close_call(
        db,
        CallOutcome(
            call_id=call_id,
            session_id=session_id,
            result=result,
            analysis=CallAnalysis(intent_level="E", summary=""),
            facts={},
        ),
    )
    return call_id
