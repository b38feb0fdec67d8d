"""Text to speech on a server of its own: an OpenAI-compatible `/v1/audio/speech`
(speaches, vLLM, Kokoro or piper behind such a route, OpenAI itself).

`OpenAISynthesizer` is a `Synthesizer` (voice/base.py): one clause goes up as JSON
`{model, input, voice, response_format}` and comes back as audio at whatever rate the
server's voice speaks, resampled here to the call's 16 kHz int16 (voice/resample.py).
`wav` (the default) says its own rate, and may be the streamed kind whose sizes are
placeholders; `pcm` is raw 16-bit little-endian mono at `sample_rate` (24 kHz for
OpenAI's voices; a speaches piper voice speaks 22.05 kHz).

Thread-safe, one pooled client for all calls; failures raise `SpeechServerError`
(voice/remote.py) after its bounded retries.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable

import httpx
import numpy as np

from voxdial.voice.base import SAMPLE_RATE, Pcm
from voxdial.voice.remote import SpeechServer, SpeechServerError
from voxdial.voice.resample import resample
from voxdial.voice.tts import SynthesisError, parse_wav

FORMATS = ("wav", "pcm")
OPENAI_PCM_RATE = 24_000


class OpenAISynthesizer:
    """One voice of an OpenAI-compatible speech server."""

    def __init__(
        self,
        base_url: str,
        *,
        model: str,
        voice: str,
        name: str | None = None,
        language: str = "en-US",
        api_key: str = "",
        timeout: float = 10.0,
        response_format: str = "wav",
        sample_rate: int = OPENAI_PCM_RATE,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not model.strip() or not voice.strip():
            raise ValueError("a speech server voice needs a model and a voice")
        if response_format not in FORMATS:
            raise ValueError(f"response_format must be one of {', '.join(FORMATS)}")
        if sample_rate <= 0:
            raise ValueError("sample_rate must be positive")
        self.name = name or voice
        self.language = language
        self.model = model
        self.voice = voice
        self.response_format = response_format
        self.sample_rate = sample_rate
        self._server = SpeechServer(
            base_url,
            api_key=api_key,
            timeout=timeout,
            what="speech",
            transport=transport,
            sleep=sleep,
        )

    def synthesize(self, text: str) -> Pcm:
        text = text.strip()
        if not text:
            return np.zeros(0, dtype=np.int16)
        response = self._server.post(
            "audio/speech",
            json={
                "model": self.model,
                "input": text,
                "voice": self.voice,
                "response_format": self.response_format,
            },
        )
        rate, pcm = self._decode(response.content)
        return resample(pcm, rate, SAMPLE_RATE)

    def _decode(self, body: bytes) -> tuple[int, np.ndarray]:
        if self.response_format == "pcm":
            if len(body) % 2:
                raise SpeechServerError("speech: raw PCM of odd length", reason="bad reply")
            return self.sample_rate, np.frombuffer(body, dtype="<i2").astype(np.int16)
        try:
            return parse_wav(body)
        except (SynthesisError, struct.error) as e:  # struct.error: a truncated header
            raise SpeechServerError(f"speech: {e}", reason="bad reply") from e

    def close(self) -> None:
        self._server.close()
