"""Call-progress tones in the first seconds of a call: ringback, busy, special-information
tones (SIT) and a voicemail beep.

Each 32 ms window (512 samples at 16 kHz, the voice detector's window) is looked at on
its own first (`analyse_window`): a window is *tonal* when one spectral peak, or two,
hold most of the energy of the telephone band (speech spreads its energy over many
harmonics and formants, noise over everything). Consecutive tonal windows at the same
frequencies make a *tone segment* (`ToneTracker`); a segment shorter than ~100 ms is a
vowel, not a tone, and is dropped. The tracker then reads the segments as signals:

- ringback: 380-515 Hz for 0.7 s or more (China 450 Hz 1 s on / 4 s off; North
  America 440+480 Hz 2 s on, which a 32 ms window hears as one peak near 460 Hz; the
  UK's 400+450 Hz likewise);
- busy: three bursts of 400-650 Hz, each 0.2-0.65 s, with gaps of 0.2-0.65 s (China
  450 Hz 0.35/0.35 s; North America 480+620 Hz 0.5/0.5 s);
- SIT: three tones in a row, ~914 or ~985 Hz, then ~1371 or ~1429 Hz, then ~1777 Hz;
  which of the first two frequencies were used tells the kind (vacant number or
  intercept: a number that does not exist; no circuit or reorder: the network failed);
- beep: any other single tone of 0.18-2 s whose frequency does not move (a voice's
  harmonic can hold most of a window's energy too, but glides with the pitch), that
  stops: a voicemail's cue to speak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from voxdial.voice.base import SAMPLE_RATE

WINDOW = 512  # samples: 32 ms at 16 kHz
WINDOW_MS = WINDOW * 1000 / SAMPLE_RATE

_NFFT = 2048  # zero-padded: 7.8 Hz bins, for the peak's frequency
_BIN_HZ = SAMPLE_RATE / _NFFT
_BAND = (250.0, 3500.0)  # what a telephone line carries, with some margin
_LOBE_BINS = 9  # a Hann window of 512 samples: main lobe ±62.5 Hz = ±8 bins, and one
_MIN_LEVEL_DB = -55.0  # quieter than this is silence, whatever its spectrum
_ONE_PEAK = 0.6  # share of the band's energy in one peak for a single tone
_TWO_PEAKS = 0.72  # ... in two peaks for a dual tone
_SECOND_PEAK = 0.12  # the weaker of a dual tone holds at least this share of the pair
_SAME_HZ = 32.0  # a tone that moves less than this between windows is the same tone
_MIN_SEGMENT_MS = 96.0  # three windows: shorter tonal runs are vowels
_RINGBACK_HZ = (380.0, 515.0)
_BEEP_MS = (180.0, 2000.0)
_BEEP_SPREAD_HZ = 12.0
_MAX_DROPOUT = 1  # windows a segment may miss (noise) without ending

_HANN = np.hanning(WINDOW).astype(np.float64)
_FREQS = np.fft.rfftfreq(_NFFT, 1.0 / SAMPLE_RATE)
_IN_BAND = (_FREQS >= _BAND[0]) & (_FREQS <= _BAND[1])
_BAND_START = int(np.argmax(_IN_BAND))


class SitKind(StrEnum):
    """What a special-information tone says (ITU-T E.180 / Telcordia)."""

    VACANT_CODE = "vacant_code"  # 985, 1371, 1777 Hz
    INTERCEPT = "intercept"  # 914, 1371, 1777 Hz
    NO_CIRCUIT = "no_circuit"  # 985, 1429, 1777 Hz
    REORDER = "reorder"  # 914, 1429, 1777 Hz

    @property
    def number_is_vacant(self) -> bool:
        return self in (SitKind.VACANT_CODE, SitKind.INTERCEPT)


class ToneSignal(StrEnum):
    RINGBACK = "ringback"
    BUSY = "busy"
    SIT = "sit"
    BEEP = "beep"


@dataclass(frozen=True)
class WindowTone:
    """One window's tone: the peak frequencies (empty when the window is not tonal)."""

    freqs: tuple[float, ...]
    level_db: float

    @property
    def tonal(self) -> bool:
        return bool(self.freqs)


@dataclass
class ToneSegment:
    """A steady tone: where it starts and ends (ms from the stream's start) and the
    peaks of each of its windows."""

    start_ms: float
    end_ms: float
    peaks: list[tuple[float, ...]] = field(default_factory=list)

    @property
    def windows(self) -> int:
        return len(self.peaks)

    @property
    def duration_ms(self) -> float:
        return self.end_ms - self.start_ms

    @property
    def freqs(self) -> tuple[float, ...]:
        """Its frequencies: two when most windows heard two peaks (lower first), else
        the median strongest one."""
        duals = [p for p in self.peaks if len(p) == 2]
        if len(duals) * 2 > len(self.peaks):
            lows = sorted(min(p) for p in duals)
            highs = sorted(max(p) for p in duals)
            return (lows[len(lows) // 2], highs[len(highs) // 2])
        firsts = sorted(p[0] for p in self.peaks)
        return (firsts[len(firsts) // 2],)

    @property
    def low(self) -> float:
        return min(self.freqs)

    @property
    def spread_hz(self) -> float:
        """How far the strongest peak moves over the segment (its edges left out)."""
        inner = self.peaks[1:-1] or self.peaks
        firsts = [p[0] for p in inner]
        return max(firsts) - min(firsts)


@dataclass(frozen=True)
class ToneEvent:
    """A signal the tracker has recognised, at `at_ms` (when it knew)."""

    signal: ToneSignal
    at_ms: float
    segment: ToneSegment
    sit: SitKind | None = None


def _peak_hz(power: np.ndarray, k: int) -> float:
    """The frequency of the peak at bin `k`, refined by a parabola through log power."""
    if 0 < k < len(power) - 1:
        a, b, c = np.log(power[k - 1 : k + 2] + 1e-20)
        denom = a - 2 * b + c
        offset = 0.5 * (a - c) / denom if denom != 0 else 0.0
        return float((k + max(-0.5, min(0.5, offset))) * _BIN_HZ)
    return float(k * _BIN_HZ)


def analyse_window(window: np.ndarray) -> WindowTone:
    """The tone in one window of `WINDOW` int16 samples (shorter ones are zero-padded)."""
    x = np.zeros(WINDOW, dtype=np.float64)
    w = np.asarray(window, dtype=np.float64).reshape(-1)[:WINDOW]
    x[: w.size] = w / 32768.0
    level = float(np.mean(x * x))
    level_db = 10.0 * np.log10(level + 1e-12)
    if level_db < _MIN_LEVEL_DB:
        return WindowTone((), level_db)
    power = np.abs(np.fft.rfft(x * _HANN, _NFFT)) ** 2
    band = power[_IN_BAND]
    total = float(band.sum())
    if total <= 0:
        return WindowTone((), level_db)
    k1 = int(np.argmax(band))
    lo1, hi1 = max(0, k1 - _LOBE_BINS), k1 + _LOBE_BINS + 1
    e1 = float(band[lo1:hi1].sum())
    if e1 / total >= _ONE_PEAK:
        return WindowTone((_peak_hz(power, _BAND_START + k1),), level_db)
    rest = band.copy()
    rest[lo1:hi1] = 0.0
    k2 = int(np.argmax(rest))
    e2 = float(rest[max(0, k2 - _LOBE_BINS) : k2 + _LOBE_BINS + 1].sum())
    if (e1 + e2) / total >= _TWO_PEAKS and e2 >= _SECOND_PEAK * (e1 + e2):
        return WindowTone(
            (_peak_hz(power, _BAND_START + k1), _peak_hz(power, _BAND_START + k2)), level_db
        )
    return WindowTone((), level_db)


def _in_ringback_band(freqs: tuple[float, ...]) -> bool:
    return all(_RINGBACK_HZ[0] <= f <= _RINGBACK_HZ[1] for f in freqs)


def _same_tone(segment: tuple[float, ...], window: tuple[float, ...]) -> bool:
    """Whether a window with peaks `window` continues a segment with `segment`.

    A dual tone's weaker half may drop out of a window in noise, so a single peak
    continues a dual tone when it is one of its two; a window with one extra peak
    continues a single tone only when its strongest peak is that tone (the window at a
    change of frequency holds both the old tone and the new, the new one stronger)."""
    if _in_ringback_band(segment + window):
        return True  # 440+480 Hz beat at 40 Hz: a 32 ms window hears a wandering peak
    if len(segment) == 1:
        return abs(window[0] - segment[0]) <= _SAME_HZ
    return all(any(abs(f - g) <= _SAME_HZ for g in segment) for f in window)


def _near(f: float, target: float, tolerance: float = 35.0) -> bool:
    return abs(f - target) <= tolerance


@dataclass
class ToneTracker:
    """Tone segments and the signals they make, window by window.

    `update` takes each window's `WindowTone` in order and returns the signals
    recognised at that window. Ringback is announced while it plays (once per burst);
    busy after its third burst; SIT after its third tone; a beep once it stops.
    """

    speech_heard: bool = False  # set by the caller: a beep after speech is voicemail's
    segments: list[ToneSegment] = field(default_factory=list)
    _current: ToneSegment | None = None
    _misses: int = 0
    _now_ms: float = 0.0
    _ringback_announced: bool = False
    _pending_beep: ToneSegment | None = None
    _quiet_after: int = 0

    @property
    def active(self) -> bool:
        """A tone is playing now (a segment is open and long enough to be a tone)."""
        return self._current is not None and self._current.duration_ms >= _MIN_SEGMENT_MS

    @property
    def in_tone(self) -> bool:
        """The latest window belongs to a tone segment, however short so far."""
        return self._current is not None and self._misses == 0

    @property
    def busy(self) -> bool:
        """A tone is open, or one just ended and may yet be settled as a beep."""
        return self._current is not None or self._pending_beep is not None

    @property
    def ringback_band(self) -> bool:
        """The open segment is a tone of ringback's frequencies."""
        cur = self._current
        return cur is not None and _in_ringback_band(cur.freqs)

    def update(self, tone: WindowTone) -> list[ToneEvent]:
        start = self._now_ms
        self._now_ms += WINDOW_MS
        events: list[ToneEvent] = []
        cur = self._current
        if cur is not None and tone.tonal and _same_tone(cur.freqs, tone.freqs):
            cur.end_ms = self._now_ms
            cur.peaks.append(tone.freqs)
            self._misses = 0
        else:
            if cur is not None and (tone.tonal or self._misses >= _MAX_DROPOUT):
                events += self._close()
            elif cur is not None:
                self._misses += 1
            if tone.tonal and self._current is None:
                self._current = ToneSegment(start, self._now_ms, [tone.freqs])
                self._misses = 0
        events += self._check_ringback()
        events += self._check_beep()
        return events

    def flush(self) -> list[ToneEvent]:
        """The stream ended: close the open segment and settle a pending beep."""
        events = self._close() if self._current is not None else []
        if self._pending_beep is not None:
            events.append(ToneEvent(ToneSignal.BEEP, self._now_ms, self._pending_beep))
            self._pending_beep = None
        return events

    # -- reading segments ------------------------------------------------------------

    def _close(self) -> list[ToneEvent]:
        seg, self._current = self._current, None
        self._misses = 0
        self._ringback_announced = False
        if seg is None or seg.duration_ms < _MIN_SEGMENT_MS:
            return []
        self.segments.append(seg)
        pending = self._pending_beep
        if pending is not None and seg.start_ms - pending.end_ms < 100:
            self._pending_beep = None  # tones in a row: a sequence, not a beep
        sit = self._sit()
        if sit is not None:
            self._pending_beep = None
            return [ToneEvent(ToneSignal.SIT, self._now_ms, seg, sit)]
        if self._busy():
            self._pending_beep = None
            return [ToneEvent(ToneSignal.BUSY, self._now_ms, seg)]
        if self._beep_shaped(seg):
            self._pending_beep = seg
            self._quiet_after = 0
        return []

    def _check_ringback(self) -> list[ToneEvent]:
        cur = self._current
        if cur is None or self._ringback_announced or self.speech_heard:
            return []
        if cur.duration_ms < 700 or not _in_ringback_band(cur.freqs):
            return []
        self._ringback_announced = True
        return [ToneEvent(ToneSignal.RINGBACK, self._now_ms, cur)]

    def _check_beep(self) -> list[ToneEvent]:
        """A beep is settled once three windows (~100 ms) passed without a tone; a tone
        starting sooner makes it part of a sequence (see `_close`)."""
        seg = self._pending_beep
        if seg is None or self._current is not None:
            return []
        self._quiet_after += 1
        if self._quiet_after < 3:
            return []
        self._pending_beep = None
        return [ToneEvent(ToneSignal.BEEP, self._now_ms, seg)]

    def _beep_shaped(self, seg: ToneSegment) -> bool:
        if len(seg.freqs) != 1 or not _BEEP_MS[0] <= seg.duration_ms <= _BEEP_MS[1]:
            return False
        if seg.spread_hz > _BEEP_SPREAD_HZ:
            return False  # a voice's harmonic glides with its pitch; a beep does not move
        if not 300 <= seg.freqs[0] <= 3000:
            return False
        if not self.speech_heard and 380 <= seg.freqs[0] <= 660:
            # before any speech a low tone is a ringback or busy burst, not a beep
            return False
        return True  # (a SIT's first tone is dropped when its second starts: `_close`)

    def _sit(self) -> SitKind | None:
        if len(self.segments) < 3:
            return None
        a, b, c = self.segments[-3:]
        if any(len(s.freqs) != 1 or not 180 <= s.duration_ms <= 480 for s in (a, b, c)):
            return None
        if b.start_ms - a.end_ms > 100 or c.start_ms - b.end_ms > 100:
            return None
        fa, fb, fc = a.freqs[0], b.freqs[0], c.freqs[0]
        if not _near(fc, 1776.7):
            return None
        low_a = _near(fa, 913.8)
        if not (low_a or _near(fa, 985.2)):
            return None
        if _near(fb, 1370.6):
            return SitKind.INTERCEPT if low_a else SitKind.VACANT_CODE
        if _near(fb, 1428.5):
            return SitKind.REORDER if low_a else SitKind.NO_CIRCUIT
        return None

    def _busy(self) -> bool:
        if len(self.segments) < 3:
            return False
        bursts = self.segments[-3:]
        for s in bursts:
            if not (200 <= s.duration_ms <= 650 and 380 <= s.low <= 660):
                return False
        gaps = [bursts[i + 1].start_ms - bursts[i].end_ms for i in range(2)]
        return all(150 <= g <= 700 for g in gaps)
