"""Task options within bounds: dates a schedule can work with (2000-01-01 to 2100-12-31),
weekdays 1..7 each once, and integers that are JSON integers. Each refusal is a 422
naming the field, and stores nothing."""

from __future__ import annotations

import pytest

from tests.conftest import Env
from tests.support.api import OPTION, create_task


def assert_422(r, *words: str) -> dict:
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "details"}, err
    for w in words:
        assert w in err["message"], (w, err["message"])
    return err


def task_count(env: Env) -> int:
    return env.client.get("/openapi/tasks").json()["total"]


@pytest.fixture
def seeded(env) -> tuple[Env, dict]:
    return env, create_task(env.client, [["13912345678", "张三", ""]])


def body(task: dict, **option) -> dict:
    return {
        "name": "新任务",
        "assistantId": task["assistant"]["id"],
        "option": {**OPTION, **option},
    }


OUT_OF_RANGE = {
    "start-9999": ({"startDate": "9999-12-31"}, ["startDate", "9999-12-31", "2100-12-31"]),
    "start-2101": ({"startDate": "2101-01-01"}, ["startDate", "2101-01-01"]),
    "start-1999": ({"startDate": "1999-12-31"}, ["startDate", "2000-01-01"]),
    "start-year-1": ({"startDate": "0001-01-01"}, ["startDate", "0001-01-01"]),
    "end-9999": ({"endDate": "9999-12-31"}, ["endDate", "9999-12-31"]),
}


@pytest.mark.parametrize("case", list(OUT_OF_RANGE), ids=list(OUT_OF_RANGE))
def test_dates_outside_the_supported_years_are_422(seeded, case):
    env, task = seeded
    option, words = OUT_OF_RANGE[case]
    before = task_count(env)
    err = assert_422(env.client.post("/openapi/tasks", json=body(task, **option)), *words)
    assert err["code"] == "invalid_schedule"
    assert task_count(env) == before
    url = f"/openapi/tasks/{task['id']}"
    assert_422(env.client.patch(url, json={"option": option}), *words)
    assert env.client.get(url).json()["option"]["startDate"] == OPTION["startDate"]


def test_the_edges_of_the_supported_years_are_accepted(seeded):
    env, task = seeded
    r = env.client.post(
        "/openapi/tasks", json=body(task, startDate="2000-01-01", endDate="2100-12-31")
    )
    assert r.status_code == 201, r.text
    assert r.json()["option"]["endDate"] == "2100-12-31"


BAD_WEEKS = {
    "zero": ([0, 1], "weeks.0"),
    "eight": ([8], "weeks.0"),
    "repeated": ([1, 2, 2], "weeks"),
    "all-repeated": ([3, 3, 3, 3, 3, 3, 3], "weeks"),
    "more-than-seven": ([1, 2, 3, 4, 5, 6, 7, 1], "weeks"),
    "text": (["1"], "weeks.0"),
    "boolean": ([True], "weeks.0"),
    "float": ([1.0], "weeks.0"),
}


@pytest.mark.parametrize("case", list(BAD_WEEKS), ids=list(BAD_WEEKS))
def test_weekdays_outside_1_to_7_repeated_or_too_many_are_422(seeded, case):
    env, task = seeded
    weeks, field = BAD_WEEKS[case]
    before = task_count(env)
    err = assert_422(env.client.post("/openapi/tasks", json=body(task, weeks=weeks)), field)
    assert err["details"][0]["field"].startswith(f"option.{field}")
    assert task_count(env) == before
    url = f"/openapi/tasks/{task['id']}"
    assert_422(env.client.patch(url, json={"option": {"weeks": weeks}}), field)
    assert env.client.get(url).json()["option"]["weeks"] == [1, 2, 3, 4, 5, 6, 7]


def test_repeated_weekdays_are_named(seeded):
    env, task = seeded
    assert_422(env.client.post("/openapi/tasks", json=body(task, weeks=[2, 5, 2, 5])), "2, 5")


# Fields the schema types as integers, each given as a string and as a boolean (which
# lax parsing would turn into 1).
INTEGER_FIELDS = {
    "retryCount": lambda v: {"option": {**OPTION, "retryCount": v}},
    "retryInterval": lambda v: {"option": {**OPTION, "retryInterval": v}},
    "concurrency": lambda v: {"option": {**OPTION, "concurrency": v}},
    "numbers": lambda v: {"option": {**OPTION, "numbers": [v]}},
    "numberFileMeta": lambda v: {"option": {**OPTION, "numberFileMeta": {"号码": v}}},
    "assistantId": lambda v: {"assistantId": v},
}
CASES = [(f, v) for f in INTEGER_FIELDS for v in ("1", True)]


@pytest.mark.parametrize("field, value", CASES, ids=[f"{f}-{v!r}" for f, v in CASES])
def test_integers_as_strings_or_booleans_are_422(seeded, field, value):
    env, task = seeded
    before = task_count(env)
    r = env.client.post("/openapi/tasks", json={**body(task), **INTEGER_FIELDS[field](value)})
    err = assert_422(r, field)
    assert field in err["details"][0]["field"], err
    assert task_count(env) == before


def test_patch_integers_as_strings_are_422(seeded):
    env, task = seeded
    url = f"/openapi/tasks/{task['id']}"
    for change in ({"retryCount": "3"}, {"concurrency": True}, {"retryInterval": "10"}):
        assert_422(env.client.patch(url, json={"option": change}), next(iter(change)))
    option = env.client.get(url).json()["option"]
    assert (option["retryCount"], option["concurrency"]) == (OPTION["retryCount"], 5)


def test_json_numbers_with_boolean_cells_are_422(seeded):
    env, task = seeded
    url = f"/openapi/tasks/{task['id']}/numbers"
    r = env.client.post(url, json={"numbers": [{"号码": "13800138000", "备注": True}]})
    assert_422(r, "numbers.0")
    assert env.client.get(f"/openapi/tasks/{task['id']}").json()["total"] == 1
    r = env.client.post(url, json={"numbers": [{"号码": 13800138000, "备注": "ok"}]})
    assert r.status_code == 200, r.text
    assert r.json() == {"count": 1, "rejected": 0}
