"""What a finished call leaves on its record: the one writer of call outcomes.

Dialled calls, calls streamed to an assistant's websocket and text debug calls all
close their call row and write their calltrace here, with the rows built by the same
functions, so the three cannot differ. The writer saves what it is given: the caller
computes the call's analysis (conversation/analysis.py) and its conversation facts
(domain/attempts.py) and passes them in a `CallOutcome`.

Rows are plain tuples in the statements' parameter order (CLOSE_CALL_KEYS, TRACE_KEYS).
On SQLite they go straight to the DBAPI cursor (SQLAlchemy's per-row parameter
processing costs more than SQLite's own work for statements that run for every call),
with times and JSON already bound as the columns' own bind processors bind them
(`Values`). On PostgreSQL the same tuples are zipped into the Core statements'
parameters and SQLAlchemy binds them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Dialect, bindparam, update

from voxdial.store.models import Call, CallTrace
from voxdial.store.multirow import MultiRowInsert

if TYPE_CHECKING:  # shapes only: the store imports no conversation code
    from voxdial.conversation.analysis import CallAnalysis
    from voxdial.conversation.calls import CallResult, Utterance
    from voxdial.conversation.engine import CollectResult

TRACE_EVENTS = {
    "system": "system.say",
    "customer": "customer.say",
    "note": "system.note",
    "answer": "answer.detected",  # who answered (voice/answering.py): outcome, reason, when
    "dtmf": "dtmf",  # a key either way: {"digit", "direction", "source"} (voice/keypad.py)
    # a hand-over to a person (voice/session.py): its content is the target or the error
    "transfer.requested": "transfer.requested",
    "transfer.connected": "transfer.connected",
    "transfer.failed": "transfer.failed",
}

# Row layouts, in the order of the statements' parameters. The `b_*` names are the Core
# statements' bind parameters, the others are column names.
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
SUMMARY_CHARS = 2000


@dataclass(slots=True)
class CallOutcome:
    """A finished call, ready to store: how it ended, plus what its caller made of it."""

    call_id: int
    session_id: str
    result: CallResult
    analysis: CallAnalysis  # its intent level, summary and analysis items
    facts: dict[str, Any]  # domain.attempts.conversation_facts: read by the task insight
    # None: nothing of the calltrace is written yet. n: its "begin" line and the lines of
    # the first n utterances already are (a debug call writes its trace turn by turn).
    traced: int | None = None
    collect: list[dict[str, Any]] | None = None  # this call's answers; from `result`

    def __post_init__(self) -> None:
        if self.collect is None:
            self.collect = collect_rows(self.result.collected)


# -- rows ------------------------------------------------------------------------


def collect_rows(collected: Iterable[CollectResult]) -> list[dict[str, Any]]:
    """The answers of a call as stored in `calls.collect` and `task_numbers.collected`."""
    return [
        {"question": x.question, "hit": x.hit, "result": x.result, "message": x.message}
        for x in collected
    ]


def close_row(o: CallOutcome, values: Values) -> tuple[Any, ...]:
    """The call's row (CLOSE_CALL_KEYS). Its `extra` holds what the carrier left, the
    analysis items and the conversation facts."""
    r, stamp, as_json = o.result, values.time, values.json
    extra = dict(r.extra or {})
    extra["conversation_analysis"] = o.analysis.items
    extra.update(o.facts)
    return (
        stamp(r.answered_at),
        stamp(r.ended_at),
        r.outcome,  # a HangupReason: every path read it as one to analyse the call
        r.hangup_side,
        r.ring_seconds,
        r.billsec,
        max(0, round((r.ended_at - r.started_at).total_seconds())),
        sum(1 for u in r.utterances if u.side == "customer"),
        as_json(o.collect or None),
        as_json(extra),
        o.analysis.intent_level,
        o.analysis.summary[:SUMMARY_CHARS],
        r.record_file,
        o.call_id,
    )


def trace_begin(call_id: int, answered: datetime, stamp: Callable[[Any], Any]) -> tuple[Any, ...]:
    """The calltrace's first line (TRACE_KEYS), at the answer."""
    return (call_id, "begin", "", 0, "", stamp(answered))


def trace_lines(
    call_id: int,
    session_id: str,
    answered: datetime,
    utterances: Sequence[Utterance],
    *,
    first: int,
    stamp: Callable[[Any], Any],
) -> list[tuple[Any, ...]]:
    """The calltrace lines (TRACE_KEYS) of `utterances[first:]`, each timed from the
    answer and numbered in the call's dialog."""
    dialog = session_id[:8]
    return [
        (
            call_id,
            TRACE_EVENTS[u.side],
            u.text,
            int((u.at - answered).total_seconds() * 1000),
            f"{dialog}-{i}",
            stamp(u.at),
        )
        for i, u in enumerate(utterances[first:], first)
    ]


def trace_rows(o: CallOutcome, stamp: Callable[[Any], Any]) -> list[tuple[Any, ...]]:
    """What is left to write of an answered call's calltrace (TRACE_KEYS): begin, each
    utterance, hang-up. A call nobody answered has none."""
    r = o.result
    answered = r.answered_at
    if answered is None:
        return []
    rows = [] if o.traced is not None else [trace_begin(o.call_id, answered, stamp)]
    rows += trace_lines(
        o.call_id, o.session_id, answered, r.utterances, first=o.traced or 0, stamp=stamp
    )
    ended = int((r.ended_at - answered).total_seconds() * 1000)
    rows.append((o.call_id, "hangup", r.hangup_side, ended, "", stamp(r.ended_at)))
    return rows


# -- binding ---------------------------------------------------------------------


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


def sqlite_rows_per_insert(driver_connection: sqlite3.Connection, columns: int) -> int:
    """Rows per multi-row INSERT: at most 500, and within SQLite's parameter limit."""
    params = driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return min(500, params // columns)


# -- the writer ------------------------------------------------------------------


class OutcomeWriter:
    """Closes call rows and writes calltrace lines, in the caller's transaction."""

    def __init__(self, dialect: Dialect) -> None:
        self.values = Values(dialect)
        self.is_pg = dialect.name == "postgresql"
        calls = Call.__table__
        self._close_calls = (
            update(calls)
            .where(calls.c.id == bindparam("b_id"))
            .values(
                answer_at=bindparam("b_answer"),
                end_at=bindparam("b_end"),
                hangup_reason=bindparam("b_reason"),
                hangup_side=bindparam("b_side"),
                ring_time=bindparam("b_ring"),
                billsec=bindparam("b_billsec"),
                duration=bindparam("b_duration"),
                rounds=bindparam("b_rounds"),
                collect=bindparam("b_collect", type_=calls.c.collect.type),
                extra=bindparam("b_extra", type_=calls.c.extra.type),
                intent_level=bindparam("b_intent"),
                summary=bindparam("b_summary"),
                record_file=bindparam("b_record"),
            )
        )
        self._insert_traces = CallTrace.__table__.insert()
        self._sqlite_close: str | None = None
        self._sqlite_traces: MultiRowInsert | None = None

    def write(self, conn: Connection, outcomes: Sequence[CallOutcome]) -> None:
        """Close the outcomes' call rows and write what is left of their calltraces."""
        values = self.values
        calls = [close_row(o, values) for o in outcomes]
        traces = [row for o in outcomes for row in trace_rows(o, values.time)]
        if self.is_pg:
            conn.execute(self._close_calls, as_params(CLOSE_CALL_KEYS, calls))
            if traces:
                conn.execute(self._insert_traces, as_params(TRACE_KEYS, traces))
            return
        self._sqlite(conn)
        cur = conn.connection.cursor()
        try:
            cur.executemany(self._sqlite_close, calls)
            self._sqlite_traces.execute(cur, traces)  # type: ignore[union-attr]
        finally:
            cur.close()

    def add_traces(self, conn: Connection, rows: list[tuple[Any, ...]]) -> None:
        """Append calltrace lines (TRACE_KEYS) to calls still in progress."""
        if not rows:
            return
        if self.is_pg:
            conn.execute(self._insert_traces, as_params(TRACE_KEYS, rows))
            return
        self._sqlite(conn)
        cur = conn.connection.cursor()
        try:
            self._sqlite_traces.execute(cur, rows)  # type: ignore[union-attr]
        finally:
            cur.close()

    def _sqlite(self, conn: Connection) -> None:
        if self._sqlite_traces is not None:
            return
        calls, traces = Call.__table__.name, CallTrace.__table__.name
        self._sqlite_close = (
            f"UPDATE {calls} SET answer_at = ?, end_at = ?, hangup_reason = ?, "
            "hangup_side = ?, ring_time = ?, billsec = ?, duration = ?, rounds = ?, "
            "collect = ?, extra = ?, intent_level = ?, summary = ?, record_file = ? "
            "WHERE id = ?"
        )
        self._sqlite_traces = MultiRowInsert(
            f"INSERT INTO {traces} ({', '.join(TRACE_KEYS)}) VALUES ",
            f"({', '.join('?' * len(TRACE_KEYS))})",
            "",
            sqlite_rows_per_insert(conn.connection.driver_connection, len(TRACE_KEYS)),
        )
