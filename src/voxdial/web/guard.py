"""Who is asking: the session cookie, its CSRF token and the user's role, for every
console route; and the route class that turns errors into pages.

A state-changing request (anything but GET/HEAD) must carry the session's CSRF token,
as the form field `csrf_token` or the `X-CSRF-Token` header (htmx sends the header on
every request, from `hx-headers` on the page's body). A multipart upload must use the
header, so that no file is read for a forged request.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from voxdial.api.deps import AppState
from voxdial.errors import Forbidden, NotFound, Unprocessable, VoxdialError
from voxdial.store.tokens import Principal
from voxdial.store.users import Grant, SignedIn, allows, read_session, same_token
from voxdial.web.i18n import LANG_COOKIE
from voxdial.web.pages import render

SESSION_COOKIE = "vxd_session"
LOGIN_COOKIE = "vxd_login"  # the sign-in form's CSRF token, before there is a session
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
__all__ = ["LANG_COOKIE", "LOGIN_COOKIE", "SESSION_COOKIE"]


class SignInRequired(Exception):
    pass


def app_state(request: Request) -> AppState:
    return request.app.state.voxdial


def now() -> datetime:
    return datetime.now(UTC)


def secure_cookies(state: AppState) -> bool:
    return state.settings.base_url().lower().startswith("https://")


def current_user(request: Request) -> SignedIn | None:
    """The signed-in user of the request's session cookie, or None (read once per request)."""
    if "console_user" in request.scope:
        return request.scope["console_user"]
    token = request.cookies.get(SESSION_COOKIE, "")
    user = None
    if token:
        with app_state(request).db.session() as s:
            user = read_session(s, token, now=now())
    request.scope["console_user"] = user
    return user


async def signed_in(request: Request) -> SignedIn:
    user = await run_in_threadpool(current_user, request)
    if user is None:
        raise SignInRequired()
    if request.method not in SAFE_METHODS:
        await check_csrf(request, user.csrf_token)
    return user


async def check_csrf(request: Request, expected: str) -> None:
    given = request.headers.get("x-csrf-token")
    content_type = request.headers.get("content-type", "")
    if not given and content_type.startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not same_token(given, expected):
        raise Forbidden("the form's security token is missing or out of date: reload the page")


def _need(grant: Grant) -> Callable[..., Coroutine[Any, Any, SignedIn]]:
    async def dependency(user: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
        if not allows(user.role, grant):
            raise Forbidden(f"your role ({user.role}) does not allow this")
        return user

    return dependency


Reader = Annotated[SignedIn, Depends(_need(Grant.READ))]
Operator = Annotated[SignedIn, Depends(_need(Grant.OPERATE))]
Admin = Annotated[SignedIn, Depends(_need(Grant.ADMINISTER))]


def principal(user: SignedIn) -> Principal:
    """The user as the API's principal, for the store and upload functions the API uses."""
    return Principal(
        token_id=0,
        workspace_id=user.workspace_id,
        user_id=user.user_id,
        time_zone=user.time_zone,
        role=user.role,
    )


def safe_next(value: str | None) -> str:
    """A local path to return to after signing in (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def redirect(request: Request, url: str) -> Response:
    """After a POST: htmx follows `HX-Redirect`; a plain form follows a 303."""
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


class ConsoleRoute(APIRoute):
    """Errors as pages: no session -> the sign-in page; a VoxdialError -> a page with its
    status and message (another workspace's id is a plain 404, as in the API)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                target = "/login?next=" + quote(
                    request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                    safe="/",
                )
                if request.headers.get("hx-request"):
                    return Response(status_code=401, headers={"HX-Redirect": target})
                return RedirectResponse(target, status_code=303)
            except RequestValidationError as e:
                path_error = any(err.get("loc", ("",))[0] == "path" for err in e.errors())
                error: VoxdialError = (
                    NotFound("no such page") if path_error else Unprocessable("invalid request")
                )
                return await run_in_threadpool(_error_page, request, error)
            except VoxdialError as e:
                return await run_in_threadpool(_error_page, request, e)

        return route


def _error_page(request: Request, error: VoxdialError) -> Response:
    return render(
        request,
        "error.html",
        {"status": error.status, "message": error.message},
        status=error.status,
        user=current_user(request),
    )
