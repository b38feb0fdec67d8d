"""The dialer's per-call writes of claims: claimed and settled numbers and opened call
records, as rows of plain tuples (the closed call records and their calltrace lines are
the outcome writer's, voxdial.store.outcomes).

On SQLite they go straight to the DBAPI cursor, as in the number importer: SQLAlchemy's
per-row parameter processing (a dict per row, the compiled statement's parameter
construction, a bind processor call per value) cost more than SQLite's own work for these
statements, which run for every call. The values are the ones SQLAlchemy would bind: the
rows are built with the columns' own bind processors for times and JSON
(`voxdial.store.outcomes.Values`). On PostgreSQL the same tuples are zipped into the Core
statements' parameters and SQLAlchemy binds them as before.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from voxdial.store.models import Call, TaskNumber
from voxdial.store.multirow import MultiRowInsert
from voxdial.store.outcomes import sqlite_rows_per_insert

# Row layouts, in the order of the statements' parameters. The `b_*` names are the Core
# statements' bind parameters (claims.py, finishing.py), the others are column names.
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
CLAIM_NUMBER_KEYS = (
    "b_attempts",
    "b_now",
    "b_worker",
    "b_generation",
    "b_lease",
    "b_call",
    "b_id",
)
SETTLE_NUMBER_KEYS = (
    "b_state",
    "b_next",
    "b_outcome",
    "b_collected",
    "b_callbacks",
    "b_interrupted",
    "b_id",
)


def for_update(query: Any, pg: bool, *, skip_locked: bool = False) -> Any:
    """`query` with FOR UPDATE on PostgreSQL (rows locked until the transaction ends)."""
    return query.with_for_update(skip_locked=skip_locked) if pg else query


class SqliteWrites:
    """The statements, as SQL for the sqlite3 cursor."""

    def __init__(self, driver_connection: sqlite3.Connection) -> None:
        calls, numbers = Call.__table__.name, TaskNumber.__table__.name
        self.open_calls = MultiRowInsert(
            f"INSERT INTO {calls} ({', '.join(OPEN_CALL_KEYS)}) VALUES ",
            f"({', '.join('?' * len(OPEN_CALL_KEYS))})",
            " RETURNING session_id, id",
            sqlite_rows_per_insert(driver_connection, len(OPEN_CALL_KEYS)),
        )
        self.claim_numbers = (
            f"UPDATE {numbers} SET state = 'calling', attempts = ?, last_attempt_at = ?, "
            "worker_id = ?, worker_generation = ?, lease_until = ?, last_call_id = ? "
            "WHERE id = ?"
        )
        self.settle_numbers = (
            f"UPDATE {numbers} SET state = ?, next_attempt_at = ?, last_outcome = ?, "
            "worker_id = NULL, worker_generation = NULL, lease_until = NULL, collected = ?, "
            "callbacks = ?, interrupted = ? WHERE id = ?"
        )
