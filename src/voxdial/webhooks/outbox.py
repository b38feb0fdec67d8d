"""The webhook outbox: events are written in the caller's transaction, next to the
outcome that caused them, so an event exists if and only if its outcome was committed.
Delivery (see `delivery.py`) reads the rows later, from any process.

Nothing here commits or flushes: the caller's commit writes the rows, its rollback
drops them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from voxdial.store.models import Call, Task, Webhook, WebhookOutbox
from voxdial.webhooks import events as ev

# `last_error` of rows finished with without a 2xx (written by `delivery.py`)
REMOVED = "webhook removed"
GAVE_UP = "gave up after"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # not tried yet
    RETRYING = "retrying"  # tried and failed; due again at `next_attempt_at`
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # given up after the deliverer's `max_attempts`
    DROPPED = "dropped"  # the webhook was removed before it was sent


def delivery_status(row: WebhookOutbox) -> DeliveryStatus:
    """Where an outbox row stands. `delivered_at` is when a row was finished with, by
    a 2xx, by giving up, or by its webhook's removal; `last_error` tells them apart."""
    if row.delivered_at is None:
        return DeliveryStatus.PENDING if not row.attempts else DeliveryStatus.RETRYING
    if row.last_error == REMOVED:
        return DeliveryStatus.DROPPED
    if row.last_error.startswith(GAVE_UP):
        return DeliveryStatus.FAILED
    return DeliveryStatus.DELIVERED


def subscriptions(session: Session, *, workspace_id: int) -> list[tuple[int, frozenset[str]]]:
    """The workspace's active webhooks and the events each is subscribed to."""
    rows = session.execute(
        select(Webhook.id, Webhook.events)
        .where(Webhook.workspace_id == workspace_id, Webhook.active.is_(True))
        .order_by(Webhook.id)
    ).all()
    return [(wid, frozenset(events or ())) for wid, events in rows]


def _add(
    session: Session,
    hooks: Iterable[tuple[int, frozenset[str]]],
    *,
    workspace_id: int,
    event: str,
    data: Mapping[str, Any],
    now: datetime,
) -> int:
    rows = [
        WebhookOutbox(
            workspace_id=workspace_id,
            webhook_id=wid,
            event=event,
            payload=dict(data),
            created_at=now,
            attempts=0,
            next_attempt_at=now,
            last_error="",
        )
        for wid, subscribed in hooks
        if event in subscribed
    ]
    session.add_all(rows)
    return len(rows)


def enqueue(
    session: Session, *, workspace_id: int, event: str, data: Mapping[str, Any], now: datetime
) -> int:
    """Add one outbox row per active webhook of the workspace subscribed to `event`, due
    at `now`, in the caller's transaction. Returns how many rows were added."""
    if event not in ev.EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    hooks = subscriptions(session, workspace_id=workspace_id)
    return _add(session, hooks, workspace_id=workspace_id, event=event, data=data, now=now)


def enqueue_call_events(
    session: Session,
    call: Call,
    *,
    base_url: str,
    tz: str,
    now: datetime,
    task_item_id: int | None = None,
    collect: Iterable[Mapping[str, Any]] | None = None,
    analysis: Iterable[Mapping[str, Any]] | None = None,
) -> int:
    """The events of one ended call: `task.call.end` always, `task.call.transfer` when
    it went on to a person, and `task.call.collect`
    when the call was answered (a conversation took place, so there is something
    collected and analysed, even if empty); for an inbound call `callin.hangup` and
    `callin.collect`, with the same payloads. `call` must hold the call's final values.
    Payloads are built only when some webhook wants them. Returns rows added."""
    hooks = subscriptions(session, workspace_id=call.workspace_id)
    wanted = frozenset().union(*(events for _, events in hooks))
    inbound = call.direction == "inbound"
    ended, collected = (
        (ev.CALLIN_HANGUP, ev.CALLIN_COLLECT) if inbound else (ev.CALL_END, ev.CALL_COLLECT)
    )
    added = 0
    if ended in wanted:
        data = ev.call_ended_data(call, task_item_id=task_item_id, base_url=base_url, tz=tz)
        added += _add(
            session, hooks, workspace_id=call.workspace_id, event=ended, data=data, now=now
        )
    if collected in wanted and call.answer_at is not None:
        data = ev.call_collect_data(
            call,
            task_item_id=task_item_id,
            base_url=base_url,
            tz=tz,
            collect=collect,
            analysis=analysis,
        )
        added += _add(
            session,
            hooks,
            workspace_id=call.workspace_id,
            event=collected,
            data=data,
            now=now,
        )
    if ev.CALL_TRANSFER in wanted and ev.transferred(call) is not None:
        data = ev.call_transfer_data(call, task_item_id=task_item_id, base_url=base_url, tz=tz)
        added += _add(
            session,
            hooks,
            workspace_id=call.workspace_id,
            event=ev.CALL_TRANSFER,
            data=data,
            now=now,
        )
    return added


def enqueue_task_end(
    session: Session,
    task: Task,
    *,
    questions: Iterable[Mapping[str, Any]],
    tz: str,
    now: datetime,
) -> int:
    """The `task.end` event of a task that reached an end state, from its counters.
    `questions` is the pinned assistant version's `collect`. Returns rows added."""
    hooks = subscriptions(session, workspace_id=task.workspace_id)
    if not any(ev.TASK_END in events for _, events in hooks):
        return 0
    data = ev.task_end_data_from_counters(task, questions=questions, tz=tz)
    return _add(
        session, hooks, workspace_id=task.workspace_id, event=ev.TASK_END, data=data, now=now
    )


def purge_delivered(session: Session, *, before: datetime) -> int:
    """Delete rows finished with (delivered, failed or dropped) before `before`, in the
    caller's transaction;
    rows still waiting are never touched. Returns how many were deleted."""
    result = session.execute(
        delete(WebhookOutbox)
        .where(WebhookOutbox.delivered_at.is_not(None), WebhookOutbox.delivered_at < before)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def backlog(session: Session) -> tuple[int, datetime | None]:
    """Rows still waiting for a 2xx, of every workspace, and the earliest time one of them
    is due: both read from the outbox's due index alone (a count over the index, and its
    first entry), so a scrape stays cheap however long the backlog."""
    waiting = WebhookOutbox.delivered_at.is_(None)
    count = session.execute(select(func.count()).select_from(WebhookOutbox).where(waiting))
    first = session.execute(select(func.min(WebhookOutbox.next_attempt_at)).where(waiting))
    return int(count.scalar_one()), first.scalar_one()
