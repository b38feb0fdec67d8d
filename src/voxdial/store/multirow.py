"""Many rows in one SQLite `INSERT ... VALUES (...), (...), ...` statement.

One `cursor.execute` binds all the parameters in C and SQLite runs the statement in one
step, where `executemany` binds, steps and resets row by row, releasing and retaking the
GIL for each. Rows go in full chunks, then the rest in power-of-two chunks, so only a
few distinct statements exist (sqlite3 keeps them prepared in its per-connection
cache). The number importer and the dialer's bulk writes both use it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any


class MultiRowInsert:
    def __init__(self, head: str, row: str, tail: str, per_statement: int) -> None:
        self.head, self.row, self.tail = head, row, tail
        self.per_statement = max(1, per_statement)
        self._sql: dict[int, str] = {}

    def sql(self, n: int) -> str:
        sql = self._sql.get(n)
        if sql is None:
            sql = self._sql[n] = f"{self.head}{', '.join([self.row] * n)}{self.tail}"
        return sql

    def _statements(self, cur: Any, rows: Sequence[tuple[Any, ...]]) -> Iterator[None]:
        """Run the statements in order, pausing after each for the caller to read it."""
        i = 0
        while i < len(rows):
            n = len(rows) - i
            n = self.per_statement if n >= self.per_statement else 1 << (n.bit_length() - 1)
            cur.execute(self.sql(n), list(chain.from_iterable(rows[i : i + n])))
            yield
            i += n

    def execute(self, cur: Any, rows: Sequence[tuple[Any, ...]]) -> int:
        """Insert `rows` in order; returns the rows the database reports inserted."""
        done = 0
        for _ in self._statements(cur, rows):
            done += cur.rowcount
        return done

    def returning(self, cur: Any, rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Insert `rows` in order; returns what the RETURNING clause gave (in no
        particular order)."""
        returned: list[tuple[Any, ...]] = []
        for _ in self._statements(cur, rows):
            returned.extend(cur.fetchall())
        return returned
