"""The speech runtime: runs answered calls as spoken conversations.

Carriers (SIP) and the media websocket share one `VoiceRuntime`; it builds each call's
`CallSession` from the assistant's config (its listener and speaker, hot words and
interruption rule), runs it, files the recording and returns the call's result.

With `answer_detection` on, a dialled call's session first decides who answered
(voice/answering.py, by the assistant's `answerDetection` settings): the call's
outcome is then the detector's (`voicemail`, `powered_off`, ...) when a machine
answered, `answered` when a person (or nobody recognisable) did.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from voxdial.clock import Clock
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.conversation.engine import CallContext, Conversation, ConversationEngine
from voxdial.domain.status import HangupReason
from voxdial.voice.answering import Answering, detection_config, hangup_reason
from voxdial.voice.base import Line
from voxdial.voice.playback import Interruption
from voxdial.voice.recording import save_recording
from voxdial.voice.session import CallSession
from voxdial.voice.tuning import VoiceTuning
from voxdial.voice.turns import TurnTiming

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
        answer_detection: bool = False,
    ) -> None:
        self.speech = speech  # voxdial.voice.models.SpeechModels
        self.answer_detection = answer_detection  # dialled calls decide who answered
        self.recordings_dir = recordings_dir
        self.tuning = tuning or VoiceTuning()
        self.capacity = capacity
        self.active = 0  # spoken calls running now (the event loops' threads share it)
        self.reserved = 0  # lines the dialer may fill with spoken calls
        self.talking = 0  # spoken sessions running now, dialled and inbound (`talk`)
        self.on_turn: Callable[[TurnTiming], None] | None = None  # each answered turn
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

    def early_answering(self, request: DialRequest) -> Answering | None:
        """An answer detector for a call's early media, before any answer (a carrier
        plays its announcements there); None when detection is off."""
        config = detection_config(request.context.assistant) if self.answer_detection else None
        if config is None:
            return None
        language = request.context.language
        listener = request.context.assistant.get("listenerId")
        return Answering(
            self.speech.recognizer(listener, language=language),
            config=config,
            vad=self.speech.detector(),
            language=language,
        )

    def session(
        self,
        context: CallContext,
        conversation: Conversation,
        line: Line,
        answered: datetime,
        *,
        detect_answer: bool = False,
    ) -> CallSession:
        config = context.assistant
        language = context.language
        recognizer = self.speech.recognizer(config.get("listenerId"), language=language)
        answering = None
        detection = detection_config(config) if detect_answer else None
        if detection is not None:
            answering = Answering(
                recognizer,
                config=detection,
                vad=self.speech.detector(),
                language=language,
                context=context,
            )
        return CallSession(
            conversation=conversation,
            line=line,
            recognizer=recognizer,
            synthesizer=self.speech.voice(config.get("speakerId"), language=language),
            detector=self.speech.detector(),
            answered=answered,
            language=language,
            hot_words=listening_words(config),
            interruption=Interruption.from_config(config.get("interruption")),
            tuning=self.tuning,
            on_turn=self.on_turn,
            answering=answering,
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
        detect_answer: bool = True,
    ) -> CallResult:
        """The whole answered call; returns when either side hangs up. `detect_answer`
        False: a call someone made to the assistant (inbound, a browser test), with
        nobody's voicemail to find."""
        conversation = engine.begin(request.context)
        session = self.session(
            request.context,
            conversation,
            line,
            answered,
            detect_answer=detect_answer and self.answer_detection,
        )
        with self._lock:
            self.talking += 1
        try:
            await session.run()
        except Exception:
            log.exception("spoken call %s failed", request.session_id[:8])
            session.hangup_side = "system"
        finally:
            with self._lock:
                self.talking -= 1
        ended = max(clock.now(), session.ended_at)
        record_file = save_recording(
            session.recording,
            self.recordings_dir,
            session_id=request.session_id,
            answered=answered,
        )
        extra: dict[str, Any] = {"spoken": True}
        outcome = HangupReason.ANSWERED
        if session.answer is not None:
            outcome = hangup_reason(session.answer.outcome) or outcome
            extra["answer"] = {
                "outcome": session.answer.outcome.value,
                "reason": session.answer.reason,
                "decidedAtMs": session.answer.decided_at_ms,
            }
        return CallResult(
            outcome,
            started,
            answered,
            ended,
            session.hangup_side,
            utterances=session.utterances,
            collected=list(conversation.collected),
            extra={**extra, **session.extra},
            record_file=record_file,
            **session.flags,
        )
