"""A real webhook receiver on 127.0.0.1 that records every request and answers as told.

Replies are scripted per path: an HTTP status, `CLOSE` (drop the connection without a
response) or `HANG` (hold the request until the receiver stops or `release` is set,
so the sender times out). Once a path's script is used up it answers its default
(200 unless set).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CLOSE = "close"
HANG = "hang"

Reply = int | str

POLL_S = 0.02  # how often a serve loop checks for shutdown()


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    reply: Reply

    @property
    def acknowledged(self) -> bool:
        return isinstance(self.reply, int) and 200 <= self.reply < 300

    @property
    def delivery(self) -> str:
        return self.headers.get("x-voxdial-delivery", "")

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) drops connections when a deliverer sends a batch at
    # once: the senders then wait for a SYN retransmit or see a reset.
    request_queue_size = 256
    daemon_threads = True


class Receiver:
    def __init__(self, *, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.requests: list[Received] = []
        self.got_request = threading.Event()
        self.release = threading.Event()
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._defaults: dict[str, Reply] = {}
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        # shutdown() waits for the serve loop's next poll: 0.5 s by default, per test
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_S,), daemon=True
        )

    def url(self, path: str = "/hook") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._scripts[path].extend(replies)

    def set_default(self, path: str, reply: Reply) -> None:
        with self._lock:
            self._defaults[path] = reply

    def acknowledged(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.acknowledged]

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_reply(self, path: str) -> Reply:
        with self._lock:
            script = self._scripts[path]
            return script.popleft() if script else self._defaults.get(path, 200)

    def _record(self, item: Received) -> None:
        with self._lock:
            self.requests.append(item)
        self.got_request.set()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                reply = receiver._next_reply(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver._record(Received(self.path, headers, body, reply))
                if receiver.delay_s:
                    receiver.release.wait(receiver.delay_s)
                if reply == HANG:
                    receiver.release.wait(30)
                if not isinstance(reply, int):
                    self.close_connection = True
                    return
                self.send_response(reply)
                self.send_header("Content-Length", "2")
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
