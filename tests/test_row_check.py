"""`numbers.check.check_rows` counts a file's rows as importing them into a new task
does: the same valid, invalid, duplicate and blocked counts and the same first rejects,
for random files (repeats within and across batches, blocked phones, bad cells) created
for real through the API on SQLite and PostgreSQL; and it reads nothing but its rows and
the block-list lookups it is given."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from tests.support.api import OPTION, create_assistant, csv_bytes, upload
from voxdial.domain.phone import PhoneNormalizer
from voxdial.numbers import importer
from voxdial.numbers.check import check_rows
from voxdial.numbers.importer import ColumnMap
from voxdial.store.models import BlockedNumber, Task, TaskReject, Workspace

BLOCKED = ["13900000001", "13900000002", "13900000003"]


def random_rows(seed: int, n: int) -> list[list[str]]:
    rng = random.Random(seed)
    pool = [f"1390000{i:04d}" for i in range(n // 3)] + BLOCKED
    bad = ["", "12345", "abc", "+1 000", "1390000000000000"]
    rows = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.15:
            phone = rng.choice(bad)
        else:
            phone = rng.choice(pool)
            if rng.random() < 0.3:  # the same number, written another way
                phone = f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"
        rows.append([phone, f"客户{i}", ""])
    return rows


@pytest.mark.parametrize(("seed", "batch"), [(1, 7), (2, 50), (3, importer.BATCH)])
def test_check_rows_counts_what_the_import_gives(env, monkeypatch, seed, batch):
    monkeypatch.setattr(importer, "BATCH", batch)
    rows = random_rows(seed, 400)
    with env.db.session() as s:
        ws = s.execute(select(Workspace.id).where(Workspace.name == "acme")).scalar_one()
        s.add_all(BlockedNumber(workspace_id=ws, phone="+86" + p) for p in BLOCKED)
        s.commit()
    lookups: list[int] = []

    def blocked(phones: list[str]) -> set[str]:
        lookups.append(len(phones))
        return {p for p in phones if p[3:] in BLOCKED}

    got = check_rows(
        enumerate(rows, 2),  # row 1 is the header, as the reader numbers them
        columns=ColumnMap.from_meta(OPTION["numberFileMeta"]),
        normalizer=PhoneNormalizer("CN"),
        blocked=blocked,
        keep=50,
    )
    assert lookups, "the block list was never asked"

    r = upload(env.client, csv_bytes(rows))
    assert r.status_code == 201, r.text
    aid = create_assistant(env.client)["id"]
    r = env.client.post(
        "/openapi/tasks",
        json={
            "name": "对照",
            "assistantId": aid,
            "option": {**OPTION, "numbers": [r.json()["id"]]},
        },
    )
    assert r.status_code == 201, r.text
    task_id = r.json()["id"]
    with env.db.session() as s:
        task = s.get(Task, task_id)
        by_reason = dict(
            s.execute(
                select(TaskReject.reason, func.count())
                .where(TaskReject.task_id == task_id)
                .group_by(TaskReject.reason)
            ).all()
        )
        first = s.execute(
            select(TaskReject.row_no, TaskReject.value, TaskReject.reason, TaskReject.detail)
            .where(TaskReject.task_id == task_id)
            .order_by(TaskReject.id)
            .limit(50)
        ).all()
    assert (got.valid, got.invalid, got.duplicate, got.blocked) == (
        task.total,
        by_reason.get("invalid", 0),
        by_reason.get("duplicate", 0),
        by_reason.get("blocked", 0),
    )
    assert got.blocked > 0 and got.duplicate > 0 and got.invalid > 0  # every rule was met
    assert [(x.row, x.value, x.reason, x.detail) for x in got.first_rejects] == [
        tuple(f) for f in first
    ]


def test_without_a_block_list_nothing_is_looked_up():
    rows = [[p, "", ""] for p in ("13912345678", "13912345678", "x", "+8613912345679")]
    got = check_rows(
        enumerate(rows, 2),
        columns=ColumnMap.from_meta(OPTION["numberFileMeta"]),
        normalizer=PhoneNormalizer("CN"),
        blocked=None,
    )
    assert (got.valid, got.invalid, got.duplicate, got.blocked) == (2, 1, 1, 0)
    assert [(x.row, x.reason) for x in got.first_rejects] == [(4, "invalid"), (3, "duplicate")]
