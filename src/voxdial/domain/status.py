"""Task status and its allowed transitions (API.md, "Task detail")."""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    STOP_OPERATE = "stop.operate"
    STOP_TIMEOUT = "stop.timeout"
    STOP_ABNORMAL = "stop.abnormal"
    DONE = "done"


# What an operator may ask for from each status. The dialer moves tasks to
# done / stop.timeout / stop.abnormal itself.
OPERATOR_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.PENDING: frozenset({TaskStatus.RUNNING, TaskStatus.STOP_OPERATE}),
    TaskStatus.RUNNING: frozenset({TaskStatus.STOP_OPERATE}),
    TaskStatus.STOP_OPERATE: frozenset({TaskStatus.RUNNING}),
    TaskStatus.STOP_TIMEOUT: frozenset({TaskStatus.RUNNING}),
    TaskStatus.STOP_ABNORMAL: frozenset({TaskStatus.RUNNING}),
    TaskStatus.DONE: frozenset(),
}

EDITABLE = frozenset(
    {TaskStatus.PENDING, TaskStatus.STOP_OPERATE, TaskStatus.STOP_TIMEOUT, TaskStatus.STOP_ABNORMAL}
)


def can_transition(current: TaskStatus, wanted: TaskStatus) -> bool:
    return wanted in OPERATOR_TRANSITIONS[current]


class NumberState(StrEnum):
    """Where one number of a task stands."""

    PENDING = "pending"  # waiting for its first or next attempt
    CALLING = "calling"  # an attempt is in flight
    DONE = "done"  # final outcome reached
    REJECTED = "rejected"  # never dialled: blocked at dial time


class HangupReason(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    REFUSED = "refused"
    POWERED_OFF = "powered_off"
    UNREACHABLE = "unreachable"
    VACANT = "vacant"
    SUSPENDED = "suspended"
    VOICEMAIL = "voicemail"
    BLOCKED = "blocked"
    FAILED = "failed"
    # the call's worker was lost mid-call (killed, crashed, restarted): nobody knows how
    # the call ended, so it is dialled again without using up a retry (domain/attempts)
    INTERRUPTED = "interrupted"


class RejectReason(StrEnum):
    INVALID = "invalid"
    DUPLICATE = "duplicate"
    BLOCKED = "blocked"
