"""No request can lock the database for others: each number file is imported once per
request, a request and a task import at most so many rows (413), an import commits batch
by batch (other writers get in between), a failed import takes back what it wrote, and a
lock held past SQLite's busy timeout is a 503 with Retry-After, never a 500."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, update

from tests.conftest import Env, make_env, make_settings
from tests.support.api import OPTION, create_assistant, csv_bytes, upload
from voxdial.api.app import create_app
from voxdial.errors import BadRequest
from voxdial.numbers.importer import BATCH
from voxdial.store.db import Database
from voxdial.store.models import Assistant, BlockedNumber, Task, TaskNumber, TaskReject
from voxdial.store.tokens import create_token, get_or_create_workspace


def assert_error(r, status: int, *words: str) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "details"}, err
    for w in words:
        assert w in err["message"], (w, err["message"])
    return err


def file_id(client, rows: list[list[str]]) -> int:
    r = upload(client, csv_bytes(rows))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def phones(n: int, start: int = 0) -> list[list[str]]:
    return [[f"139{start + i:08d}", "某", ""] for i in range(n)]


def task_body(env: Env, files: list[int]) -> dict:
    aid = create_assistant(env.client)["id"]
    return {"name": "导入", "assistantId": aid, "option": {**OPTION, "numbers": files}}


def rows_in(db: Database, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


# -- each file once, and bounded work per request ---------------------------------------


def test_a_file_listed_twice_is_422_naming_it(env):
    fid = file_id(env.client, phones(3))
    other = file_id(env.client, phones(2, start=10))
    r = env.client.post("/openapi/tasks", json=task_body(env, [fid] * 99 + [other]))
    err = assert_error(r, 422, "option.numbers", f"{fid} (99 times)")
    assert err["details"] == [{"field": "option.numbers", "repeated": [fid]}]
    assert env.client.get("/openapi/tasks").json()["total"] == 0
    assert rows_in(env.db, TaskNumber) == 0 and rows_in(env.db, TaskReject) == 0


@pytest.fixture
def bounded_env(db_url, tmp_path) -> Iterator[Env]:
    e = make_env(db_url, tmp_path, max_request_rows=5, max_task_rows=8)
    yield e
    e.client.close()
    e.db.dispose()


def test_a_request_importing_more_rows_than_allowed_is_413(bounded_env):
    env = bounded_env
    a, b = file_id(env.client, phones(3)), file_id(env.client, phones(3, start=3))
    r = env.client.post("/openapi/tasks", json=task_body(env, [a, b]))
    assert_error(r, 413, "6 rows", "5 per request")
    assert env.client.get("/openapi/tasks").json()["total"] == 0
    assert rows_in(env.db, TaskNumber) == 0


def test_a_task_holding_more_rows_than_allowed_is_413(bounded_env):
    env = bounded_env
    r = env.client.post("/openapi/tasks", json=task_body(env, [file_id(env.client, phones(5))]))
    assert r.status_code == 201, r.text
    task = r.json()
    url = f"/openapi/tasks/{task['id']}/numbers"
    more = csv_bytes(phones(4, start=100))
    r = env.client.post(url, files={"file": ("n.csv", more, "text/csv")})
    assert_error(r, 413, "9 rows", "8 per task")
    r = env.client.post(url, json={"numbers": [{"号码": p} for p, _, _ in phones(4, start=200)]})
    assert_error(r, 413, "9 rows")
    assert env.client.get(f"/openapi/tasks/{task['id']}").json()["total"] == 5
    r = env.client.post(url, json={"numbers": [{"号码": p} for p, _, _ in phones(3, start=300)]})
    assert r.status_code == 200, r.text
    assert env.client.get(f"/openapi/tasks/{task['id']}").json()["total"] == 8


# -- batches ------------------------------------------------------------------------------


class WriteMidImport:
    """A phone normaliser that, at the rows given, first runs `write` (another
    connection's write), then normalises as usual."""

    def __init__(self, real, at: set[int], write) -> None:
        self.real, self.at, self.write = real, at, write
        self.seen = 0
        self.done: list[int] = []

    def normalize(self, raw: str) -> str:
        self.seen += 1
        if self.seen in self.at:
            self.write()
            self.done.append(self.seen)
        return self.real.normalize(raw)


def test_other_workspaces_write_between_the_batches_of_a_long_import(sqlite_env, sqlite_url):
    env = sqlite_env
    fid = file_id(env.client, phones(3 * BATCH))
    body = task_body(env, [fid])
    with env.db.session() as s:
        ws, _ = get_or_create_workspace(s, name="globex", email="ops@globex.test")
        ws_id = ws.id
    # another workspace's write, with no waiting at all: it fails at once ("database is
    # locked") if the import holds the write lock
    other = sqlite3.connect(
        sqlite_url.removeprefix("sqlite:///"), timeout=0, check_same_thread=False
    )

    def block_one() -> None:
        with other:
            other.execute(
                "INSERT INTO blocklist (workspace_id, phone, reason, created_at) "
                "VALUES (?, ?, '', CURRENT_TIMESTAMP)",
                (ws_id, f"+8613{len(spy.done):09d}"),
            )

    state = env.app.state.voxdial
    # rows in the middle of the second and third batches: the earlier ones are written
    spy = WriteMidImport(state.normalizer, {BATCH + 10, 2 * BATCH + 10}, block_one)
    state.normalizer = spy
    try:
        r = env.client.post("/openapi/tasks", json=body)
    finally:
        state.normalizer = spy.real
        other.close()
    assert r.status_code == 201, r.text
    assert spy.done == [BATCH + 10, 2 * BATCH + 10]
    assert r.json()["total"] == 3 * BATCH
    assert rows_in(env.db, BlockedNumber) == 2


def test_a_task_is_hidden_until_its_import_is_done_and_gone_if_it_fails(env):
    fid = file_id(env.client, phones(2 * BATCH))
    body = task_body(env, [fid])
    seen: dict[str, object] = {}

    def look_then_fail() -> None:
        with env.db.session() as s:  # the first batch is in, under a task nobody sees
            seen["numbers"] = s.scalar(select(func.count()).select_from(TaskNumber))
            seen["listed"] = env.client.get("/openapi/tasks").json()["total"]
        raise BadRequest("stopped halfway")

    state = env.app.state.voxdial
    state.normalizer = WriteMidImport(state.normalizer, {BATCH + 1}, look_then_fail)
    try:
        r = env.client.post("/openapi/tasks", json=body)
    finally:
        state.normalizer = state.normalizer.real
    assert_error(r, 400, "stopped halfway")
    assert seen == {"numbers": BATCH, "listed": 0}
    assert rows_in(env.db, TaskNumber) == 0 and rows_in(env.db, TaskReject) == 0
    assert rows_in(env.db, Task) == 0


def test_a_file_added_to_a_task_that_ends_meanwhile_is_taken_back(env):
    r = env.client.post("/openapi/tasks", json=task_body(env, [file_id(env.client, phones(3))]))
    task = r.json()
    more = csv_bytes(phones(2 * BATCH, start=1000) + [["12345", "bad", ""]])

    def finish_task() -> None:  # the dialer settling the task between two batches
        with env.db.session() as s:
            s.execute(update(Task).where(Task.id == task["id"]).values(status="done"))
            s.commit()

    state = env.app.state.voxdial
    state.normalizer = WriteMidImport(state.normalizer, {BATCH + 1}, finish_task)
    try:
        url = f"/openapi/tasks/{task['id']}/numbers"
        r = env.client.post(url, files={"file": ("more.csv", more, "text/csv")})
    finally:
        state.normalizer = state.normalizer.real
    assert_error(r, 409, "done")
    detail = env.client.get(f"/openapi/tasks/{task['id']}").json()
    assert (detail["total"], detail["rejected"], detail["option"]["numbers"]) == (
        3,
        0,
        task["option"]["numbers"],
    )
    assert rows_in(env.db, TaskNumber) == 3 and rows_in(env.db, TaskReject) == 0
    assert env.client.get("/openapi/numberfiles").json()["total"] == 1  # the upload is dropped


# -- a locked database ----------------------------------------------------------------------


def test_a_write_that_waits_out_the_busy_timeout_is_503_with_retry_after(sqlite_url, tmp_path):
    db = Database(sqlite_url, busy_timeout=0.05)
    with db.session() as s:
        ws, user = get_or_create_workspace(s, name="acme", email="ops@acme.test")
        token = create_token(s, workspace=ws, user=user)
        s.commit()
    app = create_app(make_settings(sqlite_url, tmp_path), db=db)
    from fastapi.testclient import TestClient

    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token}"
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock
        r = client.post("/openapi/assistants", json={"name": "回访", "welcome": "您好"})
        err = assert_error(r, 503, "busy")
        assert err["code"] == "unavailable"
        assert r.headers["Retry-After"] == "1"
        holder.rollback()
        r = client.post("/openapi/assistants", json={"name": "回访", "welcome": "您好"})
        assert r.status_code == 201, r.text
    finally:
        holder.close()
        client.close()
        db.dispose()
    with Database(sqlite_url).session() as s:
        assert s.scalar(select(func.count()).select_from(Assistant)) == 1
