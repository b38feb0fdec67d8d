"""Answer detection inside a spoken call (voice/answering.py): the session stays silent
until the detector decides, a machine's call ends with the detector's outcome (or gets
the voicemail message after the beep), a person's conversation starts.

Here the speech parts are fakes (noise that a fake voice detector calls speech, a
recognizer that says what the test scripts), so each case is checked on the audio's own
timeline; tests/test_answer_calls.py runs the same path with the real models, over the
media-stream websocket and over SIP.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import numpy as np
import pytest

from tests.support.voice import ToneSynthesizer
from voxdial.api.schemas.assistants import AnswerDetection
from voxdial.clock import SystemClock
from voxdial.conversation.calls import DialRequest
from voxdial.conversation.engine import CallContext, MinimalScriptEngine
from voxdial.domain.status import HangupReason
from voxdial.store.assistants import DEFAULT_ANSWER_DETECTION
from voxdial.voice.answer_tones import WINDOW, analyse_window
from voxdial.voice.answer_types import AnswerDetectionConfig, AnswerOutcome
from voxdial.voice.answering import WIRE_KEYS, detection_config, hangup_reason
from voxdial.voice.base import FRAME_SAMPLES, SAMPLE_RATE
from voxdial.voice.runtime import VoiceRuntime
from voxdial.voice.tuning import VoiceTuning

pytestmark = pytest.mark.timeout(60)

ANSWERED = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)


# -- settings --------------------------------------------------------------------------


def test_an_assistant_without_settings_detects_with_the_defaults():
    config = detection_config({})
    assert config == AnswerDetectionConfig()


def test_detection_off_gives_no_config():
    assert detection_config({"answerDetection": {"enabled": False}}) is None


def test_the_wire_settings_reach_the_detector():
    config = detection_config(
        {
            "answerDetection": {
                "onVoicemail": "leave_message",
                "voicemailMessage": "Hi {姓名}",
                "afterGreetingSilenceMs": 900,
                "maxGreetingMs": 3000,
                "machineLimitMs": 5000,
                "totalLimitMs": 7000,
                "beepWaitMs": 2000,
            }
        }
    )
    assert config is not None
    assert config.on_voicemail == "leave_message" and config.voicemail_message == "Hi {姓名}"
    assert (config.after_greeting_silence_ms, config.max_greeting_ms) == (900, 3000)
    assert (config.machine_limit_ms, config.total_limit_ms, config.beep_wait_ms) == (
        5000,
        7000,
        2000,
    )


def test_unusable_stored_settings_fall_back_to_the_defaults():
    assert detection_config({"answerDetection": {"totalLimitMs": -1}}) == AnswerDetectionConfig()


def test_the_wire_schema_and_the_detector_agree_on_defaults_and_bounds():
    wire = AnswerDetection()
    assert wire.model_dump() == DEFAULT_ANSWER_DETECTION
    defaults = AnswerDetectionConfig()
    wire_schema = AnswerDetection.model_json_schema()["properties"]
    config_schema = AnswerDetectionConfig.model_json_schema()["properties"]
    for key, name in WIRE_KEYS.items():
        assert getattr(wire, key) == getattr(defaults, name), key
        for bound in ("minimum", "maximum", "maxLength"):
            assert wire_schema[key].get(bound) == config_schema[name].get(bound), (key, bound)


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (AnswerOutcome.HUMAN, None),
        (AnswerOutcome.UNKNOWN, None),
        (AnswerOutcome.VOICEMAIL, HangupReason.VOICEMAIL),
        (AnswerOutcome.POWERED_OFF, HangupReason.POWERED_OFF),
        (AnswerOutcome.VACANT, HangupReason.VACANT),
        (AnswerOutcome.SUSPENDED, HangupReason.SUSPENDED),
        (AnswerOutcome.BUSY, HangupReason.BUSY),
        (AnswerOutcome.UNREACHABLE, HangupReason.UNREACHABLE),
        (AnswerOutcome.NO_ANSWER, HangupReason.NO_ANSWER),
    ],
)
def test_each_outcome_has_its_hangup_reason(outcome, reason):
    assert hangup_reason(outcome) == reason


# -- fakes -----------------------------------------------------------------------------


class FakeVad:
    """Speech wherever there is sound that is not a steady tone."""

    frame_samples = WINDOW

    def probability(self, frame: np.ndarray) -> float:
        x = frame.astype(np.float64)
        if np.sqrt(np.mean(x * x)) < 300:
            return 0.0
        return 0.05 if analyse_window(frame).tonal else 0.95


class WordsRecognizer:
    """Says `words` for any clip with sound in it."""

    name = "scripted"

    def __init__(self, words: str = "") -> None:
        self.words = words
        self.calls = 0

    def transcribe(self, audio, *, language, hot_words) -> str:
        self.calls += 1
        return self.words if audio.size and np.abs(audio).max() > 300 else ""


class FakeSpeech:
    def __init__(self, words: str = "") -> None:
        self.recognizer_ = WordsRecognizer(words)
        self.synth = ToneSynthesizer()

    def recognizer(self, listener_id, *, language=None):
        return self.recognizer_

    def synthesizer(self, speaker_id, *, language=None):
        return self.synth

    voice = synthesizer  # a call's voice, unscheduled

    def detector(self):
        return FakeVad()


class RecordedLine:
    """Plays `audio` from the answer on, then silence, 20 ms a frame at ten times real
    time; notes where on its timeline the assistant's audio came. (The checks are on
    that timeline, never on the wall clock: the pace only leaves the session time to
    answer before the line runs out.)"""

    def __init__(self, audio: np.ndarray, *, tail_seconds: float = 30.0) -> None:
        total = audio.size + int(tail_seconds * SAMPLE_RATE)
        self.audio = np.zeros(total, dtype=np.int16)
        self.audio[: audio.size] = audio
        self.position = 0
        self.first_play: int | None = None
        self.played = 0
        self.closed = False

    async def frames(self) -> AsyncIterator[np.ndarray]:
        while not self.closed and self.position < self.audio.size:
            frame = self.audio[self.position : self.position + FRAME_SAMPLES]
            self.position += frame.size
            yield frame
            await asyncio.sleep(FRAME_SAMPLES / SAMPLE_RATE / 10)

    async def play(self, audio: np.ndarray) -> None:
        if self.first_play is None:
            self.first_play = self.position
        self.played += audio.size

    async def clear(self) -> None:
        pass

    async def close(self) -> None:
        self.closed = True


def noise(ms: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 3000, int(SAMPLE_RATE * ms / 1000))


def quiet(ms: float) -> np.ndarray:
    return np.zeros(int(SAMPLE_RATE * ms / 1000))


def beep(ms: float, hz: float = 1000.0) -> np.ndarray:
    t = np.arange(int(SAMPLE_RATE * ms / 1000)) / SAMPLE_RATE
    return np.sin(2 * np.pi * hz * t) * 6000


def pcm(*parts: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(np.concatenate(parts)), -32768, 32767).astype(np.int16)


ASSISTANT = {
    "welcome": "Hi, this is Ava.",
    "collect": [{"question": "Are you happy with us?", "answers": ["Yes", "No"]}],
}


def call(tmp_path, audio: np.ndarray, *, words: str = "", detection: bool = True, **assistant):
    """One dialled call on `audio`; the result, the line and the speech fakes."""
    speech = FakeSpeech(words)
    runtime = VoiceRuntime(
        speech,
        tmp_path / "recordings",
        VoiceTuning(no_reply_seconds=3.0),
        answer_detection=detection,
    )
    config = {**ASSISTANT, **assistant}
    context = CallContext(assistant=config, name="Zhang", now=ANSWERED, time_zone="UTC")
    request = DialRequest("a" * 32, "+8613800138000", "", context, assistant_id=1)
    line = RecordedLine(audio)

    async def run():
        return await runtime.talk(
            request,
            engine=MinimalScriptEngine(),
            line=line,
            clock=SystemClock(),
            started=ANSWERED,
            answered=ANSWERED,
        )

    return asyncio.run(run()), line, speech


def answer_line(result) -> dict:
    (line,) = [u for u in result.utterances if u.side == "answer"]
    return json.loads(line.text)


def ms(samples: int) -> float:
    return samples * 1000 / SAMPLE_RATE


# -- calls -----------------------------------------------------------------------------


def test_a_person_is_decided_soon_after_the_greeting_and_then_spoken_to(tmp_path):
    greeting_end = 300 + 500
    result, line, _ = call(tmp_path, pcm(quiet(300), noise(500)))
    answer = answer_line(result)
    assert answer["outcome"] == "human"
    assert result.outcome == HangupReason.ANSWERED
    assert result.extra["answer"]["outcome"] == "human"
    # the bound: within 1.2 s of the end of the greeting (on the audio's clock)
    assert greeting_end < answer["decidedAtMs"] <= greeting_end + 1200
    # the assistant was silent until the decision, then the conversation ran
    assert line.first_play is not None and ms(line.first_play) >= answer["decidedAtMs"]
    sides = [u.side for u in result.utterances]
    assert sides[0] == "answer" and "system" in sides


def test_a_carrier_announcement_ends_the_call_with_its_outcome(tmp_path):
    result, line, speech = call(
        tmp_path,
        pcm(quiet(200), noise(2600), quiet(1500)),
        words="Sorry Mr Smith, the number you have dialed is not in service.",
    )
    assert result.outcome == HangupReason.VACANT
    assert answer_line(result)["outcome"] == "vacant"
    assert answer_line(result)["decidedAtMs"] <= 4000 + 200  # a machine within 4 s
    assert line.first_play is None and line.closed  # not a word said, and hung up
    assert result.hangup_side == "assistant"
    assert [u.side for u in result.utterances] == ["answer"]
    assert result.extra["answer"]["outcome"] == "vacant"
    # the reason names the catalogue's phrase, never the words heard
    assert "Smith" not in json.dumps(result.extra) + result.utterances[0].text
    assert speech.recognizer_.calls >= 1


def test_a_voicemail_is_hung_up_on_by_default(tmp_path):
    result, line, _ = call(
        tmp_path,
        pcm(quiet(200), noise(2000), quiet(300), beep(500), quiet(3000)),
        words="Please leave a message after the tone.",
    )
    assert result.outcome == HangupReason.VOICEMAIL
    assert line.first_play is None and line.closed


def test_a_voicemail_gets_the_message_after_the_beep(tmp_path):
    beep_end = 200 + 2000 + 300 + 500
    result, line, speech = call(
        tmp_path,
        pcm(quiet(200), noise(2000), quiet(300), beep(500), quiet(3000)),
        words="Please leave a message after the tone.",
        answerDetection={
            "onVoicemail": "leave_message",
            "voicemailMessage": "Hello {姓名}, this is Ava, please call us back.",
        },
    )
    assert result.outcome == HangupReason.VOICEMAIL
    said = [u.text for u in result.utterances if u.side == "system"]
    assert said == ["Hello Zhang, this is Ava, please call us back."]
    assert " ".join(speech.synth.spoken) == "Hello Zhang, this is Ava, please call us back."
    assert line.first_play is not None and ms(line.first_play) >= beep_end
    assert result.collected == [] or not any(c.hit for c in result.collected)


def test_a_voicemail_without_a_beep_gets_the_message_after_the_greeting(tmp_path):
    greeting_end = 200 + 2000
    result, line, _ = call(
        tmp_path,
        pcm(quiet(200), noise(2000), quiet(6000)),
        words="Please leave a message.",
        answerDetection={"onVoicemail": "leave_message", "voicemailMessage": "Call us back."},
    )
    assert result.outcome == HangupReason.VOICEMAIL
    assert answer_line(result)["beep"] is False
    assert [u.text for u in result.utterances if u.side == "system"] == ["Call us back."]
    # beep_wait_ms (4 s) of silence after the greeting before speaking
    assert line.first_play is not None and ms(line.first_play) >= greeting_end + 4000


def test_silence_is_unknown_and_the_conversation_starts_at_the_limit(tmp_path):
    result, line, _ = call(tmp_path, quiet(100))
    answer = answer_line(result)
    assert answer["outcome"] == "unknown"
    assert answer["decidedAtMs"] >= AnswerDetectionConfig().total_limit_ms
    assert result.outcome == HangupReason.ANSWERED
    assert line.first_play is not None and ms(line.first_play) >= answer["decidedAtMs"]


def test_an_assistant_with_detection_off_talks_to_an_announcement(tmp_path):
    result, line, speech = call(
        tmp_path,
        pcm(quiet(200), noise(2600)),
        words="The number you have dialed is not in service.",
        answerDetection={"enabled": False},
    )
    assert result.outcome == HangupReason.ANSWERED
    assert not [u for u in result.utterances if u.side == "answer"]
    assert line.first_play is not None and "answer" not in result.extra


def test_a_runtime_without_detection_talks_to_an_announcement(tmp_path):
    result, line, _ = call(
        tmp_path,
        pcm(quiet(200), noise(2600)),
        words="The number you have dialed is not in service.",
        detection=False,
    )
    assert result.outcome == HangupReason.ANSWERED
    assert not [u for u in result.utterances if u.side == "answer"]
    assert line.first_play is not None


def test_a_callee_who_hangs_up_during_the_greeting_is_still_decided(tmp_path):
    class Short(RecordedLine):
        async def frames(self):
            async for frame in super().frames():
                if self.position > int(1.0 * SAMPLE_RATE):
                    return
                yield frame

    speech = FakeSpeech("The number you have dialed is not in service.")
    runtime = VoiceRuntime(speech, tmp_path / "recordings", VoiceTuning(), answer_detection=True)
    context = CallContext(assistant=dict(ASSISTANT), now=ANSWERED, time_zone="UTC")
    request = DialRequest("b" * 32, "+8613800138000", "", context, assistant_id=1)
    line = Short(pcm(quiet(200), noise(4000)))
    result = asyncio.run(
        runtime.talk(
            request,
            engine=MinimalScriptEngine(),
            line=line,
            clock=SystemClock(),
            started=ANSWERED,
            answered=ANSWERED,
        )
    )
    assert result.outcome == HangupReason.VACANT
    assert result.hangup_side == "callee"
    assert line.first_play is None
