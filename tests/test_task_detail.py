"""`GET /openapi/tasks/{taskID}` returns every field of the VoiceFox seed, same JSON types."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.api import ASSISTANT, OPTION, create_task
from tests.support.json_shapes import json_type

SEED = json.loads(
    (Path(__file__).parent / "data" / "voicefox_task_detail_example.json").read_text("utf-8")
)


def assert_shape(expected, actual, path="$"):
    """Every key of `expected` is in `actual` with the same JSON type, recursively."""
    assert json_type(actual) == json_type(expected), f"{path}: {actual!r} vs seed {expected!r}"
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


def _json_numbers(client, task_id: int, *items: dict) -> dict:
    r = client.post(f"/openapi/tasks/{task_id}/numbers", json={"numbers": list(items)})
    assert r.status_code == 200, r.text
    return r.json()


def test_task_from_json_numbers_has_every_seed_field_with_its_type(env):
    task = create_task(env.client, numberFileMeta={})
    assert task["option"]["numberFileMeta"] == {"号码": -1, "备注": -1, "姓名": -1}
    assert task["option"]["numbers"] == []
    added = _json_numbers(
        env.client,
        task["id"],
        {"号码": "13912345678", "姓名": "张三", "城市": "北京"},
        {"号码": "13800138000", "备注": "VIP"},
    )
    assert added == {"count": 2, "rejected": 0}
    detail = env.client.get(f"/openapi/tasks/{task['id']}").json()
    assert_shape(SEED, detail)
    # no file mapping: the seed's three columns are there, each "no such column"
    assert detail["option"]["numberFileMeta"] == {"号码": -1, "备注": -1, "姓名": -1}
    (fid,) = detail["option"]["numbers"]
    nf = env.client.get(f"/openapi/numberfiles/{fid}").json()
    assert (nf["kind"], nf["rows"], nf["columns"]) == ("json", 2, ["号码", "姓名", "城市", "备注"])
    assert nf["preview"] == [["13912345678", "张三", "北京", ""], ["13800138000", "", "", "VIP"]]

    # a second batch counts into the same file; its rows follow the first batch's
    added = _json_numbers(
        env.client, task["id"], {"号码": "13700001111"}, {"号码": "139 1234 5678"}
    )
    assert added == {"count": 1, "rejected": 1}
    detail = env.client.get(f"/openapi/tasks/{task['id']}").json()
    assert detail["option"]["numbers"] == [fid]
    assert env.client.get(f"/openapi/numberfiles/{fid}").json()["rows"] == 4
    rejects = env.client.get(f"/openapi/tasks/{task['id']}/rejects").json()["items"]
    assert [(x["fileId"], x["row"], x["reason"]) for x in rejects] == [(fid, 4, "duplicate")]
    numbers = env.client.get(f"/openapi/tasks/{task['id']}/numbers").json()["items"]
    assert {(n["fileId"], n["row"]) for n in numbers} == {(fid, 1), (fid, 2), (fid, 3)}


def test_the_detail_s_option_can_be_sent_back(env):
    """A client that reads a task and PATCHes its option back changes nothing: -1 is
    read as "no such column"."""
    task = create_task(env.client, numberFileMeta={})
    _json_numbers(env.client, task["id"], {"号码": "13912345678"})
    option = env.client.get(f"/openapi/tasks/{task['id']}").json()["option"]
    r = env.client.patch(
        f"/openapi/tasks/{task['id']}", json={"option": {**option, "retryCount": 1}}
    )
    assert r.status_code == 200, r.text
    assert r.json()["option"] == {**option, "retryCount": 1}

    filed = create_task(env.client, [["13912345678", "张三", ""]], numberFileMeta={"号码": 0})
    assert filed["option"]["numberFileMeta"] == {"号码": 0, "备注": -1, "姓名": -1}
    r = env.client.patch(f"/openapi/tasks/{filed['id']}", json={"option": filed["option"]})
    assert r.status_code == 200, r.text
    assert r.json()["option"]["numberFileMeta"] == {"号码": 0, "备注": -1, "姓名": -1}
    # a real change of the mapping is still refused once numbers are in
    moved = {**filed["option"], "numberFileMeta": {"号码": 0, "姓名": 1}}
    r = env.client.patch(f"/openapi/tasks/{filed['id']}", json={"option": moved})
    assert r.status_code == 422 and "numberFileMeta" in r.text


def test_a_json_numbers_file_cannot_be_imported_again(env):
    task = create_task(env.client, numberFileMeta={})
    _json_numbers(env.client, task["id"], {"号码": "13912345678"})
    (fid,) = env.client.get(f"/openapi/tasks/{task['id']}").json()["option"]["numbers"]
    body = {
        "name": "again",
        "assistantId": task["assistant"]["id"],
        "option": {**OPTION, "numbers": [fid]},
    }
    r = env.client.post("/openapi/tasks", json=body)
    assert r.status_code == 422, r.text
    assert f"number file {fid}" in r.json()["error"]["message"]
    assert "JSON" in r.json()["error"]["message"]


def test_json_numbers_with_too_many_keys_are_refused(env):
    task = create_task(env.client, numberFileMeta={})
    items = [
        {"号码": f"1391234{i:04d}", **{f"k{i}_{j}": "x" for j in range(150)}} for i in range(2)
    ]
    r = env.client.post(f"/openapi/tasks/{task['id']}/numbers", json={"numbers": items})
    assert r.status_code == 422, r.text
    assert "different keys" in r.json()["error"]["message"]
    detail = env.client.get(f"/openapi/tasks/{task['id']}").json()
    assert (detail["total"], detail["option"]["numbers"]) == (0, [])
