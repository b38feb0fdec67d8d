"""Debug sessions live in the database: capped per workspace, closed when idle, and
continued by any API process on the same database (api/debug_sessions.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from tests.conftest import make_env, make_settings
from tests.support.api import create_assistant
from tests.support.llm_server import content_events
from voxdial.api.app import create_app
from voxdial.conversation.engine import CallContext, MinimalScriptEngine
from voxdial.conversation.openai_engine import OpenAIEngine
from voxdial.settings import LLMSettings
from voxdial.store import debug_sessions as repo
from voxdial.store.db import Database
from voxdial.store.models import CallTrace, DebugSession

Q1 = "您对我们的服务满意吗？"
Q2 = "您对价格满意吗？"
TWO_QUESTIONS = {
    "welcome": "您好{姓名}，我是小狐。",
    "collect": [
        {"question": Q1, "answers": ["满意", "一般", "不满意"]},
        {"question": Q2, "answers": ["满意", "一般", "不满意"]},
    ],
}
# the callee's side of one conversation: words, silence (None), words that end it
CALLEE = ["嗯还挺满意的", None, "价格一般吧"]


def _url(assistant: dict[str, Any]) -> str:
    return f"/openapi/assistants/{assistant['id']}/debug"


def _say(client: TestClient, url: str, sid: str, text: str | None) -> dict[str, Any]:
    r = client.post(url, json={"sessionId": sid, "text": text})
    assert r.status_code == 200, r.text
    return r.json()


def _client(app, token: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_a_workspace_over_its_cap_closes_only_its_own_oldest(db_url, tmp_path):
    env = make_env(db_url, tmp_path, debug_sessions_per_workspace=3)
    try:
        a = create_assistant(env.client, **TWO_QUESTIONS)
        b = create_assistant(env.other, **TWO_QUESTIONS)
        theirs = env.other.post(_url(b), json={}).json()["sessionId"]
        ours = [env.client.post(_url(a), json={}).json()["sessionId"] for _ in range(5)]
        # the other workspace's session goes on
        assert _say(env.other, _url(b), theirs, "满意")["finished"] is False
        # ours: the two least recently used are closed, with a reason; the rest go on
        for sid in ours[:2]:
            r = env.client.post(_url(a), json={"sessionId": sid, "text": "满意"})
            assert r.status_code == 404, r.text
            message = r.json()["error"]["message"]
            assert sid in message and "3 open debug sessions" in message
        for sid in ours[2:]:
            assert _say(env.client, _url(a), sid, "满意")["finished"] is False
        with env.db.session() as s:
            per_ws = dict(
                s.execute(
                    select(DebugSession.workspace_id, func.count()).group_by(
                        DebugSession.workspace_id
                    )
                ).all()
            )
        assert sorted(per_ws.values()) == [1, 3]
        # using a session makes it the most recent: a new one now closes ours[3]
        _say(env.client, _url(a), ours[2], None)
        _say(env.client, _url(a), ours[4], None)
        env.client.post(_url(a), json={})
        assert env.client.post(_url(a), json={"sessionId": ours[3]}).status_code == 404
        _say(env.client, _url(a), ours[2], "满意")
        _say(env.other, _url(b), theirs, "满意")
    finally:
        env.client.close()
        env.other.close()
        env.db.dispose()


def _conversation(turn) -> list[dict[str, Any]]:
    """The replies to CALLEE, each turn taken by `turn(index)`'s client."""
    return [turn(i, text) for i, text in enumerate(CALLEE)]


def test_a_session_started_on_one_app_continues_on_another(db_url, tmp_path):
    env = make_env(db_url, tmp_path)
    second_db = Database(db_url)
    second = create_app(make_settings(db_url, tmp_path), db=second_db)
    there = _client(second, env.token)
    try:
        a = create_assistant(env.client, **TWO_QUESTIONS)
        url = _url(a)
        # the same conversation twice: on one app, and alternating between the two
        one = env.client.post(url, json={"name": "张三"}).json()
        alone = _conversation(lambda i, text: _say(env.client, url, one["sessionId"], text))
        first = env.client.post(url, json={"name": "张三"}).json()
        sid = first["sessionId"]
        clients = [there, env.client, there]  # rebuilt there, caught up here, then there
        mixed = _conversation(lambda i, text: _say(clients[i], url, sid, text))

        def shape(turns):
            return [{k: v for k, v in t.items() if k != "sessionId"} for t in turns]

        assert first["reply"] == one["reply"] and "张三" in first["reply"]
        assert shape(mixed) == shape(alone)
        assert [t["finished"] for t in mixed] == [False, False, True]
        assert [(c["question"], c["result"]) for c in mixed[-1]["collected"]] == [
            (Q1, "满意"),
            (Q2, "一般"),
        ]
        # one call record, its trace written once per line, its outcome written once
        calls = env.client.get("/openapi/calllog", params={"description": "privateTest"}).json()
        by_session = {c["sessionId"]: c for c in calls["items"]}
        assert by_session[sid]["collect"] == by_session[one["sessionId"]]["collect"]
        assert by_session[sid]["intentLevel"] == by_session[one["sessionId"]]["intentLevel"]
        traces = {
            s: [(t["event"], t["content"]) for t in there.get(f"/openapi/calltrace/{s}").json()]
            for s in (sid, one["sessionId"])
        }
        assert traces[sid] == traces[one["sessionId"]]
        assert [e for e, _ in traces[sid]].count("hangup") == 1
        assert [e for e, _ in traces[sid]].count("begin") == 1
        with env.db.session() as s:
            assert s.execute(select(func.count()).select_from(DebugSession)).scalar_one() == 0
        # finished: neither app continues it
        for client in (env.client, there):
            assert client.post(url, json={"sessionId": sid, "text": "喂"}).status_code == 404
    finally:
        there.close()
        second_db.dispose()
        env.client.close()
        env.other.close()
        env.db.dispose()


def test_an_idle_session_is_closed_with_a_clear_404(env):
    a = create_assistant(env.client, **TWO_QUESTIONS)
    url = _url(a)
    sessions = env.app.state.voxdial.debug_sessions
    sid = env.client.post(url, json={}).json()["sessionId"]
    kept = env.client.post(url, json={}).json()["sessionId"]
    later = datetime.now(UTC) + timedelta(minutes=20)
    sessions.clock = lambda: later
    assert _say(env.client, url, kept, None)["finished"] is False  # used at +20 min
    later = datetime.now(UTC) + timedelta(minutes=31)
    r = env.client.post(url, json={"sessionId": sid, "text": "满意"})
    assert r.status_code == 404
    assert "idle over 30 minutes" in r.json()["error"]["message"]
    assert _say(env.client, url, kept, "满意")["finished"] is False  # idle 11 minutes only
    with env.db.session() as s:
        left = s.execute(select(DebugSession.session_id)).scalars().all()
        begun = s.execute(
            select(func.count()).select_from(CallTrace).where(CallTrace.event == "begin")
        ).scalar_one()
    assert left == [kept]
    assert begun == 2  # the closed session's call record and trace stay


def test_a_turn_on_a_session_that_moved_on_is_refused(env):
    a = create_assistant(env.client, **TWO_QUESTIONS)
    sid = env.client.post(_url(a), json={}).json()["sessionId"]
    with env.db.session() as s:
        workspace_id = s.execute(
            select(DebugSession.workspace_id).where(DebugSession.session_id == sid)
        ).scalar_one()
    row = repo.load(env.db, sid, workspace_id=workspace_id)
    assert row is not None and row.turn_count == 1
    now = datetime.now(UTC)
    turn = {"kind": "silence", "text": None, "at": now.isoformat(), "actions": []}
    assert repo.take_turn(
        env.db, row, turns=[*row.turns, turn], touched=now, utterances=[], traced=1
    )
    # the same turn again, from the version read before: not kept, nothing written
    assert not repo.take_turn(
        env.db, row, turns=[*row.turns, turn, turn], touched=now, utterances=[], traced=1
    )
    assert repo.load(env.db, sid, workspace_id=workspace_id).turn_count == 2
    # a session of another workspace is not found by id alone
    assert repo.load(env.db, sid, workspace_id=workspace_id + 1) is None


# --- a chat-model conversation is restored without asking the model again --------------

SATISFIED = "Are you satisfied with our service?"
WHEN = "When did you last visit us?"
LLM_ASSISTANT: dict[str, Any] = {
    "welcome": "Hello {姓名}, this is Acme calling about your recent visit.",
    "collect": [
        {"question": SATISFIED, "answers": ["satisfied", "neutral", "dissatisfied"]},
        {"question": WHEN, "answers": []},
    ],
    "llmId": 1,
}


def _engine(requests: list[dict[str, Any]]) -> OpenAIEngine:
    reply = {
        "say": "Thanks! When did you last visit us?",
        "collected": [{"question": SATISFIED, "result": "satisfied"}],
        "action": "continue",
        "callback_at": "",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(json.loads(request.content))
        body = "".join(f"data: {e}\n\n" for e in content_events(json.dumps(reply))).encode()
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    transport = httpx.MockTransport(handler)
    return OpenAIEngine(
        LLMSettings(base_url="http://llm.test/v1", model="m", api_key=SecretStr("sk-x")),
        fallback=MinimalScriptEngine(),
        transport=transport,
        async_transport=transport,
        knowledge=lambda text: None,
    )


def test_a_chat_model_conversation_restores_from_its_turns_without_the_model():
    context = CallContext(
        assistant=LLM_ASSISTANT, name="Ann", now=datetime.fromisoformat("2025-03-03T10:00+08:00")
    )
    asked: list[dict[str, Any]] = []
    with _engine(asked) as engine:
        live = engine.begin(context)
        turns = [("start", None, live.start())]
        turns.append(("hear", "Yes, quite satisfied.", live.hear("Yes, quite satisfied.")))
        turns.append(("silence", None, live.silence()))
        live.hear("Last week.")
    restored_asked: list[dict[str, Any]] = []
    with _engine(restored_asked) as engine:
        restored = engine.begin(context)
        restored.restore(turns)
        assert restored_asked == []  # the model was not asked for the recorded turns
        assert [(c.question, c.result) for c in restored.collected] == [(SATISFIED, "satisfied")]
        assert not restored.finished
        restored.hear("Last week.")
    # the next turn asks the model exactly what the live conversation asked it
    assert len(asked) == 2 and len(restored_asked) == 1
    assert restored_asked[0]["messages"] == asked[1]["messages"]


def test_a_turn_raced_by_another_process_is_refused_and_the_session_goes_on(
    sqlite_url, tmp_path, monkeypatch
):
    env = make_env(sqlite_url, tmp_path)
    second_db = Database(sqlite_url)
    there = _client(create_app(make_settings(sqlite_url, tmp_path), db=second_db), env.token)
    try:
        a = create_assistant(env.client, **TWO_QUESTIONS)
        url = _url(a)
        sid = env.client.post(url, json={}).json()["sessionId"]
        real_load = repo.load
        raced: list[dict[str, Any]] = []
        racing: list[bool] = []

        def load_then_race(db, session_id, *, workspace_id):
            row = real_load(db, session_id, workspace_id=workspace_id)
            if not racing:  # the other process takes a turn after this one read the session
                racing.append(True)
                raced.append(_say(there, url, sid, "满意"))
            return row

        monkeypatch.setattr(repo, "load", load_then_race)
        r = env.client.post(url, json={"sessionId": sid, "text": "不满意"})
        assert r.status_code == 409, r.text
        assert "took another turn at the same time" in r.json()["error"]["message"]
        assert raced[0]["collected"][0]["result"] == "满意"
        # the refused turn left nothing; the session goes on from the other one's turn
        said = [t["content"] for t in env.client.get(f"/openapi/calltrace/{sid}").json()]
        assert "满意" in said and "不满意" not in said
        last = _say(env.client, url, sid, "价格一般吧")
        assert last["finished"] is True
        assert [(c["question"], c["result"]) for c in last["collected"]] == [
            (Q1, "满意"),
            (Q2, "一般"),
        ]
    finally:
        there.close()
        second_db.dispose()
        env.client.close()
        env.other.close()
        env.db.dispose()
