"""Inbound numbers: our numbers that answer calls, each with the assistant that holds
them. A call to a bound number (a SIP INVITE's Request-URI user, a media stream's `to`)
is recorded as `direction: inbound` in the binding's workspace, and sends that
workspace's `callin.hangup` / `callin.collect` webhooks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from voxdial.api import render
from voxdial.api.deps import PrincipalDep, SessionDep, StateDep
from voxdial.api.routes.paging import PagingDep, PathId
from voxdial.api.schemas import Page
from voxdial.api.schemas.inbound import InboundNumberCreate, InboundNumberPublic
from voxdial.domain.phone import InvalidPhone
from voxdial.errors import Conflict, NotFound, Unprocessable
from voxdial.links import websocket_url
from voxdial.store.models import Assistant, AssistantVersion, InboundNumber

router = APIRouter(tags=["inbound numbers"])


def _public(n: InboundNumber, scene: str, *, tz: str, base_url: str) -> dict[str, Any]:
    return {
        "id": n.id,
        "number": n.number,
        "assistantId": n.assistant_id,
        "scene": scene,
        "websocketUrl": websocket_url(base_url, n.assistant_id),
        "createdAt": render.ts(n.created_at, tz),
    }


def _scene(version: AssistantVersion | None) -> str:
    return str(((version.config if version else None) or {}).get("scene") or "")


@router.post("/inbound-numbers", status_code=201, response_model=InboundNumberPublic)
def bind_number(body: InboundNumberCreate, p: PrincipalDep, s: SessionDep, state: StateDep) -> Any:
    """Answer calls to `number` with the assistant `assistantId` of this workspace."""
    try:
        number = state.normalizer.normalize(body.number)
    except InvalidPhone as e:
        raise Unprocessable(f"number: not a valid phone number ({e.reason})") from e
    row = s.execute(
        select(Assistant, AssistantVersion)
        .outerjoin(AssistantVersion, AssistantVersion.id == Assistant.current_version_id)
        .where(
            Assistant.id == body.assistantId,
            Assistant.workspace_id == p.workspace_id,
            Assistant.deleted_at.is_(None),
        )
    ).first()
    if row is None:
        raise Unprocessable(f"assistantId: no assistant {body.assistantId} in this workspace")
    n = InboundNumber(workspace_id=p.workspace_id, number=number, assistant_id=body.assistantId)
    s.add(n)
    try:
        s.commit()
    except IntegrityError:
        s.rollback()
        raise Conflict(f"number: {number} is already bound") from None
    base = state.settings.base_url()
    return _public(n, _scene(row.AssistantVersion), tz=p.time_zone, base_url=base)


@router.get("/inbound-numbers", response_model=Page[InboundNumberPublic])
def list_numbers(p: PrincipalDep, s: SessionDep, state: StateDep, page: PagingDep) -> Any:
    """This workspace's inbound numbers, newest first."""
    where = InboundNumber.workspace_id == p.workspace_id
    total = s.execute(select(func.count()).select_from(InboundNumber).where(where)).scalar_one()
    rows = s.execute(
        select(InboundNumber, AssistantVersion)
        .join(Assistant, Assistant.id == InboundNumber.assistant_id)
        .outerjoin(AssistantVersion, AssistantVersion.id == Assistant.current_version_id)
        .where(where)
        .order_by(InboundNumber.id.desc())
        .offset(page.offset)
        .limit(page.size)
    ).all()
    base = state.settings.base_url()
    return page.page(
        [
            _public(r.InboundNumber, _scene(r.AssistantVersion), tz=p.time_zone, base_url=base)
            for r in rows
        ],
        total,
    )


@router.delete("/inbound-numbers/{numberId}", status_code=204)
def unbind_number(numberId: PathId, p: PrincipalDep, s: SessionDep) -> None:
    """Stop answering calls to a number."""
    gone = s.execute(
        delete(InboundNumber).where(
            InboundNumber.id == numberId, InboundNumber.workspace_id == p.workspace_id
        )
    ).rowcount
    if not gone:
        raise NotFound(f"inbound number {numberId} not found")
    s.commit()
