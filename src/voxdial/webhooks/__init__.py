"""Webhooks: event payloads, the outbox written with each outcome, and its delivery.

    events.py    pure builders of each event's `event_data` (API.md, "Webhooks")
    outbox.py    `enqueue*`: outbox rows in the caller's transaction, per subscription
    delivery.py  `WebhookDeliverer`: claim, sign, POST, back off; `verify_signature`

Imports only `store` (DESIGN.md: webhooks -> store, domain).
"""

from voxdial.webhooks.delivery import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    WebhookDeliverer,
    encode_body,
    sign,
    verify_signature,
)
from voxdial.webhooks.events import (
    CALL_COLLECT,
    CALL_END,
    EVENTS,
    TASK_END,
    call_collect_data,
    call_ended_data,
    task_end_data,
    task_end_data_from_counters,
    task_overview,
)
from voxdial.webhooks.outbox import (
    enqueue,
    enqueue_call_events,
    enqueue_task_end,
    purge_delivered,
)

__all__ = [
    "CALL_COLLECT",
    "CALL_END",
    "DELIVERY_HEADER",
    "EVENTS",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "TASK_END",
    "WebhookDeliverer",
    "call_collect_data",
    "call_ended_data",
    "encode_body",
    "enqueue",
    "enqueue_call_events",
    "enqueue_task_end",
    "purge_delivered",
    "sign",
    "task_end_data",
    "task_end_data_from_counters",
    "task_overview",
    "verify_signature",
]
