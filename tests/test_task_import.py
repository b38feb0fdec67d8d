"""Importing numbers into a task: normalisation to E.164, rejects with row and reason,
variables from extra columns, column mapping errors, and JSON adds."""

from __future__ import annotations

import io

from tests.conftest import Env
from tests.support.api import OPTION, create_assistant, create_task, csv_bytes, upload


def assert_error(r, status: int, *words: str) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "details"}, err
    for w in words:
        assert w in err["message"], (w, err["message"])
    return err


def numbers(env: Env, task_id: int, client=None) -> list[dict]:
    r = (client or env.client).get(f"/openapi/tasks/{task_id}/numbers", params={"pageSize": 100})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def rejects(env: Env, task_id: int) -> list[dict]:
    r = env.client.get(f"/openapi/tasks/{task_id}/rejects", params={"pageSize": 100})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return body["items"]


def upload_id(env: Env, rows, header=("号码", "姓名", "备注"), client=None) -> int:
    r = upload(client or env.client, csv_bytes(rows, header=header))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def new_task(env: Env, files: list[int], **option) -> dict:
    aid = create_assistant(env.client)["id"]
    r = env.client.post(
        "/openapi/tasks",
        json={"name": "导入", "assistantId": aid, "option": {**OPTION, "numbers": files, **option}},
    )
    assert r.status_code == 201, r.text
    return r.json()


def task_count(env: Env) -> int:
    return env.client.get("/openapi/tasks").json()["total"]


def test_phone_forms_are_stored_as_e164(env):
    rows = [
        ["+86 139 1234 5678", "甲", ""],
        ["0086 138-0013-8000", "乙", ""],
        ["137 0000 1111", "丙", ""],
        ["136-0000-2222", "丁", ""],
        ["010-62345678", "戊", "北京座机"],
        ["(021) 6234 5678", "己", "上海座机"],
        ["0755 8888 6666", "庚", ""],
        ["+86 10 8765 4321", "辛", ""],
    ]
    task = new_task(env, [upload_id(env, rows)])
    assert task["total"] == len(rows) and task["rejected"] == 0
    got = [(n["phone"], n["name"], n["row"]) for n in numbers(env, task["id"])]
    assert got == [
        ("+8613912345678", "甲", 2),
        ("+8613800138000", "乙", 3),
        ("+8613700001111", "丙", 4),
        ("+8613600002222", "丁", 5),
        ("+861062345678", "戊", 6),
        ("+862162345678", "己", 7),
        ("+8675588886666", "庚", 8),
        ("+861087654321", "辛", 9),
    ]
    assert all(n["state"] == "pending" and n["attempts"] == 0 for n in numbers(env, task["id"]))


def test_rejected_rows_have_row_value_and_reason(env):
    r = env.client.post("/openapi/blocklist", json={"numbers": ["+86 135 0000 9999"]})
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 1
    rows = [
        ["13912345678", "a", ""],  # row 2: ok
        ["12345", "b", ""],  # row 3: invalid
        ["139 1234 5678", "c", ""],  # row 4: duplicate of row 2 in the same file
        ["", "d", ""],  # row 5: invalid (empty)
        ["13500009999", "e", ""],  # row 6: blocked
        ["not a phone", "f", ""],  # row 7: invalid
        ["13800138000", "g", ""],  # row 8: ok
    ]
    f1 = upload_id(env, rows)
    f2 = upload_id(env, [["13800138000", "h", ""], ["13700001111", "i", ""]])
    task = new_task(env, [f1, f2])
    assert task["total"] == 3
    assert task["rejected"] == 6
    got = sorted((x["fileId"], x["row"], x["reason"]) for x in rejects(env, task["id"]))
    assert got == [
        (f1, 3, "invalid"),
        (f1, 4, "duplicate"),
        (f1, 5, "invalid"),
        (f1, 6, "blocked"),
        (f1, 7, "invalid"),
        (f2, 2, "duplicate"),  # across files
    ]
    by_row = {(x["fileId"], x["row"]): x for x in rejects(env, task["id"])}
    assert by_row[(f1, 3)]["value"] == "12345"
    assert by_row[(f1, 7)]["value"] == "not a phone"
    assert by_row[(f1, 3)]["detail"]
    assert by_row[(f1, 6)]["value"].endswith("0009999")
    assert {n["phone"] for n in numbers(env, task["id"])} == {
        "+8613912345678",
        "+8613800138000",
        "+8613700001111",
    }
    detail = env.client.get(f"/openapi/tasks/{task['id']}").json()
    assert (detail["total"], detail["rejected"]) == (3, 6)


def test_numbers_added_later_are_checked_against_the_task(env):
    task = new_task(env, [upload_id(env, [["13912345678", "a", ""]])])
    fid = upload_id(env, [["139-1234-5678", "dup", ""], ["13800138000", "new", ""]])
    # a file added through the task endpoint
    data = csv_bytes([["139-1234-5678", "dup", ""], ["13800138000", "new", ""]])
    r = env.client.post(
        f"/openapi/tasks/{task['id']}/numbers",
        files={"file": ("more.csv", io.BytesIO(data), "text/csv")},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"count": 1, "rejected": 1}
    assert [x["reason"] for x in rejects(env, task["id"])] == ["duplicate"]
    detail = env.client.get(f"/openapi/tasks/{task['id']}").json()
    assert detail["total"] == 2 and detail["rejected"] == 1
    assert len(detail["option"]["numbers"]) == 2
    assert fid not in detail["option"]["numbers"]  # only files actually added are listed


def test_extra_columns_become_variables(env):
    header = ("号码", "姓名", "备注", "城市", "金额")
    rows = [["13912345678", "张三", "VIP", "上海", "100"], ["13800138000", "李四", "", "", ""]]
    fid = upload_id(env, rows, header=header)
    task = new_task(
        env, [fid], numberFileMeta={"号码": 0, "姓名": 1, "备注": 2, "城市": 3, "金额": 4}
    )
    got = {n["phone"]: (n["name"], n["note"], n["variables"]) for n in numbers(env, task["id"])}
    assert got == {
        "+8613912345678": ("张三", "VIP", {"城市": "上海", "金额": "100"}),
        "+8613800138000": ("李四", "", {"城市": "", "金额": ""}),
    }


def test_columns_in_any_order(env):
    header = ("姓名", "城市", "手机")
    fid = upload_id(env, [["张三", "上海", "13912345678"]], header=header)
    task = new_task(env, [fid], numberFileMeta={"号码": 2, "姓名": 0, "城市": 1})
    [n] = numbers(env, task["id"])
    assert (n["phone"], n["name"], n["note"], n["variables"]) == (
        "+8613912345678",
        "张三",
        "",
        {"城市": "上海"},
    )


def test_missing_phone_column_is_422(env):
    fid = upload_id(env, [["13912345678", "a", ""]])
    aid = create_assistant(env.client)["id"]
    before = task_count(env)
    r = env.client.post(
        "/openapi/tasks",
        json={
            "name": "x",
            "assistantId": aid,
            "option": {**OPTION, "numbers": [fid], "numberFileMeta": {"姓名": 1}},
        },
    )
    assert_error(r, 422, "numberFileMeta", "号码")
    assert task_count(env) == before


def test_column_index_beyond_the_file_is_400_naming_it(env):
    fid = upload_id(env, [["13912345678", "a", ""]])
    aid = create_assistant(env.client)["id"]
    r = env.client.post(
        "/openapi/tasks",
        json={
            "name": "x",
            "assistantId": aid,
            "option": {**OPTION, "numbers": [fid], "numberFileMeta": {"号码": 0, "城市": 7}},
        },
    )
    err = assert_error(r, 400, "城市", "7", str(fid), "3 columns")
    assert err["code"] == "bad_request"
    assert task_count(env) == 0


def test_two_keys_on_one_column_is_422(env):
    fid = upload_id(env, [["13912345678", "a", ""]])
    aid = create_assistant(env.client)["id"]
    r = env.client.post(
        "/openapi/tasks",
        json={
            "name": "x",
            "assistantId": aid,
            "option": {**OPTION, "numbers": [fid], "numberFileMeta": {"号码": 0, "姓名": 0}},
        },
    )
    assert_error(r, 422, "号码", "姓名", "column 0")
    assert task_count(env) == 0


def test_json_adds(env):
    task = create_task(env.client, [["13912345678", "张三", ""]])
    body = {
        "numbers": [
            {"号码": "+86 138 0013 8000", "姓名": "李四", "备注": "json", "城市": "北京"},
            {"号码": 13700001111, "姓名": "王五"},
            {"号码": "139-1234-5678"},  # already in the task
            {"号码": "12"},  # invalid
        ]
    }
    r = env.client.post(f"/openapi/tasks/{task['id']}/numbers", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"count": 2, "rejected": 2}
    got = {n["phone"]: n for n in numbers(env, task["id"])}
    assert set(got) == {"+8613912345678", "+8613800138000", "+8613700001111"}
    # the JSON batch is listed in option.numbers by a number file of kind json
    detail = env.client.get(f"/openapi/tasks/{task['id']}").json()
    assert (detail["total"], detail["rejected"]) == (3, 2)
    uploaded, sent = detail["option"]["numbers"]
    assert uploaded == task["option"]["numbers"][0]
    li = got["+8613800138000"]
    assert (li["name"], li["note"], li["fileId"]) == ("李四", "json", sent)
    assert li["variables"] == {"城市": "北京"}
    rej = sorted((x["fileId"], x["row"], x["reason"], x["value"]) for x in rejects(env, task["id"]))
    assert rej == [(sent, 3, "duplicate", "+8613912345678"), (sent, 4, "invalid", "12")]


def test_bad_json_adds_change_nothing(env):
    task = create_task(env.client, [["13912345678", "张三", ""]])
    url = f"/openapi/tasks/{task['id']}/numbers"
    before = env.client.get(f"/openapi/tasks/{task['id']}").json()
    cases = [
        ({"numbers": []}, 422, "numbers"),
        ({"numbers": [{"姓名": "x"}]}, 422, "号码"),
        ({"numbers": [{"号码": ["13800138000"]}]}, 422, "numbers"),
        ({"numbers": [{"号码": {"a": 1}}]}, 422, "numbers"),
        ({"numbers": [{"号码": "13800138000", "备注": "x" * 10_001}]}, 422, "numbers"),
        ({"numbers": [{"号码": "13800138000", "k" * 51: "v"}]}, 422, "numbers"),
        ({"numbers": [{"号码": "13800138000", "": "v"}]}, 422, "numbers"),
        ({"numbers": [{"号码": "1", **{f"v{i}": "x" for i in range(200)}}]}, 422, "numbers"),
        ({"numbers": "13800138000"}, 422, "numbers"),
        ({"nums": [{"号码": "13800138000"}]}, 422, "numbers"),
        (["13800138000"], 422, "numbers"),
        ("13800138000", 422, "numbers"),
        (0, 422, "numbers"),
    ]
    for body, status, word in cases:
        r = env.client.post(url, json=body)
        assert_error(r, status, word)
    r = env.client.post(url, content=b"{not json", headers={"Content-Type": "application/json"})
    assert_error(r, 422, "JSON")
    r = env.client.post(url, content=b"\xff\xfe", headers={"Content-Type": "application/json"})
    assert_error(r, 422, "JSON")
    r = env.client.post(url, content=b"null", headers={"Content-Type": "application/json"})
    assert_error(r, 422, "numbers")
    r = env.client.post(url, content=b"13800138000", headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "multipart/form-data")
    r = env.client.post(url)
    assert_error(r, 415, "multipart/form-data")
    assert env.client.get(f"/openapi/tasks/{task['id']}").json() == before
    assert rejects(env, task["id"]) == []


def test_json_adds_over_the_limit_are_422(db_url, tmp_path):
    from tests.conftest import make_env

    e = make_env(db_url, tmp_path, max_json_numbers=3)
    try:
        task = create_task(e.client, [["13912345678", "a", ""]])
        body = {"numbers": [{"号码": f"1380013800{i}"} for i in range(4)]}
        r = e.client.post(f"/openapi/tasks/{task['id']}/numbers", json=body)
        assert_error(r, 422, "at most 3")
        assert e.client.get(f"/openapi/tasks/{task['id']}").json()["total"] == 1
    finally:
        e.db.dispose()


def test_adding_numbers_to_another_workspace_task_is_404_and_stores_nothing(env):
    task = create_task(env.client, [["13912345678", "a", ""]])
    url = f"/openapi/tasks/{task['id']}/numbers"
    r = env.other.post(url, json={"numbers": [{"号码": "13800138000"}]})
    assert_error(r, 404, str(task["id"]))
    data = csv_bytes([["13800138000", "b", ""]])
    r = env.other.post(url, files={"file": ("n.csv", io.BytesIO(data), "text/csv")})
    assert_error(r, 404, str(task["id"]))
    assert env.other.get("/openapi/numberfiles").json()["total"] == 0
    assert [n["phone"] for n in numbers(env, task["id"])] == ["+8613912345678"]
    assert env.client.get(f"/openapi/tasks/{task['id']}").json()["total"] == 1


def test_a_file_that_does_not_fit_the_task_stores_nothing(env):
    task = create_task(env.client, [["13912345678", "a", ""]])  # numberFileMeta up to column 2
    before_files = env.client.get("/openapi/numberfiles").json()["total"]
    data = csv_bytes([["13800138000"]], header=("号码",))
    r = env.client.post(
        f"/openapi/tasks/{task['id']}/numbers",
        files={"file": ("narrow.csv", io.BytesIO(data), "text/csv")},
    )
    assert_error(r, 400, "备注", "1 columns")
    assert env.client.get("/openapi/numberfiles").json()["total"] == before_files
    detail = env.client.get(f"/openapi/tasks/{task['id']}").json()
    assert detail["total"] == 1 and len(detail["option"]["numbers"]) == 1


def test_unknown_or_foreign_number_file_in_option_is_422(env):
    theirs = upload_id(env, [["13912345678", "a", ""]], client=env.other)
    aid = create_assistant(env.client)["id"]
    for fid in (theirs, 999_999):
        r = env.client.post(
            "/openapi/tasks",
            json={"name": "x", "assistantId": aid, "option": {**OPTION, "numbers": [fid]}},
        )
        err = assert_error(r, 422, "option.numbers", str(fid))
        assert "13912345678" not in r.text and err["code"] == "unprocessable"
    assert task_count(env) == 0
