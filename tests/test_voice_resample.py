"""The NumPy resampler every provider uses to reach 16 kHz."""

from __future__ import annotations

import numpy as np
import pytest

from voxdial.voice.resample import float_to_int16, resample


def tone(freq: float, rate: int, seconds: float = 1.0, amplitude: float = 10_000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * freq * t) * amplitude).astype(np.int16)


@pytest.mark.parametrize("src", [8_000, 22_050, 24_000, 44_100, 48_000])
@pytest.mark.parametrize("freq", [200, 1_000, 3_200])
def test_a_tone_keeps_its_pitch_and_level(src, freq):
    out = resample(tone(freq, src), src, 16_000)
    assert out.dtype == np.int16 and out.size == 16_000
    t = np.arange(out.size) / 16_000
    expected = np.sin(2 * np.pi * freq * t) * 10_000
    inner = slice(400, -400)  # away from the edges, where the filter sees the padding
    error = np.sqrt(np.mean((out[inner] - expected[inner]) ** 2))
    assert error < 100, error  # within 1% of the tone


@pytest.mark.parametrize("src", [22_050, 24_000, 48_000])
def test_what_16k_cannot_hold_is_filtered_not_folded(src):
    out = resample(tone(10_000, src), src, 16_000)  # above the new 8 kHz Nyquist
    assert np.sqrt(np.mean(out[400:-400].astype(float) ** 2)) < 10  # under -57 dB


def test_same_rate_and_empty_input():
    x = tone(440, 16_000)
    assert np.array_equal(resample(x, 16_000, 16_000), x)
    assert resample(np.zeros(0, np.int16), 22_050, 16_000).size == 0


def test_loud_input_clips_instead_of_wrapping():
    square = np.where(np.arange(22_050) % 100 < 50, 32_767, -32_768).astype(np.int16)
    out = resample(square, 22_050, 16_000)
    assert out.max() == 32_767 and out.min() == -32_768  # Gibbs overshoot, clipped


def test_float_to_int16():
    assert float_to_int16(np.array([0.0, 1.0, -1.0, 2.0])).tolist() == [0, 32767, -32767, 32767]
