"""8 kHz <-> 16 kHz (voice/halfband.py): every line's frames filtered in one batch give
the samples each line's own resampler gives, across lines joining and leaving, and the
polyphase filter gives what the plain 31-tap convolution gave (the resampler it
replaced, kept here as the reference) to within the last bit of rounding."""

from __future__ import annotations

import numpy as np
import pytest

from voxdial.voice.halfband import (
    HALF_BAND,
    Downsampler,
    Upsampler,
    downsample_all,
    upsample_all,
)

TAPS = len(HALF_BAND)


class ConvolvedDown:
    """The reference: 16 -> 8 kHz as one convolution over the tail and the chunk, every
    other output kept (the per-call resampler before halfband.py)."""

    def __init__(self) -> None:
        self.tail = np.zeros(TAPS - 1, dtype=np.float32)
        self.odd = 0

    def __call__(self, pcm16k: np.ndarray) -> np.ndarray:
        x = np.concatenate([self.tail, pcm16k.astype(np.float32)])
        self.tail = x[-(TAPS - 1) :]
        y = np.convolve(x, HALF_BAND, mode="valid")[self.odd :: 2]
        self.odd = (self.odd + len(pcm16k)) % 2
        return np.clip(np.rint(y), -32768, 32767).astype(np.int16)


class ConvolvedUp:
    """The reference: 8 -> 16 kHz zero-stuffed (gain 2), then one convolution."""

    def __init__(self) -> None:
        self.tail = np.zeros(TAPS - 1, dtype=np.float32)

    def __call__(self, pcm8k: np.ndarray) -> np.ndarray:
        stuffed = np.zeros(len(pcm8k) * 2, dtype=np.float32)
        stuffed[::2] = pcm8k.astype(np.float32) * 2
        x = np.concatenate([self.tail, stuffed])
        self.tail = x[-(TAPS - 1) :]
        y = np.convolve(x, HALF_BAND, mode="valid")
        return np.clip(np.rint(y), -32768, 32767).astype(np.int16)


def chunk_sizes(rng: np.random.Generator, count: int) -> list[int]:
    """Mostly a 20 ms frame (160 samples at 8 kHz, 320 at 16 kHz), some of a late tick,
    some odd lengths and single samples."""
    return [int(n) for n in rng.choice([160, 320, 320, 640, 7, 321, 1, 2, 1000], size=count)]


def speech_like(rng: np.random.Generator, n: int) -> np.ndarray:
    """Full-scale noise and tones, clipped at the int16 rails now and then."""
    t = np.arange(n)
    x = 20000 * np.sin(t * 0.07) + 9000 * np.sin(t * 1.3) + rng.normal(0, 6000, n)
    return np.clip(x, -32768, 32767).astype(np.int16)


@pytest.mark.parametrize(
    ("ours", "reference", "ratio"), [(Upsampler, ConvolvedUp, 2), (Downsampler, ConvolvedDown, 0.5)]
)
def test_a_stream_gets_what_the_convolution_gave(ours, reference, ratio):
    rng = np.random.default_rng(7)
    new, old = ours(), reference()
    differ = total = samples = inputs = 0
    for n in chunk_sizes(rng, 600):
        x = speech_like(rng, n)
        inputs += n
        a, b = new(x), old(x)
        assert a.dtype == np.int16 and a.shape == b.shape
        samples += a.size
        gap = np.abs(a.astype(np.int32) - b.astype(np.int32))
        assert gap.max(initial=0) <= 1  # the float32 sums run in another order
        differ += int(np.count_nonzero(gap))
        total += gap.size
    assert total > 50_000 and differ / total < 1e-3
    assert abs(samples - inputs * ratio) <= 1  # twice as many samples, or half (the phase)


def test_an_empty_chunk_gives_no_samples():
    up, down = Upsampler(), Downsampler()
    assert up(np.zeros(0, np.int16)).size == 0 and down(np.zeros(0, np.int16)).size == 0
    assert up(b"").size == 0 and upsample_all([up], [b""])[0].size == 0
    # and it leaves the state as it was: the next frame is what it would have been
    x = speech_like(np.random.default_rng(1), 320)
    fresh = Upsampler()
    assert np.array_equal(up(x), fresh(x))


@pytest.mark.parametrize(
    ("cls", "batched"), [(Upsampler, upsample_all), (Downsampler, downsample_all)]
)
def test_lines_filtered_together_get_their_own_samples_as_lines_join_and_leave(cls, batched):
    """A changing set of lines, each tick's chunks filtered in one batch, against each
    line filtered alone (its own resampler, the same chunks): equal, sample for sample."""
    rng = np.random.default_rng(11)
    together: dict[int, object] = {}
    alone: dict[int, object] = {}
    next_line = 0
    compared = 0
    for tick in range(250):
        for line in list(together):
            if rng.random() < 0.04:  # hangs up mid-stream
                del together[line], alone[line]
        for _ in range(int(rng.integers(0, 4)) if tick % 50 < 40 else 0):  # new lines join
            together[next_line], alone[next_line] = cls(), cls()
            next_line += 1
        lines = list(together)
        chunks: list[bytes | np.ndarray] = []
        for _line in lines:
            x = speech_like(rng, int(rng.choice([0, 160, 320, 320, 320, 640, 7, 321])))
            chunks.append(x.tobytes() if rng.random() < 0.7 else x)  # the stack's bytes, or arrays
        out = batched([together[line] for line in lines], chunks)
        assert len(out) == len(lines)
        for line, chunk, got in zip(lines, chunks, out, strict=True):
            own = alone[line](
                chunk if isinstance(chunk, np.ndarray) else np.frombuffer(chunk, np.int16)
            )
            assert got.dtype == np.int16 and np.array_equal(got, own), (tick, line)
            compared += got.size
    assert next_line > 100 and compared > 500_000


def test_a_chunk_of_frames_gives_what_the_frames_give_one_by_one():
    """The SIP pump hands the stack several frames at once when its buffer is low."""
    rng = np.random.default_rng(3)
    x = speech_like(rng, 320 * 25)
    one_by_one = Downsampler()
    frames = np.concatenate([one_by_one(x[i : i + 320]) for i in range(0, x.size, 320)])
    assert np.array_equal(Downsampler()(x), frames)
    y = speech_like(rng, 160 * 25)
    up = Upsampler()
    assert np.array_equal(
        Upsampler()(y), np.concatenate([up(y[i : i + 160]) for i in range(0, y.size, 160)])
    )


def test_the_filter_passes_the_voice_band_and_stops_the_images():
    t = np.arange(16000) / 16000
    voice = (8000 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    above = (8000 * np.sin(2 * np.pi * 6000 * t)).astype(np.int16)  # folds to 2 kHz at 8 kHz
    assert 0.95 < np.std(Downsampler()(voice)[100:]) / np.std(voice) < 1.05
    assert np.std(Downsampler()(above)[100:]) / np.std(above) < 0.02
    narrow = (8000 * np.sin(2 * np.pi * 1000 * np.arange(8000) / 8000)).astype(np.int16)
    wide = Upsampler()(narrow)
    spectrum = np.abs(np.fft.rfft(wide[200:].astype(np.float64)))
    freqs = np.fft.rfftfreq(wide.size - 200, 1 / 16000)
    assert abs(freqs[np.argmax(spectrum)] - 1000) < 5
    image = spectrum[np.abs(freqs - 7000) < 50].max()  # the 8 kHz - 1 kHz image
    assert image < 0.01 * spectrum.max()


def test_a_batch_takes_each_line_once_and_one_chunk_per_line():
    up = Upsampler()
    with pytest.raises(ValueError, match="twice"):
        upsample_all([up, up], [b"\0\0", b"\0\0"])
    with pytest.raises(ValueError, match="one chunk per stream"):
        downsample_all([Downsampler()], [])
