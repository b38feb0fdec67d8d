"""Call records and traces (VoiceFox `calllog` and `calltrace`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse
from sqlalchemy import func, or_, select

from voxdial.api import render
from voxdial.api.deps import PrincipalDep, SessionDep, StateDep
from voxdial.api.routes.paging import PagingDep
from voxdial.api.schemas import CallLogPublic, CallPublic, CallTraceItem, Page
from voxdial.domain.phone import InvalidPhone
from voxdial.errors import NotFound, Unprocessable
from voxdial.store.models import Assistant, AssistantVersion, Call, CallTrace, TaskNumber

router = APIRouter(tags=["calls"])

SessionIdPath = Annotated[
    str,
    Path(min_length=1, max_length=40, pattern=r"^[^\x00]+$", description="call session id"),
]

# The string filters: their documented patterns are exactly what the server accepts
# (empty means no filter, as VoiceFox clients send it).
_ID_LIST_PATTERN = r"^( *[0-9]{1,15} *(, *[0-9]{1,15} *)*)?$"
_TIME_PATTERN = (
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?)?$"
)
_ID_LIST_RE = re.compile(_ID_LIST_PATTERN)
_TIME_RE = re.compile(_TIME_PATTERN)
_ID_LIST = {"pattern": _ID_LIST_PATTERN}
_TIME = {"pattern": _TIME_PATTERN}


def parse_query_time(value: str, *, field: str, tz: str) -> datetime:
    """RFC 3339, or VoiceFox's `2006-01-02 15:04:05` read in the workspace's zone (as is a
    time without an offset, or a bare date)."""
    if not _TIME_RE.fullmatch(value):
        raise Unprocessable(
            f"{field}: {value[:40]!r} is not a time; "
            "use 2026-11-23T09:30:00+08:00 or 2026-11-23 09:30:00"
        )
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=ZoneInfo(tz))
        return dt.astimezone(UTC)  # out of range near year 1 or 9999: refused here
    except (ValueError, OverflowError) as e:
        raise Unprocessable(f"{field}: {value!r} is not a real time") from e


def _int_list(value: str | None, *, field: str, limit: int) -> list[int]:
    if not value:
        return []
    if not _ID_LIST_RE.fullmatch(value):
        raise Unprocessable(f"{field}: {value[:40]!r} is not a comma list of ids")
    out = [int(part) for part in value.split(",")]
    if len(out) > limit:
        raise Unprocessable(f"{field}: at most {limit} ids")
    return out


def _session_call(s, *, workspace_id: int, session_id: str) -> Call:
    call = s.execute(
        select(Call).where(Call.session_id == session_id, Call.workspace_id == workspace_id)
    ).scalar_one_or_none()
    if call is None:
        raise NotFound(f"call {session_id[:40]!r} not found")
    return call


@router.get("/calllog", response_model=Page[CallPublic])
def list_calls(
    p: PrincipalDep,
    s: SessionDep,
    state: StateDep,
    page: PagingDep,
    taskId: Annotated[str | None, Query(max_length=200, json_schema_extra=_ID_LIST)] = None,
    startTime: Annotated[str | None, Query(max_length=40, json_schema_extra=_TIME)] = None,
    endTime: Annotated[str | None, Query(max_length=40, json_schema_extra=_TIME)] = None,
    direction: Annotated[Literal["outbound", "inbound"] | None, Query()] = None,
    phone: Annotated[str | None, Query(max_length=64)] = None,
    assistantIds: Annotated[str | None, Query(max_length=400, json_schema_extra=_ID_LIST)] = None,
    description: Annotated[Literal["phone", "privateTest"] | None, Query()] = None,
) -> Any:
    """Call records, newest first, filtered by task, time, direction, phone, assistant."""
    where = [Call.workspace_id == p.workspace_id]
    if task_ids := _int_list(taskId, field="taskId", limit=10):
        where.append(Call.task_id.in_(task_ids))
    if assistant_ids := _int_list(assistantIds, field="assistantIds", limit=50):
        where.append(Call.assistant_id.in_(assistant_ids))
    if startTime:
        where.append(
            Call.start_at >= parse_query_time(startTime, field="startTime", tz=p.time_zone)
        )
    if endTime:
        where.append(Call.start_at <= parse_query_time(endTime, field="endTime", tz=p.time_zone))
    if direction:
        where.append(Call.direction == direction)
    if description:
        where.append(Call.description == description)
    if phone:
        try:
            e164 = state.normalizer.normalize(phone)
        except InvalidPhone as e:
            raise Unprocessable(f"phone: not a valid phone number ({e.reason})") from e
        where.append(or_(Call.callee == e164, Call.caller == e164))
    total = s.execute(select(func.count()).select_from(Call).where(*where)).scalar_one()
    calls = s.execute(
        select(Call)
        .where(*where)
        .order_by(Call.start_at.desc(), Call.id.desc())
        .offset(page.offset)
        .limit(page.size)
    ).scalars()
    base = state.settings.base_url()
    return page.page([render.call_public(c, tz=p.time_zone, base_url=base) for c in calls], total)


@router.get("/calllog/{sessionId}", response_model=CallPublic)
def read_call(sessionId: SessionIdPath, p: PrincipalDep, s: SessionDep, state: StateDep) -> Any:
    """One call record."""
    call = _session_call(s, workspace_id=p.workspace_id, session_id=sessionId)
    return render.call_public(call, tz=p.time_zone, base_url=state.settings.base_url())


@router.get("/call_logs/{sessionID}", response_model=CallLogPublic)
def read_call_log(
    sessionID: SessionIdPath, p: PrincipalDep, s: SessionDep, state: StateDep
) -> Any:
    """One call as VoiceFox's call detail: ids, times, both numbers with their 归属地 and
    carrier, the outcome, and the answers collected by assistant version."""
    call = _session_call(s, workspace_id=p.workspace_id, session_id=sessionID)
    number_file_id = None
    if call.task_number_id is not None:
        number_file_id = s.execute(
            select(TaskNumber.file_id).where(
                TaskNumber.id == call.task_number_id, TaskNumber.task_id == call.task_id
            )
        ).scalar_one_or_none()
    questions: list[dict[str, Any]] = []
    if call.assistant_vid is not None:
        config = s.execute(
            select(AssistantVersion.config)
            .join(Assistant, Assistant.id == AssistantVersion.assistant_id)
            .where(
                AssistantVersion.id == call.assistant_vid,
                Assistant.workspace_id == p.workspace_id,
            )
        ).scalar_one_or_none()
        questions = list((config or {}).get("collect") or [])
    return render.call_log_detail(
        call,
        number_file_id=number_file_id,
        questions=questions,
        tz=p.time_zone,
        base_url=state.settings.base_url(),
    )


@router.get(
    "/calllog/{sessionId}/record",
    response_class=FileResponse,
    responses={200: {"content": {"audio/wav": {}}, "description": "the call's WAV recording"}},
)
def read_call_recording(
    sessionId: SessionIdPath, p: PrincipalDep, s: SessionDep, state: StateDep
) -> Any:
    """The call's recording (WAV, both sides), to its own workspace only."""
    call = _session_call(s, workspace_id=p.workspace_id, session_id=sessionId)
    root = (state.settings.data_dir / "recordings").resolve()
    path = (root / call.record_file).resolve() if call.record_file else None
    if path is None or root not in path.parents or not FsPath(path).is_file():
        raise NotFound(f"call {sessionId[:40]!r} has no recording")
    return FileResponse(path, media_type="audio/wav")


@router.get("/calltrace/{sessionId}", response_model=list[CallTraceItem])
def read_call_trace(sessionId: SessionIdPath, p: PrincipalDep, s: SessionDep) -> Any:
    """The call's events in order: begin, what each side said, hang-up."""
    call = _session_call(s, workspace_id=p.workspace_id, session_id=sessionId)
    traces = s.execute(
        select(CallTrace).where(CallTrace.call_id == call.id).order_by(CallTrace.id)
    ).scalars()
    return [render.trace_public(t, call.session_id, tz=p.time_zone) for t in traces]
