"""One writer of call outcomes (voxdial.store.outcomes): a dialled call, a call streamed
to an assistant's websocket and a text debug call store the same conversation the same
way: the call row's outcome, timings, answers, analysis and conversation facts, and the
calltrace lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.support.api import create_assistant
from tests.support.dialer import make_task, phones, run_virtual
from voxdial.clock import Clock
from voxdial.conversation.analysis import analyse_call
from voxdial.conversation.calls import CallResult, DialRequest, Utterance
from voxdial.conversation.engine import CollectResult, ConversationEngine
from voxdial.domain.attempts import collect_questions, conversation_facts
from voxdial.domain.status import HangupReason
from voxdial.store import calls as call_store
from voxdial.store.db import Database
from voxdial.store.models import AssistantVersion, Call, CallTrace
from voxdial.store.outcomes import CallOutcome

T0 = datetime(2026, 6, 15, 1, 0, 0, 250_000, tzinfo=UTC)
Q1 = "您对我们的服务满意吗？"
CALL_COLUMNS = (
    "answer_at",
    "end_at",
    "hangup_reason",
    "hangup_side",
    "ring_time",
    "billsec",
    "duration",
    "rounds",
    "collect",
    "extra",
    "intent_level",
    "summary",
    "record_file",
)


def conversation(started: datetime) -> CallResult:
    """An answered call: the opening, a question answered, a question the knowledge
    missed, and the callee hanging up after the assistant's next question."""
    answered = started + timedelta(seconds=3.4)

    def at(seconds: float) -> datetime:
        return answered + timedelta(seconds=seconds)

    return CallResult(
        HangupReason.ANSWERED,
        started,
        answered,
        at(41.6),
        "callee",
        utterances=[
            Utterance("system", "您好，我是小狐。", at(0.2)),
            Utterance("system", f"请问{Q1}", at(2.5)),
            Utterance("customer", "挺满意的", at(6.0)),
            Utterance("customer", "你们几点营业？", at(12.3)),
            Utterance("note", "knowledge miss: 你们几点营业？", at(13.0)),
            Utterance("system", "您愿意推荐给朋友吗？", at(14.1)),
        ],
        collected=[
            CollectResult(Q1, True, "满意", "挺满意的"),
            CollectResult("您愿意推荐给朋友吗？", False, ""),
        ],
        extra={"carrier": "test"},
        knowledge_questions=1,
        record_file="2026/06/15/x.wav",
    )


class OneConversation:
    """A carrier whose every answered call is `conversation()`."""

    name = "one-conversation"

    def __init__(self) -> None:
        self.results: list[CallResult] = []

    async def place_call(
        self, request: DialRequest, *, clock: Clock, engine: ConversationEngine
    ) -> CallResult:
        started = clock.now()
        result = conversation(started)
        await clock.sleep((result.ended_at - started).total_seconds())
        self.results.append(result)
        return result


def stored(db: Database, call_id: int) -> tuple[dict, list[tuple]]:
    with db.session() as s:
        call = s.get(Call, call_id)
        row = {c: getattr(call, c) for c in CALL_COLUMNS}
        prefix = call.session_id[:8]
        traces = [
            (t.event, t.content, t.elapsed_ms, t.dialog_id.replace(prefix, "#"), t.created_at)
            for t in s.execute(
                select(CallTrace).where(CallTrace.call_id == call_id).order_by(CallTrace.id)
            ).scalars()
        ]
    return row, traces


def test_dialled_and_streamed_calls_store_one_conversation_alike(db_url):
    db = Database(db_url)
    try:
        t = make_task(db, phones(1), retryCount=0)
        carrier = OneConversation()
        run_virtual(db, carrier, T0)
        with db.session() as s:
            dialled = s.execute(select(Call).where(Call.task_id == t.id)).scalar_one()
            config = s.get(AssistantVersion, dialled.assistant_vid).config
            workspace_id, vid = dialled.workspace_id, dialled.assistant_vid
        (result,) = carrier.results

        # the websocket path: the same conversation, closed as media.py closes it
        streamed = call_store.open_call(
            db,
            session_id="f" * 32,
            workspace_id=workspace_id,
            assistant_id=t.assistant_id,
            assistant_vid=vid,
            description="mediastream",
            direction="inbound",
            caller="",
            callee="",
            started=result.started_at,
        )
        outcome = CallOutcome(
            call_id=streamed,
            session_id="f" * 32,
            result=result,
            analysis=analyse_call(config, result),
            facts=conversation_facts(result, questions=collect_questions(config)),
        )
        call_store.close_call(db, outcome)

        want_row, want_traces = stored(db, dialled.id)
        got_row, got_traces = stored(db, streamed)
        assert got_row == want_row
        assert got_traces == want_traces
    finally:
        db.dispose()

    # and what they stored is the conversation
    extra = want_row["extra"]
    assert extra["carrier"] == "test"
    assert extra["hangup_after"] == "您愿意推荐给朋友吗？"
    assert extra["unanswered_questions"] == ["你们几点营业？"]
    assert [x["title"] for x in extra["conversation_analysis"]] == ["意向等级", "通话摘要"]
    assert want_row["intent_level"] == "C"  # one of two questions answered
    assert (want_row["ring_time"], want_row["billsec"], want_row["duration"]) == (3, 42, 45)
    assert want_row["rounds"] == 2
    assert want_row["collect"][0] == {
        "question": Q1,
        "hit": True,
        "result": "满意",
        "message": "挺满意的",
    }
    events = [(e, d, ms) for e, _, ms, d, _ in want_traces]
    assert events == [
        ("begin", "", 0),
        ("system.say", "#-0", 200),
        ("system.say", "#-1", 2500),
        ("customer.say", "#-2", 6000),
        ("customer.say", "#-3", 12300),
        ("system.note", "#-4", 13000),
        ("system.say", "#-5", 14100),
        ("hangup", "", 41600),
    ]
    assert want_traces[-1][1] == "callee" and want_traces[-1][4] == result.ended_at


@pytest.mark.parametrize("silence_first", [False, True])
def test_a_debug_call_is_stored_as_a_spoken_call(env, silence_first):
    a = create_assistant(
        env.client,
        welcome="您好，我是小狐。",
        collect=[{"question": Q1, "answers": ["满意", "一般", "不满意"]}],
    )
    url = f"/openapi/assistants/{a['id']}/debug"
    sid = env.client.post(url, json={}).json()["sessionId"]
    if silence_first:
        r = env.client.post(url, json={"sessionId": sid, "text": "  "})
        assert r.status_code == 200 and r.json()["finished"] is False
    # the trace is written as the conversation goes
    so_far = env.client.get(f"/openapi/calltrace/{sid}").json()
    assert so_far[0]["event"] == "begin" and "hangup" not in [t["event"] for t in so_far]
    assert not any(t["event"] == "customer.say" for t in so_far)  # silence is no line
    r = env.client.post(url, json={"sessionId": sid, "text": "挺满意的"})
    assert r.json()["finished"] is True

    with env.db.session() as s:
        call = s.execute(select(Call).where(Call.session_id == sid)).scalar_one()
        traces = (
            s.execute(select(CallTrace).where(CallTrace.call_id == call.id).order_by(CallTrace.id))
            .scalars()
            .all()
        )
    events = [t.event for t in traces]
    assert events[0] == "begin" and events[-1] == "hangup"
    lines = traces[1:-1]
    assert [t.dialog_id for t in lines] == [f"{sid[:8]}-{i}" for i in range(len(lines))]
    assert all(
        t.elapsed_ms == int((t.created_at - call.answer_at).total_seconds() * 1000) for t in lines
    )
    assert call.rounds == events.count("customer.say") == 1  # a silent turn is no round
    assert call.hangup_reason == "answered" and call.hangup_side == "assistant"
    assert (call.ring_time, call.billsec) == (0, call.duration)
    assert call.extra["conversation_analysis"][0]["result"] == call.intent_level
    assert call.collect == [{"question": Q1, "hit": True, "result": "满意", "message": "挺满意的"}]
