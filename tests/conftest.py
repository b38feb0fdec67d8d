"""Shared fixtures: a database per test on SQLite and on PostgreSQL, the app, clients.

Tests that take `db_url` run twice: on a fresh SQLite file and on a real PostgreSQL
server (started on loopback in a temporary directory, or `VOXDIAL_TEST_POSTGRES_URL`).
Without PostgreSQL binaries those runs are skipped, unless `VOXDIAL_REQUIRE_POSTGRES=1`
(set by `make test` and CI), which turns the skip into a failure.

Markers (pyproject.toml; `make test-fast` leaves out all but the SQLite ones) are set
here by the fixture a test takes: `postgres` (the PostgreSQL run of `db_url`, or
`postgres_base`), `sipp` (`sipp_factory`), `llm` (`llama`, the real model server). The
speech and slow tests carry their marks in their files.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.support.postgres import TempPostgres, find_bindir
from voxdial.api.app import create_app
from voxdial.settings import Settings
from voxdial.store.db import Database
from voxdial.store.migrate import upgrade
from voxdial.store.models import Base
from voxdial.store.tokens import create_token, get_or_create_workspace

# fixture -> the marker a test that takes it gets
_FIXTURE_MARKS = {"postgres_base": "postgres", "sipp_factory": "sipp", "llama": "llm"}


# The understanding evaluation (tests/test_understanding_eval.py, owned with its data by
# the understanding work) scores whole labelled parts: a minute or more of CPU each,
# so its scoring tests are `slow` (run by `make test`, not `make test-fast`). Its
# checks of the sets' shape stay in the fast part.
_SLOW_EVAL = "test_understanding_eval.py"


def _slow_eval(item, names: set[str]) -> bool:
    return item.path.name == _SLOW_EVAL and ("engine" in names or "knowledge" in item.name)


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        marks = {mark for fixture, mark in _FIXTURE_MARKS.items() if fixture in names}
        if _slow_eval(item, names):
            marks.add("slow")
        if params.get("db_url") == "postgres":
            marks.add("postgres")
        for mark in sorted(marks):
            item.add_marker(mark)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_base() -> Iterator[str | None]:
    """URL of a migrated PostgreSQL database shared by the session (tables truncated
    between tests)."""
    required = os.environ.get("VOXDIAL_REQUIRE_POSTGRES") == "1"
    given = os.environ.get("VOXDIAL_TEST_POSTGRES_URL")
    if given:
        upgrade(given)
        yield given
        return
    if find_bindir() is None:
        if required:
            pytest.fail("PostgreSQL is required (VOXDIAL_REQUIRE_POSTGRES=1) but not installed")
        yield None
        return
    server = TempPostgres()
    try:
        server.start()
        url = server.create_database("voxdial_test")
        upgrade(url)
        yield url
    finally:
        server.stop()


def _truncate_all(url: str) -> None:
    db = Database(url)
    try:
        with db.engine.begin() as c:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            c.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path, sqlite_template) -> str:
    if request.param == "sqlite":
        path = tmp_path / "voxdial.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_base")
    if url is None:
        pytest.skip("PostgreSQL not available")
    _truncate_all(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    path = tmp_path / "voxdial.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def make_settings(url: str, tmp_path: Path, **overrides) -> Settings:
    values = {
        "database_url": url,
        "data_dir": tmp_path / "data",
        "rate_limit_per_second": 0,
        "token_cache_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Env:
    """An app with two workspaces, each with a token and a client."""

    app: object
    db: Database
    client: TestClient  # workspace "acme"
    other: TestClient  # workspace "globex"
    token: str
    other_token: str


def _make_client(app, token: str | None) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    if token:
        client.headers["Authorization"] = f"Bearer {token}"
    return client


def make_env(url: str, tmp_path: Path, **overrides) -> Env:
    settings = make_settings(url, tmp_path, **overrides)
    db = Database(url)
    with db.session() as s:
        ws, user = get_or_create_workspace(s, name="acme", email="ops@acme.test")
        token = create_token(s, workspace=ws, user=user)
        ws2, user2 = get_or_create_workspace(s, name="globex", email="ops@globex.test")
        other_token = create_token(s, workspace=ws2, user=user2)
        s.commit()
    app = create_app(settings, db=db)
    return Env(
        app, db, _make_client(app, token), _make_client(app, other_token), token, other_token
    )


@pytest.fixture
def env(db_url, tmp_path) -> Iterator[Env]:
    e = make_env(db_url, tmp_path)
    yield e
    e.client.close()
    e.other.close()
    e.db.dispose()


@pytest.fixture
def sqlite_env(sqlite_url, tmp_path) -> Iterator[Env]:
    e = make_env(sqlite_url, tmp_path)
    yield e
    e.db.dispose()
