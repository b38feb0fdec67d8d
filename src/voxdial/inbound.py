"""What an inbound call needs before and after its conversation: the assistant bound to
the number called (store/inbound.py), the task number the caller calls back, and the
`callin.*` webhook events written with the call's outcome.

Used by the media-stream socket (api/routes/media.py) for calls a PBX streams in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from voxdial.domain.phone import InvalidPhone, PhoneNormalizer
from voxdial.store.db import Database
from voxdial.store.inbound import Callback, binding_of, bound_version, callback_of
from voxdial.store.models import Assistant, AssistantVersion, Call
from voxdial.webhooks.outbox import enqueue_call_events


@dataclass(frozen=True, slots=True)
class Answering:
    """Who answers an inbound call: the bound assistant (None: the one the call came
    to), and the task number the caller was dialled as, if any."""

    assistant: tuple[Assistant, AssistantVersion] | None
    callback: Callback | None


def e164(normalizer: PhoneNormalizer, value: str) -> str:
    """`value` as E.164 when it is a phone number; otherwise as it came (cut short)."""
    try:
        return normalizer.normalize(value) if value else ""
    except InvalidPhone:
        return value[:20]


def answering(db: Database, *, workspace_id: int, called: str, caller: str) -> Answering:
    """Who answers a call from `caller` to `called` (both E.164) in `workspace_id`. A
    binding of another workspace is not followed: the call came in on this one's."""
    with db.session() as s:
        bound = None
        binding = binding_of(s, called) if called else None
        if binding is not None and binding.workspace_id == workspace_id:
            bound = bound_version(s, binding)
        callback = callback_of(s, workspace_id=workspace_id, caller=caller)
        s.expunge_all()
    return Answering(bound, callback)


def callin_events(call_id: int, *, base_url: str, tz: str) -> Callable[[Session], None]:
    """`close_call`'s `then`: the ended inbound call's `callin.hangup` and
    `callin.collect` outbox rows, in the outcome's transaction."""

    def enqueue(s: Session) -> None:
        call = s.get(Call, call_id)
        if call is not None:
            enqueue_call_events(s, call, base_url=base_url, tz=tz, now=datetime.now(UTC))

    return enqueue
