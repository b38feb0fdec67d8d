"""A call's keys, from every source at once (`Keypad`), and their calltrace lines.

In-band detection runs on all the callee's audio, whatever the line: a carrier that
sends keys out of band may pass the tones through as well (Twilio does, some SIP
gateways do). So one press can arrive twice, as tones and as an event: a key is dropped
when another source gave the same key less than `duplicate_ms` before it (a person
pressing one key twice within a second from one source still gives two keys).
"""

from __future__ import annotations

import json

from voxdial.voice.base import SAMPLE_RATE, Pcm
from voxdial.voice.dtmf import DtmfDetector, Key, KeySource

DUPLICATE_MS = 1000


class Keypad:
    def __init__(self, *, duplicate_ms: int = DUPLICATE_MS) -> None:
        self.detector = DtmfDetector()
        self.duplicate_ms = duplicate_ms
        self._last: dict[KeySource, Key] = {}  # the last key taken from each source

    def hear(self, pcm: Pcm) -> list[Key]:
        """The in-band keys found in the callee's next audio (fed all of it, in order,
        so the detector's sample count is the call's timeline)."""
        return [
            Key(digit, KeySource.INBAND, start * 1000 // SAMPLE_RATE)
            for digit, start in self.detector.feed(pcm)
        ]

    def mostly_keys(self, start: int, samples: int) -> bool:
        """Whether an utterance (timeline `start`, `samples` long) was mostly key tones:
        not speech to transcribe, the keys were the reply."""
        tones = self.detector.tone_samples(start, start + samples)
        return samples > 0 and tones >= 0.3 * samples

    def take(self, key: Key) -> bool:
        """Whether `key` is a new press (and keep it as its source's last)."""
        for source, last in self._last.items():
            near = abs(key.at_ms - last.at_ms) < self.duplicate_ms
            if source != key.source and last.digit == key.digit and near:
                return False
        self._last[key.source] = key
        return True


def trace_text(digit: str, *, direction: str, source: str) -> str:
    """A `dtmf` calltrace line: `{"digit", "direction": "in" | "out", "source"}`."""
    return json.dumps({"digit": digit, "direction": direction, "source": source})
