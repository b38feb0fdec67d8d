"""Bad task requests: impossible schedules, wrong types, unknown and foreign ids, tokens,
status transitions (rate limits: test_ratelimit.py). Each gets a clear 4xx and leaves
stored data as it was."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import update

from tests.conftest import Env
from tests.support.api import OPTION, create_assistant, create_task
from voxdial.store.models import Task
from voxdial.store.tokens import create_token, get_or_create_workspace, revoke_token


def assert_error(r, status: int, *words: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"code", "message", "details"}, err
    assert err["message"]
    for w in words:
        assert w in err["message"], (w, err["message"])
    return err


def snapshot(env: Env) -> dict:
    """Everything a rejected request must leave alone."""
    out = {}
    for path in ("/openapi/tasks", "/openapi/assistants", "/openapi/numberfiles"):
        r = env.client.get(path, params={"pageSize": 100})
        assert r.status_code == 200, r.text
        out[path] = r.json()
    for t in out["/openapi/tasks"]["items"]:
        for sub in ("numbers", "rejects"):
            out[f"{t['id']}/{sub}"] = env.client.get(f"/openapi/tasks/{t['id']}/{sub}").json()
    return out


@pytest.fixture
def seeded(env) -> tuple[Env, dict]:
    task = create_task(env.client, [["13912345678", "张三", ""], ["13800138000", "李四", ""]])
    return env, task


def body_with(task: dict, **option) -> dict:
    opt = {**OPTION, **option}
    return {"name": "新任务", "assistantId": task["assistant"]["id"], "option": opt}


BAD_SCHEDULES = {
    "end-before-start": ({"startTime": [["12:00", "09:00"]]}, ["startTime[0]", "before"]),
    "empty-window": ({"startTime": [["09:00", "09:00"]]}, ["startTime[0]"]),
    "hour-25": ({"startTime": [["09:00", "25:00"]]}, ["25:00"]),
    "minute-60": ({"startTime": [["12:60", "13:00"]]}, ["12:60"]),
    "24-as-start": ({"startTime": [["24:00", "24:00"]]}, ["24:00"]),
    "no-colon": ({"startTime": [["0900", "1200"]]}, ["0900", "HH:MM"]),
    "one-digit-hour": ({"startTime": [["9:00", "12:00"]]}, ["9:00"]),
    "overlap": ({"startTime": [["09:00", "12:00"], ["11:00", "13:00"]]}, ["overlap"]),
    "overlap-unsorted": ({"startTime": [["14:00", "18:00"], ["09:00", "15:00"]]}, ["overlap"]),
    "empty-list": ({"startTime": []}, ["startTime"]),
    "not-a-pair": ({"startTime": [["09:00"]]}, ["startTime[0]", "pair"]),
    "triple": ({"startTime": [["09:00", "10:00", "11:00"]]}, ["startTime[0]", "pair"]),
    "not-a-date": ({"startDate": "tomorrow"}, ["startDate", "tomorrow"]),
    "month-13": ({"startDate": "2026-13-01"}, ["startDate", "2026-13-01"]),
    "feb-30": ({"startDate": "2026-02-30"}, ["startDate", "2026-02-30"]),
    "slashes": ({"startDate": "2026/12/01"}, ["startDate"]),
    "end-before-start-date": (
        {"startDate": "2026-12-10", "endDate": "2026-12-01"},
        ["endDate", "before"],
    ),
    "weekdays-never-in-range": (
        # 2026-12-01 is a Tuesday, 12-02 a Wednesday: no Saturday or Sunday between
        {"startDate": "2026-12-01", "endDate": "2026-12-02", "weeks": [6, 7]},
        ["weeks"],
    ),
    # weekdays outside 1..7, repeated or more than 7 are 422 (test_task_bounds.py)
    "no-weekdays": ({"weeks": []}, ["weeks"]),
    "unknown-zone": ({"timeZone": "Mars/Olympus_Mons"}, ["timeZone", "Mars/Olympus_Mons"]),
    "zone-path": ({"timeZone": "../../etc/passwd"}, ["timeZone"]),
    "zone-absolute": ({"timeZone": "/etc/localtime"}, ["timeZone"]),
    "zone-empty": ({"timeZone": ""}, ["timeZone"]),
}


# The cases run in a loop within one test (one app and database each, not one per case);
# the assertion messages name the case.


def test_impossible_schedules_are_refused_on_create(seeded):
    env, task = seeded
    before = snapshot(env)
    for case, (option, words) in BAD_SCHEDULES.items():
        r = env.client.post("/openapi/tasks", json=body_with(task, numbers=[], **option))
        assert r.status_code == 400, (case, r.text)
        err = assert_error(r, 400, *words)
        assert err["code"] == "invalid_schedule", case
    assert snapshot(env) == before


def test_impossible_schedules_are_refused_on_patch(seeded):
    env, task = seeded
    before = snapshot(env)
    for case, (option, words) in BAD_SCHEDULES.items():
        url = f"/openapi/tasks/{task['id']}"
        r = env.client.patch(url, json={"name": "改名", "option": option})
        assert r.status_code == 400, (case, r.text)
        assert_error(r, 400, *words)
    assert snapshot(env) == before


def test_a_patch_that_breaks_the_stored_schedule_is_refused(seeded):
    env, task = seeded
    r = env.client.patch(f"/openapi/tasks/{task['id']}", json={"option": {"endDate": "2026-12-05"}})
    assert r.status_code == 200, r.text
    before = snapshot(env)
    # moving the start past the stored end date
    r = env.client.patch(
        f"/openapi/tasks/{task['id']}", json={"option": {"startDate": "2026-12-20"}}
    )
    assert_error(r, 400, "endDate", "before")
    assert snapshot(env) == before


def test_valid_schedules_are_accepted_and_normalised(seeded):
    env, task = seeded
    r = env.client.post(
        "/openapi/tasks",
        json=body_with(
            task,
            numbers=[],
            startTime=[["14:00", "24:00"], ["00:00", "06:00"], ["09:00", "12:00"]],
            weeks=[5, 1],
            endDate="2026-12-31",
            timeZone="America/New_York",
        ),
    )
    assert r.status_code == 201, r.text
    opt = r.json()["option"]
    assert opt["startTime"] == [["00:00", "06:00"], ["09:00", "12:00"], ["14:00", "24:00"]]
    assert opt["weeks"] == [1, 5]
    assert opt["timeZone"] == "America/New_York"


WRONG_TYPES = {
    "name-number": {"name": 123},
    "name-empty": {"name": "   "},
    "name-too-long": {"name": "x" * 201},
    "assistant-id-text": {"assistantId": "one"},
    "assistant-id-zero": {"assistantId": 0},
    "assistant-id-huge": {"assistantId": 2**63},
    "option-list": {"option": []},
    "option-missing": {"option": None},
    "start-time-string": {"option": {**OPTION, "startTime": "09:00-12:00"}},
    "start-time-numbers": {"option": {**OPTION, "startTime": [[9, 12]]}},
    "start-date-number": {"option": {**OPTION, "startDate": 20261201}},
    "retry-count-text": {"option": {**OPTION, "retryCount": "twice"}},
    "retry-count-negative": {"option": {**OPTION, "retryCount": -1}},
    "retry-count-big": {"option": {**OPTION, "retryCount": 11}},
    "retry-count-float": {"option": {**OPTION, "retryCount": 1.5}},
    "retry-interval-zero": {"option": {**OPTION, "retryInterval": 0}},
    "concurrency-zero": {"option": {**OPTION, "concurrency": 0}},
    "numbers-string": {"option": {**OPTION, "numbers": "1"}},
    "numbers-negative": {"option": {**OPTION, "numbers": [-1]}},
    "meta-text-index": {"option": {**OPTION, "numberFileMeta": {"号码": "a"}}},
    # -1 is "no such column" (as the task detail shows it); below that is no index
    "meta-negative-index": {"option": {**OPTION, "numberFileMeta": {"号码": -2}}},
    "meta-empty-key": {"option": {**OPTION, "numberFileMeta": {"号码": 0, "": 1}}},
    "weeks-string": {"option": {**OPTION, "weeks": "1,2"}},
    "unknown-field": {"colour": "red"},
    "unknown-option-field": {"option": {**OPTION, "speed": 3}},
}


def test_wrong_json_types_are_422(seeded):
    env, task = seeded
    before = snapshot(env)
    for case, change in WRONG_TYPES.items():
        body = {**body_with(task, numbers=[]), **change}
        if body.get("option") is None:
            del body["option"]
        r = env.client.post("/openapi/tasks", json=body)
        assert r.status_code == 422, (case, r.text)
        err = assert_error(r, 422)
        assert err["details"] and all("field" in d for d in err["details"]), case
        # the message names the field at fault
        field = err["details"][0]["field"]
        assert field and err["message"].startswith(field), (case, err)
    assert snapshot(env) == before


def test_bodies_that_are_not_objects_are_422(seeded):
    env, _ = seeded
    before = snapshot(env)
    for content in (b"", b"null", b"[]", b"{", b'"task"', b"\xff\xfe\x00"):
        r = env.client.post(
            "/openapi/tasks", content=content, headers={"Content-Type": "application/json"}
        )
        if content == b"\xff\xfe\x00":  # not even text: FastAPI's own 400
            assert_error(r, 400, "body")
        else:
            assert_error(r, 422)
    assert snapshot(env) == before


def test_unknown_deleted_and_foreign_assistants_are_422_and_do_not_leak(seeded):
    env, task = seeded
    aid = task["assistant"]["id"]
    theirs = create_assistant(env.other, name="别家的助手")
    gone = create_assistant(env.client, name="将删除")
    assert env.client.delete(f"/openapi/assistants/{gone['id']}").status_code == 200
    before = snapshot(env)
    cases = [
        ({"assistantId": 999_999}, ["999999"]),
        ({"assistantVid": 999_999}, ["999999"]),
        ({"assistantId": theirs["id"]}, [str(theirs["id"])]),
        ({"assistantVid": theirs["versionId"]}, [str(theirs["versionId"])]),
        ({"assistantId": gone["id"]}, ["deleted"]),
        ({"assistantVid": gone["versionId"]}, ["deleted"]),
        ({"assistantId": aid, "assistantVid": theirs["versionId"]}, ["assistantVid"]),
        ({"assistantId": gone["id"], "assistantVid": task["assistantVid"]}, ["assistantVid"]),
        ({}, ["assistantId"]),
    ]
    for ids, words in cases:
        body = body_with(task, numbers=[])
        del body["assistantId"]
        r = env.client.post("/openapi/tasks", json={**body, **ids})
        err = assert_error(r, 422, *words)
        assert "别家" not in r.text and err["code"] == "unprocessable"
    assert snapshot(env) == before
    # a foreign id reads exactly like an unknown one
    unknown = env.client.post(
        "/openapi/tasks", json={**body_with(task, numbers=[]), "assistantId": 999_999}
    ).json()
    foreign = env.client.post(
        "/openapi/tasks", json={**body_with(task, numbers=[]), "assistantId": theirs["id"]}
    ).json()
    same = foreign["error"]["message"].replace(str(theirs["id"]), "N")
    assert unknown["error"]["message"].replace("999999", "N") == same


def test_another_workspace_task_ids_are_404_everywhere(seeded):
    env, task = seeded
    tid = task["id"]
    before = snapshot(env)
    calls = [
        ("get", f"/openapi/tasks/{tid}", None),
        ("patch", f"/openapi/tasks/{tid}", {"name": "偷改"}),
        ("put", f"/openapi/tasks/{tid}/status", {"status": "running"}),
        ("delete", f"/openapi/tasks/{tid}", None),
        ("get", f"/openapi/tasks/{tid}/numbers", None),
        ("get", f"/openapi/tasks/{tid}/rejects", None),
        ("get", f"/openapi/tasks/{tid}/statistics", None),
        ("post", f"/openapi/tasks/{tid}/numbers", {"numbers": [{"号码": "13700001111"}]}),
    ]
    for method, path, body in calls:
        kwargs = {"json": body} if body is not None else {}
        mine_unknown = getattr(env.other, method)(path.replace(str(tid), "999999"), **kwargs)
        r = getattr(env.other, method)(path, **kwargs)
        assert_error(r, 404, str(tid))
        assert "张三" not in r.text and "13912345678" not in r.text
        # the same answer as for an id that does not exist at all
        assert mine_unknown.status_code == 404
        assert r.json()["error"]["message"].replace(str(tid), "N") == mine_unknown.json()[
            "error"
        ]["message"].replace("999999", "N")
    assert env.other.get("/openapi/tasks").json()["total"] == 0
    assert snapshot(env) == before


def test_foreign_assistant_and_number_file_paths_are_404(seeded):
    env, task = seeded
    aid = task["assistant"]["id"]
    fid = task["option"]["numbers"][0]
    before = snapshot(env)
    for method, path, body in [
        ("get", f"/openapi/assistants/{aid}", None),
        ("patch", f"/openapi/assistants/{aid}", {"name": "偷改"}),
        ("delete", f"/openapi/assistants/{aid}", None),
        ("get", f"/openapi/assistants/{aid}/versions", None),
        ("get", f"/openapi/numberfiles/{fid}", None),
    ]:
        kwargs = {"json": body} if body is not None else {}
        r = getattr(env.other, method)(path, **kwargs)
        assert_error(r, 404)
        assert "满意度回访" not in r.text
    assert snapshot(env) == before


def test_bad_path_ids_are_422(seeded):
    env, _ = seeded
    before = snapshot(env)
    for bad in ("abc", "0", "-1", "1.5", "99999999999999999999", "9007199254740993"):
        for method in ("get", "delete"):
            r = getattr(env.client, method)(f"/openapi/tasks/{bad}")
            assert_error(r, 422, "taskID")
        r = env.client.put(f"/openapi/tasks/{bad}/status", json={"status": "running"})
        assert_error(r, 422, "taskID")
    assert snapshot(env) == before


@pytest.mark.parametrize(
    "params",
    [
        {"pageIndex": 0},
        {"pageSize": 0},
        {"pageSize": 101},
        {"pageIndex": "x"},
        {"status": "paused"},
        {"name": "x" * 201},
    ],
)
def test_bad_list_parameters_are_422(seeded, params):
    env, _ = seeded
    r = env.client.get("/openapi/tasks", params=params)
    assert_error(r, 422, next(iter(params)))


def test_tokens(seeded):
    env, task = seeded
    path = f"/openapi/tasks/{task['id']}"
    from fastapi.testclient import TestClient

    anon = TestClient(env.app, raise_server_exceptions=False)
    headers = [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": f"Basic {env.token}"},
        {"Authorization": env.token},
        {"Authorization": "Bearer vxd_0123456789_" + "x" * 40},
        {"Authorization": "Bearer " + env.token[:-1] + ("A" if env.token[-1] != "A" else "B")},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Bearer vxd__"},
    ]
    before = snapshot(env)
    for h in headers:
        for method, kwargs in [
            ("get", {}),
            ("patch", {"json": {"name": "x"}}),
            ("delete", {}),
        ]:
            r = getattr(anon, method)(path, headers=h, **kwargs)
            err = assert_error(r, 401)
            assert err["code"] == "unauthorized"
            assert env.token not in r.text
    r = anon.post("/openapi/tasks", headers={"Authorization": "Bearer nope"}, json={})
    assert_error(r, 401)  # auth is checked before the body
    assert snapshot(env) == before

    # a revoked token stops working (token cache is off in tests)
    with env.db.session() as s:
        ws, user = get_or_create_workspace(s, name="acme", email="ops@acme.test")
        second = create_token(s, workspace=ws, user=user)
        s.commit()
    h = {"Authorization": f"Bearer {second}"}
    assert anon.get(path, headers=h).status_code == 200
    with env.db.session() as s:
        assert revoke_token(s, prefix=second.split("_")[1])
        s.commit()
    assert_error(anon.get(path, headers=h), 401, "revoked")
    assert_error(anon.delete(path, headers=h), 401)
    assert env.client.get(path).status_code == 200
    assert snapshot(env) == before


def test_status_transitions(seeded):
    env, task = seeded
    tid = task["id"]
    url = f"/openapi/tasks/{tid}"

    def status(s):
        return env.client.put(f"{url}/status", json={"status": s})

    r = status("running")
    assert r.status_code == 200 and r.json()["status"] == "running", r.text
    running = env.client.get(url).json()
    before = snapshot(env)
    assert_error(env.client.patch(url, json={"name": "改名"}), 409, "running")
    assert_error(
        env.client.patch(url, json={"option": {"startTime": [["10:00", "11:00"]]}}), 409
    )
    assert_error(env.client.delete(url), 409, "running")
    r = env.client.post(f"{url}/numbers", json={"numbers": [{"号码": "13700001111"}]})
    assert r.status_code == 200  # numbers may be added while running
    assert snapshot(env)[f"{tid}/numbers"]["total"] == 3
    before = snapshot(env)
    for bad in ("done", "pending", "stop.timeout", "stop.abnormal", "paused", "", None, 1):
        assert_error(env.client.put(f"{url}/status", json={"status": bad}), 422, "status")
    assert_error(env.client.put(f"{url}/status", json={}), 422, "status")
    assert_error(env.client.put(f"{url}/status", json={"status": "running", "x": 1}), 422)
    assert snapshot(env) == before
    r = status("running")  # running -> running: nothing changes
    assert r.status_code == 200 and r.json()["status"] == "running"
    assert env.client.get(url).json()["createdAt"] == running["createdAt"]

    r = status("stop.operate")
    assert r.status_code == 200 and r.json()["status"] == "stop.operate"
    r = env.client.patch(url, json={"name": "暂停后改名"})
    assert r.status_code == 200 and r.json()["name"] == "暂停后改名"
    r = status("running")
    assert r.status_code == 200 and r.json()["status"] == "running"
    r = status("stop.operate")
    assert r.status_code == 200

    # done is final: the dialer sets it; an operator cannot move a done task
    with env.db.session() as s:
        s.execute(update(Task).where(Task.id == tid).values(status="done"))
        s.commit()
    before = snapshot(env)
    for wanted in ("running", "stop.operate"):
        assert_error(status(wanted), 409, "done")
    assert_error(
        env.client.post(f"{url}/numbers", json={"numbers": [{"号码": "13600001111"}]}), 409, "done"
    )
    assert_error(env.client.patch(url, json={"name": "x"}), 409)
    assert snapshot(env) == before
    # a done task may be deleted
    assert env.client.delete(url).status_code == 204
    assert_error(env.client.get(url), 404)
    assert_error(status("running"), 404)


def test_a_task_whose_assistant_was_deleted_cannot_start(seeded):
    env, task = seeded
    aid = task["assistant"]["id"]
    assert env.client.delete(f"/openapi/assistants/{aid}").status_code == 200
    before = snapshot(env)
    r = env.client.put(f"/openapi/tasks/{task['id']}/status", json={"status": "running"})
    assert_error(r, 409, "deleted")
    assert snapshot(env) == before


def test_numbers_and_meta_cannot_change_after_import(seeded):
    env, task = seeded
    url = f"/openapi/tasks/{task['id']}"
    before = snapshot(env)
    assert_error(env.client.patch(url, json={"option": {"numbers": []}}), 422, "numbers")
    r = env.client.patch(url, json={"option": {"numberFileMeta": {"号码": 1}}})
    assert_error(r, 422, "numberFileMeta")
    assert snapshot(env) == before


def test_deleted_task_is_gone_but_data_of_others_stays(seeded):
    env, task = seeded
    other = create_task(env.client, [["13700001111", "王五", ""]])
    assert env.client.delete(f"/openapi/tasks/{task['id']}").status_code == 204
    assert_error(env.client.delete(f"/openapi/tasks/{task['id']}"), 404)
    assert env.client.get("/openapi/tasks").json()["total"] == 1
    assert env.client.get(f"/openapi/tasks/{other['id']}").json()["total"] == 1


def test_snapshot_sees_a_change(seeded):
    """The guard the other tests lean on: a changed task does change the snapshot."""
    env, task = seeded
    before = copy.deepcopy(snapshot(env))
    r = env.client.patch(f"/openapi/tasks/{task['id']}", json={"name": "变"})
    assert r.status_code == 200
    assert snapshot(env) != before


def test_bad_calllog_filters_are_422(env):
    cases = {
        "taskId": ["²", "1,²", "a", "1,,2", "-1", "1" * 16, ",".join(["1"] * 11), "1;2"],
        "assistantIds": ["٣", "0x10", "1 2"],
        "startTime": [
            "tomorrow",
            "2026-13-01 09:00:00",
            "2026-02-30T09:00:00+08:00",
            "9999-12-31T23:59:59-10:00",  # past year 9999 in UTC
            "0001-01-01T00:00:00+10:00",  # before year 1 in UTC
            "2026-11-23T09:30:00+25:00",
            "20261123T093000",
            "2026-11-23\n",
        ],
        "endTime": ["2026-11-23 24:00:00", " "],
        "direction": ["sideways"],
        "description": ["x"],
        "pageSize": ["1000"],
    }
    for field, values in cases.items():
        for value in values:
            r = env.client.get("/openapi/calllog", params={field: value})
            assert_error(r, 422, field)
    ok = [
        {"taskId": ""},
        {"taskId": "1, 2 ,3"},
        {"startTime": "2026-11-23 09:30:00", "endTime": "2026-11-23T18:00:00Z"},
        {"startTime": "2026-11-23"},
        {"startTime": "2026-11-23T09:30:00.123+08:00"},
    ]
    for params in ok:
        r = env.client.get("/openapi/calllog", params=params)
        assert r.status_code == 200, (params, r.text)


def test_text_no_database_can_store_is_refused(seeded):
    """NUL characters (PostgreSQL refuses them in text) and unpaired surrogates (not
    UTF-8) are 422 wherever a client can send text: never a 500, nothing stored."""
    import json

    env, task = seeded
    tid, aid = task["id"], task["assistant"]["id"]
    before = snapshot(env)
    blocked_before = env.client.get("/openapi/blocklist").json()["total"]
    hooks_before = env.client.get("/openapi/webhooks").json()["total"]
    for bad in ("a\x00b", "a\ud800b"):
        bodies = [
            ("post", "/openapi/assistants", {"name": bad}),
            ("post", "/openapi/assistants", {"name": "x", "welcome": bad}),
            ("post", "/openapi/assistants", {"name": "x", "collect": [{"question": bad}]}),
            ("patch", f"/openapi/assistants/{aid}", {"prompt": bad}),
            ("post", "/openapi/tasks", body_with(task, numbers=[]) | {"name": bad}),
            (
                "post",
                "/openapi/tasks",
                body_with(task, numbers=[], numberFileMeta={"号码": 0, bad: 1}),
            ),
            ("patch", f"/openapi/tasks/{tid}", {"name": bad}),
            ("post", f"/openapi/tasks/{tid}/numbers", {"numbers": [{"号码": bad}]}),
            (
                "post",
                f"/openapi/tasks/{tid}/numbers",
                {"numbers": [{"号码": "13700001111", "姓名": bad}]},
            ),
            ("post", f"/openapi/tasks/{tid}/numbers", {"numbers": [{"号码": "1", bad: "v"}]}),
            ("post", "/openapi/webhooks", {"url": "http://127.0.0.1/hook", "authorization": bad}),
            ("post", "/openapi/blocklist", {"numbers": ["13500001111"], "reason": bad}),
            ("post", "/openapi/blocklist", {"numbers": [bad]}),
        ]
        for method, path, body in bodies:
            r = env.client.request(
                method.upper(),
                path,
                content=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
            assert r.status_code == 422, (method, path, repr(bad), r.text)
            assert_error(r, 422)
    for params in ({"name": "a\x00b"},):
        assert_error(env.client.get("/openapi/tasks", params=params), 422, "name")
    assert_error(env.client.get("/openapi/calllog/a%00b"), 422, "sessionId")
    assert_error(env.client.get("/openapi/calltrace/a%00b"), 422, "sessionId")
    assert snapshot(env) == before
    assert env.client.get("/openapi/blocklist").json()["total"] == blocked_before
    assert env.client.get("/openapi/webhooks").json()["total"] == hooks_before
    # a file name with control characters (raw in the multipart header) is stored without
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a\x00b\x07c.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + "号码\r\n13912345678\r\n".encode() + b"\r\n--b--\r\n"
    )
    r = env.client.post(
        "/openapi/numberfiles",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "abc.csv"
