"""The vocabulary of a call shared by carriers, the voice loop and the dialer: what is
dialled (`DialRequest`), what was said (`Utterance`), how it ended (`CallResult`), and
how the engine's actions become the call's flags (`note_request`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from voxdial.conversation.engine import Action, ActionKind, CallContext, CollectResult
from voxdial.domain.status import HangupReason


@dataclass
class DialRequest:
    session_id: str
    callee: str  # E.164
    caller: str
    context: CallContext
    assistant_id: int = 0


@dataclass
class Utterance:
    side: str  # "system" | "customer" | "note" | "transfer.*" (not spoken: calltrace lines)
    text: str
    at: datetime


@dataclass
class CallResult:
    """How a call ended. The outcome is data: carriers never raise for a failed call."""

    outcome: HangupReason
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    hangup_side: str  # "callee" | "assistant" | "carrier"
    utterances: list[Utterance] = field(default_factory=list)
    collected: list[CollectResult] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # What the callee asked for, as the conversation engine heard it.
    refused: bool = False
    callback: bool = False
    callback_at: datetime | None = None
    block: bool = False
    transfer: bool = False
    knowledge_questions: int = 0
    # The call's WAV, relative to the recordings directory ("" when nothing was recorded).
    record_file: str = ""

    @property
    def ring_seconds(self) -> int:
        until = self.answered_at or self.ended_at
        return max(0, round((until - self.started_at).total_seconds()))

    @property
    def billsec(self) -> int:
        if self.answered_at is None:
            return 0
        return max(0, round((self.ended_at - self.answered_at).total_seconds()))


def note_request(action: Action, flags: dict[str, Any]) -> None:
    """Carry what the callee asked for (callback, block, transfer, refusal) into flags."""
    if action.kind == ActionKind.CALLBACK:
        flags["callback"] = True
        flags["callback_at"] = action.at
    elif action.kind == ActionKind.BLOCK:
        flags["block"] = True
    elif action.kind == ActionKind.TRANSFER:
        flags["transfer"] = True
    elif action.kind == ActionKind.HANGUP and action.result == "refused":
        flags["refused"] = True
