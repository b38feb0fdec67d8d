"""One-call tokens for the assistant's websocket: what the console hands a browser so
that it can talk to an assistant without ever seeing the assistant's `websocketToken`.

A token names one assistant, its workspace, the call's session id and a deadline to
connect by, signed (HMAC-SHA256) with the assistant's `websocketToken` as the key:

    c1.<base64url of the JSON payload>.<base64url of its MAC>
    payload: {"a": assistant id, "w": workspace id, "s": sessionId, "e": unix seconds}

So any API process can check it without shared state, rotating the assistant's token
voids the one-call tokens minted with it, and the key never leaves the server. The
session id becomes the call record's, whose unique index makes the token good for one
call: a second socket with it finds the call taken and is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

PREFIX = "c1."
CONNECT_SECONDS = 60  # from minting to the socket's `start`
MAX_LENGTH = 400  # no token this module mints is longer


@dataclass(frozen=True)
class CallGrant:
    assistant_id: int
    workspace_id: int
    session_id: str
    expires: int  # unix seconds


def is_call_token(token: str) -> bool:
    return token.startswith(PREFIX)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: str, body: str) -> bytes:
    return hmac.new(key.encode(), (PREFIX + body).encode(), hashlib.sha256).digest()


def mint_call_token(
    key: str, *, assistant_id: int, workspace_id: int, now: datetime
) -> tuple[str, CallGrant]:
    """A token for one new call to `assistant_id`, and what it grants; `key` is the
    assistant's websocket token."""
    grant = CallGrant(
        assistant_id=assistant_id,
        workspace_id=workspace_id,
        session_id=secrets.token_hex(16),
        expires=int(now.timestamp()) + CONNECT_SECONDS,
    )
    payload = {"a": assistant_id, "w": workspace_id, "s": grant.session_id, "e": grant.expires}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{PREFIX}{body}.{_b64(_mac(key, body))}", grant


def read_call_token(
    token: str, key: str, *, assistant_id: int, workspace_id: int, now: datetime
) -> CallGrant | None:
    """What `token` grants on `assistant_id` (of `workspace_id`, keyed by its websocket
    token `key`), or None: not one of ours, a wrong signature, another assistant or
    workspace, or past its deadline."""
    if not is_call_token(token) or len(token) > MAX_LENGTH or not key:
        return None
    body, _, mac = token[len(PREFIX) :].partition(".")
    try:
        given = _unb64(mac)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(given, _mac(key, body)):
        return None
    try:
        payload = json.loads(_unb64(body))
        grant = CallGrant(
            assistant_id=int(payload["a"]),
            workspace_id=int(payload["w"]),
            session_id=str(payload["s"]),
            expires=int(payload["e"]),
        )
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
    if (
        grant.assistant_id != assistant_id
        or grant.workspace_id != workspace_id
        or now.timestamp() > grant.expires
        or not grant.session_id.isalnum()
        or len(grant.session_id) > 40
    ):
        return None
    return grant
