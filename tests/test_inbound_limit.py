"""Each workspace's share of inbound calls (`VOXDIAL_INBOUND_CALLS_PER_WORKSPACE`,
voxdial/inbound.py: InboundLimit): a workspace at its limit has its next inbound
media-stream call closed with a clear reason, while another workspace's inbound call
goes through; a call that ends gives its place back. The SIP side, against SIPp, is in
tests/test_sip_inbound.py."""

from __future__ import annotations

import json
import threading
import time

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.test_media_socket import ENGLISH, assistant, start_event, use_tones, ws_path
from voxdial.inbound import InboundLimit
from voxdial.settings import Settings

pytestmark = pytest.mark.timeout(120)
LIMIT_REASON = "inbound-call limit of this workspace reached"


def test_the_limit_counts_each_workspace_apart():
    limit = InboundLimit(2)
    assert [limit.take(1), limit.take(1), limit.take(1)] == [True, True, False]
    assert limit.take(2) is True  # another workspace has its own share
    limit.release(1)
    assert limit.active(1) == 1 and limit.take(1) is True
    for _ in range(3):
        limit.release(1)
    assert limit.active(1) == 0 and limit.take(1) is True  # never below nothing


def test_no_limit_means_none():
    limit = InboundLimit(0)
    assert all(limit.take(7) for _ in range(100))


def test_the_limit_is_a_setting_with_a_documented_default(monkeypatch):
    monkeypatch.delenv("VOXDIAL_INBOUND_CALLS_PER_WORKSPACE", raising=False)
    assert Settings().inbound_calls_per_workspace == 10
    monkeypatch.setenv("VOXDIAL_INBOUND_CALLS_PER_WORKSPACE", "3")
    assert Settings().inbound_calls_per_workspace == 3


def test_concurrent_takes_never_pass_the_limit():
    limit = InboundLimit(5)
    taken: list[bool] = []
    lock = threading.Lock()

    def grab() -> None:
        for _ in range(50):
            ok = limit.take(1)
            with lock:
                taken.append(ok)

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert taken.count(True) == 5 and limit.active(1) == 5


def _media(ws) -> None:
    """Wait until the assistant speaks on the socket: the call was admitted."""
    for _ in range(200):
        message = json.loads(ws.receive_text())
        if message.get("event") == "media":
            return
    raise AssertionError("the assistant never spoke")


def _refused(ws) -> WebSocketDisconnect:
    with pytest.raises(WebSocketDisconnect) as closed:
        for _ in range(200):
            ws.receive_text()
    return closed.value


def _released(runtime, workspace_id: int) -> None:
    for _ in range(400):
        if runtime.inbound.active(workspace_id) == 0:
            return
        time.sleep(0.05)
    raise AssertionError("the ended call kept its place")


def test_a_workspace_at_its_limit_is_refused_while_another_gets_through(env, tmp_path):
    use_tones(env, tmp_path)
    runtime = env.app.state.voxdial.runtime
    runtime.inbound.per_workspace = 1
    ours = assistant(env)
    theirs = env.other.post("/openapi/assistants", json=ENGLISH).json()
    inbound = {"to": "+8613900000001", "from": "+8613900000002"}
    with TestClient(env.app, raise_server_exceptions=False) as peer:
        with peer.websocket_connect(ws_path(ours)) as first:
            first.send_text(json.dumps(start_event(ours["websocketToken"], **inbound)))
            _media(first)  # our workspace's one inbound call is up

            with peer.websocket_connect(ws_path(ours)) as second:
                second.send_text(json.dumps(start_event(ours["websocketToken"], **inbound)))
                closed = _refused(second)
            assert (closed.code, closed.reason) == (1013, LIMIT_REASON)

            # the other workspace's inbound call goes through meanwhile
            with peer.websocket_connect(ws_path(theirs)) as other:
                other.send_text(json.dumps(start_event(theirs["websocketToken"], **inbound)))
                _media(other)
                other.send_text(json.dumps({"event": "stop", "streamSid": "MZ1"}))

            # an outbound stream of ours is not an inbound call: not refused for it
            with peer.websocket_connect(ws_path(ours)) as out:
                event = start_event(ours["websocketToken"], direction="outbound", **inbound)
                out.send_text(json.dumps(event))
                _media(out)
                out.send_text(json.dumps({"event": "stop", "streamSid": "MZ1"}))
            ours_ws = _workspace(env, ours)
            assert runtime.inbound.active(ours_ws) == 1
            first.send_text(json.dumps({"event": "stop", "streamSid": "MZ1"}))
        _released(runtime, ours_ws)
        # the place is free again: the next inbound call of ours goes through
        with peer.websocket_connect(ws_path(ours)) as again:
            again.send_text(json.dumps(start_event(ours["websocketToken"], **inbound)))
            _media(again)
            again.send_text(json.dumps({"event": "stop", "streamSid": "MZ1"}))
    calls = env.client.get("/openapi/calllog", params={"direction": "inbound"}).json()
    assert calls["total"] == 2  # the refused call left no record
    assert env.other.get("/openapi/calllog").json()["total"] == 1


def _workspace(env, a: dict) -> int:
    from voxdial.store.models import Assistant

    with env.db.session() as s:
        return s.get(Assistant, a["id"]).workspace_id
