"""A real `voxdial serve`: whatever it logs, in either format, names none of the tokens
the test made and used (API tokens in headers and query strings, an assistant's
websocket token as `?token=`, `?access_token=`, `?streamToken=`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.support.api import ASSISTANT

pytestmark = pytest.mark.slow  # real `voxdial serve` processes

VOXDIAL = str(Path(sys.executable).parent / "voxdial")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"voxdial serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)  # polling a starting process, not waiting for time to pass
    pytest.fail("voxdial serve did not come up")


def _socket(url: str, *, send: dict | None = None) -> int | None:
    """Open the assistant's websocket, maybe send a start message, and close; the close
    code the server gave, if it closed first, or the HTTP status of a refused handshake
    (a wrong token in the URL is refused before the socket is accepted)."""
    try:
        ws = connect(url, open_timeout=10, close_timeout=5)
    except InvalidStatus as refused:
        return refused.response.status_code
    with ws:
        if send is None:
            return None
        ws.send(json.dumps(send))
        try:
            while True:
                ws.recv(timeout=10)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


def _secrets(token: str) -> list[str]:
    """A token and the parts of it that would still identify it."""
    parts = [token]
    if token.startswith("vxd_"):
        secret = token.split("_", 2)[2]
        parts += [secret, secret[:12]]
    else:
        parts.append(token[:12])
    return parts


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_serve_logs_no_token_it_was_given(tmp_path, log_format):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "VOXDIAL_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "VOXDIAL_DATA_DIR": str(tmp_path / "data"),
        "VOXDIAL_TOKEN_CACHE_SECONDS": "0",
        "VOXDIAL_VOICE_WARM": "false",
        "VOXDIAL_LOG_FORMAT": log_format,
    }
    out_path, err_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(
            [VOXDIAL, "serve", "--port", str(port), "--log-level", "debug"],
            env=env,
            stdout=out,  # a file, not a terminal: the first token is not printed
            stderr=err,
            text=True,
        )
    tokens: list[str] = []
    try:
        _wait_up(base, proc)
        first = (tmp_path / "data" / "token").read_text().strip()
        created = subprocess.run(
            [VOXDIAL, "token", "create", "--workspace", "second"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert created.returncode == 0, created.stderr
        second = created.stdout.strip()
        tokens += [first, second]
        assert all(t.startswith("vxd_") for t in tokens)

        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {first}"}) as api:
            r = api.post("/openapi/assistants", json=ASSISTANT)
            assert r.status_code == 201, r.text
            assistant = r.json()
            ws_token = assistant["websocketToken"]
            tokens.append(ws_token)
            assert api.get("/openapi/tasks").status_code == 200
        with httpx.Client(base_url=base) as anon:
            for query in (f"token={first}", f"access_token={second}", f"streamToken={ws_token}"):
                assert anon.get(f"/openapi/tasks?{query}").status_code == 401
            r = anon.get("/openapi/tasks", headers={"Authorization": f"Bearer {second}"})
            assert r.status_code == 200

        ws = f"ws://127.0.0.1:{port}/openapi/assistants/{assistant['id']}/ws"
        # the right token as ?token=, the socket closed before any audio
        assert _socket(f"{ws}?mode=browser&token={ws_token}") is None
        # a wrong one in the URL: refused at the handshake; the right one under the
        # other names: closed with 1008
        assert _socket(f"{ws}?token={first}", send={"type": "start"}) == 403
        assert _socket(f"{ws}?access_token={second}", send={"type": "start"}) == 1008
        start = {"event": "start", "start": {"customParameters": {}}}
        assert _socket(f"{ws}?streamToken={ws_token}x", send=start) == 1008
        bad = f"ws://127.0.0.1:{port}/openapi/assistants/999/ws?token={ws_token}"
        assert _socket(bad, send={"type": "start"}) == 403  # an unknown assistant
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    stdout, stderr = out_path.read_text(), err_path.read_text()
    logged = stdout + stderr
    # the log saw what the test did: the websocket handshakes with their (scrubbed) query
    # strings, the HTTP requests, and where the first token was written
    assert "WebSocket /openapi/assistants/" in logged
    assert "ws?mode=browser&token=***" in logged
    assert "ws?access_token=***" in logged and "ws?streamToken=***" in logged
    assert "/openapi/tasks?token=***" in logged
    assert str(tmp_path / "data" / "token") in logged
    for token in tokens:
        for part in _secrets(token):
            assert part not in logged, f"{token[:8]}... is in the log"
    if log_format == "json":
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) >= 10
        records = [json.loads(line) for line in lines]  # every stderr line is one object
        assert {"time", "level", "logger", "message"} <= set(records[0])
        assert any(r["logger"] == "voxdial.access" for r in records)
