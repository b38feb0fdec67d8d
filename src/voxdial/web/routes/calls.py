"""Calls: the workspace's calls (filters) and one call: its facts, who answered, its
transfers to a person and its keys, the recording (seek by clicking a line of the
transcript), the transcript with times, answers and intent."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy import select

from voxdial.api.routes.calls import read_call_recording
from voxdial.errors import NotFound
from voxdial.store.models import Call, CallTrace, Task
from voxdial.web.call_events import KEY_EVENT, key_line, keys_of, transfers_of
from voxdial.web.callquery import CallFilter, filter_choices, list_calls
from voxdial.web.guard import ConsoleRoute, Reader, app_state, principal
from voxdial.web.pages import render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
SessionId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.:-]+$")]
SPOKEN = {"system.say": "assistant", "customer.say": "callee"}
ANSWER_EVENT = "answer.detected"
ANSWER_OUTCOMES = frozenset(
    {"human", "unknown", "voicemail", "powered_off", "vacant", "suspended", "busy"}
    | {"unreachable", "no_answer"}
)


def who_answered(extra: Any, traces: list[Any]) -> dict[str, Any] | None:
    """Who answered the call, as answer detection decided (voice/answering.py): the
    call's `extra.answer`, else its `answer.detected` calltrace line. Only known
    outcomes are shown as such; the reason is text, escaped like any other."""
    found = extra.get("answer") if isinstance(extra, dict) else None
    if not isinstance(found, dict):
        found = next((_answer_line(tr.content) for tr in traces if tr.event == ANSWER_EVENT), None)
    if not isinstance(found, dict) or found.get("outcome") not in ANSWER_OUTCOMES:
        return None
    at = found.get("decidedAtMs")
    return {
        "outcome": found["outcome"],
        "reason": str(found.get("reason") or "")[:300],
        "decided_ms": at if isinstance(at, int) and not isinstance(at, bool) else None,
        "early_media": found.get("earlyMedia") is True,
    }


def _answer_line(content: str) -> dict[str, Any] | None:
    try:
        value = json.loads(content)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


@router.get("/calls")
def calls_page(request: Request, user: Reader) -> Response:
    f = CallFilter.from_query(request.query_params)
    with app_state(request).db.session() as s:
        calls, total = list_calls(s, workspace_id=user.workspace_id, tz=user.time_zone, f=f)
    ctx = {
        "calls": calls,
        "calls_total": total,
        "filter": f,
        **filter_choices(),
    }
    template = "_task_calls.html" if request.headers.get("hx-request") else "calls.html"
    return render(request, template, ctx, user=user)


@router.get("/calls/{session_id}")
def call_page(request: Request, user: Reader, session_id: SessionId) -> Response:
    with app_state(request).db.session() as s:
        call = s.execute(
            select(Call).where(
                Call.session_id == session_id, Call.workspace_id == user.workspace_id
            )
        ).scalar_one_or_none()
        if call is None:
            raise NotFound(f"call {session_id!r} not found")
        traces = (
            s.execute(select(CallTrace).where(CallTrace.call_id == call.id).order_by(CallTrace.id))
            .scalars()
            .all()
        )
        task = s.get(Task, call.task_id) if call.task_id else None
    lines = [
        {
            "who": SPOKEN.get(tr.event, "event"),
            "event": tr.event,
            "text": tr.content,
            "ms": tr.elapsed_ms,
            "answer": who_answered(None, [tr]) if tr.event == ANSWER_EVENT else None,
            "key": key_line(tr.content, tr.elapsed_ms) if tr.event == KEY_EVENT else None,
        }
        for tr in traces
    ]
    return render(
        request,
        "call_detail.html",
        {
            "call": call,
            "lines": lines,
            "task": task,
            "has_recording": bool(call.record_file),
            "answer": who_answered(call.extra, traces),
            "transfers": transfers_of(call.extra, traces),
            "keys": keys_of(traces),
        },
        user=user,
    )


@router.get("/calls/{session_id}/recording")
def call_recording(request: Request, user: Reader, session_id: SessionId) -> Response:
    """The API's recording read (same workspace check, same path guard)."""
    state = app_state(request)
    with state.db.session() as s:
        return read_call_recording(session_id, principal(user), s, state)
