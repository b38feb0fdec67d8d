"""Webhook subscriptions: where call and task events are POSTed."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter
from sqlalchemy import func, select

from voxdial.api import render
from voxdial.api.deps import AppState, PrincipalDep, SessionDep, StateDep
from voxdial.api.routes.paging import PagingDep, PathId
from voxdial.api.schemas import (
    Page,
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryPublic,
    WebhookPublic,
)
from voxdial.errors import NotFound, Unprocessable
from voxdial.store.models import Webhook, WebhookOutbox
from voxdial.webhooks.addresses import AddressPolicy, Refused, check_authorization
from voxdial.webhooks.outbox import delivery_status

router = APIRouter(tags=["webhooks"])


def _public(w: Webhook, tz: str) -> dict[str, Any]:
    return {
        "id": w.id,
        "url": w.url,
        "events": w.events,
        "hasAuthorization": bool(w.authorization),
        "createdAt": render.ts(w.created_at, tz),
    }


ALLOW_HINT = (
    "; webhooks may not reach internal networks unless the operator allows them "
    "(VOXDIAL_WEBHOOK_ALLOW_NETWORKS)"
)


def _check_target(state: AppState, url: str, authorization: str) -> str:
    policy = AddressPolicy.from_text(state.settings.webhook_allow_networks)
    url = url.strip()
    try:
        policy.check_url(url)
    except Refused as e:
        hint = ALLOW_HINT if e.allowable else ""
        raise Unprocessable(f"url: {e.message}{hint}") from e
    try:
        check_authorization(authorization)
    except Refused as e:
        raise Unprocessable(e.message) from e
    return url


@router.post("/webhooks", status_code=201, response_model=WebhookCreated)
def create_webhook(body: WebhookCreate, p: PrincipalDep, s: SessionDep, state: StateDep) -> Any:
    """Subscribe a URL to events; the signing secret is shown in this response only."""
    w = Webhook(
        workspace_id=p.workspace_id,
        url=_check_target(state, body.url, body.authorization),
        events=sorted(set(body.events)),
        authorization=body.authorization,
        secret=body.secret or secrets.token_urlsafe(32),
        active=True,
    )
    s.add(w)
    s.commit()
    return {**_public(w, p.time_zone), "secret": w.secret}


@router.get("/webhooks", response_model=Page[WebhookPublic])
def list_webhooks(p: PrincipalDep, s: SessionDep, page: PagingDep) -> Any:
    """The workspace's webhook subscriptions."""
    where = [Webhook.workspace_id == p.workspace_id, Webhook.active.is_(True)]
    total = s.execute(select(func.count()).select_from(Webhook).where(*where)).scalar_one()
    rows = s.execute(
        select(Webhook).where(*where).order_by(Webhook.id).offset(page.offset).limit(page.size)
    ).scalars()
    return page.page([_public(w, p.time_zone) for w in rows], total)


def _own_webhook(s: Any, webhook_id: int, workspace_id: int) -> Webhook:
    w = s.get(Webhook, webhook_id)
    if w is None or w.workspace_id != workspace_id or not w.active:
        raise NotFound(f"webhook {webhook_id} not found")
    return w


@router.delete("/webhooks/{webhookId}", status_code=204)
def delete_webhook(webhookId: PathId, p: PrincipalDep, s: SessionDep) -> None:
    """Stop sending events to a webhook."""
    w = _own_webhook(s, webhookId, p.workspace_id)
    w.active = False
    s.commit()


@router.get("/webhooks/{webhookId}/deliveries", response_model=Page[WebhookDeliveryPublic])
def list_webhook_deliveries(
    webhookId: PathId, p: PrincipalDep, s: SessionDep, page: PagingDep
) -> Any:
    """A webhook's recent events, newest first: pending, retrying, delivered or failed."""
    _own_webhook(s, webhookId, p.workspace_id)
    o = WebhookOutbox
    where = [o.webhook_id == webhookId, o.workspace_id == p.workspace_id]
    total = s.execute(select(func.count()).select_from(o).where(*where)).scalar_one()
    rows = s.execute(
        select(o).where(*where).order_by(o.id.desc()).offset(page.offset).limit(page.size)
    ).scalars()
    items = [
        {
            "id": r.id,
            "event": r.event,
            "status": delivery_status(r),
            "attempts": r.attempts,
            "lastStatus": r.last_status,
            "lastError": r.last_error,
            "createdAt": render.ts(r.created_at, p.time_zone),
            "nextAttemptAt": None
            if r.delivered_at is not None
            else render.ts(r.next_attempt_at, p.time_zone),
            "finishedAt": render.ts(r.delivered_at, p.time_zone),
        }
        for r in rows
    ]
    return page.page(items, total)
