"""Inbound SIP calls against SIPp as the caller (a UAC on 127.0.0.1): an INVITE to a
number bound at /openapi/inbound-numbers is answered by the bound assistant, which
holds the conversation (tone fakes for speech, as in tests/test_media_socket.py) and
leaves an inbound call record and `callin.*` webhooks; an INVITE to any other number
is refused with 486."""

from __future__ import annotations

import threading
import time
import wave
from io import BytesIO
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from tests.conftest import make_settings
from tests.support.dialer import make_task, numbers_of, phones
from tests.support.sipp import Sipp, g711, need_sipp, rtp_stream, scenario
from tests.test_media_socket import ToneSpeech, said
from voxdial.runtime import Runtime
from voxdial.store.models import Call, WebhookOutbox
from voxdial.telephony.sip_endpoint import free_sip_port
from voxdial.voice.runtime import VoiceRuntime
from voxdial.voice.tuning import VoiceTuning

pytestmark = [pytest.mark.sipp, pytest.mark.timeout(120)]

OURS, CALLER, UNBOUND = phones(3, seed=11)
ASSISTANT = {
    "name": "hotline",
    "scene": "inbound_knowledge",
    "welcome": "Hi, this is Ava.",
    "collect": [{"question": "Are you happy with us?", "answers": ["Yes", "No"]}],
}


@pytest.fixture
def answering(sqlite_env, tmp_path):
    """A runtime whose SIP endpoint answers the bound numbers, on a free port."""
    need_sipp()
    settings = make_settings(
        str(sqlite_env.db.engine.url),
        tmp_path,
        carrier="sip",
        sip={"domain": "127.0.0.1:9", "accept_calls": True, "port": free_sip_port("127.0.0.1")},
    )
    runtime = Runtime(settings)
    runtime.voice = VoiceRuntime(ToneSpeech(), tmp_path / "data" / "recordings", VoiceTuning())
    runtime.answer_calls()
    yield runtime
    runtime.carrier.close()
    runtime.carrier.incoming.close()


def call_in(runtime: Runtime, tmp_path: Path, name: str, **values) -> Sipp:
    port = runtime.carrier.local_port
    sipp = Sipp(
        scenario(name, tmp_path, **values),
        tmp_path,
        extra=[f"127.0.0.1:{port}", "-m", "1"],
        timeout_seconds=60,
    )
    try:
        sipp.process.wait(90)
    finally:
        sipp.stop()
    return sipp


def ended_calls(env) -> list[Call]:
    """The calls recorded, once every one of them has closed (they close on the inbound
    loop, just after the caller's side is done)."""
    for _ in range(200):
        with env.db.session() as s:
            calls = list(s.execute(select(Call)).scalars())
            s.expunge_all()
        if all(c.end_at is not None for c in calls):
            return calls
        time.sleep(0.05)
    raise AssertionError("a call never closed")


def test_a_sip_call_to_a_bound_number_is_answered_by_its_assistant(sqlite_env, answering, tmp_path):
    env = sqlite_env
    a = env.client.post("/openapi/assistants", json=ASSISTANT).json()
    r = env.client.post("/openapi/inbound-numbers", json={"number": OURS, "assistantId": a["id"]})
    assert r.status_code == 201, r.text
    hook = env.client.post(
        "/openapi/webhooks",
        json={
            "url": "https://hooks.example.test/in",
            "events": ["callin.hangup", "callin.collect"],
        },
    )
    assert hook.status_code == 201, hook.text
    task = make_task(env.db, [CALLER], running=False)  # the caller calls a task back
    (number,) = numbers_of(env.db, task.id)
    reply = tmp_path / "yes.alaw"
    reply.write_bytes(g711(said("yes"), "PCMA"))

    sipp = call_in(
        answering,
        tmp_path,
        "call_in",
        called=OURS,
        caller=CALLER,
        listen_ms=3500,
        stream=rtp_stream(reply, "PCMA"),
    )
    assert sipp.process.returncode == 0, sipp.log.read_text()[-3000:]
    assert sipp.saw("SIP/2.0 200 OK") and sipp.saw("BYE sip:")  # answered; we hung up

    (call,) = ended_calls(env)
    listed = env.client.get("/openapi/calllog", params={"direction": "inbound"}).json()["items"]
    assert [c["sessionId"] for c in listed] == [call.session_id]
    item = listed[0]
    assert item["caller"] == CALLER and item["callee"] == OURS
    assert item["assistant"][0]["id"] == a["id"] and item["hangupReason"] == "answered"
    assert [c["result"] for c in item["collect"] if c["hit"]] == ["Yes"]
    assert item["taskItemId"] == number.id
    assert item["extra"]["callback"] == {"taskId": task.id, "taskItemId": number.id}
    record = env.client.get(f"/openapi/calllog/{call.session_id}/record")
    assert record.status_code == 200
    with wave.open(BytesIO(record.content)) as w:
        audio = np.frombuffer(w.readframes(w.getnframes()), np.int16).reshape(-1, 2)
    assert np.abs(audio[:, 0]).max() > 1000 and np.abs(audio[:, 1]).max() > 1000  # both sides

    with env.db.session() as s:
        rows = list(s.execute(select(WebhookOutbox).order_by(WebhookOutbox.id)).scalars())
        events = [(w.event, w.payload["direction"], w.payload["session_id"]) for w in rows]
    assert events == [
        ("callin.hangup", "inbound", call.session_id),
        ("callin.collect", "inbound", call.session_id),
    ]


def test_a_sip_call_to_an_unbound_number_is_refused(sqlite_env, answering, tmp_path):
    env = sqlite_env
    a = env.client.post("/openapi/assistants", json=ASSISTANT).json()
    assert (
        env.client.post(
            "/openapi/inbound-numbers", json={"number": OURS, "assistantId": a["id"]}
        ).status_code
        == 201
    )
    sipp = call_in(answering, tmp_path, "call_in_refused", called=UNBOUND, caller=CALLER)
    assert sipp.process.returncode == 0, sipp.log.read_text()[-3000:]
    assert sipp.saw("SIP/2.0 486")
    assert env.client.get("/openapi/calllog").json()["total"] == 0


def _bind(client, number: str) -> dict:
    a = client.post("/openapi/assistants", json=ASSISTANT).json()
    r = client.post("/openapi/inbound-numbers", json={"number": number, "assistantId": a["id"]})
    assert r.status_code == 201, r.text
    return a


def test_a_workspace_over_its_inbound_limit_gets_486_while_another_is_answered(
    sqlite_env, answering, tmp_path
):
    """`VOXDIAL_INBOUND_CALLS_PER_WORKSPACE` = 1: while our workspace's call is up, its
    next INVITE is refused (486, nothing recorded) and another workspace's is answered."""
    env = sqlite_env
    ours, theirs = _bind(env.client, OURS), _bind(env.other, UNBOUND)
    answering.inbound.per_workspace = 1
    reply = tmp_path / "yes.alaw"
    reply.write_bytes(g711(said("yes"), "PCMA"))
    stream = rtp_stream(reply, "PCMA")
    calls: dict[str, Sipp] = {}

    def run(name: str, scenario_name: str, called: str, listen_ms: int) -> None:
        values = {"called": called, "caller": CALLER}
        if scenario_name == "call_in":
            values.update(listen_ms=listen_ms, stream=stream)
        calls[name] = call_in(answering, tmp_path, scenario_name, **values)

    first = threading.Thread(target=run, args=("first", "call_in", OURS, 6000))
    first.start()
    ws = _workspace_of(env, ours["id"])
    for _ in range(400):  # our call is up and holds our one place
        if answering.inbound.active(ws) == 1:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the first call never came up")
    run("over", "call_in_refused", OURS, 0)
    other = threading.Thread(target=run, args=("other", "call_in", UNBOUND, 500))
    other.start()
    other.join(120)
    first.join(120)

    assert calls["over"].process.returncode == 0, calls["over"].log.read_text()[-3000:]
    assert calls["over"].saw("SIP/2.0 486")
    for name in ("first", "other"):
        assert calls[name].process.returncode == 0, calls[name].log.read_text()[-3000:]
        assert calls[name].saw("SIP/2.0 200 OK")
    done = ended_calls(env)
    by_assistant = {c.assistant_id: c for c in done}
    assert len(done) == 2 and set(by_assistant) == {ours["id"], theirs["id"]}
    # the other workspace's call was answered while ours was still up
    assert by_assistant[theirs["id"]].start_at < by_assistant[ours["id"]].end_at
    assert answering.inbound.active(ws) == 0  # the ended call gave its place back


def _workspace_of(env, assistant_id: int) -> int:
    from voxdial.store.models import Assistant

    with env.db.session() as s:
        return s.get(Assistant, assistant_id).workspace_id
