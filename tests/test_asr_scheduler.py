"""The per-worker ASR scheduler: batching across calls, priority, bounded waits."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from datetime import UTC, datetime

import numpy as np
import pytest

from tests.support.voice import (
    EnergyDetector,
    ScriptedLine,
    ToneRecognizer,
    ToneSynthesizer,
    tone,
)
from voxdial.conversation.engine import CallContext
from voxdial.conversation.script import ScriptEngine
from voxdial.voice.asr_fitted import beyond_window, speech_tokens, without_repeats
from voxdial.voice.asr_scheduler import AsrScheduler, Priority, StaleGuess
from voxdial.voice.session import CallSession


class GatedRecognizer:
    """A recognizer whose first batch waits until the test lets it go, so the test can
    queue jobs behind it; each clip's text is its first sample's value."""

    name = "gated"

    def __init__(self) -> None:
        self.go = threading.Event()
        self.started = threading.Event()
        self.batches: list[list[int]] = []

    def transcribe_batch(self, clips):
        self.started.set()
        self.go.wait(10)
        values = [int(audio[0]) for audio, _, _ in clips]
        self.batches.append(values)
        if -1 in values:
            raise ValueError("broken clip")
        return [f"clip {v}" for v in values]


def clip(value: int) -> np.ndarray:
    return np.full(1600, value, dtype=np.int16)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_waiting_utterances_are_decoded_as_one_batch_turns_first():
    rec = GatedRecognizer()
    clock = FakeClock()
    asr = AsrScheduler(rec, max_batch=8, max_wait_s=5.0, clock=clock)
    try:
        first = asr.submit(clip(0), language="en", hot_words=[])
        assert rec.started.wait(5)
        queued = [
            asr.submit(clip(1), language="en", hot_words=[], priority=Priority.SPECULATIVE),
            asr.submit(clip(2), language="zh", hot_words=["满意"]),
            asr.submit(clip(3), language="en", hot_words=[]),
        ]
        rec.go.set()
        assert first.result(5) == "clip 0"
        assert [f.result(5) for f in queued] == ["clip 1", "clip 2", "clip 3"]
        # the three that waited went together, the turns before the speculative guess
        assert rec.batches == [[0], [2, 3, 1]]
        stats = asr.stats()
        assert (stats.decoded, stats.batches, stats.dropped) == (4, 2, 0)
        assert stats.mean_batch == 2.0
    finally:
        asr.close()


def test_a_stale_speculative_job_is_dropped_but_a_turn_never_is():
    rec = GatedRecognizer()
    clock = FakeClock()
    asr = AsrScheduler(rec, max_batch=8, max_wait_s=1.0, clock=clock)
    try:
        asr.submit(clip(0), language="en", hot_words=[])
        assert rec.started.wait(5)
        guess = asr.submit(clip(1), language="en", hot_words=[], priority=Priority.SPECULATIVE)
        turn = asr.submit(clip(2), language="en", hot_words=[])
        clock.now = 3.0  # both waited 3 s, past max_wait_s
        rec.go.set()
        with pytest.raises(StaleGuess):
            guess.result(5)
        assert turn.result(5) == "clip 2"
        stats = asr.stats()
        assert stats.dropped == 1
        # the waits of the jobs decoded: none for the first, 3 s for the turn
        assert (stats.waited, stats.wait_sum_s, stats.wait_p95_s) == (2, 3.0, 3.0)
    finally:
        asr.close()


def test_batch_size_is_bounded():
    rec = GatedRecognizer()
    asr = AsrScheduler(rec, max_batch=2, clock=FakeClock())
    try:
        asr.submit(clip(0), language="en", hot_words=[])
        assert rec.started.wait(5)
        futures = [asr.submit(clip(v), language="en", hot_words=[]) for v in (1, 2, 3)]
        rec.go.set()
        assert [f.result(5) for f in futures] == ["clip 1", "clip 2", "clip 3"]
        assert rec.batches == [[0], [1, 2], [3]]
    finally:
        asr.close()


def test_a_failing_batch_fails_its_callers_and_the_scheduler_goes_on():
    rec = GatedRecognizer()
    rec.go.set()
    asr = AsrScheduler(rec, clock=FakeClock())
    try:
        with pytest.raises(ValueError, match="broken clip"):
            asr.transcribe(clip(-1), language="en", hot_words=[])
        assert asr.transcribe(clip(4), language="en", hot_words=[]) == "clip 4"
    finally:
        asr.close()


TS = 1000  # a stand-in timestamp_begin: token 1000 + n is the time n * 20 ms


@pytest.mark.parametrize(
    ("tokens", "seconds", "kept"),
    [
        ([TS, 1, 2, TS + 50], 2.0, [1, 2]),  # one segment inside the clip
        ([TS, 1, 2, TS + 50, TS + 50, 3, TS + 90], 1.5, [1, 2, 3]),  # second starts at 1.0
        ([TS, 1, TS + 50, TS + 110, 9, TS + 140], 2.0, [1]),  # the margin's words dropped
        ([1, 2, 3], 1.0, [1, 2, 3]),  # no timestamps at all
        ([TS, 4, 5], 1.0, [4, 5]),  # an open last segment that starts inside
    ],
)
def test_speech_tokens_keep_segments_that_start_inside_the_clip(tokens, seconds, kept):
    assert speech_tokens(tokens, timestamp_begin=TS, clip_seconds=seconds) == kept


@pytest.mark.parametrize(
    ("tokens", "kept"),
    [
        ([1, 2, 3, 1, 2, 3, 1, 2], [1, 2, 3]),
        ([5, 1, 2, 1, 2, 1], [5, 1, 2]),
        ([1, 2, 3, 4], [1, 2, 3, 4]),
        ([1, 2, 1, 3], [1, 2, 1, 3]),
        ([7, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4], [7, 1, 2, 3, 4, 5, 6]),  # the sentence again, cut
        ([1, 2, 3, 4, 5, 6, 1, 2], [1, 2, 3, 4, 5, 6, 1, 2]),  # two tokens again: kept
        ([], []),
    ],
)
def test_a_looping_tail_keeps_one_turn(tokens, kept):
    assert without_repeats(tokens) == kept


@pytest.mark.parametrize(
    ("tokens", "window", "beyond"),
    [
        ([TS, 1, 2, 3, TS + 911], 4.2, True),  # "<|0.00|> Please call Vox <|18.22|>"
        ([TS, 1, 2, TS + 150, TS + 150, 3, TS + 210], 4.2, False),
        ([TS, 1, TS + 211], 4.2, False),  # the window's last timestamp itself
        ([1, 2, 3], 1.0, False),
    ],
)
def test_a_timestamp_past_the_window_marks_the_decode_weak(tokens, window, beyond):
    assert beyond_window(tokens, timestamp_begin=TS, window_seconds=window) is beyond


def test_a_promoted_guess_goes_before_later_guesses_and_is_never_dropped():
    rec = GatedRecognizer()
    clock = FakeClock()
    asr = AsrScheduler(rec, max_batch=1, max_wait_s=1.0, clock=clock)
    try:
        asr.submit(clip(0), language="en", hot_words=[])
        assert rec.started.wait(5)
        kept = asr.submit(clip(1), language="en", hot_words=[], priority=Priority.SPECULATIVE)
        other = asr.submit(clip(2), language="en", hot_words=[], priority=Priority.SPECULATIVE)
        turn = asr.submit(clip(3), language="en", hot_words=[])
        asr.promote(kept)  # its callee stopped talking: the guess is the turn's words
        clock.now = 3.0  # past max_wait_s: the other guess is stale, the promoted one not
        rec.go.set()
        assert kept.result(5) == "clip 1" and turn.result(5) == "clip 3"
        with pytest.raises(StaleGuess):
            other.result(5)
        assert rec.batches == [[0], [1], [3]]  # the promoted guess went in arrival order
    finally:
        asr.close()


def test_a_cancelled_job_is_skipped_not_decoded():
    rec = GatedRecognizer()
    asr = AsrScheduler(rec, max_batch=8, clock=FakeClock())
    try:
        asr.submit(clip(0), language="en", hot_words=[])
        assert rec.started.wait(5)
        dropped = asr.submit(clip(1), language="en", hot_words=[], priority=Priority.SPECULATIVE)
        kept = asr.submit(clip(2), language="en", hot_words=[])
        assert dropped.cancel()
        rec.go.set()
        assert kept.result(5) == "clip 2"
        assert rec.batches == [[0], [2]]
        assert asr.stats().decoded == 2
    finally:
        asr.close()


# -- the session's side: guesses speculative, turns first -------------------------


class ToneBatches(ToneRecognizer):
    """The tone recognizer in `transcribe_batch` form, behind a real scheduler."""

    def transcribe_batch(self, clips):
        return [self.transcribe(a, language=lang, hot_words=h) for a, lang, h in clips]


class RecordingScheduler(AsrScheduler):
    """The real scheduler, noting the priority of each job and each promotion."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.submitted: list[Priority] = []
        self.promoted: list[Future] = []
        self.futures: list[Future] = []

    def submit(self, audio, *, language, hot_words, priority=Priority.TURN):
        self.submitted.append(Priority(priority))
        future = super().submit(audio, language=language, hot_words=hot_words, priority=priority)
        self.futures.append(future)
        return future

    def promote(self, future) -> None:
        self.promoted.append(future)
        super().promote(future)


def spoken_call(asr: AsrScheduler, replies) -> CallSession:
    when = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
    context = CallContext(assistant=SESSION_ASSISTANT, now=when, time_zone="UTC")
    line = ScriptedLine(replies)
    session = CallSession(
        conversation=ScriptEngine().begin(context),
        line=line,
        recognizer=asr,
        synthesizer=ToneSynthesizer(),
        detector=EnergyDetector(),
        answered=when,
        language="en",
    )
    line.session = session
    asyncio.run(asyncio.wait_for(session.run(), 30))
    return session


SESSION_WORDS = ["yes", "Tuesday"]
SESSION_ASSISTANT = {
    "welcome": "Hi, this is Ava from StarNet.",
    "collect": [
        {"question": "Are you happy with our service?", "answers": ["Yes", "No"]},
        {"question": "Which day suits you for a visit?", "answers": ["Monday", "Tuesday"]},
    ],
}


def tone_of(word: str) -> np.ndarray:
    return tone(300 + 100 * SESSION_WORDS.index(word), 0.8)


def test_a_sessions_guesses_are_speculative_and_a_kept_guess_is_promoted():
    asr = RecordingScheduler(ToneBatches(SESSION_WORDS), max_wait_s=30.0)
    try:
        session = spoken_call(asr, [tone_of("yes"), tone_of("Tuesday")])
    finally:
        asr.close()
    heard = [u.text for u in session.utterances if u.side == "customer"]
    assert heard == ["yes", "Tuesday"]
    # one guess per reply at its pause, kept (only silence after it) and promoted to the
    # turn's job: no second decode of the same words
    assert asr.submitted == [Priority.SPECULATIVE, Priority.SPECULATIVE]
    assert asr.promoted == asr.futures
    assert all(t.speculative for t in session.turns)


class StaleScheduler(RecordingScheduler):
    """Every guess goes stale (max_wait_s < 0) and none is promoted in time."""

    def promote(self, future) -> None:
        self.promoted.append(future)


def test_a_dropped_guess_leaves_the_turn_to_a_turn_priority_job():
    asr = StaleScheduler(ToneBatches(SESSION_WORDS), max_wait_s=-1.0)
    try:
        session = spoken_call(asr, [tone_of("yes"), tone_of("Tuesday")])
    finally:
        asr.close()
    assert [u.text for u in session.utterances if u.side == "customer"] == ["yes", "Tuesday"]
    assert asr.submitted == [Priority.SPECULATIVE, Priority.TURN] * 2
    assert asr.stats().dropped == 2


def test_guesses_start_only_while_the_queue_is_shallow():
    rec = GatedRecognizer()
    asr = AsrScheduler(rec, max_batch=4)  # guess_queue derived: half a batch, 2
    try:
        assert asr.guess_queue == 2
        busy = asr.submit(clip(0), language="en", hot_words=[])
        assert rec.started.wait(5)  # decoding: the queue itself is empty
        assert asr.may_guess()
        waiting = [asr.submit(clip(i), language="en", hot_words=[]) for i in (1, 2)]
        assert not asr.may_guess()  # two turns wait: no speculative work beside them
        assert asr.stats().skipped_guesses == 1
        rec.go.set()
        for f in (busy, *waiting):
            f.result(5)
        assert asr.may_guess()  # drained
    finally:
        asr.close()


def test_the_guess_rule_of_a_session():
    from voxdial.voice.asr_scheduler import TRANSCRIBING, guess_rule

    asr = AsrScheduler(GatedRecognizer(), max_batch=8, guess_queue=1)
    try:
        assert guess_rule(asr) == asr.may_guess  # the scheduler's own rule
    finally:
        asr.close()
    plain = guess_rule(object())  # a recognizer without a queue
    assert plain()
    with TRANSCRIBING:
        assert not plain()  # another transcription runs: no guess


class WeakRecognizer:
    """Fitted decodes of clips valued 9 are weak (None); their padded redo waits until
    the test lets it go, so the test can see other batches decoded meanwhile."""

    name = "weak"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.redoing = threading.Event()
        self.redone: list[int] = []
        self.batches: list[list[int]] = []

    def decode_fitted(self, clips):
        values = [int(audio[0]) for audio, _, _ in clips]
        self.batches.append(values)
        return [None if v == 9 else f"clip {v}" for v in values]

    def redo_padded(self, clip):
        self.redoing.set()
        self.release.wait(10)
        self.redone.append(int(clip[0][0]))
        return "padded 9"

    def transcribe_batch(self, clips):  # not used when decode_fitted is there
        raise AssertionError("the scheduler should split fitted decodes from redos")


def test_a_weak_guess_is_dropped_without_a_padded_redo():
    rec = WeakRecognizer()
    s = AsrScheduler(rec, max_batch=4)
    try:
        guess = s.submit(clip(9), language="zh", hot_words=(), priority=Priority.SPECULATIVE)
        with pytest.raises(StaleGuess):
            guess.result(5)
        assert rec.redone == [] and s.stats().weak_guesses == 1 and s.stats().redos == 0
    finally:
        rec.release.set()
        s.close()


def test_a_turns_padded_redo_does_not_hold_other_calls_turns():
    rec = WeakRecognizer()
    s = AsrScheduler(rec, max_batch=4)
    try:
        weak = s.submit(clip(9), language="zh", hot_words=())
        assert rec.redoing.wait(5)  # the redo is running (and held)
        other = s.submit(clip(2), language="zh", hot_words=())
        assert other.result(5) == "clip 2"  # decoded while the redo still runs
        assert not weak.done()
        rec.release.set()
        assert weak.result(5) == "padded 9" and rec.redone == [9]
        assert s.stats().redos == 1
    finally:
        rec.release.set()
        s.close()


def test_a_guess_promoted_while_it_decodes_gets_its_redo():
    rec = WeakRecognizer()
    started, go = threading.Event(), threading.Event()
    decode = rec.decode_fitted

    def slow_decode(clips):
        started.set()
        go.wait(10)
        return decode(clips)

    rec.decode_fitted = slow_decode
    s = AsrScheduler(rec, max_batch=4)
    try:
        guess = s.submit(clip(9), language="zh", hot_words=(), priority=Priority.SPECULATIVE)
        assert started.wait(5)
        s.promote(guess)  # the callee now waits for it: it is the turn's decode
        go.set()
        rec.release.set()
        assert guess.result(5) == "padded 9"
    finally:
        go.set()
        rec.release.set()
        s.close()


class PausingScheduler(AsrScheduler):
    """The real scheduler whose decoding thread stops right after it has taken a batch
    out of the queue (before decoding it) until the test lets it go on."""

    def __init__(self, *args, **kwargs) -> None:
        self.taken, self.go_on = threading.Event(), threading.Event()
        super().__init__(*args, **kwargs)

    def _take(self):
        batch = super()._take()
        if batch:
            self.taken.set()
            self.go_on.wait(10)
        return batch


def test_a_guess_promoted_just_after_its_batch_was_taken_gets_its_redo():
    # the moment between the guess leaving the queue and its batch starting to decode:
    # a promotion then must still reach the job (it once found it neither waiting nor
    # running, the weak decode was dropped and the turn paid a second decode)
    rec = WeakRecognizer()
    s = PausingScheduler(rec, max_batch=4)
    try:
        guess = s.submit(clip(9), language="zh", hot_words=(), priority=Priority.SPECULATIVE)
        assert s.taken.wait(5)  # taken out of the queue, not yet decoding
        s.promote(guess)
        s.go_on.set()
        rec.release.set()
        assert guess.result(5) == "padded 9"
        assert rec.redone == [9] and s.stats().redos == 1 and s.stats().weak_guesses == 0
    finally:
        s.go_on.set()
        rec.release.set()
        s.close()
