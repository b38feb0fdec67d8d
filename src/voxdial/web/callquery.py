"""The calls table's filters (task, outcome, intent, answered, who answered, transferred,
keys, day, phone digits), shared by the task detail and the calls page, combined in one
query and paged in it. Bad filter values are dropped, not errors: the form can only
send known ones."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, not_, select
from sqlalchemy.orm import Session

from voxdial.domain.status import HangupReason
from voxdial.store.models import Call, CallTrace

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

# A transfer to a person (the `transfer.*` calltrace lines voice/session.py writes):
# asked for at all, went through, or asked for and did not (failed, no agent answered,
# the call ended first).
TRANSFERRED = ("any", "connected", "failed")
# Keys (`dtmf` lines, docs/keys.md): pressed by the callee, sent by the assistant, either.
KEYS = ("pressed", "sent", "any")
# the direction as voice/keypad.py's `trace_text` (json.dumps) writes it in the line
_KEY_DIRECTION = {
    "pressed": json.dumps({"direction": "in"})[1:-1],
    "sent": json.dumps({"direction": "out"})[1:-1],
}


def filter_choices() -> dict[str, Any]:
    """The values the filter forms offer, for their templates."""
    return {
        "outcomes": OUTCOMES,
        "answered_by": tuple(ANSWERED_BY),
        "intents": INTENTS,
        "transferred": TRANSFERRED,
        "key_filters": KEYS,
    }


@dataclass
class CallFilter:
    outcome: str = ""
    intent: str = ""
    answered: str = ""  # "yes" | "no" | ""
    by: str = ""  # who answered: a key of ANSWERED_BY | ""
    transfer: str = ""  # one of TRANSFERRED | ""
    keys: str = ""  # one of KEYS | ""
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
            transfer=q.get("transfer", "") if q.get("transfer") in TRANSFERRED else "",
            keys=q.get("keys", "") if q.get("keys") in KEYS else "",
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
    if f.transfer:
        where.append(_transferred(f.transfer))
    if f.keys:
        where.append(_keyed(f.keys))
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


def _line(*conditions: Any) -> Any:
    """The call has a calltrace line matching `conditions` (an EXISTS on the trace's
    call_id index, correlated to the calls being listed)."""
    return exists().where(CallTrace.call_id == Call.id, *conditions)


def _transferred(value: str) -> Any:
    asked = _line(CallTrace.event == "transfer.requested")
    connected = _line(CallTrace.event == "transfer.connected")
    if value == "connected":
        return connected
    if value == "failed":
        return and_(asked, not_(connected))
    return asked


def _keyed(value: str) -> Any:
    if value == "any":
        return _line(CallTrace.event == "dtmf")
    return _line(
        CallTrace.event == "dtmf",
        CallTrace.content.contains(_KEY_DIRECTION[value], autoescape=True),
    )
