"""The insight's figures, read with aggregate queries, against a plain walk over the
task's call rows (newest first), on SQLite and PostgreSQL: the same counts, and the
counters meet their keys in the same order (ties in `most_common` fall the same way)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.support.dialer import make_task, phones
from voxdial.insights import figures
from voxdial.insights.figures import TaskFigures, read_figures
from voxdial.store.db import Database
from voxdial.store.models import Call, Task

REASONS = ["answered", "answered", "no_answer", "busy", "vacant", "refused", None]
LEVELS = ["A", "B", "C", "D", "E", None]
EXTRAS = [
    "unset",  # SQL NULL
    None,  # JSON null
    {},
    {"persona": "cooperative"},
    {"hangup_after": "opening"},
    {"hangup_after": "您对我们的服务满意吗？"},
    {"hangup_after": "other", "block": True},
    {"hangup_after": ""},
    {"block": True},
    {"callback_at": None},
    {"callback_at": "2026-06-15T09:00:00+00:00"},
    {"unanswered_questions": ["几点营业？", "在哪里？"]},
    {"unanswered_questions": ["在哪里？", "几点营业？"], "hangup_after": "opening"},
    {"unanswered_questions": []},
    {"unanswered_questions": None},
]


@pytest.fixture
def db(db_url):
    d = Database(db_url)
    yield d
    d.dispose()


def add_calls(db: Database, task_id: int, workspace_id: int, count: int, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 3, 7, 20, 0, tzinfo=UTC)  # across a DST change in New York
    with db.session() as s:
        for i in range(count):
            at = start + timedelta(seconds=rng.randrange(0, 3 * 24 * 3600))
            ended = rng.random() > 0.1
            c = Call(
                session_id=f"{seed}-{i}",
                workspace_id=workspace_id,
                task_id=task_id,
                callee="+8613800000000",
                start_at=at,
                end_at=at + timedelta(seconds=30) if ended else None,
                hangup_reason=rng.choice(REASONS),
                intent_level=rng.choice(LEVELS),
                attempt=rng.choice([1, 1, 2, 3]),
            )
            extra = rng.choice(EXTRAS)
            if extra != "unset":
                c.extra = extra
            s.add(c)
        s.commit()


def walk(db: Database, task_id: int, zone: str) -> TaskFigures:
    """The figures from every ended call row, newest first."""
    f = TaskFigures(total=0, final=0, called=0, answered=0, collected=0, attempts=0)
    tz = ZoneInfo(zone)
    with db.session() as s:
        rows = s.execute(
            select(Call.start_at, Call.hangup_reason, Call.intent_level, Call.extra, Call.attempt)
            .where(Call.task_id == task_id, Call.end_at.is_not(None))
            .order_by(Call.id.desc())
        ).all()
    for _, reason, level, _, attempt in sorted(rows, key=lambda r: r[1] or ""):
        f.outcomes[reason or "failed"] += 1
        if level:
            f.intents[level] += 1
        if attempt > 1:
            f.retry_attempts += 1
            f.retry_answered += reason == "answered"
        else:
            f.first_attempts += 1
            f.first_answered += reason == "answered"
    f.attempts = len(rows)
    for at, reason, _, extra, _ in rows[: figures.DETAIL_SAMPLE]:
        hour = at.astimezone(tz).hour
        f.hour_attempts[hour] += 1
        if reason == "answered":
            f.hour_answered[hour] += 1
        extra = extra or {}
        if extra.get("hangup_after"):
            f.hangup_after[extra["hangup_after"]] += 1
        for q in extra.get("unanswered_questions") or []:
            f.unanswered_questions[q] += 1
        f.blocked_requests += int(bool(extra.get("block")))
        f.callbacks += int("callback_at" in extra)
    return f


def in_order(c: Counter) -> list:
    return list(c.items())


@pytest.mark.parametrize("sample", [None, 37])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Kathmandu", "America/New_York"])
def test_figures_match_a_walk_over_the_calls(db, monkeypatch, zone, sample):
    if sample is not None:
        monkeypatch.setattr(figures, "DETAIL_SAMPLE", sample)
    ours = make_task(db, phones(3))
    other = make_task(db, phones(3, seed=2))
    add_calls(db, ours.id, ours.workspace_id, 400, seed=1)
    add_calls(db, other.id, other.workspace_id, 50, seed=2)
    with db.session() as s:
        task = s.get(Task, ours.id)
        got = read_figures(s, task, config={}, zone=zone)
    want = walk(db, ours.id, zone)
    assert got.attempts == want.attempts
    assert in_order(got.outcomes) == in_order(want.outcomes)
    assert dict(got.intents) == dict(want.intents)
    assert dict(got.hour_attempts) == dict(want.hour_attempts)
    assert dict(got.hour_answered) == dict(want.hour_answered)
    assert in_order(got.hangup_after) == in_order(want.hangup_after)
    assert in_order(got.unanswered_questions) == in_order(want.unanswered_questions)
    assert (got.blocked_requests, got.callbacks) == (want.blocked_requests, want.callbacks)
    assert (got.first_attempts, got.first_answered, got.retry_attempts, got.retry_answered) == (
        want.first_attempts, want.first_answered, want.retry_attempts, want.retry_answered
    )  # fmt: skip
    assert got.retry_attempts and got.retry_answered and got.first_answered
    assert got.hangup_after and got.unanswered_questions and got.callbacks
