"""People: roles, argon2 passwords, console sessions and sign-in throttling.

A user belongs to one workspace and has a role; its API tokens act with that role.
Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's low-memory
profile). A console session is a random token in an HttpOnly cookie, kept here as its
SHA-256 with the session's CSRF token, so every API process sees every session; a new
password ends all of the user's sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from voxdial.errors import Conflict, NotFound, Unprocessable
from voxdial.store.models import ApiToken, ConsoleSession, LoginFailure, User, Workspace


class Role(StrEnum):
    ADMIN = "admin"  # everything: users, tokens, webhooks too
    OPERATOR = "operator"  # tasks, numbers, assistants, block list
    VIEWER = "viewer"  # reads only


class Grant(StrEnum):
    READ = "read"
    OPERATE = "operate"
    ADMINISTER = "administer"


GRANTS: dict[Role, frozenset[Grant]] = {
    Role.ADMIN: frozenset(Grant),
    Role.OPERATOR: frozenset({Grant.READ, Grant.OPERATE}),
    Role.VIEWER: frozenset({Grant.READ}),
}


def allows(role: str, grant: Grant) -> bool:
    """Whether `role` may do what needs `grant` (an unknown role may do nothing)."""
    try:
        return grant in GRANTS[Role(role)]
    except ValueError:
        return False


# --- passwords -----------------------------------------------------------------------

MIN_PASSWORD = 8
MAX_PASSWORD = 256  # argon2 takes any length; a cap keeps hashing a request cheap
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists (a missing hash checks a dummy)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise Unprocessable(f"password: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise Unprocessable(f"password: at most {MAX_PASSWORD} characters")
    if "\x00" in password:
        raise Unprocessable("password: must not contain NUL characters")
    return password


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 bits


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or not domain or len(email) > 254 or any(c.isspace() for c in email):
        raise Unprocessable("email: give an address like name@example.com")
    return email


# --- users ---------------------------------------------------------------------------


def find_login(s: Session, email: str) -> User | None:
    """The user who signs in with `email` (among users with a password: one at most)."""
    return s.execute(
        select(User).where(
            func.lower(User.email) == email.strip().lower(), User.password_hash.is_not(None)
        )
    ).scalar_one_or_none()


def get_workspace(s: Session, name: str) -> Workspace:
    ws = s.execute(select(Workspace).where(Workspace.name == name)).scalar_one_or_none()
    if ws is None:
        raise NotFound(f"workspace {name!r} not found")
    return ws


def create_user(s: Session, *, workspace: Workspace, email: str, role: str, password: str) -> User:
    """A user who signs in with `email` and `password`. A token-only user of the same
    workspace and address gets the password and role instead of a second row."""
    email = normalize_email(email)
    role = Role(role)
    check_password(password)
    if find_login(s, email) is not None:
        raise Conflict(f"email: {email} already signs in")
    user = s.execute(
        select(User).where(User.workspace_id == workspace.id, func.lower(User.email) == email)
    ).scalar_one_or_none()
    if user is None:
        user = User(workspace_id=workspace.id, email=email)
        s.add(user)
    user.role = role
    user.disabled_at = None
    _set_hash(s, user, password)
    s.flush()
    return user


def set_password(s: Session, user: User, password: str) -> None:
    """A new password; every console session of the user ends."""
    check_password(password)
    _set_hash(s, user, password)
    s.flush()


def _set_hash(s: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = datetime.now(UTC)
    if user.id is not None:
        end_sessions(s, user_id=user.id)


def set_role(s: Session, user: User, role: str) -> None:
    user.role = Role(role)


def disable_user(s: Session, user: User) -> None:
    """The user can no longer sign in, and their sessions and tokens end."""
    user.disabled_at = datetime.now(UTC)
    end_sessions(s, user_id=user.id)
    s.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def workspace_admins(s: Session, workspace_id: int) -> int:
    return s.execute(
        select(func.count())
        .select_from(User)
        .where(
            User.workspace_id == workspace_id,
            User.role == Role.ADMIN,
            User.password_hash.is_not(None),
            User.disabled_at.is_(None),
        )
    ).scalar_one()


def any_login(s: Session) -> bool:
    return (
        s.execute(select(User.id).where(User.password_hash.is_not(None)).limit(1)).first()
        is not None
    )


# --- sessions ------------------------------------------------------------------------

SESSION_IDLE = timedelta(hours=12)  # unused this long: signed out
SESSION_MAX = timedelta(days=7)  # signed out this long after signing in, whatever
_TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


@dataclass(frozen=True)
class SignedIn:
    session_id: int
    csrf_token: str
    user_id: int
    workspace_id: int
    email: str
    role: str
    time_zone: str
    workspace: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(s: Session, *, user: User, now: datetime) -> str:
    """A new session for `user`; returns the cookie's token (shown to the browser only)."""
    token = secrets.token_urlsafe(32)
    s.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
    s.add(
        ConsoleSession(
            token_hash=_digest(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_MAX,
        )
    )
    s.flush()
    return token


def read_session(s: Session, token: str, *, now: datetime) -> SignedIn | None:
    """The signed-in user of a cookie token, or None (unknown, idle, expired, disabled)."""
    if not token or len(token) > 100:
        return None
    row = s.execute(
        select(ConsoleSession, User, Workspace)
        .join(User, User.id == ConsoleSession.user_id)
        .join(Workspace, Workspace.id == User.workspace_id)
        .where(ConsoleSession.token_hash == _digest(token))
    ).first()
    if row is None:
        return None
    cs, user, ws = row
    if (
        cs.expires_at <= now
        or cs.last_seen_at + SESSION_IDLE <= now
        or user.disabled_at is not None
        or user.password_hash is None
    ):
        s.delete(cs)
        s.commit()
        return None
    if now - cs.last_seen_at >= _TOUCH_EVERY:
        cs.last_seen_at = now
        s.commit()
    return SignedIn(
        session_id=cs.id,
        csrf_token=cs.csrf_token,
        user_id=user.id,
        workspace_id=ws.id,
        email=user.email,
        role=user.role,
        time_zone=ws.time_zone,
        workspace=ws.name,
    )


def end_session(s: Session, token: str) -> None:
    s.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _digest(token)))


def end_sessions(s: Session, *, user_id: int) -> None:
    s.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user_id))


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


# --- sign-in throttling --------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    """At most `per_email` failures for one address in `window`, and `per_address`
    from one client address; past either, sign-in waits until the oldest ages out."""

    window: timedelta = timedelta(minutes=15)
    per_email: int = 5
    per_address: int = 20


def wait_before_login(
    s: Session, *, email: str, address: str, now: datetime, throttle: Throttle
) -> int:
    """Seconds the client must wait before trying again (0: it may try now)."""
    since = now - throttle.window
    waits = [0]
    for column, value, limit in (
        (LoginFailure.email, email, throttle.per_email),
        (LoginFailure.address, address, throttle.per_address),
    ):
        count, oldest = s.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                column == value, LoginFailure.at > since
            )
        ).one()
        if count >= limit and oldest is not None:
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=UTC)
            waits.append(max(1, int((oldest + throttle.window - now).total_seconds()) + 1))
    return max(waits)


def note_failure(
    s: Session, *, email: str, address: str, now: datetime, throttle: Throttle
) -> None:
    s.execute(delete(LoginFailure).where(LoginFailure.at <= now - throttle.window))
    s.add(LoginFailure(email=email[:254], address=address[:64], at=now))


def clear_failures(s: Session, *, email: str) -> None:
    s.execute(delete(LoginFailure).where(LoginFailure.email == email))
