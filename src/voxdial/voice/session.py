"""The spoken call: hear the callee, let the engine decide, speak its reply, in real time.

One `CallSession` per answered call, on the event loop of the line that carries it:

    line.frames() -> recording + VAD -> utterance -> ASR -> engine -> clauses -> TTS -> line

- **Listening** (`voice.endpointing`): the VAD marks speech and the endpointer turns its
  frames into events. At a short pause the utterance so far is transcribed
  speculatively, so by the time the silence is long enough to be an end of speech the
  words are usually ready; if the callee goes on talking the guess is dropped.
- **Speaking** (`voice.playback`): each SAY is spoken clause by clause; callee speech
  over it may barge in, by the assistant's `interruption` rule. An engine that streams
  its turns (`stream_turn`, the `openai` engine) has its first clause spoken while it
  is still writing the rest (`VoiceTuning.stream_replies`); the clauses said in a row
  are one utterance of the transcript.
- **Silence.** No speech for `no_reply_seconds` after the assistant stops: the engine's
  `silence()` turn. **Hang-up:** when `line.frames()` ends.
- **Who answered** (`voice.answering`, when the session has an `Answering`): the
  callee's first audio goes to the answer detector and the assistant stays silent
  until it decides; a machine's call ends there (or gets the voicemail message), a
  person's conversation starts.
- **Keys** (`voice.keypad`): tones found in the callee's audio and the line's
  out-of-band keys go to the engine's `press()` (engines without it ignore keys); a key
  the question asked accepts interrupts the assistant. A `KEYS` action sends keys, out
  of band when the line can, else as tones. Each key is a `dtmf` line of the trace.

Two tasks share the session: the listener (frames in, utterances out, barge-in) and the
call loop (one turn at a time), joined by a queue of typed items (`Heard`, `NoReply`,
`LineEnded`, `Key`). Time inside the call is the recording's timeline (callee samples
received), so the trace, the WAV and the barge-in rules agree even when the line is late
or bursty.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from voxdial.conversation.calls import Utterance, note_request
from voxdial.conversation.engine import Action, ActionKind, Conversation
from voxdial.conversation.notes import KNOWLEDGE_NOTES, note_kind
from voxdial.voice import dtmf, soundalike
from voxdial.voice.answer_types import AnswerDecision
from voxdial.voice.answering import Answering, trace_content
from voxdial.voice.asr_scheduler import TRANSCRIBING, Priority, StaleGuess, guess_rule
from voxdial.voice.audio import Recording
from voxdial.voice.base import (
    SAMPLE_RATE,
    Line,
    Pcm,
    Recognizer,
    Synthesizer,
    TranscriptLine,
    VoiceDetector,
)
from voxdial.voice.dtmf import Key, KeyLine
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
from voxdial.voice.handover import Handover
from voxdial.voice.keypad import Keypad, trace_text
from voxdial.voice.playback import (
    Interruption,
    Playback,
    Said,
    TalkOverVerdict,
    join_clauses,
    says_stop,
)
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
        on_turn: Callable[[TurnTiming], None] | None = None,
        answering: Answering | None = None,
    ) -> None:
        self.conversation = conversation
        self.on_turn = on_turn  # each answered turn's timing (metrics, the dialer's pace)
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
        self.extra: dict[str, Any] = {}  # for the call record's `extra` (`transfer`)
        self.hangup_side = "assistant"
        self.answering = answering
        self.answer: AnswerDecision | None = None  # the answer detector's decision
        self._conversing = answering is None  # the callee's audio goes to the endpointer

        self._queue: asyncio.Queue[Heard | NoReply | LineEnded | Key] = asyncio.Queue()
        self._keypad = Keypad()
        self._line_ended = False
        self._ended = asyncio.Event()  # set with _line_ended
        self._waiting = False  # the loop waits for the callee (silence is counted)
        self._answering = False  # between hearing an utterance and having answered it
        self._hangup = False
        self._no_reply_at = 0  # timeline sample of the last silence turn
        self._framer = Framer(detector.frame_samples)
        # under load, the CPU goes to certain utterances, not to speculative guesses
        self._endpointer = Endpointer(self.tuning, may_guess=guess_rule(recognizer))
        self._guess: asyncio.Task[tuple[str, float]] | None = None
        self._guess_job: Future | None = None  # the guess's place in the ASR queue
        self._keyword_check: asyncio.Task[None] | None = None
        self.handover = Handover(self)  # a TRANSFER's hand-over to a person

    @property
    def busy(self) -> bool:
        """The session is working: answering a turn, or checking a talk-over for a
        keyword. (Tests hold their scripted line's audio meanwhile.)"""
        checking = self._keyword_check is not None and not self._keyword_check.done()
        return self._answering or checking

    @property
    def ended_at(self) -> datetime:
        """The call's end on its own timeline (what was heard or played, whichever is later)."""
        return self.at(self.recording_end)

    @property
    def speaking(self) -> bool:
        return self.playback.speaking

    def at(self, sample: int) -> datetime:
        """The time of timeline sample `sample`."""
        return self.answered + timedelta(seconds=sample / SAMPLE_RATE)

    @property
    def recording_end(self) -> int:
        """The timeline sample where what is queued to the callee ends (now, if none)."""
        return max(self.recording.position, self.recording.speaking_until)

    @property
    def line_ended(self) -> bool:
        return self._line_ended

    @property
    def transferred(self) -> bool:
        """The call went on to a person (a transfer the far end reported connected)."""
        return self.handover.connected

    def hang_up(self) -> None:
        """End the call after this turn (the loop closes)."""
        self._hangup = True

    def stop_listening(self) -> None:
        """The callee talks to someone else now (a bridged transfer): their audio is
        only recorded, no longer heard."""
        self._conversing = False
        self._answering = False  # nothing to answer: the session waits for the end

    async def wait_line_ended(self) -> None:
        await self._ended.wait()

    @property
    def seconds_left(self) -> float:
        """Until the call's time limit (`max_call_seconds`), on its timeline."""
        limit = samples(self.tuning.max_call_seconds * 1000)
        return max(0.0, (limit - self.recording.position) / SAMPLE_RATE)

    # -- the call ------------------------------------------------------------------

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen(), name="voice-listen")
        keys = asyncio.create_task(self._line_keys(), name="voice-keys")
        try:
            if self.answering is not None and not await self._person_answered(self.answering):
                return
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
                elif isinstance(item, Key):
                    await self._press(item)
                elif isinstance(item, NoReply) and not self._line_ended:
                    actions = await asyncio.to_thread(self.conversation.silence)
                    await self._act(actions, timing=None)
                else:
                    break
        finally:
            self._answering = False
            if self.handover.ended_by is not None:  # the transfer ended the call (and line)
                self.hangup_side = self.handover.ended_by
            elif self._line_ended:
                self.hangup_side = "callee"
            else:
                await self.playback.wait_played()
                await self.line.close()
            listener.cancel()
            for task in (listener, keys, self._guess, self._keyword_check):
                if task is not None:
                    task.cancel()
            await asyncio.gather(listener, keys, return_exceptions=True)

    async def _person_answered(self, answering: Answering) -> bool:
        """Wait (silent) for the answer detector; True when the conversation should
        start. A machine's call ends here, after the voicemail message if it gets one."""
        decision = self.answer = await answering.wait()
        at = self.answered + timedelta(milliseconds=decision.decided_at_ms)
        self.utterances.append(Utterance("answer", trace_content(decision), at))
        if not decision.outcome.is_machine:
            self._conversing = True
            return True
        if answering.leaves_message and not self._line_ended:
            await answering.ready()
            if not self._line_ended:
                self.playback.begin_reply()
                said = await self.playback.say(answering.message, timing=None)
                if said is not None:
                    self.utterances.append(Utterance("system", said.text, self.at(said.start)))
        return False

    async def _turn(self, heard: Heard) -> None:
        """One callee utterance: words, the engine's answer, and speaking it."""
        if self._keypad.mostly_keys(heard.start, len(heard.audio)):
            if heard.transcript is not None:
                heard.transcript.cancel()
            return  # key tones: the keys themselves are the reply
        text = await self._transcript(heard)
        if not text:
            return
        await self.spoken(Utterance("customer", text, self.at(heard.start)))
        self.turns.append(heard.timing)
        stream = getattr(self.conversation, "stream_turn", None)
        if stream is not None and self.tuning.stream_replies:
            await self._act_streamed(stream(text), timing=heard.timing)
        else:
            t0 = time.perf_counter()
            actions = await asyncio.to_thread(self.conversation.hear, text)
            heard.timing.engine_seconds = time.perf_counter() - t0
            await self._act(actions, timing=heard.timing)
        heard.timing.log()
        if self.on_turn is not None and heard.timing.first_audio is not None:
            self.on_turn(heard.timing)

    def _closing(self) -> bool:
        # what the callee said before hanging up is still heard (an answer counts)
        return (
            (self._line_ended and self._queue.empty())
            or self._hangup
            or self.conversation.finished
            or self.recording.position >= samples(self.tuning.max_call_seconds * 1000)
        )

    async def _next(self) -> Heard | NoReply | LineEnded | Key:
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
        for action in actions:
            if action.kind == ActionKind.SAY:
                said = await self._say(action, timing)
                if said is not None:
                    await self.spoken(Utterance("system", said.text, self.at(said.start)))
            elif await self._apply(action):
                return  # the callee is with a person now: nothing more is said

    async def _act_streamed(self, actions: AsyncIterator[Action], *, timing: TurnTiming) -> None:
        """A streaming engine's turn (`stream_turn`): each clause is spoken as soon as the
        engine yields it, while the engine goes on with the rest of its reply. The
        clauses said in a row are one utterance of the transcript."""
        self.playback.begin_reply()
        queue: asyncio.Queue[Action | None] = asyncio.Queue()
        engine = asyncio.create_task(self._run_engine(actions, queue, timing))
        said: list[Said] = []
        try:
            while (action := await queue.get()) is not None:
                if action.kind == ActionKind.SAY:
                    if (clause := await self._say(action, timing)) is not None:
                        said.append(clause)
                    continue
                await self._said(said)
                said = []
                if await self._apply(action):
                    return  # the callee is with a person now
        finally:
            await self._said(said)
            engine.cancel()
            await asyncio.gather(engine, return_exceptions=True)
        engine.result()  # the engine's own failure, if any, is the turn's

    async def _run_engine(
        self,
        actions: AsyncIterator[Action],
        queue: asyncio.Queue[Action | None],
        timing: TurnTiming,
    ) -> None:
        t0 = time.perf_counter()
        try:
            async for action in actions:
                queue.put_nowait(action)
        finally:
            timing.engine_seconds = time.perf_counter() - t0
            queue.put_nowait(None)

    async def _say(self, action: Action, timing: TurnTiming | None) -> Said | None:
        """Speak one SAY, unless the reply was interrupted or the callee hung up."""
        if self.playback.barged or self._line_ended:
            return None
        return await self.playback.say(action.text, timing=timing)

    async def _said(self, parts: list[Said]) -> None:
        if parts:
            text = join_clauses([p.text for p in parts])
            await self.spoken(Utterance("system", text, self.at(parts[0].start)))

    async def _apply(self, action: Action) -> bool:
        """A turn's action other than speech: a trace note, keys to send, a transfer, or a
        request of the call. True once a transfer put the callee through to a person
        (the actions after a failed one are the flow going on)."""
        if action.kind == ActionKind.KEYS:
            await self._send_keys(action.text)
            return False
        if action.kind == ActionKind.TRANSFER and action.text:
            return await self.handover.run(action)
        if action.kind == ActionKind.NOTE:
            at = self.at(self.recording.position)
            self.utterances.append(Utterance("note", action.text, at))
            if note_kind(action) in KNOWLEDGE_NOTES:
                self.flags["knowledge_questions"] = self.flags.get("knowledge_questions", 0) + 1
            return False
        if action.kind == ActionKind.HANGUP:
            self._hangup = True
        note_request(action, self.flags)
        return False

    async def spoken(self, utterance: Utterance) -> None:
        """Keep what either side said, and show it on a line that shows the words."""
        self.utterances.append(utterance)
        if isinstance(self.line, TranscriptLine):
            who = "callee" if utterance.side == "customer" else "assistant"
            await self.line.transcript(who, utterance.text)

    # -- listening -----------------------------------------------------------------

    async def _listen(self) -> None:
        try:
            async for pcm in self.line.frames():
                self.recording.hear(pcm)
                if not self._conversing:
                    if self.answering is not None and self.answering.listening:
                        await self.answering.feed(pcm)
                    continue
                for key in self._keypad.hear(pcm):
                    self._pressed(key)
                for frame in self._framer(pcm):
                    self._frame(frame)
                if self._waiting and not self._endpointer.hearing and not self.speaking:
                    self._watch_silence()
            if self.answering is not None:
                await self.answering.end()
        finally:
            if self.answering is not None:
                self.answering.close()
            self._line_ended = True
            self._ended.set()
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

    # -- keys ----------------------------------------------------------------------

    async def _line_keys(self) -> None:
        """The line's out-of-band keys, stamped with the call's timeline."""
        if not isinstance(self.line, KeyLine):
            return
        async for key in self.line.keys():
            ms = self.recording.position * 1000 // SAMPLE_RATE
            self._pressed(Key(key.digit, key.source, ms))

    def _pressed(self, key: Key) -> None:
        """A key from the callee: traced, and handed to the call loop; one the question
        accepts interrupts the assistant."""
        if self.handover.joined or not self._keypad.take(key):
            return  # (keys to the agent after a bridge are theirs, not the assistant's)
        at = self.answered + timedelta(milliseconds=key.at_ms)
        text = trace_text(key.digit, direction="in", source=key.source)
        self.utterances.append(Utterance("dtmf", text, at))
        self._no_reply_at = self.recording.position  # a key is a reply: no silence turn
        accepts = getattr(self.conversation, "accepts_key", None)
        if self.speaking and accepts is not None and accepts(key.digit):
            self.playback.barge_in()
        self._queue.put_nowait(key)

    async def _press(self, key: Key) -> None:
        press = getattr(self.conversation, "press", None)
        actions = await asyncio.to_thread(press, key.digit) if press is not None else None
        if actions is not None:  # None: the question asked takes no keys
            await self._act(actions, timing=None)

    async def _send_keys(self, digits: str) -> None:
        """Send `digits` to the callee: out of band when the line can, else as tones."""
        if not dtmf.valid_digits(digits, pauses=True) or self._line_ended:
            return
        start = max(self.recording.position, self.recording.speaking_until)
        sent = await self.line.send_keys(digits) if isinstance(self.line, KeyLine) else None
        if sent is None:  # the line sends no keys out of band: tones, after what is queued
            pcm = dtmf.tones(digits)
            start, _ = self.recording.speak(pcm)
            await self.line.play(pcm)
        source = sent or dtmf.KeySource.INBAND
        at = self.at(start)
        for digit in digits.upper().replace(dtmf.PAUSE, ""):
            text = trace_text(digit, direction="out", source=source)
            self.utterances.append(Utterance("dtmf", text, at))
