"""The new-task wizard's "Check rows": the counts it shows are what creating the task
gives for the same file (valid, invalid, duplicate, blocked, and the first rejects), and
it writes nothing, holding no write lock: another connection's write goes through while
it reads the file."""

from __future__ import annotations

import re
import sqlite3

import pytest
from sqlalchemy import func, select

from tests.support.api import create_assistant, csv_bytes, upload
from tests.web.conftest import page_csrf
from tests.web.test_console_answers import api
from voxdial.numbers import importer
from voxdial.store.models import BlockedNumber, Task, TaskNumber, TaskReject, Workspace
from voxdial.web.routes import task_new

BLOCKED = "13912340009"
ROWS = [
    ["13912340001", "甲", ""],
    ["12345", "无效", ""],
    ["13912340002", "乙", ""],
    ["13912340001", "甲again", ""],  # repeated in its batch
    [BLOCKED, "黑", ""],
    ["139 1234 0002", "乙again", ""],  # repeated from an earlier batch (when batches are 4)
    [BLOCKED, "黑again", ""],  # blocked again, in another batch
    [BLOCKED, "黑third", ""],  # and repeated in that batch
    ["abc", "无效", ""],
    ["", "空", ""],
    ["+86 139-1234-0003", "丙", ""],
    ["13912340004", "丁", ""],
    ["13912340003", "丙again", ""],
]


def _form(console, *, name: str) -> tuple[dict, int]:
    client = api(console, console.operator_token)
    assistant = create_assistant(client)
    r = upload(client, csv_bytes(ROWS))
    assert r.status_code == 201, r.text
    with console.db.session() as s:
        ws = s.execute(select(Workspace.id).where(Workspace.name == "acme")).scalar_one()
        s.add(BlockedNumber(workspace_id=ws, phone="+86" + BLOCKED, reason="asked"))
        s.commit()
    form = {
        "csrf_token": page_csrf(console.operator, "/tasks/new"),
        "file_id": str(r.json()["id"]),
        "col_0": "phone",
        "col_1": "name",
        "col_2": "note",
        "name": name,
        "assistant": str(assistant["versionId"]),
        "start_date": "2026-12-01",
        "win_start_0": "09:00",
        "win_end_0": "18:00",
        "weeks": ["1", "2", "3", "4", "5"],
        "time_zone": "Asia/Shanghai",
        "retry_count": "1",
        "retry_interval": "60",
        "concurrency": "2",
    }
    return form, ws


def _shown(html: str) -> dict:
    counts = {
        k: int(re.search(rf'data-testid="check-{k}">(\d+)<', html).group(1))
        for k in ("valid", "invalid", "duplicate", "blocked")
    }
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>[^<]*</td><td>([^<]*)</td>', html)
    return {**counts, "rejects": [(int(n), reason) for n, reason in rows]}


def _sizes(console) -> tuple[int, int, int]:
    with console.db.session() as s:
        return tuple(
            s.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Task, TaskNumber, TaskReject)
        )


@pytest.mark.parametrize("batch", [4, importer.BATCH])
def test_the_check_counts_what_creating_gives(console, monkeypatch, batch):
    monkeypatch.setattr(importer, "BATCH", batch)
    form, _ = _form(console, name="检查")
    r = console.operator.post("/tasks/new/check", data=form)
    assert r.status_code == 200, r.text
    shown = _shown(r.text)

    r = console.operator.post("/tasks/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    task_id = int(r.headers["location"].rsplit("/", 1)[1])
    with console.db.session() as s:
        task = s.get(Task, task_id)
        by_reason = dict(
            s.execute(
                select(TaskReject.reason, func.count())
                .where(TaskReject.task_id == task_id)
                .group_by(TaskReject.reason)
            ).all()
        )
        first = s.execute(
            select(TaskReject.row_no, TaskReject.reason)
            .where(TaskReject.task_id == task_id)
            .order_by(TaskReject.id)
            .limit(10)
        ).all()
        numbers = s.execute(
            select(func.count()).select_from(TaskNumber).where(TaskNumber.task_id == task_id)
        ).scalar_one()
    created = {
        "valid": task.total,
        "invalid": by_reason.get("invalid", 0),
        "duplicate": by_reason.get("duplicate", 0),
        "blocked": by_reason.get("blocked", 0),
    }
    assert numbers == task.total
    assert {k: shown[k] for k in created} == created
    labels = {"invalid": "invalid", "duplicate": "duplicate", "blocked": "blocked"}
    assert shown["rejects"] == [(n, labels[reason]) for n, reason in first]
    # the file's rules as written above: 4 numbers; the blocked one twice when the
    # batches split its rows (each batch checks the block list), once otherwise
    assert created["valid"] == 4
    assert created["invalid"] == 3
    blocked = 2 if batch == 4 else 1
    assert (created["blocked"], created["duplicate"]) == (blocked, 6 - blocked)


def test_the_check_writes_nothing_and_holds_no_write_lock(console, monkeypatch):
    form, ws = _form(console, name="不写")
    before = _sizes(console)
    path = console.db.engine.url.database
    writes: list[str] = []
    real_iter_rows = task_new.iter_rows

    def rows_with_a_write_between(*args, **kwargs):
        rows = real_iter_rows(*args, **kwargs)
        for i, row in enumerate(rows):
            if i == 2:  # mid-file: another connection writes, and must not wait
                other = sqlite3.connect(path, timeout=0)
                try:
                    other.execute("BEGIN IMMEDIATE")
                    other.execute(
                        "INSERT INTO blocklist (workspace_id, phone, reason, created_at) "
                        "VALUES (?, '+8613900000000', 'other', '2026-12-01 00:00:00')",
                        (ws,),
                    )
                    other.execute("COMMIT")
                    writes.append("committed")
                finally:
                    other.close()
            yield row

    monkeypatch.setattr(task_new, "iter_rows", rows_with_a_write_between)
    r = console.operator.post("/tasks/new/check", data=form)
    assert r.status_code == 200, r.text
    assert writes == ["committed"]
    assert _shown(r.text)["valid"] == 4
    assert _sizes(console) == before


def test_the_check_refuses_what_creating_refuses(console, monkeypatch):
    form, _ = _form(console, name="太多")
    monkeypatch.setattr(console.app.state.voxdial.settings, "max_request_rows", 5)
    before = _sizes(console)
    r = console.operator.post("/tasks/new/check", data=form)
    assert r.status_code == 200
    assert "over the limit of 5 per request" in r.text
    assert 'data-testid="check-valid"' not in r.text
    r = console.operator.post("/tasks/new", data=form, follow_redirects=False)
    assert "over the limit of 5 per request" in r.text
    assert _sizes(console) == before
    # and an unknown assistant version, beside its field, without writing
    r = console.operator.post("/tasks/new/check", data={**form, "assistant": "99999"})
    assert "no such assistant version" in r.text
    assert _sizes(console) == before
