"""The spoken-call loop with tone fakes: turn-taking, barge-in, silence, hang-up, recording.

The same loop runs with the real models in tests/test_voice_e2e.py.
"""

from __future__ import annotations

import asyncio
import wave
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
from voxdial.voice.audio import Downsampler, Recording, Upsampler, mulaw_to_pcm, pcm_to_mulaw
from voxdial.voice.base import SAMPLE_RATE
from voxdial.voice.playback import Interruption, clauses
from voxdial.voice.recording import save_recording
from voxdial.voice.session import CallSession
from voxdial.voice.tuning import VoiceTuning

WORDS = ["yes", "Tuesday", "wait a moment", "When do you open?"]
ANSWERED = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
ASSISTANT = {
    "welcome": "Hi, this is Ava from StarNet.",
    "collect": [
        {"question": "Are you happy with our service?", "answers": ["Yes", "No"]},
        {"question": "Which day suits you for a visit?", "answers": ["Monday", "Tuesday"]},
    ],
}


def said(word: str, seconds: float = 0.8) -> np.ndarray:
    return tone(300 + 100 * WORDS.index(word), seconds)


def session_for(line, *, interruption=None, tuning=None, assistant=ASSISTANT, engine=None):
    context = CallContext(assistant=assistant, now=ANSWERED, time_zone="UTC")
    conversation = (engine or ScriptEngine()).begin(context)
    synth = ToneSynthesizer()
    s = CallSession(
        conversation=conversation,
        line=line,
        recognizer=ToneRecognizer(WORDS),
        synthesizer=synth,
        detector=EnergyDetector(),
        answered=ANSWERED,
        language="en",
        interruption=interruption or Interruption(method="none"),
        tuning=tuning or VoiceTuning(),
    )
    line.session = s
    return s, conversation, synth


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def test_a_spoken_call_collects_the_answers_in_turn():
    line = ScriptedLine([said("yes"), said("Tuesday")])
    s, conversation, synth = session_for(line)
    run(s.run())

    assert [(c.question, c.result) for c in conversation.collected if c.hit] == [
        ("Are you happy with our service?", "Yes"),
        ("Which day suits you for a visit?", "Tuesday"),
    ]
    sides = [u.side for u in s.utterances if u.side != "note"]
    assert sides[0] == "system" and sides.count("customer") == 2
    customer = [u.text for u in s.utterances if u.side == "customer"]
    assert customer == ["yes", "Tuesday"]
    times = [u.at for u in s.utterances]
    assert times == sorted(times) and times[0] >= ANSWERED
    assert line.closed and s.hangup_side == "assistant"
    # each callee turn is timed; the reply went out after the callee stopped
    assert len(s.turns) == 2
    for t in s.turns:
        assert t.first_audio is not None and t.latency is not None and t.latency >= 0


def test_the_recording_holds_both_sides_on_one_timeline(tmp_path):
    line = ScriptedLine([said("yes"), said("Tuesday")])
    s, _, _ = session_for(line)
    run(s.run())
    path = tmp_path / "call.wav"
    s.recording.save(path)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (2, SAMPLE_RATE, 2)
        audio = np.frombuffer(w.readframes(w.getnframes()), np.int16).reshape(-1, 2)
    callee, assistant = audio[:, 0].astype(np.int32), audio[:, 1].astype(np.int32)
    assert np.abs(callee).max() > 5000 and np.abs(assistant).max() > 2000
    # turn-taking: the sides barely overlap (20 ms frames of slack)
    both = (np.abs(callee) > 500) & (np.abs(assistant) > 500)
    assert both.sum() < 0.05 * SAMPLE_RATE
    # the callee's first words come after the assistant's opening line
    first_callee = np.argmax(np.abs(callee) > 500)
    first_assistant = np.argmax(np.abs(assistant) > 500)
    assert first_assistant < first_callee


def test_talking_over_the_assistant_stops_its_playback():
    line = ScriptedLine([said("wait a moment", 1.0), said("yes"), said("Tuesday")])
    line.talk_over_at = int(0.5 * SAMPLE_RATE)  # half a second into the opening line
    rule = Interruption(method="talk_over", uninterruptible_ms=200, talk_over_ms=300)
    s, conversation, _ = session_for(line, interruption=rule)
    run(s.run())
    assert line.cleared >= 1
    assert "wait a moment" in [u.text for u in s.utterances if u.side == "customer"]
    # what the assistant said is what was queued before the barge-in
    assert s.utterances[0].side == "system"


def test_no_barge_in_inside_the_uninterruptible_period():
    line = ScriptedLine([said("wait a moment", 0.6), said("yes"), said("Tuesday")])
    line.talk_over_at = int(0.1 * SAMPLE_RATE)
    rule = Interruption(method="talk_over", uninterruptible_ms=60_000, talk_over_ms=100)
    s, _, _ = session_for(line, interruption=rule)
    run(s.run())
    assert line.cleared == 0


def test_interruption_none_never_clears():
    line = ScriptedLine([said("wait a moment", 1.0), said("yes"), said("Tuesday")])
    line.talk_over_at = int(0.5 * SAMPLE_RATE)
    s, _, _ = session_for(line, interruption=Interruption(method="none"))
    run(s.run())
    assert line.cleared == 0


def test_a_silent_callee_gets_the_engines_silence_turn():
    line = ScriptedLine([], tail=40.0)
    s, conversation, synth = session_for(line, tuning=VoiceTuning(no_reply_seconds=2.0))
    run(s.run())
    # the opening plus at least one prompt after the silence, then a polite close
    assert len([u for u in s.utterances if u.side == "system"]) >= 2
    assert conversation.finished and line.closed


def test_the_callee_hanging_up_ends_the_call():
    line = ScriptedLine([said("yes")], tail=0.5)
    s, conversation, _ = session_for(line, tuning=VoiceTuning(no_reply_seconds=30))
    run(s.run())
    assert s.hangup_side == "callee" and not line.closed
    assert [c.result for c in conversation.collected if c.hit] == ["Yes"]


def test_a_click_is_not_an_utterance():
    line = ScriptedLine([tone(300, 0.06), said("yes"), said("Tuesday")])
    s, conversation, _ = session_for(line)
    run(s.run())
    assert [u.text for u in s.utterances if u.side == "customer"] == ["yes", "Tuesday"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hi, this is Ava from StarNet. Are you happy?",
            ["Hi, this is Ava from StarNet.", "Are you happy?"],
        ),
        ("您好，我是小星。请问您满意吗？", ["您好，我是小星。", "请问您满意吗？"]),
        ("OK.", ["OK."]),
    ],
)
def test_clauses_cut_where_a_voice_breathes(text, expected):
    assert clauses(text) == expected


def test_mulaw_round_trip_is_within_the_codecs_step():
    x = np.linspace(-30000, 30000, 8000).astype(np.int16)
    back = mulaw_to_pcm(pcm_to_mulaw(x)).astype(np.int32)
    # G.711 keeps 8 bits: the error grows with the magnitude, at most ~1/16 of it
    assert np.all(np.abs(back - x) <= np.abs(x.astype(np.int32)) / 16 + 8)


def test_resampling_keeps_a_voice_band_tone():
    down, up = Downsampler(), Upsampler()
    x = tone(440, 1.0)
    y = np.concatenate([down(x[i : i + 320]) for i in range(0, len(x), 320)])
    z = np.concatenate([up(y[i : i + 160]) for i in range(0, len(y), 160)])
    assert len(y) == len(x) // 2 and len(z) == len(x)
    peak = np.argmax(np.abs(np.fft.rfft(z.astype(np.float32))))
    assert peak == 440
    assert 0.9 < np.std(z[1000:]) / np.std(x[1000:]) < 1.1


def test_the_recording_cuts_unheard_audio_at_a_barge_in():
    r = Recording()
    r.hear(np.zeros(1600, np.int16))
    start, end = r.speak(np.full(16000, 1000, np.int16))
    assert (start, end) == (1600, 17600)
    r.hear(np.zeros(3200, np.int16))
    r.cut()
    assert r.speaking_until == r.position == 4800


def test_a_call_recording_is_filed_by_date(tmp_path):
    r = Recording()
    r.hear(np.zeros(1600, np.int16))
    name = save_recording(r, tmp_path, session_id="abc123", answered=ANSWERED)
    assert name == "2026/03/10/abc123.wav" and (tmp_path / name).exists()
    assert save_recording(Recording(), tmp_path, session_id="x", answered=ANSWERED) == ""
    (tmp_path / "taken").write_text("")  # a file where the folder should be
    assert save_recording(r, tmp_path / "taken", session_id="y", answered=ANSWERED) == ""


class _Passage:
    passage = "We open at nine."


class _Knowledge:
    def answer(self, question, *, topic=""):
        return _Passage()


def test_a_knowledge_question_is_noted_and_counted():
    line = ScriptedLine([said("When do you open?"), said("yes"), said("Tuesday")])
    engine = ScriptEngine(encoder=False, knowledge=lambda text: _Knowledge())
    assistant = {**ASSISTANT, "knowledge": "We open at nine."}
    s, _, _ = session_for(line, assistant=assistant, engine=engine)
    run(s.run())
    notes = [u.text for u in s.utterances if u.side == "note"]
    assert notes == ["knowledge hit: When do you open?"]
    assert s.flags["knowledge_questions"] == 1
    assert "We open at nine." in [u.text for u in s.utterances if u.side == "system"]


def test_keyword_interruption_needs_a_stop_word():
    line = ScriptedLine([said("wait a moment", 1.0), said("yes"), said("Tuesday")])
    line.talk_over_at = int(0.5 * SAMPLE_RATE)
    rule = Interruption(method="keyword", uninterruptible_ms=200, talk_over_ms=300)
    s, _, _ = session_for(line, interruption=rule)
    run(s.run())
    assert line.cleared >= 1  # "wait" is a stop word


def test_keyword_interruption_ignores_other_talk():
    line = ScriptedLine([said("yes", 1.0), said("Tuesday")])
    line.talk_over_at = int(0.5 * SAMPLE_RATE)
    rule = Interruption(method="keyword", uninterruptible_ms=200, talk_over_ms=300)
    s, _, _ = session_for(line, interruption=rule)
    run(s.run())
    assert line.cleared == 0
