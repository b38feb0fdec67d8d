"""The per-worker ASR scheduler: batching across calls, priority, bounded waits."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from voxdial.voice.asr_fitted import beyond_window, speech_tokens, without_repeats
from voxdial.voice.asr_scheduler import AsrScheduler, Priority, StaleGuess


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
