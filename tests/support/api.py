"""Small helpers that drive the API the way a client would."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient

ASSISTANT = {
    "name": "满意度回访",
    "welcome": "您好{姓名}，我是小狐，耽误您一分钟做个回访。",
    "prompt": "礼貌、简洁。",
    "collect": [
        {"question": "您对我们的服务满意吗？", "answers": ["满意", "一般", "不满意"]},
        {"question": "方便留个邮箱吗？", "answers": []},
    ],
    "knowledge": "我们的营业时间是每天九点到十八点。",
}

OPTION = {
    "numberFileMeta": {"号码": 0, "姓名": 1, "备注": 2},
    "startDate": "2026-12-01",
    "startTime": [["09:00", "12:00"], ["14:00", "18:00"]],
    "retryCount": 2,
    "retryInterval": 30,
}


def csv_bytes(rows: list[list[str]], header=("号码", "姓名", "备注"), encoding="utf-8") -> bytes:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(client: TestClient, data: bytes, name: str = "numbers.csv", ctype: str = "text/csv"):
    return client.post("/openapi/numberfiles", files={"file": (name, io.BytesIO(data), ctype)})


def create_assistant(client: TestClient, **overrides: Any) -> dict[str, Any]:
    r = client.post("/openapi/assistants", json={**ASSISTANT, **overrides})
    assert r.status_code == 201, r.text
    return r.json()


def create_task(
    client: TestClient,
    rows: list[list[str]] | None = None,
    *,
    assistant_id: int | None = None,
    **option: Any,
) -> dict[str, Any]:
    if assistant_id is None:
        assistant_id = create_assistant(client)["id"]
    numbers = []
    if rows is not None:
        r = upload(client, csv_bytes(rows))
        assert r.status_code == 201, r.text
        numbers = [r.json()["id"]]
    body = {
        "name": "回访任务",
        "assistantId": assistant_id,
        "option": {**OPTION, "numbers": numbers, **option},
    }
    r = client.post("/openapi/tasks", json=body)
    assert r.status_code == 201, r.text
    return r.json()
