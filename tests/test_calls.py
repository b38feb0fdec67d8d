"""Call records and traces, read back through the VoiceFox calllog / calltrace API.

The dialer writes these rows; here they are written directly, as it will.
"""

from __future__ import annotations

import wave
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.support.api import create_task
from voxdial.store.models import Call, CallTrace, Workspace

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def add_call(
    env,
    *,
    workspace: str,
    session_id: str,
    callee: str,
    task_id=None,
    minutes=0,
    description="phone",
    record_file="",
    assistant_id=None,
) -> None:
    with env.db.session() as s:
        ws = s.execute(select(Workspace).where(Workspace.name == workspace)).scalar_one()
        start = T0 + timedelta(minutes=minutes)
        call = Call(
            session_id=session_id,
            workspace_id=ws.id,
            task_id=task_id,
            callee=callee,
            caller="+862150000000",
            start_at=start,
            answer_at=start + timedelta(seconds=5),
            end_at=start + timedelta(seconds=65),
            duration=65,
            billsec=60,
            ring_time=5,
            hangup_reason="answered",
            hangup_side="callee",
            rounds=3,
            intent_level="B",
            collect=[{"question": "满意吗", "hit": True, "result": "满意"}],
            summary="客户表示满意。",
            description=description,
            record_file=record_file,
            assistant_id=assistant_id,
            assistant_vid=assistant_id,
        )
        s.add(call)
        s.flush()
        for i, (event, content) in enumerate(
            [("begin", ""), ("system.say", "您好"), ("customer.say", "满意"), ("hangup", "")]
        ):
            s.add(
                CallTrace(
                    call_id=call.id,
                    event=event,
                    content=content,
                    elapsed_ms=i * 1000,
                    dialog_id=f"d{i}",
                    created_at=start + timedelta(seconds=i),
                )
            )
        s.commit()


def test_calllog_lists_and_filters(env):
    task = create_task(env.client, [["13912345678", "张三", ""]])
    add_call(
        env,
        workspace="acme",
        session_id="s1",
        callee="+8613912345678",
        task_id=task["id"],
        assistant_id=task["assistant"]["id"],
    )
    add_call(env, workspace="acme", session_id="s2", callee="+8613800138000", minutes=60)
    add_call(
        env,
        workspace="acme",
        session_id="s3",
        callee="+8613800138000",
        minutes=120,
        description="privateTest",
    )
    add_call(env, workspace="globex", session_id="g1", callee="+8613912345678")

    all_calls = env.client.get("/openapi/calllog").json()
    assert all_calls["total"] == 3
    assert [c["sessionId"] for c in all_calls["items"]] == ["s3", "s2", "s1"]
    first = all_calls["items"][2]
    assert first["startAt"] == "2026-12-01T10:00:00+08:00"
    assert first["assistant"] == [{"id": task["assistant"]["id"], "vid": task["assistant"]["id"]}]
    assert first["collect"] == [{"question": "满意吗", "hit": True, "result": "满意"}]

    def ids(**params):
        r = env.client.get("/openapi/calllog", params=params)
        assert r.status_code == 200, r.text
        return [c["sessionId"] for c in r.json()["items"]]

    assert ids(taskId=str(task["id"])) == ["s1"]
    assert ids(phone="139-1234-5678") == ["s1"]
    assert ids(description="privateTest") == ["s3"]
    assert ids(startTime="2026-12-01 10:30:00") == ["s3", "s2"]
    assert ids(startTime="2026-12-01T02:30:00Z", endTime="2026-12-01 11:30:00") == ["s2"]
    assert ids(assistantIds=str(task["assistant"]["id"])) == ["s1"]
    assert ids(pageSize=1, pageIndex=2) == ["s2"]


def test_calllog_bad_filters(env):
    for params, field in [
        ({"startTime": "yesterday"}, "startTime"),
        ({"taskId": "1,x"}, "taskId"),
        ({"taskId": ",".join(str(i) for i in range(1, 12))}, "taskId"),
        ({"phone": "123"}, "phone"),
        ({"pageSize": 101}, "pageSize"),
        ({"direction": "sideways"}, "direction"),
    ]:
        r = env.client.get("/openapi/calllog", params=params)
        assert r.status_code == 422, params
        assert field in r.json()["error"]["message"]


def test_calltrace_and_isolation(env):
    add_call(env, workspace="acme", session_id="s1", callee="+8613912345678")
    trace = env.client.get("/openapi/calltrace/s1").json()
    assert [t["event"] for t in trace] == ["begin", "system.say", "customer.say", "hangup"]
    assert trace[2]["content"] == "满意" and trace[2]["elapsedMillSeconds"] == 2000
    assert env.client.get("/openapi/calllog/s1").json()["sessionId"] == "s1"
    assert env.other.get("/openapi/calltrace/s1").status_code == 404
    assert env.other.get("/openapi/calllog/s1").status_code == 404
    assert env.other.get("/openapi/calllog").json()["total"] == 0
    assert env.client.get("/openapi/calltrace/nope").status_code == 404


def test_recording_is_served_to_its_workspace_only(env):
    settings = env.app.state.voxdial.settings
    rec_dir = settings.data_dir / "recordings"
    rec_dir.mkdir(parents=True)
    with wave.open(str(rec_dir / "s1.wav"), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 1600)
    add_call(env, workspace="acme", session_id="s1", callee="+8613912345678", record_file="s1.wav")
    add_call(
        env,
        workspace="acme",
        session_id="s2",
        callee="+8613912345678",
        record_file="../../etc/passwd",
    )
    item = env.client.get("/openapi/calllog/s1").json()
    assert item["recordFile"].endswith("/openapi/calllog/s1/record")
    r = env.client.get("/openapi/calllog/s1/record")
    assert r.status_code == 200 and r.content[:4] == b"RIFF"
    assert r.headers["content-type"] == "audio/wav"
    assert env.other.get("/openapi/calllog/s1/record").status_code == 404
    assert env.client.get("/openapi/calllog/s2/record").status_code == 404
