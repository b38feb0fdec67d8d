"""One-call tokens (api/call_tokens.py): what each one grants, and every way one is
refused. The socket that takes them is tested in tests/web/test_console_voice.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from voxdial.api.call_tokens import CONNECT_SECONDS, mint_call_token, read_call_token

KEY = "k" * 43
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def mint(**kw):
    return mint_call_token(KEY, assistant_id=kw.get("a", 7), workspace_id=kw.get("w", 3), now=NOW)


def read(token: str, *, key: str = KEY, a: int = 7, w: int = 3, now: datetime = NOW):
    return read_call_token(token, key, assistant_id=a, workspace_id=w, now=now)


def test_a_token_grants_its_call_on_its_assistant():
    token, grant = mint()
    assert read(token) == grant
    assert grant.assistant_id == 7 and grant.workspace_id == 3
    assert len(grant.session_id) == 32 and grant.session_id.isalnum()
    assert KEY not in token


def test_each_token_is_for_a_new_call():
    (_, one), (_, two) = mint(), mint()
    assert one.session_id != two.session_id


@pytest.mark.parametrize(
    "change",
    [
        {"key": "another assistant token"},
        {"a": 8},
        {"w": 4},
        {"key": ""},
    ],
    ids=["other key (rotated)", "other assistant", "other workspace", "no key"],
)
def test_a_token_is_refused_anywhere_else(change):
    token, _ = mint()
    assert read(token, **change) is None


def test_a_token_expires_a_minute_after_minting():
    token, _ = mint()
    assert read(token, now=NOW + timedelta(seconds=CONNECT_SECONDS)) is not None
    assert read(token, now=NOW + timedelta(seconds=CONNECT_SECONDS + 1)) is None


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "c1.",
        "c1..",
        "c1.e30.",
        "c1.not base64!.@@@",
        "c1." + "A" * 500,
        KEY,
    ],
)
def test_malformed_tokens_are_refused(bad):
    assert read(bad) is None


def test_a_tampered_token_is_refused():
    token, _ = mint()
    body, mac = token[3:].split(".")
    other, _ = mint(a=8)
    other_body = other[3:].split(".")[0]
    assert read(f"c1.{other_body}.{mac}", a=8) is None  # another call's body, this MAC
    flipped = mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]
    assert read(f"c1.{body}.{flipped}") is None
