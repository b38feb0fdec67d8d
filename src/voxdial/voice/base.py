"""The speech interfaces the call session is built on.

Everything inside a spoken call runs on one audio format: 16 kHz mono, signed 16-bit
samples in a NumPy ``int16`` array. Lines (websocket, SIP) convert at their edge
(μ-law 8 kHz, PCMA, browser PCM); speech providers resample to and from it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

SAMPLE_RATE = 16_000
FRAME_SAMPLES = 320  # 20 ms at 16 kHz: the unit lines deliver audio in

Pcm = np.ndarray  # int16, mono, SAMPLE_RATE


class Recognizer(Protocol):
    """Speech to text for one finished utterance (blocking; run it off the event loop)."""

    name: str

    def transcribe(self, audio: Pcm, *, language: str | None, hot_words: Sequence[str]) -> str: ...


class Synthesizer(Protocol):
    """Text to speech for one clause (blocking; run it off the event loop)."""

    name: str
    language: str

    def synthesize(self, text: str) -> Pcm: ...


class VoiceDetector(Protocol):
    """Speech probability per frame of `frame_samples` samples (one detector per call)."""

    frame_samples: int

    def probability(self, frame: Pcm) -> float: ...


class Line(Protocol):
    """The callee's end of a call, as the session sees it."""

    def frames(self) -> AsyncIterator[Pcm]:
        """The callee's audio as it arrives (any length, usually 20 ms); the iterator
        ends when the callee hangs up or the line drops."""
        ...

    async def play(self, audio: Pcm) -> None:
        """Queue the assistant's audio to the callee; returns once queued, not played."""
        ...

    async def clear(self) -> None:
        """Drop audio queued but not yet played (barge-in)."""
        ...

    async def close(self) -> None:
        """End the call from the assistant's side."""
        ...


@runtime_checkable
class TranscriptLine(Protocol):
    """A line that also shows the call's words as they are said (the browser's): the
    session tells it each utterance, `who` being "assistant" or "callee"."""

    async def transcript(self, who: str, text: str) -> None: ...


class TransferFailed(Exception):
    """A transfer that did not go through (refused, the person did not answer, no
    outcome in time); the call is still up."""


@runtime_checkable
class TransferLine(Protocol):
    """A line that can hand the callee over to someone else (a blind transfer: SIP
    REFER). `transfer` returns once the callee is with `target` (the line has ended for
    us) or raises `TransferFailed`, the line still up. `target` is an E.164 number or a
    SIP URI."""

    async def transfer(self, target: str) -> None: ...
