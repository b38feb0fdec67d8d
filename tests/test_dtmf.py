"""In-band keys: the DTMF detector on synthesised tones (every key, noise at 20 dB,
too-short tones, held keys, twist), the tone generator, and no keys in real speech."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.speech import ESPEAK_ZH_SPEAKER, PIPER_SPEAKER, spoken
from voxdial.voice.base import SAMPLE_RATE
from voxdial.voice.dtmf import DIGITS, HIGH, KEYPAD, LOW, DtmfDetector, tones, valid_digits

RNG = np.random.default_rng(4733)


def key_tone(digit: str, ms: int, *, low_amp: float = 8000, high_amp: float = 8000) -> np.ndarray:
    row = next(i for i, r in enumerate(KEYPAD) if digit in r)
    col = KEYPAD[row].index(digit)
    n = np.arange(SAMPLE_RATE * ms // 1000)
    phase = RNG.uniform(0, 2 * np.pi, 2)
    wave = low_amp * np.sin(2 * np.pi * LOW[row] * n / SAMPLE_RATE + phase[0])
    wave += high_amp * np.sin(2 * np.pi * HIGH[col] * n / SAMPLE_RATE + phase[1])
    return wave


def silence(ms: int) -> np.ndarray:
    return np.zeros(SAMPLE_RATE * ms // 1000)


def with_noise(x: np.ndarray, snr_db: float) -> np.ndarray:
    signal = np.sqrt(np.mean(x[x != 0] ** 2))
    noise = RNG.normal(0, signal / 10 ** (snr_db / 20), len(x))
    return np.clip(x + noise, -32768, 32767).astype(np.int16)


def detect(audio: np.ndarray, *, piece: int = 320) -> list[tuple[str, int]]:
    d = DtmfDetector()
    found = []
    for i in range(0, len(audio), piece):
        found += d.feed(np.asarray(audio[i : i + piece]).astype(np.int16))
    return found


@pytest.mark.parametrize("digit", list(DIGITS))
def test_every_key_is_found_once_at_its_start(digit):
    audio = np.concatenate([silence(130), key_tone(digit, 80), silence(100)]).astype(np.int16)
    found = detect(audio)
    assert [d for d, _ in found] == [digit]
    start_ms = found[0][1] * 1000 / SAMPLE_RATE
    assert 100 <= start_ms <= 150


@pytest.mark.parametrize("digit", list(DIGITS))
def test_every_key_is_found_in_noise_at_20_db(digit):
    audio = np.concatenate([silence(200), key_tone(digit, 70), silence(200)])
    assert [d for d, _ in detect(with_noise(audio, 20))] == [digit]


def test_noise_alone_is_no_key():
    assert detect(with_noise(key_tone("5", 2000) * 0 + RNG.normal(0, 3000, 32000), 60)) == []


@pytest.mark.parametrize("ms", [10, 20, 25])
def test_a_too_short_tone_is_no_key(ms):
    audio = np.concatenate([silence(100), key_tone("5", ms), silence(100)]).astype(np.int16)
    assert detect(audio) == []


def test_the_shortest_valid_press_is_a_key():
    audio = np.concatenate([silence(100), key_tone("5", 45), silence(100)]).astype(np.int16)
    assert [d for d, _ in detect(audio)] == ["5"]


def test_a_held_key_is_one_press_and_a_gap_makes_the_next():
    held = np.concatenate([silence(50), key_tone("1", 1500), silence(100)])
    assert [d for d, _ in detect(held.astype(np.int16))] == ["1"]
    two = np.concatenate([key_tone("1", 70), silence(70), key_tone("1", 70), silence(70)])
    assert [d for d, _ in detect(two.astype(np.int16))] == ["1", "1"]


def test_feeding_in_odd_pieces_finds_the_same_keys():
    audio = tones("159#")
    assert [d for d, _ in detect(audio, piece=77)] == list("159#")
    assert [d for d, _ in detect(audio, piece=5000)] == list("159#")


def test_twist_beyond_the_keypads_is_no_key():
    # the high tone 12 dB below the low one: no keypad sends that
    weak_high = key_tone("8", 100, low_amp=8000, high_amp=8000 * 10 ** (-12 / 20))
    assert detect(np.concatenate([weak_high, silence(50)]).astype(np.int16)) == []
    fair = key_tone("8", 100, low_amp=8000, high_amp=8000 * 10 ** (-4 / 20))
    assert [d for d, _ in detect(np.concatenate([fair, silence(50)]).astype(np.int16))] == ["8"]


def test_a_single_tone_or_a_quiet_pair_is_no_key():
    n = np.arange(SAMPLE_RATE // 2)
    single = 8000 * np.sin(2 * np.pi * 770 * n / SAMPLE_RATE)
    assert detect(single.astype(np.int16)) == []
    quiet = key_tone("3", 200, low_amp=60, high_amp=60)
    assert detect(np.concatenate([quiet, silence(50)]).astype(np.int16)) == []


def test_tones_have_the_standard_timing_and_pauses():
    audio = tones("12,3")
    per_key = SAMPLE_RATE * 140 // 1000
    assert len(audio) == 3 * per_key + SAMPLE_RATE // 2
    loud = np.abs(audio[: SAMPLE_RATE * 70 // 1000]).max()
    assert 10000 < loud <= 32767 and np.abs(audio[per_key - 100 : per_key]).max() == 0
    assert [d for d, _ in detect(audio)] == ["1", "2", "3"]
    with pytest.raises(ValueError):
        tones("1x")


def test_valid_digits():
    assert valid_digits("0123456789*#ABCD") and valid_digits("1a")
    assert not valid_digits("") and not valid_digits("1,2") and not valid_digits("12x")
    assert valid_digits("1,2", pauses=True)


@pytest.mark.speech
@pytest.mark.parametrize(
    ("speaker", "text"),
    [
        (
            PIPER_SPEAKER,
            "Hello, this is Ava from the clinic. Are you happy with our service? "
            "Please press one for yes, two for no. Thank you, goodbye.",
        ),
        (
            ESPEAK_ZH_SPEAKER,
            "您好，这里是客服中心。请问您对我们的服务满意吗？满意请按一，不满意请按二。",
        ),
    ],
)
def test_synthesized_speech_is_no_key(speaker, text):
    audio = spoken(speaker, text)
    assert len(audio) > 3 * SAMPLE_RATE
    assert detect(audio) == []
    # keys mixed into the same speech are still found
    mixed = audio.astype(np.float64).copy()
    at = len(mixed) // 2
    mixed[at : at + SAMPLE_RATE * 80 // 1000] += key_tone("7", 80, low_amp=6000, high_amp=7000)
    assert [d for d, _ in detect(np.clip(mixed, -32768, 32767).astype(np.int16))] == ["7"]
