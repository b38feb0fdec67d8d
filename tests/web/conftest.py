"""Console fixtures: an app on a migrated SQLite file with two workspaces, a signed-in
client per role, and the helpers a browser would use (read the CSRF token from a page).

The `browser` marker (Playwright driving Debian's chromium against `voxdial serve`) is
registered in pyproject.toml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_settings
from voxdial.api.app import create_app
from voxdial.store.db import Database
from voxdial.store.tokens import create_token, get_or_create_workspace
from voxdial.store.users import create_user

PASSWORD = "correct horse 42"


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """argon2 with small costs: each hash takes a second on a busy test machine at the
    production costs. What is checked (hash, verify, constant work) is the same."""
    from argon2 import PasswordHasher

    from voxdial.store import users

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(users, "_hasher", quick)
    monkeypatch.setattr(users, "_DUMMY_HASH", quick.hash("dummy password"))


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "the page has no CSRF token"
    return m.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def page_csrf(client: TestClient, path: str = "/account") -> str:
    return csrf_of(client.get(path).text)


@dataclass
class Console:
    app: object
    db: Database
    admin: TestClient  # acme
    operator: TestClient  # acme
    viewer: TestClient  # acme
    other: TestClient  # globex admin
    viewer_token: str
    operator_token: str

    def anonymous(self) -> TestClient:
        return TestClient(self.app, raise_server_exceptions=False)


@pytest.fixture
def console(sqlite_url, tmp_path) -> Iterator[Console]:
    settings = make_settings(sqlite_url, tmp_path)
    db = Database(sqlite_url)
    with db.session() as s:
        acme, _ = get_or_create_workspace(s, name="acme", email="owner@acme.test")
        globex, _ = get_or_create_workspace(s, name="globex", email="owner@globex.test")
        create_user(s, workspace=acme, email="admin@acme.test", role="admin", password=PASSWORD)
        op = create_user(
            s, workspace=acme, email="op@acme.test", role="operator", password=PASSWORD
        )
        viewer = create_user(
            s, workspace=acme, email="viewer@acme.test", role="viewer", password=PASSWORD
        )
        create_user(s, workspace=globex, email="admin@globex.test", role="admin", password=PASSWORD)
        viewer_token = create_token(s, workspace=acme, user=viewer)
        operator_token = create_token(s, workspace=acme, user=op)
        s.commit()
    app = create_app(settings, db=db)
    clients = []

    def client(email: str) -> TestClient:
        c = TestClient(app, raise_server_exceptions=False)
        clients.append(c)
        return sign_in(c, email)

    yield Console(
        app=app,
        db=db,
        admin=client("admin@acme.test"),
        operator=client("op@acme.test"),
        viewer=client("viewer@acme.test"),
        other=client("admin@globex.test"),
        viewer_token=viewer_token,
        operator_token=operator_token,
    )
    for c in clients:
        c.close()
    db.dispose()
