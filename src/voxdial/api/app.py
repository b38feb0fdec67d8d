"""The app factory: one FastAPI app per settings, with voxdial's error shape everywhere."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from voxdial import __version__
from voxdial.api.debug_sessions import DebugSessions
from voxdial.api.deps import AppState
from voxdial.api.ratelimit import TokenBucketLimiter
from voxdial.api.routes import (
    assistants,
    blocklist,
    calls,
    debug,
    inbound,
    media,
    metrics,
    numberfiles,
    speech,
    tasks,
    webhooks,
)
from voxdial.api.schemas import ErrorBody
from voxdial.domain.phone import PhoneNormalizer
from voxdial.errors import PayloadTooLarge, VoxdialError
from voxdial.logs import log_request, redact
from voxdial.runtime import Runtime
from voxdial.settings import Settings
from voxdial.store.db import Database
from voxdial.web.install import install_console

log = logging.getLogger("voxdial.api")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    503: "unavailable",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": name.replace("_", " ")}
    for code, name in _STATUS_CODES.items()
    if code not in (403, 405)
}
# Over the rate limit, or busy (files being read, the database locked), the answer says
# when to come back.
for _code in (429, 503):
    ERROR_RESPONSES[_code]["headers"] = {
        "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
    }
# A database lock held past SQLite's busy timeout (store/db.py), or a lock conflict on
# PostgreSQL, is answered 503, to be tried again after this many seconds.
DATABASE_BUSY_RETRY_AFTER = 1
_PG_LOCK_STATES = {"55P03", "40P01", "40001"}  # lock not available, deadlock, serialization


def create_app(
    settings: Settings, *, db: Database | None = None, runtime: Runtime | None = None
) -> FastAPI:
    """The API for `settings`; `runtime` is the process's composition root (built here
    when not given), shared with an in-process dialer."""
    app = FastAPI(
        title="voxdial",
        version=__version__,
        description="Self-hosted AI outbound calling; serves the VoiceFox OpenAPI.",
        openapi_url="/openapi.json",
        docs_url=None,  # served offline by the console (_install_console)
        redoc_url=None,
    )
    app.state.voxdial = AppState(
        settings=settings,
        db=db or Database(settings.database_url),
        limiter=TokenBucketLimiter(
            rate=settings.rate_limit_per_second,
            burst=settings.rate_limit_burst,
            clock=time.monotonic,
        ),
        normalizer=PhoneNormalizer(settings.default_region),
        token_cache={},
        runtime=runtime or Runtime(settings),
    )
    state = app.state.voxdial
    state.debug_sessions = DebugSessions(
        state.db,
        state.runtime.engine_for,
        per_workspace=settings.debug_sessions_per_workspace,
        idle_seconds=settings.debug_session_idle_seconds,
    )
    for module in (
        tasks,
        assistants,
        debug,
        numberfiles,
        calls,
        webhooks,
        blocklist,
        speech,
        inbound,
    ):
        app.include_router(module.router, prefix="/openapi", responses=ERROR_RESPONSES)
    app.include_router(media.router, prefix="/openapi")
    app.include_router(metrics.router)
    if state.runtime.outbox_db is None:  # the webhook backlog of /metrics is counted here
        state.runtime.outbox_db = state.db
    _install_error_handlers(app)
    _install_middleware(app, settings)
    _document_bearer_auth(app)
    _install_console(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _install_console(app: FastAPI) -> None:
    """The operator's console (web/) at `/`, its vendored files, `/docs` from them, and
    the security headers (CSP, no framing, no sniffing) on every response."""
    install_console(app)


def _document_bearer_auth(app: FastAPI) -> None:
    """Declare the bearer token in the OpenAPI document (the check itself is
    `deps.current_principal`): every `/openapi` operation needs it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = build()
            doc.setdefault("components", {})["securitySchemes"] = {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an API token: `voxdial token create`",
                }
            }
            for path, item in doc.get("paths", {}).items():
                if path.startswith("/openapi/"):
                    for op in item.values():
                        op["security"] = [{"bearer": []}]
        return app.openapi_schema or doc

    app.openapi = openapi  # type: ignore[method-assign]


def _error(status: int, code: str, message: str, details: list[Any] | None = None, **headers: str):
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details or []}},
        status_code=status,
        headers=headers or None,
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(VoxdialError)
    async def voxdial_error(_: Request, exc: VoxdialError) -> JSONResponse:
        retry_after = getattr(exc, "retry_after", None)  # RateLimited, ServiceUnavailable
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return _error(exc.status, exc.code, exc.message, exc.details, **headers)

    @app.exception_handler(OperationalError)
    async def database_error(_: Request, exc: OperationalError) -> JSONResponse:
        if not _is_lock_conflict(exc):
            log.error("unhandled error", exc_info=exc)
            return _error(500, "internal", "internal error; it has been logged")
        log.warning("database busy: answered 503")
        return _error(
            503,
            "unavailable",
            f"the database is busy; retry in {DATABASE_BUSY_RETRY_AFTER} second",
            **{"Retry-After": str(DATABASE_BUSY_RETRY_AFTER)},
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            details.append({"field": loc, "message": err.get("msg", "")})
        first = details[0] if details else {"field": "", "message": "invalid request"}
        message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return _error(422, "unprocessable", redact(message), details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        headers = dict(exc.headers or {})
        return _error(exc.status_code, code, str(exc.detail), **headers)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        return _error(500, "internal", "internal error; it has been logged")


def _is_lock_conflict(exc: OperationalError) -> bool:
    """A write that waited for a lock and gave up: SQLite's "database is locked" after
    its busy timeout, or PostgreSQL's lock, deadlock and serialization failures."""
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig).lower()
        return "locked" in text or "busy" in text
    return getattr(orig, "sqlstate", None) in _PG_LOCK_STATES


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(
        GuardMiddleware, max_body=settings.max_upload_bytes, max_json=settings.max_json_bytes
    )


# How deep a JSON body may nest: voxdial's bodies go four levels deep; far deeper ones
# would only make the parser (and every recursive check after it) recurse.
MAX_JSON_DEPTH = 32


class GuardMiddleware:
    """Refuses oversized bodies before they are read, and writes the access log.

    A multipart upload may be up to `max_body` bytes (plus its envelope); any other
    body, up to `max_json`. A JSON body is read whole (it is small) and refused if it
    nests deeper than `MAX_JSON_DEPTH` (400), before the app parses it.
    Plain ASGI (not BaseHTTPMiddleware) to keep the per-request cost small.
    """

    def __init__(self, app: Any, *, max_body: int, max_json: int) -> None:
        self.app = app
        self.max_body = max_body
        self.limit = max_body + 1024 * 1024  # room for the multipart envelope
        self.max_json = max_json

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        headers = scope["headers"]
        length = next((v for k, v in headers if k == b"content-length"), None)
        ctype = next((v for k, v in headers if k == b"content-type"), b"").lower()
        if ctype.startswith(b"multipart/form-data"):
            limit, shown, what = self.limit, self.max_body, ""
        else:
            limit = shown = self.max_json
            what = " (a body that is not a multipart file upload)"
        early: JSONResponse | None = None
        if length is not None:
            if not length.isdigit():
                early = _error(400, "bad_request", "Content-Length is not a number")
            elif int(length) > limit:
                exc = PayloadTooLarge(
                    f"request body of {int(length)} bytes is over the limit of {shown} bytes{what}"
                )
                early = _error(exc.status, exc.code, exc.message)
        if early is None and _is_json(ctype) and scope["method"] in _BODY_METHODS:
            body = await _read_body(receive, limit)
            if body is None:
                exc = PayloadTooLarge(f"request body is over the limit of {shown} bytes{what}")
                early = _error(exc.status, exc.code, exc.message)
            elif nests_deeper_than(body, MAX_JSON_DEPTH):
                early = _error(
                    400,
                    "bad_request",
                    f"the JSON body nests arrays and objects more than {MAX_JSON_DEPTH} "
                    "levels deep",
                )
            else:
                receive = _Replay(body, receive)
        elif early is None and length is None and scope["method"] in _BODY_METHODS:
            # No Content-Length (chunked): count the body as it arrives. Past the limit the
            # app is told the client left, and whatever it answers is replaced by a 413.
            receive = _CountingReceive(receive, limit, shown)

        started_response = replaced = False

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal status, started_response, replaced
            if replaced:
                return  # the app's own answer to a cut body: dropped
            over = getattr(receive, "overflow", None)
            if over is not None and not started_response:
                replaced = True
                await over(scope, receive, send_413)
                return
            if message["type"] == "http.response.start":
                status = message["status"]
                started_response = True
            await send(message)

        async def send_413(message: dict[str, Any]) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                status = message["status"]
                started_response = True
            await send(message)

        try:
            if early is not None:
                await early(scope, receive, send_wrapper)
            else:
                await self.app(scope, receive, send_wrapper)
        except Exception:
            over = getattr(receive, "overflow", None)
            if over is None:
                raise
            if not started_response:  # the app gave up on the cut body: answer 413
                await over(scope, receive, send_413)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            path = scope["path"] + (f"?{query}" if query else "")
            log_request(scope["method"], path, status, started)


class _CountingReceive:
    """An ASGI `receive` that stops a body at `limit` bytes (see GuardMiddleware)."""

    def __init__(self, receive: Any, limit: int, max_body: int) -> None:
        self.receive = receive
        self.limit = limit
        self.max_body = max_body
        self.seen = 0
        self.overflow: JSONResponse | None = None

    async def __call__(self) -> dict[str, Any]:
        if self.overflow is not None:
            return {"type": "http.disconnect"}
        message = await self.receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                exc = PayloadTooLarge(f"request body is over the limit of {self.max_body} bytes")
                self.overflow = _error(exc.status, exc.code, exc.message)
                return {"type": "http.disconnect"}
        return message


_BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _is_json(ctype: bytes) -> bool:
    media = ctype.split(b";", 1)[0].strip()
    return media == b"application/json" or media.endswith(b"+json")


async def _read_body(receive: Any, limit: int) -> bytes | None:
    """The whole request body, or None once it passes `limit` bytes."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client left: the app sees an empty or short body
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


class _Replay:
    """An ASGI `receive` that gives the body already read, then the client's messages."""

    def __init__(self, body: bytes, receive: Any) -> None:
        self.body: bytes | None = body
        self.receive = receive

    async def __call__(self) -> dict[str, Any]:
        if self.body is not None:
            body, self.body = self.body, None
            return {"type": "http.request", "body": body, "more_body": False}
        return await self.receive()


# [ and { as +1, ] and } as -1 (int8), every other byte deleted
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nests_deeper_than(body: bytes, limit: int) -> bool:
    """Whether a JSON text nests arrays and objects more than `limit` deep, found
    without parsing it (a parser would recurse that deep): string contents are dropped,
    then the depth after each bracket is a running sum. Linear time, all of it in C."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    if b"\\" in body:  # escaped quotes are not string ends: pair off backslashes first
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(body.split(b'"')[::2])  # the text between strings
    steps = np.frombuffer(outside.translate(_STEPS, _NOT_BRACKETS), dtype=np.int8)
    return bool(steps.size) and int(np.cumsum(steps, dtype=np.int32).max()) > limit
