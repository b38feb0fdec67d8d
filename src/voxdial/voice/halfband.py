"""8 kHz <-> 16 kHz for phone lines: one stream at a time, or every line's at once.

The filter is a 31-tap windowed-sinc low-pass at 4 kHz, a quarter of the 16 kHz rate:
the anti-alias filter for 16 -> 8 kHz and the image filter for 8 -> 16 kHz. It is a
half-band filter (every other tap but the centre one is a zero of the sinc), so it runs
polyphase and never multiplies a zero:

- up (8 -> 16 kHz, zero-stuffed, gain 2): each even output sample is a 16-tap filter
  of the input, each odd one the centre tap times one input sample;
- down (16 -> 8 kHz, every other output kept): 16 taps on one phase of the input plus
  the centre tap on the other.

A stream's state is its tail: the input samples the next frame's first outputs need (the
last 15 at 8 kHz going up; the last 30 at 16 kHz going down, and which phase is kept).

`upsample_all` and `downsample_all` filter many streams in one pass (the SIP pump: every
line's 20 ms frame each tick). The chunks of one length are stacked as rows of one array,
each row led by its stream's tail, laid end to end, and each pair of equal taps is one
add, one multiply and one accumulate over the whole array: some thirty NumPy calls a
tick for a hundred lines, as many as one stream's frame costs alone. Every output sample
is the same sequence of float32 operations on the same inputs whether its stream is
filtered alone or with others, so the two give the same samples (tests/test_halfband.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# int16 samples as bytes (what the SIP stack hands over), or an array of samples
Chunk = bytes | np.ndarray

_TAPS = 31
_n = np.arange(_TAPS) - (_TAPS - 1) / 2
HALF_BAND = (np.sinc(_n / 2) / 2 * np.hamming(_TAPS)).astype(np.float32)
HALF_BAND /= HALF_BAND.sum()
_CENTRE = (_TAPS - 1) // 2
# The odd taps other than the centre are zeros of the sinc (1e-17 in floating point):
# the polyphase filters leave them out.
_EVEN = HALF_BAND[0::2].copy()  # 16 taps, symmetric
_UP_EVEN = 2 * _EVEN  # zero-stuffing halves the level: the up filter has gain 2
_UP_CENTRE = 2 * HALF_BAND[_CENTRE]
_DOWN_CENTRE = HALF_BAND[_CENTRE]

UP_KEEP = len(_EVEN) - 1  # 8 kHz samples an up stream keeps: 15
DOWN_KEEP = _TAPS - 1  # 16 kHz samples a down stream keeps: 30
_UP_ZEROS = bytes(4 * UP_KEEP)  # float32 zeros: a stream's tail before its first frame
_DOWN_ZEROS = bytes(4 * DOWN_KEEP)


class Upsampler:
    """8 kHz -> 16 kHz for a stream of frames, filter state carried across frames."""

    __slots__ = ("tail",)

    def __init__(self) -> None:
        self.tail = _UP_ZEROS  # the last UP_KEEP input samples, float32 bytes

    def __call__(self, pcm8k: Chunk) -> np.ndarray:
        return upsample_all([self], [pcm8k])[0]


class Downsampler:
    """16 kHz -> 8 kHz for a stream of frames, filter state carried across frames."""

    __slots__ = ("odd", "tail")

    def __init__(self) -> None:
        self.tail = _DOWN_ZEROS  # the last DOWN_KEEP input samples, float32 bytes
        self.odd = 0  # 1 when the previous chunk ended between two kept samples

    def __call__(self, pcm16k: Chunk) -> np.ndarray:
        return downsample_all([self], [pcm16k])[0]


def upsample_all(streams: Sequence[Upsampler], chunks: Sequence[Chunk]) -> list[np.ndarray]:
    """Each stream's next chunk at 8 kHz, as int16 at 16 kHz (twice as many samples), in
    one pass for all the chunks of each length: what each stream's own call would give.
    A stream appears at most once."""
    out: list[np.ndarray] = [_EMPTY] * len(streams)
    for rows, length, _ in _groups(streams, chunks, phased=False):
        x = _rows([streams[r].tail for r in rows], [chunks[r] for r in rows], length)
        _keep_tails([streams[r] for r in rows], x, length, UP_KEEP)
        for r, samples in zip(rows, _up(x, length), strict=True):
            out[r] = samples
    return out


def downsample_all(streams: Sequence[Downsampler], chunks: Sequence[Chunk]) -> list[np.ndarray]:
    """Each stream's next chunk at 16 kHz, as int16 at 8 kHz (every other sample, the
    phase carried across chunks), in one pass for the chunks of each length and phase:
    what each stream's own call would give. A stream appears at most once."""
    out: list[np.ndarray] = [_EMPTY] * len(streams)
    for rows, length, odd in _groups(streams, chunks, phased=True):
        group = [streams[r] for r in rows]
        x = _rows([s.tail for s in group], [chunks[r] for r in rows], length)
        _keep_tails(group, x, length, DOWN_KEEP)
        for stream in group:
            stream.odd = (odd + length) % 2
        for r, samples in zip(rows, _down(x, length, odd), strict=True):
            out[r] = samples
    return out


def _up(x: np.ndarray, length: int) -> np.ndarray:
    """Rows of a tail (UP_KEEP samples) and `length` samples at 8 kHz -> int16 rows of
    2 * `length` samples at 16 kHz."""
    n, width = x.shape
    y = np.empty((n, 2 * length), dtype=np.float32)
    y[:, 0::2] = _fir(x.reshape(-1), _UP_EVEN).reshape(n, width)[:, :length]
    np.multiply(x[:, 8 : 8 + length], _UP_CENTRE, out=y[:, 1::2])
    return _to_int16(y)


def _down(x: np.ndarray, length: int, odd: int) -> np.ndarray:
    """Rows of a tail (DOWN_KEEP samples) and `length` samples at 16 kHz -> int16 rows at
    8 kHz: every other output sample, from the sample `odd` on."""
    n, width = x.shape  # width is even: each row's phases start where the row does
    flat = x.reshape(-1)
    acc = _fir(flat[odd::2].copy(), _EVEN)
    span = acc.size - (len(_EVEN) - 1)
    centre = flat[odd + _CENTRE : odd + _CENTRE + 2 * span : 2] * _DOWN_CENTRE
    acc[:span] += centre
    kept = (length - odd + 1) // 2
    return _to_int16(acc.reshape(n, width // 2)[:, :kept])


_EMPTY = np.zeros(0, dtype=np.int16)
_EMPTY.flags.writeable = False


def _samples(chunk: Chunk) -> np.ndarray:
    if isinstance(chunk, np.ndarray):
        return chunk.reshape(-1)
    return np.frombuffer(chunk, dtype=np.int16)


def _groups(streams, chunks, *, phased: bool) -> list[tuple[list[int], int, int]]:
    """The indices of the non-empty chunks by (length, the stream's phase if `phased`)."""
    if len(streams) != len(chunks):
        raise ValueError("one chunk per stream")
    if len(set(map(id, streams))) != len(streams):
        raise ValueError("a stream appears twice in one batch")
    groups: dict[tuple[int, int], list[int]] = {}
    for r, chunk in enumerate(chunks):
        n = chunk.size if isinstance(chunk, np.ndarray) else len(chunk) // 2
        if n:
            groups.setdefault((n, streams[r].odd if phased else 0), []).append(r)
    return [(rows, n, odd) for (n, odd), rows in groups.items()]


def _rows(tails: list[bytes], chunks: Sequence[Chunk], length: int) -> np.ndarray:
    """Rows of float32, one per stream: its tail, then its chunk of `length` samples (one
    sample more of padding when that makes the width odd: a row's phases then start at
    its first sample; no output uses the padding)."""
    n, keep = len(tails), len(tails[0]) // 4
    width = keep + length + (keep + length) % 2
    x = np.empty((n, width), dtype=np.float32)
    x[:, :keep] = np.frombuffer(b"".join(tails), dtype=np.float32).reshape(n, keep)
    if all(type(c) is bytes for c in chunks):  # the SIP pump's: one join, one view
        joined = b"".join(chunks)
        x[:, keep : keep + length] = np.frombuffer(joined, dtype=np.int16).reshape(n, length)
    else:
        for row, chunk in zip(x, chunks, strict=True):
            row[keep : keep + length] = _samples(chunk)
    x[:, keep + length :] = 0
    return x


def _keep_tails(streams, x: np.ndarray, length: int, keep: int) -> None:
    tails = x[:, length : length + keep].tobytes()
    size = 4 * keep
    for i, stream in enumerate(streams):
        stream.tail = tails[i * size : (i + 1) * size]


def _fir(flat: np.ndarray, taps: np.ndarray) -> np.ndarray:
    """`sum(taps[i] * flat[j + i])` for every j with the whole window inside `flat`
    (the last `len(taps) - 1` entries of the result are not set), for symmetric `taps`
    (16): the two samples under each pair of equal taps are added, then one multiply
    and one add per pair, in tap order, each a single pass over the whole array. Run
    over rows laid end to end, each row's outputs are what that row alone would give."""
    last = len(taps) - 1
    span = flat.size - last
    out = np.empty(flat.size, dtype=np.float32)
    acc = out[:span]
    np.add(flat[:span], flat[last:], out=acc)
    acc *= taps[0]
    pair = np.empty(span, dtype=np.float32)
    for i in range(1, len(taps) // 2):
        np.add(flat[i : i + span], flat[last - i : last - i + span], out=pair)
        pair *= taps[i]
        acc += pair
    return out


def _to_int16(y: np.ndarray) -> np.ndarray:
    np.rint(y, out=y)
    np.clip(y, -32768, 32767, out=y)
    return y.astype(np.int16)
