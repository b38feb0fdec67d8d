"""Stored rows -> wire dicts (camelCase, RFC 3339 times in the workspace's zone)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from voxdial.domain.attribution import attribute_of
from voxdial.domain.language import language_of
from voxdial.domain.options import shown_meta
from voxdial.links import websocket_url
from voxdial.store.assistants import DEFAULT_ANSWER_DETECTION
from voxdial.store.models import Assistant, AssistantVersion, Call, CallTrace, Task
from voxdial.voice.catalog import LISTENERS_BY_ID, SPEAKERS_BY_ID, Catalog


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def ts(value: datetime | None, tz: str) -> str | None:
    if value is None:
        return None
    return value.astimezone(_zone(tz)).isoformat(timespec="seconds")


def percent(part: int, whole: int) -> int:
    return 0 if whole <= 0 else min(100, (part * 100) // whole)


def task_assistant(
    a: Assistant, v: AssistantVersion, email: str, *, tz: str, base_url: str
) -> dict[str, Any]:
    c = v.config
    return {
        "id": a.id,
        "projectId": a.workspace_id,
        "name": v.name,
        "versionId": v.id,
        "scene": c["scene"],
        "speakerId": c["speakerId"],
        "websocketUrl": websocket_url(base_url, a.id),
        "websocketToken": a.websocket_token,
        "listenerId": c["listenerId"],
        "welcome": c["welcome"],
        "prompt": c["prompt"],
        "collect": c["collect"],
        "knowledge": c["knowledge"],
        "createdAt": ts(a.created_at, tz),
        "updatedAt": ts(v.created_at, tz),
        "creator": {"email": email},
        "deletedAt": ts(a.deleted_at, tz),
        "idOldVersion": a.current_version_id != v.id,
        "usageCount": a.usage_count,
        "creatorId": a.creator_id,
    }


def assistant_public(
    a: Assistant,
    v: AssistantVersion,
    email: str,
    *,
    tz: str,
    base_url: str,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    out = task_assistant(a, v, email, tz=tz, base_url=base_url)
    c = v.config
    speakers = catalog.speakers if catalog is not None else SPEAKERS_BY_ID
    listeners = catalog.listeners if catalog is not None else LISTENERS_BY_ID
    speaker = speakers.get(c["speakerId"])
    listener = listeners.get(c["listenerId"])
    out.update(
        speakerName=speaker.name if speaker else "",
        listenerName=listener.name if listener else "",
        objective=c["objective"],
        hotWords=c["hotWords"],
        llmId=c["llmId"],
        timeZone=c["timeZone"],
        interruption=c["interruption"],
        # versions stored before the setting existed run with the defaults
        answerDetection={**DEFAULT_ANSWER_DETECTION, **(c.get("answerDetection") or {})},
        sendKeys=c.get("sendKeys") or "",
        taskTransfer=c.get("taskTransfer"),
        language=language_of(c),
    )
    return out


def task_detail(
    t: Task, a: Assistant, v: AssistantVersion, email: str, *, tz: str, base_url: str
) -> dict[str, Any]:
    o = t.option
    return {
        "id": t.id,
        "createdAt": ts(t.created_at, tz),
        "updatedAt": ts(t.updated_at, tz),
        "name": t.name,
        "status": t.status,
        "total": t.total,
        "progress": percent(t.final_num, t.total),
        "collectionRate": percent(t.collected_num, t.answered_num) if v.config["collect"] else 0,
        "option": {
            "numberFileMeta": shown_meta(o["numberFileMeta"]),
            "numbers": o["numbers"],
            "startDate": o["startDate"],
            "startTime": o["startTime"],
            "retryCount": o["retryCount"],
            "retryInterval": o["retryInterval"],
            "weeks": o["weeks"],
            "endDate": o.get("endDate"),
            "timeZone": o["timeZone"],
            "concurrency": o["concurrency"],
        },
        "summary": t.summary,
        "suggestion": t.suggestion,
        "assistantVid": t.assistant_vid,
        "assistant": task_assistant(a, v, email, tz=tz, base_url=base_url),
        "stopReason": t.stop_reason,
        "rejected": t.rejected,
    }


def call_public(c: Call, *, tz: str, base_url: str) -> dict[str, Any]:
    return {
        "sessionId": c.session_id,
        "taskId": c.task_id,
        "taskItemId": c.task_number_id,
        "startAt": ts(c.start_at, tz),
        "answerAt": ts(c.answer_at, tz),
        "endAt": ts(c.end_at, tz),
        "callee": c.callee,
        "calleeAttribute": attribute_of(c.callee or ""),
        "caller": c.caller,
        "callerAttribute": attribute_of(c.caller or ""),
        "direction": c.direction,
        "duration": c.duration,
        "billsec": c.billsec,
        "ringTime": c.ring_time,
        "recordFile": record_url(c, base_url),
        "assistant": (
            [{"id": c.assistant_id, "vid": c.assistant_vid or 0}] if c.assistant_id else []
        ),
        "hangupReason": c.hangup_reason,
        "hangupSide": c.hangup_side,
        "rounds": c.rounds,
        "intentLevel": c.intent_level,
        "collect": [
            {
                "question": x.get("question", ""),
                "hit": bool(x.get("hit")),
                "result": x.get("result", ""),
            }
            for x in (c.collect or [])
        ],
        "summary": c.summary,
        "description": c.description,
        "extra": c.extra or {},
    }


def record_url(c: Call, base_url: str) -> str:
    return f"{base_url}/openapi/calllog/{c.session_id}/record" if c.record_file else ""


def call_log_detail(
    c: Call,
    *,
    number_file_id: int | None,
    questions: list[dict[str, Any]],
    tz: str,
    base_url: str,
) -> dict[str, Any]:
    """VoiceFox's call detail. `questions` are the collect questions of the call's
    assistant version (`{question, answers}`), for each answer's preset options."""
    options = {q["question"]: list(q.get("answers") or []) for q in questions}
    items = []
    for x in c.collect or []:
        question = str(x.get("question") or "")
        answer = str(x.get("result") or "")
        preset = options.get(question, [])
        items.append(
            {
                "question": question,
                "option": preset,
                "answerOption": [answer] if answer in preset else [],
                "answer": answer,
                "hit": bool(x.get("hit")),
                "message": str(x.get("message") or ""),
            }
        )
    return {
        "id": c.id,
        "sessionId": c.session_id,
        "scriptPlanId": None,
        "agentId": None,
        "numberId": number_file_id,
        "taskId": c.task_id,
        "taskItemId": c.task_number_id,
        "startAt": ts(c.start_at, tz),
        "endAt": ts(c.end_at, tz),
        "answerAt": ts(c.answer_at, tz),
        "createdAt": ts(c.start_at, tz),
        "callee": c.callee,
        "calleeAttribute": attribute_of(c.callee or ""),
        "caller": c.caller,
        "callerAttribute": attribute_of(c.caller or ""),
        "direction": c.direction,
        "agentName": "",
        "recordFile": record_url(c, base_url),
        "duration": c.duration,
        "billsec": c.billsec,
        "hangupSide": c.hangup_side or "",
        "hangupReason": c.hangup_reason or "",
        "ringTime": c.ring_time,
        "assistantVids": [c.assistant_vid] if c.assistant_vid else [],
        "collect": [{"vid": c.assistant_vid, "items": items}] if c.assistant_vid else [],
    }


def trace_public(t: CallTrace, session_id: str, *, tz: str) -> dict[str, Any]:
    return {
        "sessionId": session_id,
        "event": t.event,
        "content": t.content,
        "elapsedMillSeconds": t.elapsed_ms,
        "dialogID": t.dialog_id,
        "createdAt": ts(t.created_at, tz),
    }
