"""Webhook subscriptions."""

from __future__ import annotations


def test_create_list_delete(env):
    r = env.client.post(
        "/openapi/webhooks",
        json={
            "url": "https://hooks.example.test/voxdial",
            "events": ["task.end"],
            "authorization": "Basic abc",
        },
    )
    assert r.status_code == 201, r.text
    hook = r.json()
    assert len(hook["secret"]) >= 32 and hook["hasAuthorization"] is True
    listed = env.client.get("/openapi/webhooks").json()
    assert listed["total"] == 1
    assert "secret" not in listed["items"][0] and "authorization" not in listed["items"][0]
    assert listed["items"][0]["events"] == ["task.end"]
    assert env.other.delete(f"/openapi/webhooks/{hook['id']}").status_code == 404
    assert env.client.delete(f"/openapi/webhooks/{hook['id']}").status_code == 204
    assert env.client.get("/openapi/webhooks").json()["total"] == 0
    assert env.client.delete(f"/openapi/webhooks/{hook['id']}").status_code == 404


def test_default_events_and_given_secret(env):
    r = env.client.post(
        "/openapi/webhooks", json={"url": "http://127.0.0.1:9/x", "secret": "s" * 20}
    )
    assert r.status_code == 201
    assert r.json()["secret"] == "s" * 20
    assert set(r.json()["events"]) == {"task.call.end", "task.call.collect", "task.end"}


def test_bad_webhooks(env):
    for body, field in [
        ({"url": "ftp://example.test/x"}, "url"),
        ({"url": "not a url at all"}, "url"),
        ({"url": "https://example.test/x", "events": ["call.bogus"]}, "events"),
        ({"url": "https://example.test/x", "secret": "short"}, "secret"),
    ]:
        r = env.client.post("/openapi/webhooks", json=body)
        assert r.status_code == 422, body
        assert field in r.json()["error"]["message"]
    assert env.client.get("/openapi/webhooks").json()["total"] == 0
