"""Storage: migrations match the models, times round-trip in UTC, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from voxdial.store.db import Database, normalize_url
from voxdial.store.models import Base, Workspace


def test_migrations_match_the_models(db_url):
    db = Database(db_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        db.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_times_come_back_aware_in_utc(db_url):
    db = Database(db_url)
    shanghai = timezone(timedelta(hours=8))
    try:
        with db.session() as s:
            ws = Workspace(name="tz", created_at=datetime(2026, 3, 1, 9, 30, tzinfo=shanghai))
            s.add(ws)
            s.commit()
            wid = ws.id
        with db.session() as s:
            got = s.get(Workspace, wid).created_at
        assert got == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
        assert got.tzinfo is not None and got.utcoffset() == timedelta(0)
        with db.session() as s, pytest.raises(Exception, match="naive"):
            s.add(Workspace(name="naive", created_at=datetime(2026, 3, 1, 9, 30)))
            s.commit()
    finally:
        db.dispose()


def test_postgres_urls_use_psycopg3():
    assert normalize_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalize_url("postgres://u@h:5433/db").startswith("postgresql+psycopg://u@h:5433/db")
    assert normalize_url("sqlite:///./x.db") == "sqlite:///./x.db"
