"""Recordings of who answers a call, for the answer-detection call tests: made with
bench/make_answer_set.py's generator (voxdial's voices through the telephone band, with
line noise), spoken by espeak, which says a text the same way every time (piper's
voice varies from one synthesis to the next, and so would the recordings)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from bench.make_answer_set import ItemSpec, Voices, render

from voxdial.voice.audio import Upsampler


def say(text: str, voice: str = "espeak-en") -> dict:
    return {"kind": "speech", "voice": voice, "variant": None, "rate": 1.0, "text": text}


def quiet(ms: int) -> dict:
    return {"kind": "silence", "ms": ms}


BEEP = {"kind": "tone", "name": "beep", "hz": 1000.0, "ms": 500}

RECORDINGS = {
    "human": [quiet(600), say("Hello?"), quiet(200)],
    "voicemail": [
        quiet(400),
        say("Hi, you've reached Sam."),
        quiet(300),
        say("Please leave a message after the tone."),
        quiet(400),
        BEEP,
        quiet(200),
    ],
    "powered_off": [quiet(300), say("The mobile phone you are calling is switched off.")],
    "vacant": [
        quiet(300),
        say("The number you have dialed is not in service. Please check the number."),
    ],
}


def make_recordings(cache: Path, labels: list[str] | None = None) -> dict[str, np.ndarray]:
    """Each of `RECORDINGS` (or of `labels`) at 16 kHz, as a callee's line carries it."""
    voices = Voices(cache)
    out = {}
    try:
        for i, (label, parts) in enumerate(RECORDINGS.items()):
            if labels is not None and label not in labels:
                continue
            spec = ItemSpec(label, "test", label, "en", 11 + i, -20.0, 25.0, "pink", parts)
            out[label] = Upsampler()(render(spec, voices).audio)
    finally:
        voices.close()
    return out
