"""Webhook subscriptions: where call and task events are POSTed."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter
from sqlalchemy import func, select

from voxdial.api import render
from voxdial.api.deps import PrincipalDep, SessionDep
from voxdial.api.routes.paging import PagingDep, PathId
from voxdial.api.schemas import Page, WebhookCreate, WebhookCreated, WebhookPublic
from voxdial.errors import NotFound, Unprocessable
from voxdial.store.models import Webhook

router = APIRouter(tags=["webhooks"])


def _public(w: Webhook, tz: str) -> dict[str, Any]:
    return {
        "id": w.id,
        "url": w.url,
        "events": w.events,
        "hasAuthorization": bool(w.authorization),
        "createdAt": render.ts(w.created_at, tz),
    }


def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError as e:
        raise Unprocessable("url: not a URL") from e
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Unprocessable("url: give an http:// or https:// URL with a host")
    if any(c.isspace() for c in url.strip()):
        raise Unprocessable("url: must not contain spaces")
    return url.strip()


@router.post("/webhooks", status_code=201, response_model=WebhookCreated)
def create_webhook(body: WebhookCreate, p: PrincipalDep, s: SessionDep) -> Any:
    """Subscribe a URL to events; the signing secret is shown in this response only."""
    w = Webhook(
        workspace_id=p.workspace_id,
        url=_check_url(body.url),
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


@router.delete("/webhooks/{webhookId}", status_code=204)
def delete_webhook(webhookId: PathId, p: PrincipalDep, s: SessionDep) -> None:
    """Stop sending events to a webhook."""
    w = s.get(Webhook, webhookId)
    if w is None or w.workspace_id != p.workspace_id or not w.active:
        raise NotFound(f"webhook {webhookId} not found")
    w.active = False
    s.commit()
