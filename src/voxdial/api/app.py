"""The app factory: one FastAPI app per settings, with voxdial's error shape everywhere."""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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
    media,
    numberfiles,
    speech,
    tasks,
    webhooks,
)
from voxdial.api.schemas import ErrorBody
from voxdial.domain.phone import PhoneNormalizer
from voxdial.errors import PayloadTooLarge, RateLimited, VoxdialError
from voxdial.logs import log_request, redact
from voxdial.runtime import Runtime
from voxdial.settings import Settings
from voxdial.store.db import Database

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
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": name.replace("_", " ")}
    for code, name in _STATUS_CODES.items()
    if code not in (403, 405)
}
# Over the rate limit, the answer says when to come back.
ERROR_RESPONSES[429]["headers"] = {
    "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
}


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
    state.debug_sessions = DebugSessions(state.db, state.runtime.engine_for)
    for module in (tasks, assistants, debug, numberfiles, calls, webhooks, blocklist, speech):
        app.include_router(module.router, prefix="/openapi", responses=ERROR_RESPONSES)
    app.include_router(media.router, prefix="/openapi")
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
    from voxdial.web.install import install_console

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
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}
        return _error(exc.status, exc.code, exc.message, exc.details, **headers)

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


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(GuardMiddleware, max_body=settings.max_upload_bytes)


class GuardMiddleware:
    """Refuses oversized bodies before they are read, and writes the access log.

    Plain ASGI (not BaseHTTPMiddleware) to keep the per-request cost small.
    """

    def __init__(self, app: Any, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body
        self.limit = max_body + 1024 * 1024  # room for the multipart envelope

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        early: JSONResponse | None = None
        if length is not None:
            if not length.isdigit():
                early = _error(400, "bad_request", "Content-Length is not a number")
            elif int(length) > self.limit:
                exc = PayloadTooLarge(
                    f"request body of {int(length)} bytes is over the limit of "
                    f"{self.max_body} bytes"
                )
                early = _error(exc.status, exc.code, exc.message)
        elif scope["method"] in ("POST", "PUT", "PATCH"):
            # No Content-Length (chunked): count the body as it arrives. Past the limit the
            # app is told the client left, and whatever it answers is replaced by a 413.
            receive = _CountingReceive(receive, self.limit, self.max_body)

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
