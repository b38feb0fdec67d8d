"""`voxdial answer-detect FILE.wav...`: the call's answer detector run on recordings.

Each file is read (PCM 8/16/24/32-bit, 32-bit float, G.711 μ-law or A-law; any rate; the
channels mixed to one), resampled to 16 kHz and fed to an `AnswerDetector` in 20 ms
frames as a call would feed it, with the speech models of this installation. One JSON
object per file on stdout: `{"file", "outcome", "decidedAtMs", "transcript"}` (and
`"reason"`); a file that cannot be read gets `{"file", "error"}` and the exit code is 1.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from voxdial.voice.answer_types import AnswerDecision, AnswerDetectionConfig
from voxdial.voice.audio import MULAW_DECODE
from voxdial.voice.base import FRAME_SAMPLES, SAMPLE_RATE, Pcm, Recognizer, VoiceDetector
from voxdial.voice.resample import resample

_PCM, _FLOAT, _ALAW, _MULAW, _EXTENSIBLE = 1, 3, 6, 7, 0xFFFE


class WavError(ValueError):
    """A file that is not a WAV this reader knows."""


def _alaw_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = np.where(
        exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << (exponent - 1)
    )
    return np.where(sign != 0, magnitude, -magnitude).astype(np.int16)


ALAW_DECODE = _alaw_table()


def _chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    pos = 12
    while pos + 8 <= len(data):
        name, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + size]
        yield name, body
        pos += 8 + size + (size & 1)


def read_wav(path: Path) -> tuple[Pcm, int]:
    """The recording as 16 kHz mono int16, and its original sample rate."""
    data = path.read_bytes()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavError("not a WAV file")
    fmt = None
    samples = None
    for name, body in _chunks(data):
        if name == b"fmt " and len(body) >= 16:
            tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            if tag == _EXTENSIBLE and len(body) >= 26:
                tag = struct.unpack("<H", body[24:26])[0]
            fmt = (tag, channels, rate, bits)
        elif name == b"data" and fmt is not None:
            samples = _decode(body, *fmt)
    if fmt is None:
        raise WavError("no fmt chunk")
    if samples is None:
        raise WavError("no data chunk")
    rate = fmt[2]
    if rate <= 0:
        raise WavError("sample rate is 0")
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    return resample(np.clip(np.rint(mono), -32768, 32767).astype(np.int16), rate, SAMPLE_RATE), rate


def _decode(body: bytes, tag: int, channels: int, rate: int, bits: int) -> np.ndarray:
    if channels < 1:
        raise WavError("no channels")
    if tag == _MULAW and bits == 8:
        x = MULAW_DECODE[np.frombuffer(body, dtype=np.uint8)].astype(np.float64)
    elif tag == _ALAW and bits == 8:
        x = ALAW_DECODE[np.frombuffer(body, dtype=np.uint8)].astype(np.float64)
    elif tag == _PCM and bits == 8:
        x = (np.frombuffer(body, dtype=np.uint8).astype(np.float64) - 128.0) * 256.0
    elif tag == _PCM and bits == 16:
        x = np.frombuffer(body[: len(body) // 2 * 2], dtype="<i2").astype(np.float64)
    elif tag == _PCM and bits == 24:
        raw = np.frombuffer(body[: len(body) // 3 * 3], dtype=np.uint8).reshape(-1, 3)
        v = (
            raw[:, 0].astype(np.int32)
            | raw[:, 1].astype(np.int32) << 8
            | raw[:, 2].astype(np.int32) << 16
        )
        x = (np.where(v >= 1 << 23, v - (1 << 24), v) / 256.0).astype(np.float64)
    elif tag == _PCM and bits == 32:
        x = np.frombuffer(body[: len(body) // 4 * 4], dtype="<i4").astype(np.float64) / 65536.0
    elif tag == _FLOAT and bits in (32, 64):
        dtype = "<f4" if bits == 32 else "<f8"
        size = bits // 8
        x = np.frombuffer(body[: len(body) // size * size], dtype=dtype).astype(np.float64)
        x = np.nan_to_num(x) * 32767.0
    else:
        raise WavError(f"unsupported WAV encoding (format {tag}, {bits}-bit)")
    x = x[: x.size // channels * channels]
    return x.reshape(-1, channels) if channels > 1 else x


def detect(
    audio: Pcm,
    recognizer: Recognizer,
    *,
    language: str | None,
    config: AnswerDetectionConfig | None = None,
    vad: VoiceDetector | None = None,
) -> AnswerDecision:
    """Feed `audio` (16 kHz) to a new detector in 20 ms frames, as a call would; the
    decision (at the end of the audio at the latest)."""
    # the detector's phrase tables load pypinyin's dictionary (a second or two): only
    # when a file is checked, not each time the `voxdial` command starts
    from voxdial.voice.answer_detect import AnswerDetector

    detector = AnswerDetector(recognizer, language=language, config=config, vad=vad)
    for start in range(0, audio.size, FRAME_SAMPLES):
        if detector.feed(audio[start : start + FRAME_SAMPLES]) is not None:
            break
    else:
        detector.finish()
    assert detector.decision is not None
    return detector.decision


def answer_detect(
    files: Annotated[list[Path], typer.Argument(help="WAV recordings of calls' first seconds")],
    language: Annotated[
        str, typer.Option(help="what the callees speak: zh, en, or auto (the recognizer guesses)")
    ] = "auto",
    listener: Annotated[
        int | None, typer.Option(help="ASR model (listenerId); default: the best for the language")
    ] = None,
) -> None:
    """Who answered each recorded call: one JSON object per file."""
    from voxdial.settings import Settings
    from voxdial.voice.models import SpeechModels

    if language.lower() not in ("zh", "en", "auto"):
        raise typer.BadParameter("must be zh, en or auto", param_hint="--language")
    lang = None if language.lower() == "auto" else language.lower()
    models = SpeechModels(Settings())
    failed = False
    try:
        recognizer = models.recognizer(listener, language=lang)
        for path in files:
            try:
                audio, _ = read_wav(path)
            except (OSError, WavError) as e:
                failed = True
                typer.echo(json.dumps({"file": str(path), "error": str(e)}, ensure_ascii=False))
                continue
            decision = detect(audio, recognizer, language=lang)
            typer.echo(
                json.dumps(
                    {
                        "file": str(path),
                        "outcome": decision.outcome.value,
                        "decidedAtMs": decision.decided_at_ms,
                        "transcript": decision.transcript,
                        "reason": decision.reason,
                    },
                    ensure_ascii=False,
                )
            )
    finally:
        models.close()
    if failed:
        raise typer.Exit(1)
