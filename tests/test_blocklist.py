"""The workspace block list."""

from __future__ import annotations


def test_add_list_remove(env):
    r = env.client.post(
        "/openapi/blocklist",
        json={"numbers": ["139 1234 5678", "+8613912345678", "not a number"], "reason": "要求勿扰"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 1
    assert body["invalid"] == [
        {"index": 2, "value": "not a number", "reason": "not a phone number"}
    ]
    listed = env.client.get("/openapi/blocklist").json()
    assert listed["total"] == 1
    assert listed["items"][0]["phone"] == "+8613912345678"
    assert listed["items"][0]["reason"] == "要求勿扰"
    # adding again changes nothing
    assert (
        env.client.post("/openapi/blocklist", json={"numbers": ["13912345678"]}).json()["count"]
        == 0
    )
    found = env.client.get("/openapi/blocklist", params={"phone": "0086 139-1234-5678"}).json()
    assert found["total"] == 1
    removed = env.client.request("DELETE", "/openapi/blocklist", json={"numbers": ["13912345678"]})
    assert removed.status_code == 200 and removed.json()["count"] == 1
    assert env.client.get("/openapi/blocklist").json()["total"] == 0


def test_block_lists_are_per_workspace(env):
    env.client.post("/openapi/blocklist", json={"numbers": ["13912345678"]})
    assert env.other.get("/openapi/blocklist").json()["total"] == 0
    r = env.other.request("DELETE", "/openapi/blocklist", json={"numbers": ["13912345678"]})
    assert r.json()["count"] == 0
    assert env.client.get("/openapi/blocklist").json()["total"] == 1


def test_bad_block_list_requests(env):
    assert env.client.post("/openapi/blocklist", json={"numbers": []}).status_code == 422
    assert env.client.post("/openapi/blocklist", json={"numbers": "13912345678"}).status_code == 422
    r = env.client.get("/openapi/blocklist", params={"phone": "12"})
    assert r.status_code == 422 and "phone" in r.json()["error"]["message"]
