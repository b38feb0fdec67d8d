"""The attempt policy (voxdial.domain.attempts) as tables, without a database: final
or not, retry and callback times, answers kept across calls, counter deltas, what the
insight reads of a conversation, and when a running task ends.

Schedules are in Asia/Shanghai (UTC+8, no DST) with windows 09:00-12:00 and
14:00-18:00 local, i.e. 01:00-04:00 and 06:00-10:00 UTC. 2026-06-15 is a Monday.
Instants are UTC; the comments give the local wall time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from voxdial.domain.attempts import (
    CALLBACK_DEFAULT_DELAY,
    CALLBACK_MIN_DELAY,
    MAX_CALLBACKS,
    MAX_FREE_INTERRUPTIONS,
    Attempt,
    Decision,
    Held,
    Policy,
    TaskDelta,
    collect_questions,
    conversation_facts,
    decide,
    local_day,
    merge_collected,
    next_day_open,
    task_end,
)
from voxdial.domain.schedule import Schedule
from voxdial.domain.status import HangupReason as R
from voxdial.domain.status import NumberState, TaskStatus

SH = "Asia/Shanghai"
WORK = [["09:00", "12:00"], ["14:00", "18:00"]]
SCHEDULES = {
    "open": Schedule.from_option({"timeZone": SH, "startDate": "2026-06-01", "startTime": WORK}),
    # the last calling day is Monday 2026-06-15
    "ends": Schedule.from_option(
        {"timeZone": SH, "startDate": "2026-06-01", "endDate": "2026-06-15", "startTime": WORK}
    ),
    "weekdays": Schedule.from_option(
        {"timeZone": SH, "startDate": "2026-06-01", "startTime": WORK, "weeks": [1, 2, 3, 4, 5]}
    ),
}
Q1, Q2 = "您对我们的服务满意吗？", "您还会再来吗？"


def utc(s: str | None) -> datetime | None:
    return None if s is None else datetime.fromisoformat(s).replace(tzinfo=UTC)


def hit(question: str, result: str = "满意", ok: bool = True) -> dict:
    return {"question": question, "hit": ok, "result": result if ok else "", "message": ""}


# -- final or not, and when next ------------------------------------------------------

# (id, outcome, attempt, retry_count, retry_minutes, ended, callback, callback_at, block,
#  callbacks before, schedule) -> (final, next_at, callbacks after)
DECIDE = [
    # outcomes and attempts left
    ("answered", R.ANSWERED, 1, 2, 30, "2026-06-15T02:00:00", False, None, False, 0, "open",
     True, None, 0),
    ("no-answer-retry", R.NO_ANSWER, 1, 2, 30, "2026-06-15T02:00:00", False, None, False, 0,
     "open", False, "2026-06-15T02:30:00", 0),  # 10:30
    ("no-answer-2nd-of-3", R.NO_ANSWER, 2, 2, 30, "2026-06-15T02:00:00", False, None, False, 0,
     "open", False, "2026-06-15T02:30:00", 0),
    ("no-answer-last", R.NO_ANSWER, 3, 2, 30, "2026-06-15T02:00:00", False, None, False, 0,
     "open", True, None, 0),
    ("busy-no-retries", R.BUSY, 1, 0, 30, "2026-06-15T02:00:00", False, None, False, 0, "open",
     True, None, 0),
    ("powered-off", R.POWERED_OFF, 1, 1, 60, "2026-06-15T02:00:00", False, None, False, 0, "open",
     False, "2026-06-15T03:00:00", 0),
    ("unreachable", R.UNREACHABLE, 1, 1, 0, "2026-06-15T02:00:00", False, None, False, 0, "open",
     False, "2026-06-15T02:00:00", 0),  # retryInterval 0: due at once
    ("voicemail-is-retried", R.VOICEMAIL, 1, 2, 30, "2026-06-15T02:00:00", False, None, False, 0,
     "open", False, "2026-06-15T02:30:00", 0),
    ("failed-is-retried", R.FAILED, 1, 1, 30, "2026-06-15T02:00:00", False, None, False, 0,
     "open", False, "2026-06-15T02:30:00", 0),
    ("vacant-never", R.VACANT, 1, 5, 30, "2026-06-15T02:00:00", False, None, False, 0, "open",
     True, None, 0),
    ("suspended-never", R.SUSPENDED, 1, 5, 30, "2026-06-15T02:00:00", False, None, False, 0,
     "open", True, None, 0),
    ("refused-never", R.REFUSED, 1, 5, 30, "2026-06-15T02:00:00", False, None, False, 0, "open",
     True, None, 0),
    ("blocked-never", R.BLOCKED, 1, 5, 30, "2026-06-15T02:00:00", False, None, False, 0, "open",
     True, None, 0),
    # outcomes the answer detector gives an answered call (voice/answering.py)
    ("voicemail-no-retries", R.VOICEMAIL, 1, 0, 30, "2026-06-15T02:00:00", False, None, False, 0,
     "open", True, None, 0),
    ("voicemail-last", R.VOICEMAIL, 3, 2, 30, "2026-06-15T02:00:00", False, None, False, 0,
     "open", True, None, 0),
    ("powered-off-announcement-last", R.POWERED_OFF, 2, 1, 60, "2026-06-15T02:00:00", False,
     None, False, 0, "open", True, None, 0),
    ("busy-tone-retried", R.BUSY, 1, 1, 30, "2026-06-15T02:00:00", False, None, False, 0,
     "open", False, "2026-06-15T02:30:00", 0),
    ("no-answer-ringback-retried", R.NO_ANSWER, 1, 1, 30, "2026-06-15T02:00:00", False, None,
     False, 0, "open", False, "2026-06-15T02:30:00", 0),
    ("suspended-announcement-never", R.SUSPENDED, 1, 3, 30, "2026-06-15T02:00:00", False, None,
     False, 0, "open", True, None, 0),
    # retry times move into the windows
    ("retry-into-lunch", R.NO_ANSWER, 1, 1, 30, "2026-06-15T03:50:00", False, None, False, 0,
     "open", False, "2026-06-15T06:00:00", 0),  # 11:50 + 30 min = 12:20 -> 14:00
    ("retry-into-tomorrow", R.BUSY, 1, 1, 30, "2026-06-15T09:50:00", False, None, False, 0,
     "open", False, "2026-06-16T01:00:00", 0),  # 17:50 + 30 min -> Tue 09:00
    ("retry-over-weekend", R.BUSY, 1, 1, 30, "2026-06-19T09:50:00", False, None, False, 0,
     "weekdays", False, "2026-06-22T01:00:00", 0),  # Fri 17:50 -> Mon 09:00
    ("retry-past-the-end", R.BUSY, 1, 1, 30, "2026-06-15T09:50:00", False, None, False, 0,
     "ends", False, "2026-06-15T10:20:00", 0),  # no window left: due anyway (stop.timeout)
    # "call me later"
    ("callback-default-delay", R.ANSWERED, 1, 0, 30, "2026-06-15T02:00:00", True, None, False, 0,
     "open", False, "2026-06-15T06:00:00", 1),  # 10:00 + 2 h = 12:00 (closed) -> 14:00
    ("callback-named-time", R.ANSWERED, 1, 0, 30, "2026-06-15T02:00:00", True,
     "2026-06-15T07:00:00", False, 0, "open", False, "2026-06-15T07:00:00", 1),  # 15:00
    ("callback-too-soon", R.ANSWERED, 1, 0, 30, "2026-06-15T02:00:00", True,
     "2026-06-15T02:01:00", False, 0, "open", False, "2026-06-15T02:05:00", 1),
    ("callback-in-the-past", R.ANSWERED, 1, 0, 30, "2026-06-15T02:00:00", True,
     "2026-06-14T02:00:00", False, 0, "open", False, "2026-06-15T02:05:00", 1),
    ("callback-named-at-night", R.ANSWERED, 1, 0, 30, "2026-06-15T02:00:00", True,
     "2026-06-15T14:00:00", False, 0, "open", False, "2026-06-16T01:00:00", 1),  # 22:00
    ("second-callback", R.ANSWERED, 2, 0, 30, "2026-06-15T02:00:00", True, None, False, 1, "open",
     False, "2026-06-15T06:00:00", 2),
    ("callbacks-used-up", R.ANSWERED, 3, 0, 30, "2026-06-15T02:00:00", True, None, False,
     MAX_CALLBACKS, "open", True, None, MAX_CALLBACKS),
    ("callback-and-block", R.ANSWERED, 1, 0, 30, "2026-06-15T02:00:00", True, None, True, 0,
     "open", True, None, 0),
    ("callback-no-window-left", R.ANSWERED, 1, 0, 30, "2026-06-15T09:50:00", True, None, False,
     0, "ends", True, None, 0),
    ("callback-unanswered-is-a-retry", R.NO_ANSWER, 1, 1, 30, "2026-06-15T02:00:00", True, None,
     False, 0, "open", False, "2026-06-15T02:30:00", 0),
]  # fmt: skip


@pytest.mark.parametrize(
    "outcome, attempt, retry_count, retry_minutes, ended, callback, callback_at, block, "
    "callbacks, schedule, final, next_at, callbacks_after",
    [pytest.param(*row[1:], id=row[0]) for row in DECIDE],
)
def test_decide(
    outcome,
    attempt,
    retry_count,
    retry_minutes,
    ended,
    callback,
    callback_at,
    block,
    callbacks,
    schedule,
    final,
    next_at,
    callbacks_after,
):
    a = Attempt(
        outcome=outcome,
        attempt=attempt,
        ended_at=utc(ended),
        callback=callback,
        callback_at=utc(callback_at),
        block=block,
    )
    d = decide(
        a,
        before=Held(None, callbacks, []),
        schedule=SCHEDULES[schedule],
        retry_count=retry_count,
        retry_minutes=retry_minutes,
    )
    assert (d.final, d.next_at, d.callbacks) == (final, utc(next_at), callbacks_after)
    assert d.state == (NumberState.DONE if final else NumberState.PENDING)
    if next_at is not None:
        assert d.next_at > a.ended_at or retry_minutes == 0


# A call its worker lost (interrupted): due again at once, as a number not dialled yet
# (no due time: first in line, and claimed only inside a window), using up neither a
# retry nor a daily attempt, up to MAX_FREE_INTERRUPTIONS per number; the attempts after
# it count without the free interruptions.
# (id, outcome, attempt, retry_count, interruptions before, ended, schedule)
#   -> (final, next_at, interruptions after, daily attempt given back)
INTERRUPTIONS = [
    ("cut-first-call-no-retries", R.INTERRUPTED, 1, 0, 0, "2026-06-15T02:00:00", "open",
     False, None, 1, True),
    ("cut-last-attempt", R.INTERRUPTED, 3, 2, 0, "2026-06-15T02:00:00", "open",
     False, None, 1, True),
    ("cut-again", R.INTERRUPTED, 2, 0, 1, "2026-06-15T02:00:00", "open",
     False, None, 2, True),
    ("cut-at-lunch", R.INTERRUPTED, 1, 0, 0, "2026-06-15T04:10:00", "open",
     False, None, 1, True),  # 12:10: claimed when the 14:00 window opens
    ("cut-no-window-left", R.INTERRUPTED, 1, 0, 0, "2026-06-15T10:20:00", "ends",
     False, None, 1, True),  # never claimed: the task ends stop.timeout
    ("free-cuts-used-up-retry-left", R.INTERRUPTED, 4, 1, MAX_FREE_INTERRUPTIONS,
     "2026-06-15T02:00:00", "open", False, "2026-06-15T02:30:00", MAX_FREE_INTERRUPTIONS,
     False),  # a failed attempt now: retried after retryInterval
    ("free-cuts-used-up-no-retry", R.INTERRUPTED, 4, 0, MAX_FREE_INTERRUPTIONS,
     "2026-06-15T02:00:00", "open", True, None, MAX_FREE_INTERRUPTIONS, False),
    ("answered-after-a-cut", R.ANSWERED, 2, 0, 1, "2026-06-15T02:00:00", "open",
     True, None, 1, False),
    ("no-answer-after-a-cut-keeps-its-retry", R.NO_ANSWER, 2, 1, 1, "2026-06-15T02:00:00",
     "open", False, "2026-06-15T02:30:00", 1, False),
    ("no-answer-after-a-cut-last-retry", R.NO_ANSWER, 3, 1, 1, "2026-06-15T02:00:00", "open",
     True, None, 1, False),
    ("no-answer-without-cuts", R.NO_ANSWER, 2, 1, 0, "2026-06-15T02:00:00", "open",
     True, None, 0, False),
    ("failed-is-not-a-cut", R.FAILED, 1, 0, 0, "2026-06-15T02:00:00", "open",
     True, None, 0, False),
]  # fmt: skip


@pytest.mark.parametrize(
    "outcome, attempt, retry_count, cuts, ended, schedule, final, next_at, cuts_after, refund",
    [pytest.param(*row[1:], id=row[0]) for row in INTERRUPTIONS],
)
def test_decide_interrupted(
    outcome, attempt, retry_count, cuts, ended, schedule, final, next_at, cuts_after, refund
):
    a = Attempt(outcome=outcome, attempt=attempt, ended_at=utc(ended), recovered=True)
    before = Held(R.INTERRUPTED if cuts else None, 1, [hit(Q1, "一般")], cuts)
    d = decide(
        a, before=before, schedule=SCHEDULES[schedule], retry_count=retry_count, retry_minutes=30
    )
    got = (d.final, d.next_at, d.interrupted, d.refund_daily)
    assert got == (final, utc(next_at), cuts_after, refund)
    # a cut call leaves the number's callbacks and answers as they were
    assert (d.callbacks, d.collected) == (1, [hit(Q1, "一般")])


def test_callback_delays_keep_their_documented_values():
    assert CALLBACK_DEFAULT_DELAY == timedelta(hours=2)
    assert CALLBACK_MIN_DELAY == timedelta(minutes=5)
    assert MAX_CALLBACKS == 2
    assert MAX_FREE_INTERRUPTIONS == 3


# -- answers across a number's calls ---------------------------------------------------

MERGE = [
    ("first-call", [], [hit(Q1)], [hit(Q1)]),
    ("later-hit-replaces", [hit(Q1, "一般")], [hit(Q1, "满意")], [hit(Q1, "满意")]),
    ("miss-keeps-earlier-hit", [hit(Q1, "一般")], [hit(Q1, ok=False)], [hit(Q1, "一般")]),
    ("miss-of-a-new-question", [hit(Q1)], [hit(Q2, ok=False)], [hit(Q1), hit(Q2, ok=False)]),
    ("miss-then-hit", [hit(Q1, ok=False)], [hit(Q1, "不满意")], [hit(Q1, "不满意")]),
    ("nothing-new", [hit(Q1), hit(Q2, "会")], [], [hit(Q1), hit(Q2, "会")]),
    ("order-of-first-asking", [hit(Q2, "会")], [hit(Q1), hit(Q2, "不会")],
     [hit(Q2, "不会"), hit(Q1)]),
]  # fmt: skip


@pytest.mark.parametrize("before, now, want", [pytest.param(*r[1:], id=r[0]) for r in MERGE])
def test_merge_collected(before, now, want):
    assert merge_collected(before, now) == want


@pytest.mark.parametrize(
    "outcome, want",
    [
        (R.ANSWERED, [hit(Q1, "一般"), hit(Q2, "会")]),  # merged
        (R.NO_ANSWER, [hit(Q1, "一般")]),  # an unanswered call keeps what the number had
        (R.VOICEMAIL, [hit(Q1, "一般")]),
    ],
)
def test_only_an_answered_call_adds_answers(outcome, want):
    a = Attempt(
        outcome=outcome, attempt=2, ended_at=utc("2026-06-15T02:00:00"), collect=[hit(Q2, "会")]
    )
    d = decide(
        a, before=Held(R.ANSWERED, 1, [hit(Q1, "一般")]), schedule=SCHEDULES["open"],
        retry_count=3, retry_minutes=10,
    )  # fmt: skip
    assert d.collected == want


# -- task counters ------------------------------------------------------------------


@dataclass
class Call:
    outcome: R
    attempt: int = 1
    final: bool = True
    last_outcome: str | None = None  # the number's, before this call
    callbacks: int = 0  # the number's, before this call
    collected: tuple = ()  # the number's answers after this call
    block: bool = False
    recovered: bool = False


def count(calls: list[Call], questions=(Q1, Q2)) -> TaskDelta:
    delta = TaskDelta()
    for i, c in enumerate(calls):
        a = Attempt(
            outcome=c.outcome,
            attempt=c.attempt,
            ended_at=utc("2026-06-15T02:00:00"),
            phone=f"+86138000000{i:02d}",
            block=c.block,
            recovered=c.recovered,
        )
        d = Decision(c.final, None, c.callbacks, list(c.collected))
        delta.count(a, d, before=Held(c.last_outcome, c.callbacks, []), questions=list(questions))
    return delta


BOTH = (hit(Q1, "满意"), hit(Q2, "会"))

# (id, calls) -> (final, calling, called, answered, answered_calls, collected, answers, blocks)
COUNTS = [
    ("answered-all-questions", [Call(R.ANSWERED, collected=BOTH)],
     (1, -1, 1, 1, 1, 1, {Q1: {"满意": 1}, Q2: {"会": 1}}, 0)),
    ("answered-one-of-two", [Call(R.ANSWERED, collected=(hit(Q1, "一般"), hit(Q2, ok=False)))],
     (1, -1, 1, 1, 1, 0, {Q1: {"一般": 1}}, 0)),
    ("answered-then-callback", [Call(R.ANSWERED, final=False, callbacks=0, collected=BOTH)],
     (0, -1, 1, 1, 1, 0, {}, 0)),  # answers count once, when the number is final
    ("callback-call-answered-again", [Call(R.ANSWERED, attempt=2, last_outcome=R.ANSWERED,
     callbacks=1, collected=BOTH)], (1, -1, 0, 0, 1, 1, {Q1: {"满意": 1}, Q2: {"会": 1}}, 0)),
    ("callback-call-not-answered", [Call(R.NO_ANSWER, attempt=2, last_outcome=R.ANSWERED,
     callbacks=1, collected=BOTH)], (1, -1, 0, 0, 0, 1, {Q1: {"满意": 1}, Q2: {"会": 1}}, 0)),
    # answered, called back but not answered (retried), then answered: counted once
    ("answered-after-a-missed-callback", [Call(R.ANSWERED, attempt=3, last_outcome=R.NO_ANSWER,
     callbacks=1, collected=BOTH)], (1, -1, 0, 0, 1, 1, {Q1: {"满意": 1}, Q2: {"会": 1}}, 0)),
    ("never-answered", [Call(R.NO_ANSWER, attempt=3, last_outcome=R.NO_ANSWER)],
     (1, -1, 0, 0, 0, 0, {}, 0)),
    ("retry-pending", [Call(R.BUSY, final=False)], (0, -1, 1, 0, 0, 0, {}, 0)),
    ("hit-without-result", [Call(R.ANSWERED, collected=(hit(Q1, ""), hit(Q2, "会")))],
     (1, -1, 1, 1, 1, 1, {Q2: {"会": 1}}, 0)),
    ("block", [Call(R.ANSWERED, block=True)], (1, -1, 1, 1, 1, 0, {}, 1)),
    ("block-unanswered-is-not-kept", [Call(R.NO_ANSWER, block=True)], (1, -1, 1, 0, 0, 0, {}, 0)),
    ("cut-first-call", [Call(R.INTERRUPTED, final=False, recovered=True)],
     (0, -1, 1, 0, 0, 0, {}, 0)),  # the number was dialled: called once
    ("answered-after-a-cut", [Call(R.ANSWERED, attempt=2, last_outcome=R.INTERRUPTED,
     collected=BOTH)], (1, -1, 0, 1, 1, 1, {Q1: {"满意": 1}, Q2: {"会": 1}}, 0)),
    ("a-batch", [Call(R.ANSWERED, collected=BOTH), Call(R.BUSY, final=False),
     Call(R.ANSWERED, collected=(hit(Q1, "满意"),)), Call(R.VACANT, attempt=2)],
     (3, -4, 3, 2, 2, 1, {Q1: {"满意": 2}, Q2: {"会": 1}}, 0)),
]  # fmt: skip


@pytest.mark.parametrize("calls, want", [pytest.param(*r[1:], id=r[0]) for r in COUNTS])
def test_task_delta_counts(calls, want):
    d = count(calls)
    got = (
        d.final,
        d.calling,
        d.called,
        d.answered,
        d.answered_calls,
        d.collected,
        d.answers,
        len(d.blocks),
    )
    assert got == want


def test_no_questions_means_nothing_collected():
    d = count([Call(R.ANSWERED, collected=(hit(Q1),))], questions=())
    assert (d.collected, d.answers) == (0, {Q1: {"满意": 1}})


# (id, outcomes in order, recovered flags) -> (streak after the batch, failures added)
STREAKS = [
    ("one-failure", [R.FAILED], [False], (None, 1)),
    ("failures-only", [R.FAILED, R.FAILED, R.FAILED], [False] * 3, (None, 3)),
    ("a-call-went-through", [R.ANSWERED], [False], (0, 0)),
    ("no-answer-is-not-the-carrier", [R.NO_ANSWER], [False], (0, 0)),
    ("broken-then-failing", [R.FAILED, R.BUSY, R.FAILED], [False] * 3, (1, 1)),
    ("through-then-failing", [R.VACANT, R.FAILED, R.FAILED], [False] * 3, (2, 0)),
    ("recovered-says-nothing", [R.FAILED], [True], (None, 0)),
    ("interrupted-says-nothing", [R.INTERRUPTED], [True], (None, 0)),
    ("interrupted-even-unflagged", [R.INTERRUPTED], [False], (None, 0)),
    ("interrupted-between", [R.FAILED, R.INTERRUPTED, R.FAILED], [False, True, False],
     (None, 2)),
    ("recovered-between", [R.FAILED, R.FAILED, R.ANSWERED], [False, True, False], (0, 1)),
]  # fmt: skip


@pytest.mark.parametrize(
    "outcomes, recovered, want", [pytest.param(*r[1:], id=r[0]) for r in STREAKS]
)
def test_failure_streak(outcomes, recovered, want):
    d = count([Call(o, recovered=r) for o, r in zip(outcomes, recovered, strict=True)])
    assert (d.failures_streak, d.failures_added) == want


@pytest.mark.parametrize(
    "stored, answers, want",
    [
        (None, {Q1: {"满意": 2}}, {Q1: {"满意": 2}}),
        ({Q1: {"满意": 1}}, {Q1: {"满意": 2, "一般": 1}}, {Q1: {"满意": 3, "一般": 1}}),
        ({Q1: {"满意": 1}}, {Q2: {"会": 1}}, {Q1: {"满意": 1}, Q2: {"会": 1}}),
        ({Q1: {"满意": 1}}, {}, {Q1: {"满意": 1}}),
    ],
)
def test_answer_counts_add_to_the_stored_counts(stored, answers, want):
    before = None if stored is None else {q: dict(v) for q, v in stored.items()}
    assert TaskDelta(answers=answers).answer_counts(stored) == want
    assert stored == before  # the stored counts are not changed in place


# -- what the insight reads of a conversation ---------------------------------------------


@dataclass
class Line:
    side: str
    text: str


@dataclass
class Conversation:
    answered_at: datetime | None
    hangup_side: str
    utterances: list
    block: bool = False
    callback: bool = False


AT = utc("2026-06-15T02:00:00")
OPENING = Line("system", "您好，我是小狐。")
ASK1, ASK2 = Line("system", f"请问{Q1}"), Line("system", f"好的。{Q2}")
SAID = Line("customer", "嗯")

# (id, conversation, callback_at) -> facts
FACTS = [
    ("not-answered", Conversation(None, "carrier", []), None, {}),
    ("after-the-opening", Conversation(AT, "callee", [OPENING, SAID]), None,
     {"hangup_after": "opening"}),
    ("opening-asks-the-question", Conversation(AT, "callee", [ASK1]), None, {"hangup_after": Q1}),
    ("after-a-question", Conversation(AT, "callee", [OPENING, ASK1, SAID, ASK2]), None,
     {"hangup_after": Q2}),
    ("after-something-else", Conversation(AT, "callee", [OPENING, Line("system", "稍等")]), None,
     {"hangup_after": "other"}),
    ("assistant-hung-up", Conversation(AT, "assistant", [OPENING, ASK1]), None, {}),
    ("nothing-said", Conversation(AT, "callee", [SAID]), None, {}),
    ("knowledge-misses", Conversation(AT, "assistant", [Line("note", "knowledge miss: 几点营业？"),
     Line("note", "knowledge hit: 在哪里？"), Line("note", "knowledge miss: 停车吗？")]), None,
     {"unanswered_questions": ["几点营业？", "停车吗？"]}),
    ("at-most-five-misses", Conversation(AT, "assistant",
     [Line("note", f"knowledge miss: q{i}") for i in range(7)]), None,
     {"unanswered_questions": ["q0", "q1", "q2", "q3", "q4"]}),
    ("block", Conversation(AT, "assistant", [], block=True), None, {"block": True}),
    ("callback-scheduled", Conversation(AT, "assistant", [], callback=True),
     "2026-06-15T06:00:00", {"callback_at": "2026-06-15T06:00:00+00:00"}),
    ("callback-not-scheduled", Conversation(AT, "assistant", [], callback=True), None,
     {"callback_at": None}),
    ("no-callback-asked", Conversation(AT, "assistant", []), "2026-06-15T06:00:00", {}),
]  # fmt: skip


@pytest.mark.parametrize(
    "conversation, callback_at, want", [pytest.param(*r[1:], id=r[0]) for r in FACTS]
)
def test_conversation_facts(conversation, callback_at, want):
    got = conversation_facts(conversation, questions=[Q1, Q2], callback_at=utc(callback_at))
    assert got == want


def test_collect_questions():
    config = {"collect": [{"question": Q1, "answers": ["满意"]}, {"question": Q2}]}
    assert collect_questions(config) == [Q1, Q2]
    assert collect_questions({"collect": None}) == collect_questions({}) == []


# -- task end states -----------------------------------------------------------------

# (id, failures, deleted, final, total, calling, schedule, now) -> (status, reason has)
ENDS = [
    ("breaker", 20, False, 3, 10, 2, "open", "2026-06-15T02:00:00",
     (TaskStatus.STOP_ABNORMAL, "20 calls in a row failed")),
    ("breaker-before-deleted", 25, True, 10, 10, 0, "open", "2026-06-15T02:00:00",
     (TaskStatus.STOP_ABNORMAL, "25 calls in a row failed")),
    ("below-the-breaker", 19, False, 3, 10, 2, "open", "2026-06-15T02:00:00", None),
    ("assistant-deleted", 0, True, 10, 10, 0, "open", "2026-06-15T02:00:00",
     (TaskStatus.STOP_ABNORMAL, "assistant was deleted")),
    ("done", 0, False, 10, 10, 0, "open", "2026-06-15T02:00:00", (TaskStatus.DONE, None)),
    ("done-even-past-the-end", 0, False, 10, 10, 0, "ends", "2026-06-16T02:00:00",
     (TaskStatus.DONE, None)),
    ("final-but-calls-in-flight", 0, False, 10, 10, 1, "ends", "2026-06-16T02:00:00", None),
    ("schedule-ended", 0, False, 7, 10, 0, "ends", "2026-06-15T10:00:00",
     (TaskStatus.STOP_TIMEOUT, "schedule ended")),  # Mon 18:00, the last window closed
    ("schedule-ended-calls-in-flight", 0, False, 7, 10, 3, "ends", "2026-06-15T10:00:00", None),
    ("between-windows", 0, False, 7, 10, 0, "ends", "2026-06-15T05:00:00", None),  # 13:00
    ("empty-task", 0, False, 0, 0, 0, "open", "2026-06-15T02:00:00", (TaskStatus.DONE, None)),
]  # fmt: skip


@pytest.mark.parametrize(
    "failures, deleted, final, total, calling, schedule, now, want",
    [pytest.param(*r[1:], id=r[0]) for r in ENDS],
)
def test_task_end(failures, deleted, final, total, calling, schedule, now, want):
    end = task_end(
        consecutive_failures=failures,
        assistant_deleted=deleted,
        final_num=final,
        total=total,
        calling_num=calling,
        schedule=SCHEDULES[schedule],
        now=utc(now),
        policy=Policy(breaker_threshold=20),
    )
    if want is None:
        assert end is None
    else:
        status, reason = want
        assert end is not None and end.status == status
        assert (end.reason is None) if reason is None else (reason in end.reason)


@pytest.mark.parametrize(
    "threshold, failures, tripped",
    [(20, 19, False), (20, 20, True), (20, 21, True), (1, 0, False), (1, 1, True)],
)
def test_breaker(threshold, failures, tripped):
    assert Policy(breaker_threshold=threshold).breaker_tripped(failures) is tripped


# -- the daily cap --------------------------------------------------------------------

# (id, now, schedule) -> the first window from the next local midnight
NEXT_DAY = [
    ("monday-morning", "2026-06-15T02:00:00", "open", "2026-06-16T01:00:00"),  # -> Tue 09:00
    ("late-monday-local", "2026-06-15T15:59:00", "open", "2026-06-16T01:00:00"),  # 23:59
    ("already-tuesday-local", "2026-06-15T16:00:00", "open", "2026-06-17T01:00:00"),  # Tue 00:00
    ("friday-to-monday", "2026-06-19T02:00:00", "weekdays", "2026-06-22T01:00:00"),
    ("schedule-over", "2026-06-15T02:00:00", "ends", "2026-06-15T16:00:00"),  # Tue 00:00
]  # fmt: skip


@pytest.mark.parametrize("now, schedule, want", [pytest.param(*r[1:], id=r[0]) for r in NEXT_DAY])
def test_next_day_open(now, schedule, want):
    got = next_day_open(utc(now), zone=ZoneInfo(SH), schedule=SCHEDULES[schedule])
    assert got == utc(want)


@pytest.mark.parametrize(
    "now, zone, want",
    [
        ("2026-06-15T15:59:59", SH, "2026-06-15"),
        ("2026-06-15T16:00:00", SH, "2026-06-16"),
        ("2026-06-15T03:59:59", "America/New_York", "2026-06-14"),  # EDT, UTC-4
        ("2026-06-15T04:00:00", "America/New_York", "2026-06-15"),
        ("2026-01-15T04:59:59", "America/New_York", "2026-01-14"),  # EST, UTC-5
    ],
)
def test_local_day(now, zone, want):
    assert local_day(utc(now), ZoneInfo(zone)) == want
