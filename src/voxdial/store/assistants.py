"""Assistants and their immutable versions."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from voxdial.domain.schedule import parse_time_zone
from voxdial.errors import InvalidSchedule, NotFound, Unprocessable
from voxdial.store.models import Assistant, AssistantVersion, User
from voxdial.voice.catalog import LISTENERS_BY_ID, SPEAKERS_BY_ID, Catalog

DEFAULT_INTERRUPTION = {
    "method": "talk_over",
    "uninterruptibleMs": 1500,
    "talkOverThresholdMs": 500,
}

# voice/answering.py reads these keys; api/schemas/assistants.py:AnswerDetection checks them
DEFAULT_ANSWER_DETECTION = {
    "enabled": True,
    "onVoicemail": "hangup",
    "voicemailMessage": "",
    "afterGreetingSilenceMs": 700,
    "maxGreetingMs": 2800,
    "machineLimitMs": 4000,
    "totalLimitMs": 6000,
    "beepWaitMs": 4000,
}


def default_config(time_zone: str) -> dict[str, Any]:
    return {
        "scene": "outbound_collect",
        "speakerId": 1,
        "listenerId": 1,
        "welcome": "",
        "prompt": "",
        "objective": "",
        "collect": [],
        "knowledge": "",
        "hotWords": [],
        "llmId": 0,
        "timeZone": time_zone,
        "interruption": dict(DEFAULT_INTERRUPTION),
        "answerDetection": dict(DEFAULT_ANSWER_DETECTION),
    }


def check_config(config: dict[str, Any], *, catalog: Catalog | None = None) -> None:
    """Refuse ids the installation's speech catalogue (default: the built-in one) lacks."""
    speakers = catalog.speakers if catalog is not None else SPEAKERS_BY_ID
    listeners = catalog.listeners if catalog is not None else LISTENERS_BY_ID
    if config["speakerId"] not in speakers:
        raise Unprocessable(
            f"speakerId {config['speakerId']} is not a voice of this installation; "
            "see GET /openapi/speakers"
        )
    if config["listenerId"] not in listeners:
        raise Unprocessable(
            f"listenerId {config['listenerId']} is not an ASR model of this installation; "
            "see GET /openapi/listeners"
        )
    try:
        parse_time_zone(config["timeZone"], field="timeZone")
    except InvalidSchedule as e:
        raise Unprocessable(e.message) from e


def new_websocket_token() -> str:
    return secrets.token_urlsafe(24)


def rotate_websocket_token(a: Assistant) -> str:
    """Give the assistant a new websocket token; the old one is refused from the next
    connection on (sockets check it against the stored value, uncached). Calls already
    connected go on."""
    a.websocket_token = new_websocket_token()
    a.updated_at = datetime.now(UTC)
    return a.websocket_token


def create_assistant(
    s: Session,
    *,
    workspace_id: int,
    user_id: int,
    name: str,
    config: dict[str, Any],
    catalog: Catalog | None = None,
) -> tuple[Assistant, AssistantVersion]:
    check_config(config, catalog=catalog)
    now = datetime.now(UTC)
    a = Assistant(
        workspace_id=workspace_id,
        creator_id=user_id,
        usage_count=0,
        websocket_token=new_websocket_token(),
        created_at=now,
        updated_at=now,
    )
    s.add(a)
    s.flush()
    v = AssistantVersion(assistant_id=a.id, name=name, config=config, created_at=now)
    s.add(v)
    s.flush()
    a.current_version_id = v.id
    return a, v


def new_version(
    s: Session,
    a: Assistant,
    current: AssistantVersion,
    *,
    name: str | None,
    changes: dict[str, Any],
    catalog: Catalog | None = None,
) -> AssistantVersion:
    config = {**current.config, **changes}
    check_config(config, catalog=catalog)
    now = datetime.now(UTC)
    v = AssistantVersion(
        assistant_id=a.id, name=name or current.name, config=config, created_at=now
    )
    s.add(v)
    s.flush()
    a.current_version_id = v.id
    a.updated_at = now
    return v


def _base_query():
    return (
        select(Assistant, AssistantVersion, User.email)
        .join(AssistantVersion, AssistantVersion.id == Assistant.current_version_id)
        .join(User, User.id == Assistant.creator_id)
    )


def get_current(
    s: Session, *, workspace_id: int, assistant_id: int, for_update: bool = False
) -> Row[tuple[Assistant, AssistantVersion, str]]:
    q = _base_query().where(Assistant.id == assistant_id, Assistant.workspace_id == workspace_id)
    if for_update:
        q = q.with_for_update(of=Assistant)
    row = s.execute(q).first()
    if row is None:
        raise NotFound(f"assistant {assistant_id} not found")
    return row


def list_current(
    s: Session, *, workspace_id: int, offset: int, limit: int, include_deleted: bool
) -> tuple[list[Row[tuple[Assistant, AssistantVersion, str]]], int]:
    where = [Assistant.workspace_id == workspace_id]
    if not include_deleted:
        where.append(Assistant.deleted_at.is_(None))
    total = s.execute(select(func.count()).select_from(Assistant).where(*where)).scalar_one()
    rows = s.execute(
        _base_query().where(*where).order_by(Assistant.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), total


def get_version_for_task(
    s: Session, *, workspace_id: int, assistant_id: int | None, assistant_vid: int | None
) -> tuple[Assistant, AssistantVersion]:
    """The assistant version a new task pins: the current one, or the one named."""
    if assistant_vid is not None:
        row = s.execute(
            select(Assistant, AssistantVersion)
            .join(AssistantVersion, AssistantVersion.assistant_id == Assistant.id)
            .where(AssistantVersion.id == assistant_vid, Assistant.workspace_id == workspace_id)
        ).first()
        if row is None or (assistant_id is not None and row[0].id != assistant_id):
            raise Unprocessable(f"assistantVid {assistant_vid}: no such assistant version")
    elif assistant_id is not None:
        row = s.execute(
            select(Assistant, AssistantVersion)
            .join(AssistantVersion, AssistantVersion.id == Assistant.current_version_id)
            .where(Assistant.id == assistant_id, Assistant.workspace_id == workspace_id)
        ).first()
        if row is None:
            raise Unprocessable(f"assistantId {assistant_id}: no such assistant")
    else:
        raise Unprocessable("give assistantId or assistantVid")
    a, v = row
    if a.deleted_at is not None:
        raise Unprocessable(f"assistant {a.id} is deleted; a new task cannot use it")
    return a, v
