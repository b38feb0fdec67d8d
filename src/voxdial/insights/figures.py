"""The figures a task's summary and advice are written from, read with a handful of
aggregate queries over the task's calls (run when the insight is refreshed, not on
every task read)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from voxdial.store.models import Call, Task

DETAIL_SAMPLE = 20_000


@dataclass
class TaskFigures:
    total: int
    final: int
    called: int  # numbers called at least once
    answered: int  # numbers answered at least once
    collected: int  # numbers with every question answered
    attempts: int
    outcomes: Counter[str] = field(default_factory=Counter)  # hangup_reason -> calls
    intents: Counter[str] = field(default_factory=Counter)  # A..E -> calls
    answers: dict[str, dict[str, int]] = field(default_factory=dict)
    questions: list[dict] = field(default_factory=list)  # the collect questions
    hour_attempts: Counter[int] = field(default_factory=Counter)  # local hour -> calls
    hour_answered: Counter[int] = field(default_factory=Counter)
    hangup_after: Counter[str] = field(default_factory=Counter)  # "opening" | question
    unanswered_questions: Counter[str] = field(default_factory=Counter)
    blocked_requests: int = 0
    callbacks: int = 0
    welcome_chars: int = 0
    retry_count: int = 0
    retry_interval: int = 0
    windows: list[list[str]] = field(default_factory=list)
    first_attempts: int = 0  # ended calls that were a number's first attempt
    first_answered: int = 0
    retry_attempts: int = 0  # ended calls that were a retry (attempt > 1)
    retry_answered: int = 0

    @property
    def connect_rate(self) -> float:
        return self.answered / self.called if self.called else 0.0

    @property
    def collection_rate(self) -> float:
        return self.collected / self.answered if self.answered else 0.0

    @property
    def first_rate(self) -> float:
        return self.first_answered / self.first_attempts if self.first_attempts else 0.0

    @property
    def retry_rate(self) -> float:
        return self.retry_answered / self.retry_attempts if self.retry_attempts else 0.0


def read_figures(s: Session, task: Task, *, config: dict, zone: str) -> TaskFigures:
    f = TaskFigures(
        total=task.total,
        final=task.final_num,
        called=task.called_num,
        answered=task.answered_num,
        collected=task.collected_num,
        attempts=0,
        answers=task.answer_counts or {},
        questions=list(config.get("collect") or []),
        welcome_chars=len(config.get("welcome") or ""),
        retry_count=int(task.option.get("retryCount") or 0),
        retry_interval=int(task.option.get("retryInterval") or 0),
        windows=list(task.option.get("startTime") or []),
    )
    # Outcomes and intent levels in one pass over the task's ended calls, read from the
    # ix_calls_task_ended index alone; outcomes in order (as SQLite's GROUP BY gave them).
    keys = (Call.hangup_reason, Call.intent_level)
    for reason, level, n in s.execute(
        select(*keys, func.count())
        .where(Call.task_id == task.id, Call.end_at.is_not(None))
        .group_by(*keys)
        .order_by(*(k.asc().nulls_first() for k in keys))
    ):
        f.outcomes[reason or "failed"] += n
        if level:
            f.intents[level] += n
    f.attempts = sum(f.outcomes.values())
    _read_retries(s, f, task_id=task.id)
    _read_detail(s, f, task_id=task.id, tz=ZoneInfo(zone))
    return f


def _read_retries(s: Session, f: TaskFigures, *, task_id: int) -> None:
    """First attempts and retries, and how many of each were answered."""
    retry = case((Call.attempt > 1, 1), else_=0)
    answered = func.sum(case((Call.hangup_reason == "answered", 1), else_=0))
    for is_retry, n, ok in s.execute(
        select(retry, func.count(), answered)
        .where(Call.task_id == task_id, Call.end_at.is_not(None))
        .group_by(retry)
    ):
        if is_retry:
            f.retry_attempts, f.retry_answered = int(n), int(ok or 0)
        else:
            f.first_attempts, f.first_answered = int(n), int(ok or 0)


def _read_detail(s: Session, f: TaskFigures, *, task_id: int, tz: ZoneInfo) -> None:
    """Hours and hang-up points from the latest calls (a sample that bounds the cost of
    a refresh on very large tasks), aggregated by the database: one row per minute,
    outcome and the call's facts instead of one per call. Groups come newest first
    (by their latest call), so the counters meet their keys in the same order as a
    newest-first walk over the calls would, and ties in `most_common` fall the same way.
    """
    pg = s.get_bind().dialect.name == "postgresql"
    sample = (
        select(Call.id, Call.start_at, Call.hangup_reason, Call.extra)
        .where(Call.task_id == task_id, Call.end_at.is_not(None))
        .order_by(Call.id.desc())
        .limit(DETAIL_SAMPLE)
        .subquery()
    )
    extra = sample.c.extra
    # Whole minutes: every time zone in use is a whole number of minutes off UTC, so a
    # call's local hour is its UTC minute's local hour. SQLite keeps times as
    # "YYYY-MM-DD HH:MM:SS.ffffff" in UTC.
    minute = (
        func.date_trunc("minute", sample.c.start_at)
        if pg
        else func.substr(sample.c.start_at, 1, 16)
    )
    hangup_after = extra["hangup_after"].as_string()
    block = extra["block"].as_boolean()
    callback = _has_key(extra, "callback_at", pg)
    asked = extra["unanswered_questions"].as_string()  # the list's JSON text, or NULL
    latest = func.max(sample.c.id)
    keys = (minute, sample.c.hangup_reason, hangup_after, block, callback, asked)
    rows = s.execute(
        select(*keys, func.count(), latest).group_by(*keys).order_by(latest.desc())
    ).all()
    for at, reason, after, blocked, called_back, questions, n, _ in rows:
        if not isinstance(at, datetime):
            at = datetime.fromisoformat(at).replace(tzinfo=UTC)
        hour = at.astimezone(tz).hour
        f.hour_attempts[hour] += n
        if reason == "answered":
            f.hour_answered[hour] += n
        if after:
            f.hangup_after[after] += n
        if blocked:
            f.blocked_requests += n
        if called_back:
            f.callbacks += n
        if questions:
            for q in json.loads(questions) or []:
                f.unanswered_questions[q] += n


def _has_key(extra, key: str, pg: bool):
    """Whether a call's `extra` object has `key`, whatever its value (null included)."""
    if pg:
        return extra[key].is_not(None)  # extra -> 'key': SQL NULL only when missing
    return func.json_type(extra, f"$.{key}").is_not(None)
