"""Call-progress tones: one window's peaks, and the signals a run of windows makes."""

from __future__ import annotations

import numpy as np
import pytest

from voxdial.voice.answer_tones import (
    WINDOW,
    SitKind,
    ToneSignal,
    ToneTracker,
    analyse_window,
)

RATE = 16_000


def tone(freqs: tuple[float, ...], ms: float, level: float = 0.2) -> np.ndarray:
    t = np.arange(int(RATE * ms / 1000)) / RATE
    x = sum(np.sin(2 * np.pi * f * t + i) for i, f in enumerate(freqs)) / len(freqs)
    return np.asarray(x) * level * 32767


def silence(ms: float) -> np.ndarray:
    return np.zeros(int(RATE * ms / 1000))


def noisy(x: np.ndarray, snr_db: float | None, seed: int = 7) -> np.ndarray:
    if snr_db is not None:
        loud = x[np.abs(x) > 0]
        rms = float(np.sqrt(np.mean(loud**2)))
        x = x + np.random.default_rng(seed).normal(0, rms / 10 ** (snr_db / 20), x.size)
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


def signals(x: np.ndarray, *, speech_heard: bool = False):
    tracker = ToneTracker(speech_heard=speech_heard)
    events = []
    for i in range(0, x.size - WINDOW + 1, WINDOW):
        events += tracker.update(analyse_window(x[i : i + WINDOW]))
    return events + tracker.flush()


SIT = {
    SitKind.VACANT_CODE: ((985.2, 380), (1370.6, 274), (1776.7, 380)),
    SitKind.INTERCEPT: ((913.8, 274), (1370.6, 274), (1776.7, 380)),
    SitKind.NO_CIRCUIT: ((985.2, 380), (1428.5, 380), (1776.7, 380)),
    SitKind.REORDER: ((913.8, 274), (1428.5, 380), (1776.7, 380)),
}


@pytest.mark.parametrize("freq", [440.0, 1000.0, 1777.0, 2600.0])
def test_a_pure_tone_is_one_peak_at_its_frequency(freq):
    w = analyse_window(noisy(tone((freq,), 40), 20)[:WINDOW])
    assert w.tonal and len(w.freqs) == 1
    assert abs(w.freqs[0] - freq) < 6


def test_a_dual_tone_is_two_peaks():
    w = analyse_window(noisy(tone((480.0, 620.0), 40), None)[:WINDOW])
    assert sorted(round(f, -1) for f in w.freqs) == [480, 620]


@pytest.mark.parametrize(
    "x", [silence(40), np.random.default_rng(1).normal(0, 3000, 800)], ids=["silence", "noise"]
)
def test_silence_and_noise_are_not_tonal(x):
    assert not analyse_window(noisy(np.asarray(x, dtype=float), None)[:WINDOW]).tonal


@pytest.mark.parametrize("snr", [None, 10.0, 5.0])
@pytest.mark.parametrize("kind", list(SIT))
def test_special_information_tones_by_kind(kind, snr):
    x = np.concatenate([silence(200)] + [tone((f,), ms) for f, ms in SIT[kind]] + [silence(400)])
    events = signals(noisy(x, snr))
    assert [(e.signal, e.sit) for e in events] == [(ToneSignal.SIT, kind)]
    assert kind.number_is_vacant == (kind in (SitKind.VACANT_CODE, SitKind.INTERCEPT))


@pytest.mark.parametrize("snr", [None, 10.0, 5.0])
@pytest.mark.parametrize(
    ("freqs", "on_ms"), [((450.0,), 350), ((480.0, 620.0), 500)], ids=["china", "north-america"]
)
def test_busy_tone_after_three_bursts(freqs, on_ms, snr):
    burst = np.concatenate([tone(freqs, on_ms), silence(on_ms)])
    events = signals(noisy(np.tile(burst, 4), snr))
    assert events and events[0].signal is ToneSignal.BUSY
    assert 5 * on_ms - 100 <= events[0].at_ms <= 5 * on_ms + 150  # after the third burst


@pytest.mark.parametrize("snr", [None, 10.0])
@pytest.mark.parametrize(
    ("freqs", "on_ms"),
    [((450.0,), 1000), ((440.0, 480.0), 2000), ((400.0, 450.0), 1000)],
    ids=["china", "north-america", "uk"],
)
def test_ringback_is_announced_while_it_plays(freqs, on_ms, snr):
    x = np.concatenate([tone(freqs, on_ms), silence(1000), tone(freqs, on_ms), silence(500)])
    events = signals(noisy(x, snr))
    assert [e.signal for e in events] == [ToneSignal.RINGBACK, ToneSignal.RINGBACK]
    assert 690 <= events[0].at_ms <= 800  # known 0.7 s into the burst, not at its end


@pytest.mark.parametrize("snr", [None, 10.0])
@pytest.mark.parametrize(("freq", "ms"), [(1000.0, 500), (1400.0, 300), (850.0, 800)])
def test_a_beep_is_settled_once_it_stops(freq, ms, snr):
    x = np.concatenate([silence(300), tone((freq,), ms), silence(500)])
    events = signals(noisy(x, snr))
    assert [e.signal for e in events] == [ToneSignal.BEEP]
    beep = events[0].segment
    assert abs(beep.freqs[0] - freq) < 10
    assert abs(beep.duration_ms - ms) <= 70
    assert 0 < events[0].at_ms - (300 + ms) <= 200


def test_a_low_beep_counts_only_after_speech():
    x = noisy(np.concatenate([silence(300), tone((440.0,), 400), silence(500)]), None)
    assert signals(x) == []  # before speech: maybe a ringback or busy burst
    assert [e.signal for e in signals(x, speech_heard=True)] == [ToneSignal.BEEP]


def test_a_glide_is_no_tone():
    t = np.arange(int(RATE * 0.6)) / RATE
    glide = np.sin(2 * np.pi * (600 * t + 1500 * t * t)) * 6000  # 600 -> 2400 Hz
    assert signals(noisy(np.concatenate([glide, silence(300)]), None)) == []


def test_short_tonal_blips_are_vowels_not_tones():
    x = np.concatenate([silence(100), tone((700.0,), 64), silence(300)] * 3)
    assert signals(noisy(x, None)) == []


def test_a_harmonic_that_drifts_with_the_pitch_is_no_beep():
    t = np.arange(int(RATE * 0.4)) / RATE
    drifting = np.sin(2 * np.pi * (760 * t + 60 * t * t)) * 6000  # 760 -> 808 Hz in 0.4 s
    assert signals(noisy(np.concatenate([drifting, silence(300)]), None), speech_heard=True) == []
