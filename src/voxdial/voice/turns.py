"""One callee turn's clock: from the end of their speech to the reply's first audio."""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class TurnTiming:
    """One callee turn's clock (monotonic seconds), for the latency benchmark."""

    speech_end: float  # the last frame the VAD called speech arrived
    committed: float = 0.0  # the pause became an end of speech
    asr_seconds: float = 0.0
    engine_seconds: float = 0.0
    tts_first_seconds: float = 0.0
    first_audio: float | None = None  # the first byte of the reply went to the line
    speculative: bool = False

    @property
    def latency(self) -> float | None:
        return None if self.first_audio is None else self.first_audio - self.speech_end

    def log(self) -> None:
        """One line per turn, figures only (never the words)."""
        if self.first_audio is None:
            return
        log.info(
            "turn: end of speech +%.0f ms committed, asr %.0f ms%s, engine %.1f ms, "
            "first tts %.0f ms, first audio +%.0f ms",
            (self.committed - self.speech_end) * 1000,
            self.asr_seconds * 1000,
            " (speculative)" if self.speculative else "",
            self.engine_seconds * 1000,
            self.tts_first_seconds * 1000,
            (self.first_audio - self.speech_end) * 1000,
        )
