"""Webhook subscriptions."""

from __future__ import annotations

import pytest

from tests.conftest import make_env
from voxdial.settings import Settings


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
        "/openapi/webhooks", json={"url": "https://hooks.example.com/x", "secret": "s" * 20}
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


# --- where a webhook may point --------------------------------------------------------

INTERNAL = [
    ("http://127.0.0.1:8080/hook", "127.0.0.1", "loopback"),
    ("http://127.1/hook", "127.1", "loopback"),
    ("http://0x7f000001/hook", "0x7f000001", "loopback"),
    ("http://2130706433/hook", "2130706433", "loopback"),
    ("http://017700000001/hook", "017700000001", "loopback"),
    ("http://0x7f.1/hook", "0x7f.1", "loopback"),
    ("http://[::1]/hook", "::1", "loopback"),
    ("http://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1", "loopback"),
    ("http://[2002:7f00:1::]/hook", "2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ("http://localhost:8000/hook", "localhost", "loopback"),
    ("http://api.localhost/hook", "api.localhost", "loopback"),
    ("http://[fd00::1]/hook", "fd00::1", "unique-local"),
    ("http://10.1.2.3/hook", "10.1.2.3", "private"),
    ("http://172.16.0.9/hook", "172.16.0.9", "private"),
    ("https://192.168.1.1/hook", "192.168.1.1", "private"),
    ("http://[64:ff9b::a00:1]/hook", "64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
    ("http://100.64.0.1/hook", "100.64.0.1", "CGNAT"),
    ("http://169.254.1.1/hook", "169.254.1.1", "link-local"),
    ("http://[fe80::1]/hook", "fe80::1", "link-local"),
    ("http://224.0.0.251/hook", "224.0.0.251", "multicast"),
    ("http://[ff02::1]/hook", "ff02::1", "multicast"),
    ("http://0.0.0.0/hook", "0.0.0.0", "unspecified"),
    ("http://0/hook", "0", "unspecified"),
    ("http://[::]/hook", "::", "unspecified"),
    ("http://169.254.169.254/latest/meta-data", "169.254.169.254", "metadata"),
    ("http://metadata.google.internal/computeMetadata/v1", "metadata.google.internal", "metadata"),
    ("http://240.0.0.1/hook", "240.0.0.1", "reserved"),
]


@pytest.mark.parametrize(("url", "host", "kind"), INTERNAL)
def test_internal_targets_are_refused_in_any_spelling(sqlite_env, url, host, kind):
    r = sqlite_env.client.post("/openapi/webhooks", json={"url": url})
    assert r.status_code == 422, (url, r.text)
    message = r.json()["error"]["message"]
    assert message.startswith("url: ") and repr(host) in message and kind in message
    assert sqlite_env.client.get("/openapi/webhooks").json()["total"] == 0


def test_public_targets_are_accepted(sqlite_env):
    for url in (
        "https://hooks.example.com/voxdial?team=ops",
        "http://93.184.216.34:8080/hook",
        "https://[2606:4700:4700::1111]/hook",
        "https://xn--fiqs8s.example/hook",
    ):
        r = sqlite_env.client.post("/openapi/webhooks", json={"url": url})
        assert r.status_code == 201, (url, r.text)
    assert sqlite_env.client.get("/openapi/webhooks").json()["total"] == 4


def test_credentials_in_the_url_are_refused_and_not_echoed(sqlite_env):
    for url in (
        "https://ops:hunter2-secret@hooks.example.com/x",
        "https://hunter2-secret@hooks.example.com/x",
        "http://hunter2-secret.example\\@hooks.example.com/x",
    ):
        r = sqlite_env.client.post("/openapi/webhooks", json={"url": url})
        assert r.status_code == 422, (url, r.text)
        body = r.text
        assert "credentials" in r.json()["error"]["message"]
        assert "hunter2" not in body and "ops:" not in body
    assert sqlite_env.client.get("/openapi/webhooks").json()["total"] == 0


@pytest.mark.parametrize(
    "value",
    [
        "Bearer x\r\nX-Injected: 1",
        "Bearer x\nX-Injected: 1",
        "Bearer x\ry",
        "Basic a\tb",
        "a\x7fb",
        "Bearer 满意",  # no HTTP header can carry it
    ],
)
def test_an_authorization_with_control_characters_is_refused(sqlite_env, value):
    r = sqlite_env.client.post(
        "/openapi/webhooks", json={"url": "https://hooks.example.com/x", "authorization": value}
    )
    assert r.status_code == 422, r.text
    assert "authorization" in r.json()["error"]["message"]
    assert "Injected" not in r.text
    assert sqlite_env.client.get("/openapi/webhooks").json()["total"] == 0


def test_the_operator_may_allow_networks(db_url, tmp_path):
    env = make_env(db_url, tmp_path, webhook_allow_networks="127.0.0.0/8, ::1/128, 10.9.0.0/16")
    try:
        for url in (
            "http://127.0.0.1:9/x",
            "http://127.1:9/x",
            "http://[::1]:9/x",
            "http://[::ffff:127.0.0.1]:9/x",
            "http://localhost:9/x",
            "http://10.9.1.2/x",
        ):
            r = env.client.post("/openapi/webhooks", json={"url": url})
            assert r.status_code == 201, (url, r.text)
        for url in (
            "http://10.8.0.1/x",  # outside the allowed networks
            "http://169.254.169.254/x",  # metadata is never allowed
            "http://metadata.google.internal/x",
            "http://[fd00::1]/x",
        ):
            r = env.client.post("/openapi/webhooks", json={"url": url})
            assert r.status_code == 422, (url, r.text)
    finally:
        env.client.close()
        env.other.close()
        env.db.dispose()


def test_a_bad_allow_list_is_refused_at_startup():
    with pytest.raises(ValueError, match="10.0.0.0/33"):
        Settings(webhook_allow_networks="127.0.0.0/8,10.0.0.0/33")


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("10.0x10.1", "10.16.0.1"),
        ("192.168.1.1.", "192.168.1.1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("4294967296", None),  # past 32 bits: a name (no resolver takes it as an address)
        ("256.1.1.1", None),
        ("08.1.1.1", None),  # not octal
        ("1.2.3.4.5", None),
        ("0x.example", None),
        ("hooks.example.com", None),
        ("", None),
    ],
)
def test_address_literals_in_every_spelling(host, address):
    from voxdial.webhooks.addresses import address_literal

    got = address_literal(host)
    assert (None if got is None else str(got)) == address
