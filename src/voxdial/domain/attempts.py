"""The attempt policy: what a finished call means for its number and its task.

Pure rules, no database: whether the number is final, when it is tried again (a retry
after `retryInterval`, the callee's "call me later" inside the windows, or at once after
a call its worker lost), the answers
kept across its calls, what the call adds to the task's counters, what the task insight
reads of the conversation, and when a running task ends. The dialer reads the rows,
asks these functions, and writes what they decided.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from voxdial.domain.outcomes import CARRIER_FAILURES, is_final
from voxdial.domain.schedule import Schedule
from voxdial.domain.status import HangupReason, NumberState, TaskStatus

MAX_CALLBACKS = 2  # "call me later" honoured this many times per number
# Calls cut by a lost worker redialled per number without using up a retry or a daily
# attempt; past this an interruption counts as a failed attempt, so a number whose calls
# keep bringing their worker down still ends.
MAX_FREE_INTERRUPTIONS = 3
CALLBACK_DEFAULT_DELAY = timedelta(hours=2)  # when the callee names no time
CALLBACK_MIN_DELAY = timedelta(minutes=5)
# An engine's NOTE on a question for the knowledge: "knowledge hit: ..." or, when the
# knowledge could not answer it, "knowledge miss: ...".
KNOWLEDGE_NOTE = "knowledge "
KNOWLEDGE_MISS = "knowledge miss: "


@dataclass
class Policy:
    """A worker's limits, from its settings."""

    lease_seconds: float = 300.0
    daily_cap: int = 3  # attempts per number per local day across the workspace; 0: off
    breaker_threshold: int = 20  # consecutive carrier failures that stop a task
    caller_id: str = ""

    def breaker_tripped(self, consecutive_failures: int) -> bool:
        return consecutive_failures >= self.breaker_threshold


@dataclass(slots=True)
class Held:
    """What earlier calls left on a number that is in flight."""

    last_outcome: str | None
    callbacks: int
    collected: list[dict[str, Any]]
    interrupted: int = 0  # earlier calls cut by a lost worker that used up no retry


@dataclass(slots=True)
class Attempt:
    """A finished call, as the policy sees it."""

    outcome: HangupReason
    attempt: int  # 1 for the number's first call
    ended_at: datetime
    phone: str = ""
    collect: list[dict[str, Any]] = field(default_factory=list)  # this call's answers
    callback: bool = False  # the callee asked to be called later
    callback_at: datetime | None = None  # ... at this time, if they named one
    block: bool = False  # the callee asked not to be called again
    recovered: bool = False  # closed by lease recovery: its worker was lost


@dataclass(slots=True)
class Decision:
    """What becomes of the number after an attempt."""

    final: bool
    # when it is due again; None when final, or due at once like a number not dialled yet
    next_at: datetime | None
    callbacks: int  # callbacks honoured so far, this one included
    collected: list[dict[str, Any]]  # its answers across all its calls
    interrupted: int = 0  # interrupted calls that used up no retry, this one included
    # the attempt is given back to the number's daily cap (it was cut, not made)
    refund_daily: bool = False

    @property
    def state(self) -> NumberState:
        return NumberState.DONE if self.final else NumberState.PENDING


def decide(
    a: Attempt, *, before: Held, schedule: Schedule, retry_count: int, retry_minutes: int
) -> Decision:
    """Final or not, and when next: a call its worker lost (interrupted, at most
    MAX_FREE_INTERRUPTIONS per number) at once, as a number not dialled yet (first in
    line, inside the windows), using up neither a retry nor a daily attempt; a "call me
    later" (at most MAX_CALLBACKS per number, never after a block) at the named time or
    after CALLBACK_DEFAULT_DELAY, no sooner than CALLBACK_MIN_DELAY, at the next open
    window; a retryable outcome with attempts left `retry_minutes` after the call ended,
    moved into the next window. Interrupted calls that were free do not count among the
    attempts."""
    interrupted = a.outcome == HangupReason.INTERRUPTED
    if interrupted and before.interrupted < MAX_FREE_INTERRUPTIONS:
        return Decision(
            False, None, before.callbacks, before.collected, before.interrupted + 1, True
        )
    # past the free ones, an interruption is a failed attempt like any other
    outcome = HangupReason.FAILED if interrupted else a.outcome
    attempts = a.attempt - before.interrupted
    final = is_final(outcome, attempts=attempts, retry_count=retry_count)
    answered = a.outcome == HangupReason.ANSWERED
    callbacks = before.callbacks
    next_at = None
    if answered and a.callback and not a.block and callbacks < MAX_CALLBACKS:
        wanted = a.callback_at or a.ended_at + CALLBACK_DEFAULT_DELAY
        wanted = max(wanted, a.ended_at + CALLBACK_MIN_DELAY)
        next_at = schedule.next_open(wanted)
        if next_at is not None:
            final, callbacks = False, callbacks + 1
    elif not final:
        due = a.ended_at + timedelta(minutes=retry_minutes)
        next_at = schedule.next_open(due) or due
    merged = merge_collected(before.collected, a.collect) if answered else before.collected
    return Decision(final, next_at, callbacks, merged, before.interrupted)


def merge_collected(
    before: list[dict[str, Any]], now: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Answers across a number's calls: a later hit replaces an earlier answer."""
    by_question = {x["question"]: x for x in before}
    for x in now:
        if x["hit"] or x["question"] not in by_question:
            by_question[x["question"]] = x
    return list(by_question.values())


def next_day_open(now: datetime, *, zone: ZoneInfo, schedule: Schedule) -> datetime:
    """Where a number that reached its daily cap goes: the first open window from the
    next local midnight (that midnight itself when the schedule has no later window)."""
    tomorrow = datetime.combine(
        now.astimezone(zone).date() + timedelta(days=1), datetime.min.time(), tzinfo=zone
    )
    return schedule.next_open(tomorrow) or tomorrow


def local_day(now: datetime, zone: ZoneInfo) -> str:
    """The local date (ISO) a daily attempt cap counts against."""
    return now.astimezone(zone).date().isoformat()


def collect_questions(config: Mapping[str, Any]) -> list[str]:
    """An assistant's `collect` questions, in order."""
    return [q["question"] for q in config.get("collect") or []]


# -- task counters ---------------------------------------------------------------


@dataclass
class TaskDelta:
    """What a batch of finished calls adds to one task's counters."""

    final: int = 0
    calling: int = 0
    called: int = 0
    answered: int = 0
    collected: int = 0
    answers: dict[str, dict[str, int]] = field(default_factory=dict)
    # The failure streak after this batch: None while the batch has only failures (they
    # add `failures_added` to the stored streak), a number once any call went through.
    failures_streak: int | None = None
    failures_added: int = 0
    blocks: list[str] = field(default_factory=list)
    answered_calls: int = 0

    def count(self, a: Attempt, d: Decision, *, before: Held, questions: Sequence[str]) -> None:
        """Add one finished call."""
        self.calling -= 1
        self.final += int(d.final)
        self.called += int(a.attempt == 1)
        if a.recovered or a.outcome == HangupReason.INTERRUPTED:
            pass  # a lost worker says nothing about the carrier
        elif a.outcome not in CARRIER_FAILURES:
            self.failures_streak = 0
        elif self.failures_streak is None:
            self.failures_added += 1  # continues the streak already stored on the task
        else:
            self.failures_streak += 1
        answered = a.outcome == HangupReason.ANSWERED
        # An answered call is final unless the callee asked for a callback, so a number
        # was answered before exactly when its last outcome was, or it has callbacks.
        answered_before = before.last_outcome == HangupReason.ANSWERED or before.callbacks > 0
        if answered:
            self.answered_calls += 1
            if not answered_before:
                self.answered += 1  # a number counts once, however many calls it took
            if a.block:
                self.blocks.append(a.phone)
        if d.final and (answered or answered_before):
            hits = {x["question"] for x in d.collected if x["hit"]}
            if questions and all(q in hits for q in questions):
                self.collected += 1
            for x in d.collected:
                if x["hit"] and x["result"]:
                    per = self.answers.setdefault(x["question"], {})
                    per[x["result"]] = per.get(x["result"], 0) + 1

    def answer_counts(
        self, stored: Mapping[str, Mapping[str, int]] | None
    ) -> dict[str, dict[str, int]]:
        """The task's per-question answer counts with this batch's answers added."""
        merged = {q: dict(v) for q, v in (stored or {}).items()}
        for q, per in self.answers.items():
            into = merged.setdefault(q, {})
            for result, n in per.items():
                into[result] = into.get(result, 0) + n
        return merged


# -- what the insight reads of a conversation --------------------------------------


class Line(Protocol):
    side: str  # "system" | "customer" | "note"
    text: str


class Conversation(Protocol):
    answered_at: datetime | None
    hangup_side: str
    block: bool
    callback: bool
    utterances: Sequence[Line]


def conversation_facts(
    call: Conversation, *, questions: Sequence[str], callback_at: datetime | None = None
) -> dict[str, Any]:
    """Where the callee hung up, what they asked that the knowledge could not answer,
    and whether they asked not to be called again or to be called later (with when the
    next attempt is, if there is one): the task insight reads these from the call."""
    facts: dict[str, Any] = {}
    if call.block:
        facts["block"] = True
    said = [u for u in call.utterances if u.side == "system"]
    if call.answered_at is not None and call.hangup_side == "callee" and said:
        last = said[-1].text
        if last is said[0].text and not any(q in last for q in questions):
            facts["hangup_after"] = "opening"
        else:
            facts["hangup_after"] = next((q for q in questions if q in last), "other")
    misses = [
        u.text[len(KNOWLEDGE_MISS) :]
        for u in call.utterances
        if u.side == "note" and u.text.startswith(KNOWLEDGE_MISS)
    ]
    if misses:
        facts["unanswered_questions"] = misses[:5]
    if call.callback:
        facts["callback_at"] = callback_at.isoformat() if callback_at else None
    return facts


# -- task end states --------------------------------------------------------------


@dataclass(frozen=True)
class TaskEnd:
    status: TaskStatus
    reason: str | None = None


def task_end(
    *,
    consecutive_failures: int,
    assistant_deleted: bool,
    final_num: int,
    total: int,
    calling_num: int,
    schedule: Schedule,
    now: datetime,
    policy: Policy,
) -> TaskEnd | None:
    """Whether a running task ends now, in this order: the carrier breaker tripped or
    its assistant was deleted (stop.abnormal), every number is final and none is in
    flight (done), or nothing is in flight and no window opens again (stop.timeout)."""
    if policy.breaker_tripped(consecutive_failures):
        return TaskEnd(
            TaskStatus.STOP_ABNORMAL,
            f"carrier failing: {consecutive_failures} calls in a row failed; "
            "check the carrier, then resume the task",
        )
    if assistant_deleted:
        return TaskEnd(TaskStatus.STOP_ABNORMAL, "the task's assistant was deleted")
    if final_num >= total and calling_num == 0:
        return TaskEnd(TaskStatus.DONE)
    if calling_num == 0 and schedule.next_open(now) is None:
        return TaskEnd(TaskStatus.STOP_TIMEOUT, "the schedule ended with numbers unfinished")
    return None
