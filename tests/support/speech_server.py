"""Speech servers of their own on loopback, for the `openai` provider tests.

- `FasterWhisperServer`: the `faster-whisper-server` package (PyPI) in its own venv
  (`scripts/speech-test-server.sh prepare`), serving `/v1/audio/transcriptions` from the
  packaged Whisper base model.
- `PiperSpeechServer`: this module run as a program (`python -m tests.support.speech_server
  --port P`, the voice's .onnx in $VOXDIAL_TEST_PIPER_VOICE): a small FastAPI app
  serving `/v1/audio/speech` in the OpenAI shape from a piper voice, at the voice's own
  rate (22.05 kHz for Joe), as speaches does. It checks what OpenAI checks: the key,
  the model, the voice, the format.

`make test` prepares the venv and sets VOXDIAL_REQUIRE_SPEECH_SERVER=1: a missing venv
then fails the tests that need it instead of skipping them.

`remote_listener` / `remote_speaker` build catalogue settings entries with the speech
server fields (base_url, model, voice, api_key, timeout, ...).
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from voxdial.settings import ListenerSettings, SpeakerSettings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "speech-test-server.sh"
WHISPER_MODEL = "whisper-1"  # what the script's faster-whisper-server answers to
PIPER_MODEL = "piper"
PIPER_VOICE = "joe"
PIPER_VOICE_ENV = "VOXDIAL_TEST_PIPER_VOICE"  # the .onnx the piper server speaks
PIPER_KEY_ENV = "VOXDIAL_TEST_PIPER_KEY"  # the key it wants, if any (not on argv: ps shows it)


# --- catalogue entries ------------------------------------------------------------


# settings.py's entries carry the speech server fields
RemoteSpeakerSettings = SpeakerSettings
RemoteListenerSettings = ListenerSettings


def remote_listener(base_url: str, **fields: Any) -> RemoteListenerSettings:
    values = {
        "name": "Whisper on the speech box",
        "language": "zh-CN,en-US",
        "provider": "openai",
        "base_url": base_url,
        "model": WHISPER_MODEL,
    }
    return RemoteListenerSettings(**(values | fields))


def remote_speaker(base_url: str, **fields: Any) -> RemoteSpeakerSettings:
    values = {
        "name": "Joe on the speech box",
        "language": "en-US",
        "provider": "openai",
        "gender": "male",
        "base_url": base_url,
        "model": PIPER_MODEL,
        "voice": PIPER_VOICE,
    }
    return RemoteSpeakerSettings(**(values | fields))


# --- the processes ----------------------------------------------------------------


def require_speech_server() -> bool:
    return os.environ.get("VOXDIAL_REQUIRE_SPEECH_SERVER") == "1"


def speech_paths() -> dict[str, Path]:
    out = subprocess.run([str(SCRIPT), "paths"], capture_output=True, text=True, check=True)
    pairs = (line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    return {k: Path(v) for k, v in pairs}


def speech_server_missing() -> str | None:
    """Why faster-whisper-server cannot run here, or None when it can."""
    paths = speech_paths()
    if not paths["SPEECH_PYTHON"].exists() or not paths["SPEECH_READY"].exists():
        return f"faster-whisper-server is not installed ({SCRIPT.name} prepare)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A server program on a free 127.0.0.1 port, up once its `/health` answers."""

    def __init__(self, *, start_timeout: float = 120.0) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return {}

    def start(self) -> ServerProcess:
        self.proc = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env={**os.environ, **self.environment()},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.start_timeout
        health = f"http://127.0.0.1:{self.port}/health"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{type(self).__name__} exited: {self.log()[-2000:]}")
            try:
                if httpx.get(health, timeout=2.0, trust_env=False).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)  # polling a starting process, not waiting for time
        self.stop()
        raise RuntimeError(f"{type(self).__name__} did not answer in {self.start_timeout:g} s")

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None
        self._log.close()


class FasterWhisperServer(ServerProcess):
    def __init__(self, model_dir: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_dir = model_dir

    def command(self) -> list[str]:
        return [str(SCRIPT), "serve", str(self.port), str(self.model_dir)]


class PiperSpeechServer(ServerProcess):
    def __init__(self, voice_path: str, *, api_key: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.voice_path = voice_path
        self.api_key = api_key

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tests.support.speech_server", "--port", str(self.port)]

    def environment(self) -> dict[str, str]:
        return {PIPER_VOICE_ENV: self.voice_path, PIPER_KEY_ENV: self.api_key}


# --- the piper server itself --------------------------------------------------------


class SpeechBody(BaseModel):
    """OpenAI's create-speech body (`response_format` defaults to mp3 there too)."""

    model: str
    input: str = Field(min_length=1, max_length=4096)
    voice: str
    response_format: str = "mp3"
    speed: float = 1.0


def create_app(voice_path: str, *, api_key: str = "") -> FastAPI:
    """`/health` and an OpenAI-shaped `/v1/audio/speech` speaking `voice_path`."""
    from piper import PiperVoice

    voice = PiperVoice.load(voice_path, config_path=f"{voice_path}.json")
    lock = threading.Lock()  # piper phonemizes through one espeak-ng: one at a time
    app = FastAPI(title="piper speech test server")

    def error(status: int, code: str, message: str) -> JSONResponse:
        body = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
        return JSONResponse(body, status_code=status)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/audio/speech")
    def create_speech(body: SpeechBody, request: Request) -> Response:
        if api_key and request.headers.get("authorization") != f"Bearer {api_key}":
            return error(401, "invalid_api_key", "Incorrect API key provided.")
        if body.model != PIPER_MODEL:
            return error(404, "model_not_found", f"The model '{body.model}' does not exist.")
        if body.voice != PIPER_VOICE:
            return error(400, "voice_not_found", f"No voice '{body.voice}'.")
        if body.response_format not in ("wav", "pcm"):
            return error(400, "unsupported_response_format", "wav or pcm only")
        buf = io.BytesIO()
        with lock, wave.open(buf, "wb") as w:
            voice.synthesize_wav(body.input, w)
        if body.response_format == "wav":
            return Response(buf.getvalue(), media_type="audio/wav")
        buf.seek(0)
        with wave.open(buf, "rb") as r:
            return Response(r.readframes(r.getnframes()), media_type="audio/pcm")

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(
        description=f"an OpenAI-shaped piper speech server (voice: ${PIPER_VOICE_ENV})"
    )
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = create_app(os.environ[PIPER_VOICE_ENV], api_key=os.environ.get(PIPER_KEY_ENV, ""))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
