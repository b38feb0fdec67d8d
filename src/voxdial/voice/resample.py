"""Sample-rate conversion for speech providers: whatever rate a model speaks, to 16 kHz.

A polyphase windowed-sinc resampler in NumPy (no SciPy, no libsoxr): the ratio is
reduced to L/M (22050 -> 16000 is 320/441, 24000 -> 16000 is 2/3) and each output sample
is one dot product of `2 * _HALF_TAPS + 1` input samples with one phase of a Kaiser
windowed low-pass: flat to 0.85 of the lower Nyquist frequency (3.4 kHz from 8 kHz),
-80 dB from 1.25 of it, and ~10-20 ms of CPU per second of audio.
"""

from __future__ import annotations

from functools import lru_cache
from math import gcd

import numpy as np

_HALF_TAPS = 32  # input samples each side of an output sample
_KAISER_BETA = 8.5
_ROLLOFF = 0.92  # pass band edge as a fraction of the lower Nyquist frequency
_CHUNK = 8192  # output samples per vectorised block (bounds memory)


@lru_cache(maxsize=16)
def _phases(up: int, down: int) -> np.ndarray:
    """The prototype low-pass at `up` times the input rate, split into `up` phases of
    `2 * _HALF_TAPS + 1` taps each: `H[p, k] = h[p + k * up]`."""
    taps = 2 * _HALF_TAPS + 1
    length = taps * up
    centre = _HALF_TAPS * up
    cutoff = 0.5 * _ROLLOFF / max(up, down)  # cycles per sample at the upsampled rate
    n = np.arange(length) - centre
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.kaiser(length, _KAISER_BETA)
    h *= up / h.sum()  # zero-stuffing by `up` loses that much gain; each phase sums to ~1
    return h.reshape(taps, up).T.copy()


def resample(audio: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Mono `audio` at `src_rate` as int16 at `dst_rate`. Samples are on the int16 scale
    (convert float [-1, 1] audio with `float_to_int16` first)."""
    if src_rate <= 0 or dst_rate <= 0:
        raise ValueError("sample rates must be positive")
    x = np.asarray(audio).reshape(-1)
    if src_rate == dst_rate or x.size == 0:
        return _to_int16(x)
    g = gcd(src_rate, dst_rate)
    up, down = dst_rate // g, src_rate // g
    phases = _phases(up, down)
    taps = phases.shape[1]
    xf = x.astype(np.float64)
    padded = np.concatenate([np.zeros(taps), xf, np.zeros(taps)])
    n_out = (x.size * up) // down
    out = np.empty(n_out, dtype=np.float64)
    k = np.arange(taps)
    for start in range(0, n_out, _CHUNK):
        n = np.arange(start, min(start + _CHUNK, n_out))
        pos = n * down + _HALF_TAPS * up  # position in the upsampled signal, delay-aligned
        phase = pos % up
        base = pos // up + taps  # + taps: the leading zero padding
        idx = base[:, None] - k[None, :]
        out[start : start + n.size] = np.einsum("ij,ij->i", padded[idx], phases[phase])
    return _to_int16(out)


def _to_int16(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.int16:
        return x
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


def float_to_int16(x: np.ndarray) -> np.ndarray:
    """Float audio in [-1, 1] as int16 (clipped)."""
    return np.clip(np.rint(np.asarray(x, dtype=np.float64) * 32767.0), -32768, 32767).astype(
        np.int16
    )
