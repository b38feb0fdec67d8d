"""Assistants: immutable versions, pinning, soft delete, speech catalogue."""

from __future__ import annotations

from tests.support.api import ASSISTANT, create_assistant, create_task


def test_create_and_read_assistant(env):
    a = create_assistant(env.client)
    assert a["versionId"] >= 1 and a["name"] == ASSISTANT["name"]
    assert a["scene"] == "outbound_collect" and a["deletedAt"] is None
    assert a["websocketUrl"].endswith(f"/openapi/assistants/{a['id']}/ws")
    assert a["websocketToken"]
    got = env.client.get(f"/openapi/assistants/{a['id']}").json()
    assert got == a


def test_patch_makes_a_new_version_and_keeps_the_old(env):
    a = create_assistant(env.client)
    b = env.client.patch(f"/openapi/assistants/{a['id']}", json={"name": "新名字"}).json()
    c = env.client.patch(f"/openapi/assistants/{a['id']}", json={"welcome": "你好"}).json()
    assert a["versionId"] < b["versionId"] < c["versionId"]
    assert c["name"] == "新名字" and c["welcome"] == "你好"
    assert c["collect"] == ASSISTANT["collect"]
    versions = env.client.get(f"/openapi/assistants/{a['id']}/versions").json()
    assert versions["total"] == 3
    assert [v["versionId"] for v in versions["items"]] == [
        c["versionId"],
        b["versionId"],
        a["versionId"],
    ]
    assert versions["items"][-1]["config"]["welcome"] == ASSISTANT["welcome"]


def test_task_can_pin_an_older_version_by_vid(env):
    a = create_assistant(env.client)
    env.client.patch(f"/openapi/assistants/{a['id']}", json={"welcome": "v2"})
    task = create_task(env.client, [["13912345678", "张三", ""]], assistant_id=a["id"])
    assert task["assistant"]["welcome"] == "v2"
    r = env.client.post(
        "/openapi/tasks",
        json={
            "name": "old",
            "assistantVid": a["versionId"],
            "option": {"startDate": "2026-12-01", "startTime": [["09:00", "18:00"]]},
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["assistantVid"] == a["versionId"]
    assert r.json()["assistant"]["idOldVersion"] is True
    assert r.json()["assistant"]["welcome"] == ASSISTANT["welcome"]


def test_soft_delete(env):
    a = create_assistant(env.client)
    task = create_task(env.client, [["13912345678", "张三", ""]], assistant_id=a["id"])
    r = env.client.delete(f"/openapi/assistants/{a['id']}")
    assert r.status_code == 200 and r.json()["deletedAt"]
    assert env.client.get("/openapi/assistants").json()["total"] == 0
    assert env.client.get("/openapi/assistants?includeDeleted=true").json()["total"] == 1
    # the old task still shows it, marked deleted
    detail = env.client.get(f"/openapi/tasks/{task['id']}").json()
    assert detail["assistant"]["deletedAt"]
    # no new task may use it, and it cannot be changed
    r = env.client.post(
        "/openapi/tasks",
        json={
            "name": "x",
            "assistantId": a["id"],
            "option": {"startDate": "2026-12-01", "startTime": [["09:00", "18:00"]]},
        },
    )
    assert r.status_code == 422 and "deleted" in r.json()["error"]["message"]
    assert env.client.patch(f"/openapi/assistants/{a['id']}", json={"name": "y"}).status_code == 409
    # a stopped task of a deleted assistant cannot be started
    r = env.client.put(f"/openapi/tasks/{task['id']}/status", json={"status": "running"})
    assert r.status_code == 409


def test_unknown_speaker_or_listener_is_refused(env):
    r = env.client.post("/openapi/assistants", json={"name": "x", "speakerId": 999})
    assert r.status_code == 422 and "speakerId 999" in r.json()["error"]["message"]
    r = env.client.post("/openapi/assistants", json={"name": "x", "listenerId": 999})
    assert r.status_code == 422 and "listenerId 999" in r.json()["error"]["message"]
    assert env.client.get("/openapi/assistants").json()["total"] == 0


def test_speakers_and_listeners(env):
    speakers = env.client.get("/openapi/speakers").json()
    listeners = env.client.get("/openapi/listeners").json()
    assert {s["language"] for s in speakers} >= {"zh-CN", "en-US"}
    assert all({"id", "name", "language", "provider"} <= set(x) for x in speakers + listeners)


def test_assistants_of_another_workspace_are_invisible(env):
    a = create_assistant(env.client)
    assert env.other.get(f"/openapi/assistants/{a['id']}").status_code == 404
    assert env.other.patch(f"/openapi/assistants/{a['id']}", json={"name": "z"}).status_code == 404
    assert env.other.delete(f"/openapi/assistants/{a['id']}").status_code == 404
    assert env.other.get(f"/openapi/assistants/{a['id']}/versions").status_code == 404
    assert env.other.get("/openapi/assistants").json()["total"] == 0
    assert env.client.get(f"/openapi/assistants/{a['id']}").json()["name"] == ASSISTANT["name"]


def test_task_transfer_is_stored_and_shown(env):
    a = create_assistant(env.client)
    assert a["taskTransfer"] is None
    body = {"taskTransfer": {"target": "sip:agent@127.0.0.1:5070"}}
    b = env.client.patch(f"/openapi/assistants/{a['id']}", json=body).json()
    assert b["taskTransfer"] == {
        "mode": "blind",
        "target": "sip:agent@127.0.0.1:5070",
        "when": ["asked"],
    }
    c = env.client.patch(
        f"/openapi/assistants/{a['id']}", json={"taskTransfer": {"target": "+8613912345678"}}
    ).json()
    assert c["taskTransfer"]["target"] == "+8613912345678"


def test_patch_null_turns_off_a_transfer_and_sent_keys_and_nothing_else(env):
    a = create_assistant(env.client)
    url = f"/openapi/assistants/{a['id']}"
    on = {"taskTransfer": {"target": "+8613912345678"}, "sendKeys": "1,2#"}
    b = env.client.patch(url, json=on).json()
    assert b["taskTransfer"]["target"] == "+8613912345678" and b["sendKeys"] == "1,2#"
    c = env.client.patch(url, json={"taskTransfer": None, "sendKeys": None, "welcome": None})
    assert c.status_code == 200, c.text
    got = env.client.get(url).json()
    assert got["taskTransfer"] is None and got["sendKeys"] == ""
    assert got["welcome"] == b["welcome"]  # null is "unchanged" for a field that must be set
    assert got["versionId"] == b["versionId"] + 1
    d = env.client.patch(url, json={"prompt": "still off"}).json()
    assert d["taskTransfer"] is None and d["sendKeys"] == ""
def test_a_bridged_transfer_at_intent_a_is_shown_with_its_defaults(env):
    a = create_assistant(env.client)
    body = {"taskTransfer": {"mode": "bridged", "target": "+8613912345678",
                             "when": ["asked", "intentA"]}}  # fmt: skip
    b = env.client.patch(f"/openapi/assistants/{a['id']}", json=body).json()
    shown = env.client.get(f"/openapi/assistants/{a['id']}").json()["taskTransfer"]
    assert (
        b["taskTransfer"]
        == shown
        == {
            "mode": "bridged",
            "target": "+8613912345678",
            "when": ["asked", "intentA"],
            "agentTimeoutSeconds": 30,
            "summary": True,
        }
    )
    setting = {"mode": "bridged", "target": "sip:desk@127.0.0.1", "when": ["intentA"]}
    body = {"taskTransfer": {**setting, "agentTimeoutSeconds": 5, "summary": False}}
    env.client.patch(f"/openapi/assistants/{a['id']}", json=body)
    shown = env.client.get(f"/openapi/assistants/{a['id']}").json()["taskTransfer"]
    assert shown == body["taskTransfer"]
    # back to blind: the bridged-only fields go with it
    body = {"taskTransfer": {"target": "sip:desk@127.0.0.1", "when": ["intentA"]}}
    env.client.patch(f"/openapi/assistants/{a['id']}", json=body)
    shown = env.client.get(f"/openapi/assistants/{a['id']}").json()["taskTransfer"]
    assert shown == {"mode": "blind", "target": "sip:desk@127.0.0.1", "when": ["intentA"]}
    env.client.patch(f"/openapi/assistants/{a['id']}", json={"name": "renamed"})
    assert env.client.get(f"/openapi/assistants/{a['id']}").json()["taskTransfer"] == shown
    # an explicit null turns it off
    env.client.patch(f"/openapi/assistants/{a['id']}", json={"taskTransfer": None})
    assert env.client.get(f"/openapi/assistants/{a['id']}").json()["taskTransfer"] is None


def test_task_transfer_refuses_bad_settings_naming_the_field(env):
    a = create_assistant(env.client)
    bad = [
        ({"target": "not a number"}, "target"),
        ({"target": "sip:agent@host\r\nVia: x"}, "target"),
        ({"target": "+86"}, "target"),
        ({}, "target"),
        ({"target": "+8613912345678", "mode": "warm"}, "mode"),
        ({"target": "+8613912345678", "when": ["later"]}, "when"),
        ({"target": "+8613912345678", "when": []}, "when"),
        ({"target": "+8613912345678", "when": ["asked", "asked"]}, "when"),
        ({"target": "+8613912345678", "ring": 3}, "ring"),
        ({"target": "+8613912345678", "agentTimeoutSeconds": 30}, "agentTimeoutSeconds"),
        ({"target": "+8613912345678", "summary": True}, "summary"),
        (
            {"target": "+8613912345678", "mode": "bridged", "agentTimeoutSeconds": 4},
            "agentTimeoutSeconds",
        ),
        (
            {"target": "+8613912345678", "mode": "bridged", "agentTimeoutSeconds": 121},
            "agentTimeoutSeconds",
        ),
        (
            {"target": "+8613912345678", "mode": "bridged", "agentTimeoutSeconds": "30"},
            "agentTimeoutSeconds",
        ),
        (
            {"target": "+8613912345678", "mode": "bridged", "agentTimeoutSeconds": 30.5},
            "agentTimeoutSeconds",
        ),
        ({"target": "+8613912345678", "mode": "bridged", "summary": "yes"}, "summary"),
        ({"target": "+8613912345678", "mode": "bridged", "summary": 1}, "summary"),
    ]
    for value, field in bad:
        r = env.client.patch(f"/openapi/assistants/{a['id']}", json={"taskTransfer": value})
        assert r.status_code == 422, value
        assert field in str(r.json()), (value, r.json())
    got = env.client.get(f"/openapi/assistants/{a['id']}").json()
    assert got["taskTransfer"] is None and got["versionId"] == a["versionId"]
