"""The spoken call: hear the callee, let the engine decide, speak its reply, in real time.

One `CallSession` per answered call, on the event loop of the line that carries it:

    line.frames() -> recording + VAD -> utterance -> ASR -> engine -> clauses -> TTS -> line

- **End of speech.** The VAD marks speech; an utterance ends after `end_silence_ms` of
  silence. At the first short pause (`pause_ms`) the utterance so far is transcribed
  speculatively, so by the time the silence is long enough to be an end, the words are
  usually ready. If the callee goes on talking the guess is dropped.
- **Speaking.** Each SAY is cut into clauses; each clause is synthesized and queued on
  the line as soon as it is ready, so the first clause plays while the next is made.
- **Barge-in** follows the assistant's `interruption`: past the uninterruptible period,
  callee speech longer than the talk-over threshold stops playback (`line.clear()`) and
  what they say goes to the engine. With `method: keyword` only a hot word or a stop
  word ("wait", "stop", "等一下") interrupts; with `none`, nothing does.
- **Silence.** No speech for `no_reply_seconds` after the assistant stops: the engine's
  `silence()` turn. **Hang-up:** when `line.frames()` ends.

Time inside the call is the recording's timeline (callee samples received), so the
trace, the WAV and the barge-in rules agree even when the line is late or bursty.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from voxdial.clock import Clock
from voxdial.conversation.calls import CallResult, DialRequest, Utterance, note_request
from voxdial.conversation.engine import (
    Action,
    ActionKind,
    CallContext,
    Conversation,
    ConversationEngine,
)
from voxdial.domain.status import HangupReason
from voxdial.voice import soundalike
from voxdial.voice.audio import Recording
from voxdial.voice.base import SAMPLE_RATE, Line, Pcm, Recognizer, Synthesizer, VoiceDetector

log = logging.getLogger(__name__)

STOP_WORDS = ("wait", "stop", "hold on", "等一下", "等等", "停", "不对")
_CLAUSE_END = re.compile(r"(?<=[。！？；，、,.!?;:：])\s*")


@dataclass
class VoiceTuning:
    """End-of-speech and silence rules (settings `VOXDIAL_VOICE_*`)."""

    speech_threshold: float = 0.5
    silence_threshold: float = 0.35
    pause_ms: int = 96  # a pause this long starts a speculative transcription
    end_silence_ms: int = 480  # a pause this long ends the utterance
    min_speech_ms: int = 160  # shorter sounds are noise, not words
    preroll_ms: int = 200  # audio kept from before the VAD fired
    max_utterance_seconds: float = 20.0
    no_reply_seconds: float = 6.0
    max_call_seconds: float = 600.0


@dataclass
class Interruption:
    method: str = "talk_over"  # "none" | "talk_over" | "keyword"
    uninterruptible_ms: int = 1500
    talk_over_ms: int = 500

    @classmethod
    def from_config(cls, config: dict[str, Any] | None) -> Interruption:
        c = config or {}
        return cls(
            method=c.get("method", "talk_over"),
            uninterruptible_ms=int(c.get("uninterruptibleMs", 1500)),
            talk_over_ms=int(c.get("talkOverThresholdMs", 500)),
        )


@dataclass
class TurnTiming:
    """One callee turn's clock (monotonic seconds), for the latency benchmark."""

    speech_end: float  # the last frame the VAD called speech arrived
    committed: float = 0.0  # the pause became an end of speech
    asr_seconds: float = 0.0
    engine_seconds: float = 0.0
    tts_first_seconds: float = 0.0
    first_audio: float | None = None  # the first byte of the reply went to the line
    speculative: bool = False

    @property
    def latency(self) -> float | None:
        return None if self.first_audio is None else self.first_audio - self.speech_end

    def log(self) -> None:
        """One line per turn, figures only (never the words)."""
        if self.first_audio is None:
            return
        log.info(
            "turn: end of speech +%.0f ms committed, asr %.0f ms%s, engine %.1f ms, "
            "first tts %.0f ms, first audio +%.0f ms",
            (self.committed - self.speech_end) * 1000,
            self.asr_seconds * 1000,
            " (speculative)" if self.speculative else "",
            self.engine_seconds * 1000,
            self.tts_first_seconds * 1000,
            (self.first_audio - self.speech_end) * 1000,
        )


@dataclass
class _Heard:
    """An utterance the VAD closed, with its (maybe already running) transcription."""

    audio: Pcm
    start: int  # timeline samples
    timing: TurnTiming
    transcript: asyncio.Task[tuple[str, float]] | None = None


class _Counter:
    """Transcriptions running in this process (on any thread)."""

    def __init__(self) -> None:
        self._n = 0
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            self._n += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._n -= 1

    @property
    def busy(self) -> bool:
        return self._n > 0


TRANSCRIBING = _Counter()
_SILENCE = _Heard(np.zeros(0, dtype=np.int16), 0, TurnTiming(0.0))


def _rms(audio: Pcm) -> float:
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if len(audio) else 0.0


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


class CallSession:
    def __init__(
        self,
        *,
        conversation: Conversation,
        line: Line,
        recognizer: Recognizer,
        synthesizer: Synthesizer,
        detector: VoiceDetector,
        answered: datetime,
        language: str | None = None,
        hot_words: Sequence[str] = (),
        interruption: Interruption | None = None,
        tuning: VoiceTuning | None = None,
    ) -> None:
        self.conversation = conversation
        self.line = line
        self.recognizer = recognizer
        self.synthesizer = synthesizer
        self.detector = detector
        self.answered = answered
        self.language = language
        self.hot_words = list(hot_words)
        self.interruption = interruption or Interruption()
        self.tuning = tuning or VoiceTuning()
        self.recording = Recording(max_seconds=self.tuning.max_call_seconds + 60)
        self.utterances: list[Utterance] = []
        self.turns: list[TurnTiming] = []
        self.flags: dict[str, Any] = {}
        self.hangup_side = "assistant"

        self._heard: asyncio.Queue[_Heard | None] = asyncio.Queue()
        self._line_ended = False
        self._waiting = False  # the loop waits for the callee (silence is counted)
        self._answering = False  # between hearing an utterance and having answered it
        self._barged = False
        self._speaking_since = 0  # timeline sample where the current reply began
        self._last_activity = 0  # timeline sample of the last speech or playback end
        # VAD state (all in timeline samples)
        self._vad_buf = np.zeros(0, dtype=np.int16)
        self._preroll: list[Pcm] = []
        self._speech: list[Pcm] | None = None  # the utterance being heard
        self._speech_start = 0
        self._speech_len = 0  # samples in the utterance being heard
        self._voiced = 0  # speech samples in the current utterance
        self._silent_run = 0
        self._overlap = 0  # samples of callee speech while the assistant speaks
        self._guess: asyncio.Task[tuple[str, float]] | None = None
        self._guess_len = 0
        self._last_voiced_at = 0.0
        self._keyword_check: asyncio.Task[None] | None = None
        self._hangup = False
        self._start_of = 0
        self._clearing: asyncio.Future[None] | None = None

    @property
    def busy(self) -> bool:
        """The session is working: answering a turn, or checking a talk-over for a
        keyword. (Tests hold their scripted line's audio meanwhile.)"""
        checking = self._keyword_check is not None and not self._keyword_check.done()
        return self._answering or checking

    @property
    def ended_at(self) -> datetime:
        """The call's end on its own timeline (what was heard or played, whichever is later)."""
        return self._at(max(self.recording.position, self.recording.speaking_until))

    # -- timeline ------------------------------------------------------------------

    def _ms(self, ms: float) -> int:
        return int(ms * SAMPLE_RATE / 1000)

    def _at(self, sample: int) -> datetime:
        return self.answered + timedelta(seconds=sample / SAMPLE_RATE)

    @property
    def speaking(self) -> bool:
        return self.recording.speaking_until > self.recording.position

    # -- the call ------------------------------------------------------------------

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen(), name="voice-listen")
        try:
            self._answering = True
            # engines may block (an LLM's HTTP turn): they run off the event loop, which
            # carries every other call's audio
            await self._act(await asyncio.to_thread(self.conversation.start), timing=None)
            while not self._closing():
                self._answering = False
                heard = await self._next_heard()
                self._answering = True
                if heard is None:
                    if self._line_ended:
                        break
                    actions = await asyncio.to_thread(self.conversation.silence)
                    await self._act(actions, timing=None)
                else:
                    await self._turn(heard)
        finally:
            self._answering = False
            if self._line_ended:
                self.hangup_side = "callee"
            else:
                await self._wait_played()
                await self.line.close()
            listener.cancel()
            for task in (listener, self._guess, self._keyword_check):
                if task is not None:
                    task.cancel()
            await asyncio.gather(listener, return_exceptions=True)

    async def _turn(self, heard: _Heard) -> None:
        """One callee utterance: words, the engine's answer, and speaking it."""
        text = await self._transcript(heard)
        if not text:
            return
        self.utterances.append(Utterance("customer", text, self._at(heard.start)))
        t0 = time.perf_counter()
        actions = await asyncio.to_thread(self.conversation.hear, text)
        heard.timing.engine_seconds = time.perf_counter() - t0
        self.turns.append(heard.timing)
        await self._act(actions, timing=heard.timing)
        heard.timing.log()

    def _closing(self) -> bool:
        # what the callee said before hanging up is still heard (an answer counts)
        return (
            (self._line_ended and self._heard.empty())
            or self._hangup
            or self.conversation.finished
            or self.recording.position >= self._ms(self.tuning.max_call_seconds * 1000)
        )

    async def _next_heard(self) -> _Heard | None:
        """The next utterance; None on the line's end or when the callee stays silent."""
        self._waiting = True
        try:
            heard = await self._heard.get()
        finally:
            self._waiting = False
        return None if heard is _SILENCE else heard

    async def _transcript(self, heard: _Heard) -> str:
        if heard.transcript is None:
            heard.transcript = asyncio.create_task(self._transcribe(heard.audio))
        text, seconds = await heard.transcript
        heard.timing.asr_seconds = seconds
        if self.language == "zh":
            text = soundalike.correct(text, self.hot_words)
        return text.strip()

    async def _transcribe(self, audio: Pcm) -> tuple[str, float]:
        t0 = time.perf_counter()
        text = await asyncio.to_thread(self._transcribe_now, audio)
        return text, time.perf_counter() - t0

    def _transcribe_now(self, audio: Pcm) -> str:
        with TRANSCRIBING:
            return self.recognizer.transcribe(
                audio, language=self.language, hot_words=self.hot_words
            )

    # -- speaking ------------------------------------------------------------------

    async def _act(self, actions: list[Action], *, timing: TurnTiming | None) -> None:
        self._barged = False
        self._speaking_since = -1
        first = True
        for action in actions:
            if action.kind == ActionKind.SAY:
                if self._barged or self._line_ended:
                    continue
                said = await self._say(action.text, timing=timing if first else None)
                first = False
                if said:
                    self.utterances.append(Utterance("system", said, self._at(self._start_of)))
            elif action.kind == ActionKind.NOTE:
                self.utterances.append(Utterance("note", action.text, self._at(self._now)))
                if action.text.startswith("knowledge "):
                    self.flags["knowledge_questions"] = self.flags.get("knowledge_questions", 0) + 1
            else:
                if action.kind == ActionKind.HANGUP:
                    self._hangup = True
                note_request(action, self.flags)

    @property
    def _now(self) -> int:
        return self.recording.position

    async def _say(self, text: str, *, timing: TurnTiming | None) -> str:
        """Speak `text` clause by clause; returns what was queued before any barge-in."""
        said: list[str] = []
        for clause in clauses(text):
            t0 = time.perf_counter()
            pcm = await asyncio.to_thread(self.synthesizer.synthesize, clause)
            if self._barged or self._line_ended:
                break
            if timing is not None and timing.first_audio is None:
                timing.tts_first_seconds = time.perf_counter() - t0
            start, _ = self.recording.speak(pcm)
            if self._speaking_since < 0:
                self._speaking_since = start  # the reply's first clause: barge-in counts from here
            if not said:
                self._start_of = start
            await self.line.play(pcm)
            if timing is not None and timing.first_audio is None:
                timing.first_audio = time.monotonic()
            said.append(clause)
        sep = "" if said and not said[0][-1:].isascii() else " "
        return sep.join(said)

    async def _wait_played(self) -> None:
        """Let the last words play out before hanging up (bounded by the audio queued)."""
        while self.speaking and not self._line_ended:
            left = (self.recording.speaking_until - self.recording.position) / SAMPLE_RATE
            await asyncio.sleep(min(0.1, max(0.02, left)))

    def _barge_in(self) -> None:
        self._barged = True
        self.recording.cut()
        self._clearing = asyncio.ensure_future(self.line.clear())
        log.info("barge-in at %.2fs", self.recording.position / SAMPLE_RATE)

    # -- listening -----------------------------------------------------------------

    async def _listen(self) -> None:
        try:
            async for pcm in self.line.frames():
                self.recording.hear(pcm)
                self._vad(pcm)
                if self._waiting and self._speech is None and not self.speaking:
                    quiet = self.recording.position - max(
                        self._last_activity, self.recording.speaking_until
                    )
                    if quiet >= self._ms(self.tuning.no_reply_seconds * 1000):
                        self._last_activity = self.recording.position
                        self._waiting = False
                        self._heard.put_nowait(_SILENCE)
        finally:
            self._line_ended = True
            self._heard.put_nowait(None)

    def _vad(self, pcm: Pcm) -> None:
        size = self.detector.frame_samples
        buf = np.concatenate([self._vad_buf, pcm]) if len(self._vad_buf) else pcm
        n = len(buf) // size * size
        for i in range(0, n, size):
            self._frame(buf[i : i + size])
        self._vad_buf = buf[n:]

    def _frame(self, frame: Pcm) -> None:
        t = self.tuning
        p = self.detector.probability(frame)
        if self._speech is None:
            self._preroll.append(frame)
            keep = max(1, self._ms(t.preroll_ms) // len(frame))
            del self._preroll[:-keep]
            if p >= t.speech_threshold:
                self._speech = list(self._preroll)
                self._preroll = []
                self._speech_len = sum(len(f) for f in self._speech)
                self._speech_start = self.recording.position - self._speech_len
                self._voiced = len(frame)
                self._silent_run = 0
                self._overlap = len(frame) if self.speaking else 0
                self._last_voiced_at = time.monotonic()
            return
        self._speech.append(frame)
        self._speech_len += len(frame)
        if p >= t.silence_threshold:
            if self._silent_run and self._guess is not None:
                self._drop_guess()  # they went on talking
            self._silent_run = 0
            self._voiced += len(frame)
            self._last_voiced_at = time.monotonic()
            self._last_activity = self.recording.position
            if self.speaking:
                self._overlap += len(frame)
                self._maybe_barge_in()
            else:
                self._overlap = 0
        else:
            self._silent_run += len(frame)
        length = self._speech_len
        if self._silent_run >= self._ms(t.pause_ms) and self._guess is None:
            idle = not TRANSCRIBING.busy  # under load, the CPU goes to certain utterances
            if idle and self._voiced >= self._ms(t.min_speech_ms) and not self.speaking:
                audio = np.concatenate(self._speech)
                self._guess = asyncio.create_task(self._transcribe(audio))
                self._guess_len = length
        if self._silent_run >= self._ms(t.end_silence_ms) or length >= self._ms(
            t.max_utterance_seconds * 1000
        ):
            self._end_utterance()

    def _drop_guess(self) -> None:
        if self._guess is not None:
            self._guess.cancel()
            self._guess = None

    def _end_utterance(self) -> None:
        speech, self._speech = self._speech or [], None
        guess, self._guess = self._guess, None
        self._last_activity = self.recording.position
        if self._voiced < self._ms(self.tuning.min_speech_ms):
            if guess is not None:
                guess.cancel()
            return  # a click or a cough
        audio = np.concatenate(speech)
        if guess is not None and self._guess_len != len(audio):
            # The guess was made at a pause and the VAD heard no speech since; but a soft
            # last syllable can sit under its threshold: keep the guess only if what came
            # after it is quiet next to the utterance (16 dB down).
            after = audio[self._guess_len :]
            trailing = len(audio) - self._guess_len
            if trailing > self._silent_run or _rms(after) > 0.16 * _rms(audio):
                guess.cancel()
                guess = None
        timing = TurnTiming(speech_end=self._last_voiced_at, committed=time.monotonic())
        timing.speculative = guess is not None
        self._heard.put_nowait(_Heard(audio, self._speech_start, timing, guess))

    def _maybe_barge_in(self) -> None:
        rule = self.interruption
        if rule.method == "none" or self._barged:
            return
        since = self._speaking_since
        if since < 0 or self.recording.position - since < self._ms(rule.uninterruptible_ms):
            return
        if self._overlap < self._ms(rule.talk_over_ms):
            return
        if rule.method == "keyword":
            if self._keyword_check is None or self._keyword_check.done():
                audio = np.concatenate(self._speech or [])
                self._keyword_check = asyncio.create_task(self._check_keyword(audio))
            return
        self._barge_in()

    async def _check_keyword(self, audio: Pcm) -> None:
        text, _ = await self._transcribe(audio)
        words = [w.lower() for w in (*self.hot_words, *STOP_WORDS)]
        if any(w and w in text.lower() for w in words) and self.speaking:
            self._barge_in()


def listening_words(config: dict[str, Any], limit: int = 40) -> list[str]:
    """Words the recognizer should expect: the hot words, then the preset answers of the
    questions (a callee mostly answers with one of them)."""
    words = [str(h.get("word") or "") for h in config.get("hotWords") or []]
    for q in config.get("collect") or []:
        words += [str(a) for a in q.get("answers") or []]
    return list(dict.fromkeys(w for w in words if w.strip()))[:limit]


class VoiceRuntime:
    """Runs answered calls as spoken conversations; carriers and the websocket share it."""

    def __init__(
        self, speech: Any, recordings_dir: Path, tuning: VoiceTuning | None = None
    ) -> None:
        self.speech = speech  # voxdial.voice.models.SpeechModels
        self.recordings_dir = recordings_dir
        self.tuning = tuning or VoiceTuning()

    def session(
        self, context: CallContext, conversation: Conversation, line: Line, answered: datetime
    ) -> CallSession:
        config = context.assistant
        language = context.language
        return CallSession(
            conversation=conversation,
            line=line,
            recognizer=self.speech.recognizer(config.get("listenerId"), language=language),
            synthesizer=self.speech.synthesizer(config.get("speakerId"), language=language),
            detector=self.speech.detector(),
            answered=answered,
            language=language,
            hot_words=listening_words(config),
            interruption=Interruption.from_config(config.get("interruption")),
            tuning=self.tuning,
        )

    async def talk(
        self,
        request: DialRequest,
        *,
        engine: ConversationEngine,
        line: Line,
        clock: Clock,
        started: datetime,
        answered: datetime,
    ) -> CallResult:
        """The whole answered call; returns when either side hangs up."""
        conversation = engine.begin(request.context)
        session = self.session(request.context, conversation, line, answered)
        try:
            await session.run()
        except Exception:
            log.exception("spoken call %s failed", request.session_id[:8])
            session.hangup_side = "system"
        ended = max(clock.now(), session.ended_at)
        record_file = self.save_recording(request.session_id, session, answered)
        return CallResult(
            HangupReason.ANSWERED,
            started,
            answered,
            ended,
            session.hangup_side,
            utterances=session.utterances,
            collected=list(conversation.collected),
            extra={"spoken": True},
            record_file=record_file,
            **session.flags,
        )

    def save_recording(self, session_id: str, session: CallSession, answered: datetime) -> str:
        """Write the call's WAV; returns its path under `recordings_dir` ("" if none)."""
        if session.recording.position == 0 and session.recording.speaking_until == 0:
            return ""
        name = f"{answered:%Y/%m/%d}/{session_id or uuid.uuid4().hex}.wav"
        try:
            session.recording.save(self.recordings_dir / name)
        except OSError:
            log.exception("could not save the recording of %s", session_id[:8])
            return ""
        return name
