"""SileroDetector on real speech, silence and noise."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from tests.support.speech import PIPER_SPEAKER, speech_models, spoken
from voxdial.voice import vad
from voxdial.voice.asr_fitted import has_speech
from voxdial.voice.audio import is_digital_silence
from voxdial.voice.vad import SileroDetector

pytestmark = pytest.mark.speech


def probabilities(detector: SileroDetector, audio: np.ndarray) -> np.ndarray:
    n = detector.frame_samples
    return np.array([detector.probability(audio[i : i + n]) for i in range(0, audio.size, n)])


def test_frames_are_32_ms():
    assert SileroDetector().frame_samples == 512


def test_speech_is_found_in_a_synthesized_sentence():
    audio = spoken(PIPER_SPEAKER, "Hello, I am calling about your appointment on Tuesday.")
    p = probabilities(SileroDetector(), audio)
    assert p.max() > 0.95
    assert (p > 0.5).mean() > 0.6  # most of a sentence is voiced or between-word


def test_no_speech_in_silence_or_noise():
    rng = np.random.default_rng(7)
    silence = np.zeros(16_000 * 2, dtype=np.int16)
    noise = (rng.standard_normal(16_000 * 2) * 2_000).astype(np.int16)
    hum = (np.sin(2 * np.pi * 50 * np.arange(32_000) / 16_000) * 8_000).astype(np.int16)
    for audio in (silence, noise, hum):
        assert probabilities(SileroDetector(), audio).max() < 0.5


def test_short_frames_are_padded_and_state_is_per_detector():
    audio = spoken(PIPER_SPEAKER, "Hello, I am calling about your appointment on Tuesday.")
    a, b = SileroDetector(), SileroDetector()
    pa = probabilities(a, audio)
    pb = probabilities(b, audio)
    assert np.allclose(pa, pb)  # two calls' detectors do not share state
    assert 0.0 <= a.probability(audio[:100]) <= 1.0
    a.reset()
    assert a.probability(np.zeros(512, np.int16)) < 0.5


def test_registry_gives_each_call_its_own_detector():
    models = speech_models()
    assert models.detector() is not models.detector()


def test_digital_silence_is_scored_without_the_model():
    d = SileroDetector()
    assert d.probability(np.zeros(512, np.int16)) == 0.0
    assert d.probability(np.full(512, 2, np.int16)) == 0.0  # under the floor
    assert d.skipped == 2
    rng = np.random.default_rng(3)
    hiss = (rng.standard_normal(512) * 30).astype(np.int16)  # a quiet line, -60 dBFS
    d.probability(hiss)
    assert d.skipped == 2  # real (if quiet) audio goes to the model


def test_the_digital_silence_floor():
    assert is_digital_silence(np.zeros(0, np.int16))
    assert is_digital_silence(np.zeros(16_000, np.int16))
    assert is_digital_silence(np.array([0, 3, -3, 0] * 100, np.int16))
    assert not is_digital_silence(np.array([0, 8, -8, 0] * 100, np.int16))  # μ-law's step
    one_click = np.zeros(16_000, np.int16)
    one_click[100] = 30_000  # a click in silence: RMS 237, not silence
    assert not is_digital_silence(one_click)


def test_clip_gate_uses_one_detector_per_thread_reset_per_clip(monkeypatch):
    seen: list[tuple[int, str]] = []

    class Spy(SileroDetector):
        def reset(self) -> None:
            seen.append((threading.get_ident(), "reset"))
            super().reset()

    made: dict[int, SileroDetector] = {}

    def detector():
        return made.setdefault(threading.get_ident(), Spy())

    monkeypatch.setattr(vad, "thread_detector", detector)
    audio = spoken(PIPER_SPEAKER, "Hello, I am calling about your appointment on Tuesday.")
    assert has_speech(audio, 0.5)
    assert has_speech(audio, 0.5)
    assert not has_speech(np.zeros(16_000, np.int16), 0.5)  # no model run at all
    worker = threading.Thread(target=lambda: has_speech(audio, 0.5))
    worker.start()
    worker.join()
    assert len(made) == 2  # this thread's and the worker's
    assert [s for s in seen if s[0] == threading.get_ident()] == [
        (threading.get_ident(), "reset")
    ] * 2


def test_the_thread_detector_is_kept_per_thread():
    mine = vad.thread_detector()
    assert vad.thread_detector() is mine
    other: list[SileroDetector] = []
    t = threading.Thread(target=lambda: other.append(vad.thread_detector()))
    t.start()
    t.join()
    assert other[0] is not mine
