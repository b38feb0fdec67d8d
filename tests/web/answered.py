"""Calls whose callee answer detection decided, stored as a spoken call stores them
(tests/web/line_calls.py: store_call) with the `extra.answer` and the `answer.detected`
calltrace line voice/runtime.py and voice/session.py leave."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.web.line_calls import store_call
from voxdial.conversation.calls import CallResult, Utterance
from voxdial.domain.status import HangupReason
from voxdial.store.db import Database


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
    task_id: int | None = None,
) -> int:
    started = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    answered = started + timedelta(seconds=5)
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
    return store_call(
        db,
        session_id=session_id,
        workspace_id=workspace_id,
        assistant_id=assistant_id,
        assistant_vid=assistant_vid,
        callee=callee,
        result=result,
        task_id=task_id,
        intent="E",
    )
