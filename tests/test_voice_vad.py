"""SileroDetector on real speech, silence and noise."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.speech import PIPER_SPEAKER, speech_models, spoken
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
