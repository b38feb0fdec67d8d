"""The spoken call: hear the callee, let the engine decide, speak its reply, in real time.

One `CallSession` per answered call, on the event loop of the line that carries it:

    line.frames() -> recording + VAD -> utterance -> ASR -> engine -> clauses -> TTS -> line

- **Listening** (`voice.endpointing`): the VAD marks speech and the endpointer turns its
  frames into events. At a short pause the utterance so far is transcribed
  speculatively, so by the time the silence is long enough to be an end of speech the
  words are usually ready; if the callee goes on talking the guess is dropped.
- **Speaking** (`voice.playback`): each SAY is spoken clause by clause; callee speech
  over it may barge in, by the assistant's `interruption` rule.
- **Silence.** No speech for `no_reply_seconds` after the assistant stops: the engine's
  `silence()` turn. **Hang-up:** when `line.frames()` ends.

Two tasks share the session: the listener (frames in, utterances out, barge-in) and the
call loop (one turn at a time), joined by a queue of typed items (`Heard`, `NoReply`,
`LineEnded`). Time inside the call is the recording's timeline (callee samples
received), so the trace, the WAV and the barge-in rules agree even when the line is late
or bursty.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from voxdial.conversation.calls import Utterance, note_request
from voxdial.conversation.engine import Action, ActionKind, Conversation
from voxdial.conversation.notes import KNOWLEDGE_NOTES, note_kind
from voxdial.voice import soundalike
from voxdial.voice.asr_scheduler import Priority, StaleGuess
from voxdial.voice.audio import Recording
from voxdial.voice.base import SAMPLE_RATE, Line, Pcm, Recognizer, Synthesizer, VoiceDetector
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
from voxdial.voice.playback import Interruption, Playback, TalkOverVerdict, says_stop
from voxdial.voice.tuning import VoiceTuning
from voxdial.voice.turns import TurnTiming


@dataclass
class Heard:
    """An utterance the endpointer closed, with its (maybe already running) transcription."""

    audio: Pcm
    start: int  # timeline samples
    timing: TurnTiming
    transcript: asyncio.Task[tuple[str, float]] | None = None


@dataclass(frozen=True, slots=True)
class NoReply:
    """The callee stayed silent for `no_reply_seconds` while the loop waited."""


@dataclass(frozen=True, slots=True)
class LineEnded:
    """The line's frames ended: the callee hung up or the line dropped."""


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
        self.detector = detector
        self.answered = answered
        self.language = language
        self.hot_words = list(hot_words)
        self.tuning = tuning or VoiceTuning()
        self.recording = Recording(max_seconds=self.tuning.max_call_seconds + 60)
        self.playback = Playback(
            line=line,
            synthesizer=synthesizer,
            recording=self.recording,
            interruption=interruption or Interruption(),
        )
        self.utterances: list[Utterance] = []
        self.turns: list[TurnTiming] = []
        self.flags: dict[str, Any] = {}
        self.hangup_side = "assistant"

        self._queue: asyncio.Queue[Heard | NoReply | LineEnded] = asyncio.Queue()
        self._line_ended = False
        self._waiting = False  # the loop waits for the callee (silence is counted)
        self._answering = False  # between hearing an utterance and having answered it
        self._hangup = False
        self._no_reply_at = 0  # timeline sample of the last silence turn
        self._framer = Framer(detector.frame_samples)
        # under load, the CPU goes to certain utterances, not to speculative guesses
        self._endpointer = Endpointer(self.tuning, may_guess=lambda: not TRANSCRIBING.busy)
        self._guess: asyncio.Task[tuple[str, float]] | None = None
        self._guess_job: Future | None = None  # the guess's place in the ASR queue
        self._keyword_check: asyncio.Task[None] | None = None

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

    @property
    def speaking(self) -> bool:
        return self.playback.speaking

    def _at(self, sample: int) -> datetime:
        return self.answered + timedelta(seconds=sample / SAMPLE_RATE)

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
                item = await self._next()
                self._answering = True
                if isinstance(item, Heard):
                    await self._turn(item)
                elif isinstance(item, NoReply) and not self._line_ended:
                    actions = await asyncio.to_thread(self.conversation.silence)
                    await self._act(actions, timing=None)
                else:
                    break
        finally:
            self._answering = False
            if self._line_ended:
                self.hangup_side = "callee"
            else:
                await self.playback.wait_played()
                await self.line.close()
            listener.cancel()
            for task in (listener, self._guess, self._keyword_check):
                if task is not None:
                    task.cancel()
            await asyncio.gather(listener, return_exceptions=True)

    async def _turn(self, heard: Heard) -> None:
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
            (self._line_ended and self._queue.empty())
            or self._hangup
            or self.conversation.finished
            or self.recording.position >= samples(self.tuning.max_call_seconds * 1000)
        )

    async def _next(self) -> Heard | NoReply | LineEnded:
        """The next utterance, or word that the callee stays silent or hung up."""
        self._waiting = True
        try:
            return await self._queue.get()
        finally:
            self._waiting = False

    async def _transcript(self, heard: Heard) -> str:
        if heard.transcript is None:
            heard.transcript = asyncio.create_task(self._transcribe(heard.audio))
        try:
            text, seconds = await heard.transcript
        except StaleGuess:  # the scheduler dropped the speculative decode: do the turn's
            text, seconds = await self._transcribe(heard.audio)
        heard.timing.asr_seconds = seconds
        if self.language == "zh":
            text = soundalike.correct(text, self.hot_words)
        return text.strip()

    async def _transcribe(self, audio: Pcm, *, job: Future | None = None) -> tuple[str, float]:
        t0 = time.perf_counter()
        with TRANSCRIBING:
            job = job or self._submit(audio, Priority.TURN)
            if job is not None:  # the wait in the scheduler's queue holds no thread
                text = await asyncio.wrap_future(job)
            else:
                text = await asyncio.to_thread(
                    self.recognizer.transcribe,
                    audio,
                    language=self.language,
                    hot_words=self.hot_words,
                )
        return text, time.perf_counter() - t0

    def _submit(self, audio: Pcm, priority: Priority) -> Future | None:
        """`audio` queued on the worker's ASR scheduler (voice/asr_scheduler.py), which
        puts guesses behind every call's finished turns; None: a plain recognizer."""
        submit = getattr(self.recognizer, "submit", None)
        if submit is None:
            return None
        return submit(audio, language=self.language, hot_words=self.hot_words, priority=priority)

    # -- the engine's actions --------------------------------------------------------

    async def _act(self, actions: list[Action], *, timing: TurnTiming | None) -> None:
        self.playback.begin_reply()
        first = True
        for action in actions:
            if action.kind == ActionKind.SAY:
                if self.playback.barged or self._line_ended:
                    continue
                said = await self.playback.say(action.text, timing=timing if first else None)
                first = False
                if said is not None:
                    self.utterances.append(Utterance("system", said.text, self._at(said.start)))
            elif action.kind == ActionKind.NOTE:
                at = self._at(self.recording.position)
                self.utterances.append(Utterance("note", action.text, at))
                if note_kind(action) in KNOWLEDGE_NOTES:
                    self.flags["knowledge_questions"] = self.flags.get("knowledge_questions", 0) + 1
            else:
                if action.kind == ActionKind.HANGUP:
                    self._hangup = True
                note_request(action, self.flags)

    # -- listening -----------------------------------------------------------------

    async def _listen(self) -> None:
        try:
            async for pcm in self.line.frames():
                self.recording.hear(pcm)
                for frame in self._framer(pcm):
                    self._frame(frame)
                if self._waiting and not self._endpointer.hearing and not self.speaking:
                    self._watch_silence()
        finally:
            self._line_ended = True
            self.playback.stop()
            self._queue.put_nowait(LineEnded())

    def _watch_silence(self) -> None:
        position = self.recording.position
        last = max(self._endpointer.last_speech, self._no_reply_at)
        quiet = position - max(last, self.recording.speaking_until)
        if quiet >= samples(self.tuning.no_reply_seconds * 1000):
            self._no_reply_at = position
            self._waiting = False
            self._queue.put_nowait(NoReply())

    def _frame(self, frame: Pcm) -> None:
        events = self._endpointer.feed(
            frame,
            self.detector.probability(frame),
            position=self.recording.position,
            speaking=self.speaking,
        )
        for event in events:
            match event:
                case Pause(audio=audio):
                    self._drop_guess()
                    self._guess_job = self._submit(audio, Priority.SPECULATIVE)
                    self._guess = asyncio.create_task(self._transcribe(audio, job=self._guess_job))
                case Resumed():
                    self._drop_guess()
                case TalkOver():
                    self._talk_over(event)
                case EndOfSpeech():
                    self._end_of_speech(event)
                case Noise():
                    self._drop_guess()

    def _drop_guess(self) -> None:
        if self._guess_job is not None:
            self._guess_job.cancel()  # the scheduler skips it if it has not started
            self._guess_job = None
        if self._guess is not None:
            self._guess.cancel()
            self._guess = None

    def _end_of_speech(self, event: EndOfSpeech) -> None:
        if not event.keep_guess:
            self._drop_guess()
        guess, self._guess = self._guess, None
        job, self._guess_job = self._guess_job, None
        promote = getattr(self.recognizer, "promote", None)
        if job is not None and promote is not None:
            promote(job)  # the callee now waits for the guess: it is the turn's job
        timing = TurnTiming(speech_end=event.speech_end, committed=time.monotonic())
        timing.speculative = guess is not None
        self._queue.put_nowait(Heard(event.audio, event.start, timing, guess))

    def _talk_over(self, event: TalkOver) -> None:
        verdict = self.playback.talk_over(event.overlap)
        if verdict == TalkOverVerdict.BARGE_IN:
            self.playback.barge_in()
        elif verdict == TalkOverVerdict.CHECK_WORDS:
            if self._keyword_check is None or self._keyword_check.done():
                self._keyword_check = asyncio.create_task(self._check_keyword(event.audio))

    async def _check_keyword(self, audio: Pcm) -> None:
        text, _ = await self._transcribe(audio)
        if says_stop(text, self.hot_words) and self.speaking:
            self.playback.barge_in()
