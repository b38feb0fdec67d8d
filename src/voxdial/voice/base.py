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


class AgentLeg(Protocol):
    """The agent's call in a bridged transfer, once joined to the callee's: the line
    carries the audio both ways; the session only records the agent's side."""

    def frames(self) -> AsyncIterator[Pcm]:
        """The agent's audio as it arrives (20 ms frames); ends when the agent hangs up."""
        ...

    async def close(self) -> None:
        """Hang up the agent (no-op once the agent's call has ended)."""
        ...


@runtime_checkable
class BridgeLine(Protocol):
    """A line that can put the callee through to an agent by calling the agent itself
    (a bridged transfer). `bridge` lets what is queued to the callee play out (the
    hold line), calls `target`, gives the agent `answer_seconds` to answer, plays them
    `greeting` (the summary, in the assistant's voice; None: nothing) and joins the
    two calls. It returns the joined `AgentLeg`, or None when the carrier did the
    bridging itself and our part of the call has ended. It raises `TransferFailed`
    (the agent did not answer, was busy, declined; the agent's call is gone and the
    callee's still up)."""

    async def bridge(
        self, target: str, *, answer_seconds: float, greeting: Pcm | None
    ) -> AgentLeg | None: ...
