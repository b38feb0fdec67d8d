"""The SIP carrier against SIPp on 127.0.0.1: final responses to outcomes, audio both
ways through the line, hang-ups from either side, the dial timeout, the line cap,
registration with credentials, and a task dialled by the dialer.

SIPp plays the callee (scenarios in tests/sipp). Without SIPp (Debian `sip-tester`,
installed by `make test`) these tests are skipped, unless VOXDIAL_REQUIRE_SIPP=1.
"""

# Over 600 lines on purpose: every section uses the same SIPp factory and carrier
# helpers above it, from outcome mapping to a dialled, spoken call.

from __future__ import annotations

import asyncio
import functools
import re
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.support.answer_audio import make_recordings
from tests.support.dialer import calls_of, counters, make_task, recount, run_until_settled, task_row
from tests.support.sipp import (
    PAYLOAD_TYPES,
    Sipp,
    free_port,
    g711,
    need_sipp,
    rtp_stream,
    scenario,
)
from tests.support.sipp import tone as make_tone
from tests.support.speech import (
    BASE_LISTENER,
    PIPER_SPEAKER,
    TINY_EN_LISTENER,
    seconds,
    speech_models,
    spoken,
)
from voxdial.clock import Clock, SystemClock
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.conversation.engine import CallContext
from voxdial.conversation.script import ScriptEngine
from voxdial.dialer.dialer import Dialer, DialerConfig
from voxdial.domain.status import HangupReason as H
from voxdial.runtime import Runtime, dialer_config, make_carrier
from voxdial.settings import Settings
from voxdial.store.db import Database
from voxdial.telephony import sip_endpoint
from voxdial.telephony.sip import SipCarrier, SipConfig, outcome_for
from voxdial.telephony.sip_endpoint import q850_cause
from voxdial.voice.base import SAMPLE_RATE, Line
from voxdial.voice.runtime import VoiceRuntime
from voxdial.voice.tuning import VoiceTuning

pytestmark = pytest.mark.timeout(90)

CALLEE = "+8613800138000"


def sync(test):
    """Run an async test on a fresh event loop (the suite has no asyncio plugin)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


def request(callee: str = CALLEE, assistant: dict | None = None) -> DialRequest:
    context = CallContext(assistant=assistant or {}, now=datetime.now(UTC))
    return DialRequest(
        session_id=uuid.uuid4().hex, callee=callee, caller="+862150000000", context=context
    )


class ToneRuntime:
    """Stands in for the voice session: plays `say`, records what it hears, and hangs up
    after `talk_seconds` unless the callee hangs up first."""

    def __init__(self, say: np.ndarray | None = None, talk_seconds: float = 2.0) -> None:
        self.say = say if say is not None else make_tone(0.8, hz=440)
        self.talk_seconds = talk_seconds
        self.heard = np.zeros(0, dtype=np.int16)
        self.calls = 0

    async def talk(
        self,
        request: DialRequest,
        *,
        engine,
        line: Line,
        clock: Clock,
        started: datetime,
        answered: datetime,
    ) -> CallResult:
        self.calls += 1
        frames: list[np.ndarray] = []

        async def listen() -> None:
            async for pcm in line.frames():
                frames.append(pcm)

        listener = asyncio.create_task(listen())
        await line.play(self.say)
        await asyncio.wait([listener], timeout=self.talk_seconds)
        side = "callee" if listener.done() else "assistant"
        if not listener.done():
            await line.close()
            await asyncio.wait_for(listener, 10)
        self.heard = np.concatenate(frames) if frames else np.zeros(0, dtype=np.int16)
        return CallResult(H.ANSWERED, started, answered, clock.now(), side)


def config(sipp: Sipp, **overrides) -> SipConfig:
    values = {"domain": sipp.domain, "dial_timeout_seconds": 10.0}
    values.update(overrides)
    return SipConfig(**values)


@pytest.fixture
def sipp_factory(tmp_path: Path) -> Iterator:
    need_sipp()
    started: list[Sipp] = []

    def start(name: str, *, rtp_echo: bool = False, extra=None, **values) -> Sipp:
        path = scenario(name, tmp_path, **values)
        sipp = Sipp(path, tmp_path, rtp_echo=rtp_echo, extra=extra)
        started.append(sipp)
        return sipp

    yield start
    for sipp in started:
        sipp.stop()


@pytest.fixture
def carriers() -> Iterator:
    made: list[SipCarrier] = []

    def make(cfg: SipConfig, runtime=None) -> SipCarrier:
        carrier = SipCarrier(cfg, runtime or ToneRuntime())
        made.append(carrier)
        return carrier

    yield make
    for carrier in made:
        carrier.close()


async def dial(carrier: SipCarrier, callee: str = CALLEE) -> CallResult:
    return await asyncio.wait_for(
        carrier.place_call(request(callee), clock=SystemClock(), engine=ScriptEngine()), 60
    )


def dominant_hz(pcm: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float64)))
    return float(np.argmax(spectrum) * SAMPLE_RATE / len(pcm))


def loud(pcm: np.ndarray, threshold: float = 1000.0) -> np.ndarray:
    """The 20 ms frames of `pcm` whose RMS is above `threshold`, joined."""
    frames = pcm[: len(pcm) // 320 * 320].reshape(-1, 320).astype(np.float64)
    rms = np.sqrt((frames**2).mean(axis=1))
    return frames[rms > threshold].reshape(-1).astype(np.int16)


# -- outcome mapping (no network) ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cause", "outcome"),
    [
        (486, None, H.BUSY),
        (600, None, H.BUSY),
        (480, None, H.NO_ANSWER),
        (408, None, H.NO_ANSWER),
        (487, None, H.NO_ANSWER),
        (603, None, H.REFUSED),
        (404, None, H.VACANT),
        (604, None, H.VACANT),
        (410, None, H.VACANT),
        (484, None, H.VACANT),
        (503, None, H.UNREACHABLE),
        (403, None, H.FAILED),
        (488, None, H.FAILED),
        (500, None, H.FAILED),
        (480, 20, H.POWERED_OFF),
        (480, 18, H.NO_ANSWER),
        (503, 1, H.VACANT),
        (500, 17, H.BUSY),
        (486, 31, H.BUSY),  # normal, unspecified: the status decides
    ],
)
def test_outcome_for(status, cause, outcome):
    assert outcome_for(status, cause) == outcome


def test_q850_cause_from_a_message():
    msg = "SIP/2.0 480 Temporarily Unavailable\r\nVia: x\r\nreason: Q.850 ; cause=20;text=x\r\n"
    assert q850_cause(msg) == 20
    assert q850_cause("SIP/2.0 486 Busy Here\r\nReason: SIP;cause=486\r\n") is None


def test_make_carrier_reads_the_sip_settings(tmp_path):
    settings = Settings(
        carrier="sip",
        sip={
            "registrar": "sip:pbx.example.com;transport=udp",
            "username": "voxdial",
            "password": "s3cret",
            "codecs": "PCMU, PCMA",
        },
        dialer_max_lines=4,
        data_dir=tmp_path,
    )
    carrier = make_carrier(Runtime(settings))
    assert isinstance(carrier, SipCarrier)
    cfg = carrier.config
    assert cfg.domain == "pbx.example.com" and cfg.registrar == settings.sip.registrar
    assert (cfg.username, cfg.password.get_secret_value()) == ("voxdial", "s3cret")
    assert cfg.codecs == ("PCMU", "PCMA") and cfg.max_calls == 4
    assert cfg.caller_id == settings.caller_id
    assert carrier.target_uri("+8613800138000") == "sip:+8613800138000@pbx.example.com"
    # more dialer lines than the carrier holds: the dialer uses the carrier's
    sip_120 = settings.sip.model_copy(update={"max_calls": 120})
    too_many = settings.model_copy(update={"dialer_max_lines": 200, "sip": sip_120})
    assert make_carrier(Runtime(too_many)).lines == 120
    assert dialer_config(too_many, make_carrier(Runtime(too_many))).max_lines == 120
    assert dialer_config(too_many).max_lines == 200
    # no SIP line count: the dialer's, however many (the stack has no cap of its own)
    many = settings.model_copy(update={"dialer_max_lines": 150})
    assert make_carrier(Runtime(many)).lines == 150
    with pytest.raises(ValueError, match="VOXDIAL_SIP_DOMAIN"):
        no_registrar = settings.sip.model_copy(update={"registrar": ""})
        make_carrier(Runtime(settings.model_copy(update={"sip": no_registrar})))


# -- against SIPp ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason", "headers", "outcome"),
    [
        (486, "Busy Here", "", H.BUSY),
        (600, "Busy Everywhere", "", H.BUSY),
        (480, "Temporarily Unavailable", "", H.NO_ANSWER),
        (408, "Request Timeout", "", H.NO_ANSWER),
        (603, "Decline", "", H.REFUSED),
        (404, "Not Found", "", H.VACANT),
        (604, "Does Not Exist Anywhere", "", H.VACANT),
        (503, "Service Unavailable", "", H.UNREACHABLE),
        (403, "Forbidden", "", H.FAILED),
        (480, "Temporarily Unavailable", "Reason: Q.850;cause=20\n", H.POWERED_OFF),
    ],
)
@sync
async def test_final_response_is_the_outcome(
    sipp_factory, carriers, code, reason, headers, outcome
):
    sipp = sipp_factory("reject", code=code, reason=reason, headers=headers)
    runtime = ToneRuntime()
    result = await dial(carriers(config(sipp), runtime))
    assert result.outcome == outcome, result.extra
    assert result.answered_at is None and result.hangup_side == "carrier"
    assert result.extra.get("sip", {}).get("status") == code, result.extra
    assert runtime.calls == 0
    assert result.ring_seconds <= 2
    assert sipp.saw(f"SIP/2.0 {code} {reason}")


@pytest.mark.parametrize("codec", ["PCMA", "PCMU"])
@sync
async def test_answered_call_carries_audio_both_ways(sipp_factory, carriers, codec):
    """SIPp echoes our RTP: the line hears the tone it played, so audio went out
    (encoded as `codec`) and came back in."""
    sipp = sipp_factory("answer", rtp_echo=True, pt=PAYLOAD_TYPES[codec], codec=codec)
    runtime = ToneRuntime(make_tone(0.8, hz=440), talk_seconds=2.0)
    carrier = carriers(config(sipp, codecs=(codec,)), runtime)
    result = await dial(carrier)
    assert result.outcome == H.ANSWERED and result.hangup_side == "assistant"
    assert result.answered_at is not None
    assert 1.5 <= len(runtime.heard) / SAMPLE_RATE <= 3.0  # a steady 20 ms stream
    echoed = loud(runtime.heard)
    assert 0.5 <= len(echoed) / SAMPLE_RATE <= 1.0, len(echoed) / SAMPLE_RATE
    assert abs(dominant_hz(echoed) - 440) < 15
    assert sipp.saw("BYE sip:")  # we hung up
    invite = sipp.received().split("INVITE sip:", 1)[1].split("SIP/2.0 180", 1)[0]
    offered = re.search(r"m=audio \d+ RTP/AVP ([\d ]+)", invite).group(1).split()
    assert "P-Asserted-Identity: <sip:+862150000000@" in invite  # the request's caller
    assert offered[0] == str(PAYLOAD_TYPES[codec])  # the configured codec, and no other
    assert not set(offered) & {"0", "8", "9", "3"} - {str(PAYLOAD_TYPES[codec])}


class ToneByNumber:
    """A ToneRuntime per callee number: each call plays its own tone."""

    def __init__(self, tones: dict[str, np.ndarray]) -> None:
        self.runtimes = {n: ToneRuntime(t, talk_seconds=1.2) for n, t in tones.items()}

    async def talk(self, request: DialRequest, **kwargs) -> CallResult:
        return await self.runtimes[request.callee].talk(request, **kwargs)


@sync
async def test_calls_at_once_keep_their_audio_apart_and_reuse_the_ports(sipp_factory, carriers):
    """Twelve echoed calls, four at a time, each playing its own tone: each hears its
    own tone back (no crosstalk), and the endpoint carries none once they ended."""
    sipp = sipp_factory("answer", rtp_echo=True, pt=8, codec="PCMA")
    hz = {f"+86138001380{i:02d}": 300 + 70 * i for i in range(12)}
    runtime = ToneByNumber({n: make_tone(0.6, hz=f) for n, f in hz.items()})
    carrier = carriers(config(sipp), runtime)
    numbers = list(hz)
    results = []
    for batch in range(3):
        results += await asyncio.gather(*(dial(carrier, n) for n in numbers[4 * batch :][:4]))
    assert [r.outcome for r in results] == [H.ANSWERED] * 12
    for number, f in hz.items():
        assert abs(dominant_hz(loud(runtime.runtimes[number].heard)) - f) < 15, number
    assert carrier._endpoint.calls == 0


@sync
async def test_callee_hangs_up_and_its_audio_is_heard(sipp_factory, carriers, tmp_path):
    """SIPp streams a recorded tone, then sends BYE: frames() carries the tone and ends."""
    (tmp_path / "callee.alaw").write_bytes(g711(make_tone(1.0, hz=660), "PCMA"))
    stream = rtp_stream(tmp_path / "callee.alaw", "PCMA")
    sipp = sipp_factory("hangup", pt=8, codec="PCMA", stream=stream, hold_ms=2500)
    runtime = ToneRuntime(talk_seconds=20.0)
    result = await dial(carriers(config(sipp), runtime))
    assert result.outcome == H.ANSWERED and result.hangup_side == "callee"
    assert 2.0 <= result.billsec <= 4
    heard = loud(runtime.heard)
    assert 0.7 <= len(heard) / SAMPLE_RATE <= 1.2, len(heard) / SAMPLE_RATE
    assert abs(dominant_hz(heard) - 660) < 15
    assert sipp.saw("BYE sip:")


class BrokenRuntime:
    """A session that fails at once (`hang=False`) or never ends (`hang=True`)."""

    def __init__(self, *, hang: bool) -> None:
        self.hang = hang

    async def talk(self, request, **kwargs) -> CallResult:
        if self.hang:
            await asyncio.Event().wait()
        raise RuntimeError("session bug")


@pytest.mark.parametrize("hang", [False, True])
@sync
async def test_a_broken_session_still_ends_the_call(sipp_factory, carriers, hang):
    sipp = sipp_factory("answer", pt=8, codec="PCMA")
    carrier = carriers(config(sipp, max_call_seconds=1.0), BrokenRuntime(hang=hang))
    result = await dial(carrier)
    assert result.outcome == H.ANSWERED and result.hangup_side == "carrier"
    assert result.extra["error"] == ("TimeoutError" if hang else "RuntimeError")
    assert sipp.saw("BYE sip:")


@sync
async def test_calls_go_through_the_outbound_proxy(sipp_factory, carriers):
    """With a proxy the INVITE goes to it, for the trunk's domain (never resolved here)."""
    sipp = sipp_factory("answer", pt=8, codec="PCMA")
    cfg = SipConfig(domain="trunk.example.invalid", proxy=f"sip:{sipp.domain};lr")
    result = await dial(carriers(cfg, ToneRuntime(talk_seconds=0.5)))
    assert result.outcome == H.ANSWERED
    assert re.search(
        rf"INVITE sip:\{CALLEE}@trunk\.example\.invalid(;transport=udp)? SIP/2\.0",
        sipp.received(),
    )
    assert sipp.saw(f"Route: <sip:{sipp.domain};lr>")


@sync
async def test_a_second_carrier_in_the_process_fails_its_calls_cleanly(
    sipp_factory, carriers, monkeypatch
):
    """The SIP stack is one per process: while one carrier runs, another's calls are
    FAILED (not a crash); once the first stops, the second gets the endpoint."""
    monkeypatch.setattr(sip_endpoint, "STACK_WAIT_SECONDS", 0.2)
    sipp = sipp_factory("reject", code=486, reason="Busy Here", headers="")
    first, second = carriers(config(sipp)), carriers(config(sipp))
    assert (await dial(first)).outcome == H.BUSY
    refused = await dial(second)
    assert refused.outcome == H.FAILED and "another SIP endpoint" in refused.extra["error"]
    await asyncio.to_thread(first.close)
    assert (await dial(second)).outcome == H.BUSY


@sync
async def test_a_picked_port_taken_before_the_stack_binds_it_is_picked_again(
    sipp_factory, carriers, monkeypatch
):
    """The stack listens on UDP and TCP at its port and TCP (TLS) at the next one. A
    port picked free but taken over TCP before the stack binds it (any outgoing TCP
    connection can take it) is replaced by another, and calls go through."""
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind(("127.0.0.1", 0))
    held.listen()
    taken = held.getsockname()[1]
    assert not sip_endpoint._tcp_free("127.0.0.1", taken)
    picks = iter([taken])
    real = sip_endpoint.free_sip_port
    monkeypatch.setattr(sip_endpoint, "free_sip_port", lambda h: next(picks, None) or real(h))
    sipp = sipp_factory("reject", code=486, reason="Busy Here", headers="")
    carrier = carriers(config(sipp))
    try:
        result = await dial(carrier)
    finally:
        held.close()
    assert result.outcome == H.BUSY, result.extra
    assert carrier.local_port not in (0, taken)


def test_the_picked_port_is_free_for_every_transport_the_stack_listens_on():
    for _ in range(20):
        port = sip_endpoint.free_sip_port("127.0.0.1")
        assert sip_endpoint._tcp_free("127.0.0.1", port)
        assert sip_endpoint._tcp_free("127.0.0.1", port + 1)


@sync
async def test_dial_timeout_cancels_as_no_answer(sipp_factory, carriers):
    sipp = sipp_factory("ring")
    runtime = ToneRuntime()
    t0 = asyncio.get_running_loop().time()
    result = await dial(carriers(config(sipp, dial_timeout_seconds=3.0), runtime))
    assert result.outcome == H.NO_ANSWER, result.extra
    assert result.extra["sip"]["dial_timeout"] is True
    assert 2.9 <= asyncio.get_running_loop().time() - t0 < 8
    assert runtime.calls == 0
    assert sipp.saw("CANCEL sip:")


@sync
async def test_no_trunk_is_a_quick_failure(carriers):
    """Nothing answers the INVITE: a carrier failure (not the callee's no answer) once
    the dial timeout passes, without waiting for the INVITE's own 32 s timeout."""
    cfg = SipConfig(domain=f"127.0.0.1:{free_port()}", dial_timeout_seconds=2)
    t0 = asyncio.get_running_loop().time()
    result = await dial(carriers(cfg))
    assert result.outcome == H.FAILED
    assert result.extra["error"] == "no response from the SIP trunk"
    assert asyncio.get_running_loop().time() - t0 < 5


@sync
async def test_calls_over_the_line_cap_are_refused_at_once(sipp_factory, carriers):
    sipp = sipp_factory("ring")
    carrier = carriers(config(sipp, max_calls=2, dial_timeout_seconds=2.0))
    results = await asyncio.gather(*(dial(carrier, f"+861380013800{i}") for i in range(3)))
    outcomes = sorted(r.outcome for r in results)
    assert outcomes == [H.FAILED, H.NO_ANSWER, H.NO_ANSWER], [r.extra for r in results]
    refused = next(r for r in results if r.outcome == H.FAILED)
    assert refused.extra["error"] == "no free SIP line"
    assert refused.ring_seconds == 0
    # the lines are free again
    assert (await dial(carrier)).outcome == H.NO_ANSWER


@sync
async def test_one_carrier_holds_more_calls_than_the_old_build(sipp_factory, carriers):
    """The pjsua2 wheel held 4 calls per process; the stack now holds what the host
    carries: ten calls ring at once, and each is cancelled as no answer."""
    sipp = sipp_factory("ring")
    carrier = carriers(config(sipp, max_calls=10, dial_timeout_seconds=2.0))
    results = await asyncio.gather(*(dial(carrier, f"+86138001380{i:02d}") for i in range(10)))
    assert [r.outcome for r in results] == [H.NO_ANSWER] * 10
    assert all(r.extra["sip"]["dial_timeout"] for r in results)
    assert sipp.count("CANCEL sip:", 10) == 10  # the trace is written after the fact


@pytest.mark.parametrize("password", ["s3cret", "wrong"])
@sync
async def test_registration_and_calls_with_digest_credentials(sipp_factory, carriers, password):
    sipp = sipp_factory("auth", username="voxdial", password="s3cret")
    cfg = config(
        sipp,
        registrar=f"sip:{sipp.domain}",
        username="voxdial",
        password=password,
        register_timeout_seconds=5,
    )
    runtime = ToneRuntime(talk_seconds=0.5)
    carrier = carriers(cfg, runtime)
    await asyncio.to_thread(carrier.start)
    result = await dial(carrier)
    assert sipp.saw('Authorization: Digest username="voxdial"')
    invite = sipp.received().split("INVITE sip:", 2)[-1]
    assert 'Authorization: Digest username="voxdial"' in invite  # the INVITE's answer too
    if password == "s3cret":
        assert carrier.registered
        assert result.outcome == H.ANSWERED and runtime.calls == 1
        await asyncio.to_thread(carrier.close)  # unregisters on the way out
        # unregistered: expires 0, as the Contact's parameter or an Expires header
        assert sipp.saw(";expires=0") or sipp.saw("Expires: 0", timeout=0)
        assert not carrier.registered
    else:
        assert not carrier.registered
        assert result.outcome == H.FAILED and result.extra["sip"]["status"] == 403


# -- through the dialer ----------------------------------------------------------------


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    yield database
    database.dispose()


def test_the_dialer_dials_a_task_over_sip(sipp_factory, carriers, db):
    """A task's numbers dialled by the dialer through SIPp (a callee per number): each
    call record gets its number's outcome, and the task's counters agree with its rows."""
    outcomes = {
        "+8613800000486": H.BUSY,
        "+8613800000603": H.REFUSED,
        "+8613800000404": H.VACANT,
        "+8613800000480": H.NO_ANSWER,
        "+8613800000200": H.ANSWERED,
        "+8613800000201": H.ANSWERED,
    }
    sipp = sipp_factory("route")
    runtime = ToneRuntime(talk_seconds=10.0)
    carrier = carriers(config(sipp), runtime)
    task = make_task(db, list(outcomes))
    dialer = Dialer(
        db,
        carrier=carrier,
        clock=SystemClock(),
        config=DialerConfig(
            max_lines=4,
            calls_per_second=0,
            daily_cap=0,
            lease_seconds=3600,
            tick_seconds=0.05,
        ),
    )

    run_until_settled(dialer, db, task.id, seconds=60)
    calls = calls_of(db, task.id)
    assert {c.callee: c.hangup_reason for c in calls} == outcomes
    for c in calls:
        if c.hangup_reason == H.ANSWERED:
            assert c.hangup_side == "callee" and 1 <= c.billsec <= 3
        else:
            assert c.answer_at is None and c.billsec == 0
    assert runtime.calls == 2
    assert task_row(db, task.id).status == "done" and dialer.in_flight == 0
    assert counters(db, task.id) == recount(db, task.id)


# -- a spoken call with the real session and speech models ------------------------------

ASSISTANT = {
    "name": "Service check",
    "welcome": "Hi, this is Ava from StarNet.",
    "speakerId": PIPER_SPEAKER,
    "listenerId": TINY_EN_LISTENER,
    "interruption": {"method": "none"},
    "collect": [{"question": "Are you happy with our service?", "answers": ["Yes", "No"]}],
}
REPLY = "Yes, I am very happy."


@pytest.mark.speech
@pytest.mark.timeout(300)
@sync
async def test_a_spoken_call_over_sip_collects_the_recorded_reply(sipp_factory, carriers, tmp_path):
    """The voice session on a SIP line: SIPp answers, listens to the opening (piper over
    PCMA), then plays a recorded piper reply; the assistant hears it (tiny.en), collects
    the answer, says goodbye and hangs up."""
    models = speech_models()
    await asyncio.to_thread(models.recognizer, TINY_EN_LISTENER)  # loaded before the call
    req = request(assistant=ASSISTANT)
    opening = ScriptEngine().begin(req.context).start()
    speaking = sum(seconds(spoken(PIPER_SPEAKER, a.text)) for a in opening if a.text)
    reply = tmp_path / "reply.alaw"
    reply.write_bytes(g711(spoken(PIPER_SPEAKER, REPLY), "PCMA"))
    sipp = sipp_factory(
        "speak", listen_ms=int((speaking + 1.5) * 1000), stream=rtp_stream(reply, "PCMA")
    )
    runtime = VoiceRuntime(models, tmp_path / "recordings", VoiceTuning())
    carrier = carriers(config(sipp), runtime)
    result = await asyncio.wait_for(
        carrier.place_call(req, clock=SystemClock(), engine=ScriptEngine()), 120
    )
    assert result.outcome == H.ANSWERED and result.hangup_side == "assistant"
    heard = [u.text for u in result.utterances if u.side == "customer"]
    collected = {c.question: c.result for c in result.collected if c.hit}
    assert collected == {"Are you happy with our service?": "Yes"}, heard
    assert len(heard) == 1 and "happy" in heard[0].lower()
    said = " ".join(u.text for u in result.utterances if u.side == "system")
    assert "StarNet" in said and "happy with our service" in said
    assert result.record_file and (tmp_path / "recordings" / result.record_file).exists()
    assert sipp.saw("BYE sip:")


# -- who answered (voice/answering.py) -------------------------------------------------


@pytest.mark.speech
@pytest.mark.timeout(300)
@sync
async def test_an_announcement_after_the_answer_is_hung_up_with_its_outcome(
    sipp_factory, carriers, tmp_path
):
    """SIPp answers and plays a carrier's "not in service" announcement as RTP: the
    answer detector (Whisper base) hears it, the assistant says nothing and hangs up,
    and the call's outcome is the announcement's."""
    models = speech_models()
    recording = make_recordings(tmp_path / "tts", ["vacant"])["vacant"]
    await asyncio.to_thread(models.recognizer, BASE_LISTENER)  # loaded before the call
    announcement = tmp_path / "announcement.alaw"
    announcement.write_bytes(g711(recording, "PCMA"))
    sipp = sipp_factory("speak", listen_ms=0, stream=rtp_stream(announcement, "PCMA"))
    runtime = VoiceRuntime(models, tmp_path / "recordings", VoiceTuning(), answer_detection=True)
    carrier = carriers(config(sipp), runtime)
    req = request(assistant={**ASSISTANT, "listenerId": BASE_LISTENER})
    result = await asyncio.wait_for(
        carrier.place_call(req, clock=SystemClock(), engine=ScriptEngine()), 120
    )
    assert result.outcome == H.VACANT, result.extra
    assert result.hangup_side == "assistant" and result.answered_at is not None
    assert [u.side for u in result.utterances] == ["answer"]  # not a word said to it
    assert result.extra["answer"]["outcome"] == "vacant"
    assert sipp.saw("BYE sip:")


@pytest.mark.speech
@pytest.mark.timeout(300)
@sync
async def test_an_announcement_as_early_media_cancels_the_call_with_its_outcome(
    sipp_factory, carriers, tmp_path
):
    """The network never answers: it sends 183 Session Progress with SDP and plays
    "switched off" as RTP. The detector hears it in the early media and the carrier
    cancels the call as powered_off (without it, the call would ring out as no_answer)."""
    models = speech_models()
    recording = make_recordings(tmp_path / "tts", ["powered_off"])["powered_off"]
    await asyncio.to_thread(models.recognizer, BASE_LISTENER)
    announcement = tmp_path / "announcement.alaw"
    announcement.write_bytes(g711(recording, "PCMA"))
    sipp = sipp_factory("early", stream=rtp_stream(announcement, "PCMA"))
    runtime = VoiceRuntime(models, tmp_path / "recordings", VoiceTuning(), answer_detection=True)
    carrier = carriers(config(sipp, dial_timeout_seconds=15.0), runtime)
    req = request(assistant={**ASSISTANT, "listenerId": BASE_LISTENER})
    result = await asyncio.wait_for(
        carrier.place_call(req, clock=SystemClock(), engine=ScriptEngine()), 120
    )
    assert result.outcome == H.POWERED_OFF, result.extra
    assert result.answered_at is None
    assert result.extra["answer"]["outcome"] == "powered_off"
    assert result.extra["answer"]["earlyMedia"] is True
    assert sipp.saw("CANCEL sip:")


@pytest.mark.speech
@pytest.mark.timeout(300)
@sync
async def test_early_media_is_not_listened_to_without_detection(sipp_factory, carriers, tmp_path):
    """The same network with detection off for the assistant: the call rings out."""
    models = speech_models()
    recording = make_recordings(tmp_path / "tts", ["powered_off"])["powered_off"]
    announcement = tmp_path / "announcement.alaw"
    announcement.write_bytes(g711(recording, "PCMA"))
    sipp = sipp_factory("early", stream=rtp_stream(announcement, "PCMA"))
    runtime = VoiceRuntime(models, tmp_path / "recordings", VoiceTuning(), answer_detection=True)
    carrier = carriers(config(sipp, dial_timeout_seconds=6.0), runtime)
    req = request(assistant={**ASSISTANT, "answerDetection": {"enabled": False}})
    result = await asyncio.wait_for(
        carrier.place_call(req, clock=SystemClock(), engine=ScriptEngine()), 60
    )
    assert result.outcome == H.NO_ANSWER
    assert "answer" not in result.extra
