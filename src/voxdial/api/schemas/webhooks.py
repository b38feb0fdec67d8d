"""Wire shapes of webhooks, their deliveries, and the block list."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
)

from voxdial.api.schemas.base import (
    Strict,
)

WebhookEvent = Literal[
    "task.call.end",
    "task.call.collect",
    "task.end",
    "task.call.transfer",
    "callin.hangup",
    "callin.collect",
]


class WebhookCreate(Strict):
    url: Annotated[
        str,
        StringConstraints(min_length=8, max_length=2048),
        Field(json_schema_extra={"pattern": r"^https?://[^\s/?#@\x00]+([/?#][^\s\x00]*)?$"}),
    ]
    events: Annotated[list[WebhookEvent], Field(min_length=1, max_length=6)] = [
        "task.call.end",
        "task.call.collect",
        "task.end",
    ]
    authorization: Annotated[str, Field(max_length=512)] = ""
    secret: Annotated[str, StringConstraints(min_length=16, max_length=128)] | None = None


class WebhookPublic(BaseModel):
    id: int
    url: str
    events: list[str]
    hasAuthorization: bool
    createdAt: str


class WebhookCreated(WebhookPublic):
    secret: str


class WebhookDeliveryPublic(BaseModel):
    id: int  # the `X-Voxdial-Delivery` header's value
    event: str
    status: Literal["pending", "retrying", "delivered", "failed", "dropped"]
    attempts: int
    lastStatus: int | None  # the receiver's last HTTP status
    lastError: str  # why the last attempt failed; never the URL or a credential
    createdAt: str
    nextAttemptAt: str | None  # null once finished with
    finishedAt: str | None  # delivered, given up or dropped


class BlocklistAdd(Strict):
    numbers: Annotated[
        list[Annotated[str, Field(max_length=64)]], Field(min_length=1, max_length=10_000)
    ]
    reason: Annotated[str, Field(max_length=200)] = ""


class BlocklistRemove(Strict):
    numbers: Annotated[
        list[Annotated[str, Field(max_length=64)]], Field(min_length=1, max_length=10_000)
    ]


class InvalidValue(BaseModel):
    index: int
    value: str
    reason: str


class BlocklistChanged(BaseModel):
    count: int
    invalid: list[InvalidValue]


class BlockedPublic(BaseModel):
    id: int
    phone: str
    reason: str
    createdAt: str
