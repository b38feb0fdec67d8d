"""The per-worker TTS scheduler: a reply's first clause first, bounded waits, a pool.

Fakes here; the real voices run through the scheduler in tests/test_voice_tts.py.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from datetime import UTC, datetime

import numpy as np
import pytest

from tests.support.voice import EnergyDetector, ScriptedLine, ToneRecognizer, tone
from voxdial.conversation.engine import ActionKind, CallContext
from voxdial.conversation.script import ScriptEngine
from voxdial.voice.playback import clauses
from voxdial.voice.session import CallSession
from voxdial.voice.tts_scheduler import Priority, ScheduledVoice, TtsScheduler


class GatedVoice:
    """A voice whose first clause waits until the test lets it go, so that the test can
    queue clauses behind it; records the order it spoke them in."""

    name = "gated"
    language = "en"

    def __init__(self) -> None:
        self.go = threading.Event()
        self.started = threading.Event()
        self.spoken: list[str] = []
        self._lock = threading.Lock()

    def synthesize(self, text: str) -> np.ndarray:
        self.started.set()
        assert self.go.wait(10)
        if text == "broken":
            raise ValueError("this voice cannot say that")
        with self._lock:
            self.spoken.append(text)
        return np.full(len(text), 1, dtype=np.int16)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_first_clauses_go_before_every_calls_later_ones():
    voice = GatedVoice()
    tts = TtsScheduler(workers=1, max_wait_s=5.0, clock=FakeClock())
    try:
        busy = tts.submit(voice, "busy")
        assert voice.started.wait(5)
        queued = [
            tts.submit(voice, "a later", Priority.LATER),
            tts.submit(voice, "b later", Priority.LATER),
            tts.submit(voice, "c first", Priority.FIRST),
            tts.submit(voice, "d first", Priority.FIRST),
        ]
        assert tts.stats().queued == 4
        voice.go.set()
        busy.result(5)
        assert [f.result(5).size for f in queued] == [7, 7, 7, 7]
        assert voice.spoken == ["busy", "c first", "d first", "a later", "b later"]
        stats = tts.stats()
        assert (stats.queued, stats.running, stats.synthesized, stats.promoted) == (0, 0, 5, 0)
    finally:
        tts.close()


def test_a_later_clause_waits_at_most_max_wait_s_behind_first_ones():
    voice = GatedVoice()
    clock = FakeClock()
    tts = TtsScheduler(workers=1, max_wait_s=1.0, clock=clock)
    try:
        tts.submit(voice, "busy")
        assert voice.started.wait(5)
        old = tts.submit(voice, "old later", Priority.LATER)
        clock.now = 1.5  # the later clause has waited past max_wait_s
        new = tts.submit(voice, "new first", Priority.FIRST)
        voice.go.set()
        old.result(5), new.result(5)
        assert voice.spoken == ["busy", "old later", "new first"]
        stats = tts.stats()
        assert stats.promoted == 1
        assert stats.wait_p95_s == pytest.approx(1.5)
        assert stats.first_wait_p95_s == pytest.approx(0.0)
    finally:
        tts.close()


def test_a_cancelled_clause_is_skipped():
    voice = GatedVoice()
    tts = TtsScheduler(workers=1, clock=FakeClock())
    try:
        tts.submit(voice, "busy")
        assert voice.started.wait(5)
        dropped = tts.submit(voice, "unheard", Priority.LATER)
        kept = tts.submit(voice, "heard", Priority.LATER)
        assert dropped.cancel()
        voice.go.set()
        kept.result(5)
        assert voice.spoken == ["busy", "heard"]
    finally:
        tts.close()


def test_a_failing_clause_fails_its_caller_and_the_scheduler_goes_on():
    voice = GatedVoice()
    voice.go.set()
    tts = TtsScheduler(workers=1)
    try:
        with pytest.raises(ValueError, match="cannot say"):
            tts.synthesize(voice, "broken")
        assert tts.synthesize(voice, "fine").size == 4
    finally:
        tts.close()


def test_workers_synthesize_side_by_side():
    both = threading.Barrier(2, timeout=10)

    class MeetingVoice:
        name, language = "meeting", "en"

        def synthesize(self, text: str) -> np.ndarray:
            both.wait()  # returns only when the other clause is being made too
            return np.zeros(3, dtype=np.int16)

    tts = TtsScheduler(workers=2)
    try:
        futures = [tts.submit(MeetingVoice(), t, Priority.FIRST) for t in ("one", "two")]
        assert [f.result(15).size for f in futures] == [3, 3]
        assert tts.stats().workers == 2
    finally:
        tts.close()


def test_a_closed_scheduler_refuses_clauses():
    tts = TtsScheduler(workers=1)
    tts.close()
    with pytest.raises(RuntimeError, match="closed"):
        tts.submit(GatedVoice(), "late")


# -- the call's side: which clauses the session marks first --------------------------


class PriorityVoice:
    """A scheduled voice's shape, recording the priority each clause was queued at."""

    name = "priority"
    language = "en"

    def __init__(self) -> None:
        self.said: list[tuple[str, Priority]] = []

    def synthesize(self, text: str) -> np.ndarray:
        raise AssertionError("a scheduled voice is queued, never called in a thread")

    def submit(self, text: str, priority: Priority) -> Future:
        self.said.append((text, priority))
        future: Future = Future()
        future.set_result(tone(2000, 0.05 * len(text), amplitude=3000))
        return future


ANSWERED = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
ASSISTANT = {
    "welcome": "Hi, this is Ava from StarNet, calling about your line.",
    "collect": [{"question": "Are you happy with our service?", "answers": ["Yes", "No"]}],
}


def first_then_later(actions) -> list[tuple[str, Priority]]:
    """A reply's clauses as the session should send them: its first clause FIRST."""
    out: list[tuple[str, Priority]] = []
    for action in actions:
        if action.kind == ActionKind.SAY:
            for clause in clauses(action.text):
                out.append((clause, Priority.LATER if out else Priority.FIRST))
    return out


def test_each_reply_speaks_its_first_clause_first_and_the_rest_later():
    context = CallContext(assistant=ASSISTANT, now=ANSWERED, time_zone="UTC")
    voice = PriorityVoice()
    line = ScriptedLine([tone(300, 0.8)])  # "yes"
    session = CallSession(
        conversation=ScriptEngine().begin(context),
        line=line,
        recognizer=ToneRecognizer(["yes"]),
        synthesizer=voice,
        detector=EnergyDetector(),
        answered=ANSWERED,
        language="en",
    )
    line.session = session
    asyncio.run(asyncio.wait_for(session.run(), 30))
    assert [u.text for u in session.utterances if u.side == "customer"] == ["yes"]
    # the same script, by hand: the opening, then the answer to "yes"
    script = ScriptEngine().begin(context)
    expected = first_then_later(script.start()) + first_then_later(script.hear("yes"))
    assert len(expected) >= 4 and sum(p == Priority.FIRST for _, p in expected) == 2
    assert voice.said == expected


def test_a_scheduled_voice_speaks_through_its_scheduler():
    voice = GatedVoice()
    voice.go.set()
    tts = TtsScheduler(workers=1)
    try:
        scheduled = tts.voice(voice)
        assert isinstance(scheduled, ScheduledVoice)
        assert (scheduled.name, scheduled.language) == ("gated", "en")
        assert scheduled.submit("first", Priority.FIRST).result(5).size == 5
        assert scheduled.synthesize("later").size == 5
        assert voice.spoken == ["first", "later"]
        assert tts.stats().synthesized == 2
    finally:
        tts.close()
