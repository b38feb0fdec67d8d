"""The assistant's websocket: tokens, Twilio media-stream framing, browser framing, the
call record it leaves, and the `mediastream` carrier dialling through it.

Speech here is the tone fakes of tests/support/voice.py, so the protocol and the call
records are checked in seconds; tests/test_voice_e2e.py runs the same path with the
real models.
"""

from __future__ import annotations

import asyncio
import json
import time
import wave
from io import BytesIO

import numpy as np
import pytest
import websockets
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.support.callee import MediaStreamCallee, live_server
from tests.support.dialer import calls_of, make_task, task_row
from tests.support.stream_dialler import StreamDialler, dial_through
from tests.support.voice import ToneSpeech as SpeechFakes
from tests.support.voice import tone
from voxdial.domain.status import HangupReason
from voxdial.voice.base import SAMPLE_RATE
from voxdial.voice.runtime import VoiceRuntime
from voxdial.voice.tuning import VoiceTuning

WORDS = ["yes", "Tuesday"]
ENGLISH = {
    "name": "Service check",
    "welcome": "Hi, this is Ava.",
    "collect": [
        {"question": "Are you happy with us?", "answers": ["Yes", "No"]},
        {"question": "Which day suits you?", "answers": ["Monday", "Tuesday"]},
    ],
}

pytestmark = pytest.mark.timeout(120)


class ToneSpeech(SpeechFakes):
    """The tone fakes, hearing this file's WORDS."""

    def __init__(self) -> None:
        super().__init__(WORDS)


def said(word: str) -> np.ndarray:
    return tone(300 + 100 * WORDS.index(word), 0.8)


def use_tones(env, tmp_path) -> None:
    state = env.app.state.voxdial
    state.runtime.voice = VoiceRuntime(
        ToneSpeech(), tmp_path / "data" / "recordings", VoiceTuning()
    )


def assistant(env) -> dict:
    r = env.client.post("/openapi/assistants", json=ENGLISH)
    assert r.status_code == 201, r.text
    return r.json()


def ws_path(a: dict) -> str:
    return f"/openapi/assistants/{a['id']}/ws"


def start_event(token: str | None = None, **params: str) -> dict:
    if token is not None:
        params["token"] = token
    return {
        "event": "start",
        "start": {"streamSid": "MZ1", "customParameters": params},
        "streamSid": "MZ1",
    }


def closed_with(client, path: str, *messages: dict) -> int:
    # As a media-stream peer connects: without the API client's bearer token, which
    # would be taken for the socket's token (and refused before accept).
    with TestClient(client.app, raise_server_exceptions=False) as peer:
        with peer.websocket_connect(path) as ws:
            for m in messages:
                ws.send_text(json.dumps(m))
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
    return closed.value.code


# -- who may connect -----------------------------------------------------------------


def test_a_wrong_token_closes_with_1008(env):
    a = assistant(env)
    assert closed_with(env.client, ws_path(a), {"event": "connected"}, start_event("nope")) == 1008


def test_no_token_closes_with_1008(env):
    a = assistant(env)
    assert closed_with(env.client, ws_path(a), start_event()) == 1008


def test_an_unknown_assistant_closes_with_1008(env):
    a = assistant(env)
    path = f"/openapi/assistants/{a['id'] + 1000}/ws"
    assert closed_with(env.client, path, start_event(a["websocketToken"])) == 1008


def test_a_token_is_good_for_its_own_assistant_only(env):
    a, b = assistant(env), env.other.post("/openapi/assistants", json=ENGLISH).json()
    assert closed_with(env.client, ws_path(b), start_event(a["websocketToken"])) == 1008
    assert closed_with(env.client, ws_path(a), start_event(b["websocketToken"])) == 1008


def test_audio_before_start_is_refused(env):
    a = assistant(env)
    media = {"event": "media", "media": {"payload": "AAAA"}}
    assert closed_with(env.client, ws_path(a), {"event": "connected"}, media) == 1008


def test_a_deleted_assistants_token_no_longer_works(env):
    a = assistant(env)
    assert env.client.delete(f"/openapi/assistants/{a['id']}").status_code in (200, 204)
    assert closed_with(env.client, ws_path(a), start_event(a["websocketToken"])) == 1008


def test_an_expired_call_token_closes_with_1008(env):
    """A one-call token from the mediastream carrier is gone once the call timed out."""
    a = assistant(env)
    event = start_event("old-call-token", sessionId="0" * 32)
    assert closed_with(env.client, ws_path(a), event) == 1008


# -- a call over the media stream ------------------------------------------------------


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_media_stream_call_is_answered_recorded_and_traced(env, tmp_path):
    use_tones(env, tmp_path)
    a = assistant(env)
    with live_server(env.app) as base:
        url = base.replace("http", "ws") + ws_path(a)
        callee = MediaStreamCallee(url, [said("yes"), said("Tuesday")], token=a["websocketToken"])
        report = asyncio.run(callee.run())

    assert report.close_code == 1000  # the assistant said goodbye and hung up
    assert report.marks >= 3 and len(report.heard) > SAMPLE_RATE
    assert len(report.turns) == 2 and all(t.latency is not None for t in report.turns)

    calls = env.client.get("/openapi/calllog").json()["items"]
    assert len(calls) == 1
    call = calls[0]
    assert call["hangupReason"] == HangupReason.ANSWERED
    collected = {c["question"]: c["result"] for c in call["collect"] if c["hit"]}
    assert collected == {"Are you happy with us?": "Yes", "Which day suits you?": "Tuesday"}

    trace = env.client.get(f"/openapi/calltrace/{call['sessionId']}").json()
    events = [t["event"] for t in trace]
    assert events[0] == "begin" and events[-1] == "hangup"
    assert [t["content"] for t in trace if t["event"] == "customer.say"] == WORDS
    elapsed = [t["elapsedMillSeconds"] for t in trace]
    assert elapsed == sorted(elapsed) and elapsed[-1] > 2000

    record = env.client.get(f"/openapi/calllog/{call['sessionId']}/record")
    assert record.status_code == 200 and record.headers["content-type"] == "audio/wav"
    with wave.open(BytesIO(record.content)) as w:
        assert w.getnchannels() == 2 and w.getframerate() == SAMPLE_RATE
        audio = np.frombuffer(w.readframes(w.getnframes()), np.int16).reshape(-1, 2)
    assert np.abs(audio[:, 0]).max() > 3000 and np.abs(audio[:, 1]).max() > 1000
    # another workspace sees neither the call nor its recording
    assert env.other.get(f"/openapi/calllog/{call['sessionId']}/record").status_code == 404
    assert env.other.get(f"/openapi/calllog/{call['sessionId']}").status_code == 404


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_browser_call_speaks_pcm_and_reports_the_answers(env, tmp_path):
    use_tones(env, tmp_path)
    a = assistant(env)

    async def browser(url: str) -> tuple[dict, int]:
        replies = [said("yes"), said("Tuesday")]
        async with websockets.connect(url, max_size=None) as ws:
            await ws.send(json.dumps({"type": "start", "token": a["websocketToken"]}))
            started = json.loads(await ws.recv())
            assert started["type"] == "started"
            got_audio = 0
            ended = None
            last_audio = time.monotonic()
            sender_done = asyncio.Event()

            async def send():
                t0 = time.monotonic()
                n = 0
                pending = np.zeros(0, np.int16)
                answered_at = 0  # audio bytes heard when we last replied: wait for more
                while not sender_done.is_set():
                    quiet = time.monotonic() - last_audio
                    prompted = got_audio > answered_at
                    if not len(pending) and replies and prompted and quiet > 0.5:
                        pending = replies.pop(0)
                        answered_at = got_audio
                    frame = np.zeros(320, np.int16)
                    take = pending[:320]
                    frame[: len(take)] = take
                    pending = pending[320:]
                    try:
                        await ws.send(frame.astype("<i2").tobytes())
                    except websockets.ConnectionClosed:
                        return
                    n += 1
                    await asyncio.sleep(max(0, t0 + n * 0.02 - time.monotonic()))

            sender = asyncio.create_task(send())
            async for message in ws:
                if isinstance(message, bytes):
                    got_audio += len(message)
                    # it plays after what is already queued
                    start = max(time.monotonic(), last_audio)
                    last_audio = start + len(message) / 2 / SAMPLE_RATE
                else:
                    event = json.loads(message)
                    if event["type"] == "ended":
                        ended = event
            sender_done.set()
            await sender
            return ended, got_audio

    with live_server(env.app) as base:
        url = base.replace("http", "ws") + ws_path(a) + "?mode=browser"
        ended, got_audio = asyncio.run(asyncio.wait_for(browser(url), 60))

    assert got_audio > SAMPLE_RATE * 2  # at least a second of 16-bit PCM
    assert [c["result"] for c in ended["collected"] if c["hit"]] == ["Yes", "Tuesday"]
    call = env.client.get(f"/openapi/calllog/{ended['sessionId']}").json()
    assert call["description"] == "privateTest"


# -- the dialer, dialling through the stream -------------------------------------------


@pytest.fixture
def english_task(env):
    a = assistant(env)
    return make_task(env.db, ["+8613800138000"], assistant_id=a["id"], retryCount=0)


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_the_dialer_places_a_spoken_call_through_the_stream(env, tmp_path, english_task):
    use_tones(env, tmp_path)
    dialler = StreamDialler([said("yes"), said("Tuesday")])
    dial_through(env, dialler, english_task.id)
    assert len(dialler.requests) == 1
    assert dialler.requests[0]["callee"] == "+8613800138000"
    (call,) = calls_of(env.db, english_task.id)
    assert call.hangup_reason == HangupReason.ANSWERED
    assert {c["result"] for c in call.collect if c["hit"]} == {"Yes", "Tuesday"}
    assert call.record_file  # the dialer kept the recording's path
    assert task_row(env.db, english_task.id).status == "done"


@pytest.mark.parametrize(
    ("answer", "status", "outcome"),
    [
        (False, "ringing", HangupReason.NO_ANSWER),
        (False, "busy", HangupReason.BUSY),
        (False, "vacant", HangupReason.VACANT),
    ],
)
def test_a_call_the_dialler_cannot_connect_gets_its_outcome(
    env, tmp_path, english_task, answer, status, outcome
):
    use_tones(env, tmp_path)
    dialler = StreamDialler([], answer=answer, status=status)
    dial_through(env, dialler, english_task.id, answer_timeout=1.0)
    (call,) = calls_of(env.db, english_task.id)
    assert call.hangup_reason == outcome


# -- a transfer to a person, asked of the stream's controller ---------------------------

TRANSFER_WORDS = ["agent please", "yes"]


class TransferSpeech(SpeechFakes):
    def __init__(self) -> None:
        super().__init__(TRANSFER_WORDS)


def _transfer_call(env, tmp_path, reply: dict | None, replies: list[str], **setting):
    state = env.app.state.voxdial
    state.runtime.voice = VoiceRuntime(
        TransferSpeech(), tmp_path / "data" / "recordings", VoiceTuning()
    )
    body = {**ENGLISH, "taskTransfer": {"target": "+8613912345678", **setting}}
    r = env.client.post("/openapi/assistants", json=body)
    assert r.status_code == 201, r.text
    a = r.json()
    voices = [tone(300 + 100 * TRANSFER_WORDS.index(w), 0.8) for w in replies]
    with live_server(env.app) as base:
        url = base.replace("http", "ws") + ws_path(a)
        callee = MediaStreamCallee(
            url, voices, token=a["websocketToken"], transfer_reply=reply, hang_up_after=3.0
        )
        report = asyncio.run(callee.run())
    call = env.client.get("/openapi/calllog").json()["items"][0]
    trace = env.client.get(f"/openapi/calltrace/{call['sessionId']}").json()
    return report, call, trace


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_media_stream_transfer_is_asked_of_the_controller(env, tmp_path):
    report, call, trace = _transfer_call(env, tmp_path, {"status": "connected"}, ["agent please"])
    assert report.transfers == [{"mode": "blind", "target": "+8613912345678"}]
    assert report.close_code == 1000  # our part ended once the controller had the callee
    events = [t["event"] for t in trace]
    assert "transfer.requested" in events and "transfer.connected" in events
    assert events[-1] == "hangup"
    connected = next(t for t in trace if t["event"] == "transfer.connected")
    assert connected["content"] == "+8613912345678"
    record = call["extra"]["transfer"]
    assert record["status"] == "connected" and record["target"] == "+8613912345678"
    assert record["connectedAt"] and call["hangupSide"] == "assistant"
    assert call["hangupReason"] == HangupReason.ANSWERED


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_bridged_media_stream_transfer_is_asked_of_the_controller(env, tmp_path):
    reply = {"status": "connected"}
    report, call, trace = _transfer_call(
        env, tmp_path, reply, ["agent please"], mode="bridged", agentTimeoutSeconds=20
    )
    assert report.transfers == [
        {"mode": "bridged", "target": "+8613912345678", "agentTimeoutSeconds": 20}
    ]
    assert report.close_code == 1000  # the controller joined the calls: our part ended
    connected = next(t for t in trace if t["event"] == "transfer.connected")
    assert connected["content"] == "+8613912345678 (bridged)"
    record = call["extra"]["transfer"]
    assert record["mode"] == "bridged" and record["status"] == "connected"
    assert "endedAt" not in record and call["hangupSide"] == "assistant"


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_refused_media_stream_transfer_goes_on_with_the_call(env, tmp_path):
    reply = {"status": "failed", "reason": "agents busy"}
    report, call, trace = _transfer_call(env, tmp_path, reply, ["agent please", "yes"])
    assert len(report.transfers) == 1
    failed = [t["content"] for t in trace if t["event"] == "transfer.failed"]
    assert failed == ["agents busy"]
    assert call["extra"]["transfer"]["status"] == "failed"
    collected = {c["question"]: c["result"] for c in call["collect"] if c["hit"]}
    assert collected == {"Are you happy with us?": "Yes"}  # asked again, answered
