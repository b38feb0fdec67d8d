"""Bodies are bounded before the app reads them: a body that is not a multipart upload
has its own limit (`max_json_bytes`, far below the upload limit: 413), and a JSON body
nested deeper than the guard allows is a 400 naming the problem, never a RecursionError
(a 500 with a traceback in the log)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import Env, make_env
from tests.support.api import create_task, csv_bytes, upload
from voxdial.api.app import MAX_JSON_DEPTH, nests_deeper_than


def assert_error(r, status: int, *words: str) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "details"}, err
    for w in words:
        assert w in err["message"], (w, err["message"])
    return err


@pytest.fixture
def small_json_env(sqlite_url, tmp_path) -> Iterator[Env]:
    e = make_env(sqlite_url, tmp_path, max_json_bytes=4096)
    yield e
    e.client.close()
    e.db.dispose()


def test_a_json_body_over_its_limit_is_413_though_far_below_the_upload_limit(small_json_env):
    env = small_json_env
    big = {"name": "回访", "welcome": "您好", "knowledge": "营业时间" * 2000}
    r = env.client.post("/openapi/assistants", json=big)
    assert_error(r, 413, "over the limit of 4096 bytes")
    assert env.client.get("/openapi/assistants").json()["total"] == 0
    r = env.client.post("/openapi/assistants", json={**big, "knowledge": "营业时间"})
    assert r.status_code == 201, r.text


def test_a_chunked_json_body_over_its_limit_is_413(small_json_env):
    env = small_json_env

    def body():
        yield b'{"name": "a", "knowledge": "'
        for _ in range(100):
            yield b"x" * 100
        yield b'"}'

    r = env.client.post(
        "/openapi/assistants", content=body(), headers={"Content-Type": "application/json"}
    )
    assert_error(r, 413, "4096 bytes")
    assert env.client.get("/openapi/assistants").json()["total"] == 0


def test_uploads_keep_the_upload_limit(small_json_env):
    env = small_json_env
    data = csv_bytes([[f"139{i:08d}", "某人", "x" * 40] for i in range(200)])
    assert len(data) > 4096
    r = upload(env.client, data)
    assert r.status_code == 201, r.text


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 200_000])
def test_deeply_nested_json_is_400_naming_the_problem(env, caplog, depth):
    task = create_task(env.client, [["13912345678", "a", ""]])
    bodies = {
        "/openapi/tasks": b'{"name": "x", "assistantId": 1, "option": ' + nested(depth) + b"}",
        f"/openapi/tasks/{task['id']}/numbers": b'{"numbers": ' + nested(depth) + b"}",
        "/openapi/assistants": b'{"name": "a", "collect": ' + nested(depth) + b"}",
        "/openapi/blocklist": b'{"numbers": ' + nested(depth) + b"}",
    }
    caplog.set_level(logging.INFO)
    for url, content in bodies.items():
        r = env.client.post(url, content=content, headers={"Content-Type": "application/json"})
        err = assert_error(r, 400, "nests", f"more than {MAX_JSON_DEPTH} levels deep")
        assert err["code"] == "bad_request", url
    assert not [rec for rec in caplog.records if rec.exc_info], "no traceback is logged"
    assert env.client.get(f"/openapi/tasks/{task['id']}").json()["total"] == 1


def test_nesting_up_to_the_limit_reaches_the_app(env):
    # a body as deep as allowed is parsed and judged by the schema (422), not the guard
    body = b'{"name": "a", "collect": ' + nested(MAX_JSON_DEPTH - 1) + b"}"
    r = env.client.post(
        "/openapi/assistants", content=body, headers={"Content-Type": "application/json"}
    )
    assert_error(r, 422, "collect")


def test_brackets_inside_strings_do_not_count(env):
    text = "[" * 100 + '\\"{' * 100 + "\\\\"
    r = env.client.post("/openapi/assistants", json={"name": "a", "welcome": text})
    assert r.status_code == 201, r.text
    assert r.json()["welcome"] == text


def depth_of(value) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:'),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\ab', max_size=4), inner, max_size=3)
    ),
    max_leaves=60,
)


@settings(max_examples=300, deadline=None)
@given(value=json_values, limit=st.integers(0, 8))
def test_nests_deeper_than_agrees_with_the_parsed_value(value, limit):
    body = json.dumps(value, ensure_ascii=False).encode()
    assert nests_deeper_than(body, limit) == (depth_of(value) > limit)
