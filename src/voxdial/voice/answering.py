"""Answer detection inside a call: who is on the line before the assistant speaks.

`Answering` is the seam between a `CallSession` and its `AnswerDetector`
(voice/answer_detect.py). From the answer on, the session hands it the callee's audio
instead of its endpointer, and keeps the assistant silent until `wait()` returns the
decision:

- `human` or `unknown`: the conversation starts as on any call (the greeting the
  detector heard, a "喂？", answers nothing and is not passed on);
- a carrier announcement (`powered_off`, `vacant`, ...): the call is hung up with that
  outcome as its hang-up reason, so the retry policy follows the real outcome;
- `voicemail`: hung up, or, when the assistant says so, its message is spoken once
  the greeting is over (`ready()`: the beep has ended, or `beep_wait_ms` passed), then
  hung up. The outcome is `voicemail` either way.

The detector is synchronous and may run the recognizer, so every `feed` runs off the
event loop (one at a time, in order), on threads of its own: the default executor also
carries the engines' turns (an LLM's HTTP call holds a thread for seconds), and a
callee's first seconds must not wait behind other calls' turns. The wait is bounded
twice: by the detector's `total_limit_ms` of call audio, and by the same span of wall
time (plus slack) in case the line stops delivering audio or the host falls behind;
either way the call goes on as `unknown`.

An assistant's settings are its `answerDetection` object (API.md conventions, camelCase):
`enabled`, `onVoicemail` (`hangup` | `leave_message`), `voicemailMessage` (variables as
in the script: `{姓名}`), and the detector's time limits in ms.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import ValidationError

from voxdial.conversation.engine import CallContext, fill_variables
from voxdial.domain.status import HangupReason
from voxdial.voice.answer_detect import AnswerDetector
from voxdial.voice.answer_types import (
    AnswerDecision,
    AnswerDetectionConfig,
    AnswerOutcome,
    VoicemailAction,
)
from voxdial.voice.base import Pcm, Recognizer, VoiceDetector

__all__ = [
    "Answering",
    "detection_config",
    "hangup_reason",
    "trace_content",
]

log = logging.getLogger(__name__)

_WALL_SLACK_SECONDS = 2.0  # wall time beyond the audio limits before the wait gives up
# the detectors' threads, shared by the process's calls (the work is CPU: a few per core)
_EXECUTOR = ThreadPoolExecutor(
    max_workers=max(4, 2 * (os.cpu_count() or 2)), thread_name_prefix="voxdial-answer"
)

# The assistant's `answerDetection` keys (wire) -> the detector's settings.
WIRE_KEYS = {
    "enabled": "enabled",
    "onVoicemail": "on_voicemail",
    "voicemailMessage": "voicemail_message",
    "afterGreetingSilenceMs": "after_greeting_silence_ms",
    "maxGreetingMs": "max_greeting_ms",
    "machineLimitMs": "machine_limit_ms",
    "totalLimitMs": "total_limit_ms",
    "beepWaitMs": "beep_wait_ms",
}


def detection_config(assistant: dict[str, Any]) -> AnswerDetectionConfig | None:
    """The assistant's answer-detection settings, None when it has detection off. An
    assistant without the object gets the defaults (on, hang up on voicemail)."""
    wire = assistant.get("answerDetection") or {}
    values = {WIRE_KEYS[k]: v for k, v in wire.items() if k in WIRE_KEYS}
    try:
        config = AnswerDetectionConfig(**values)
    except ValidationError:
        # the API validated it when stored: only a hand-edited row gets here
        log.warning("assistant answerDetection settings unusable; the defaults are used")
        config = AnswerDetectionConfig()
    return config if config.enabled else None


def hangup_reason(outcome: AnswerOutcome) -> HangupReason | None:
    """The hang-up reason of a call whose callee turned out to be a machine; None for a
    person (or nobody recognisable), whose call is a conversation."""
    if not outcome.is_machine:
        return None
    return HangupReason(outcome.value)


def trace_content(decision: AnswerDecision) -> str:
    """The calltrace line of a decision: outcome, reason and when; never the words heard."""
    return json.dumps(
        {
            "outcome": decision.outcome.value,
            "reason": decision.reason,
            "decidedAtMs": decision.decided_at_ms,
            "beep": decision.beep_heard,
        },
        ensure_ascii=False,
    )


class Answering:
    """One call's answer detection, as its session runs it (on one event loop)."""

    def __init__(
        self,
        recognizer: Recognizer,
        *,
        config: AnswerDetectionConfig,
        vad: VoiceDetector,
        language: str | None = None,
        context: CallContext | None = None,
    ) -> None:
        self.config = config
        self.detector = AnswerDetector(recognizer, language=language, config=config, vad=vad)
        self.message = ""  # what to say on voicemail ("" : hang up)
        if config.on_voicemail is VoicemailAction.LEAVE_MESSAGE:
            text = config.voicemail_message
            self.message = (fill_variables(text, context) if context else text).strip()
        self.decision: AnswerDecision | None = None
        self.gave_up = False  # no decision within the wall-time bound
        self._decided = asyncio.Event()
        self._ready = asyncio.Event()

    # -- the listener's side -------------------------------------------------------------

    @property
    def listening(self) -> bool:
        """The callee's audio goes to the detector: until the decision, and on a
        voicemail that gets a message, until the moment to speak it."""
        if self.gave_up:
            return False
        if self.decision is None:
            return True
        return self.leaves_message and not self._ready.is_set()

    @property
    def leaves_message(self) -> bool:
        return (
            self.decision is not None
            and self.decision.outcome is AnswerOutcome.VOICEMAIL
            and bool(self.message)
        )

    async def feed(self, pcm: Pcm) -> None:
        loop = asyncio.get_running_loop()
        decision = await loop.run_in_executor(_EXECUTOR, self.detector.feed, pcm)
        if decision is not None and self.decision is None and not self.gave_up:
            self._settle(decision)
        if self.decision is not None and self.detector.ready_for_message:
            self._ready.set()

    async def end(self) -> None:
        """The line ended: decide with what was heard."""
        if self.decision is None and not self.gave_up:
            loop = asyncio.get_running_loop()
            self._settle(await loop.run_in_executor(_EXECUTOR, self.detector.finish))
        self.close()

    def close(self) -> None:
        """Nothing more will be fed: wake whoever waits."""
        self._decided.set()
        self._ready.set()

    def _settle(self, decision: AnswerDecision) -> None:
        self.decision = decision
        self._decided.set()
        log.info(
            "answer detected",
            extra={
                "outcome": decision.outcome.value,
                "reason": decision.reason,
                "decided_at_ms": decision.decided_at_ms,
            },
        )

    # -- the session's side --------------------------------------------------------------

    async def wait(self) -> AnswerDecision:
        """The decision (the assistant stays silent meanwhile), bounded in wall time."""
        limit = self.config.total_limit_ms / 1000 + _WALL_SLACK_SECONDS
        try:
            await asyncio.wait_for(self._decided.wait(), limit)
        except TimeoutError:
            pass
        if self.decision is None:
            self.gave_up = True
            self.decision = AnswerDecision(
                AnswerOutcome.UNKNOWN, self.detector.position_ms, "no decision in time"
            )
        return self.decision

    async def ready(self) -> None:
        """Wait for the moment to leave the message (bounded like `wait`)."""
        limit = (self.config.beep_wait_ms + self.config.total_limit_ms) / 1000
        try:
            await asyncio.wait_for(self._ready.wait(), limit + _WALL_SLACK_SECONDS)
        except TimeoutError:
            self.gave_up = True
