"""Audio at the edges of a call: G.711 μ-law, 8 kHz <-> 16 kHz, and the call recording.

G.711 μ-law follows ITU-T G.711 (bias 0x84, 14-bit magnitude, inverted bits). Both
directions are table lookups on NumPy arrays, so a 20 ms frame costs microseconds.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from voxdial.voice.base import SAMPLE_RATE, Pcm
from voxdial.voice.halfband import Downsampler, Upsampler

# 8 <-> 16 kHz, one stream at a time, lives in halfband.py (which also filters many
# streams at once); its importers have always found it here.
__all__ = [
    "MULAW_DECODE",
    "MULAW_ENCODE",
    "SILENCE_RMS",
    "Downsampler",
    "Recording",
    "Upsampler",
    "is_digital_silence",
    "mulaw_to_pcm",
    "pcm_to_mulaw",
]

_BIAS = 0x84
_CLIP = 32635


def _mulaw_decode_table() -> np.ndarray:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _mulaw_encode_table() -> np.ndarray:
    """Indexed by the 16-bit sample as unsigned (sample & 0xFFFF)."""
    samples = np.arange(65536, dtype=np.int32)
    samples = np.where(samples >= 32768, samples - 65536, samples)
    sign = np.where(samples < 0, 0x80, 0)
    # G.711 works on 14 bits: negative samples round toward minus infinity first
    magnitude = np.where(samples < 0, (-(samples >> 2)) << 2, samples)
    magnitude = np.minimum(magnitude, _CLIP) + _BIAS
    exponent = np.floor(np.log2(magnitude >> 7 | 1)).astype(np.int32)
    exponent = np.clip(exponent, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)


MULAW_DECODE = _mulaw_decode_table()
MULAW_ENCODE = _mulaw_encode_table()


def mulaw_to_pcm(data: bytes) -> np.ndarray:
    """μ-law bytes -> int16 samples (same rate)."""
    return MULAW_DECODE[np.frombuffer(data, dtype=np.uint8)]


def pcm_to_mulaw(samples: np.ndarray) -> bytes:
    """int16 samples -> μ-law bytes (same rate)."""
    return MULAW_ENCODE[samples.astype(np.int16).view(np.uint16)].tobytes()


# int16 RMS under which audio is digital silence: -78 dBFS, below the quietest μ-law or
# A-law step a real line carries with noise on it (a line's hiss sits near -60 dBFS)
SILENCE_RMS = 4.0


def is_digital_silence(audio: Pcm, floor: float = SILENCE_RMS) -> bool:
    """Whether `audio` (int16) is all zeros or under `floor` RMS (an empty clip is)."""
    x = np.asarray(audio).reshape(-1)
    if x.size == 0:
        return True
    peak = int(np.max(np.abs(x.astype(np.int32))))
    if peak == 0:
        return True
    if peak < floor:  # every sample under the floor: so is the RMS
        return True
    x = x.astype(np.float32)
    return float(np.sqrt(np.dot(x, x) / x.size)) < floor


class Recording:
    """Both sides of a call on one timeline: left channel the callee, right the assistant.

    The callee's audio arrives as a continuous stream, so its sample count is the call's
    clock. The assistant's audio is placed where the line starts playing it; a barge-in
    cuts what was queued but not heard.
    """

    def __init__(self, max_seconds: float = 3600) -> None:
        self._callee: list[np.ndarray] = []
        self._heard = 0  # callee samples so far
        self._assistant = np.zeros(0, dtype=np.int16)
        self._played_to = 0  # assistant timeline end (samples)
        self._max = int(max_seconds * SAMPLE_RATE)

    @property
    def position(self) -> int:
        """Samples of the callee heard so far: now, on the recording's timeline."""
        return self._heard

    def hear(self, pcm: Pcm) -> None:
        if self._heard < self._max:
            self._callee.append(pcm)
            self._heard += len(pcm)

    def speak(self, pcm: Pcm) -> tuple[int, int]:
        """Queue assistant audio after what is already queued (or now, if idle).
        Returns its (start, end) on the timeline in samples."""
        start = max(self._played_to, self._heard)
        end = min(start + len(pcm), self._max)
        if end > len(self._assistant):
            grown = np.zeros(max(end, 2 * len(self._assistant)), dtype=np.int16)
            grown[: len(self._assistant)] = self._assistant
            self._assistant = grown
        self._assistant[start:end] = pcm[: end - start]
        self._played_to = end
        return start, end

    def cut(self) -> None:
        """Barge-in: the queued assistant audio after now is never played."""
        if self._played_to > self._heard:
            self._assistant[self._heard : self._played_to] = 0
            self._played_to = self._heard

    @property
    def speaking_until(self) -> int:
        return self._played_to

    def save(self, path: Path) -> None:
        callee = np.concatenate(self._callee) if self._callee else np.zeros(0, np.int16)
        length = max(len(callee), self._played_to)
        stereo = np.zeros((length, 2), dtype=np.int16)
        stereo[: len(callee), 0] = callee
        stereo[: self._played_to, 1] = self._assistant[: self._played_to]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(SAMPLE_RATE)
            w.writeframes(stereo.tobytes())
        tmp.replace(path)
