"""SIPp as the far end of SIP tests: scenario templates from tests/sipp, a UAS process on
127.0.0.1 that is always killed, and G.711 recordings for it to stream."""

from __future__ import annotations

import os
import re
import shutil
import socket
import struct
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from voxdial.voice.audio import Downsampler, pcm_to_mulaw

SCENARIOS = Path(__file__).resolve().parent.parent / "sipp"
HOST = "127.0.0.1"
SIPP = shutil.which("sipp")
PAYLOAD_TYPES = {"PCMU": 0, "PCMA": 8}


def need_sipp() -> None:
    """Skip the calling test without SIPp; `make test` and CI set VOXDIAL_REQUIRE_SIPP=1,
    and then a missing SIPp fails it instead."""
    if SIPP is None:
        if os.environ.get("VOXDIAL_REQUIRE_SIPP") == "1":
            pytest.fail("sipp is required (VOXDIAL_REQUIRE_SIPP=1) but not installed")
        pytest.skip("sipp (Debian sip-tester) is not installed")


def free_port(*, span: int = 1) -> int:
    """A UDP port on 127.0.0.1 free now, with the `span - 1` ports after it free too."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((HOST, 0))
            port = s.getsockname()[1]
        if port % 2 == 0 and port + span < 65536 and all(_free(port + i) for i in range(span)):
            return port
    raise RuntimeError("no free UDP port")


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def scenario(name: str, into: Path, **values: object) -> Path:
    """tests/sipp/<name>.xml with its {{names}} filled in, written into `into`."""
    text = (SCENARIOS / f"{name}.xml").read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", str(value))
    left = re.findall(r"\{\{(\w+)\}\}", text)
    if left:
        raise ValueError(f"scenario {name}: no value for {sorted(set(left))}")
    path = into / f"{name}-{'-'.join(str(v) for v in values.values())[:60]}.xml"
    path = into / re.sub(r"[^\w.-]", "_", path.name)
    path.write_text(text)
    return path


class Sipp:
    """One SIPp UAS on 127.0.0.1 running `scenario` until `stop()` (or its own timeout)."""

    def __init__(
        self,
        scenario: Path,
        workdir: Path,
        *,
        rtp_echo: bool = False,
        extra: list[str] | None = None,
        timeout_seconds: int = 120,
    ) -> None:
        if SIPP is None:
            raise RuntimeError("sipp is not installed (Debian package sip-tester)")
        self.port = free_port()
        self.media_port = free_port(span=4)
        self.workdir = workdir
        self.log = workdir / f"sipp-{self.port}.log"
        self.messages = workdir / f"sipp-{self.port}-messages.log"
        # SIPp appends a row of statistics every 100 ms from its main loop: a row after
        # the first says it reads SIP messages (a bound port alone does not; a SIPp slow
        # to start answered our first INVITE late, or saw its retransmission as a new
        # message and gave up the call).
        self.stats = workdir / f"sipp-{self.port}-stats.csv"
        args = [
            SIPP,
            "-sf", str(scenario),
            "-i", HOST,
            "-mi", HOST,
            "-p", str(self.port),
            "-mp", str(self.media_port),
            "-nostdin",
            "-timeout", f"{timeout_seconds}s",
            "-trace_msg", "-message_file", str(self.messages),
            "-trace_err", "-error_file", str(workdir / f"sipp-{self.port}-errors.log"),
            "-trace_stat", "-stf", str(self.stats), "-fd", "100ms",
        ]  # fmt: skip
        if rtp_echo:
            args.append("-rtp_echo")
        args += extra or []
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                args, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self._wait_listening()

    @property
    def domain(self) -> str:
        return f"{HOST}:{self.port}"

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 10
        first = 0  # the size of the statistics file when first seen
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sipp exited: {self.log.read_text()[-2000:]}")
            size = self.stats.stat().st_size if self.stats.exists() else 0
            if not first:
                first = size
            elif size > first and not _free(self.port):
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("sipp did not start listening")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def received(self) -> str:
        """The SIP messages SIPp traced so far."""
        return self.messages.read_text(errors="replace") if self.messages.exists() else ""

    def count(self, text: str, expected: int, timeout: float = 3.0) -> int:
        """How often `text` is in SIPp's message trace, waiting a little (up to
        `timeout`) for its writes to reach `expected`; more than that is returned too."""
        deadline = time.monotonic() + timeout
        while (n := self.received().count(text)) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        return n

    def saw(self, text: str, timeout: float = 3.0) -> bool:
        """Whether `text` is in SIPp's message trace, waiting a little for its writes."""
        deadline = time.monotonic() + timeout
        while text not in self.received():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True


# -- G.711 recordings for rtp_stream ----------------------------------------------------


def _alaw_table() -> np.ndarray:
    """ITU-T G.711 A-law codes for every int16 sample (indexed by sample & 0xFFFF)."""
    samples = np.arange(65536, dtype=np.int32)
    samples = np.where(samples >= 32768, samples - 65536, samples)
    sign = np.where(samples >= 0, 0x80, 0x00)
    magnitude = np.minimum(np.where(samples < 0, -samples - 1, samples), 32767) >> 3  # 13-bit
    exponent = np.zeros_like(magnitude)
    for e in range(1, 8):
        exponent = np.where(magnitude >= (16 << e), e, exponent)
    mantissa = np.where(exponent == 0, magnitude >> 1, magnitude >> exponent) & 0x0F
    return ((sign | (exponent << 4) | mantissa) ^ 0x55).astype(np.uint8)


_ALAW = _alaw_table()


def g711(pcm16k: np.ndarray, codec: str) -> bytes:
    """16 kHz int16 audio as 8 kHz G.711 bytes (`codec` PCMA or PCMU)."""
    pcm8k = Downsampler()(pcm16k.astype(np.int16))
    if codec == "PCMU":
        return pcm_to_mulaw(pcm8k)
    return _ALAW[pcm8k.astype(np.int16).view(np.uint16)].tobytes()


def tone(seconds: float, hz: float = 440.0, level: int = 8000) -> np.ndarray:
    """A sine tone, 16 kHz int16."""
    n = np.arange(int(seconds * 16000))
    return (level * np.sin(2 * np.pi * hz * n / 16000)).astype(np.int16)


def rtp_stream(path: Path, codec: str) -> str:
    """The scenario action that streams the G.711 file `path` once."""
    return f'<nop><action><exec rtp_stream="{path.name},1,{PAYLOAD_TYPES[codec]}"/></action></nop>'


# -- RTP captures for play_pcap_audio ---------------------------------------------------


def rtp_pcap(path: Path, payload: bytes, codec: str) -> Path:
    """`payload` (G.711 bytes at 8 kHz) as a capture of 20 ms RTP packets, one every
    20 ms, for SIPp's `play_pcap_audio` (it takes the UDP payloads and their timing)."""
    pt = PAYLOAD_TYPES[codec]
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]  # pcap, Ethernet
    for seq, start in enumerate(range(0, len(payload) - 159, 160)):
        rtp = struct.pack("!BBHII", 0x80, pt, seq, seq * 160, 0x0F0F0F0F)
        rtp += payload[start : start + 160]
        udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
        ip = struct.pack(
            "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq, 0, 64, 17, 0,
            socket.inet_aton(HOST), socket.inet_aton(HOST),
        )  # fmt: skip
        ip = ip[:10] + struct.pack("!H", _ip_checksum(ip)) + ip[12:]
        frame = bytes(12) + b"\x08\x00" + ip + udp
        usec = seq * 20_000
        out.append(
            struct.pack("<IIII", usec // 1_000_000, usec % 1_000_000, len(frame), len(frame))
        )
        out.append(frame)
    path.write_bytes(b"".join(out))
    return path


def _ip_checksum(header: bytes) -> int:
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF
