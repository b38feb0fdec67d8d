"""End of speech frame by frame: the endpointer's events for scripted VAD probabilities,
and the barge-in verdicts of playback."""

from __future__ import annotations

import asyncio
import itertools

import numpy as np
import pytest

from voxdial.voice.audio import Recording
from voxdial.voice.endpointing import (
    EndOfSpeech,
    Endpointer,
    Framer,
    Noise,
    Pause,
    Resumed,
    TalkOver,
    samples,
)
from voxdial.voice.playback import (
    Interruption,
    InterruptionMethod,
    Playback,
    TalkOverVerdict,
    says_stop,
)
from voxdial.voice.tuning import VoiceTuning

FRAME = 320  # 20 ms
TUNING = VoiceTuning()  # pause 96 ms (5 frames), end 480 ms (24), min speech 160 ms (8)


class Ticks:
    """A monotonic clock that advances one second per reading."""

    def __init__(self) -> None:
        self._n = itertools.count()

    def __call__(self) -> float:
        return float(next(self._n))


def feed(ep: Endpointer, probs: list[float], *, speaking: bool = False, start: int = 0):
    """Feed one frame per probability (loud where the VAD hears speech, else silent);
    returns (frame index, event) pairs."""
    out = []
    for i, p in enumerate(probs, start):
        frame = np.full(FRAME, 8000 if p >= 0.35 else 0, dtype=np.int16)
        for event in ep.feed(frame, p, position=(i + 1) * FRAME, speaking=speaking):
            out.append((i, event))
    return out


def test_an_utterance_ends_after_the_end_silence_with_its_preroll() -> None:
    ep = Endpointer(TUNING, monotonic=Ticks())
    events = feed(ep, [0.0] * 20 + [0.9] * 10 + [0.0] * 30)
    kinds = [type(e) for _, e in events]
    assert kinds == [Pause, EndOfSpeech]
    (pause_at, pause), (end_at, end) = events
    assert pause_at == 29 + 5  # five silent frames make a pause
    assert end_at == 29 + 24  # twenty-four end the utterance
    # the 200 ms up to the first speech frame (20) are kept: the utterance starts at 11
    assert end.start == 11 * FRAME
    assert len(end.audio) == (end_at - 11 + 1) * FRAME
    assert len(pause.audio) == (pause_at - 11 + 1) * FRAME
    assert end.keep_guess  # only silence came after the pause
    assert not ep.hearing and ep.last_speech == (end_at + 1) * FRAME


def test_talking_on_after_a_pause_makes_the_guess_stale() -> None:
    ep = Endpointer(TUNING)
    events = feed(ep, [0.9] * 10 + [0.0] * 6 + [0.9] * 10 + [0.0] * 24)
    kinds = [type(e) for _, e in events]
    assert kinds == [Pause, Resumed, Pause, EndOfSpeech]
    assert events[-1][1].keep_guess


def test_a_soft_last_syllable_after_the_guess_drops_it() -> None:
    tuning = VoiceTuning(pause_ms=96, end_silence_ms=480)
    ep = Endpointer(tuning)
    probs = [0.9] * 10 + [0.0] * 6 + [0.2] * 20
    out = []
    for i, p in enumerate(probs):
        level = 8000 if i < 10 or i >= 16 else 0  # loud speech, a gap, a loud "quiet" tail
        frame = np.full(FRAME, level, dtype=np.int16)
        out += ep.feed(frame, p, position=(i + 1) * FRAME, speaking=False)
    assert [type(e) for e in out] == [Pause, EndOfSpeech]
    assert not out[-1].keep_guess  # the tail under the VAD's threshold is not quiet


def test_a_click_is_noise() -> None:
    ep = Endpointer(TUNING)
    events = feed(ep, [0.9] * 3 + [0.0] * 30)
    assert [type(e) for _, e in events] == [Noise]


def test_no_guess_while_the_machine_is_busy() -> None:
    busy = True
    ep = Endpointer(TUNING, may_guess=lambda: not busy)
    events = feed(ep, [0.9] * 10 + [0.0] * 10)
    assert events == []
    busy = False  # idle again during the same pause: the guess starts now
    events = feed(ep, [0.0] * 14, start=20)
    assert [type(e) for _, e in events] == [Pause, EndOfSpeech]
    # it came late, but no speech came after it: it still covers the utterance
    assert events[0][0] == 20 and events[1][1].keep_guess


def test_talk_over_counts_the_overlap_and_never_guesses() -> None:
    ep = Endpointer(TUNING)
    events = feed(ep, [0.9] * 4 + [0.0] * 24, speaking=True)
    talk = [e for _, e in events if isinstance(e, TalkOver)]
    assert [e.overlap for e in talk] == [2 * FRAME, 3 * FRAME, 4 * FRAME]
    assert [len(e.audio) for e in talk] == [2 * FRAME, 3 * FRAME, 4 * FRAME]
    assert not [e for _, e in events if isinstance(e, Pause)]


def test_a_long_utterance_is_cut_at_the_maximum() -> None:
    ep = Endpointer(VoiceTuning(max_utterance_seconds=1.0), monotonic=Ticks())
    events = feed(ep, [0.9] * 60)
    ends = [(i, e) for i, e in events if isinstance(e, EndOfSpeech)]
    assert [i for i, _ in ends] == [49]  # 50 frames make a second
    assert len(ends[0][1].audio) == samples(1000)


def test_speech_end_is_the_last_speech_frame_on_the_clock() -> None:
    ticks = Ticks()
    ep = Endpointer(TUNING, monotonic=ticks)
    events = feed(ep, [0.9] * 10 + [0.0] * 24)
    end = events[-1][1]
    assert isinstance(end, EndOfSpeech)
    assert end.speech_end == 9.0  # ten speech frames read the clock, the silence did not


def test_the_framer_keeps_the_remainder() -> None:
    framer = Framer(FRAME)
    first = framer(np.arange(500, dtype=np.int16))
    second = framer(np.arange(500, 640, dtype=np.int16))
    assert [len(f) for f in first] == [FRAME] and [len(f) for f in second] == [FRAME]
    assert np.array_equal(np.concatenate(first + second), np.arange(640, dtype=np.int16))


# --- barge-in verdicts ----------------------------------------------------------------


class _Line:
    def __init__(self) -> None:
        self.played = 0

    async def play(self, audio: np.ndarray) -> None:
        self.played += len(audio)

    async def clear(self) -> None:
        pass


class _Synth:
    name = "silence"
    language = "en"

    def synthesize(self, text: str) -> np.ndarray:
        return np.zeros(samples(2500), np.int16)


def replying(method: str, *, at_ms: int, heard_ms: int) -> Playback:
    """A playback whose reply began `at_ms` into the call, `heard_ms` ago."""
    rule = Interruption(method=method, uninterruptible_ms=1000, talk_over_ms=300)
    recording = Recording()
    p = Playback(line=_Line(), synthesizer=_Synth(), recording=recording, interruption=rule)
    recording.hear(np.zeros(samples(at_ms), np.int16))
    p.begin_reply()
    said = asyncio.run(p.say("Hello there. How are you today?", timing=None))
    assert said is not None and said.start == samples(at_ms)
    assert said.text == "Hello there. How are you today?"
    recording.hear(np.zeros(samples(heard_ms), np.int16))
    return p


@pytest.mark.parametrize(
    ("method", "heard_ms", "overlap_ms", "verdict"),
    [
        ("talk_over", 1200, 400, TalkOverVerdict.BARGE_IN),
        ("talk_over", 800, 400, TalkOverVerdict.IGNORE),  # inside the uninterruptible part
        ("talk_over", 1200, 200, TalkOverVerdict.IGNORE),  # not long enough
        ("keyword", 1200, 400, TalkOverVerdict.CHECK_WORDS),
        ("none", 4000, 4000, TalkOverVerdict.IGNORE),
    ],
)
def test_talk_over_verdicts(method: str, heard_ms: int, overlap_ms: int, verdict) -> None:
    p = replying(method, at_ms=500, heard_ms=heard_ms)
    assert p.speaking
    assert p.talk_over(samples(overlap_ms)) == verdict


def test_a_barge_in_cuts_the_reply_once() -> None:
    p = replying("talk_over", at_ms=0, heard_ms=2000)
    assert p.talk_over(samples(1000)) == TalkOverVerdict.BARGE_IN

    async def barge() -> None:
        p.barge_in()
        await asyncio.sleep(0)

    asyncio.run(barge())
    assert not p.speaking and p.recording.speaking_until == samples(2000)
    assert p.talk_over(samples(1000)) == TalkOverVerdict.IGNORE  # already interrupted
    p.begin_reply()  # the next turn's reply: not yet started, so nothing to interrupt
    assert p.talk_over(samples(1000)) == TalkOverVerdict.IGNORE


def test_interruption_from_config() -> None:
    rule = Interruption.from_config(
        {"method": "keyword", "uninterruptibleMs": 800, "talkOverThresholdMs": 250}
    )
    assert rule == Interruption(InterruptionMethod.KEYWORD, 800, 250)
    assert Interruption.from_config(None) == Interruption()
    assert Interruption.from_config({"method": "shout"}).method == InterruptionMethod.TALK_OVER


def test_stop_words_and_hot_words_interrupt() -> None:
    assert says_stop("Wait, what?", [])
    assert says_stop("我要问一下价格", ["价格"])
    assert not says_stop("yes that's fine", ["价格"])
