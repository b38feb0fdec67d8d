"""Keys over SIP against SIPp: a callee's RFC 4733 telephone-events (the Debian sip-tester
captures, played after the answer) answer a question; the keys the assistant sends go
out as telephone-events, read back from the RTP the test records."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.support.sipp import HOST, Sipp, free_port, need_sipp, scenario
from tests.test_media_socket import ToneSpeech
from voxdial.clock import SystemClock
from voxdial.conversation.calls import DialRequest
from voxdial.conversation.engine import CallContext
from voxdial.conversation.script import ScriptEngine
from voxdial.domain.status import HangupReason as H
from voxdial.telephony.sip import SipCarrier, SipConfig
from voxdial.voice.audio import mulaw_to_pcm
from voxdial.voice.dtmf import DIGITS, DtmfDetector
from voxdial.voice.runtime import VoiceRuntime
from voxdial.voice.tuning import VoiceTuning

pytestmark = [pytest.mark.sipp, pytest.mark.timeout(90)]

CAPTURES = Path("/usr/share/sip-tester")
SURVEY = {
    "welcome": "Hi, this is Ava.",
    "collect": [
        {
            "question": "Happy with us? Press 1 for yes, 2 for no.",
            "answers": ["Yes", "No"],
            "keys": {"1": "Yes", "2": "No"},
        }
    ],
}


def capture(digit: str) -> Path:
    name = {"#": "pound", "*": "star"}.get(digit, digit)
    path = CAPTURES / f"dtmf_2833_{name}.pcap"
    if not path.exists():
        pytest.skip(f"{path} is not installed (Debian sip-tester ships it)")
    return path


def dial(carrier: SipCarrier, assistant: dict):
    context = CallContext(assistant=assistant, now=datetime.now(UTC))
    request = DialRequest(
        session_id=uuid.uuid4().hex, callee="+8613800138000", caller="+862150000000",
        context=context,
    )  # fmt: skip
    engine = ScriptEngine(encoder=False)
    return asyncio.run(
        asyncio.wait_for(carrier.place_call(request, clock=SystemClock(), engine=engine), 60)
    )


def key_lines(result, direction: str) -> list[tuple[str, str]]:
    lines = [json.loads(u.text) for u in result.utterances if u.side == "dtmf"]
    return [(x["digit"], x["source"]) for x in lines if x["direction"] == direction]


@pytest.fixture
def carrier(tmp_path):
    made: list[SipCarrier] = []

    def make(sipp: Sipp, codec: str = "PCMA", **settings) -> SipCarrier:
        runtime = VoiceRuntime(ToneSpeech(), tmp_path / "recordings", VoiceTuning())
        cfg = SipConfig(domain=sipp.domain, dial_timeout_seconds=10.0, codecs=(codec,), **settings)
        c = SipCarrier(cfg, runtime)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def test_a_callees_telephone_event_answers_the_question(tmp_path, carrier):
    need_sipp()
    pcap = capture("2")
    play = f'<nop><action><exec play_pcap_audio="{pcap}"/></action></nop>'
    press = play + '<pause milliseconds="600"/>'
    path = scenario("keys", tmp_path, rtp_port="[media_port]", listen_ms=2500, press=press)
    sipp = Sipp(path, tmp_path)
    try:
        result = dial(carrier(sipp), SURVEY)
    finally:
        sipp.stop()
    assert result.outcome == H.ANSWERED
    assert key_lines(result, "in") == [("2", "sip")]
    assert [(c.result, c.hit, c.message) for c in result.collected] == [("No", True, "key 2")]
    assert result.hangup_side == "assistant"  # the survey was done: the assistant closed


def test_a_callees_sip_info_key_answers_the_question(tmp_path, carrier):
    need_sipp()
    path = scenario("keys_info", tmp_path, listen_ms=2500, digit="1")
    sipp = Sipp(path, tmp_path)
    try:
        result = dial(carrier(sipp), SURVEY)
        assert sipp.saw("Content-Type: application/dtmf-relay")
    finally:
        sipp.stop()
    assert key_lines(result, "in") == [("1", "sip")]
    assert [(c.result, c.hit, c.message) for c in result.collected] == [("Yes", True, "key 1")]


class RtpRecorder:
    """A UDP socket standing in for the callee's RTP port: keeps every packet."""

    def __init__(self) -> None:
        self.port = free_port()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, self.port))
        self.sock.settimeout(0.2)
        self.packets: list[bytes] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.packets.append(self.sock.recv(2048))
            except TimeoutError:
                continue

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        self.sock.close()

    def telephone_events(self, pt: int = 101) -> list[str]:
        """The keys in the recorded RTP's telephone-events (RFC 4733), one per event."""
        keys: list[str] = []
        last: tuple[int, int] | None = None  # (timestamp, event) of the event seen last
        for p in self.packets:
            if len(p) < 16 or p[1] & 0x7F != pt:
                continue
            timestamp = struct.unpack("!I", p[4:8])[0]
            event = p[12]
            if (timestamp, event) != last and event < 16:
                keys.append(DIGITS_BY_EVENT[event])
                last = (timestamp, event)
        return keys

    def pcmu_audio(self) -> np.ndarray:
        """The recorded PCMU stream (8 kHz), in sequence order."""
        audio = sorted(
            (struct.unpack("!H", p[2:4])[0], p[12:])
            for p in self.packets
            if len(p) > 12 and p[1] & 0x7F == 0
        )
        return mulaw_to_pcm(b"".join(payload for _, payload in audio))


DIGITS_BY_EVENT = "0123456789*#ABCD"


def test_the_assistants_keys_go_out_as_telephone_events(tmp_path, carrier):
    need_sipp()
    recorder = RtpRecorder()
    path = scenario("keys", tmp_path, rtp_port=recorder.port, listen_ms=0, press="")
    sipp = Sipp(path, tmp_path)
    assistant = {"welcome": "Hi, this is Ava. Goodbye.", "sendKeys": "12#"}
    try:
        result = dial(carrier(sipp), assistant)
    finally:
        sipp.stop()
        recorder.close()
    assert result.outcome == H.ANSWERED
    assert key_lines(result, "out") == [("1", "sip"), ("2", "sip"), ("#", "sip")]
    assert key_lines(result, "in") == []  # the stack does not report our own keys back
    assert recorder.telephone_events() == ["1", "2", "#"]
    assert set(DIGITS_BY_EVENT) == set(DIGITS)


def test_keys_out_inband_sends_the_assistants_keys_as_tones(tmp_path, carrier):
    """A trunk without telephone-events (its SDP has none; the stack would send the keys
    into nothing, and cannot say so): with `keys_out="inband"` the session sends them
    as tones in the audio."""
    need_sipp()
    recorder = RtpRecorder()
    path = scenario("keys", tmp_path, rtp_port=recorder.port, listen_ms=0, press="")
    text = path.read_text().replace("RTP/AVP 8 101", "RTP/AVP 0")
    text = text.replace("a=rtpmap:8 PCMA/8000", "a=rtpmap:0 PCMU/8000")
    lines = [line for line in text.splitlines() if "101" not in line]
    path.write_text("\n".join(lines) + "\n")
    sipp = Sipp(path, tmp_path)
    assistant = {"welcome": "Hi, this is Ava. Goodbye.", "sendKeys": "47"}
    try:
        result = dial(carrier(sipp, "PCMU", keys_out="inband"), assistant)
    finally:
        sipp.stop()
        recorder.close()
    assert result.outcome == H.ANSWERED
    assert recorder.telephone_events() == []
    assert key_lines(result, "out") == [("4", "inband"), ("7", "inband")]
    heard = DtmfDetector(rate=8000).feed(recorder.pcmu_audio())
    assert [d for d, _ in heard] == ["4", "7"]
