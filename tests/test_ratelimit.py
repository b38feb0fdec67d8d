"""The per-token rate limit, on a clock the test moves by hand: a 429 with Retry-After
once the burst is spent, tokens back at the rate, nothing stored by a refused request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Env, make_env
from tests.test_tasks_validation import assert_error
from voxdial.api.ratelimit import TokenBucketLimiter


class HandClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


# -- the bucket ---------------------------------------------------------------------


def test_a_burst_then_one_a_rate_step():
    clock = HandClock()
    limiter = TokenBucketLimiter(rate=2, burst=3, clock=clock)
    assert [limiter.acquire(1) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire(1) == pytest.approx(0.5)  # empty: one token in 1/rate s
    clock.advance(0.25)
    assert limiter.acquire(1) == pytest.approx(0.25)  # half a token: half the wait
    clock.advance(0.25)
    assert limiter.acquire(1) == 0.0
    assert limiter.acquire(1) == pytest.approx(0.5)


def test_saved_tokens_stop_at_the_burst():
    clock = HandClock()
    limiter = TokenBucketLimiter(rate=10, burst=2, clock=clock)
    limiter.acquire(1)
    clock.advance(3600)
    assert [limiter.acquire(1) for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire(1) > 0


def test_each_key_has_its_own_bucket():
    limiter = TokenBucketLimiter(rate=1, burst=1, clock=HandClock())
    assert limiter.acquire(1) == 0.0
    assert limiter.acquire(1) > 0
    assert limiter.acquire(2) == 0.0


def test_rate_zero_is_no_limit():
    limiter = TokenBucketLimiter(rate=0, burst=0, clock=HandClock())
    assert all(limiter.acquire(1) == 0.0 for _ in range(1000))


@pytest.mark.parametrize(("wait", "header"), [(0.001, 1), (0.5, 1), (1.0, 1), (1.01, 2)])
def test_retry_after_is_whole_seconds_rounded_up(wait, header):
    assert TokenBucketLimiter.retry_after(wait) == header


# -- through the API ----------------------------------------------------------------


@pytest.fixture
def limited(db_url, tmp_path) -> Iterator[tuple[Env, HandClock]]:
    env = make_env(db_url, tmp_path, rate_limit_per_second=1, rate_limit_burst=2)
    clock = HandClock()
    env.app.state.voxdial.limiter = TokenBucketLimiter(rate=1, burst=2, clock=clock)
    yield env, clock
    env.client.close()
    env.other.close()
    env.db.dispose()


def test_rate_limit_is_429_with_retry_after(limited):
    env, clock = limited
    assert [env.client.get("/openapi/tasks").status_code for _ in range(2)] == [200, 200]
    r = env.client.post("/openapi/assistants", json={"name": "限流"})
    err = assert_error(r, 429)
    assert err["code"] == "rate_limited"
    assert r.headers["Retry-After"] == "1"
    # the other workspace's token has its own bucket
    assert env.other.get("/openapi/assistants").status_code == 200

    clock.advance(0.5)  # half a token: still refused, come back in a second
    r = env.client.post("/openapi/assistants", json={"name": "限流"})
    assert_error(r, 429)
    assert r.headers["Retry-After"] == "1"

    clock.advance(0.5)
    listed = env.client.get("/openapi/assistants")
    assert listed.status_code == 200
    assert listed.json()["total"] == 0  # the refused requests stored nothing
    clock.advance(1)
    assert env.client.post("/openapi/assistants", json={"name": "限流"}).status_code == 201
    clock.advance(1)
    assert env.client.get("/openapi/assistants").json()["total"] == 1


def test_rate_limit_applies_to_bad_tokens_separately(limited):
    env, _ = limited
    anon = TestClient(env.app, raise_server_exceptions=False)
    for _ in range(5):
        assert anon.get("/openapi/tasks", headers={"Authorization": "Bearer x"}).status_code == 401
    assert env.client.get("/openapi/tasks").status_code == 200
