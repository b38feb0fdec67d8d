"""A phone's audio end on 127.0.0.1 for SIP tests: SIPp does the signalling, and its
scenario's SDP points the media at an `RtpPeer` (`{{rtp_port}}`), which hears and
speaks real RTP (G.711 μ-law, 20 ms packets) like a handset would.

The peer keeps every packet it receives (arrival time, level, audio) so a test can
check what reached that party over the wire, and sends what `say()` is given, else
silence, every 20 ms to where the RTP comes from (the stack sends from the port it
listens on, symmetric RTP).
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
from collections import deque

import numpy as np

from tests.support.sipp import HOST, free_port
from voxdial.voice.audio import Downsampler, mulaw_to_pcm, pcm_to_mulaw

_PCMU = 0
_PACKET = 160  # 20 ms at 8 kHz
_LOUD = 600.0  # RMS of a packet that carries a voice (the fakes' tones), not silence


class RtpPeer:
    def __init__(self) -> None:
        self.port = free_port(span=2)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((HOST, self.port))
        self._lock = threading.Lock()
        self.received: list[tuple[float, float, np.ndarray]] = []  # time, RMS, 8 kHz audio
        self.sent = 0
        self._out: deque[bytes] = deque()
        self._far: tuple[str, int] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rtp-peer", daemon=True)
        self._thread.start()

    def say(self, pcm16k: np.ndarray) -> None:
        """Send `pcm16k` (16 kHz int16), after whatever is still being sent."""
        data = pcm_to_mulaw(Downsampler()(pcm16k.astype(np.int16)))
        with self._lock:
            for i in range(0, len(data), _PACKET):
                self._out.append(data[i : i + _PACKET].ljust(_PACKET, b"\xff"))

    @property
    def speaking(self) -> bool:
        with self._lock:
            return bool(self._out)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    # what came ------------------------------------------------------------------

    def packets(self, since: float = 0.0) -> list[tuple[float, float, np.ndarray]]:
        with self._lock:
            return [p for p in self.received if p[0] >= since]

    def last_loud(self, since: float = 0.0) -> float | None:
        loud = [t for t, rms, _ in self.packets(since) if rms > _LOUD]
        return loud[-1] if loud else None

    def quiet_after_voice(self, since: float, quiet: float = 0.6) -> bool:
        """Something loud came after `since`, and nothing loud for `quiet` seconds."""
        last = self.last_loud(since)
        return last is not None and time.monotonic() - last >= quiet

    def tone_seconds(self, hz: float, since: float = 0.0, until: float = float("inf")) -> float:
        """Seconds of packets (received in [since, until)) carrying a tone near `hz`."""
        n = 0
        for t, rms, pcm in self.packets(since):
            if t < until and rms > _LOUD and abs(dominant_hz(pcm, 8000) - hz) <= 60:
                n += 1
        return n * 0.02

    # the thread -----------------------------------------------------------------

    def _run(self) -> None:
        seq, stamp = 0, 0
        due = time.monotonic()
        while not self._stop.is_set():
            wait = max(0.0, due - time.monotonic())
            readable, _, _ = select.select([self._sock], [], [], wait)
            if readable:
                self._receive()
            if time.monotonic() >= due:
                due += 0.02
                if self._far is not None:
                    with self._lock:
                        payload = self._out.popleft() if self._out else b"\xff" * _PACKET
                    header = struct.pack("!BBHII", 0x80, _PCMU, seq & 0xFFFF, stamp, 0x5EED)
                    try:
                        self._sock.sendto(header + payload, self._far)
                        self.sent += 1
                    except OSError:
                        pass
                    seq, stamp = seq + 1, stamp + _PACKET

    def _receive(self) -> None:
        try:
            data, address = self._sock.recvfrom(2048)
        except OSError:
            return
        if len(data) < 12 or data[0] >> 6 != 2 or data[1] & 0x7F != _PCMU:
            return  # RTCP, telephone-events, anything but μ-law audio
        start = 12 + 4 * (data[0] & 0x0F)
        pcm = mulaw_to_pcm(data[start:])
        rms = float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) if len(pcm) else 0.0
        with self._lock:
            self._far = address
            self.received.append((time.monotonic(), rms, pcm))


def dominant_hz(pcm: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float64) * np.hanning(len(pcm))))
    return float(np.argmax(spectrum) * rate / len(pcm))
