"""Bearer tokens: `vxd_<prefix>_<secret>`, stored as SHA-256, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxdial.store.models import ApiToken, User, Workspace

TOKEN_RE = r"^vxd_[A-Za-z0-9]{10}_[A-Za-z0-9_-]{32,64}$"


@dataclass(frozen=True)
class Principal:
    token_id: int
    workspace_id: int
    user_id: int
    time_zone: str
    role: str = "admin"  # the token's user's role (store/users.py, Role)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _prefix(token: str) -> str | None:
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "vxd" or len(parts[1]) != 10:
        return None
    return parts[1]


def get_or_create_workspace(
    s: Session, *, name: str, email: str, time_zone: str = "Asia/Shanghai"
) -> tuple[Workspace, User]:
    ws = s.execute(select(Workspace).where(Workspace.name == name)).scalar_one_or_none()
    if ws is None:
        ws = Workspace(name=name, time_zone=time_zone)
        s.add(ws)
        s.flush()
    user = s.execute(
        select(User).where(User.workspace_id == ws.id, User.email == email)
    ).scalar_one_or_none()
    if user is None:
        user = User(workspace_id=ws.id, email=email)
        s.add(user)
        s.flush()
    return ws, user


def create_token(s: Session, *, workspace: Workspace, user: User) -> str:
    """Make a token; the caller shows it once. Only its hash is stored."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    prefix = "".join(secrets.choice(alphabet) for _ in range(10))
    token = f"vxd_{prefix}_{secrets.token_urlsafe(32)}"
    s.add(
        ApiToken(
            workspace_id=workspace.id, user_id=user.id, prefix=prefix, token_hash=hash_token(token)
        )
    )
    s.flush()
    return token


def revoke_token(s: Session, *, prefix: str) -> bool:
    prefix = prefix.removeprefix("vxd_").split("_")[0]
    row = s.execute(select(ApiToken).where(ApiToken.prefix == prefix)).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = datetime.now(UTC)
    return True


def authenticate(s: Session, token: str) -> Principal | None:
    prefix = _prefix(token)
    if prefix is None:
        return None
    row = s.execute(
        select(ApiToken, Workspace.time_zone, User.role)
        .join(Workspace, Workspace.id == ApiToken.workspace_id)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.prefix == prefix)
    ).first()
    if row is None:
        hmac.compare_digest(hash_token(token), "0" * 64)  # same work as a miss on the hash
        return None
    tok, tz, role = row
    if not hmac.compare_digest(tok.token_hash, hash_token(token)) or tok.revoked_at is not None:
        return None
    return Principal(
        token_id=tok.id,
        workspace_id=tok.workspace_id,
        user_id=tok.user_id,
        time_zone=tz,
        role=role,
    )
