"""Speech to text on a server of its own: an OpenAI-compatible `/v1/audio/transcriptions`
(vLLM, speaches, faster-whisper-server, OpenAI itself), so many workers share one
GPU box.

`OpenAIRecognizer` is a `Recognizer` (voice/base.py): one finished utterance, 16 kHz
int16, goes up as a 16-bit mono WAV in a multipart form with the `model`, the call's
`language` (ISO 639-1, as Whisper names it) and the hot words as the `prompt` (text said
just before, which biases Whisper towards their spelling, as the local recognizer does);
`response_format=json` brings back `{"text": ...}`. Mandarin comes back in simplified
characters, whatever the server's model writes, as the local recognizer promises.

It is thread-safe: every call of a worker transcribes through one pooled client, with
no queue of its own (the server batches what arrives together; the local ASR
scheduler exists to share a CPU, which the server does not use). `transcribe_batch`
sends several utterances at once, each its own request, for callers that gather them.
Failures raise `SpeechServerError` (voice/remote.py), after its bounded retries.
"""

from __future__ import annotations

import io
import threading
import time
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np

from voxdial.voice.asr import whisper_language
from voxdial.voice.base import SAMPLE_RATE, Pcm
from voxdial.voice.remote import SpeechServer, SpeechServerError
from voxdial.voice.simplified import to_simplified

_ZH_PROMPT = "以下是普通话的句子。"  # simplified Chinese before the clip: simplified after it
_MAX_PROMPT_CHARS = 400  # OpenAI reads at most 224 tokens of a prompt
_MIN_SAMPLES = SAMPLE_RATE // 10  # under 100 ms: nothing a recognizer can read
BATCH_CONCURRENCY = 8


def wav_bytes(audio: Pcm, rate: int = SAMPLE_RATE) -> bytes:
    """Mono int16 `audio` as a WAV file."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(audio, dtype="<i2").tobytes())
    return buf.getvalue()


def prompt_for(language: str | None, hot_words: Sequence[str]) -> str | None:
    """The hot words as the text said before the clip (Mandarin: after a sentence in
    simplified characters), or None when there is nothing to say."""
    words = [w.strip() for w in hot_words if w and w.strip()]
    if language == "zh":
        prompt = _ZH_PROMPT + ("、".join(words) + "。" if words else "")
    elif words:
        prompt = ", ".join(words) + "."
    else:
        return None
    return prompt[:_MAX_PROMPT_CHARS]


class OpenAIRecognizer:
    """One model on an OpenAI-compatible transcription server."""

    def __init__(
        self,
        base_url: str,
        *,
        model: str,
        name: str | None = None,
        language: str | None = None,
        api_key: str = "",
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not model.strip():
            raise ValueError("a speech server listener needs a model")
        self.name = name or model
        self.model = model
        self.language = whisper_language(language)  # default when a call names none
        self._server = SpeechServer(
            base_url,
            api_key=api_key,
            timeout=timeout,
            what="transcription",
            transport=transport,
            sleep=sleep,
        )
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def transcribe(self, audio: Pcm, *, language: str | None, hot_words: Sequence[str]) -> str:
        """The text of one utterance (16 kHz int16). `language` None: the listener's
        default, else the server detects it."""
        x = np.asarray(audio).reshape(-1)
        if x.size < _MIN_SAMPLES:
            return ""
        lang = whisper_language(language) or self.language
        form = {"model": self.model, "response_format": "json"}
        if lang:
            form["language"] = lang
        prompt = prompt_for(lang, hot_words)
        if prompt:
            form["prompt"] = prompt
        response = self._server.post(
            "audio/transcriptions",
            data=form,
            files={"file": ("utterance.wav", wav_bytes(x), "audio/wav")},
        )
        text = _text_of(response).strip()
        return self._simplified(text) if lang == "zh" else text

    def transcribe_batch(self, clips: Sequence[tuple[Pcm, str | None, Sequence[str]]]) -> list[str]:
        """Texts of several utterances `(audio, language, hot_words)`, requested at once
        (at most `BATCH_CONCURRENCY` in flight); the first failure is raised after all
        have finished."""
        if len(clips) <= 1:
            return [self.transcribe(a, language=lang, hot_words=hot) for a, lang, hot in clips]
        pool = self._executor()
        futures = [
            pool.submit(self.transcribe, a, language=lang, hot_words=hot) for a, lang, hot in clips
        ]
        errors = [f.exception() for f in futures]
        for error in errors:
            if error is not None:
                raise error
        return [f.result() for f in futures]

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        self._server.close()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=BATCH_CONCURRENCY, thread_name_prefix="voxdial-asr-remote"
                )
            return self._pool

    def _simplified(self, text: str) -> str:
        return to_simplified(text)


def _text_of(response: httpx.Response) -> str:
    """`text` of the JSON answer (a server that answers plain text is taken at its word)."""
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "text/plain":
        return response.text
    try:
        body = response.json()
    except ValueError as e:
        raise SpeechServerError("transcription: the answer is not JSON", reason="bad reply") from e
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise SpeechServerError("transcription: the answer has no text", reason="bad reply")
    return text
