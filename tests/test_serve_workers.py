"""A real `voxdial serve --workers 2`: two API processes answer on one port, a debug
session started on one goes on on the other, the dialer runs once and the first start's
token is made once.

Which process answered a request is read from /proc: the server side of the test's TCP
connection is a socket whose inode one of the processes holds open."""

from __future__ import annotations

import http.client
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import ASSISTANT, OPTION

pytestmark = [
    pytest.mark.slow,  # real `voxdial serve` processes
    pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc"),
]

VOXDIAL = str(Path(sys.executable).parent / "voxdial")
TRIES = 200  # new connections tried before concluding one process answers them all


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
    return out


def _serving_pid(conn: http.client.HTTPConnection, port: int, candidates: set[int]) -> int:
    """The process holding the server side of `conn` (still open)."""
    assert conn.sock is not None
    client_port = conn.sock.getsockname()[1]
    local, remote = f"0100007F:{port:04X}", f"0100007F:{client_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            inode = fields[9]
    assert inode is not None, "the server side of the connection is not in /proc/net/tcp"
    target = f"socket:[{inode}]"
    owners = set()
    for pid in candidates:
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            if any(os.readlink(fd_dir / fd) == target for fd in os.listdir(fd_dir)):
                owners.add(pid)
        except OSError:
            continue
    assert len(owners) == 1, f"connection held by {owners}"
    return owners.pop()


def _request(
    port: int, token: str, method: str, path: str, body: dict[str, Any] | None, parent: int
) -> tuple[int, int, dict[str, Any]]:
    """One request on a new connection: (the pid that served it, status, JSON body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request(
            method, path, body=json.dumps(body) if body is not None else None, headers=headers
        )
        response = conn.getresponse()
        data = json.loads(response.read())
        pids = _children(parent) | {parent}
        return _serving_pid(conn, port, pids), response.status, data
    finally:
        conn.close()


def _wait_up(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"voxdial serve exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)  # polling a starting process, not waiting for time to pass
    pytest.fail("voxdial serve did not come up")


def test_serve_with_two_workers_shares_the_port_and_the_debug_sessions(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    db_path = tmp_path / "serve.db"
    env = {
        **os.environ,
        "VOXDIAL_DATABASE_URL": f"sqlite:///{db_path}",
        "VOXDIAL_DATA_DIR": str(tmp_path / "data"),
        "VOXDIAL_VOICE_WARM": "false",
        "VOXDIAL_RATE_LIMIT_PER_SECOND": "0",
    }
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [VOXDIAL, "serve", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        _wait_up(base, proc, log)
        token = (tmp_path / "data" / "token").read_text().strip()
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:
            one_question = {**ASSISTANT, "welcome": "您好{姓名}，我是小狐。", "knowledge": ""}
            one_question["collect"] = ASSISTANT["collect"][:1]
            assistant = api.post("/openapi/assistants", json=one_question).json()
            task = api.post(
                "/openapi/tasks",
                json={"name": "回访", "assistantId": assistant["id"], "option": OPTION},
            )
            assert task.status_code == 201, task.text
            task_id = task.json()["id"]

        served: dict[int, int] = {}
        for _ in range(TRIES):
            pid, status, body = _request(
                port, token, "GET", f"/openapi/tasks/{task_id}", None, proc.pid
            )
            assert status == 200 and body["id"] == task_id
            served[pid] = served.get(pid, 0) + 1
            if len(served) == 2:
                break
        assert len(served) == 2, f"all {TRIES} connections went to one process: {served}"
        assert proc.pid not in served  # the serving process itself answers no request

        # a debug session started on one process goes on on the other
        url = f"/openapi/assistants/{assistant['id']}/debug"
        first_pid, status, first = _request(port, token, "POST", url, {"name": "张三"}, proc.pid)
        assert status == 200 and first["finished"] is False, first
        sid = first["sessionId"]
        for _ in range(TRIES):
            conn_pid, status, turn = _request(
                port, token, "POST", url, {"sessionId": sid, "text": "还挺满意的"}, proc.pid
            )
            assert status == 200, turn
            if conn_pid != first_pid:
                break
            # the same process answered: start a new session there and try again
            first_pid, status, first = _request(port, token, "POST", url, {}, proc.pid)
            sid = first["sessionId"]
        assert conn_pid != first_pid
        assert turn["collected"][0]["result"] == "满意" and turn["finished"] is True

        # migrations, the first token and the dialer: once, in the serving process
        text = log.read_text()
        assert text.count("dialer started") == 1, text[-3000:]
        assert text.count("first start: created workspace") == 1
        with sqlite3.connect(db_path) as c:
            assert c.execute("SELECT count(*) FROM api_tokens").fetchone() == (1,)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    # uvicorn's parent waits for its API processes before it exits
    assert not any(Path(f"/proc/{pid}").exists() for pid in served)
