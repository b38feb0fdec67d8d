"""Assistants: create, read, update (a new immutable version), soft delete."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from voxdial.api import render
from voxdial.api.deps import AppState, PrincipalDep, SessionDep, StateDep
from voxdial.api.routes.paging import PagingDep, PathId
from voxdial.api.schemas import (
    AssistantCreate,
    AssistantPublic,
    AssistantUpdate,
    AssistantVersionPublic,
    Page,
)
from voxdial.errors import Conflict
from voxdial.store import assistants as repo
from voxdial.store.models import AssistantVersion
from voxdial.voice.catalog import Catalog

router = APIRouter(tags=["assistants"])


def _public(a: Any, v: AssistantVersion, email: str, tz: str, state: AppState) -> Any:
    catalog = Catalog.from_settings(state.settings)  # speakerName / listenerName
    base_url = state.settings.base_url()
    return render.assistant_public(a, v, email, tz=tz, base_url=base_url, catalog=catalog)


@router.post("/assistants", status_code=201, response_model=AssistantPublic)
def create_assistant(body: AssistantCreate, p: PrincipalDep, s: SessionDep, state: StateDep) -> Any:
    """Create an assistant; its first version is version 1 of its history."""
    config = repo.default_config(p.time_zone)
    config.update(body.model_dump(exclude={"name"}, exclude_none=True, mode="json"))
    a, v = repo.create_assistant(
        s,
        workspace_id=p.workspace_id,
        user_id=p.user_id,
        name=body.name,
        config=config,
        catalog=Catalog.from_settings(state.settings),
    )
    s.commit()
    _, _, email = repo.get_current(s, workspace_id=p.workspace_id, assistant_id=a.id)
    return _public(a, v, email, p.time_zone, state)


@router.get("/assistants", response_model=Page[AssistantPublic])
def list_assistants(
    p: PrincipalDep,
    s: SessionDep,
    state: StateDep,
    page: PagingDep,
    includeDeleted: Annotated[bool, Query()] = False,
) -> Any:
    """List the workspace's assistants, newest first."""
    rows, total = repo.list_current(
        s,
        workspace_id=p.workspace_id,
        offset=page.offset,
        limit=page.size,
        include_deleted=includeDeleted,
    )
    base = state.settings.base_url()
    catalog = Catalog.from_settings(state.settings)
    items = [
        render.assistant_public(a, v, e, tz=p.time_zone, base_url=base, catalog=catalog)
        for a, v, e in rows
    ]
    return page.page(items, total)


@router.get("/assistants/{assistantId}", response_model=AssistantPublic)
def read_assistant(assistantId: PathId, p: PrincipalDep, s: SessionDep, state: StateDep) -> Any:
    """Read an assistant at its current version."""
    a, v, email = repo.get_current(s, workspace_id=p.workspace_id, assistant_id=assistantId)
    return _public(a, v, email, p.time_zone, state)


@router.patch("/assistants/{assistantId}", response_model=AssistantPublic)
def update_assistant(
    assistantId: PathId, body: AssistantUpdate, p: PrincipalDep, s: SessionDep, state: StateDep
) -> Any:
    """Change an assistant: makes a new immutable version; tasks keep theirs."""
    a, v, email = repo.get_current(
        s, workspace_id=p.workspace_id, assistant_id=assistantId, for_update=True
    )
    if a.deleted_at is not None:
        raise Conflict(f"assistant {assistantId} is deleted")
    changes = body.model_dump(exclude={"name"}, exclude_none=True, mode="json")
    if "taskTransfer" in body.model_fields_set and body.taskTransfer is None:
        changes["taskTransfer"] = None  # an explicit null turns the hand-over off
    catalog = Catalog.from_settings(state.settings)
    v = repo.new_version(s, a, v, name=body.name, changes=changes, catalog=catalog)
    s.commit()
    return _public(a, v, email, p.time_zone, state)


@router.get("/assistants/{assistantId}/versions", response_model=Page[AssistantVersionPublic])
def list_assistant_versions(
    assistantId: PathId, p: PrincipalDep, s: SessionDep, page: PagingDep
) -> Any:
    """An assistant's versions, newest first."""
    a, _, _ = repo.get_current(s, workspace_id=p.workspace_id, assistant_id=assistantId)
    total = s.execute(
        select(func.count())
        .select_from(AssistantVersion)
        .where(AssistantVersion.assistant_id == a.id)
    ).scalar_one()
    versions = s.execute(
        select(AssistantVersion)
        .where(AssistantVersion.assistant_id == a.id)
        .order_by(AssistantVersion.id.desc())
        .offset(page.offset)
        .limit(page.size)
    ).scalars()
    return page.page(
        [
            {
                "versionId": v.id,
                "name": v.name,
                "createdAt": render.ts(v.created_at, p.time_zone),
                "config": v.config,
            }
            for v in versions
        ],
        total,
    )


@router.post("/assistants/{assistantId}/websocket-token", response_model=AssistantPublic)
def rotate_assistant_websocket_token(
    assistantId: PathId, p: PrincipalDep, s: SessionDep, state: StateDep
) -> Any:
    """Give the assistant a new `websocketToken`; the old one stops working at once."""
    a, v, email = repo.get_current(
        s, workspace_id=p.workspace_id, assistant_id=assistantId, for_update=True
    )
    if a.deleted_at is not None:
        raise Conflict(f"assistant {assistantId} is deleted")
    repo.rotate_websocket_token(a)
    s.commit()
    return _public(a, v, email, p.time_zone, state)


@router.delete("/assistants/{assistantId}", response_model=AssistantPublic)
def delete_assistant(assistantId: PathId, p: PrincipalDep, s: SessionDep, state: StateDep) -> Any:
    """Soft-delete an assistant: `deletedAt` is set and no new task may use it."""
    a, v, email = repo.get_current(
        s, workspace_id=p.workspace_id, assistant_id=assistantId, for_update=True
    )
    if a.deleted_at is None:
        a.deleted_at = datetime.now(UTC)
        s.commit()
    return _public(a, v, email, p.time_zone, state)
