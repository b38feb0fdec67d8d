"""A streaming engine's reply in a spoken call: its first clause goes to speech while the
engine is still at work, barge-in drops the clauses still to come, and the transcript
holds the reply once. Tone fakes for the speech parts and a scripted streaming engine;
the same path against a real model server is in tests/test_openai_engine.py.

Order is checked by the events each side logs, never by timings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.support.voice import EnergyDetector, ScriptedLine, ToneRecognizer, ToneSynthesizer
from tests.test_voice_session import ANSWERED, ASSISTANT, WORDS, run, said
from voxdial.conversation.engine import Action, ActionKind, CallContext, Conversation
from voxdial.conversation.script import ScriptEngine
from voxdial.voice.playback import Interruption, clauses
from voxdial.voice.session import CallSession
from voxdial.voice.tuning import VoiceTuning

THANKS = "Thank you, that is noted."


class LoggingSynthesizer(ToneSynthesizer):
    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    def synthesize(self, text: str):
        self.log.append(f"synth: {text}")
        return super().synthesize(text)


class LoggingLine(ScriptedLine):
    def __init__(self, replies, log: list[str]) -> None:
        super().__init__(replies)
        self.log = log

    async def play(self, audio) -> None:
        self.log.append("play")
        await super().play(audio)


class StreamingScript:
    """The script engine's conversation, its turns also streamed (`stream_turn`): each
    reply opens with a thank-you, then the script's own words, one clause at a time.
    After its first clause the stream waits (bounded) until that clause has reached the
    synthesizer, then logs `engine: end` when it is done: a session that awaited the
    whole reply before speaking logs the end first."""

    def __init__(self, inner: Conversation, log: list[str], *, wait_for: str = "synth") -> None:
        self.inner = inner
        self.log = log
        self.wait_for = wait_for  # "synth": the first clause synthesized; "play": queued
        self.on_first = None  # called once that happened

    @property
    def collected(self):
        return self.inner.collected

    @property
    def finished(self) -> bool:
        return self.inner.finished

    def start(self) -> list[Action]:
        return self.inner.start()

    def silence(self) -> list[Action]:
        return self.inner.silence()

    def _reply(self, text: str) -> list[Action]:
        # as the `openai` engine streams a turn: its words first, then what it decided
        actions = self.inner.hear(text)
        says = [a for a in actions if a.kind == ActionKind.SAY]
        rest = [a for a in actions if a.kind != ActionKind.SAY]
        return [Action(ActionKind.SAY, THANKS), *says, *rest]

    def hear(self, text: str) -> list[Action]:
        actions = self._reply(text)
        self.log.append("engine: end")
        return actions

    async def stream_turn(self, text: str) -> AsyncIterator[Action]:
        first = True
        for action in self._reply(text):
            if action.kind != ActionKind.SAY:
                yield action
                continue
            for clause in clauses(action.text):
                self.log.append(f"engine: {clause}")
                yield Action(ActionKind.SAY, clause)
                if first:
                    first = False
                    await self._until_synthesized(clause)
                    if self.on_first is not None:
                        self.on_first()
        self.log.append("engine: end")

    async def _until_synthesized(self, clause: str) -> None:
        since = self.log.index(f"engine: {clause}")
        event = f"synth: {clause}" if self.wait_for == "synth" else "play"
        for _ in range(500):  # at most ~5 s: a session that does not stream never gets it
            if event in self.log[since:]:
                return
            await asyncio.sleep(0.01)


def streaming_call(
    replies, *, tuning: VoiceTuning | None = None, on_first=None, wait_for: str = "synth"
):
    log: list[str] = []
    line = LoggingLine(replies, log)
    context = CallContext(assistant=ASSISTANT, now=ANSWERED, time_zone="UTC")
    conversation = StreamingScript(ScriptEngine().begin(context), log, wait_for=wait_for)
    session = CallSession(
        conversation=conversation,
        line=line,
        recognizer=ToneRecognizer(WORDS),
        synthesizer=LoggingSynthesizer(log),
        detector=EnergyDetector(),
        answered=ANSWERED,
        language="en",
        interruption=Interruption(method="none"),
        tuning=tuning or VoiceTuning(),
    )
    if on_first is not None:
        conversation.on_first = lambda: on_first(session)
    line.session = session
    return session, conversation, line, log


def _turn_events(log: list[str]) -> list[str]:
    """The log from the first callee turn on (the opening is not streamed)."""
    return log[log.index(f"engine: {clauses(THANKS)[0]}") :]


def test_the_first_clause_is_synthesized_before_the_engine_is_done():
    s, conversation, _, log = streaming_call([said("yes"), said("Tuesday")])
    run(s.run())
    turn = _turn_events(log)
    first = clauses(THANKS)[0]
    assert turn.index(f"synth: {first}") < turn.index("engine: end")
    # the call still went its way: both answers collected, every clause spoken
    assert [(c.question, c.result) for c in conversation.collected if c.hit] == [
        ("Are you happy with our service?", "Yes"),
        ("Which day suits you for a visit?", "Tuesday"),
    ]
    assert f"synth: {clauses(THANKS)[-1]}" in turn
    assert len(s.turns) == 2 and all(t.first_audio is not None for t in s.turns)


def test_without_streaming_the_reply_is_whole_before_speech():
    replies = [said("yes"), said("Tuesday")]
    s, _, _, log = streaming_call(replies, tuning=VoiceTuning(stream_replies=False))
    run(s.run())
    end = log.index("engine: end")
    assert f"synth: {clauses(THANKS)[0]}" in log[end:]
    assert not any(e.startswith("engine: ") and e != "engine: end" for e in log)


def test_the_transcript_holds_a_streamed_reply_once():
    s, _, _, _ = streaming_call([said("yes"), said("Tuesday")])
    run(s.run())
    system = [u.text for u in s.utterances if u.side == "system"]
    reply = f"{THANKS} Which day suits you for a visit?"
    assert system.count(reply) == 1
    assert not any(t in system for t in clauses(THANKS))
    times = [u.at for u in s.utterances]
    assert times == sorted(times)


def test_a_barge_in_mid_stream_drops_the_clauses_still_to_come():
    # the listener's barge-in lands while the engine is still streaming the first reply
    barged: list[bool] = []

    def barge_in_once(session: CallSession) -> None:
        if not barged:
            barged.append(True)
            session.playback.barge_in()

    s, conversation, line, log = streaming_call(
        [said("yes"), said("Tuesday")], on_first=barge_in_once, wait_for="play"
    )
    run(s.run())
    first, *rest = clauses(THANKS)
    turn = _turn_events(log)
    next_turn = turn.index("engine: end")
    spoken = [e for e in turn[:next_turn] if e.startswith("synth: ")]
    assert rest and spoken == [f"synth: {first}"]
    assert line.cleared >= 1
    # what was heard of the reply is in the transcript; its answer still counts
    assert first in [u.text for u in s.utterances if u.side == "system"]
    assert [c.result for c in conversation.collected if c.hit][:1] == ["Yes"]


def test_an_engine_failure_ends_the_turn_with_it():
    class Broken(StreamingScript):
        async def stream_turn(self, text: str) -> AsyncIterator[Action]:
            yield Action(ActionKind.SAY, "One moment.")
            raise RuntimeError("engine broke")

    line = ScriptedLine([said("yes")])
    context = CallContext(assistant=ASSISTANT, now=ANSWERED, time_zone="UTC")
    log: list[str] = []
    s = CallSession(
        conversation=Broken(ScriptEngine().begin(context), log),
        line=line,
        recognizer=ToneRecognizer(WORDS),
        synthesizer=LoggingSynthesizer(log),
        detector=EnergyDetector(),
        answered=ANSWERED,
        language="en",
        interruption=Interruption(method="none"),
    )
    line.session = s
    with pytest.raises(RuntimeError, match="engine broke"):
        run(s.run())
    assert "One moment." in [u.text for u in s.utterances if u.side == "system"]
