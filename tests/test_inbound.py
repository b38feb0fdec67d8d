"""Inbound calls: numbers bound to assistants (`/openapi/inbound-numbers`), a PBX's
media stream to a bound number held by the bound assistant, recorded as inbound, with
`callin.hangup` / `callin.collect` webhooks; a caller some task dialled is linked to
that task's number.

Speech is the tone fakes (tests/test_media_socket.py), so calls take seconds.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.support.callee import MediaStreamCallee, live_server
from tests.support.dialer import make_task, numbers_of, phones
from tests.test_media_socket import ENGLISH, said, use_tones, ws_path
from voxdial.store.models import Call, WebhookOutbox

pytestmark = pytest.mark.timeout(120)

OURS, CALLER, STRANGER = phones(3, seed=7)
CALL_KEYS = {
    "session_id", "callee", "caller", "start_at", "answer_at", "end_at", "duration",
    "billsec", "direction", "ring_time", "hangup_side", "hangup_reason", "record_url",
    "task_id", "task_item_id", "assistant_infos", "extra",
}  # fmt: skip


def make_assistant(client, **fields) -> dict:
    r = client.post("/openapi/assistants", json={**ENGLISH, **fields})
    assert r.status_code == 201, r.text
    return r.json()


def bind(client, number: str, assistant_id: int):
    return client.post(
        "/openapi/inbound-numbers", json={"number": number, "assistantId": assistant_id}
    )


# -- bindings --------------------------------------------------------------------------


def test_a_number_is_bound_listed_and_unbound(env):
    a = make_assistant(env.client, scene="inbound_knowledge")
    r = bind(env.client, OURS, a["id"])
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["number"] == OURS and made["assistantId"] == a["id"]
    assert made["scene"] == "inbound_knowledge"
    assert made["websocketUrl"].endswith(ws_path(a))
    listed = env.client.get("/openapi/inbound-numbers").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == made["id"]
    assert env.other.get("/openapi/inbound-numbers").json()["total"] == 0
    assert env.other.delete(f"/openapi/inbound-numbers/{made['id']}").status_code == 404
    assert env.client.delete(f"/openapi/inbound-numbers/{made['id']}").status_code == 204
    assert env.client.get("/openapi/inbound-numbers").json()["total"] == 0


def test_bad_bindings_are_refused_and_name_the_field(env):
    a = make_assistant(env.client)
    b = make_assistant(env.other)
    r = bind(env.client, "not a number", a["id"])
    assert r.status_code == 422 and "number" in r.text
    r = bind(env.client, OURS, b["id"])  # another workspace's assistant
    assert r.status_code == 422 and "assistantId" in r.text
    assert bind(env.client, OURS, a["id"]).status_code == 201
    r = bind(env.other, OURS, b["id"])  # a number rings in one place only
    assert r.status_code == 409 and "already bound" in r.text
    assert env.client.get("/openapi/inbound-numbers").json()["total"] == 1


# -- calls -----------------------------------------------------------------------------


def inbound_call(env, a: dict, *, to: str, caller: str, **params: str):
    with live_server(env.app) as base:
        url = base.replace("http", "ws") + ws_path(a)
        callee = MediaStreamCallee(
            url,
            [said("yes"), said("Tuesday")],
            token=a["websocketToken"],
            parameters={"direction": "inbound", "to": to, "from": caller, **params},
        )
        return asyncio.run(callee.run())


def outbox(env) -> list[WebhookOutbox]:
    with env.db.session() as s:
        rows = list(s.execute(select(WebhookOutbox).order_by(WebhookOutbox.id)).scalars())
        s.expunge_all()
        return rows


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_call_to_a_bound_number_is_held_by_its_assistant(env, tmp_path):
    use_tones(env, tmp_path)
    front = make_assistant(env.client, name="front desk")
    knows = make_assistant(env.client, name="knowledge", scene="inbound_knowledge")
    assert bind(env.client, OURS, knows["id"]).status_code == 201
    hook = env.client.post(
        "/openapi/webhooks",
        json={
            "url": "https://hooks.example.test/in",
            "events": ["callin.hangup", "callin.collect", "task.call.end"],
        },
    )
    assert hook.status_code == 201, hook.text

    report = inbound_call(env, front, to=OURS, caller=CALLER)
    assert report.close_code == 1000

    calls = env.client.get("/openapi/calllog", params={"direction": "inbound"}).json()["items"]
    assert len(calls) == 1
    call = calls[0]
    assert call["direction"] == "inbound"
    assert call["caller"] == CALLER and call["callee"] == OURS
    assert call["assistant"][0]["id"] == knows["id"]  # the binding's, not the socket's
    assert call["taskItemId"] is None  # no task ever dialled this caller
    assert env.client.get("/openapi/calllog", params={"direction": "outbound"}).json()["total"] == 0

    rows = outbox(env)
    assert [r.event for r in rows] == ["callin.hangup", "callin.collect"]
    hangup, collect = rows[0].payload, rows[1].payload
    assert set(hangup) == CALL_KEYS
    assert hangup["direction"] == "inbound" and hangup["session_id"] == call["sessionId"]
    assert hangup["caller"] == CALLER and hangup["callee"] == OURS
    assert hangup["assistant_infos"][0]["assistant_id"] == knows["id"]
    assert set(collect) == CALL_KEYS | {"collect_targets", "conversation_analysis"}
    got = {c["question"]: c["result"] for c in collect["collect_targets"] if c["hit"]}
    assert got == {"Are you happy with us?": "Yes", "Which day suits you?": "Tuesday"}


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_call_to_an_unbound_number_stays_with_the_socket_assistant(env, tmp_path):
    use_tones(env, tmp_path)
    front = make_assistant(env.client, name="front desk")
    other = make_assistant(env.other)
    assert bind(env.other, OURS, other["id"]).status_code == 201  # another workspace's
    inbound_call(env, front, to=OURS, caller=CALLER)
    call = env.client.get("/openapi/calllog", params={"direction": "inbound"}).json()["items"][0]
    assert call["assistant"][0]["id"] == front["id"]
    assert env.other.get("/openapi/calllog").json()["total"] == 0


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_caller_a_task_dialled_is_linked_to_its_number(env, tmp_path):
    use_tones(env, tmp_path)
    front = make_assistant(env.client)
    older = make_task(env.db, [CALLER, STRANGER], running=False)
    newer = make_task(env.db, [CALLER], running=False)
    number = next(n for n in numbers_of(env.db, newer.id) if n.phone == CALLER)
    earlier = datetime.now(UTC) - timedelta(days=1)
    with env.db.session() as s:  # the task's earlier call to this number
        s.add(
            Call(
                session_id="e" * 32, workspace_id=newer.workspace_id, task_id=newer.id,
                task_number_id=number.id, callee=CALLER, caller="", direction="outbound",
                start_at=earlier, answer_at=earlier, end_at=earlier + timedelta(seconds=40),
                hangup_reason="answered", assistant_id=newer.assistant_id, attempt=1,
            )
        )  # fmt: skip
        s.commit()
    assert older.id < newer.id

    inbound_call(env, front, to=OURS, caller=CALLER)

    call = env.client.get("/openapi/calllog", params={"direction": "inbound"}).json()["items"][0]
    assert call["taskItemId"] == number.id  # the most recent task's number
    assert call["taskId"] is None  # not one of the task's dialled calls (its statistics)
    assert call["extra"]["callback"] == {"taskId": newer.id, "taskItemId": number.id}
    history = env.client.get("/openapi/calllog", params={"phone": CALLER}).json()["items"]
    assert [c["direction"] for c in history] == ["inbound", "outbound"]
    assert history[1]["sessionId"] == "e" * 32 and history[1]["taskItemId"] == number.id
