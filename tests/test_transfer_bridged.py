"""A bridged transfer over SIP, against SIPp on 127.0.0.1 as the callee and as the
agent, with the real voice session (tone fakes for the speech models).

Both phones' audio is real RTP to and from an `RtpPeer` (tests/support/rtp.py), so
the test hears what each party got over the wire: the callee asks for a person, hears
the hold line; voxdial calls the agent from the same endpoint, the agent hears the
summary, then the two talk (the callee's tone reaches the agent, the agent's the
callee) until the agent hangs up. An agent that never answers, or is busy: the
callee is told, and the call goes on to collect the answer.

Skipped without SIPp (Debian `sip-tester`) unless VOXDIAL_REQUIRE_SIPP=1.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import wave
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.support.calls import stored_call, trace_of
from tests.support.rtp import RtpPeer, dominant_hz
from tests.support.sipp import Sipp, need_sipp, scenario
from tests.support.voice import ToneSpeech, ToneSynthesizer, tone
from tests.test_sip_carrier import config, sync
from voxdial.clock import SystemClock
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.conversation.engine import CallContext
from voxdial.conversation.script import ScriptEngine
from voxdial.conversation.transfer import TRANSFER_FAILED, TRANSFER_LINES
from voxdial.domain.status import HangupReason as H
from voxdial.telephony.sip import SipCarrier
from voxdial.voice.runtime import VoiceRuntime
from voxdial.voice.tuning import VoiceTuning
from voxdial.webhooks.events import call_transfer_data

pytestmark = [pytest.mark.timeout(120), pytest.mark.sipp]

WORDS = ["agent please", "yes"]  # the callee's words: tones of 300 and 400 Hz
CALLEE_TALKS_HZ = 700  # the callee's voice to the agent
AGENT_TALKS_HZ = 1100  # the agent's voice
VOICE_HZ = 2000  # the assistant's (ToneSynthesizer)
QUESTION = "Are you happy with our service?"
NAME = "Ann Lee"

CAPTURE = """
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="caller"/>
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="callee"/>
    </action>
"""
WAIT_BYE = """
  <recv request="BYE"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
"""


def send_bye(after_ms: int) -> dict[str, str]:
    """The phone hangs up `after_ms` after the answer."""
    return {
        "capture": CAPTURE,
        "end": f"""
  <pause milliseconds="{after_ms}"/>
  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$callee];tag=[pid]SIPpTag01[call_number]
      To: [$caller]
      [last_Call-ID:]
      CSeq: 2 BYE
      Max-Forwards: 70
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
""",
    }


class QuickVoice(ToneSynthesizer):
    """The tone voice at 20 ms a character, so a call takes seconds."""

    def synthesize(self, text: str) -> np.ndarray:
        self.spoken.append(text)
        return tone(VOICE_HZ, 0.02 * len(text), amplitude=6000)


class QuickSpeech(ToneSpeech):
    def synthesizer(self, speaker_id, *, language=None):
        return QuickVoice()

    voice = synthesizer


def assistant(mode: str = "bridged", **transfer) -> dict:
    return {
        "welcome": "Hi, this is Ava.",
        "language": "en",
        "interruption": {"method": "none"},
        "collect": [{"question": QUESTION, "answers": ["Yes", "No"]}],
        "taskTransfer": {"mode": mode, "when": ["asked"], **transfer},
    }


@pytest.fixture
def phones(tmp_path: Path) -> Iterator[Callable[..., tuple[Sipp, RtpPeer | None]]]:
    """SIPp phones, each with the RtpPeer its SDP points at (None for a phone that never
    answers); all stopped afterwards."""
    need_sipp()
    made: list[tuple[Sipp, RtpPeer | None]] = []

    def make(name: str = "phone", **values) -> tuple[Sipp, RtpPeer | None]:
        peer = RtpPeer() if name == "phone" else None
        if peer is not None:
            values["rtp_port"] = peer.port
        sipp = Sipp(scenario(name, tmp_path, **values), tmp_path)
        made.append((sipp, peer))
        return sipp, peer

    yield make
    for sipp, peer in made:
        sipp.stop()
        if peer is not None:
            peer.close()


async def until(check: Callable[[], bool], seconds: float = 20.0) -> float:
    """Wait for `check()`; the time it came true."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)
    return time.monotonic()


def dial(
    callee: Sipp, agent: Sipp, tmp_path: Path, *, agent_seconds: int
) -> tuple[SipCarrier, asyncio.Task[CallResult], str]:
    """Call `callee` through a SIP carrier of its own (closed by the caller) with the
    voice session; its transfer goes to `agent`. The carrier, the call, the target."""
    target = f"sip:agent@127.0.0.1:{agent.port}"
    runtime = VoiceRuntime(QuickSpeech(WORDS), tmp_path / "recordings", VoiceTuning())
    carrier = SipCarrier(config(callee), runtime)
    setting = assistant(target=target, agentTimeoutSeconds=agent_seconds)
    context = CallContext(assistant=setting, name=NAME, now=datetime.now(UTC))
    request = DialRequest(
        session_id=uuid.uuid4().hex, callee="+8613800138000", caller="+862150000000",
        context=context,
    )  # fmt: skip
    call = carrier.place_call(request, clock=SystemClock(), engine=ScriptEngine())
    return carrier, asyncio.create_task(asyncio.wait_for(call, 90)), target


async def ask_for_a_person(callee: RtpPeer) -> float:
    """The callee hears the opening and the question, then asks for a person."""
    await until(lambda: callee.quiet_after_voice(0.0))
    callee.say(tone(300, 0.8))
    return time.monotonic()


def channel_seconds(wav: Path, channel: int, hz: float, from_s: float) -> float:
    """Seconds of `channel` (0 the callee, 1 our side) after `from_s` carrying `hz`."""
    with wave.open(str(wav)) as w:
        rate = w.getframerate()
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    pcm = audio[int(from_s * rate) :, channel]
    frames = pcm[: len(pcm) // 320 * 320].reshape(-1, 320)
    loud = [f for f in frames if np.sqrt(np.mean(f.astype(np.float64) ** 2)) > 600]
    return sum(abs(dominant_hz(f, rate) - hz) <= 60 for f in loud) * 0.02


@pytest.mark.parametrize("hangs_up", ["agent", "callee"])
@sync
async def test_the_agent_hears_the_summary_then_both_talk_until_one_hangs_up(
    phones, tmp_path, caplog, hangs_up
):
    caplog.set_level(logging.DEBUG)
    waits = {"capture": "", "end": WAIT_BYE}
    # the agent's BYE comes 7 s after it answers, the callee's 11 s after they answered
    agent_sipp, agent = phones(**(send_bye(7000) if hangs_up == "agent" else waits))
    callee_sipp, callee = phones(**(send_bye(11000) if hangs_up == "callee" else waits))
    carrier, call, target = dial(callee_sipp, agent_sipp, tmp_path, agent_seconds=10)
    try:
        asked = await ask_for_a_person(callee)
        # the agent answers and hears the summary; then the calls are joined
        joined = await until(lambda: agent.quiet_after_voice(asked, quiet=0.8))
        agent.say(tone(AGENT_TALKS_HZ, 1.2))
        callee.say(tone(CALLEE_TALKS_HZ, 1.2))
        result = await call
    finally:
        carrier.close()

    assert agent.tone_seconds(VOICE_HZ, since=asked, until=joined) >= 1.0  # the summary
    assert agent.tone_seconds(CALLEE_TALKS_HZ, since=joined) >= 0.6  # callee -> agent
    assert callee.tone_seconds(AGENT_TALKS_HZ, since=joined) >= 0.6  # agent -> callee
    assert callee.tone_seconds(VOICE_HZ, since=joined) == 0  # no assistant after the join
    assert callee.tone_seconds(VOICE_HZ, since=asked, until=joined) >= 1.0  # the hold line

    assert result.outcome == H.ANSWERED and result.hangup_side == hangs_up
    record = result.extra["transfer"]
    assert record["mode"] == "bridged" and record["status"] == "connected"
    assert record["target"] == target and "error" not in record
    requested, connected, ended = (
        datetime.fromisoformat(record[k]) for k in ("requestedAt", "connectedAt", "endedAt")
    )
    assert requested < connected < ended
    assert (ended - connected).total_seconds() >= 2.0
    said = [u.text for u in result.utterances if u.side == "system"]
    assert said[-1] == TRANSFER_LINES["en"]  # nothing said after the hand-over
    other = callee_sipp if hangs_up == "agent" else agent_sipp
    assert other.saw("BYE sip:")  # we hung up the other party

    # the recording: both parties, past the assistant's part
    wav = tmp_path / "recordings" / result.record_file
    offset = (connected - result.answered_at).total_seconds()
    with wave.open(str(wav)) as w:
        length = w.getnframes() / w.getframerate()
    assert length >= offset + 2.0
    assert channel_seconds(wav, 1, AGENT_TALKS_HZ, offset) >= 0.6  # the agent, right
    assert channel_seconds(wav, 0, CALLEE_TALKS_HZ, offset) >= 0.6  # the callee, left

    # the trace, the call record and the webhook
    rows = trace_of(result)
    names = [r[1] for r in rows]
    line = rows[names.index("transfer.connected")]
    assert line[2] == f"{target} (bridged)" and line[3] > 0
    stored = stored_call(result)
    data = call_transfer_data(stored, base_url="http://voxdial.test", tz="Asia/Shanghai")
    assert data["transfer"]["mode"] == "bridged" and data["transfer"]["status"] == "connected"
    assert data["transfer"]["target"] == target and data["transfer"]["ended_at"]
    assert data["hangup_side"] == hangs_up
    assert NAME not in caplog.text  # the summary is spoken, never logged


async def _not_through(phones, tmp_path, agent_scenario: str, **values):
    """The callee asks for a person, the agent's call fails; the callee hears the
    assistant again and answers the question."""
    agent_sipp, _ = phones(agent_scenario, **values)
    callee_sipp, callee = phones(capture="", end=WAIT_BYE)
    carrier, call, _ = dial(callee_sipp, agent_sipp, tmp_path, agent_seconds=5)
    try:
        asked = await ask_for_a_person(callee)
        await until(lambda: agent_sipp.saw("INVITE sip:agent@", timeout=0))
        # the hold line, then (after the failure) the apology and the question again
        await until(lambda: callee.quiet_after_voice(asked, 0.8) and _retold(callee, asked), 30)
        callee.say(tone(400, 0.8))  # "yes"
        result = await call
    finally:
        carrier.close()
    return result, agent_sipp, callee_sipp, asked, callee


def _retold(callee: RtpPeer, asked: float) -> bool:
    """The callee heard two spells of the assistant since asking: the hold line, and
    after a pause the apology with the question."""
    loud = [t for t, rms, _ in callee.packets(asked) if rms > 600]
    gaps = [b - a for a, b in zip(loud, loud[1:], strict=False)]
    return any(g >= 1.0 for g in gaps)


def _went_on(result: CallResult, reason: str) -> None:
    record = result.extra["transfer"]
    assert record["mode"] == "bridged" and record["status"] == "failed"
    assert record["error"].startswith(reason), record
    trace = [(u.side, u.text) for u in result.utterances if u.side.startswith("transfer.")]
    assert [t[0] for t in trace] == ["transfer.requested", "transfer.failed"]
    said = [u.text for u in result.utterances if u.side == "system"]
    i = said.index(TRANSFER_FAILED["en"])
    assert said[i - 1] == TRANSFER_LINES["en"] and said[i + 1] == QUESTION
    assert [(c.question, c.result) for c in result.collected if c.hit] == [(QUESTION, "Yes")]
    assert result.hangup_side == "assistant"  # the assistant closed after collecting


@sync
async def test_an_agent_who_never_answers_is_cancelled_and_the_call_goes_on(phones, tmp_path):
    started = time.monotonic()
    result, agent_sipp, callee_sipp, asked, _ = await _not_through(phones, tmp_path, "ring")
    _went_on(result, "no answer in 5 s")
    assert agent_sipp.saw("CANCEL sip:")
    assert callee_sipp.saw("BYE sip:")
    assert time.monotonic() - started >= 5


@sync
async def test_a_busy_agent_fails_the_transfer_and_the_call_goes_on(phones, tmp_path):
    result, agent_sipp, callee_sipp, _, _ = await _not_through(phones, tmp_path, "agent_busy")
    _went_on(result, "busy (486 Busy Here)")
    assert agent_sipp.saw("SIP/2.0 486 Busy Here")
    assert callee_sipp.saw("BYE sip:")
