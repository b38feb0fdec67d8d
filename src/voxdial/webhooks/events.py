"""Webhook event payloads (API.md, "Webhooks"): pure builders of `event_data`.

A delivery's body is `{"event_name": ..., "event_data": ...}`; the outbox stores only
`event_data` and the deliverer wraps it at send time. Keys are snake_case as documented;
times are RFC 3339 with the offset of the workspace's time zone (null when unknown).
Strings the call record may lack (`hangup_side`, `hangup_reason`) are sent as "" so a
typed receiver always sees a string. A call's `extra` carries what its carrier left, and
the 归属地 and carrier of both numbers (`callee_attribute`, `caller_attribute`; the
text of the API's `calleeAttribute`, see domain/attribution.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from voxdial.domain.attribution import attribute_of
from voxdial.store.models import Call, Task

CALL_END = "task.call.end"
CALL_COLLECT = "task.call.collect"
TASK_END = "task.end"
# an inbound call's ends: VoiceFox's names, the same payloads as a dialled call's
CALLIN_HANGUP = "callin.hangup"
CALLIN_COLLECT = "callin.collect"
CALL_TRANSFER = "task.call.transfer"  # VoiceFox's `callin.transfer`; asked for by name
EVENTS = (CALL_END, CALL_COLLECT, TASK_END, CALL_TRANSFER, CALLIN_HANGUP, CALLIN_COLLECT)

# Namespace of `question_uuid`: the same question text always gets the same uuid, across
# calls, tasks and assistant versions, so receivers can key answers by it.
QUESTION_NAMESPACE = uuid.UUID("5b0c1f3e-7d2a-5e8b-9c41-6f0d2a8e7b13")


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def rfc3339(value: datetime | None, tz: str) -> str | None:
    if value is None:
        return None
    return value.astimezone(_zone(tz)).isoformat(timespec="seconds")


def _percent(part: int, whole: int) -> int:
    return 0 if whole <= 0 else min(100, (part * 100) // whole)


def question_uuid(question: str) -> str:
    return str(uuid.uuid5(QUESTION_NAMESPACE, question))


def record_url(call: Call, base_url: str) -> str:
    if not call.record_file:
        return ""
    return f"{base_url.rstrip('/')}/openapi/calllog/{call.session_id}/record"


def call_ended_data(
    call: Call, *, task_item_id: int | None = None, base_url: str, tz: str
) -> dict[str, Any]:
    """`event_data` of `task.call.end` (and of `callin.hangup`). `task_item_id` defaults
    to the call's number (an inbound call's: the task number it calls back, if any)."""
    if task_item_id is None:
        task_item_id = call.task_number_id
    return {
        "session_id": call.session_id,
        "callee": call.callee,
        "caller": call.caller or "",
        "start_at": rfc3339(call.start_at, tz),
        "answer_at": rfc3339(call.answer_at, tz),
        "end_at": rfc3339(call.end_at, tz),
        "duration": int(call.duration or 0),
        "billsec": int(call.billsec or 0),
        "direction": call.direction or "outbound",
        "ring_time": int(call.ring_time or 0),
        "hangup_side": call.hangup_side or "",
        "hangup_reason": call.hangup_reason or "",
        "record_url": record_url(call, base_url),
        "task_id": call.task_id,
        "task_item_id": task_item_id,
        "assistant_infos": (
            [{"assistant_id": call.assistant_id, "assistant_vid": call.assistant_vid or 0}]
            if call.assistant_id
            else []
        ),
        "extra": {
            **(call.extra or {}),
            "callee_attribute": attribute_of(call.callee or ""),
            "caller_attribute": attribute_of(call.caller or ""),
        },
    }


def transferred(call: Call) -> dict[str, Any] | None:
    """The call's hand-over to a person (`extra.transfer`), when one went through."""
    record = (call.extra or {}).get("transfer")
    if isinstance(record, dict) and record.get("status") == "connected":
        return record
    return None


def call_transfer_data(
    call: Call, *, task_item_id: int | None = None, base_url: str, tz: str
) -> dict[str, Any]:
    """`event_data` of `task.call.transfer`: the call ended data, and `transfer`: the
    target, the mode ("blind" | "bridged"), the outcome (`status`), and when it was
    requested, connected and (bridged: voxdial carried the agent's call) ended, RFC
    3339; `ended_at` is null for a blind transfer, whose end voxdial does not see."""
    data = call_ended_data(call, task_item_id=task_item_id, base_url=base_url, tz=tz)
    record = transferred(call) or {}
    data["transfer"] = {
        "mode": record.get("mode", "blind"),
        "target": record.get("target", ""),
        "status": record.get("status", "connected"),
        "requested_at": _stamp(record.get("requestedAt"), tz),
        "connected_at": _stamp(record.get("connectedAt"), tz),
        "ended_at": _stamp(record.get("endedAt"), tz),
    }
    return data


def _stamp(value: Any, tz: str) -> str | None:
    try:
        return rfc3339(datetime.fromisoformat(value), tz) if value else None
    except (TypeError, ValueError):
        return None


def collect_targets(collect: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The call's collected answers as `collect_targets` items."""
    out = []
    for x in collect:
        question = str(x.get("question") or "")
        out.append(
            {
                "question": question,
                "hit": bool(x.get("hit")),
                "result": str(x.get("result") or ""),
                "message": str(x.get("message") or ""),
                "question_uuid": question_uuid(question),
            }
        )
    return out


def default_analysis(call: Call) -> list[dict[str, str]]:
    """What voxdial knows of a conversation after it: the intent level (A-E) and the
    call's summary. Titles are stable keys, not display text."""
    return [
        {"title": "intent_level", "result": call.intent_level or ""},
        {"title": "summary", "result": call.summary or ""},
    ]


def call_collect_data(
    call: Call,
    *,
    task_item_id: int | None = None,
    base_url: str,
    tz: str,
    collect: Iterable[Mapping[str, Any]] | None = None,
    analysis: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """`event_data` of `task.call.collect`: the call-ended fields plus what was collected
    (`collect` defaults to the call's stored answers) and the conversation analysis
    (`analysis` items are `{title, result}`; defaults to `default_analysis(call)`)."""
    data = call_ended_data(call, task_item_id=task_item_id, base_url=base_url, tz=tz)
    data["collect_targets"] = collect_targets((call.collect or []) if collect is None else collect)
    items = default_analysis(call) if analysis is None else analysis
    data["conversation_analysis"] = [
        {"title": str(a.get("title") or ""), "result": str(a.get("result") or "")} for a in items
    ]
    return data


def task_overview(
    questions: Iterable[Mapping[str, Any]],
    answer_counts: Mapping[str, Mapping[str, int]] | None,
) -> list[dict[str, Any]]:
    """Per collect question (the assistant version's `collect` list: `{question,
    answers}`), how often each answer was given, from counts such as `Task.answer_counts`.
    The listed answers come first, in order (zero counts included), then any other
    answer given; `percent` is of the question's answered total."""
    counts = answer_counts or {}
    out = []
    for q in questions:
        question = str(q.get("question") or "")
        options = [str(a) for a in (q.get("answers") or [])]
        per = {str(r): int(n) for r, n in (counts.get(question) or {}).items()}
        total = sum(per.values())
        results = [
            {"result": r, "total": per.get(r, 0), "percent": _percent(per.get(r, 0), total)}
            for r in options
        ] + [
            {"result": r, "total": n, "percent": _percent(n, total)}
            for r, n in per.items()
            if r not in options
        ]
        out.append({"question": question, "total": total, "option": options, "results": results})
    return out


def task_end_data(
    task: Task,
    *,
    total_num: int,
    called_num: int,
    called_answered_num: int,
    called_un_answered_num: int,
    pending_num: int,
    overview: list[dict[str, Any]],
    tz: str,
) -> dict[str, Any]:
    """`event_data` of `task.end`. `overview` items are `{question, total, option,
    results[{result, total, percent}]}` (see `task_overview`)."""
    return {
        "task_id": task.id,
        "task_start_at": rfc3339(task.started_at, tz),
        "task_progress": {
            "total_num": total_num,
            "called_num": called_num,
            "called_answered_num": called_answered_num,
            "called_un_answered_num": called_un_answered_num,
            "pending_num": pending_num,
        },
        "task_overview": overview,
    }


def task_end_data_from_counters(
    task: Task, *, questions: Iterable[Mapping[str, Any]], tz: str
) -> dict[str, Any]:
    """`task.end` data from the task's own counters (kept with the outcomes, so O(1))
    and `Task.answer_counts`; `questions` is the pinned assistant version's `collect`."""
    total, final, calling = task.total or 0, task.final_num or 0, task.calling_num or 0
    called, answered = task.called_num or 0, task.answered_num or 0
    return task_end_data(
        task,
        total_num=total,
        called_num=called,
        called_answered_num=answered,
        called_un_answered_num=max(0, called - answered),
        pending_num=max(0, total - final - calling),
        overview=task_overview(questions, task.answer_counts),
        tz=tz,
    )
