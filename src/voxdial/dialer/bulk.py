"""The dialer's per-call writes: claimed numbers, opened and closed call records, and
calltrace lines, as rows of plain tuples.

On SQLite they go straight to the DBAPI cursor, as in the number importer: SQLAlchemy's
per-row parameter processing (a dict per row, the compiled statement's parameter
construction, a bind processor call per value) cost more than SQLite's own work for these
statements, which run for every call. The values are the ones SQLAlchemy would bind: the
rows are built with the columns' own bind processors for times and JSON (`Values`).
On PostgreSQL the same tuples are zipped into the Core statements' parameters and
SQLAlchemy binds them as before.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import Dialect

from voxdial.store.models import Call, CallTrace, TaskNumber
from voxdial.store.multirow import MultiRowInsert

# Row layouts, in the order of the statements' parameters. The `b_*` names are the Core
# statements' bind parameters (records.py), the others are column names.
OPEN_CALL_KEYS = (
    "session_id",
    "workspace_id",
    "task_id",
    "task_number_id",
    "callee",
    "caller",
    "direction",
    "description",
    "start_at",
    "assistant_id",
    "assistant_vid",
    "attempt",
    "worker_id",
    "duration",
    "billsec",
    "ring_time",
    "record_file",
    "rounds",
    "summary",
)
CLAIM_NUMBER_KEYS = ("b_attempts", "b_now", "b_worker", "b_lease", "b_call", "b_id")
SETTLE_NUMBER_KEYS = ("b_state", "b_next", "b_outcome", "b_collected", "b_callbacks", "b_id")
CLOSE_CALL_KEYS = (
    "b_answer",
    "b_end",
    "b_reason",
    "b_side",
    "b_ring",
    "b_billsec",
    "b_duration",
    "b_rounds",
    "b_collect",
    "b_extra",
    "b_intent",
    "b_summary",
    "b_record",
    "b_id",
)
TRACE_KEYS = ("call_id", "event", "content", "elapsed_ms", "dialog_id", "created_at")


def _same(value: Any) -> Any:
    return value


class Values:
    """How times and JSON go into the rows: through the columns' bind processors on
    SQLite (UTC time text, JSON text; None is JSON null, as SQLAlchemy binds it), as
    they are on PostgreSQL, where the Core statements process them."""

    def __init__(self, dialect: Dialect) -> None:
        self.time: Callable[[Any], Any] = _same
        self.json: Callable[[Any], Any] = _same
        if dialect.name == "sqlite":
            self.time = _sqlite_time(_bind_processor(Call.__table__.c.start_at.type, dialect))
            self.json = _sqlite_json(_bind_processor(Call.__table__.c.extra.type, dialect))


def _bind_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any]:
    """The column type's processor as SQLAlchemy runs it on `dialect` (the dialect's own
    implementation: SQLite's DATETIME writes "YYYY-MM-DD HH:MM:SS.ffffff")."""
    return type_.dialect_impl(dialect).bind_processor(dialect) or _same


def _sqlite_time(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`process` with a shortcut for the common case, a time already in UTC: the same
    text in one C call instead of UTCDateTime's check and SQLite's field formatting."""

    def time(value: Any) -> Any:
        if value is not None and value.tzinfo is UTC:
            return value.isoformat(" ", "microseconds")[:26]  # without "+00:00"
        return process(value)

    return time


def _sqlite_json(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`process` with a shortcut for objects, lists and None: the encoder json.dumps
    uses with its default arguments, called directly."""
    encode = json.JSONEncoder().encode

    def as_json(value: Any) -> Any:
        if value is None or type(value) is dict or type(value) is list:
            return encode(value)
        return process(value)

    return as_json


def as_params(keys: Sequence[str], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(zip(keys, row, strict=True)) for row in rows]


class SqliteWrites:
    """The statements, as SQL for the sqlite3 cursor."""

    ROWS_PER_INSERT = 500

    def __init__(self, driver_connection: sqlite3.Connection) -> None:
        params = driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        calls, numbers, traces = (
            Call.__table__.name,
            TaskNumber.__table__.name,
            CallTrace.__table__.name,
        )

        def per_insert(columns: int) -> int:
            return min(self.ROWS_PER_INSERT, params // columns)

        self.open_calls = MultiRowInsert(
            f"INSERT INTO {calls} ({', '.join(OPEN_CALL_KEYS)}) VALUES ",
            f"({', '.join('?' * len(OPEN_CALL_KEYS))})",
            " RETURNING session_id, id",
            per_insert(len(OPEN_CALL_KEYS)),
        )
        self.traces = MultiRowInsert(
            f"INSERT INTO {traces} ({', '.join(TRACE_KEYS)}) VALUES ",
            f"({', '.join('?' * len(TRACE_KEYS))})",
            "",
            per_insert(len(TRACE_KEYS)),
        )
        self.claim_numbers = (
            f"UPDATE {numbers} SET state = 'calling', attempts = ?, last_attempt_at = ?, "
            "worker_id = ?, lease_until = ?, last_call_id = ? WHERE id = ?"
        )
        self.settle_numbers = (
            f"UPDATE {numbers} SET state = ?, next_attempt_at = ?, last_outcome = ?, "
            "worker_id = NULL, lease_until = NULL, collected = ?, callbacks = ? WHERE id = ?"
        )
        self.close_calls = (
            f"UPDATE {calls} SET answer_at = ?, end_at = ?, hangup_reason = ?, "
            "hangup_side = ?, ring_time = ?, billsec = ?, duration = ?, rounds = ?, "
            "collect = ?, extra = ?, intent_level = ?, summary = ?, record_file = ? "
            "WHERE id = ?"
        )
