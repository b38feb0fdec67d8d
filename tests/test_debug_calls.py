"""Debug calls: a text conversation with an assistant, listed as privateTest calls."""

from __future__ import annotations

from tests.support.api import create_assistant


def test_debug_conversation_is_recorded_as_a_private_test_call(env):
    a = create_assistant(
        env.client,
        welcome="您好{姓名}，我是小狐。",
        collect=[{"question": "您对我们的服务满意吗？", "answers": ["满意", "一般", "不满意"]}],
    )
    r = env.client.post(f"/openapi/assistants/{a['id']}/debug", json={"name": "张三"})
    assert r.status_code == 200, r.text
    first = r.json()
    assert "张三" in first["reply"] and "满意吗" in first["reply"]
    assert first["finished"] is False
    sid = first["sessionId"]

    r = env.client.post(
        f"/openapi/assistants/{a['id']}/debug", json={"sessionId": sid, "text": "嗯还挺满意的"}
    )
    assert r.status_code == 200, r.text
    turn = r.json()
    assert turn["finished"] is True
    assert turn["collected"][0]["result"] == "满意" and turn["collected"][0]["hit"] is True

    calls = env.client.get("/openapi/calllog", params={"description": "privateTest"}).json()
    assert calls["total"] == 1
    call = calls["items"][0]
    assert call["sessionId"] == sid and call["description"] == "privateTest"
    assert call["collect"] == [
        {"question": "您对我们的服务满意吗？", "hit": True, "result": "满意"}
    ]
    assert call["intentLevel"] in {"A", "B"}
    trace = env.client.get(f"/openapi/calltrace/{sid}").json()
    events = [t["event"] for t in trace]
    assert events[0] == "begin" and events[-1] == "hangup"
    assert {"system.say", "customer.say"} <= set(events)
    # the phone calls list does not show it
    assert env.client.get("/openapi/calllog", params={"description": "phone"}).json()["total"] == 0


def test_debug_sessions_are_private_and_expire_cleanly(env):
    a = create_assistant(env.client)
    sid = env.client.post(f"/openapi/assistants/{a['id']}/debug", json={}).json()["sessionId"]
    # another workspace cannot continue it, nor use the assistant
    r = env.other.post(
        f"/openapi/assistants/{a['id']}/debug", json={"sessionId": sid, "text": "hi"}
    )
    assert r.status_code == 404
    assert env.other.post(f"/openapi/assistants/{a['id']}/debug", json={}).status_code == 404
    r = env.client.post(
        f"/openapi/assistants/{a['id']}/debug", json={"sessionId": "nope", "text": "hi"}
    )
    assert r.status_code == 404 and "debug session" in r.json()["error"]["message"]
    env.client.delete(f"/openapi/assistants/{a['id']}")
    assert env.client.post(f"/openapi/assistants/{a['id']}/debug", json={}).status_code == 409
