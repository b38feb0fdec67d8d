"""The clauses a worker has already synthesized, kept for the next call that says them.

Outbound calls of one assistant say the same greeting, questions and closing to every
callee; a clause made once is played from memory afterwards. `ClauseCache` is a
least-recently-used store bounded in bytes of audio (`VOXDIAL_TTS_CACHE_MB`, 0: off),
keyed by the voice (its `cache_key`: engine, model and settings; else the voice object
itself) and the clause's text. Thread-safe. The TTS scheduler (voice/tts_scheduler.py)
consults it and also shares one synthesis among concurrent requests for a clause that
is not cached yet.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from voxdial.voice.base import Pcm, Synthesizer


def clause_key(voice: Synthesizer, text: str) -> tuple[Hashable, str]:
    """What identifies a clause's audio: the voice with its settings, and the text as
    the voice reads it (synthesizers strip it)."""
    key = getattr(voice, "cache_key", None)
    return (key if key is not None else voice), text.strip()


class ClauseCache:
    """Clause audio by `clause_key`, at most `max_bytes` of it (0: keeps nothing)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self._items: OrderedDict[Hashable, Pcm] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0  # requests answered from the cache or by a synthesis already running
        self.misses = 0  # requests that started a synthesis

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> Pcm | None:
        """The clause's audio (now the most recently used), or None; not counted."""
        with self._lock:
            pcm = self._items.get(key)
            if pcm is not None:
                self._items.move_to_end(key)
            return pcm

    def count(self, *, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def put(self, key: Hashable, pcm: Pcm) -> None:
        """Keep `pcm` (read-only from now on: every call that says the clause plays the
        same array), dropping the least recently used clauses to stay within bounds; a
        clause larger than the whole cache is not kept."""
        size = int(pcm.nbytes)
        if size > self.max_bytes or size == 0:
            return
        pcm.setflags(write=False)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= int(old.nbytes)
            self._items[key] = pcm
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= int(dropped.nbytes)
