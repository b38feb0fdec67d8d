"""The far end of the `mediastream` carrier, and a dialer run against it.

`StreamDialler` is a loopback HTTP server that takes the carrier's dial requests
(`POST /dial`) and, when it answers, connects a simulated callee
(tests/support/callee.py) to the stream URL it was given. `dial_through(env, ...)`
runs the app's dialer with the `mediastream` carrier pointed at it until the task
settles. Used by tests/test_media_socket.py (tone fakes) and tests/test_answer_calls.py
(the real models).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from tests.support.callee import MediaStreamCallee, live_server
from tests.support.dialer import task_row
from voxdial.runtime import DialerThread, Runtime

POLL_S = 0.02  # how often a serve loop checks for shutdown()


class StreamDialler(ThreadingHTTPServer):
    """Answers each dial request with `status`; when `answer` (and the status is
    "ringing"), a callee plays `opening` (if any), then says `replies` one per prompt."""

    def __init__(
        self,
        replies: Sequence[np.ndarray] = (),
        *,
        opening: np.ndarray | None = None,
        hang_up_after: float = 6.0,
        answer: bool = True,
        status: str = "ringing",
    ) -> None:
        super().__init__(("127.0.0.1", 0), _DialHandler)
        self.replies, self.opening = list(replies), opening
        self.hang_up_after = hang_up_after
        self.answer, self.status = answer, status
        self.requests: list[dict] = []
        self.reports: list = []
        self.callees: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/dial"

    def connect(self, body: dict) -> None:
        callee = MediaStreamCallee(
            body["streamUrl"],
            [r.copy() for r in self.replies],
            parameters={"sessionId": body["sessionId"], "streamToken": body["streamToken"]},
            opening=None if self.opening is None else self.opening.copy(),
            hang_up_after=self.hang_up_after,
        )
        thread = threading.Thread(
            target=lambda: self.reports.append(asyncio.run(callee.run())), daemon=True
        )
        thread.start()
        self.callees.append(thread)

    @contextmanager
    def serving(self) -> Iterator[StreamDialler]:
        # shutdown() waits for the serve loop's next poll: 0.5 s by default, per test
        threading.Thread(target=self.serve_forever, args=(POLL_S,), daemon=True).start()
        try:
            yield self
        finally:
            self.shutdown()
            self.server_close()


class _DialHandler(BaseHTTPRequestHandler):
    server: StreamDialler

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        reply = json.dumps({"status": self.server.status}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
        if self.server.answer and self.server.status == "ringing":
            self.server.connect(body)

    def log_message(self, *args):
        pass


def dial_through(
    env,
    dialler: StreamDialler,
    task_id: int,
    *,
    answer_timeout: float = 10.0,
    settle_within: float = 60.0,
    join: float = 10.0,
) -> None:
    """Serve the app live and run its dialer (carrier `mediastream`, dialling
    `dialler`) until task `task_id` is no longer running or `settle_within` seconds
    have passed; then wait up to `join` seconds for each callee to finish."""
    state = env.app.state.voxdial
    with dialler.serving(), live_server(env.app) as base:
        config = state.settings.model_copy(
            update={
                "carrier": "mediastream",
                "mediastream_dial_url": dialler.url,
                "mediastream_answer_timeout": answer_timeout,
                "public_base_url": base,
                "dialer_tick_seconds": 0.1,
            }
        )
        # the dialer shares the app's runtime parts: its calls wait where the socket looks
        shared = state.runtime
        thread = DialerThread(Runtime(config, pending=shared.pending, voice=shared.voice))
        thread.start()
        try:
            deadline = time.monotonic() + settle_within
            while time.monotonic() < deadline:
                if task_row(env.db, task_id).status != "running":
                    break
                time.sleep(0.1)
        finally:
            thread.stop()
            for t in dialler.callees:
                t.join(join)
