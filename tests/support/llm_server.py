"""OpenAI-compatible servers on loopback for the `openai` engine tests.

`LlamaServer` runs llama-cpp-python's own server (`scripts/llm-test-server.sh serve`)
with the 0.5B test model that `scripts/llm-test-server.sh prepare` caches outside the repo.
`StubLLMServer` is a tiny threaded HTTP server that answers with what a test scripts:
an error status, a stall, a slow or broken event stream.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "llm-test-server.sh"
MODEL_ALIAS = "voxdial-test"

POLL_S = 0.02  # how often a serve loop checks for shutdown()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def llama_paths() -> dict[str, Path]:
    """Where `prepare` put the server's venv python and the model."""
    out = subprocess.run([str(SCRIPT), "paths"], capture_output=True, text=True, check=True)
    pairs = (line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    return {k: Path(v) for k, v in pairs}


def llama_missing() -> str | None:
    """Why the real server cannot run here, or None when it can."""
    paths = llama_paths()
    if not paths["LLM_PYTHON"].exists():
        return f"llama-cpp-python server not installed ({SCRIPT.name} prepare)"
    if not paths["LLM_MODEL"].exists():
        return f"test model not assembled ({SCRIPT.name} prepare)"
    return None


class LlamaServer:
    """llama-cpp-python's server on a free 127.0.0.1 port."""

    def __init__(self, *, start_timeout: float = 180.0) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(SCRIPT), "serve", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama server exited: {self.log()[-2000:]}")
            try:
                r = httpx.get(f"{self.base_url}/models", timeout=2.0, trust_env=False)
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"llama server did not answer in {self.start_timeout:g} s")

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
        self._log.close()


@dataclass
class Reply:
    """What the stub sends: a status and body, or an event stream of `events` (each
    sent as a `data:` line, `delay` seconds apart), after `stall` seconds."""

    status: int = 200
    body: str = ""
    events: list[str] = field(default_factory=list)
    delay: float = 0.0
    stall: float = 0.0


def content_events(text: str, *, pieces: int = 4) -> list[str]:
    """`text` as the content deltas of a chat completion stream, then `[DONE]`."""
    size = max(1, -(-len(text) // pieces))
    events = [
        json.dumps({"choices": [{"index": 0, "delta": {"content": text[i : i + size]}}]})
        for i in range(0, len(text), size)
    ]
    end = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    return [*events, json.dumps(end), "[DONE]"]


class StubLLMServer:
    """A loopback server whose `/v1/chat/completions` answers with `respond(request)`."""

    def __init__(self, respond: Callable[[dict[str, Any]], Reply]) -> None:
        self.respond = respond
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(request)
                stub.headers.append(dict(self.headers))
                reply = stub.respond(request)
                time.sleep(reply.stall)
                try:
                    if not reply.events:
                        body = reply.body.encode()
                        self.send_response(reply.status)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                        return
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for event in reply.events:
                        self.wfile.write(f"data: {event}\r\n\r\n".encode())
                        self.wfile.flush()
                        time.sleep(reply.delay)
                    self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        # shutdown() waits for the serve loop's next poll: 0.5 s by default, per test
        self._thread = threading.Thread(
            target=self.server.serve_forever, args=(POLL_S,), daemon=True
        )

    def __enter__(self) -> StubLLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)


def require_llm() -> bool:
    """`make test` and CI set VOXDIAL_REQUIRE_LLM=1: a missing server then fails."""
    return os.environ.get("VOXDIAL_REQUIRE_LLM") == "1"
