"""Test doubles for the speech parts of a call, beside the real models' tests.

The fakes encode words as tones: `ToneSynthesizer` speaks each clause as a tone whose
pitch names the clause, `ToneRecognizer` hears the pitch back, and `EnergyDetector`
calls any loud frame speech. With them the session loop runs in milliseconds and its
decisions (end of speech, barge-in, silence) can be checked sample by sample.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import numpy as np

from voxdial.voice.base import FRAME_SAMPLES, SAMPLE_RATE


def tone(freq: float, seconds: float, amplitude: int = 8000) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.int16)


class EnergyDetector:
    frame_samples = 512

    def probability(self, frame: np.ndarray) -> float:
        return 1.0 if np.abs(frame.astype(np.int32)).mean() > 500 else 0.0


class ToneRecognizer:
    """Hears `words[i]` in a tone of 300 + 100*i Hz."""

    name = "tones"

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.calls = 0

    def transcribe(self, audio, *, language, hot_words) -> str:
        self.calls += 1
        loud = audio[np.abs(audio.astype(np.int32)) > 500]
        if len(loud) < 400:
            return ""
        spectrum = np.abs(np.fft.rfft(audio.astype(np.float32)))
        freq = np.argmax(spectrum) * SAMPLE_RATE / len(audio)
        i = round((freq - 300) / 100)
        return self.words[i] if 0 <= i < len(self.words) else ""


class ToneSynthesizer:
    """0.05 s of a 2 kHz tone per character."""

    name = "tones"
    language = "en"

    def __init__(self) -> None:
        self.spoken: list[str] = []

    def synthesize(self, text: str) -> np.ndarray:
        self.spoken.append(text)
        return tone(2000, 0.05 * len(text), amplitude=3000)


class ToneSpeech:
    """`SpeechModels`' shape with the tone fakes: the recognizer hears `words`."""

    def __init__(self, words: list[str]) -> None:
        self.words = words

    def recognizer(self, listener_id, *, language=None):
        return ToneRecognizer(self.words)

    def synthesizer(self, speaker_id, *, language=None):
        return ToneSynthesizer()

    voice = synthesizer  # a call's voice, unscheduled

    def detector(self):
        return EnergyDetector()


class ScriptedLine:
    """A line whose callee waits for the assistant to finish (the audio queued so far has
    played out on the line's timeline), pauses, then says its next reply.

    Frames are produced as fast as the session takes them, but not while the session
    works on a turn (`session.busy`): the session looks infinitely fast, so its decisions
    are checked on the audio's own timeline, whatever the machine's load."""

    def __init__(self, replies: list[np.ndarray], *, pause: float = 0.4, tail: float = 8.0):
        self.replies = list(replies)
        self.pause = pause
        self.tail = tail
        self.queued_until = 0  # line timeline, samples
        self.position = 0
        self.played: list[np.ndarray] = []
        self.cleared = 0
        self.closed = False
        self.talk_over_at: int | None = None  # speak the next reply this far into a prompt
        self.prompted = False  # the assistant spoke since the callee's last reply
        self.session = None  # set to the CallSession: no frames while it is busy

    async def play(self, audio: np.ndarray) -> None:
        self.played.append(audio)
        self.prompted = True
        self.queued_until = max(self.queued_until, self.position) + len(audio)

    async def clear(self) -> None:
        self.cleared += 1
        self.queued_until = self.position

    async def close(self) -> None:
        self.closed = True

    async def _session_idle(self) -> None:
        """Wait while the session works on a turn (it has no event for it: poll)."""
        for _ in range(100_000):
            if self.session is None or not self.session.busy or self.closed:
                return
            await asyncio.sleep(0.001)

    async def frames(self) -> AsyncIterator[np.ndarray]:
        pending = np.zeros(0, dtype=np.int16)
        quiet_since = 0
        end = None
        while not self.closed:
            await self._session_idle()
            if not len(pending):
                talking = self.queued_until > self.position
                interrupt = (
                    self.talk_over_at is not None
                    and talking
                    and self.replies
                    and self.played
                    and self.position - (self.queued_until - len(self.played[-1]))
                    >= self.talk_over_at
                )
                if interrupt:
                    self.talk_over_at = None
                    pending = self.replies.pop(0)
                    self.prompted = False
                elif talking:
                    quiet_since = self.position
                elif (
                    self.replies
                    and self.prompted
                    and self.position - quiet_since >= self.pause * SAMPLE_RATE
                ):
                    pending = self.replies.pop(0)
                    self.prompted = False
                elif not self.replies and end is None:
                    end = self.position + int(self.tail * SAMPLE_RATE)
            if end is not None and self.position >= end:
                return
            frame = np.zeros(FRAME_SAMPLES, dtype=np.int16)
            if len(pending):
                take = pending[:FRAME_SAMPLES]
                frame[: len(take)] = take
                pending = pending[FRAME_SAMPLES:]
                if not len(pending):
                    quiet_since = self.position + FRAME_SAMPLES
            self.position += FRAME_SAMPLES
            yield frame
            await asyncio.sleep(0)
