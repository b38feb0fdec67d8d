"""Answer detection on real calls with the real models (Silero VAD, Whisper base, piper).

Recordings (tests/support/answer_audio.py): a person's "Hello?", a voicemail greeting
and its beep, carrier announcements. They are played by a callee

over the media-stream websocket, dialled by the dialer (`mediastream` carrier); the
call's outcome, hangupReason, calltrace and the number's retries are checked. The same
over SIP (SIPp playing the recording as RTP) is in tests/test_sip_carrier.py.

tests/test_answering.py checks the same session path, case by case, with fakes.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.support.answer_audio import make_recordings
from tests.support.dialer import calls_of, make_task, numbers_of, task_row
from tests.support.speech import BASE_LISTENER, PIPER_SPEAKER, speech_models
from tests.support.stream_dialler import StreamDialler, dial_through
from voxdial.domain.status import HangupReason as H
from voxdial.voice.runtime import VoiceRuntime
from voxdial.voice.tuning import VoiceTuning

pytestmark = [pytest.mark.speech, pytest.mark.timeout(300)]

MESSAGE = "This is Ava from StarNet. Please call us back."
ASSISTANT = {
    "name": "Service check",
    "welcome": "Hi, this is Ava from StarNet.",
    "speakerId": PIPER_SPEAKER,
    "listenerId": BASE_LISTENER,
    "interruption": {"method": "none"},
    "collect": [{"question": "Are you happy with our service?", "answers": ["Yes", "No"]}],
}


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> dict[str, np.ndarray]:
    out = make_recordings(tmp_path_factory.mktemp("tts"))
    # the models load before the calls, not during them
    models = speech_models()
    models.synthesizer(PIPER_SPEAKER).synthesize("Hello.")
    models.recognizer(BASE_LISTENER).transcribe(out["human"], language="en", hot_words=[])
    return out


# -- over the media-stream websocket -------------------------------------------------


def dial_task(env, tmp_path, opening: np.ndarray, *, answer_detection=None, **option):
    """A one-number task of an English assistant, dialled over the media stream until it
    settles; returns the task, its calls and what each callee heard."""
    state = env.app.state.voxdial
    state.runtime.voice = VoiceRuntime(
        speech_models(), tmp_path / "data" / "recordings", VoiceTuning(), answer_detection=True
    )
    body = dict(ASSISTANT)
    if answer_detection is not None:
        body["answerDetection"] = answer_detection
    r = env.client.post("/openapi/assistants", json=body)
    assert r.status_code == 201, r.text
    task = make_task(env.db, ["+8613800138000"], assistant_id=r.json()["id"], **option)
    dialler = StreamDialler(opening=opening)
    dial_through(env, dialler, task.id, answer_timeout=20.0, settle_within=200, join=20)
    return task, calls_of(env.db, task.id), dialler.reports


def trace_of(env, call) -> list[dict]:
    return env.client.get(f"/openapi/calltrace/{call.session_id}").json()


def answer_event(env, call) -> dict:
    (event,) = [t for t in trace_of(env, call) if t["event"] == "answer.detected"]
    return json.loads(event["content"])


def test_a_person_is_spoken_to_after_their_greeting(sqlite_env, tmp_path, recordings):
    env = sqlite_env
    task, calls, reports = dial_task(env, tmp_path, recordings["human"], retryCount=1)
    (call,) = calls
    assert call.hangup_reason == H.ANSWERED
    answer = answer_event(env, call)
    assert answer["outcome"] == "human"
    events = [t["event"] for t in trace_of(env, call)]
    assert events.index("answer.detected") < events.index("system.say")
    # the assistant's first audio came after the callee's greeting ended
    (report,) = reports
    greeting = report.turns[0]
    assert greeting.first_reply is not None and greeting.first_reply > greeting.speech_end
    assert task_row(env.db, task.id).status == "done"


def test_a_powered_off_announcement_is_hung_up_and_retried(sqlite_env, tmp_path, recordings):
    env = sqlite_env
    task, calls, reports = dial_task(
        env, tmp_path, recordings["powered_off"], retryCount=1, retryInterval=0
    )
    assert [c.hangup_reason for c in calls] == [H.POWERED_OFF, H.POWERED_OFF]
    for call in calls:
        answer = answer_event(env, call)
        assert answer["outcome"] == "powered_off" and answer["decidedAtMs"] <= 4000 + 300
        assert call.hangup_side == "assistant"
        assert not [t for t in trace_of(env, call) if t["event"] == "system.say"]
    assert all(len(r.heard) == 0 for r in reports)  # not a word said to the announcement
    (number,) = numbers_of(env.db, task.id)
    assert number.attempts == 2 and number.state != "pending"
    listed = env.client.get("/openapi/calllog", params={"taskId": task.id}).json()["items"]
    assert {c["hangupReason"] for c in listed} == {"powered_off"}


def test_a_vacant_number_is_not_retried(sqlite_env, tmp_path, recordings):
    env = sqlite_env
    task, calls, _ = dial_task(env, tmp_path, recordings["vacant"], retryCount=2, retryInterval=0)
    (call,) = calls
    assert call.hangup_reason == H.VACANT
    assert answer_event(env, call)["outcome"] == "vacant"
    (number,) = numbers_of(env.db, task.id)
    assert number.attempts == 1
    assert task_row(env.db, task.id).status == "done"


def test_a_voicemail_gets_the_message_after_the_beep(sqlite_env, tmp_path, recordings):
    env = sqlite_env
    task, calls, reports = dial_task(
        env,
        tmp_path,
        recordings["voicemail"],
        answer_detection={"onVoicemail": "leave_message", "voicemailMessage": MESSAGE},
        retryCount=0,
    )
    (call,) = calls
    assert call.hangup_reason == H.VOICEMAIL
    trace = trace_of(env, call)
    assert answer_event(env, call)["outcome"] == "voicemail"
    said = [t["content"] for t in trace if t["event"] == "system.say"]
    assert " ".join(said) == MESSAGE
    (report,) = reports
    greeting = report.turns[0]  # the greeting and its beep, then the message
    assert greeting.first_reply is not None and greeting.first_reply > greeting.speech_end
    assert len(report.heard) > 16_000  # a second or more of the message
    assert call.hangup_side == "assistant"


def test_a_voicemail_is_hung_up_on_and_retried(sqlite_env, tmp_path, recordings):
    env = sqlite_env
    task, calls, reports = dial_task(
        env, tmp_path, recordings["voicemail"], retryCount=1, retryInterval=0
    )
    assert [c.hangup_reason for c in calls] == [H.VOICEMAIL, H.VOICEMAIL]
    assert all(len(r.heard) == 0 for r in reports)
    (number,) = numbers_of(env.db, task.id)
    assert number.attempts == 2
