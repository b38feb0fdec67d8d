"""The answer detector's decisions, on made-up audio with a scripted recognizer.

"Speech" here is noise that a fake voice detector calls speech; the recognizer returns
what a script says the first N seconds of that speech contain, so each test controls
what is heard when, and checks what is decided, why and at which millisecond.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from voxdial.voice.answer_detect import (
    AnswerDetectionConfig,
    AnswerDetector,
    AnswerOutcome,
    VoicemailAction,
)
from voxdial.voice.answer_tones import WINDOW, analyse_window

RATE = 16_000


class FakeVad:
    """Speech wherever there is sound that is not a steady tone (as Silero hears it)."""

    frame_samples = WINDOW

    def probability(self, frame: np.ndarray) -> float:
        x = frame.astype(np.float64)
        if np.sqrt(np.mean(x * x)) < 300:
            return 0.0
        return 0.05 if analyse_window(frame).tonal else 0.95


class ScriptedRecognizer:
    """Says, for a clip, the words of the script's last line it is long enough for."""

    name = "scripted"

    def __init__(self, script: list[tuple[float, str]] | None = None) -> None:
        self.script = script or []
        self.calls: list[float] = []  # seconds of audio of each call
        self.languages: list[str | None] = []

    def transcribe(self, audio, *, language, hot_words) -> str:
        seconds = audio.size / RATE
        self.calls.append(seconds)
        self.languages.append(language)
        text = ""
        for at, words in self.script:
            if seconds >= at:
                text = words
        return text


def speech(ms: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 3000, int(RATE * ms / 1000))


def silence(ms: float) -> np.ndarray:
    return np.zeros(int(RATE * ms / 1000))


def tone(freqs: tuple[float, ...], ms: float) -> np.ndarray:
    t = np.arange(int(RATE * ms / 1000)) / RATE
    return sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs) * 6000


def pcm(*parts: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(np.concatenate(parts)), -32768, 32767).astype(np.int16)


def run(audio: np.ndarray, recognizer=None, *, frame: int = 320, **config):
    recognizer = recognizer or ScriptedRecognizer()
    detector = AnswerDetector(
        recognizer, language="zh", config=AnswerDetectionConfig(**config), vad=FakeVad()
    )
    for i in range(0, audio.size, frame):
        detector.feed(audio[i : i + frame])
    decision = detector.decision or detector.finish()
    return decision, detector, recognizer


def test_a_short_greeting_then_silence_is_a_person_within_the_limit():
    greeting_end = 500 + 600
    decision, _, asr = run(pcm(silence(500), speech(600), silence(2500)))
    assert decision.outcome is AnswerOutcome.HUMAN
    assert decision.reason == "greeting 640 ms, then silence"  # 20 windows of 32 ms
    assert 700 <= decision.decided_at_ms - greeting_end <= 800
    assert asr.calls == []  # its length says enough: nobody waits for the recognizer


def test_a_longer_greeting_is_a_person_when_its_words_are_no_machine_s():
    asr = ScriptedRecognizer([(0.5, "Hello, this is Sam speaking, who is it?")])
    decision, _, _ = run(pcm(silence(300), speech(2200), silence(2500)), asr)
    assert decision.outcome is AnswerOutcome.HUMAN
    assert decision.transcript == "Hello, this is Sam speaking, who is it?"
    assert 700 <= decision.decided_at_ms - 2500 <= 800
    assert asr.languages[-1] == "zh" and len(asr.calls) == 2  # a partial, then the whole


def test_a_longer_greeting_with_a_machine_s_words_is_not_a_person():
    asr = ScriptedRecognizer([(0.5, "您好"), (2.0, "您好，请留言")])
    decision, _, _ = run(pcm(silence(300), speech(2000), silence(2500)), asr)
    assert decision.outcome is AnswerOutcome.VOICEMAIL


def test_the_silence_after_a_greeting_is_configurable():
    decision, _, _ = run(pcm(speech(600), silence(2500)), after_greeting_silence_ms=400)
    assert decision.outcome is AnswerOutcome.HUMAN
    assert 400 <= decision.decided_at_ms - 600 <= 500


def test_a_pause_shorter_than_the_after_greeting_silence_keeps_the_greeting_going():
    audio = pcm(speech(500), silence(400), speech(500), silence(2000))
    decision, _, _ = run(audio)
    assert decision.outcome is AnswerOutcome.HUMAN
    assert decision.decided_at_ms >= 1400 + 700  # after the second part, not the first


def test_an_announcement_is_decided_by_its_words_before_it_ends():
    script = [(1.0, "您拨打的"), (3.0, "您拨打的电话已关机")]
    decision, _, asr = run(
        pcm(silence(300), speech(4000), silence(1000)), ScriptedRecognizer(script)
    )
    assert decision.outcome is AnswerOutcome.POWERED_OFF
    assert decision.reason == "phrase '已关机'"
    assert decision.decided_at_ms < 300 + 4000  # while it still plays
    assert decision.decided_at_ms <= 4000
    assert len(asr.calls) == 2  # partial transcripts, not one per frame
    assert asr.calls[0] == pytest.approx(2.0, abs=0.05)  # 1.8 s of speech and the lead-in


def test_a_greeting_that_invites_a_message_is_voicemail():
    script = [(2.5, "你好，我现在不方便接听，请在提示音后留言")]
    audio = pcm(silence(200), speech(1200), silence(300), speech(1500), silence(2000))
    decision, _, _ = run(audio, ScriptedRecognizer(script))
    assert decision.outcome is AnswerOutcome.VOICEMAIL
    assert "phrase" in decision.reason


def test_a_greeting_too_long_for_a_person_is_voicemail_by_the_machine_limit():
    decision, _, _ = run(
        pcm(silence(300), speech(5000), silence(1000)), ScriptedRecognizer([(0.5, "嗯嗯嗯")])
    )
    assert decision.outcome is AnswerOutcome.VOICEMAIL
    assert decision.reason == "long greeting"
    assert 300 + 2800 <= decision.decided_at_ms <= 4000


def test_a_beep_after_a_greeting_is_voicemail_even_without_words():
    audio = pcm(silence(200), speech(1500), silence(300), tone((1000.0,), 500), silence(2000))
    decision, detector, _ = run(audio, ScriptedRecognizer([(0.5, "嗯")]))
    assert decision.outcome is AnswerOutcome.VOICEMAIL
    assert decision.beep_heard and decision.reason == "beep after a greeting"
    assert 2500 <= decision.decided_at_ms <= 2700  # just after the beep ended
    assert detector.ready_for_message  # the message can start now


def test_a_busy_tone_is_busy():
    burst = np.concatenate([tone((450.0,), 350), silence(350)])
    decision, _, asr = run(pcm(silence(200), np.tile(burst, 6)))
    assert decision.outcome is AnswerOutcome.BUSY
    assert decision.reason == "busy tone"
    assert decision.decided_at_ms < 2200
    assert asr.calls == []


@pytest.mark.parametrize(
    ("sit", "outcome"),
    [
        (((985.2, 380), (1370.6, 274), (1776.7, 380)), AnswerOutcome.VACANT),
        (((913.8, 274), (1428.5, 380), (1776.7, 380)), AnswerOutcome.UNREACHABLE),
    ],
)
def test_a_special_information_tone_decides_when_the_words_cannot_be_read(sit, outcome):
    tones = [tone((f,), ms) for f, ms in sit]
    decision, _, _ = run(pcm(silence(200), *tones, silence(200), speech(4000), silence(500)))
    assert decision.outcome is outcome
    assert decision.reason.startswith("SIT ")


def test_words_beat_the_special_information_tone():
    tones = [tone((f,), ms) for f, ms in ((985.2, 380), (1370.6, 274), (1776.7, 380))]
    script = [(1.5, "您拨打的电话暂时无法接通")]
    decision, _, _ = run(pcm(*tones, speech(3000), silence(500)), ScriptedRecognizer(script))
    assert decision.outcome is AnswerOutcome.UNREACHABLE
    assert decision.reason.startswith("phrase")


def test_ringback_before_the_answer_does_not_count_against_the_limits():
    ring = np.concatenate([tone((450.0,), 1000), silence(4000)])
    audio = pcm(np.tile(ring, 2), silence(300), speech(600), silence(2500))
    decision, _, _ = run(audio, ScriptedRecognizer([(0.3, "喂")]))
    assert decision.outcome is AnswerOutcome.HUMAN
    assert 10_900 + 700 <= decision.decided_at_ms <= 10_900 + 800


def test_ringback_until_the_end_is_no_answer():
    ring = np.concatenate([tone((440.0, 480.0), 2000), silence(4000)])
    decision, _, _ = run(pcm(np.tile(ring, 3)))
    assert decision.outcome is AnswerOutcome.NO_ANSWER
    assert decision.reason.startswith("ringback only")


def test_silence_until_the_total_limit_is_unknown():
    decision, _, asr = run(pcm(silence(8000)), total_limit_ms=6000)
    assert decision.outcome is AnswerOutcome.UNKNOWN
    assert 6000 <= decision.decided_at_ms <= 6040
    assert asr.calls == []


def test_a_click_is_no_greeting():
    decision, _, _ = run(pcm(silence(500), speech(64), silence(7000)))
    assert decision.outcome is AnswerOutcome.UNKNOWN


def test_an_announcement_that_never_says_which_is_unreachable():
    script = [(0.8, "您拨打的用户")]
    decision, _, _ = run(
        pcm(speech(2000), silence(1000), speech(2000), silence(3000)), ScriptedRecognizer(script)
    )
    assert decision.outcome is AnswerOutcome.UNREACHABLE
    assert decision.reason.startswith("announcement")


def test_the_end_of_the_audio_decides_with_what_was_heard():
    decision, _, _ = run(pcm(silence(300), speech(500), silence(200)))
    assert decision.outcome is AnswerOutcome.HUMAN
    assert decision.reason.endswith("end of audio")


@pytest.mark.parametrize("frame", [1, 160, 320, 512, 777, 4000])
def test_the_decision_does_not_depend_on_the_frame_length(frame):
    audio = pcm(silence(500), speech(600), silence(2500))
    decision, _, _ = run(audio, ScriptedRecognizer([(0.3, "喂？")]), frame=frame)
    reference, _, _ = run(audio, ScriptedRecognizer([(0.3, "喂？")]))
    assert decision == reference


def test_after_a_voicemail_decision_the_message_waits_for_the_beep():
    script = [(1.5, "请在提示音后留言")]
    greeting = pcm(silence(200), speech(2000))
    detector = AnswerDetector(ScriptedRecognizer(script), language="zh", vad=FakeVad())
    detector.feed(greeting)
    assert detector.decision is not None
    assert detector.decision.outcome is AnswerOutcome.VOICEMAIL
    assert not detector.ready_for_message
    detector.feed(pcm(speech(500), silence(400)))
    assert not detector.ready_for_message  # the greeting goes on, then a pause
    detector.feed(pcm(tone((1000.0,), 400)))
    assert not detector.ready_for_message  # the beep plays
    detector.feed(pcm(silence(200)))
    assert detector.ready_for_message


def test_without_a_beep_the_message_starts_after_the_wait():
    detector = AnswerDetector(
        ScriptedRecognizer([(1.0, "leave a message")]),
        language="en",
        config=AnswerDetectionConfig(beep_wait_ms=2000),
        vad=FakeVad(),
    )
    detector.feed(pcm(speech(2000)))
    assert detector.decision.outcome is AnswerOutcome.VOICEMAIL
    detector.feed(pcm(speech(500), silence(1900)))
    assert not detector.ready_for_message
    detector.feed(pcm(silence(200)))
    assert detector.ready_for_message


def test_a_decision_is_kept():
    detector = AnswerDetector(ScriptedRecognizer(), vad=FakeVad())
    first = detector.feed(pcm(speech(600), silence(1000)))
    assert first is not None and first.outcome is AnswerOutcome.HUMAN
    assert detector.feed(pcm(tone((450.0,), 350), silence(350))) is first
    assert detector.finish() is first


def test_the_voice_detector_must_take_the_detector_window():
    class Wrong(FakeVad):
        frame_samples = 480

    with pytest.raises(ValueError, match="512"):
        AnswerDetector(ScriptedRecognizer(), vad=Wrong())


def test_settings_defaults_and_validation():
    cfg = AnswerDetectionConfig()
    assert cfg.enabled and cfg.on_voicemail is VoicemailAction.HANGUP
    assert cfg.machine_limit_ms == 4000 and cfg.total_limit_ms >= cfg.machine_limit_ms
    ok = AnswerDetectionConfig(on_voicemail="leave_message", voicemail_message="您好{姓名}")
    assert ok.on_voicemail is VoicemailAction.LEAVE_MESSAGE
    with pytest.raises(ValidationError, match="voicemail_message"):
        AnswerDetectionConfig(on_voicemail="leave_message")
    with pytest.raises(ValidationError, match="total_limit_ms"):
        AnswerDetectionConfig(machine_limit_ms=5000, total_limit_ms=4000)
    with pytest.raises(ValidationError):
        AnswerDetectionConfig(after_greeting_silence_ms=50)
    with pytest.raises(ValidationError):
        AnswerDetectionConfig(unknown_field=1)


def test_a_vague_phrase_waits_for_an_invitation_to_leave_a_message():
    script = [
        (1.5, "The person you are calling is not available."),
        (3.0, "The person you are calling is not available. Please leave a message."),
    ]
    audio = pcm(silence(200), speech(2000), silence(300), speech(1800), silence(2000))
    decision, _, asr = run(audio, ScriptedRecognizer(script))
    assert decision.outcome is AnswerOutcome.VOICEMAIL
    assert decision.reason == "phrase 'leave a message'"
    assert len(asr.calls) >= 2


def test_a_vague_phrase_decides_once_the_greeting_is_too_long_for_a_person():
    script = [(1.5, "您拨打的电话暂时无法接通"), (2.5, "您拨打的电话暂时无法接通，请稍后再拨")]
    decision, _, asr = run(
        pcm(silence(200), speech(3500), silence(1000)), ScriptedRecognizer(script)
    )
    assert decision.outcome is AnswerOutcome.UNREACHABLE
    assert decision.reason == "phrase '暂时无法接通'"
    assert len(asr.calls) == 2  # the second: a final look, at 2.8 s of speech
    assert 200 + 2800 <= decision.decided_at_ms <= 200 + 2800 + 40
