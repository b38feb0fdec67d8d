"""Webhooks: event payloads, the outbox written with each outcome, and its delivery.

    events.py     pure builders of each event's `event_data` (API.md, "Webhooks")
    outbox.py     `enqueue*`: outbox rows in the caller's transaction, per subscription;
                  `delivery_status` of a row
    delivery.py   `WebhookDeliverer`: claim, sign, POST, back off, give up;
                  `verify_signature`
    addresses.py  `AddressPolicy`: which hosts and addresses a webhook may reach
    transport.py  `HostPools`: the deliverer's connection pools, one per host name

Imports only `store` (DESIGN.md: webhooks -> store, domain).
"""

from voxdial.webhooks.addresses import AddressPolicy, Refused
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
    CALL_TRANSFER,
    EVENTS,
    TASK_END,
    call_collect_data,
    call_ended_data,
    task_end_data,
    task_end_data_from_counters,
    task_overview,
)
from voxdial.webhooks.outbox import (
    DeliveryStatus,
    delivery_status,
    enqueue,
    enqueue_call_events,
    enqueue_task_end,
    purge_delivered,
)

__all__ = [
    "AddressPolicy",
    "CALL_COLLECT",
    "CALL_END",
    "CALL_TRANSFER",
    "DELIVERY_HEADER",
    "DeliveryStatus",
    "EVENTS",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "Refused",
    "TASK_END",
    "WebhookDeliverer",
    "call_collect_data",
    "call_ended_data",
    "delivery_status",
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
