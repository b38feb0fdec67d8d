"""A finished call's result as the store and the webhooks see it, without a database:
its calltrace rows (`store.outcomes.trace_rows`) and its `Call` row."""

from __future__ import annotations

from typing import Any

from voxdial.conversation.calls import CallResult
from voxdial.store.models import Call
from voxdial.store.outcomes import trace_rows

SESSION_ID = "abcdef0123456789"


def trace_of(result: CallResult) -> list[tuple[Any, ...]]:
    """The calltrace rows of `result`: (call id, event, content, offset ms, ...)."""

    class Outcome:  # what trace_rows reads of a CallOutcome
        call_id = 1
        session_id = SESSION_ID
        traced = None

    Outcome.result = result  # type: ignore[attr-defined]
    return trace_rows(Outcome, lambda t: t)  # type: ignore[arg-type]


def stored_call(result: CallResult) -> Call:
    """The call record `result` leaves (the fields the webhook payloads read)."""
    return Call(
        session_id=SESSION_ID,
        workspace_id=1,
        callee="13800138000",
        caller="02161234567",
        start_at=result.started_at,
        answer_at=result.answered_at,
        end_at=result.ended_at,
        hangup_reason="answered",
        hangup_side=result.hangup_side,
        extra=result.extra,
        record_file=result.record_file,
    )
