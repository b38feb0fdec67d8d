"""Dependencies shared by the routes: the database session and the caller.

`get_state` and `current_principal` are coroutines: FastAPI runs a plain `def`
dependency in its thread pool, and each hop there costs more than these do (a cache hit
is a hash and a dict lookup). A token not in the cache is looked up in the pool.

`run_read` runs a short, polled read in the thread pool, a few at a time: under a burst
of polls, forty threads taking turns on the GIL each finish later (and cost more CPU)
than a few working through a queue. On SQLite a read is all CPU, so one thread at a
time; on a server database, a few, so that their network waits overlap.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from voxdial.api.ratelimit import TokenBucketLimiter
from voxdial.domain.phone import PhoneNormalizer
from voxdial.errors import Forbidden, RateLimited, Unauthorized
from voxdial.runtime import Runtime
from voxdial.settings import Settings
from voxdial.store.db import Database
from voxdial.store.tokens import Principal, authenticate, hash_token
from voxdial.store.users import Grant, allows


@dataclass
class AppState:
    settings: Settings
    db: Database
    limiter: TokenBucketLimiter
    normalizer: PhoneNormalizer
    token_cache: dict[str, tuple[float, Principal]]
    runtime: Runtime
    debug_sessions: Any = None  # api.debug_sessions.DebugSessions


async def get_state(request: Request) -> AppState:
    return request.app.state.voxdial


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with state.db.session() as s:
        yield s


SessionDep = Annotated[Session, Depends(get_session)]


async def current_principal(request: Request, state: StateDep) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
    token = token.strip()
    principal = _cached(state, token)
    if principal is None:
        principal = await run_in_threadpool(_authenticate, state, token)
        if principal is None:
            raise Unauthorized("the bearer token is not valid or was revoked")
        if state.settings.token_cache_seconds > 0:
            key = hash_token(token)
            state.token_cache[key] = (
                time.monotonic() + state.settings.token_cache_seconds,
                principal,
            )
    wait = state.limiter.acquire(principal.token_id)
    if wait:
        raise RateLimited(
            "too many requests for this token; slow down",
            retry_after=TokenBucketLimiter.retry_after(wait),
        )
    need = required_grant(request.method, request.url.path)
    if not allows(principal.role, need):
        raise Forbidden(f"this token's user is {principal.role}: {need} is not allowed")
    return principal


def required_grant(method: str, path: str) -> Grant:
    """What a request needs of the token's user's role: webhooks are for admins, a
    change (anything but a read) for operators and admins, reads for everyone."""
    if path.startswith("/openapi/webhooks"):
        return Grant.ADMINISTER
    if method in ("GET", "HEAD", "OPTIONS"):
        return Grant.READ
    return Grant.OPERATE


def _authenticate(state: AppState, token: str) -> Principal | None:
    with state.db.session() as s:
        return authenticate(s, token)


def _cached(state: AppState, token: str) -> Principal | None:
    if state.settings.token_cache_seconds <= 0:
        return None
    key = hash_token(token)
    hit = state.token_cache.get(key)
    if hit is None:
        return None
    expires, principal = hit
    if expires < time.monotonic():
        state.token_cache.pop(key, None)
        return None
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]

READ_THREADS = {"sqlite": 1}
READ_THREADS_DEFAULT = 4
# limiters by size, one set per event loop
_read_limiters: RunVar[dict[int, CapacityLimiter]] = RunVar("voxdial_read_limiters")
T = TypeVar("T")


async def run_read(state: AppState, fn: Callable[..., T], *args: object) -> T:
    size = READ_THREADS.get(state.db.engine.dialect.name, READ_THREADS_DEFAULT)
    try:
        limiters = _read_limiters.get()
    except LookupError:
        limiters = {}
        _read_limiters.set(limiters)
    limiter = limiters.get(size)
    if limiter is None:
        limiter = limiters[size] = CapacityLimiter(size)
    return await anyio.to_thread.run_sync(fn, *args, limiter=limiter)
