"""Speech on a server of its own, against scripted transports: the OpenAI request shapes,
the answers, errors, retries; the catalogue entries and what the API lists.

The same providers run against real servers in tests/test_voice_remote_server.py.
"""

from __future__ import annotations

import io
import json
import logging
import struct
import threading
import wave
from email.parser import BytesParser
from email.policy import HTTP

import httpx
import numpy as np
import pytest

from tests.conftest import make_env
from tests.support.speech import BASE_LISTENER, PIPER_SPEAKER
from tests.support.speech_server import RemoteListenerSettings, remote_listener, remote_speaker
from tests.support.voice import tone
from voxdial.settings import Settings
from voxdial.voice.base import SAMPLE_RATE
from voxdial.voice.catalog import Catalog, ListenerEntry, SpeakerEntry
from voxdial.voice.models import SpeechModels
from voxdial.voice.remote import SpeechServerError
from voxdial.voice.remote_asr import OpenAIRecognizer
from voxdial.voice.remote_tts import OpenAISynthesizer

KEY = "sk-test-0123456789"
BASE = "http://speech.test:8000"
CLIP = tone(440, 0.5)


class Script:
    """A transport that answers each request with the next scripted reply (a response,
    or an exception to raise), recording the requests; `sleep` records back-offs."""

    def __init__(self, *replies) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []
        self.slept: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def answer(text: str) -> httpx.Response:
    return httpx.Response(200, json={"text": text})


def recognizer(script: Script, **kwargs) -> OpenAIRecognizer:
    kwargs.setdefault("model", "whisper-large-v3")
    kwargs.setdefault("api_key", KEY)
    return OpenAIRecognizer(
        kwargs.pop("base_url", BASE), transport=script.transport(), sleep=script.sleep, **kwargs
    )


def synthesizer(script: Script, **kwargs) -> OpenAISynthesizer:
    kwargs.setdefault("model", "tts-1")
    kwargs.setdefault("voice", "alloy")
    kwargs.setdefault("api_key", KEY)
    return OpenAISynthesizer(
        kwargs.pop("base_url", BASE), transport=script.transport(), sleep=script.sleep, **kwargs
    )


def form_of(request: httpx.Request) -> dict[str, bytes]:
    """The fields of a multipart/form-data body, by name."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    assert message.is_multipart()
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
        for part in message.iter_parts()
    }


def wav_file(samples: np.ndarray, rate: int, *, streamed: bool = False) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    data = bytearray(buf.getvalue())
    if streamed:  # what ffmpeg writes to a pipe (speaches): sizes it could not know
        data[4:8] = struct.pack("<I", 0xFFFFFFFF)
        data[40:44] = struct.pack("<I", 0xFFFFFFFF)
    return bytes(data)


def peak_hz(audio: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(audio.astype(np.float64)))
    return float(np.argmax(spectrum) * SAMPLE_RATE / audio.size)


# --- transcription ------------------------------------------------------------------


def test_an_utterance_goes_up_as_an_openai_transcription_form():
    script = Script(answer(" Friday would be best. "))
    r = recognizer(script)
    text = r.transcribe(CLIP, language="en-US", hot_words=["Friday", " ", "StarNet"])
    assert text == "Friday would be best."
    (request,) = script.requests
    assert request.method == "POST"
    assert str(request.url) == "http://speech.test:8000/v1/audio/transcriptions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    form = form_of(request)
    assert form["model"] == b"whisper-large-v3"
    assert form["language"] == b"en"
    assert form["prompt"] == b"Friday, StarNet."
    assert form["response_format"] == b"json"
    with wave.open(io.BytesIO(form["file"])) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SAMPLE_RATE)
        sent = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert np.array_equal(sent, CLIP)


def test_a_base_url_with_v1_and_no_key():
    script = Script(answer("yes"))
    r = recognizer(script, base_url="http://box:9000/v1/", api_key="")
    r.transcribe(CLIP, language=None, hot_words=[])
    (request,) = script.requests
    assert str(request.url) == "http://box:9000/v1/audio/transcriptions"
    assert "authorization" not in request.headers
    form = form_of(request)
    assert "language" not in form and "prompt" not in form  # the server detects it


def test_mandarin_is_prompted_and_returned_in_simplified_characters():
    script = Script(answer("我覺得很滿意，願意推薦。"))
    r = recognizer(script, language="zh-CN")  # the listener's default language
    assert r.transcribe(CLIP, language=None, hot_words=["星辰宽带"]) == "我觉得很满意，愿意推荐。"
    form = form_of(script.requests[0])
    assert form["language"] == b"zh"
    assert form["prompt"].decode() == "以下是普通话的句子。星辰宽带。"


def test_a_click_is_not_sent():
    script = Script(answer("never"))
    assert recognizer(script).transcribe(CLIP[:800], language="en", hot_words=[]) == ""
    assert script.requests == []


def test_a_plain_text_answer_is_taken_as_the_text():
    plain = {"content-type": "text/plain"}
    script = Script(httpx.Response(200, text="yes please\n", headers=plain))
    assert recognizer(script).transcribe(CLIP, language="en", hot_words=[]) == "yes please"


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(200, text="<html>", headers={"content-type": "text/html"}),
        httpx.Response(200, json={"transcript": "yes"}),
        httpx.Response(200, json=["yes"]),
    ],
)
def test_an_answer_without_text_is_a_bad_reply(reply):
    with pytest.raises(SpeechServerError) as e:
        recognizer(Script(reply)).transcribe(CLIP, language="en", hot_words=[])
    assert e.value.reason == "bad reply" and not e.value.retryable


# --- errors and retries ---------------------------------------------------------------


def test_a_busy_server_is_asked_again_after_a_short_back_off():
    script = Script(httpx.Response(503), httpx.Response(502), answer("yes"))
    assert recognizer(script).transcribe(CLIP, language="en", hot_words=[]) == "yes"
    assert len(script.requests) == 3
    assert script.slept == [0.1, 0.3]


def test_retries_are_bounded():
    script = Script(httpx.Response(500))
    with pytest.raises(SpeechServerError) as e:
        recognizer(script).transcribe(CLIP, language="en", hot_words=[])
    assert len(script.requests) == 3 and len(script.slept) == 2
    assert (e.value.status, e.value.reason, e.value.retryable) == (500, "http 500", True)


@pytest.mark.parametrize(("retry_after", "waited"), [("0.5", 0.5), ("30", 1.0), ("soon", 0.1)])
def test_429_waits_what_the_server_asks_up_to_a_second(retry_after, waited):
    script = Script(httpx.Response(429, headers={"retry-after": retry_after}), answer("yes"))
    assert recognizer(script).transcribe(CLIP, language="en", hot_words=[]) == "yes"
    assert script.slept == [waited]


@pytest.mark.parametrize("status", [400, 401, 404, 413, 422])
def test_a_refusal_is_not_retried(status):
    script = Script(httpx.Response(status))
    with pytest.raises(SpeechServerError) as e:
        recognizer(script).transcribe(CLIP, language="en", hot_words=[])
    assert len(script.requests) == 1 and script.slept == []
    assert e.value.status == status and not e.value.retryable


def test_connection_errors_are_retried_then_reported():
    script = Script(httpx.ConnectError("connection refused"))
    with pytest.raises(SpeechServerError) as e:
        recognizer(script).transcribe(CLIP, language="en", hot_words=[])
    assert len(script.requests) == 3
    assert e.value.reason == "unreachable" and e.value.retryable
    script = Script(httpx.RemoteProtocolError("server disconnected"), answer("yes"))
    assert recognizer(script).transcribe(CLIP, language="en", hot_words=[]) == "yes"


def test_a_read_timeout_is_not_retried():
    script = Script(httpx.ReadTimeout("slow"))
    with pytest.raises(SpeechServerError) as e:
        recognizer(script).transcribe(CLIP, language="en", hot_words=[])
    assert len(script.requests) == 1 and e.value.reason == "timeout"


def test_errors_and_logs_name_neither_the_key_nor_the_server_nor_the_words(caplog):
    secret_url = "http://ops:hunter2@gpu-box.internal:8000"
    said = "my number is 13800138000"
    body = {"error": {"code": "model_not_found", "message": f"no model for '{said}' {KEY}"}}
    script = Script(httpx.Response(503), httpx.Response(404, json=body))
    caplog.set_level(logging.DEBUG, logger="voxdial")
    with pytest.raises(SpeechServerError) as e:
        recognizer(script, base_url=secret_url).transcribe(CLIP, language="en", hot_words=[said])
    assert str(e.value) == "transcription: HTTP 404 (model_not_found)"
    shown = str(e.value) + caplog.text + repr(e.value)
    for secret in (KEY, "hunter2", "gpu-box", said, "13800138000"):
        assert secret not in shown
    assert "retried" in caplog.text  # the retry was logged, with its cause only


def test_fastapi_shaped_errors_give_their_code():
    body = {"detail": {"error": {"type": "invalid_request_error", "message": "x"}}}
    with pytest.raises(SpeechServerError, match=r"HTTP 400 \(invalid_request_error\)"):
        recognizer(Script(httpx.Response(400, json=body))).transcribe(
            CLIP, language="en", hot_words=[]
        )


# --- several utterances at once -------------------------------------------------------


def test_a_batch_is_sent_at_once_and_answered_in_order():
    clips = [(tone(300 + 100 * i, 0.5), lang, []) for i, lang in enumerate(["en", "zh", "fr"])]
    together = threading.Barrier(len(clips), timeout=10)  # broken unless all are in flight

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        together.wait()
        return answer(form_of(request)["language"].decode())

    r = OpenAIRecognizer(BASE, model="m", transport=httpx.MockTransport(handler))
    try:
        assert r.transcribe_batch(clips) == ["en", "zh", "fr"]
    finally:
        r.close()


def test_a_batch_with_a_failure_raises_it():
    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        lang = form_of(request)["language"]
        return httpx.Response(400) if lang == b"zh" else answer("ok")

    r = OpenAIRecognizer(BASE, model="m", transport=httpx.MockTransport(handler))
    clips = [(CLIP, "en", []), (CLIP, "zh", []), (CLIP, "en", [])]
    with pytest.raises(SpeechServerError, match="HTTP 400"):
        r.transcribe_batch(clips)
    r.close()


# --- speech -----------------------------------------------------------------------------


def test_a_clause_goes_up_as_openai_speech_json_and_comes_back_at_16_khz():
    rate = 22_050
    t = np.arange(rate) / rate
    said = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)  # 1 s of 440 Hz
    script = Script(httpx.Response(200, content=wav_file(said, rate)))
    s = synthesizer(script)
    audio = s.synthesize("  Hi, this is Ava.  ")
    (request,) = script.requests
    assert str(request.url) == "http://speech.test:8000/v1/audio/speech"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert json.loads(request.content) == {
        "model": "tts-1",
        "input": "Hi, this is Ava.",
        "voice": "alloy",
        "response_format": "wav",
    }
    assert audio.dtype == np.int16 and abs(audio.size - SAMPLE_RATE) <= 2
    assert abs(peak_hz(audio) - 440) < 5


def test_a_streamed_wav_with_placeholder_sizes_is_read_to_its_end():
    said = tone(500, 0.5)
    script = Script(httpx.Response(200, content=wav_file(said, SAMPLE_RATE, streamed=True)))
    assert np.array_equal(synthesizer(script).synthesize("hello"), said)


def test_raw_pcm_is_read_at_its_rate():
    rate = 24_000
    t = np.arange(rate // 2) / rate
    said = (8000 * np.sin(2 * np.pi * 600 * t)).astype("<i2")
    script = Script(httpx.Response(200, content=said.tobytes()))
    audio = synthesizer(script, response_format="pcm").synthesize("hello")
    assert json.loads(script.requests[0].content)["response_format"] == "pcm"
    assert abs(audio.size - SAMPLE_RATE // 2) <= 2 and abs(peak_hz(audio) - 600) < 5


@pytest.mark.parametrize(
    ("fmt", "body"),
    [("wav", b"ID3 an mp3 after all"), ("wav", b"RIFF\x00\x00\x00\x00WAVEfmt "), ("pcm", b"odd")],
)
def test_audio_that_is_not_what_was_asked_is_a_bad_reply(fmt, body):
    script = Script(httpx.Response(200, content=body))
    with pytest.raises(SpeechServerError) as e:
        synthesizer(script, response_format=fmt).synthesize("hello")
    assert e.value.reason == "bad reply"


def test_speech_errors_are_retried_like_transcriptions():
    said = tone(500, 0.2)
    script = Script(httpx.Response(503), httpx.Response(200, content=wav_file(said, 16_000)))
    assert synthesizer(script).synthesize("hello").size == said.size
    assert script.slept == [0.1]
    with pytest.raises(SpeechServerError, match=r"^speech: HTTP 401$"):
        synthesizer(Script(httpx.Response(401))).synthesize("hello")


def test_nothing_to_say_asks_nothing():
    script = Script(httpx.Response(500))
    assert synthesizer(script).synthesize("   ").size == 0
    assert script.requests == []


@pytest.mark.parametrize(
    "kwargs",
    [{"response_format": "mp3"}, {"voice": " "}, {"model": ""}, {"base_url": "ftp://x"}],
)
def test_a_voice_that_cannot_work_is_refused_at_once(kwargs):
    with pytest.raises(ValueError):
        synthesizer(Script(httpx.Response(500)), **kwargs).synthesize("hello")


# --- the catalogue, the registry and the API --------------------------------------------

NOWHERE = "http://127.0.0.1:9/v1"  # the discard port: nothing answers there


def remote_settings(**overrides) -> Settings:
    return Settings(
        listeners={7: remote_listener(NOWHERE, api_key=KEY)},
        speakers={8: remote_speaker(NOWHERE, api_key=KEY)},
        **overrides,
    )


def test_speech_server_entries_are_available_when_configured_not_probed():
    c = Catalog.from_settings(remote_settings())
    assert 7 in [x.id for x in c.available_listeners()]  # nothing listens on NOWHERE
    assert 8 in [s.id for s in c.available_speakers()]
    assert c.listeners[7].public() == {
        "id": 7,
        "name": "Whisper on the speech box",
        "language": "zh-CN,en-US",
        "provider": "openai",
    }
    assert c.speakers[8].public()["provider"] == "openai"
    for entry in (c.listeners[7], c.speakers[8]):
        assert KEY not in repr(entry) and entry.api_key.get_secret_value() == KEY


UNUSABLE = [{"base_url": None}, {"base_url": "gpu-box:8000"}, {"model": " "}]


@pytest.mark.parametrize("fields", [*UNUSABLE, {"voice": None}])
def test_a_voice_missing_its_server_model_or_voice_is_not_available(fields):
    speaker = remote_speaker(**({"base_url": NOWHERE} | fields))
    c = Catalog.from_settings(Settings(speakers={8: speaker}))
    assert 8 in c.speakers and 8 not in [s.id for s in c.available_speakers()]


@pytest.mark.parametrize("fields", UNUSABLE)
def test_a_listener_missing_its_server_or_model_is_not_available(fields):
    listener = remote_listener(**({"base_url": NOWHERE} | fields))
    c = Catalog.from_settings(Settings(listeners={7: listener}))
    assert 7 in c.listeners and 7 not in [x.id for x in c.available_listeners()]


def test_a_plain_key_in_an_entry_is_kept_secret():
    x = ListenerEntry(9, "x", "en-US", "openai", base_url=NOWHERE, model="m", api_key=KEY)
    s = SpeakerEntry(9, "x", "en-US", "openai", "male", voice="v", base_url=NOWHERE, api_key=KEY)
    assert KEY not in repr(x) and KEY not in repr(s)
    assert x.api_key.get_secret_value() == KEY


def test_a_packaged_listener_can_move_to_a_speech_server():
    moved = RemoteListenerSettings(provider="openai", base_url=NOWHERE, model="whisper-1")
    settings = Settings(listeners={BASE_LISTENER: moved})
    entry = Catalog.from_settings(settings).listeners[BASE_LISTENER]
    assert (entry.provider, entry.base_url, entry.model) == ("openai", NOWHERE, "whisper-1")
    assert entry.name == "Whisper base (multilingual)"  # the fields not given are kept
    models = SpeechModels(settings)
    assert isinstance(models.recognizer(BASE_LISTENER), OpenAIRecognizer)
    models.close()


def test_the_registry_builds_speech_server_providers_without_asking_them():
    models = SpeechModels(remote_settings())
    try:
        r = models.recognizer(7)
        assert isinstance(r, OpenAIRecognizer) and r.name == "Whisper on the speech box"
        assert r.language is None  # two languages: each call names its own
        s = models.synthesizer(8)
        assert isinstance(s, OpenAISynthesizer) and s.language == "en-US"
        assert (s.model, s.voice, s.response_format) == ("piper", "joe", "wav")
    finally:
        models.close()


def test_a_server_that_is_not_there_is_unreachable():
    slept: list[float] = []
    r = OpenAIRecognizer(NOWHERE, model="m", sleep=slept.append)
    with pytest.raises(SpeechServerError) as e:
        r.transcribe(CLIP, language="en", hot_words=[])
    assert e.value.reason == "unreachable" and slept == [0.1, 0.3]
    r.close()


def test_the_api_lists_speech_server_entries(sqlite_url, tmp_path):
    env = make_env(
        sqlite_url,
        tmp_path,
        listeners={7: remote_listener(NOWHERE, api_key=KEY)},
        speakers={8: remote_speaker(NOWHERE, api_key=KEY)},
    )
    try:
        listeners = env.client.get("/openapi/listeners")
        speakers = env.client.get("/openapi/speakers")
        assert listeners.status_code == 200 and speakers.status_code == 200
        assert {
            "id": 7,
            "name": "Whisper on the speech box",
            "language": "zh-CN,en-US",
            "provider": "openai",
        } in listeners.json()
        assert {
            "id": 8,
            "name": "Joe on the speech box",
            "language": "en-US",
            "provider": "openai",
            "gender": "male",
        } in speakers.json()
        assert BASE_LISTENER in [x["id"] for x in listeners.json()]
        assert PIPER_SPEAKER in [s["id"] for s in speakers.json()]
        for r in (listeners, speakers):
            assert KEY not in r.text and "127.0.0.1:9" not in r.text
    finally:
        env.db.dispose()
