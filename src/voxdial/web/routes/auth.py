"""Signing in and out, the language switch, and one's own password."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from voxdial.errors import Forbidden, VoxdialError
from voxdial.store import users as repo
from voxdial.store.models import User
from voxdial.web.guard import (
    LANG_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    ConsoleRoute,
    Reader,
    app_state,
    check_csrf,
    current_user,
    now,
    safe_next,
    secure_cookies,
)
from voxdial.web.i18n import LANGUAGES, language, translator
from voxdial.web.pages import render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
THROTTLE = repo.Throttle()
Text = Annotated[str, Form(max_length=300)]


def _login_token(request: Request) -> str:
    token = request.cookies.get(LOGIN_COOKIE, "")
    return token if 20 <= len(token) <= 64 else secrets.token_urlsafe(24)


def _login_page(
    request: Request,
    *,
    next_url: str,
    email: str = "",
    error: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    token = _login_token(request)
    response = render(
        request,
        "login.html",
        {"next": next_url, "email": email, "error": error},
        csrf=token,
        status=status,
        headers=headers,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path="/",
        secure=secure_cookies(app_state(request)),
    )
    return response


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_url=safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    email: Text = "",
    password: Annotated[str, Form(max_length=repo.MAX_PASSWORD)] = "",
    csrf_token: Text = "",
    next: Text = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not repo.same_token(csrf_token, expected):
        raise Forbidden("the sign-in form is out of date: reload the page")
    return await run_in_threadpool(_login, request, email, password, safe_next(next))


def _login(request: Request, email: str, password: str, next_url: str) -> Response:
    state = app_state(request)
    t = translator_for(request)
    address = (request.client.host if request.client else "")[:64] or "unknown"
    email = email.strip().lower()
    at = now()
    with state.db.session() as s:
        wait = repo.wait_before_login(s, email=email, address=address, now=at, throttle=THROTTLE)
        if wait:
            return _login_page(
                request,
                next_url=next_url,
                email=email,
                status=429,
                error=t("Too many failed attempts. Try again in {n} seconds.", n=wait),
                headers={"Retry-After": str(wait)},
            )
        user = repo.find_login(s, email) if email else None
        ok = repo.verify_password(user.password_hash if user else None, password)
        if not ok or user is None or user.disabled_at is not None:
            repo.note_failure(s, email=email, address=address, now=at, throttle=THROTTLE)
            s.commit()
            return _login_page(
                request,
                next_url=next_url,
                email=email,
                status=401,
                error=t("The e-mail or the password is wrong."),
            )
        repo.clear_failures(s, email=email)
        token = repo.start_session(s, user=user, now=at)
        s.commit()
    response = RedirectResponse(next_url, status_code=303)
    _set_session_cookie(request, response, token)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


def _set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path="/",
        secure=secure_cookies(app_state(request)),
    )


def translator_for(request: Request):
    return translator(language(request))


@router.post("/logout")
def logout(request: Request, user: Reader) -> Response:
    state = app_state(request)
    with state.db.session() as s:
        repo.end_session(s, request.cookies.get(SESSION_COOKIE, ""))
        s.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/lang")
async def switch_language(
    request: Request, lang: Text = "en", next: Text = "/", csrf_token: Text = ""
) -> Response:
    user = await run_in_threadpool(current_user, request)
    expected = user.csrf_token if user else request.cookies.get(LOGIN_COOKIE, "")
    if not expected:
        raise Forbidden("the form is out of date: reload the page")
    await check_csrf(request, expected)
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 86400,
            samesite="lax",
            path="/",
            httponly=True,
            secure=secure_cookies(app_state(request)),
        )
    return response


@router.get("/account")
def account_page(request: Request, user: Reader) -> Response:
    done = request.query_params.get("changed") == "1"
    return render(request, "account.html", {"errors": {}, "done": done}, user=user)


@router.post("/account/password")
def change_password(
    request: Request,
    user: Reader,
    current: Annotated[str, Form(max_length=repo.MAX_PASSWORD)] = "",
    new: Annotated[str, Form(max_length=repo.MAX_PASSWORD)] = "",
    again: Annotated[str, Form(max_length=repo.MAX_PASSWORD)] = "",
) -> Response:
    t = translator_for(request)
    errors: dict[str, str] = {}
    state = app_state(request)
    with state.db.session() as s:
        row = s.get(User, user.user_id)
        if row is None or not repo.verify_password(row.password_hash, current):
            errors["current"] = t("This is not your current password.")
        elif new != again:
            errors["again"] = t("The two new passwords differ.")
        else:
            try:
                repo.set_password(s, row, new)
            except VoxdialError as e:
                errors["new"] = e.message
        if errors:
            return render(request, "account.html", {"errors": errors, "done": False}, user=user)
        token = repo.start_session(s, user=row, now=now())  # this browser stays signed in
        s.commit()
    response = RedirectResponse("/account?changed=1", status_code=303)
    _set_session_cookie(request, response, token)
    return response
