"""Trying an assistant by voice from the console, without a browser: the console mints a
one-call token (operators only, with the page's CSRF token, never the assistant's own
websocket token), and the assistant's websocket takes it once, for its own assistant,
in browser framing, within its minute; the call sends its transcript as it goes.

Speech is the tone fakes of tests/support/voice.py; the page itself (microphone,
playback, the live transcript) is tests/web/test_console_voice_browser.py.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import websockets
from fastapi.testclient import TestClient

from tests.support.callee import live_server
from tests.support.voice import ToneSpeech, tone
from tests.web.conftest import page_csrf
from voxdial.api.call_tokens import mint_call_token
from voxdial.voice.base import SAMPLE_RATE
from voxdial.voice.runtime import VoiceRuntime
from voxdial.voice.tuning import VoiceTuning

pytestmark = pytest.mark.timeout(120)

WORDS = ["yes", "Tuesday"]
ASSISTANT = {
    "name": "Service check",
    "welcome": "Hi, this is Ava.",
    "collect": [
        {"question": "Are you happy with us?", "answers": ["Yes", "No"]},
        {"question": "Which day suits you?", "answers": ["Monday", "Tuesday"]},
    ],
}


@pytest.fixture
def voice(console, tmp_path):
    """The console with tone speech, an assistant of acme and the operator's API client."""
    state = console.app.state.voxdial
    state.runtime.voice = VoiceRuntime(
        ToneSpeech(WORDS), tmp_path / "data" / "recordings", VoiceTuning()
    )
    api = TestClient(console.app, raise_server_exceptions=False)
    api.headers["Authorization"] = f"Bearer {console.operator_token}"
    r = api.post("/openapi/assistants", json=ASSISTANT)
    assert r.status_code == 201, r.text
    yield console, api, r.json()
    api.close()


def mint(client: TestClient, assistant_id: int, *, csrf: str | None = None):
    token = page_csrf(client) if csrf is None else csrf
    return client.post(f"/assistants/{assistant_id}/voice", headers={"X-CSRF-Token": token})


def said(word: str) -> np.ndarray:
    return tone(300 + 100 * WORDS.index(word), 0.8)


async def browser_call(url: str, token: str, replies: list[np.ndarray]) -> dict:
    """A browser's side of the call: `start`, then 20 ms PCM frames in real time, each
    reply once the assistant has gone quiet; returns the messages it got."""
    got: dict = {"transcript": [], "audio": 0, "started": None, "ended": None, "close": None}
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "token": token}))
        last_audio = time.monotonic()
        done = asyncio.Event()

        async def send() -> None:
            t0, n, answered_at = time.monotonic(), 0, 0
            pending = np.zeros(0, np.int16)
            while not done.is_set():
                quiet = time.monotonic() - last_audio > 0.5
                if not len(pending) and replies and got["audio"] > answered_at and quiet:
                    pending, answered_at = replies.pop(0), got["audio"]
                frame = np.zeros(320, np.int16)
                frame[: len(pending[:320])] = pending[:320]
                pending = pending[320:]
                try:
                    await ws.send(frame.astype("<i2").tobytes())
                except websockets.ConnectionClosed:
                    return
                n += 1
                await asyncio.sleep(max(0, t0 + n * 0.02 - time.monotonic()))

        sender = None
        try:
            async for message in ws:
                if isinstance(message, bytes):
                    got["audio"] += len(message)
                    last_audio = max(time.monotonic(), last_audio) + len(message) / 2 / SAMPLE_RATE
                    continue
                event = json.loads(message)
                if event["type"] == "started":
                    got["started"] = event
                    sender = asyncio.create_task(send())
                elif event["type"] == "transcript":
                    got["transcript"].append((event["who"], event["text"]))
                elif event["type"] == "ended":
                    got["ended"] = event
        except websockets.ConnectionClosed:
            pass
        got["close"] = (ws.close_code, ws.close_reason)
        done.set()
        if sender is not None:
            await sender
    return got


def run_call(app, assistant_id: int, token: str, replies: list[np.ndarray], *, path=None) -> dict:
    with live_server(app) as base:
        socket = path or f"/openapi/assistants/{assistant_id}/ws?mode=browser"
        url = base.replace("http", "ws") + socket
        return asyncio.run(asyncio.wait_for(browser_call(url, token, list(replies)), 60))


# -- minting -------------------------------------------------------------------------


def test_an_operator_gets_a_one_call_token_not_the_assistants(voice):
    console, _, a = voice
    r = mint(console.operator, a["id"])
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["socket"] == f"/openapi/assistants/{a['id']}/ws?mode=browser"
    assert body["token"].startswith("c1.") and len(body["sessionId"]) == 32
    assert a["websocketToken"] not in r.text
    page = console.operator.get(f"/assistants/{a['id']}")
    assert "data-voice-try" in page.text and a["websocketToken"] not in page.text


def test_minting_needs_the_csrf_token(voice):
    console, _, a = voice
    assert mint(console.operator, a["id"], csrf="forged").status_code == 403


def test_a_viewer_may_not_call(voice):
    console, _, a = voice
    assert mint(console.viewer, a["id"]).status_code == 403
    page = console.viewer.get(f"/assistants/{a['id']}")
    assert page.status_code == 200 and "data-voice-try" not in page.text


def test_another_workspaces_assistant_is_not_found(voice):
    console, _, a = voice
    assert mint(console.other, a["id"]).status_code == 404


def test_a_deleted_assistant_gets_no_token(voice):
    console, api, a = voice
    assert api.delete(f"/openapi/assistants/{a['id']}").status_code in (200, 204)
    assert mint(console.operator, a["id"]).status_code == 409


# -- the call --------------------------------------------------------------------------


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_voice_try_talks_shows_its_transcript_and_is_recorded(voice):
    console, api, a = voice
    grant = mint(console.operator, a["id"]).json()
    got = run_call(console.app, a["id"], grant["token"], [said("yes"), said("Tuesday")])

    assert got["started"]["sessionId"] == grant["sessionId"]
    assert got["audio"] > SAMPLE_RATE * 2
    transcript = got["transcript"]
    assert transcript[:2] == [
        ("assistant", "Hi, this is Ava."),
        ("assistant", "Are you happy with us?"),
    ]
    # each answer shows after the question it answers, and before the next question
    asked_day = transcript.index(("assistant", "Which day suits you?"))
    assert transcript.index(("callee", "yes")) in range(2, asked_day)
    assert transcript.index(("callee", "Tuesday")) > asked_day, transcript
    assert [c["result"] for c in got["ended"]["collected"] if c["hit"]] == ["Yes", "Tuesday"]

    call = api.get(f"/openapi/calllog/{grant['sessionId']}").json()
    assert call["description"] == "privateTest"
    trace = api.get(f"/openapi/calltrace/{grant['sessionId']}").json()
    assert [t["content"] for t in trace if t["event"] == "customer.say"] == WORDS
    assert api.get(f"/openapi/calllog/{grant['sessionId']}/record").status_code == 200


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_token_is_good_for_one_call(voice):
    console, _, a = voice
    token = mint(console.operator, a["id"]).json()["token"]
    first = run_call(console.app, a["id"], token, [said("yes"), said("Tuesday")])
    assert first["ended"] is not None
    again = run_call(console.app, a["id"], token, [])
    assert again["started"] is None and again["close"][0] == 1008


def closed_code(console, assistant_id: int, token: str, *, framing: str = "browser") -> int:
    with live_server(console.app) as base:
        path = f"/openapi/assistants/{assistant_id}/ws"
        url = base.replace("http", "ws") + path + ("?mode=browser" if framing == "browser" else "")

        async def go() -> int:
            async with websockets.connect(url) as ws:
                if framing == "browser":
                    await ws.send(json.dumps({"type": "start", "token": token}))
                else:
                    params = {"token": token}
                    start = {"streamSid": "MZ1", "customParameters": params}
                    await ws.send(json.dumps({"event": "start", "start": start}))
                with pytest.raises(websockets.ConnectionClosed):
                    while True:
                        await ws.recv()
                return ws.close_code

        return asyncio.run(asyncio.wait_for(go(), 30))


def test_a_token_is_refused_on_another_assistant(voice):
    console, api, a = voice
    b = api.post("/openapi/assistants", json=ASSISTANT).json()
    token = mint(console.operator, a["id"]).json()["token"]
    assert closed_code(console, b["id"], token) == 1008


def test_a_token_past_its_minute_is_refused(voice):
    console, api, a = voice
    late = datetime.now(UTC) - timedelta(minutes=2)
    token, _ = mint_call_token(
        a["websocketToken"], assistant_id=a["id"], workspace_id=_workspace(console), now=late
    )
    assert closed_code(console, a["id"], token) == 1008
    fresh, _ = mint_call_token(
        a["websocketToken"],
        assistant_id=a["id"],
        workspace_id=_workspace(console),
        now=datetime.now(UTC),
    )
    assert closed_code(console, a["id"], fresh + "x") == 1008  # and a tampered one


def test_rotating_the_assistants_token_voids_its_call_tokens(voice):
    console, api, a = voice
    token = mint(console.operator, a["id"]).json()["token"]
    r = api.post(f"/openapi/assistants/{a['id']}/websocket-token")
    assert r.status_code == 200, r.text
    assert closed_code(console, a["id"], token) == 1008


def test_a_call_token_is_for_browser_framing_only(voice):
    console, _, a = voice
    token = mint(console.operator, a["id"]).json()["token"]
    assert closed_code(console, a["id"], token, framing="media") == 1008


def _workspace(console) -> int:
    from sqlalchemy import select

    from voxdial.store.models import Workspace

    with console.db.session() as s:
        return s.execute(select(Workspace.id).where(Workspace.name == "acme")).scalar_one()
