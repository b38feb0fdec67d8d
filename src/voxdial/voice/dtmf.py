"""Keys (DTMF): the typed key event, in-band tone detection, and tone generation.

A key reaches a call in one of three ways, each a `KeySource`: out of band from the SIP
stack (an RTP telephone-event, RFC 4733, or a SIP INFO: the stack reports both alike),
as a media stream's `dtmf` message (Twilio Media Streams, the browser socket), or as
tones in the callee's audio (`DtmfDetector`). The session merges them (voice/keypad.py).

`DtmfDetector` runs the Goertzel algorithm on the eight DTMF frequencies over 20 ms
windows every 10 ms of 16 kHz audio. A window holds a key when:

- each of its two tones (one of the low group, one of the high) is loud enough
  (`min_tone_level`, amplitude) and clearly the strongest of its group (`group_ratio`);
- the twist (high tone's level over the low's) lies within `max_twist_db` /
  `max_reverse_twist_db`, as a keypad's does;
- the two tones carry most of the window's energy (`min_tone_share`): speech and music
  spread theirs over many frequencies, which is what keeps them from being keys.

A key is reported once per press, when the same key has held for `min_ms` (40 ms);
it is released after `release_ms` without it, so a held key is one press, and the next
press needs a gap. A tone shorter than ~30 ms is never a key.

`tones()` makes the assistant's keys as audio: each key 70 ms of its two tones (high
group 2 dB above the low, at -9/-7 dBFS), 70 ms of silence after, `,` a 500 ms pause.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

import numpy as np

from voxdial.voice.base import SAMPLE_RATE, Pcm

DIGITS = "0123456789*#ABCD"
LOW = (697.0, 770.0, 852.0, 941.0)
HIGH = (1209.0, 1336.0, 1477.0, 1633.0)
KEYPAD = ("123A", "456B", "789C", "*0#D")  # KEYPAD[low][high]
PAUSE = ","  # in a digit string to send: half a second of nothing
PAUSE_MS = 500
TONE_MS = 70
GAP_MS = 70


class KeySource(StrEnum):
    SIP = "sip"  # out of band on SIP: RFC 4733 telephone-event or SIP INFO
    MEDIASTREAM = "mediastream"  # a `dtmf` message on the media websocket
    INBAND = "inband"  # tones in the audio, found by `DtmfDetector`


@dataclass(frozen=True, slots=True)
class Key:
    """One key press: `digit` one of `DIGITS`, `at_ms` on the call's timeline."""

    digit: str
    source: KeySource
    at_ms: int = 0


@runtime_checkable
class KeyLine(Protocol):
    """A line that carries keys out of band, both ways."""

    def keys(self) -> AsyncIterator[Key]:
        """The callee's keys as they arrive (never ends by itself)."""
        ...

    async def send_keys(self, digits: str) -> KeySource | None:
        """Send `digits` (of `DIGITS`, `,` a pause) out of band: how they went, or None
        when this line cannot (never raises); the session then plays them as tones."""
        ...


def valid_digits(text: str, *, pauses: bool = False) -> bool:
    allowed = DIGITS + (PAUSE if pauses else "")
    return bool(text) and all(c in allowed for c in text.upper())


@dataclass(frozen=True)
class DetectorSettings:
    window_ms: int = 20  # Goertzel window
    hop_ms: int = 10  # a window starts every hop
    min_ms: int = 40  # a key holds this long before it counts
    release_ms: int = 20  # this long without it and the key is released
    min_tone_level: float = 150.0  # each tone's amplitude at least (int16 units)
    group_ratio: float = 4.0  # a tone's power over its group's next strongest, at least
    min_tone_share: float = 0.7  # the two tones' share of the window's energy, at least
    max_twist_db: float = 8.0  # high tone louder than the low by at most
    max_reverse_twist_db: float = 8.0  # low tone louder than the high by at most


class DtmfDetector:
    """Finds key presses in a stream of 16 kHz audio, fed in pieces of any length."""

    def __init__(self, settings: DetectorSettings | None = None, *, rate: int = SAMPLE_RATE):
        s = self.settings = settings or DetectorSettings()
        self.rate = rate
        self.window = rate * s.window_ms // 1000
        self.hop = rate * s.hop_ms // 1000
        freqs = np.array(LOW + HIGH)
        n = np.arange(self.window)
        # the DFT at each DTMF frequency (not only at bins): one matrix product a window
        self._basis = np.exp(-2j * np.pi * np.outer(freqs, n) / rate)
        self._hold = max(1, (s.min_ms - s.window_ms) // s.hop_ms + 1)  # windows in a row
        self._release = max(1, s.release_ms // s.hop_ms)
        self._buffer = np.zeros(0, dtype=np.float64)
        self._start = 0  # stream sample of the buffer's first sample
        self._candidate: str | None = None
        self._run = 0  # windows in a row holding the candidate
        self._run_start = 0
        self._pressed: str | None = None  # the key reported and not yet released
        self._pressed_at = 0
        self._missing = 0
        self.spans: list[tuple[int, int]] = []  # the presses so far: (start, end) samples

    def feed(self, pcm: Pcm) -> list[tuple[str, int]]:
        """The keys whose press completed in `pcm`: (digit, stream sample it began)."""
        self._buffer = np.concatenate([self._buffer, np.asarray(pcm, dtype=np.float64)])
        found: list[tuple[str, int]] = []
        offset = 0
        while offset + self.window <= len(self._buffer):
            at = self._start + offset
            key = self.window_key(self._buffer[offset : offset + self.window])
            pressed = self._step(key, at)
            if pressed is not None:
                found.append(pressed)
            offset += self.hop
        self._buffer = self._buffer[offset:]
        self._start += offset
        return found

    def tone_samples(self, start: int, end: int) -> int:
        """How much of the stream's samples `start`..`end` were key tones."""
        spans = list(self.spans)
        if self._pressed is not None:
            spans.append((self._pressed_at, self._start + len(self._buffer)))
        return sum(max(0, min(end, b) - max(start, a)) for a, b in spans)

    def window_key(self, x: np.ndarray) -> str | None:
        """The key one window holds, or None."""
        s = self.settings
        energy = float(np.dot(x, x))
        if energy <= 0.0:
            return None
        # a sinusoid of amplitude A gives |X|^2 = (A N / 2)^2: power per tone in A^2 / 2
        power = np.abs(self._basis @ x) ** 2 * 2.0 / (self.window**2)
        low, high = power[:4], power[4:]
        li, hi = int(np.argmax(low)), int(np.argmax(high))
        pl, ph = float(low[li]), float(high[hi])
        floor = s.min_tone_level**2 / 2.0
        if pl < floor or ph < floor:
            return None
        if pl < s.group_ratio * float(np.partition(low, -2)[-2]):
            return None
        if ph < s.group_ratio * float(np.partition(high, -2)[-2]):
            return None
        twist = 10.0 * np.log10(ph / pl)
        if twist > s.max_twist_db or -twist > s.max_reverse_twist_db:
            return None
        mean_power = energy / self.window  # the window's power, in the same A^2 / 2 units
        if (pl + ph) < s.min_tone_share * mean_power:
            return None
        return KEYPAD[li][hi]

    def _step(self, key: str | None, at: int) -> tuple[str, int] | None:
        if key is not None and key == self._candidate:
            self._run += 1
        else:
            self._candidate, self._run, self._run_start = key, 1 if key else 0, at
        if self._pressed is not None:
            if key == self._pressed:
                self._missing = 0
                return None
            self._missing += 1
            if self._missing < self._release:
                return None
            self._pressed = None
            self.spans.append((self._pressed_at, at))
            del self.spans[:-64]
        if key is not None and self._run >= self._hold:
            self._pressed, self._pressed_at, self._missing = key, self._run_start, 0
            return key, self._run_start
        return None


def tones(
    digits: str,
    *,
    rate: int = SAMPLE_RATE,
    tone_ms: int = TONE_MS,
    gap_ms: int = GAP_MS,
    low_dbfs: float = -9.0,
    high_dbfs: float = -7.0,
) -> Pcm:
    """`digits` as keypad tones (int16 at `rate`); `,` is a pause of `PAUSE_MS`."""
    parts: list[np.ndarray] = []
    n = np.arange(rate * tone_ms // 1000)
    gap = np.zeros(rate * gap_ms // 1000)
    a_low = 32767 * 10 ** (low_dbfs / 20)
    a_high = 32767 * 10 ** (high_dbfs / 20)
    for c in digits.upper():
        if c == PAUSE:
            parts.append(np.zeros(rate * PAUSE_MS // 1000))
            continue
        row = next((i for i, r in enumerate(KEYPAD) if c in r), None)
        if row is None:
            raise ValueError(f"{c!r} is not a key")
        col = KEYPAD[row].index(c)
        wave = a_low * np.sin(2 * np.pi * LOW[row] * n / rate)
        wave += a_high * np.sin(2 * np.pi * HIGH[col] * n / rate)
        parts += [wave, gap]
    if not parts:
        return np.zeros(0, dtype=np.int16)
    return np.clip(np.concatenate(parts), -32768, 32767).astype(np.int16)
