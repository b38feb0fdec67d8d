"""`GET /openapi/tasks/{taskID}` returns every field of the VoiceFox seed, same JSON types."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.api import ASSISTANT, create_task

SEED = json.loads(
    (Path(__file__).parent / "data" / "voicefox_task_detail_example.json").read_text("utf-8")
)


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def assert_shape(expected, actual, path="$"):
    """Every key of `expected` is in `actual` with the same JSON type, recursively."""
    assert _json_type(actual) == _json_type(expected), f"{path}: {actual!r} vs seed {expected!r}"
    if isinstance(expected, dict):
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            assert_shape(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list) and expected and actual:
        for i, item in enumerate(actual):
            assert_shape(expected[0], item, f"{path}[{i}]")


def test_task_detail_has_every_seed_field_with_its_type(env):
    created = create_task(env.client, [["13912345678", "张三", "VIP"], ["13800138000", "李四", ""]])
    r = env.client.get(f"/openapi/tasks/{created['id']}")
    assert r.status_code == 200
    detail = r.json()
    assert_shape(SEED, detail)
    # deletedAt is null while the assistant lives, as in the seed
    assert detail["assistant"]["deletedAt"] is None
    assert detail["status"] == "pending"
    assert detail["total"] == 2
    assert detail["progress"] == 0 and detail["collectionRate"] == 0
    assert detail["option"]["numberFileMeta"] == {"号码": 0, "姓名": 1, "备注": 2}
    assert detail["option"]["startTime"] == [["09:00", "12:00"], ["14:00", "18:00"]]
    assert detail["assistantVid"] == detail["assistant"]["versionId"]
    assert detail["assistant"]["collect"] == ASSISTANT["collect"]
    assert detail["assistant"]["creator"]["email"] == "ops@acme.test"
    assert detail["assistant"]["idOldVersion"] is False
    assert detail["summary"] == "" and detail["suggestion"] == ""
    assert detail["createdAt"].endswith("+08:00")


def test_assert_shape_catches_a_wrong_type():
    bad = json.loads(json.dumps(SEED))
    bad["option"]["retryCount"] = "2"
    try:
        assert_shape(SEED, bad)
    except AssertionError as e:
        assert "retryCount" in str(e)
    else:
        raise AssertionError("assert_shape accepted a string for an integer")


def test_pinned_version_goes_old_when_the_assistant_changes(env):
    task = create_task(env.client, [["13912345678", "张三", ""]])
    aid = task["assistant"]["id"]
    r = env.client.patch(f"/openapi/assistants/{aid}", json={"welcome": "新的开场白"})
    assert r.status_code == 200, r.text
    assert r.json()["versionId"] > task["assistantVid"]
    detail = env.client.get(f"/openapi/tasks/{task['id']}").json()
    assert detail["assistant"]["idOldVersion"] is True
    assert detail["assistantVid"] == task["assistantVid"]
    assert detail["assistant"]["welcome"] == ASSISTANT["welcome"]
