"""Answer detection: who is on the line in the first seconds of a call.

`AnswerDetector` is fed the callee's audio (16 kHz int16, any frame length) from the
first frame of early media or of the answered call, and decides as soon as it can:

- a **person**: a greeting no longer than `max_greeting_ms` ("喂？", "Hello, this is
  Sam") followed by `after_greeting_silence_ms` of silence, whose words are no
  machine's (the style of Asterisk's AMD: initial silence, greeting length, silence
  after the greeting);
- a **voicemail**: a greeting that invites a message ("请在提示音后留言", "leave a
  message after the tone"), a beep after a greeting, or a greeting too long for a
  person;
- a **carrier announcement**: its words ("您拨打的电话已关机", "the number you have
  dialed is not in service"), a busy tone, or a special-information tone (SIT) with no
  words the recognizer could read;
- `unknown`: nothing but silence (or noise) until `total_limit_ms`.

Ringback (early media while the phone rings) is not the callee: while it plays, and in
the silences between its bursts, the clock of the time limits does not run.

The recognizer is injected (`voice.base.Recognizer`); it runs on the speech so far at
clause pauses, at most every `_ASR_STEP_MS` of new speech, and at the end of a greeting
longer than `_QUICK_HUMAN_MS` (a shorter one is a person's on its length alone: no
announcement or voicemail greeting is that short and then silent, and the person is
not kept waiting for the recognizer).
Everything is synchronous: the call loop runs `feed` off the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from voxdial.voice.answer_phrases import PhraseMatch, classify, hot_words_for
from voxdial.voice.answer_tones import (
    WINDOW,
    WINDOW_MS,
    SitKind,
    ToneEvent,
    ToneSignal,
    ToneTracker,
    analyse_window,
)
from voxdial.voice.answer_types import (
    AnswerDecision,
    AnswerDetectionConfig,
    AnswerOutcome,
    VoicemailAction,
)
from voxdial.voice.base import Pcm, Recognizer, VoiceDetector

__all__ = [
    "AnswerDecision",
    "AnswerDetectionConfig",
    "AnswerDetector",
    "AnswerOutcome",
    "VoicemailAction",
]

_VOICE_ON = 0.5  # speech probability that starts speech ...
_VOICE_OFF = 0.35  # ... and that keeps it going (hysteresis)
_BEEP_MAX_VOICE = 0.35  # a beep's windows sound like no speech to the voice detector
_MIN_GREETING_MS = 150  # less speech than this is a click or a breath
_QUICK_HUMAN_MS = 1200  # a greeting this short is a person's without asking the recognizer
_ASR_FIRST_MS = 1200  # speech before the recognizer first runs at a pause ...
_ASR_FIRST_FORCE_MS = 1800  # ... or without a pause
_ASR_STEP_MS = 900  # new speech before it runs again at a pause ...
_ASR_FORCE_MS = 1500  # ... or without a pause
_CLAUSE_PAUSE_MS = 128  # a pause this long ends a clause
_ASR_PAD_MS = 200  # audio kept before the first speech for the recognizer
_MAX_ASR_MS = 12_000  # what the recognizer is given at most
_DECISIVE_RANK = 2  # phrases this specific decide on a partial transcript
_MAX_KEPT_MS = 40_000  # audio kept for the recognizer (bounded: ringback can be long)


def _language(language: str | None) -> str | None:
    if not language:
        return None
    return language.split("-")[0].split("_")[0].lower() or None


class AnswerDetector:
    """One call's answer detection (not thread-safe: one caller feeds it in order)."""

    def __init__(
        self,
        recognizer: Recognizer,
        *,
        language: str | None = None,
        config: AnswerDetectionConfig | None = None,
        vad: VoiceDetector | None = None,
        hot_words: Sequence[str] | None = None,
    ) -> None:
        if vad is None:
            from voxdial.voice.vad import SileroDetector

            vad = SileroDetector()
        if vad.frame_samples != WINDOW:
            raise ValueError(f"the voice detector must take {WINDOW}-sample frames")
        self.config = config or AnswerDetectionConfig()
        self._recognizer = recognizer
        self._language = _language(language)
        self._hot_words = list(
            hot_words if hot_words is not None else hot_words_for(self._language)
        )
        self._vad = vad
        self._tones = ToneTracker()
        self._pending = np.zeros(0, dtype=np.int16)
        self._windows: list[np.ndarray] = []
        self._dropped = 0  # windows no longer kept at the front of `_windows`
        self._probs: list[float] = []
        self._now = 0.0  # ms of audio analysed
        self._origin = 0.0  # where the time limits start (after ringback)
        self._ringing = False
        self._sit: SitKind | None = None
        # speech
        self._in_voice = False
        self._silence = 0.0  # ms since the last speech window
        self._utt_start: float | None = None  # first speech of the current utterance
        self._utt_voice = 0.0  # ms of speech in it
        self._speech_start: float | None = None  # first speech the recognizer is given
        self._last_voice_end = 0.0
        self._utt_judged = False  # the current utterance's end was looked at
        # recognizer
        self._voice_since_asr = 0.0
        self._asr_upto = -1.0
        self.transcript = ""
        self._hint: PhraseMatch | None = None  # "an announcement", not which
        self._tentative: PhraseMatch | None = None  # a vague phrase, waiting for a better one
        self.asr_calls = 0
        self._limit_reached = False
        # decision
        self.decision: AnswerDecision | None = None
        self._beep_after = False  # a beep was heard after the decision
        self._ready = False

    # -- feeding -----------------------------------------------------------------------

    @property
    def position_ms(self) -> int:
        return int(self._now)

    def feed(self, frame: Pcm) -> AnswerDecision | None:
        """Analyse `frame` (16 kHz int16, any length); the decision once there is one
        (and the same decision on every later call)."""
        x = np.asarray(frame, dtype=np.int16).reshape(-1)
        buf = np.concatenate([self._pending, x]) if self._pending.size else x
        n = buf.size // WINDOW
        for i in range(n):
            self._window(buf[i * WINDOW : (i + 1) * WINDOW])
        self._pending = buf[n * WINDOW :].copy()
        return self.decision

    def finish(self) -> AnswerDecision:
        """The audio ended (hang-up, end of a recording): decide with what was heard."""
        if self._pending.size:
            self._window(
                np.concatenate(
                    [self._pending, np.zeros(WINDOW - self._pending.size, dtype=np.int16)]
                )
            )
            self._pending = np.zeros(0, dtype=np.int16)
        if self.decision is None:
            for event in self._tones.flush():
                self._on_tone(event)
        if self.decision is None:
            self._final_guess("end of audio")
        assert self.decision is not None
        return self.decision

    @property
    def ready_for_message(self) -> bool:
        """After a voicemail decision: the moment to leave the message has come (the
        beep has ended, or `beep_wait_ms` of silence passed without one)."""
        return self._ready

    # -- one window ----------------------------------------------------------------------

    def _window(self, x: np.ndarray) -> None:
        start = self._now
        tone = analyse_window(x)
        p = self._vad.probability(x)
        self._probs.append(p)
        self._keep(x)
        self._now += WINDOW_MS
        events = self._tones.update(tone)
        voice = p >= (_VOICE_OFF if self._in_voice else _VOICE_ON) and not self._tones.active
        if self.decision is not None:
            self._after_decision(voice, events)
            return
        if self._ringing:
            ringback_now = self._tones.in_tone and self._tones.ringback_band
            if voice or (self._tones.in_tone and not ringback_now):
                self._ringing = False
                self._origin = start
            else:
                self._origin = self._now
        for event in events:
            self._on_tone(event)
            if self.decision is not None:
                return
        self._speech(voice, start)
        if self.decision is None:
            self._rules()

    def _keep(self, x: np.ndarray) -> None:
        self._windows.append(x.copy())
        excess = len(self._windows) - int(_MAX_KEPT_MS / WINDOW_MS)
        if excess > 0:
            del self._windows[:excess]
            self._dropped += excess

    def _speech(self, voice: bool, start: float) -> None:
        if voice:
            if self._utt_start is None or self._utt_judged:
                self._utt_start = start
                self._utt_voice = 0.0
                self._utt_judged = False
                if self._speech_start is None:
                    self._speech_start = start
            self._in_voice = True
            self._silence = 0.0
            self._utt_voice += WINDOW_MS
            self._voice_since_asr += WINDOW_MS
            self._last_voice_end = self._now
            if self._utt_voice >= _MIN_GREETING_MS:
                self._tones.speech_heard = True
        else:
            self._in_voice = False
            self._silence += WINDOW_MS

    # -- decisions ------------------------------------------------------------------------

    def _rules(self) -> None:
        cfg = self.config
        elapsed = self._now - self._origin
        if self._utt_start is not None:
            ended = self._silence >= cfg.after_greeting_silence_ms and not self._tones.busy
            if ended and not self._utt_judged:
                self._utt_judged = True
                self._end_of_utterance()
                if self.decision is not None:
                    return
            elif not self._utt_judged and self._silence < cfg.after_greeting_silence_ms:
                self._during_speech()
                if self.decision is not None:
                    return
        if elapsed >= cfg.machine_limit_ms and not self._limit_reached:
            self._limit_reached = True
            if self._announcing:
                if self._voice_since_asr > 0 and self._listen(final=True):
                    return
                if self._settle_tentative():
                    return
            if self._utt_start is None and self._speech_start is None and self._sit is not None:
                self._decide_by_sit("no words after the tone")
                return
        if elapsed >= cfg.total_limit_ms:
            self._final_guess("time limit")

    def _during_speech(self) -> None:
        cfg = self.config
        pause = self._silence >= _CLAUSE_PAUSE_MS and self._silence < _CLAUSE_PAUSE_MS + WINDOW_MS
        first = self._asr_upto < 0
        step, force = (
            (_ASR_FIRST_MS, _ASR_FIRST_FORCE_MS) if first else (_ASR_STEP_MS, _ASR_FORCE_MS)
        )
        if (pause and self._voice_since_asr >= step) or self._voice_since_asr >= force:
            if self._listen():
                return
        if self._utt_voice > cfg.max_greeting_ms and self._hint is None:
            if self._voice_since_asr > 0 and self._listen(final=True):
                return
            if self._settle_tentative():
                return
            if self._hint is None:
                self._decide_machine_without_words("long greeting")

    def _end_of_utterance(self) -> None:
        if self._utt_voice < _MIN_GREETING_MS:
            self._forget_utterance()
            return
        quick = not self._announcing and self._utt_voice <= _QUICK_HUMAN_MS
        if not quick and self._voice_since_asr > 0 and self._listen(final=True):
            return
        if self._settle_tentative():
            return
        if self._hint is not None:
            if self._now - self._origin >= self.config.machine_limit_ms:
                self._final_guess("past the machine limit")  # an announcement: say which
            return  # an announcement that has not said what yet: keep listening
        if self._utt_voice <= self.config.max_greeting_ms:
            self._decide(AnswerOutcome.HUMAN, f"greeting {int(self._utt_voice)} ms, then silence")
        else:
            self._decide_machine_without_words("long greeting")

    def _forget_utterance(self) -> None:
        self._utt_start = None
        self._utt_voice = 0.0
        self._voice_since_asr = 0.0
        if self._hint is None:
            self._speech_start = None
            self.transcript = ""

    @property
    def _announcing(self) -> bool:
        """Words were heard that only an announcement or a machine says."""
        return self._hint is not None or self._tentative is not None

    def _settle_tentative(self) -> bool:
        """Decide by the vague phrase heard, if any (no better one came)."""
        if self._tentative is None or self._tentative.outcome is None:
            return False
        self._decide(self._tentative.outcome, f"phrase '{self._tentative.phrase}'")
        return True

    def _listen(self, *, final: bool = False) -> bool:
        """Transcribe the speech so far and decide by its words; True once decided.

        A phrase that names the number's state or invites a message decides at once. A
        vague one ("无法接通", "is not available") waits for a `final` look (the end of
        the greeting, the machine limit): a carrier's voicemail says it first and invites
        a message after."""
        if self._speech_start is None:
            return False
        end = self._now
        if end <= self._asr_upto:
            return False
        begin = max(self._speech_start - _ASR_PAD_MS, end - _MAX_ASR_MS, 0.0)
        audio = self._audio(begin, end)
        self.asr_calls += 1
        self.transcript = self._recognizer.transcribe(
            audio, language=self._language, hot_words=self._hot_words
        ).strip()
        self._asr_upto = end
        self._voice_since_asr = 0.0
        match = classify(self.transcript)
        if match is not None and match.is_hint:
            self._hint = self._hint or match
            match = None
        if match is None:
            return final and self._settle_tentative()
        assert match.outcome is not None
        if match.rank < _DECISIVE_RANK and not final:
            self._tentative = match
            return False
        self._decide(match.outcome, f"phrase '{match.phrase}'")
        return True

    def _audio(self, begin_ms: float, end_ms: float) -> Pcm:
        first = max(0, int(begin_ms / WINDOW_MS) - self._dropped)
        last = max(first, int(round(end_ms / WINDOW_MS)) - self._dropped)
        parts = self._windows[first:last]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)

    def _on_tone(self, event: ToneEvent) -> None:
        if event.signal is ToneSignal.RINGBACK:
            if self._speech_start is None:
                self._ringing = True
        elif event.signal is ToneSignal.BUSY:
            self._decide(AnswerOutcome.BUSY, "busy tone")
        elif event.signal is ToneSignal.SIT:
            assert event.sit is not None
            self._sit = event.sit
        elif event.signal is ToneSignal.BEEP and self._is_beep(event):
            if self._speech_start is not None:
                if self._voice_since_asr > 0 and self._speech_start is not None:
                    self._listen_for_transcript()
                self._decide(AnswerOutcome.VOICEMAIL, "beep after a greeting", beep=True)
            else:
                self._decide(AnswerOutcome.VOICEMAIL, "beep without a greeting", beep=True)

    def _listen_for_transcript(self) -> None:
        """Before a decision made on a tone: the greeting's words, for the record."""
        end = self._last_voice_end
        begin = max((self._speech_start or 0.0) - _ASR_PAD_MS, end - _MAX_ASR_MS, 0.0)
        self.asr_calls += 1
        self.transcript = self._recognizer.transcribe(
            self._audio(begin, end), language=self._language, hot_words=self._hot_words
        ).strip()
        self._voice_since_asr = 0.0

    def _is_beep(self, event: ToneEvent) -> bool:
        seg = event.segment
        first = int(seg.start_ms / WINDOW_MS)
        last = max(first + 1, int(seg.end_ms / WINDOW_MS))
        probs = self._probs[first:last]
        return bool(probs) and float(np.mean(probs)) < _BEEP_MAX_VOICE

    def _decide_by_sit(self, why: str) -> None:
        assert self._sit is not None
        outcome = AnswerOutcome.VACANT if self._sit.number_is_vacant else AnswerOutcome.UNREACHABLE
        self._decide(outcome, f"SIT {self._sit.value}, {why}")

    def _decide_machine_without_words(self, why: str) -> None:
        if self._sit is not None:
            self._decide_by_sit(why)
        else:
            self._decide(AnswerOutcome.VOICEMAIL, why)

    def _final_guess(self, why: str) -> None:
        """No rule decided by the limit (or the end of the audio): the best reading."""
        if self._utt_start is not None and self._utt_voice >= _MIN_GREETING_MS:
            if self._voice_since_asr > 0 and self._listen(final=True):
                return
        if self._settle_tentative():
            return
        if self._hint is not None:
            if self._sit is not None:
                self._decide_by_sit(f"announcement, {why}")
            else:
                self._decide(AnswerOutcome.UNREACHABLE, f"announcement, {why}")
        elif self._utt_start is not None and self._utt_voice >= _MIN_GREETING_MS:
            if self._utt_voice > self.config.max_greeting_ms:
                self._decide_machine_without_words(f"long greeting, {why}")
            else:
                self._decide(AnswerOutcome.HUMAN, f"greeting {int(self._utt_voice)} ms, {why}")
        elif self._sit is not None:
            self._decide_by_sit(why)
        elif self._ringing:
            self._decide(AnswerOutcome.NO_ANSWER, f"ringback only, {why}")
        else:
            self._decide(AnswerOutcome.UNKNOWN, f"no speech, {why}")

    def _decide(self, outcome: AnswerOutcome, reason: str, *, beep: bool = False) -> None:
        if self.decision is not None:
            return
        self.decision = AnswerDecision(
            outcome=outcome,
            decided_at_ms=int(round(self._now)),
            reason=reason,
            transcript=self.transcript,
            beep_heard=beep,
        )
        self._beep_after = beep
        self._ready = beep

    # -- after the decision: when to leave a message ------------------------------------

    def _after_decision(self, voice: bool, events: list[ToneEvent]) -> None:
        if self._ready or self.decision is None:
            return
        if self.decision.outcome is not AnswerOutcome.VOICEMAIL:
            return
        for event in events:
            if event.signal is ToneSignal.BEEP and self._is_beep(event):
                self._beep_after = True
                self._ready = True
                return
        self._speech(voice, self._now - WINDOW_MS)
        if self._tones.in_tone:
            self._silence = 0.0
        if self._silence >= self.config.beep_wait_ms:
            self._ready = True
