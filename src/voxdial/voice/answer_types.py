"""The vocabulary of answer detection: who answered, the decision, the per-assistant
settings. Imports nothing heavier than pydantic, so the API and the store can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class AnswerOutcome(StrEnum):
    """Who (or what) is on the line. The carrier outcomes share their values with
    `domain.status.HangupReason`, so a decision maps onto a call's hangup reason."""

    HUMAN = "human"
    VOICEMAIL = "voicemail"
    POWERED_OFF = "powered_off"
    VACANT = "vacant"
    SUSPENDED = "suspended"
    BUSY = "busy"
    UNREACHABLE = "unreachable"
    NO_ANSWER = "no_answer"
    UNKNOWN = "unknown"

    @property
    def is_machine(self) -> bool:
        """A recording or the network, not a person (unknown is neither)."""
        return self not in (AnswerOutcome.HUMAN, AnswerOutcome.UNKNOWN)

    @property
    def is_carrier(self) -> bool:
        """A network announcement or tone: the callee was never reached."""
        return self.is_machine and self is not AnswerOutcome.VOICEMAIL


class VoicemailAction(StrEnum):
    HANGUP = "hangup"
    LEAVE_MESSAGE = "leave_message"


@dataclass(frozen=True)
class AnswerDecision:
    """What the detector decided, when (ms of audio from the first frame it was fed),
    why (a short code and detail, safe to log: no words of the callee), and what the
    recognizer heard (the callee's words: not for logs)."""

    outcome: AnswerOutcome
    decided_at_ms: int
    reason: str
    transcript: str = ""
    beep_heard: bool = False


class AnswerDetectionConfig(BaseModel):
    """An assistant's answer-detection settings.

    Time limits are in milliseconds of call audio. A person's greeting is over once
    `after_greeting_silence_ms` of silence follows it; one longer than
    `max_greeting_ms` is a machine's. A machine or announcement is decided by
    `machine_limit_ms` after the audio starts (ringback does not count); a call still
    undecided at `total_limit_ms` is `unknown`. `beep_wait_ms`: on voicemail with
    `leave_message`, how long after the greeting to wait for a beep before speaking.
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    on_voicemail: VoicemailAction = VoicemailAction.HANGUP
    voicemail_message: str = Field(default="", max_length=500)
    after_greeting_silence_ms: int = Field(default=700, ge=300, le=2000)
    max_greeting_ms: int = Field(default=2800, ge=800, le=8000)
    machine_limit_ms: int = Field(default=4000, ge=1000, le=15000)
    total_limit_ms: int = Field(default=6000, ge=1000, le=30000)
    beep_wait_ms: int = Field(default=4000, ge=0, le=15000)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (
            self.on_voicemail is VoicemailAction.LEAVE_MESSAGE
            and not self.voicemail_message.strip()
        ):
            raise ValueError("voicemail_message is required when on_voicemail is leave_message")
        if self.total_limit_ms < self.machine_limit_ms:
            raise ValueError("total_limit_ms must be at least machine_limit_ms")
        return self
