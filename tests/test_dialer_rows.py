"""The dialer writes its per-call rows on SQLite straight to the DBAPI cursor
(voxdial.dialer.bulk). What it stores must be what SQLAlchemy would have bound for the
same values: times as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC (SQL compares them as text)
and JSON as `json.dumps` text, JSON null for None."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from tests.support.dialer import make_task, phones
from voxdial.clock import VirtualClock
from voxdial.dialer.claims import new_session_id
from voxdial.dialer.dialer import Dialer, DialerConfig
from voxdial.store.db import Database
from voxdial.store.models import Call, CallTrace, TaskNumber
from voxdial.telephony.sim import SimCarrier, SimConfig

T0 = datetime(2026, 6, 15, 1, 0, 0, 500_000, tzinfo=UTC)
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")

COLUMNS = {
    Call: ("start_at", "answer_at", "end_at", "collect", "extra"),
    TaskNumber: ("last_attempt_at", "next_attempt_at", "lease_until", "collected"),
    CallTrace: ("created_at",),
}


@pytest.fixture
def db(tmp_path, sqlite_template):
    path = tmp_path / "voxdial.db"
    shutil.copy(sqlite_template, path)
    d = Database(f"sqlite:///{path}")
    yield d
    d.dispose()


@pytest.mark.slow
def test_sqlite_rows_are_bound_as_sqlalchemy_binds_them(db):
    t = make_task(db, phones(60), retryCount=2, retryInterval=1, concurrency=20)
    clock = VirtualClock(T0)
    config = DialerConfig(calls_per_second=0, daily_cap=0, lease_seconds=3600, tick_seconds=5)
    dialer = Dialer(db, carrier=SimCarrier(SimConfig(seed=3)), clock=clock, config=config)
    asyncio.run(clock.run(dialer.run_until_idle()))
    dialect = db.engine.dialect
    checked = 0
    with db.session() as s:
        for model, columns in COLUMNS.items():
            table = model.__table__
            names = ", ".join(columns)
            raw = {
                row[0]: row[1:]
                for row in s.execute(text(f"SELECT id, {names} FROM {table.name}")).all()
            }
            loaded = s.execute(select(table.c.id, *(table.c[c] for c in columns))).all()
            assert loaded
            for row in loaded:
                for name, value, stored in zip(columns, row[1:], raw[row[0]], strict=True):
                    bind = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                    if value is None and stored is None:
                        continue  # SQL NULL: a column the dialer left unset
                    assert stored == bind(value), (table.name, name)
                    if isinstance(value, datetime):
                        assert TIME.match(stored), (table.name, name, stored)
                    checked += 1
        ids = s.execute(select(Call.session_id).where(Call.task_id == t.id)).scalars().all()
    assert checked > 500
    assert all(uuid.UUID(x).hex == x and uuid.UUID(x).version == 7 for x in ids)


def test_session_ids_are_unique_uuid7_led_by_the_time():
    before = time.time_ns() // 1_000_000
    ids = [new_session_id() for _ in range(10_000)]
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    assert all(len(x) == 32 and uuid.UUID(x).version == 7 for x in ids)
    assert all(before <= int(x[:12], 16) <= after for x in (ids[0], ids[-1]))  # Unix ms
