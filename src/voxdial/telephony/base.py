"""The carrier interface: place one call and report how it went, as data."""

from __future__ import annotations

from typing import Protocol

from voxdial.clock import Clock
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.conversation.engine import ConversationEngine


class Carrier(Protocol):
    name: str

    async def place_call(
        self, request: DialRequest, *, clock: Clock, engine: ConversationEngine
    ) -> CallResult: ...
