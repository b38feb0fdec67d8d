"""Wire shapes of inbound numbers: which of our numbers answers, with which assistant."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from voxdial.api.schemas.base import Id, Strict


class InboundNumberCreate(Strict):
    number: Annotated[str, Field(min_length=1, max_length=64)]
    assistantId: Id


class InboundNumberPublic(BaseModel):
    id: int
    number: str
    assistantId: int
    scene: str
    websocketUrl: str
    createdAt: str
