"""The speech runtime: runs answered calls as spoken conversations.

Carriers (SIP) and the media websocket share one `VoiceRuntime`; it builds each call's
`CallSession` from the assistant's config (its listener and speaker, hot words and
interruption rule), runs it, files the recording and returns the call's result.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from voxdial.clock import Clock
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.conversation.engine import CallContext, Conversation, ConversationEngine
from voxdial.domain.status import HangupReason
from voxdial.voice.base import Line
from voxdial.voice.playback import Interruption
from voxdial.voice.recording import save_recording
from voxdial.voice.session import CallSession
from voxdial.voice.tuning import VoiceTuning

log = logging.getLogger(__name__)


def listening_words(config: dict[str, Any], limit: int = 40) -> list[str]:
    """Words the recognizer should expect: the hot words, then the preset answers of the
    questions (a callee mostly answers with one of them)."""
    words = [str(h.get("word") or "") for h in config.get("hotWords") or []]
    for q in config.get("collect") or []:
        words += [str(a) for a in q.get("answers") or []]
    return list(dict.fromkeys(w for w in words if w.strip()))[:limit]


class VoiceRuntime:
    """Runs answered calls as spoken conversations; carriers and the websocket share it.

    Admission: at most `capacity` spoken calls at once in this process (the figure the
    worker holds at the latency target, BENCHMARKS.md; 0: no limit). The dialer plans
    its spoken lines with `reserve` so that its calls and inbound sockets together stay
    within it; an inbound socket past it is refused (`admit` is False)."""

    def __init__(
        self,
        speech: Any,
        recordings_dir: Path,
        tuning: VoiceTuning | None = None,
        *,
        capacity: int = 0,
    ) -> None:
        self.speech = speech  # voxdial.voice.models.SpeechModels
        self.recordings_dir = recordings_dir
        self.tuning = tuning or VoiceTuning()
        self.capacity = capacity
        self.active = 0  # spoken calls running now (the event loops' threads share it)
        self.reserved = 0  # lines the dialer may fill with spoken calls
        self._lock = threading.Lock()

    def reserve(self, lines: int) -> int:
        """Keep `lines` of the capacity for the dialer (all of it at most); returns how
        many it got."""
        with self._lock:
            self.reserved = lines if not self.capacity else min(lines, self.capacity)
            return self.reserved

    def admit(self) -> bool:
        """Whether an inbound call may start now: room beside the running calls and the
        dialer's reserved lines. True counts it as running until `release`."""
        with self._lock:
            if self.capacity and self.active + self.reserved >= self.capacity:
                return False
            self.active += 1
            return True

    def release(self) -> None:
        with self._lock:
            self.active = max(0, self.active - 1)

    def session(
        self, context: CallContext, conversation: Conversation, line: Line, answered: datetime
    ) -> CallSession:
        config = context.assistant
        language = context.language
        return CallSession(
            conversation=conversation,
            line=line,
            recognizer=self.speech.recognizer(config.get("listenerId"), language=language),
            synthesizer=self.speech.voice(config.get("speakerId"), language=language),
            detector=self.speech.detector(),
            answered=answered,
            language=language,
            hot_words=listening_words(config),
            interruption=Interruption.from_config(config.get("interruption")),
            tuning=self.tuning,
        )

    async def talk(
        self,
        request: DialRequest,
        *,
        engine: ConversationEngine,
        line: Line,
        clock: Clock,
        started: datetime,
        answered: datetime,
    ) -> CallResult:
        """The whole answered call; returns when either side hangs up."""
        conversation = engine.begin(request.context)
        session = self.session(request.context, conversation, line, answered)
        try:
            await session.run()
        except Exception:
            log.exception("spoken call %s failed", request.session_id[:8])
            session.hangup_side = "system"
        ended = max(clock.now(), session.ended_at)
        record_file = save_recording(
            session.recording,
            self.recordings_dir,
            session_id=request.session_id,
            answered=answered,
        )
        return CallResult(
            HangupReason.ANSWERED,
            started,
            answered,
            ended,
            session.hangup_side,
            utterances=session.utterances,
            collected=list(conversation.collected),
            extra={"spoken": True},
            record_file=record_file,
            **session.flags,
        )
