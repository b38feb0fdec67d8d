"""The assistant's voice on the line: replies spoken clause by clause, and barge-in.

Each reply is cut into clauses; each clause is synthesized and queued on the line as
soon as it is ready, so the first one plays while the next is made. The call recording
places each clause where the line plays it.

Barge-in follows the assistant's `interruption`: past the uninterruptible period (counted
from the reply's first clause), callee speech longer than the talk-over threshold stops
playback (`line.clear()`). With `method: keyword` only a hot word or a stop word ("wait",
"stop", "等一下") interrupts, so the talk-over is transcribed first; with `none`, nothing
does.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from voxdial.voice.audio import Recording
from voxdial.voice.base import SAMPLE_RATE, Line, Pcm, Synthesizer
from voxdial.voice.endpointing import samples
from voxdial.voice.tts_scheduler import Priority
from voxdial.voice.turns import TurnTiming

log = logging.getLogger(__name__)

STOP_WORDS = ("wait", "stop", "hold on", "等一下", "等等", "停", "不对")
_CLAUSE_END = re.compile(r"(?<=[。！？；，、,.!?;:：])\s*")


def clauses(text: str, min_chars: int = 6) -> list[str]:
    """Cut a reply where a voice would breathe; tiny pieces join the next one."""
    parts = [p for p in _CLAUSE_END.split(text.strip()) if p.strip()]
    out: list[str] = []
    carry = ""
    for p in parts:
        carry = f"{carry} {p}".strip() if carry and carry[-1].isascii() else carry + p
        if len(carry) >= min_chars:
            out.append(carry)
            carry = ""
    if carry:
        if out and len(carry) < min_chars:
            out[-1] = f"{out[-1]} {carry}" if carry[0].isascii() else out[-1] + carry
        else:
            out.append(carry)
    return out


def join_clauses(parts: Sequence[str]) -> str:
    """Clauses spoken one after another, as one text (spaced unless Chinese)."""
    sep = "" if parts and not parts[0][-1:].isascii() else " "
    return sep.join(p for p in parts if p)


class InterruptionMethod(StrEnum):
    NONE = "none"  # the callee never interrupts
    TALK_OVER = "talk_over"  # talking over the assistant long enough interrupts
    KEYWORD = "keyword"  # only a talk-over holding a hot word or a stop word does


@dataclass
class Interruption:
    """The assistant's `interruption` config (wire form `{method, uninterruptibleMs,
    talkOverThresholdMs}`)."""

    method: InterruptionMethod = InterruptionMethod.TALK_OVER
    uninterruptible_ms: int = 1500
    talk_over_ms: int = 500

    def __post_init__(self) -> None:
        self.method = InterruptionMethod(self.method)

    @classmethod
    def from_config(cls, config: dict[str, Any] | None) -> Interruption:
        """An unknown method counts as `talk_over`."""
        c = config or {}
        method = c.get("method", InterruptionMethod.TALK_OVER)
        if method not in tuple(InterruptionMethod):
            method = InterruptionMethod.TALK_OVER
        return cls(
            method=InterruptionMethod(method),
            uninterruptible_ms=int(c.get("uninterruptibleMs", 1500)),
            talk_over_ms=int(c.get("talkOverThresholdMs", 500)),
        )


class TalkOverVerdict(StrEnum):
    IGNORE = "ignore"  # playback goes on
    BARGE_IN = "barge_in"  # stop playback now
    CHECK_WORDS = "check_words"  # transcribe the talk-over: barge in on a stop word


def says_stop(text: str, hot_words: Sequence[str]) -> bool:
    """The callee's words hold a hot word or a stop word (keyword interruption)."""
    words = [w.lower() for w in (*hot_words, *STOP_WORDS)]
    return any(w and w in text.lower() for w in words)


@dataclass(frozen=True, slots=True)
class Said:
    """What a reply put on the line before any barge-in, and where it started."""

    text: str
    start: int  # timeline sample of its first clause


class Playback:
    """Speaks one call's replies on `line`, placing them on the `recording`'s timeline."""

    def __init__(
        self,
        *,
        line: Line,
        synthesizer: Synthesizer,
        recording: Recording,
        interruption: Interruption,
    ) -> None:
        self.line = line
        self.synthesizer = synthesizer
        self.recording = recording
        self.interruption = interruption
        self.barged = False  # the current reply was interrupted
        self.stopped = False  # the callee hung up: nothing more is played
        self._reply_start = -1  # timeline sample where the current reply began
        self._first_due = True  # the next clause is a reply's first (the callee waits)
        self._clearing: asyncio.Future[None] | None = None

    @property
    def speaking(self) -> bool:
        """The assistant's audio is still playing on the recording's timeline."""
        return self.recording.speaking_until > self.recording.position

    def begin_reply(self) -> None:
        """A new turn's actions start: barge-in counts from its first clause."""
        self.barged = False
        self._reply_start = -1
        self._first_due = True

    def stop(self) -> None:
        self.stopped = True

    async def say(self, text: str, *, timing: TurnTiming | None) -> Said | None:
        """Speak `text` clause by clause; returns what was queued before a barge-in or
        a hang-up (None if nothing was)."""
        said: list[str] = []
        start = 0
        for clause in clauses(text):
            at = await self.speak(clause, timing=timing)
            if at is None:
                break
            if not said:
                start = at
            said.append(clause)
        if not said:
            return None
        return Said(join_clauses(said), start)

    async def speak(self, clause: str, *, timing: TurnTiming | None) -> int | None:
        """Synthesize one clause and queue it on the line: the one place a reply's text
        goes to the synthesizer. Returns the timeline sample where it plays, or None
        when a barge-in or a hang-up came first (nothing is queued then)."""
        if self.barged or self.stopped:
            return None
        t0 = time.perf_counter()
        pcm = await self._synthesize(clause)
        if self.barged or self.stopped:
            return None
        if timing is not None and timing.first_audio is None:
            timing.tts_first_seconds = time.perf_counter() - t0
        at, _ = self.recording.speak(pcm)
        if self._reply_start < 0:
            self._reply_start = at
        await self.line.play(pcm)
        if timing is not None and timing.first_audio is None:
            timing.first_audio = time.monotonic()
        return at

    async def render(self, text: str) -> Pcm:
        """`text` in the call's voice, not queued to the callee (what a bridged
        transfer's agent hears before the callee is joined)."""
        return await self._synthesize(text)

    async def _synthesize(self, clause: str) -> Pcm:
        # a shared scheduler (voice/tts_scheduler.py) puts a reply's first clause before
        # every call's later ones, and its queue holds no thread; a plain voice runs in
        # a thread of its own
        priority = Priority.FIRST if self._first_due else Priority.LATER
        self._first_due = False
        submit = getattr(self.synthesizer, "submit", None)
        if submit is not None:
            return await asyncio.wrap_future(submit(clause, priority))
        return await asyncio.to_thread(self.synthesizer.synthesize, clause)

    async def wait_played(self) -> None:
        """Let the last words play out before hanging up (bounded by the audio queued)."""
        while self.speaking and not self.stopped:
            left = (self.recording.speaking_until - self.recording.position) / SAMPLE_RATE
            await asyncio.sleep(min(0.1, max(0.02, left)))

    def talk_over(self, overlap: int) -> TalkOverVerdict:
        """What `overlap` samples of callee speech over the current reply do."""
        rule = self.interruption
        if rule.method == InterruptionMethod.NONE or self.barged:
            return TalkOverVerdict.IGNORE
        since = self._reply_start
        if since < 0 or self.recording.position - since < samples(rule.uninterruptible_ms):
            return TalkOverVerdict.IGNORE
        if overlap < samples(rule.talk_over_ms):
            return TalkOverVerdict.IGNORE
        if rule.method == InterruptionMethod.KEYWORD:
            return TalkOverVerdict.CHECK_WORDS
        return TalkOverVerdict.BARGE_IN

    def barge_in(self) -> None:
        """Stop the reply: what was queued but not heard is cut from the line and the
        recording."""
        self.barged = True
        self.recording.cut()
        self._clearing = asyncio.ensure_future(self.line.clear())
        log.info("barge-in at %.2fs", self.recording.position / SAMPLE_RATE)
