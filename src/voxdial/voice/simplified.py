"""Mandarin transcripts in simplified characters, whatever the recognizer wrote."""

from __future__ import annotations

import threading

_lock = threading.Lock()
_t2s = None


def to_simplified(text: str) -> str:
    """`text` with traditional characters converted (OpenCC t2s; built on first use)."""
    global _t2s
    if not text:
        return text
    with _lock:  # OpenCC builds its dictionaries on first use; one converter per process
        if _t2s is None:
            from opencc import OpenCC

            _t2s = OpenCC("t2s")
        return str(_t2s.convert(text))
