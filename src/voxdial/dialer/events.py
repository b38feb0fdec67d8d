"""Webhook events of the dialer, written to the outbox in the outcome's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxdial.store.models import Call, Webhook
from voxdial.webhooks.outbox import enqueue_call_events, enqueue_task_end


class OutboxEvents:
    """The dialer's `on_event` hook: call ends and task ends become outbox rows."""

    def __init__(self, *, base_url: str) -> None:
        self.base_url = base_url

    def __call__(self, s: Session, kind: str, data: dict[str, Any]) -> None:
        task = data["task"]
        if not self._has_webhooks(s, task.workspace_id):
            return
        if kind == "call.finished":
            call = s.get(Call, data["claim"].call_id)
            if call is not None:
                s.refresh(call)
                enqueue_call_events(
                    s,
                    call,
                    base_url=self.base_url,
                    tz=task.workspace_zone,
                    now=data["now"],
                    task_item_id=data["claim"].number_id,
                    collect=data["collect"],
                )
        elif kind == "task.settled" and data["row"].status != "stop.operate":
            enqueue_task_end(
                s,
                data["row"],
                questions=task.config.get("collect") or [],
                tz=task.workspace_zone,
                now=data["now"],
            )

    @staticmethod
    def _has_webhooks(s: Session, workspace_id: int) -> bool:
        return (
            s.execute(
                select(Webhook.id)
                .where(Webhook.workspace_id == workspace_id, Webhook.active.is_(True))
                .limit(1)
            ).first()
            is not None
        )
