"""The calls table's filters (task, outcome, intent, answered, who answered, day, phone
digits), shared
by the task detail and the calls page. Bad filter values are dropped, not errors: the
form can only send known ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxdial.domain.status import HangupReason
from voxdial.store.models import Call

PAGE = 20
INTENTS = ("A", "B", "C", "D", "E")
OUTCOMES = tuple(r.value for r in HangupReason)
# Who answered, as answer detection decided (the call's `extra.answer.outcome`,
# voice/answering.py): a filter value -> the outcomes it stands for.
CARRIER_ANSWERS = ("powered_off", "vacant", "suspended", "busy", "unreachable", "no_answer")
ANSWERED_BY: dict[str, tuple[str, ...]] = {
    "person": ("human",),
    "machine": ("voicemail", *CARRIER_ANSWERS),
    "voicemail": ("voicemail",),
    "announcement": CARRIER_ANSWERS,
    "unknown": ("unknown",),
}


@dataclass
class CallFilter:
    outcome: str = ""
    intent: str = ""
    answered: str = ""  # "yes" | "no" | ""
    by: str = ""  # who answered: a key of ANSWERED_BY | ""
    day: str = ""  # YYYY-MM-DD, the workspace's day
    phone: str = ""  # digits anywhere in the callee's number
    kind: str = ""  # "phone" | "privateTest" | "" (the calls page)
    page: int = 1

    @classmethod
    def from_query(cls, q: Any) -> CallFilter:
        f = cls(
            outcome=q.get("outcome", "") if q.get("outcome") in OUTCOMES else "",
            intent=q.get("intent", "") if q.get("intent") in INTENTS else "",
            answered=q.get("answered", "") if q.get("answered") in ("yes", "no") else "",
            by=q.get("by", "") if q.get("by") in ANSWERED_BY else "",
            day=q.get("day", "") if re.fullmatch(r"\d{4}-\d{2}-\d{2}", q.get("day", "")) else "",
            phone=re.sub(r"\D", "", q.get("phone", ""))[:20],
            kind=q.get("kind", "") if q.get("kind") in ("phone", "privateTest") else "",
        )
        try:
            f.page = max(1, min(100_000, int(q.get("page", "1"))))
        except ValueError:
            f.page = 1
        return f

    def query_string(self, **changes: Any) -> str:
        from urllib.parse import urlencode

        values = {k: v for k, v in {**self.__dict__, **changes}.items() if v not in ("", 1)}
        return urlencode(values)


def list_calls(
    s: Session, *, workspace_id: int, tz: str, f: CallFilter, task_id: int | None = None
) -> tuple[list[Call], int]:
    where = [Call.workspace_id == workspace_id]
    if task_id is not None:
        where.append(Call.task_id == task_id)
    if f.outcome:
        where.append(Call.hangup_reason == f.outcome)
    if f.intent:
        where.append(Call.intent_level == f.intent)
    if f.answered == "yes":
        where.append(Call.answer_at.is_not(None))
    elif f.answered == "no":
        where.append(Call.answer_at.is_(None))
    if f.by:
        where.append(Call.extra[("answer", "outcome")].as_string().in_(ANSWERED_BY[f.by]))
    if f.kind:
        where.append(Call.description == f.kind)
    if f.day:
        try:
            d = date.fromisoformat(f.day)
            start = datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(tz))
            where += [Call.start_at >= start, Call.start_at < start + timedelta(days=1)]
        except ValueError:
            pass
    if f.phone:
        where.append(Call.callee.like(f"%{f.phone}%"))
    total = s.execute(select(func.count()).select_from(Call).where(*where)).scalar_one()
    calls = (
        s.execute(
            select(Call)
            .where(*where)
            .order_by(Call.start_at.desc(), Call.id.desc())
            .offset((f.page - 1) * PAGE)
            .limit(PAGE)
        )
        .scalars()
        .all()
    )
    return list(calls), total
