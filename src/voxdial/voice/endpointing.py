"""End of speech: the callee's VAD frames in, what they mean for the call out.

`Endpointer.feed()` takes one frame and its speech probability and returns the events it
caused, so the rules can be followed (and tested) frame by frame:

- An utterance starts when a frame's probability reaches `speech_threshold`; the
  `preroll_ms` heard just before it is kept, so the first syllable is not clipped.
  Inside it, frames under `silence_threshold` are silence.
- `Pause`: after `pause_ms` of silence the utterance so far may be transcribed
  speculatively (once per pause, when the machine is idle and the assistant is not
  speaking). `Resumed`: the callee went on talking, so that guess is stale.
- `EndOfSpeech`: `end_silence_ms` of silence (or `max_utterance_seconds` of talk) ends
  the utterance; `keep_guess` says whether the speculative transcription still covers
  it. `Noise`: it ended with less than `min_speech_ms` of speech (a click, a cough).
- `TalkOver`: callee speech while the assistant speaks, with how long it has lasted;
  the barge-in rules (`voice.playback`) decide what it does.

Time is the call's timeline in samples (`position`: callee samples heard so far).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from voxdial.voice.base import SAMPLE_RATE, Pcm
from voxdial.voice.tuning import VoiceTuning


@dataclass(frozen=True, slots=True)
class Pause:
    """A short pause: `audio` (the utterance so far) may be transcribed speculatively."""

    audio: Pcm


@dataclass(frozen=True, slots=True)
class Resumed:
    """The callee went on talking after a `Pause`: its transcription is stale."""


@dataclass(frozen=True, slots=True)
class TalkOver:
    """Callee speech while the assistant speaks. `overlap`: samples of it so far;
    `frames`: the utterance so far."""

    overlap: int
    frames: Sequence[Pcm]

    @property
    def audio(self) -> Pcm:
        return np.concatenate(self.frames)


@dataclass(frozen=True, slots=True)
class EndOfSpeech:
    """The utterance is over. `start`: its first sample on the timeline; `speech_end`:
    when (monotonic) its last speech frame arrived; `keep_guess`: the transcription
    started at the last `Pause` covers all of `audio`."""

    audio: Pcm
    start: int
    speech_end: float
    keep_guess: bool


@dataclass(frozen=True, slots=True)
class Noise:
    """The sound ended too short to be words: nothing was said."""


EndpointEvent = Pause | Resumed | TalkOver | EndOfSpeech | Noise


def samples(ms: float) -> int:
    """Milliseconds as samples of the call's timeline."""
    return int(ms * SAMPLE_RATE / 1000)


def rms(audio: Pcm) -> float:
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if len(audio) else 0.0


class Framer:
    """Cuts audio of any length into frames of `size` samples, keeping the remainder
    for the next call."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rest = np.zeros(0, dtype=np.int16)

    def __call__(self, pcm: Pcm) -> list[Pcm]:
        buf = np.concatenate([self._rest, pcm]) if len(self._rest) else pcm
        n = len(buf) // self.size * self.size
        self._rest = buf[n:]
        return [buf[i : i + self.size] for i in range(0, n, self.size)]


class Endpointer:
    """The end-of-speech state machine of one call. `may_guess()` says whether a
    speculative transcription may start now (under load the CPU goes to utterances
    that are certain); `monotonic` is the clock of `EndOfSpeech.speech_end`."""

    def __init__(
        self,
        tuning: VoiceTuning,
        *,
        may_guess: Callable[[], bool] = lambda: True,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tuning = tuning
        self._may_guess = may_guess
        self._monotonic = monotonic
        self.last_speech = 0  # timeline sample of the last speech frame or utterance end
        self._preroll: list[Pcm] = []
        self._speech: list[Pcm] | None = None  # the utterance being heard
        self._start = 0
        self._length = 0  # samples in the utterance being heard
        self._voiced = 0  # speech samples in it
        self._silent_run = 0
        self._overlap = 0  # samples of it while the assistant speaks
        self._guess_len: int | None = None  # utterance length at the last Pause
        self._last_voiced_at = 0.0

    @property
    def hearing(self) -> bool:
        """An utterance is under way."""
        return self._speech is not None

    def feed(
        self, frame: Pcm, probability: float, *, position: int, speaking: bool
    ) -> list[EndpointEvent]:
        """One VAD frame. `position`: the timeline now; `speaking`: the assistant's
        audio is playing."""
        t = self.tuning
        if self._speech is None:
            self._preroll.append(frame)
            keep = max(1, samples(t.preroll_ms) // len(frame))
            del self._preroll[:-keep]
            if probability >= t.speech_threshold:
                self._speech, self._preroll = self._preroll, []
                self._length = sum(len(f) for f in self._speech)
                self._start = position - self._length
                self._voiced = len(frame)
                self._silent_run = 0
                self._overlap = len(frame) if speaking else 0
                self._last_voiced_at = self._monotonic()
            return []
        events: list[EndpointEvent] = []
        self._speech.append(frame)
        self._length += len(frame)
        if probability >= t.silence_threshold:
            if self._silent_run and self._guess_len is not None:
                self._guess_len = None
                events.append(Resumed())
            self._silent_run = 0
            self._voiced += len(frame)
            self._last_voiced_at = self._monotonic()
            self.last_speech = position
            if speaking:
                self._overlap += len(frame)
                events.append(TalkOver(self._overlap, tuple(self._speech)))
            else:
                self._overlap = 0
        else:
            self._silent_run += len(frame)
        if self._silent_run >= samples(t.pause_ms) and self._guess_len is None:
            voiced = self._voiced >= samples(t.min_speech_ms)
            if voiced and not speaking and self._may_guess():
                self._guess_len = self._length
                events.append(Pause(np.concatenate(self._speech)))
        if self._silent_run >= samples(t.end_silence_ms) or self._length >= samples(
            t.max_utterance_seconds * 1000
        ):
            events.append(self._end(position))
        return events

    def _end(self, position: int) -> EndOfSpeech | Noise:
        speech, self._speech = self._speech or [], None
        guess_len, self._guess_len = self._guess_len, None
        self.last_speech = position
        if self._voiced < samples(self.tuning.min_speech_ms):
            return Noise()  # a click or a cough
        audio = np.concatenate(speech)
        keep = guess_len is not None
        if guess_len is not None and guess_len != len(audio):
            # The guess was made at a pause and the VAD heard no speech since; but a soft
            # last syllable can sit under its threshold: keep the guess only if what came
            # after it is quiet next to the utterance (16 dB down).
            trailing = len(audio) - guess_len
            if trailing > self._silent_run or rms(audio[guess_len:]) > 0.16 * rms(audio):
                keep = False
        return EndOfSpeech(audio, self._start, self._last_voiced_at, keep)
