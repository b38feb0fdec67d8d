"""VoiceFox's call detail, `GET /openapi/call_logs/{sessionID}`: every documented field
with its JSON type, the numbers' 归属地 and carrier (also in `/openapi/calllog` items
and in webhooks' `extra`), and workspace isolation.

The dialer writes call rows; here they are written directly, as it does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.support.api import ASSISTANT, create_task
from tests.support.json_shapes import json_type
from voxdial.domain.attribution import attribute_of
from voxdial.store.models import Call, Workspace
from voxdial.webhooks.events import call_ended_data

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
SATISFIED, EMAIL = (c["question"] for c in ASSISTANT["collect"])

# The documented fields and the JSON types each may take (null: an id that does not
# apply to the call, a time that has not come).
FIELD_TYPES: dict[str, set[str]] = {
    "id": {"integer"},
    "sessionId": {"string"},
    "scriptPlanId": {"integer", "null"},
    "agentId": {"integer", "null"},
    "numberId": {"integer", "null"},
    "taskId": {"integer", "null"},
    "taskItemId": {"integer", "null"},
    "startAt": {"string"},
    "endAt": {"string", "null"},
    "answerAt": {"string", "null"},
    "createdAt": {"string"},
    "callee": {"string"},
    "calleeAttribute": {"string"},
    "caller": {"string"},
    "callerAttribute": {"string"},
    "direction": {"string"},
    "agentName": {"string"},
    "recordFile": {"string"},
    "duration": {"integer"},
    "billsec": {"integer"},
    "hangupSide": {"string"},
    "hangupReason": {"string"},
    "ringTime": {"integer"},
    "assistantVids": {"array"},
    "collect": {"array"},
}
COLLECT_TYPES = {"vid": {"integer"}, "items": {"array"}}
ANSWER_TYPES = {
    "question": {"string"},
    "option": {"array"},
    "answerOption": {"array"},
    "answer": {"string"},
    "hit": {"boolean"},
    "message": {"string"},
}


def assert_types(types: dict[str, set[str]], obj: dict, path: str) -> None:
    assert set(obj) == set(types), f"{path}: fields {sorted(set(obj) ^ set(types))}"
    for key, allowed in types.items():
        assert json_type(obj[key]) in allowed, f"{path}.{key}: {obj[key]!r} is not {allowed}"


def assert_call_log_shape(detail: dict) -> None:
    assert_types(FIELD_TYPES, detail, "$")
    assert all(json_type(v) == "integer" for v in detail["assistantVids"])
    for i, group in enumerate(detail["collect"]):
        assert_types(COLLECT_TYPES, group, f"$.collect[{i}]")
        for j, item in enumerate(group["items"]):
            assert_types(ANSWER_TYPES, item, f"$.collect[{i}].items[{j}]")
            for key in ("option", "answerOption"):
                assert all(json_type(v) == "string" for v in item[key]), (key, item)


def add_call(env, *, workspace="acme", session_id, callee, ended=True, **values) -> Call:
    with env.db.session() as s:
        ws = s.execute(select(Workspace).where(Workspace.name == workspace)).scalar_one()
        row = {
            "session_id": session_id,
            "workspace_id": ws.id,
            "callee": callee,
            "caller": "+862150000000",
            "start_at": T0,
            "answer_at": T0 + timedelta(seconds=5),
            "end_at": T0 + timedelta(seconds=65) if ended else None,
            "duration": 65 if ended else 0,
            "billsec": 60 if ended else 0,
            "ring_time": 5,
            "hangup_reason": "answered" if ended else None,
            "hangup_side": "callee" if ended else None,
        }
        row.update(values)
        call = Call(**row)
        s.add(call)
        s.commit()
        s.refresh(call)
        s.expunge(call)
        return call


def test_assert_call_log_shape_catches_a_wrong_type_and_a_missing_field():
    sample = {"integer": 1, "string": "x", "array": [], "null": None}
    good = {k: sample[min(v)] for k, v in FIELD_TYPES.items()}
    assert_call_log_shape(good)
    for bad in ({**good, "duration": "65"}, {k: v for k, v in good.items() if k != "ringTime"}):
        with pytest.raises(AssertionError):
            assert_call_log_shape(bad)


def test_call_detail_of_a_task_call_field_for_field(env):
    task = create_task(env.client, [["13912345678", "张三", ""]])
    (number,) = env.client.get(f"/openapi/tasks/{task['id']}/numbers").json()["items"]
    vid = task["assistantVid"]
    call = add_call(
        env,
        session_id="s-task",
        callee="+8613912345678",
        task_id=task["id"],
        task_number_id=number["id"],
        assistant_id=task["assistant"]["id"],
        assistant_vid=vid,
        collect=[
            {"question": SATISFIED, "hit": True, "result": "满意", "message": "挺满意的"},
            {"question": EMAIL, "hit": True, "result": "a@example.com", "message": "a@example.com"},
        ],
    )
    r = env.client.get("/openapi/call_logs/s-task")
    assert r.status_code == 200, r.text
    detail = r.json()
    assert_call_log_shape(detail)
    assert detail["id"] == call.id and detail["sessionId"] == "s-task"
    assert (detail["taskId"], detail["taskItemId"]) == (task["id"], number["id"])
    assert detail["numberId"] == task["option"]["numbers"][0] == number["fileId"]
    assert (detail["scriptPlanId"], detail["agentId"], detail["agentName"]) == (None, None, "")
    assert detail["startAt"] == detail["createdAt"] == "2026-12-01T10:00:00+08:00"
    assert detail["answerAt"] == "2026-12-01T10:00:05+08:00"
    assert detail["endAt"] == "2026-12-01T10:01:05+08:00"
    assert (detail["duration"], detail["billsec"], detail["ringTime"]) == (65, 60, 5)
    assert (detail["hangupSide"], detail["hangupReason"]) == ("callee", "answered")
    assert detail["direction"] == "outbound" and detail["recordFile"] == ""
    assert detail["calleeAttribute"] == "江苏省常州市 中国移动"
    assert detail["callerAttribute"] == "上海市"
    assert detail["assistantVids"] == [vid]
    assert detail["collect"] == [
        {
            "vid": vid,
            "items": [
                {
                    "question": SATISFIED,
                    "option": ["满意", "一般", "不满意"],
                    "answerOption": ["满意"],
                    "answer": "满意",
                    "hit": True,
                    "message": "挺满意的",
                },
                {
                    "question": EMAIL,
                    "option": [],
                    "answerOption": [],
                    "answer": "a@example.com",
                    "hit": True,
                    "message": "a@example.com",
                },
            ],
        }
    ]


def test_call_detail_of_a_call_in_progress_without_task(env):
    add_call(env, session_id="s-open", callee="+8613800138000", caller="", ended=False)
    detail = env.client.get("/openapi/call_logs/s-open").json()
    assert_call_log_shape(detail)
    assert (detail["taskId"], detail["taskItemId"], detail["numberId"]) == (None, None, None)
    assert detail["endAt"] is None
    assert (detail["hangupSide"], detail["hangupReason"]) == ("", "")
    assert (detail["caller"], detail["callerAttribute"]) == ("", "")
    assert detail["assistantVids"] == [] and detail["collect"] == []


ATTRIBUTES = [
    ("+8613912345678", "江苏省常州市 中国移动"),  # a Chinese mobile: place and carrier
    ("+8618612345678", "北京市 中国联通"),
    ("+862087654321", "广东省广州市"),  # a landline: no carrier
    ("+12025550123", "美国"),  # abroad: the country
    ("+8612", ""),  # not a valid number
    ("13912345678", ""),  # not E.164
    ("", ""),
]


@pytest.mark.parametrize("number, expected", ATTRIBUTES)
def test_attribute_of(number, expected):
    assert attribute_of(number) == expected


def test_attributes_in_the_detail_the_list_and_webhooks(env):
    shown = [(n, a) for n, a in ATTRIBUTES if n]  # a call's callee is never empty
    for i, (number, _) in enumerate(shown):
        add_call(
            env,
            session_id=f"a{i}",
            callee=number,
            caller=number,
            start_at=T0 + timedelta(minutes=i),
        )
    listed = env.client.get("/openapi/calllog", params={"pageSize": 100}).json()["items"]
    by_session = {c["sessionId"]: c for c in listed}
    settings = env.app.state.voxdial.settings
    for i, (_, expected) in enumerate(shown):
        detail = env.client.get(f"/openapi/call_logs/a{i}").json()
        assert (detail["calleeAttribute"], detail["callerAttribute"]) == (expected, expected)
        item = by_session[f"a{i}"]
        assert (item["calleeAttribute"], item["callerAttribute"]) == (expected, expected)
        with env.db.session() as s:
            call = s.execute(select(Call).where(Call.session_id == f"a{i}")).scalar_one()
            extra = call_ended_data(call, base_url=settings.base_url(), tz="Asia/Shanghai")["extra"]
        assert (extra["callee_attribute"], extra["caller_attribute"]) == (expected, expected)


def test_another_workspace_s_call_is_404_like_an_unknown_one(env):
    add_call(env, workspace="globex", session_id="g1", callee="+8613912345678")
    assert env.other.get("/openapi/call_logs/g1").status_code == 200
    theirs = env.client.get("/openapi/call_logs/g1")
    unknown = env.client.get("/openapi/call_logs/g2")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["error"]["code"] == unknown.json()["error"]["code"] == "not_found"
    assert "13912345678" not in theirs.text
    anon = env.client.__class__(env.app, raise_server_exceptions=False)
    assert anon.get("/openapi/call_logs/g1").status_code == 401
