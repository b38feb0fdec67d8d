"""The thresholds of a spoken call: when speech starts and ends, silence, and length."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class VoiceTuning:
    """End-of-speech and silence rules, and how replies reach speech (settings
    `VOXDIAL_VOICE_*`)."""

    speech_threshold: float = 0.5  # VAD probability that starts an utterance
    silence_threshold: float = 0.35  # inside one, frames below this are silence
    pause_ms: int = 96  # a pause this long starts a speculative transcription
    end_silence_ms: int = 480  # a pause this long ends the utterance
    min_speech_ms: int = 160  # shorter sounds are noise, not words
    preroll_ms: int = 200  # audio kept from before the VAD fired
    max_utterance_seconds: float = 20.0
    no_reply_seconds: float = 6.0  # callee silence after the assistant stops: a silence turn
    max_call_seconds: float = 600.0
    # a streaming engine's reply is spoken clause by clause as it is generated; off: the
    # whole reply is awaited first (the latency benchmark's baseline)
    stream_replies: bool = True
