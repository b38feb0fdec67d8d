"""Webhook events: payloads (API.md, "Webhooks"), the outbox, signed delivery with
back-off, restarts, crashed workers and racing workers. Delivery goes to a real HTTP
receiver on 127.0.0.1; time past back-off is passed as `now=`, never slept."""

# Over 600 lines on purpose: every section below (payloads, signatures, the outbox,
# delivery, addresses, giving up) drives the same receiver and outbox helpers, and
# reads best beside them. Split by section, with the helpers in tests/support/, if it grows.

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from tests.conftest import make_env
from tests.support.webhook_receiver import CLOSE, HANG, Receiver
from voxdial.store.db import Database
from voxdial.store.models import Call, Task, Webhook, WebhookOutbox
from voxdial.store.tokens import get_or_create_workspace
from voxdial.webhooks import (
    CALL_COLLECT,
    CALL_END,
    CALL_TRANSFER,
    EVENTS,
    TASK_END,
    WebhookDeliverer,
    call_collect_data,
    call_ended_data,
    encode_body,
    enqueue,
    enqueue_call_events,
    enqueue_task_end,
    purge_delivered,
    sign,
    task_end_data,
    task_end_data_from_counters,
    task_overview,
    verify_signature,
)
from voxdial.webhooks.addresses import AddressPolicy
from voxdial.webhooks.transport import HostPools

T0 = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # 09:30 in Asia/Shanghai
SECRET = "whsec-" + "k" * 26
AUTH = "Bearer receiver-token-123"
BASE = "https://voxdial.example.test"
LOOPBACK = "127.0.0.1/32"  # the receiver's address, allowed as an operator would

# API.md, "Webhooks", field for field.
CALL_END_FIELDS = {
    "session_id",
    "callee",
    "caller",
    "start_at",
    "answer_at",
    "end_at",
    "duration",
    "billsec",
    "direction",
    "ring_time",
    "hangup_side",
    "hangup_reason",
    "record_url",
    "task_id",
    "task_item_id",
    "assistant_infos",
    "extra",
}
COLLECT_FIELDS = CALL_END_FIELDS | {"collect_targets", "conversation_analysis"}
TASK_END_FIELDS = {"task_id", "task_start_at", "task_progress", "task_overview"}
PROGRESS_FIELDS = {
    "total_num",
    "called_num",
    "called_answered_num",
    "called_un_answered_num",
    "pending_num",
}
Q1, Q2 = "您对我们的服务满意吗？", "方便留个邮箱吗？"
QUESTIONS = [
    {"question": Q1, "answers": ["满意", "一般", "不满意"]},
    {"question": Q2, "answers": []},
]


# --- helpers ----------------------------------------------------------------------------


def make_call(workspace_id: int = 1, **overrides: Any) -> Call:
    values: dict[str, Any] = {
        "session_id": "sess-" + uuid.uuid4().hex[:12],
        "workspace_id": workspace_id,
        "task_id": None,
        "task_number_id": 42,
        "callee": "13800138000",
        "caller": "02161234567",
        "direction": "outbound",
        "description": "phone",
        "start_at": T0,
        "answer_at": T0 + timedelta(seconds=6),
        "end_at": T0 + timedelta(seconds=66),
        "duration": 66,
        "billsec": 60,
        "ring_time": 6,
        "record_file": "2026/12/01/x.wav",
        "assistant_id": 7,
        "assistant_vid": 9,
        "hangup_reason": "answered",
        "hangup_side": "callee",
        "rounds": 3,
        "intent_level": "B",
        "collect": [
            {"question": Q1, "hit": True, "result": "满意", "message": "挺满意的"},
            {"question": Q2, "hit": False, "result": "", "message": "不方便"},
        ],
        "summary": "客户满意，未留邮箱。",
        "extra": {"batch": "十二月"},
    }
    values.update(overrides)
    return Call(**values)


def make_hook(
    s,
    workspace_id: int,
    url: str,
    *,
    events: tuple[str, ...] = EVENTS,
    authorization: str = AUTH,
    secret: str = SECRET,
    active: bool = True,
) -> int:
    w = Webhook(
        workspace_id=workspace_id,
        url=url,
        events=list(events),
        authorization=authorization,
        secret=secret,
        active=active,
    )
    s.add(w)
    s.flush()
    return w.id


def workspace(s, name: str = "acme") -> int:
    ws, _ = get_or_create_workspace(s, name=name, email=f"ops@{name}.test")
    return ws.id


def outbox(db: Database) -> list[WebhookOutbox]:
    with db.session() as s:
        return list(s.execute(select(WebhookOutbox).order_by(WebhookOutbox.id)).scalars())


def enqueue_n(db: Database, workspace_id: int, n: int, *, event: str = TASK_END) -> None:
    with db.session() as s:
        for i in range(n):
            enqueue(s, workspace_id=workspace_id, event=event, data={"task_id": i}, now=T0)
        s.commit()


def deliverer(db: Database, **kwargs: Any) -> WebhookDeliverer:
    kwargs.setdefault("worker_id", "test")
    kwargs.setdefault("timeout", 5)
    kwargs.setdefault("lock_s", 30)
    kwargs.setdefault("policy", AddressPolicy.from_text(LOOPBACK))
    return WebhookDeliverer(db, **kwargs)


@pytest.fixture
def env(db_url, tmp_path):
    """The app, allowed to send webhooks to the receiver on 127.0.0.1."""
    e = make_env(db_url, tmp_path, webhook_allow_networks=LOOPBACK)
    yield e
    e.client.close()
    e.other.close()
    e.db.dispose()


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


# --- payloads ---------------------------------------------------------------------------


def test_call_ended_payload_field_by_field():
    call = make_call(task_id=5)
    data = call_ended_data(call, task_item_id=42, base_url=BASE + "/", tz="Asia/Shanghai")
    assert set(data) == CALL_END_FIELDS
    assert data["session_id"] == call.session_id
    assert data["callee"] == "13800138000" and data["caller"] == "02161234567"
    assert data["start_at"] == "2026-12-01T09:30:00+08:00"
    assert data["answer_at"] == "2026-12-01T09:30:06+08:00"
    assert data["end_at"] == "2026-12-01T09:31:06+08:00"
    assert (data["duration"], data["billsec"], data["ring_time"]) == (66, 60, 6)
    assert data["direction"] == "outbound"
    assert (data["hangup_side"], data["hangup_reason"]) == ("callee", "answered")
    assert data["record_url"] == f"{BASE}/openapi/calllog/{call.session_id}/record"
    assert (data["task_id"], data["task_item_id"]) == (5, 42)
    assert data["assistant_infos"] == [{"assistant_id": 7, "assistant_vid": 9}]
    # numbers not in E.164 form have no attribute (see test_calls for those that do)
    assert data["extra"] == {"batch": "十二月", "callee_attribute": "", "caller_attribute": ""}
    json.dumps(data)  # JSON-ready as stored


def test_call_ended_payload_unanswered_and_other_zone():
    call = make_call(
        answer_at=None,
        record_file="",
        hangup_reason="no_answer",
        hangup_side=None,
        billsec=0,
        extra=None,
        assistant_id=None,
        assistant_vid=None,
        task_number_id=77,
    )
    data = call_ended_data(call, base_url=BASE, tz="America/New_York")
    assert data["start_at"] == "2026-11-30T20:30:00-05:00"
    assert data["answer_at"] is None
    assert data["record_url"] == ""
    assert data["hangup_side"] == "" and data["hangup_reason"] == "no_answer"
    assert data["extra"] == {"callee_attribute": "", "caller_attribute": ""}
    assert data["assistant_infos"] == []
    assert data["task_item_id"] == 77  # defaults to the call's number


def test_call_collect_payload_field_by_field():
    call = make_call(task_id=5)
    data = call_collect_data(call, task_item_id=42, base_url=BASE, tz="Asia/Shanghai")
    assert set(data) == COLLECT_FIELDS
    assert {k: data[k] for k in CALL_END_FIELDS} == call_ended_data(
        call, task_item_id=42, base_url=BASE, tz="Asia/Shanghai"
    )
    first, second = data["collect_targets"]
    assert set(first) == {"question", "hit", "result", "message", "question_uuid"}
    assert first["question"] == Q1 and first["hit"] is True and first["result"] == "满意"
    assert first["message"] == "挺满意的"
    assert second["hit"] is False and second["result"] == ""
    assert uuid.UUID(first["question_uuid"]).version == 5
    assert first["question_uuid"] != second["question_uuid"]
    # Stable: the same question gets the same uuid in another call, run or process.
    other = call_collect_data(make_call(), base_url=BASE, tz="UTC")
    assert other["collect_targets"][0]["question_uuid"] == first["question_uuid"]
    assert first["question_uuid"] == str(uuid.uuid5(uuid.UUID(_namespace()), Q1))
    assert data["conversation_analysis"] == [
        {"title": "intent_level", "result": "B"},
        {"title": "summary", "result": "客户满意，未留邮箱。"},
    ]
    given = call_collect_data(
        call,
        base_url=BASE,
        tz="UTC",
        collect=[{"question": "Q", "hit": 1, "result": "yes"}],
        analysis=[{"title": "情绪", "result": "积极"}],
    )
    assert given["collect_targets"][0]["hit"] is True
    assert given["collect_targets"][0]["message"] == ""
    assert given["conversation_analysis"] == [{"title": "情绪", "result": "积极"}]


def _namespace() -> str:
    from voxdial.webhooks.events import QUESTION_NAMESPACE

    return str(QUESTION_NAMESPACE)


def test_task_end_payload_field_by_field():
    task = Task(id=11, workspace_id=1, started_at=T0)
    overview = task_overview(QUESTIONS, {Q1: {"满意": 3, "不满意": 1, "还行吧": 1}})
    data = task_end_data(
        task,
        total_num=10,
        called_num=8,
        called_answered_num=5,
        called_un_answered_num=3,
        pending_num=2,
        overview=overview,
        tz="Asia/Shanghai",
    )
    assert set(data) == TASK_END_FIELDS
    assert data["task_id"] == 11
    assert data["task_start_at"] == "2026-12-01T09:30:00+08:00"
    assert set(data["task_progress"]) == PROGRESS_FIELDS
    assert data["task_progress"] == {
        "total_num": 10,
        "called_num": 8,
        "called_answered_num": 5,
        "called_un_answered_num": 3,
        "pending_num": 2,
    }
    q1, q2 = data["task_overview"]
    assert set(q1) == {"question", "total", "option", "results"}
    assert q1["question"] == Q1 and q1["total"] == 5 and q1["option"] == ["满意", "一般", "不满意"]
    assert q1["results"] == [
        {"result": "满意", "total": 3, "percent": 60},
        {"result": "一般", "total": 0, "percent": 0},
        {"result": "不满意", "total": 1, "percent": 20},
        {"result": "还行吧", "total": 1, "percent": 20},
    ]
    assert q2 == {"question": Q2, "total": 0, "option": [], "results": []}


def test_task_end_from_counters():
    task = Task(
        id=3,
        workspace_id=1,
        started_at=None,
        total=10,
        final_num=9,
        calling_num=0,
        called_num=10,
        answered_num=6,
        answer_counts={Q1: {"一般": 2}},
    )
    data = task_end_data_from_counters(task, questions=QUESTIONS, tz="UTC")
    assert data["task_start_at"] is None
    assert data["task_progress"] == {
        "total_num": 10,
        "called_num": 10,
        "called_answered_num": 6,
        "called_un_answered_num": 4,
        "pending_num": 1,
    }
    assert data["task_overview"][0]["results"][1] == {"result": "一般", "total": 2, "percent": 100}


# --- signatures and back-off ------------------------------------------------------------


def test_signature_helpers():
    body = encode_body(CALL_END, {"callee": "张三", "n": 1})
    assert body == '{"event_name":"task.call.end","event_data":{"callee":"张三","n":1}}'.encode()
    header = sign(SECRET, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_signature(SECRET, body, header)
    assert verify_signature(SECRET, body, header.upper().replace("SHA256=", "sha256="))
    assert not verify_signature(SECRET, body + b" ", header)
    assert not verify_signature("another-secret-value", body, header)
    assert not verify_signature(SECRET, body, None)
    assert not verify_signature(SECRET, body, "")
    assert not verify_signature(SECRET, body, header[7:])  # no scheme
    assert not verify_signature(SECRET, body, "sha256=满意")


def test_backoff_doubles_to_the_cap_with_bounded_jitter(sqlite_url):
    db = Database(sqlite_url)
    try:
        d = deliverer(db, base_backoff_s=10, max_backoff_s=3600, jitter=0)
        assert [d.backoff(n).total_seconds() for n in range(1, 11)] == [
            10,
            20,
            40,
            80,
            160,
            320,
            640,
            1280,
            2560,
            3600,
        ]
        assert d.backoff(10_000).total_seconds() == 3600
        j = deliverer(db, base_backoff_s=10, max_backoff_s=3600, jitter=0.2)
        for n in (1, 3, 20):
            full = min(3600, 10 * 2 ** (n - 1))
            seen = {j.backoff(n).total_seconds() for _ in range(50)}
            assert all(0.8 * full <= x <= full for x in seen) and len(seen) > 1
        with pytest.raises(ValueError):
            deliverer(db, timeout=10, lock_s=5)
    finally:
        db.dispose()


# --- the outbox -------------------------------------------------------------------------


def test_enqueue_follows_subscriptions_and_the_transaction(db):
    with db.session() as s:
        ws, other_ws = workspace(s), workspace(s, "globex")
        all_events = make_hook(s, ws, "http://127.0.0.1:9/all")
        task_only = make_hook(s, ws, "http://127.0.0.1:9/task", events=(TASK_END,))
        make_hook(s, ws, "http://127.0.0.1:9/gone", active=False)
        make_hook(s, other_ws, "http://127.0.0.1:9/other")
        s.commit()
    with db.session() as s:
        assert enqueue(s, workspace_id=ws, event=CALL_END, data={"a": 1}, now=T0) == 1
        assert enqueue(s, workspace_id=ws, event=TASK_END, data={"b": 2}, now=T0) == 2
        with pytest.raises(ValueError):
            enqueue(s, workspace_id=ws, event="call.bogus", data={}, now=T0)
        s.rollback()  # the outcome's transaction failed: no event may survive it
    assert outbox(db) == []
    with db.session() as s:
        # Unanswered call: only task.call.end; answered: both call events.
        call = make_call(ws, answer_at=None, hangup_reason="no_answer")
        s.add(call)
        assert enqueue_call_events(s, call, base_url=BASE, tz="UTC", now=T0) == 1
        answered = make_call(ws)
        s.add(answered)
        assert enqueue_call_events(s, answered, base_url=BASE, tz="UTC", now=T0) == 2
        task = Task(id=None, workspace_id=ws, total=1, final_num=1, called_num=1, answered_num=1)
        assert enqueue_task_end(s, task, questions=QUESTIONS, tz="UTC", now=T0) == 2
        s.commit()
    rows = outbox(db)
    assert [(r.webhook_id, r.event) for r in rows] == [
        (all_events, CALL_END),
        (all_events, CALL_END),
        (all_events, CALL_COLLECT),
        (all_events, TASK_END),
        (task_only, TASK_END),
    ]
    assert all(r.workspace_id == ws and r.attempts == 0 and r.delivered_at is None for r in rows)
    assert all(r.next_attempt_at == T0 for r in rows)
    assert rows[0].payload["hangup_reason"] == "no_answer"
    assert set(rows[2].payload) == COLLECT_FIELDS
    assert set(rows[3].payload) == TASK_END_FIELDS


def test_unsubscribed_event_is_not_enqueued(db):
    with db.session() as s:
        ws = workspace(s)
        make_hook(s, ws, "http://127.0.0.1:9/x", events=(TASK_END,))
        s.commit()
    with db.session() as s:
        assert enqueue(s, workspace_id=ws, event=CALL_COLLECT, data={}, now=T0) == 0
        assert enqueue_call_events(s, make_call(ws), base_url=BASE, tz="UTC", now=T0) == 0
        s.commit()
    assert outbox(db) == []


# --- delivery ---------------------------------------------------------------------------


def test_every_event_arrives_signed_with_its_payload(env, receiver):
    r = env.client.post(
        "/openapi/webhooks",
        json={"url": receiver.url("/hook"), "authorization": AUTH, "events": list(EVENTS)},
    )
    assert r.status_code == 201, r.text
    secret = r.json()["secret"]
    handed_over = {"mode": "blind", "target": "sip:agent@pbx", "status": "connected",
                   "requestedAt": T0.isoformat(), "connectedAt": T0.isoformat()}  # fmt: skip
    with env.db.session() as s:
        ws = workspace(s)
        call = make_call(ws, task_id=None, extra={"transfer": handed_over})
        s.add(call)
        assert enqueue_call_events(s, call, base_url=BASE, tz="Asia/Shanghai", now=T0) == 3
        task = Task(id=None, workspace_id=ws, started_at=T0, total=1, final_num=1, called_num=1)
        assert enqueue_task_end(s, task, questions=QUESTIONS, tz="Asia/Shanghai", now=T0) == 1
        s.commit()
    stored = {row.id: row for row in outbox(env.db)}

    async def scenario() -> tuple[int, int]:
        async with deliverer(env.db) as d:
            return await d.deliver_due(now=T0), await d.deliver_due(now=T0 + timedelta(days=1))

    assert asyncio.run(scenario()) == (4, 0)
    got = receiver.requests
    # an outbound call's events (its transfer included) and a task's
    assert sorted(x.headers["x-voxdial-event"] for x in got) == sorted(
        (CALL_END, CALL_COLLECT, TASK_END, CALL_TRANSFER)
    )
    transfer = next(x for x in got if x.headers["x-voxdial-event"] == "task.call.transfer")
    assert transfer.json()["event_data"]["transfer"]["target"] == "sip:agent@pbx"
    for req in got:
        row = stored[int(req.delivery)]
        assert req.path == "/hook" and req.reply == 200
        assert req.headers["content-type"] == "application/json"
        assert req.headers["authorization"] == AUTH
        assert verify_signature(secret, req.body, req.headers["x-voxdial-signature"])
        assert not verify_signature(SECRET, req.body, req.headers["x-voxdial-signature"])
        assert req.json() == {"event_name": row.event, "event_data": row.payload}
        assert req.headers["x-voxdial-event"] == row.event
        assert req.body == encode_body(row.event, row.payload)
    collect = next(x for x in got if x.headers["x-voxdial-event"] == CALL_COLLECT)
    assert "满意".encode() in collect.body  # UTF-8 as is, not \u escapes
    assert set(collect.json()["event_data"]) == COLLECT_FIELDS
    for row in outbox(env.db):
        assert row.delivered_at == T0 and row.last_status == 200 and row.attempts == 1
        assert row.locked_until is None and row.last_error == ""


def test_failing_receiver_gets_the_event_after_backoff_once(db, receiver):
    receiver.script("/flaky", 500, CLOSE, HANG)
    with db.session() as s:
        ws = workspace(s)
        make_hook(s, ws, receiver.url("/flaky"), authorization="")
        s.commit()
    enqueue_n(db, ws, 1)

    async def scenario() -> list[tuple[int, int | None, str, timedelta]]:
        seen = []
        async with deliverer(db, timeout=0.5, lock_s=5, base_backoff_s=10, jitter=0.2) as d:
            now = T0
            for _ in range(4):
                assert await d.deliver_due(now=now) == 1
                # Not due again before its back-off has passed.
                assert await d.deliver_due(now=now + timedelta(seconds=1)) == 0
                (row,) = outbox(db)
                seen.append(
                    (row.attempts, row.last_status, row.last_error, row.next_attempt_at - now)
                )
                if row.delivered_at is not None:
                    break
                now = row.next_attempt_at
            assert await d.deliver_due(now=T0 + timedelta(days=30)) == 0
        return seen

    seen = asyncio.run(scenario())
    assert [(a, st, err) for a, st, err, _ in seen] == [
        (1, 500, "HTTP 500"),
        (2, None, "connection error: RemoteProtocolError"),
        (3, None, "timeout"),
        (4, 200, ""),
    ]
    for attempts, _, _, wait in seen[:3]:
        full = 10 * 2 ** (attempts - 1)
        assert timedelta(seconds=0.8 * full) <= wait <= timedelta(seconds=full)
    assert len(receiver.requests) == 4
    assert len({x.delivery for x in receiver.requests}) == 1  # one delivery id throughout
    assert len(receiver.acknowledged()) == 1
    assert "authorization" not in receiver.requests[0].headers  # none configured
    (row,) = outbox(db)
    assert row.delivered_at is not None and row.locked_until is None


def test_restart_loses_nothing_and_resends_nothing_acknowledged(db_url, receiver):
    receiver.set_default("/down", 503)
    first = Database(db_url)
    with first.session() as s:
        ws = workspace(s)
        make_hook(s, ws, receiver.url("/up"))
        make_hook(s, ws, receiver.url("/down"))
        s.commit()
    enqueue_n(first, ws, 3)  # 3 events x 2 webhooks

    async def one_pass(db: Database, now: datetime) -> int:
        async with deliverer(db) as d:
            return await d.deliver_due(now=now)

    assert asyncio.run(one_pass(first, T0)) == 6
    first.dispose()  # the process stops; a new one starts from the database alone
    assert len(receiver.acknowledged()) == 3
    assert {x.path for x in receiver.acknowledged()} == {"/up"}

    receiver.set_default("/down", 204)
    second = Database(db_url)
    try:
        assert asyncio.run(one_pass(second, T0 + timedelta(hours=2))) == 3
        assert asyncio.run(one_pass(second, T0 + timedelta(days=3))) == 0
        rows = outbox(second)
    finally:
        second.dispose()
    acked = receiver.acknowledged()
    assert len(acked) == 6 and len({x.delivery for x in acked}) == 6
    per_path = {p: [x for x in receiver.requests if x.path == p] for p in ("/up", "/down")}
    assert len(per_path["/up"]) == 3  # acknowledged before the restart: never re-sent
    assert len(per_path["/down"]) == 6  # failed once, then delivered after the restart
    assert all(r.delivered_at is not None for r in rows)
    assert sorted(r.attempts for r in rows) == [1, 1, 1, 2, 2, 2]
    assert {r.last_status for r in rows} == {200, 204}


def test_worker_killed_mid_send_loses_nothing(db_url, db, receiver):
    receiver.script("/slow", HANG)
    with db.session() as s:
        ws = workspace(s)
        make_hook(s, ws, receiver.url("/slow"))
        s.commit()
    start = datetime.now(UTC) - timedelta(seconds=1)
    with db.session() as s:
        enqueue(s, workspace_id=ws, event=TASK_END, data={"task_id": 1}, now=start)
        s.commit()
    worker = Path(__file__).parent / "support" / "webhook_worker.py"
    proc = subprocess.Popen([sys.executable, str(worker), db_url])
    try:
        assert receiver.got_request.wait(60), "the worker never sent the event"
    finally:
        proc.kill()
        proc.wait(timeout=30)
    (row,) = outbox(db)
    assert row.delivered_at is None and row.locked_until is not None and row.attempts == 1

    async def scenario() -> tuple[int, int]:
        async with deliverer(db) as d:
            # The dead worker's lease still holds: nobody sends the row meanwhile.
            held = await d.deliver_due(now=datetime.now(UTC))
            return held, await d.deliver_due(now=row.locked_until + timedelta(seconds=1))

    assert asyncio.run(scenario()) == (0, 1)
    assert [x.reply for x in receiver.requests] == [HANG, 200]
    assert receiver.requests[0].delivery == receiver.requests[1].delivery == str(row.id)
    (row,) = outbox(db)
    assert row.delivered_at is not None and row.attempts == 2 and row.last_status == 200


def test_two_deliverers_racing_never_send_a_row_twice(db_url, receiver):
    receiver.delay_s = 0.005  # keep sends in flight while the other worker claims
    setup = Database(db_url)
    with setup.session() as s:
        ws = workspace(s)
        make_hook(s, ws, receiver.url("/a"))
        make_hook(s, ws, receiver.url("/b"))
        s.commit()
    enqueue_n(setup, ws, 60)  # 120 rows
    setup.dispose()
    one, two = Database(db_url), Database(db_url)

    async def scenario() -> list[int]:
        async with deliverer(one, batch=7) as d1, deliverer(two, batch=7) as d2:
            handled = [0, 0]
            for _ in range(100):
                a, b = await asyncio.gather(d1.deliver_due(now=T0), d2.deliver_due(now=T0))
                handled[0] += a
                handled[1] += b
                if a == b == 0:
                    break
            return handled

    try:
        handled = asyncio.run(scenario())
        rows = outbox(one)
    finally:
        one.dispose()
        two.dispose()
    assert sum(handled) == 120 and min(handled) > 0
    ids = [x.delivery for x in receiver.requests]
    assert len(ids) == 120 and len(set(ids)) == 120
    assert all(r.delivered_at is not None and r.attempts == 1 for r in rows)


def test_removed_webhook_rows_are_dropped_not_sent(env, receiver):
    r = env.client.post("/openapi/webhooks", json={"url": receiver.url("/bye")})
    assert r.status_code == 201
    hook_id = r.json()["id"]
    with env.db.session() as s:
        ws = workspace(s)
    enqueue_n(env.db, ws, 2)
    assert env.client.delete(f"/openapi/webhooks/{hook_id}").status_code == 204
    with env.db.session() as s:  # and nothing new is enqueued for it
        assert enqueue(s, workspace_id=ws, event=TASK_END, data={}, now=T0) == 0

    async def scenario() -> tuple[int, int]:
        async with deliverer(env.db) as d:
            return await d.deliver_due(now=T0), await d.deliver_due(now=T0 + timedelta(days=1))

    assert asyncio.run(scenario()) == (2, 0)
    assert receiver.requests == []
    for row in outbox(env.db):
        assert row.delivered_at == T0 and row.last_error == "webhook removed"
        assert row.last_status is None and row.locked_until is None and row.attempts == 0


def test_run_delivers_until_stopped(db, receiver):
    with db.session() as s:
        ws = workspace(s)
        make_hook(s, ws, receiver.url("/run"))
        s.commit()
    with db.session() as s:
        enqueue(s, workspace_id=ws, event=TASK_END, data={"n": 1}, now=datetime.now(UTC))
        s.commit()

    async def scenario() -> None:
        stop = asyncio.Event()
        d = deliverer(db)
        runner = asyncio.create_task(d.run(stop, poll_s=0.05))
        for _ in range(200):
            if receiver.acknowledged():
                break
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(runner, 10)

    asyncio.run(scenario())
    assert len(receiver.acknowledged()) == 1
    (row,) = outbox(db)
    assert row.delivered_at is not None


def test_given_http_client_and_bad_url_do_not_stop_the_batch(db, receiver):
    with db.session() as s:
        ws = workspace(s)
        make_hook(s, ws, receiver.url("/ok"))
        bad = make_hook(s, ws, "http://127.0.0.1:1/refused")
        s.commit()
    enqueue_n(db, ws, 1)

    async def scenario() -> int:
        async with httpx.AsyncClient() as http:
            d = deliverer(db, http=http)
            handled = await d.deliver_due(now=T0)
            await d.aclose()
            assert not http.is_closed  # the caller's client stays open
            return handled

    assert asyncio.run(scenario()) == 2
    rows = {r.webhook_id: r for r in outbox(db)}
    assert rows[bad].delivered_at is None
    assert rows[bad].last_error == "connection error: ConnectError"
    assert len(receiver.acknowledged()) == 1
    with db.session() as s:
        # A header value that cannot be sent (not Latin-1) fails that row alone.
        s.execute(update(Webhook).where(Webhook.id == bad).values(authorization="Bearer 满意"))
        s.commit()

    async def again() -> None:
        async with deliverer(db) as d:
            assert await d.deliver_due(now=T0 + timedelta(days=1)) == 1

    asyncio.run(again())
    rows = {r.webhook_id: r for r in outbox(db)}
    assert rows[bad].last_error == "send error: UnicodeEncodeError" and rows[bad].attempts == 2


def test_purge_deletes_only_old_delivered_rows(db, receiver):
    receiver.set_default("/down", 500)
    with db.session() as s:
        ws = workspace(s)
        make_hook(s, ws, receiver.url("/up"))
        make_hook(s, ws, receiver.url("/down"))
        s.commit()
    enqueue_n(db, ws, 2)

    async def one_pass() -> int:
        async with deliverer(db) as d:
            return await d.deliver_due(now=T0)

    assert asyncio.run(one_pass()) == 4
    with db.session() as s:
        assert purge_delivered(s, before=T0) == 0  # delivered at T0, not before it
        assert purge_delivered(s, before=T0 + timedelta(days=7)) == 2
        s.commit()
    rows = outbox(db)
    assert len(rows) == 2 and all(r.delivered_at is None for r in rows)


# --- where deliveries may go ------------------------------------------------------------


class FakeDNS:
    """A resolver with fixed answers (a list per name, or an exception), counting calls."""

    def __init__(self, answers: dict[str, list[str] | Exception]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        answer = self.answers[host]
        if isinstance(answer, Exception):
            raise answer
        return answer


def _deliver_once(db: Database, now: datetime = T0, **kwargs: Any) -> int:
    async def scenario() -> int:
        async with deliverer(db, **kwargs) as d:
            return await d.deliver_due(now=now)

    return asyncio.run(scenario())


def test_delivery_refuses_internal_targets_it_was_not_allowed(db, receiver):
    port = receiver.url().rsplit(":", 1)[1].split("/")[0]
    stored = {
        f"http://127.0.0.1:{port}/a": "refused: a loopback address",
        f"http://127.1:{port}/b": "refused: a loopback address",
        f"http://[::ffff:127.0.0.1]:{port}/c": "refused: a loopback address",
        f"http://localhost:{port}/d": "refused: a loopback name",
        f"http://ops:pw-secret@127.0.0.1:{port}/e": "refused: the URL carries credentials",
        "http://169.254.169.254/latest/meta-data": "refused: a cloud metadata address",
    }
    with db.session() as s:
        ws = workspace(s)
        hooks = {make_hook(s, ws, url): error for url, error in stored.items()}
        s.commit()
    enqueue_n(db, ws, 1)
    # Stored before the checks existed (or the allow list shrank): never sent.
    assert _deliver_once(db, policy=AddressPolicy()) == len(stored)
    assert receiver.requests == []
    for row in outbox(db):
        assert row.last_error == hooks[row.webhook_id]
        assert row.delivered_at is None and row.attempts == 1 and row.last_status is None
        assert port not in row.last_error and "secret" not in row.last_error


def test_an_authorization_with_a_line_break_is_never_sent(db, receiver):
    with db.session() as s:
        ws = workspace(s)
        make_hook(s, ws, receiver.url("/inj"), authorization="Bearer x\r\nX-Injected: 1")
        s.commit()
    enqueue_n(db, ws, 1)
    assert _deliver_once(db) == 1
    assert receiver.requests == []
    (row,) = outbox(db)
    assert row.last_error == "refused: authorization must not contain control characters"


def test_delivery_connects_to_the_address_it_checked(db, receiver):
    port = int(receiver.url().rsplit(":", 1)[1].split("/")[0])
    # A name that rebinds: the first answer is the receiver, any later one would be the
    # metadata service. The system resolver does not know the name at all.
    dns = FakeDNS({"hooks.example.test": ["127.0.0.1"]})
    with db.session() as s:
        ws = workspace(s)
        make_hook(s, ws, f"http://hooks.example.test:{port}/pinned")
        s.commit()
    enqueue_n(db, ws, 2)

    async def rebinding(host: str, port: int) -> list[str]:
        answer = await dns(host, port)
        dns.answers[host] = ["169.254.169.254"]
        return answer

    assert _deliver_once(db, resolver=rebinding, batch=1) == 1
    assert _deliver_once(db, resolver=rebinding, batch=1) == 1
    assert dns.calls == [("hooks.example.test", port)] * 2  # one look-up per delivery
    (first,) = receiver.requests  # the second delivery saw the rebound answer: refused
    assert first.path == "/pinned" and first.headers["host"] == f"hooks.example.test:{port}"
    rows = outbox(db)
    assert rows[0].delivered_at == T0 and rows[0].last_status == 200
    assert rows[1].delivered_at is None
    assert rows[1].last_error == "refused: resolves to a cloud metadata address"


def test_every_resolved_address_is_checked(db, receiver):
    port = int(receiver.url().rsplit(":", 1)[1].split("/")[0])
    dns = FakeDNS(
        {
            "mixed.example.test": ["127.0.0.1", "10.0.0.7"],
            "six.example.test": ["::1"],
            "meta.example.test": ["169.254.169.254"],
            "gone.example.test": OSError(-2, "Name or service not known"),
        }
    )
    with db.session() as s:
        ws = workspace(s)
        hooks = {
            make_hook(s, ws, f"http://{name}:{port}/x"): name
            for name in ("mixed.example.test", "six.example.test", "meta.example.test")
        }
        gone = make_hook(s, ws, f"https://gone.example.test:{port}/x")
        s.commit()
    enqueue_n(db, ws, 1)
    policy = AddressPolicy.from_text("127.0.0.1/32, 169.254.0.0/16")
    assert _deliver_once(db, resolver=dns, policy=policy) == 4
    assert receiver.requests == []
    errors = {hooks.get(r.webhook_id, "gone"): r.last_error for r in outbox(db)}
    assert errors == {
        "mixed.example.test": "refused: resolves to a private address",
        "six.example.test": "refused: resolves to a loopback address",
        "meta.example.test": "refused: resolves to a cloud metadata address",
        "gone": "dns error: OSError",
    }
    assert all(r.delivered_at is None for r in outbox(db)) and gone


def test_https_keeps_the_host_name_for_sni_and_the_host_header(db):
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    with db.session() as s:
        ws = workspace(s)
        make_hook(s, ws, "https://hooks.example.test/secure?x=1")
        s.commit()
    enqueue_n(db, ws, 1)
    dns = FakeDNS({"hooks.example.test": ["93.184.216.34", "2606:2800:220:1::1"]})

    async def scenario() -> int:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            d = deliverer(db, http=http, resolver=dns)
            return await d.deliver_due(now=T0)

    assert asyncio.run(scenario()) == 1
    (request,) = seen
    assert request.url == httpx.URL("https://93.184.216.34/secure?x=1")
    assert request.headers["host"] == "hooks.example.test"
    assert request.extensions["sni_hostname"] == "hooks.example.test"
    assert dns.calls == [("hooks.example.test", 443)]


# --- giving up --------------------------------------------------------------------------


def test_a_delivery_that_never_succeeds_gives_up_and_shows_as_failed(env, receiver):
    receiver.set_default("/down", 500)
    r = env.client.post("/openapi/webhooks", json={"url": receiver.url("/down")})
    assert r.status_code == 201, r.text
    hook_id = r.json()["id"]
    with env.db.session() as s:
        ws = workspace(s)
    enqueue_n(env.db, ws, 1)

    async def scenario() -> list[int]:
        handled = []
        async with deliverer(env.db, max_attempts=3, jitter=0) as d:
            now = T0
            for _ in range(5):
                handled.append(await d.deliver_due(now=now))
                now += timedelta(days=1)  # past any back-off
        return handled

    assert asyncio.run(scenario()) == [1, 1, 1, 0, 0]
    assert len(receiver.requests) == 3
    (row,) = outbox(env.db)
    assert row.attempts == 3 and row.last_status == 500
    assert row.delivered_at == T0 + timedelta(days=2)  # finished with, not delivered
    assert row.last_error == "gave up after 3 attempts: HTTP 500"

    listed = env.client.get(f"/openapi/webhooks/{hook_id}/deliveries")
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["total"] == 1
    (item,) = page["items"]
    assert item["status"] == "failed" and item["attempts"] == 3
    assert item["lastStatus"] == 500 and item["lastError"] == row.last_error
    assert item["event"] == TASK_END and item["id"] == row.id
    assert item["nextAttemptAt"] is None and item["finishedAt"].startswith("2026-12-03T09:30")
    assert env.other.get(f"/openapi/webhooks/{hook_id}/deliveries").status_code == 404


def test_deliveries_show_pending_retrying_and_delivered(env, receiver):
    receiver.script("/flaky", 503)
    r = env.client.post("/openapi/webhooks", json={"url": receiver.url("/flaky")})
    hook_id = r.json()["id"]
    with env.db.session() as s:
        ws = workspace(s)
    enqueue_n(env.db, ws, 1)

    def statuses() -> list[tuple[str, int]]:
        items = env.client.get(f"/openapi/webhooks/{hook_id}/deliveries").json()["items"]
        return [(i["status"], i["attempts"]) for i in items]

    assert statuses() == [("pending", 0)]
    assert _deliver_once(env.db) == 1
    assert statuses() == [("retrying", 1)]
    (row,) = outbox(env.db)
    assert _deliver_once(env.db, now=row.next_attempt_at) == 1
    assert statuses() == [("delivered", 2)]
    enqueue_n(env.db, ws, 1)
    assert statuses() == [("pending", 0), ("delivered", 2)]  # newest first
    page = env.client.get(f"/openapi/webhooks/{hook_id}/deliveries?pageSize=1&pageIndex=2")
    assert page.json()["total"] == 2 and len(page.json()["items"]) == 1
    assert env.client.get("/openapi/webhooks/999999/deliveries").status_code == 404


def test_each_host_name_gets_its_own_connection_pool():
    made: list[list[httpx.Request]] = []

    def pool() -> httpx.AsyncBaseTransport:
        seen: list[httpx.Request] = []
        made.append(seen)

        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200)

        return httpx.MockTransport(answer)

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=HostPools(max_hosts=2, make=pool)) as http:
            for name in ("a.example.test", "b.example.test", "a.example.test", "c.example.test"):
                await http.post(
                    "https://93.184.216.34/x",
                    headers={"Host": name},
                    extensions={"sni_hostname": name},
                )
            await http.post(
                "https://93.184.216.34/x", extensions={"sni_hostname": "b.example.test"}
            )

    asyncio.run(scenario())
    # Same address, different names: never one pool. Past max_hosts the least recently
    # used pool (b) was closed, so b got a new one.
    hosts = [[r.extensions["sni_hostname"] for r in seen] for seen in made]
    assert hosts == [
        ["a.example.test", "a.example.test"],
        ["b.example.test"],
        ["c.example.test"],
        ["b.example.test"],
    ]
