"""Inbound calls: which assistant answers a number of ours, and which task number a
caller is, when a task of the same workspace dialled them before (a callback).

Numbers here are E.164, as the API's normalizer writes them (bindings, task numbers,
call records); the callers normalize what a carrier sent before asking.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxdial.store.models import Assistant, AssistantVersion, InboundNumber, Task, TaskNumber


@dataclass(frozen=True, slots=True)
class Binding:
    workspace_id: int
    assistant_id: int
    number: str


@dataclass(frozen=True, slots=True)
class Callback:
    """The task number a caller was dialled as: the most recent task's."""

    task_id: int
    task_number_id: int


def binding_of(s: Session, number: str) -> Binding | None:
    """The binding of one of our numbers, if its assistant still exists."""
    row = s.execute(
        select(InboundNumber.workspace_id, InboundNumber.assistant_id)
        .join(Assistant, Assistant.id == InboundNumber.assistant_id)
        .where(InboundNumber.number == number, Assistant.deleted_at.is_(None))
    ).first()
    return None if row is None else Binding(row.workspace_id, row.assistant_id, number)


def bound_version(s: Session, binding: Binding) -> tuple[Assistant, AssistantVersion] | None:
    """The bound assistant and its current version."""
    row = s.execute(
        select(Assistant, AssistantVersion)
        .join(AssistantVersion, AssistantVersion.id == Assistant.current_version_id)
        .where(
            Assistant.id == binding.assistant_id,
            Assistant.workspace_id == binding.workspace_id,
            Assistant.deleted_at.is_(None),
        )
    ).first()
    return None if row is None else (row.Assistant, row.AssistantVersion)


def callback_of(s: Session, *, workspace_id: int, caller: str) -> Callback | None:
    """The task number of the workspace's most recent task that holds `caller`."""
    if not caller:
        return None
    row = s.execute(
        select(TaskNumber.task_id, TaskNumber.id)
        .join(Task, Task.id == TaskNumber.task_id)
        .where(Task.workspace_id == workspace_id, TaskNumber.phone == caller)
        .order_by(Task.id.desc())
        .limit(1)
    ).first()
    return None if row is None else Callback(row.task_id, row.id)
