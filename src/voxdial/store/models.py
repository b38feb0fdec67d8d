"""Tables. Times are stored in UTC and come back timezone-aware on both engines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite's INTEGER PRIMARY KEY is its rowid; on PostgreSQL ids are 64-bit.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is UTC:
            return value
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Workspace(Base):
    __tablename__ = "workspaces"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("workspace_id", "email"),
        # One sign-in per e-mail address: among users who have a password, emails are
        # unique across workspaces (token-only users may repeat an address).
        Index(
            "uq_users_login_email",
            "email",
            unique=True,
            sqlite_where=text("password_hash IS NOT NULL"),
            postgresql_where=text("password_hash IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The console (web/): an argon2 hash (None: the user cannot sign in, tokens only),
    # and the role the console and the API enforce (store/users.py, Role).
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="admin", server_default="admin")
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiToken(Base):
    """A bearer token: `vxd_<prefix>_<secret>`. Only the SHA-256 of the whole token is
    kept; the prefix finds the row and names the token in logs and `token revoke`."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Assistant(Base):
    __tablename__ = "assistants"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    current_version_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    usage_count: Mapped[int] = mapped_column(BigInteger, default=0)
    websocket_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AssistantVersion(Base):
    """One immutable version of an assistant. Its id is the `versionId` / `assistantVid`;
    `config` holds the assistant's fields in their wire (camelCase) form."""

    __tablename__ = "assistant_versions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    assistant_id: Mapped[int] = mapped_column(ForeignKey("assistants.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NumberFile(Base):
    __tablename__ = "number_files"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))  # csv | xlsx | json (numbers sent as JSON)
    encoding: Mapped[str | None] = mapped_column(String(16), nullable=True)
    size: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int] = mapped_column(BigInteger)
    columns: Mapped[list[str]] = mapped_column(JSON)
    preview: Mapped[list[list[str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NumberFileChunk(Base):
    """The uploaded bytes, in chunks, so any API process can stream any file."""

    __tablename__ = "number_file_chunks"
    file_id: Mapped[int] = mapped_column(ForeignKey("number_files.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    stop_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    assistant_id: Mapped[int] = mapped_column(ForeignKey("assistants.id"), index=True)
    assistant_vid: Mapped[int] = mapped_column(ForeignKey("assistant_versions.id"))
    option: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text, default="")
    suggestion: Mapped[str] = mapped_column(Text, default="")
    # Counters kept in the same transaction as what changes them: reads stay O(1).
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    final_num: Mapped[int] = mapped_column(BigInteger, default=0)
    calling_num: Mapped[int] = mapped_column(BigInteger, default=0)
    called_num: Mapped[int] = mapped_column(BigInteger, default=0)
    answered_num: Mapped[int] = mapped_column(BigInteger, default=0)
    collected_num: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Carrier failures in a row; the dialer stops the task (stop.abnormal) past a limit.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # {question: {result: count}} of collected answers, kept with the outcomes.
    answer_counts: Mapped[dict[str, dict[str, int]] | None] = mapped_column(JSON, nullable=True)


class TaskNumber(Base):
    __tablename__ = "task_numbers"
    __table_args__ = (
        UniqueConstraint("task_id", "phone", name="uq_task_numbers_task_phone"),
        Index("ix_task_numbers_due", "task_id", "state", "next_attempt_at"),
        Index("ix_task_numbers_source", "task_id", "file_id", "row_no"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    phone: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    variables: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    file_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    row_no: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # While `calling`: which worker holds the number (its name, which a restarted worker
    # keeps, and the start of it that claimed the number) and until when (dialer/leases).
    worker_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    worker_generation: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_call_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Callbacks the callee asked for ("call me later"); they do not use up retries.
    callbacks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Calls cut by a lost worker; they do not use up retries (domain/attempts.py).
    interrupted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    collected: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)


class NumberDailyCount(Base):
    """Attempts per number per local day across a workspace's tasks (frequency cap)."""

    __tablename__ = "number_daily_counts"
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class TaskReject(Base):
    __tablename__ = "task_rejects"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    file_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    row_no: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(200), default="")


class BlockedNumber(Base):
    __tablename__ = "blocklist"
    __table_args__ = (UniqueConstraint("workspace_id", "phone", name="uq_blocklist_ws_phone"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    phone: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_ws_start", "workspace_id", "start_at"),
        # A task's ended calls by outcome and intent level: the insight's counts read
        # this index alone, not every call row (partial: open calls are not in it).
        Index(
            "ix_calls_task_ended",
            "task_id",
            "hangup_reason",
            "intent_level",
            sqlite_where=text("end_at IS NOT NULL"),
            postgresql_where=text("end_at IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(40), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), nullable=True, index=True)
    task_number_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    callee: Mapped[str] = mapped_column(String(20))
    caller: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(10), default="outbound")
    description: Mapped[str] = mapped_column(String(20), default="phone")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration: Mapped[int] = mapped_column(Integer, default=0)
    billsec: Mapped[int] = mapped_column(Integer, default=0)
    ring_time: Mapped[int] = mapped_column(Integer, default=0)
    record_file: Mapped[str] = mapped_column(String(255), default="")
    assistant_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    assistant_vid: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    hangup_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    hangup_side: Mapped[str | None] = mapped_column(String(10), nullable=True)
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    intent_level: Mapped[str | None] = mapped_column(String(1), nullable=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    worker_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    collect: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CallTrace(Base):
    __tablename__ = "call_traces"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    event: Mapped[str] = mapped_column(String(30))
    content: Mapped[str] = mapped_column(Text, default="")
    elapsed_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    dialog_id: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Webhook(Base):
    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON)
    authorization: Mapped[str] = mapped_column(String(512), default="")
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookOutbox(Base):
    """An event to deliver, written in the same transaction as what caused it."""

    __tablename__ = "webhook_outbox"
    __table_args__ = (Index("ix_webhook_outbox_due", "delivered_at", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")


class ConsoleSession(Base):
    """A signed-in console browser. The cookie holds a random token; only its SHA-256 is
    kept, with the session's CSRF token, so any API process can check both."""

    __tablename__ = "console_sessions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LoginFailure(Base):
    """A failed console sign-in, counted per e-mail and per client address (throttling);
    a successful sign-in clears its e-mail's failures."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DebugSession(Base):
    """An open text debug call (api/debug_sessions.py): what any API process needs to
    continue it. `turns` holds each turn as it was taken (the callee's words and the
    engine's actions); a process that has not the conversation in memory replays them.
    `turn_count` is the row's version: a turn is kept only if no other took its place.
    The row goes when the call ends, is idle too long, or is its workspace's oldest over
    the cap."""

    __tablename__ = "debug_sessions"
    __table_args__ = (Index("ix_debug_sessions_ws_touched", "workspace_id", "touched_at"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(40), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    assistant_id: Mapped[int] = mapped_column(ForeignKey("assistants.id"))
    assistant_vid: Mapped[int] = mapped_column(ForeignKey("assistant_versions.id"))
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    # the call's context: the callee's name, variables and time zone
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    turns: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    turn_count: Mapped[int] = mapped_column(Integer)


class InboundNumber(Base):
    """A number of ours that answers calls: a call to it (a SIP INVITE's Request-URI,
    a media stream's `to`) is held by the bound assistant, in the binding's workspace.
    A number is bound once, across workspaces: it can ring in one place only."""

    __tablename__ = "inbound_numbers"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    assistant_id: Mapped[int] = mapped_column(ForeignKey("assistants.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
