"""Engine and sessions for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


# SQLite connections kept open: as many as the API's worker threads (anyio's default
# limit), so that a busy moment does not open and close overflow connections (each open
# also runs the PRAGMAs below). Idle ones cost a file handle and a small page cache.
SQLITE_POOL_SIZE = 40


# How long a SQLite write waits for another's lock before it fails ("database is
# locked", which the API answers 503 with Retry-After). Writes are short (imports commit
# batch by batch), so a wait this long means the database is overloaded.
SQLITE_BUSY_TIMEOUT_SECONDS = 5.0


def make_engine(
    url: str, *, busy_timeout: float = SQLITE_BUSY_TIMEOUT_SECONDS, **kwargs: Any
) -> Engine:
    url = normalize_url(url)
    # Database errors keep their SQL but not its values: those are phone numbers, names
    # and tokens' hashes, and errors end up in logs.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        database = make_url(url).database or ""
        if database not in ("", ":memory:") and "mode=memory" not in url:
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", 10)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy_timeout}, **kwargs
        )
        millis = int(busy_timeout * 1000)
        event.listen(engine, "connect", lambda conn, _: _sqlite_pragmas(conn, millis))
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_conn: Any, busy_timeout_ms: int) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    cur.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class Database:
    """The engine and a session factory, made once by a composition root."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(url, **kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as s:
            yield s

    def dispose(self) -> None:
        self.engine.dispose()
