"""An assistant's `answerDetection` settings over the API: defaults, changes (a new
version), and bad values refused with a 422 that names the field."""

from __future__ import annotations

import pytest

DEFAULTS = {
    "enabled": True,
    "onVoicemail": "hangup",
    "voicemailMessage": "",
    "afterGreetingSilenceMs": 700,
    "maxGreetingMs": 2800,
    "machineLimitMs": 4000,
    "totalLimitMs": 6000,
    "beepWaitMs": 4000,
}


def test_a_new_assistant_detects_with_the_defaults(env):
    r = env.client.post("/openapi/assistants", json={"name": "a"})
    assert r.status_code == 201, r.text
    assert r.json()["answerDetection"] == DEFAULTS
    got = env.client.get(f"/openapi/assistants/{r.json()['id']}").json()
    assert got["answerDetection"] == DEFAULTS


def test_settings_are_kept_and_a_change_makes_a_version(env):
    settings = {
        "onVoicemail": "leave_message",
        "voicemailMessage": "您好{姓名}，请回电。",
        "machineLimitMs": 5000,
    }
    r = env.client.post("/openapi/assistants", json={"name": "a", "answerDetection": settings})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["answerDetection"] == {**DEFAULTS, **settings}
    r = env.client.patch(
        f"/openapi/assistants/{a['id']}", json={"answerDetection": {"enabled": False}}
    )
    assert r.status_code == 200, r.text
    assert r.json()["versionId"] == a["versionId"] + 1
    assert r.json()["answerDetection"] == {**DEFAULTS, "enabled": False}
    versions = env.client.get(f"/openapi/assistants/{a['id']}/versions").json()["items"]
    kept = {v["versionId"]: v["config"]["answerDetection"] for v in versions}
    assert kept[a["versionId"]]["voicemailMessage"] == "您好{姓名}，请回电。"
    assert kept[a["versionId"] + 1]["enabled"] is False


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"onVoicemail": "sing"}, "onVoicemail"),
        ({"onVoicemail": "leave_message"}, "voicemailMessage"),
        ({"onVoicemail": "leave_message", "voicemailMessage": "   "}, "voicemailMessage"),
        ({"voicemailMessage": "x" * 501}, "voicemailMessage"),
        ({"machineLimitMs": 999}, "machineLimitMs"),
        ({"totalLimitMs": 30_001}, "totalLimitMs"),
        ({"machineLimitMs": 8000, "totalLimitMs": 6000}, "totalLimitMs"),
        ({"afterGreetingSilenceMs": "soon"}, "afterGreetingSilenceMs"),
        ({"afterGreetingSilenceMs": "700"}, "afterGreetingSilenceMs"),
        ({"maxGreetingMs": 2800.5}, "maxGreetingMs"),
        ({"enabled": "true"}, "enabled"),
        ({"enabled": 1}, "enabled"),
        ({"beepWaitMs": -1}, "beepWaitMs"),
        ({"enabled": True, "amd": 1}, "amd"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(env, settings, named):
    r = env.client.post("/openapi/assistants", json={"name": "a", "answerDetection": settings})
    assert r.status_code == 422, r.text
    assert named in r.text
    assert env.client.get("/openapi/assistants").json()["total"] == 0
