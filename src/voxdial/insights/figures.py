"""The figures a task's summary and advice are written from, read with a handful of
aggregate queries over the task's calls (run when the insight is refreshed, not on
every task read)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
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

    @property
    def connect_rate(self) -> float:
        return self.answered / self.called if self.called else 0.0

    @property
    def collection_rate(self) -> float:
        return self.collected / self.answered if self.answered else 0.0


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
    ended = [Call.task_id == task.id, Call.end_at.is_not(None)]
    for reason, n in s.execute(
        select(Call.hangup_reason, func.count()).where(*ended).group_by(Call.hangup_reason)
    ):
        f.outcomes[reason or "failed"] += n
    f.attempts = sum(f.outcomes.values())
    for level, n in s.execute(
        select(Call.intent_level, func.count()).where(*ended).group_by(Call.intent_level)
    ):
        if level:
            f.intents[level] += n
    tz = ZoneInfo(zone)
    # per-call detail for hours and hang-up points, from the latest calls (a sample
    # that bounds the cost of a refresh on very large tasks)
    for start_at, reason, extra in s.execute(
        select(Call.start_at, Call.hangup_reason, Call.extra)
        .where(*ended)
        .order_by(Call.id.desc())
        .limit(DETAIL_SAMPLE)
    ):
        hour = start_at.astimezone(tz).hour
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
