"""The block list (operators), webhooks, API tokens and users (admins).

Block list and webhook changes go through the API's own handlers with the signed-in
user as the principal, so they follow the API's rules and messages word for word."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response, UploadFile
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from voxdial.api.routes import blocklist as blocklist_api
from voxdial.api.routes import webhooks as webhooks_api
from voxdial.api.schemas import BlocklistAdd, BlocklistRemove, WebhookCreate
from voxdial.errors import Conflict, NotFound, VoxdialError
from voxdial.store import users as users_repo
from voxdial.store.models import ApiToken, BlockedNumber, User, Webhook, WebhookOutbox, Workspace
from voxdial.store.tokens import create_token, revoke_token
from voxdial.web.guard import (
    Admin,
    ConsoleRoute,
    Operator,
    Reader,
    app_state,
    now,
    principal,
    redirect,
)
from voxdial.web.pages import render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
RowId = Annotated[int, Path(ge=1, le=2**53)]
Text = Annotated[str, Form(max_length=200_000)]
MAX_IMPORT = 10_000


def _errors_of(e: ValidationError) -> str:
    err = e.errors(include_url=False)[0]
    return ".".join(str(p) for p in err["loc"]) + ": " + err["msg"]


# --- block list ----------------------------------------------------------------------


def _blocklist_page(request: Request, user, *, result=None, error: str = "") -> Response:
    with app_state(request).db.session() as s:
        rows = (
            s.execute(
                select(BlockedNumber)
                .where(BlockedNumber.workspace_id == user.workspace_id)
                .order_by(BlockedNumber.id.desc())
                .limit(500)
            )
            .scalars()
            .all()
        )
    return render(
        request, "blocklist.html", {"rows": rows, "result": result, "error": error}, user=user
    )


@router.get("/blocklist")
def blocklist_page(request: Request, user: Reader) -> Response:
    return _blocklist_page(request, user)


def _add_numbers(request: Request, user, numbers: list[str], reason: str) -> Response:
    state = app_state(request)
    try:
        body = BlocklistAdd(numbers=numbers, reason=reason)
    except ValidationError as e:
        return _blocklist_page(request, user, error=_errors_of(e))
    with state.db.session() as s:
        result = blocklist_api.add_blocked_numbers(body, principal(user), s, state)
    return _blocklist_page(request, user, result=result)


@router.post("/blocklist")
def add_blocked(
    request: Request,
    user: Operator,
    numbers: Text = "",
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    values = [n.strip() for n in numbers.replace(",", "\n").splitlines() if n.strip()]
    return _add_numbers(request, user, values, reason)


@router.post("/blocklist/import")
def import_blocked(request: Request, user: Operator, file: UploadFile) -> Response:
    """A CSV (or text) file: the first column of each row is a number; a header is skipped
    as an invalid number would be."""
    data = file.file.read(5 * 1024 * 1024 + 1)
    if len(data) > 5 * 1024 * 1024:
        return _blocklist_page(request, user, error="the file is over 5 MB")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    values = [row[0].strip() for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if values and not any(c.isdigit() for c in values[0]):
        values = values[1:]  # a header row
    if len(values) > MAX_IMPORT:
        return _blocklist_page(request, user, error=f"at most {MAX_IMPORT} numbers per file")
    if not values:
        return _blocklist_page(request, user, error="the file has no numbers")
    return _add_numbers(request, user, values, "imported")


@router.post("/blocklist/remove")
def remove_blocked(
    request: Request, user: Operator, phone: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    state = app_state(request)
    try:
        body = BlocklistRemove(numbers=[phone])
    except ValidationError as e:
        return _blocklist_page(request, user, error=_errors_of(e))
    with state.db.session() as s:
        blocklist_api.remove_blocked_numbers(body, principal(user), s, state)
    return redirect(request, "/blocklist")


# --- webhooks ------------------------------------------------------------------------


def _webhooks_page(request: Request, user, *, created=None, error: str = "", values=None):
    with app_state(request).db.session() as s:
        hooks = (
            s.execute(
                select(Webhook)
                .where(Webhook.workspace_id == user.workspace_id, Webhook.active.is_(True))
                .order_by(Webhook.id)
            )
            .scalars()
            .all()
        )
        deliveries = (
            s.execute(
                select(WebhookOutbox)
                .where(WebhookOutbox.workspace_id == user.workspace_id)
                .order_by(WebhookOutbox.id.desc())
                .limit(30)
            )
            .scalars()
            .all()
        )
    return render(
        request,
        "webhooks.html",
        {
            "hooks": hooks,
            "deliveries": deliveries,
            "created": created,
            "error": error,
            "values": values
            or {"url": "", "events": ["task.call.end", "task.call.collect", "task.end"]},
        },
        user=user,
    )


@router.get("/webhooks")
def webhooks_page(request: Request, user: Admin) -> Response:
    return _webhooks_page(request, user)


@router.post("/webhooks")
async def create_webhook(request: Request, user: Admin) -> Response:
    form = await request.form()
    url = str(form.get("url", ""))[:2048]
    events = [str(e) for e in form.getlist("events")][:5]
    authorization = str(form.get("authorization", ""))[:512]
    values = {"url": url, "events": events}

    def run() -> Response:
        try:
            body = WebhookCreate(url=url, events=events, authorization=authorization)
        except ValidationError as e:
            return _webhooks_page(request, user, error=_errors_of(e), values=values)
        try:
            with app_state(request).db.session() as s:
                created = webhooks_api.create_webhook(body, principal(user), s)
        except VoxdialError as e:
            return _webhooks_page(request, user, error=e.message, values=values)
        return _webhooks_page(request, user, created=created)

    return await run_in_threadpool(run)


@router.post("/webhooks/{webhook_id}/delete")
def delete_webhook(request: Request, user: Admin, webhook_id: RowId) -> Response:
    with app_state(request).db.session() as s:
        webhooks_api.delete_webhook(webhook_id, principal(user), s)
    return redirect(request, "/webhooks")


@router.post("/webhooks/{webhook_id}/test")
def test_webhook(request: Request, user: Admin, webhook_id: RowId) -> Response:
    """Queue a `webhook.test` event for this webhook; the deliverer sends it like any."""
    at = now()
    with app_state(request).db.session() as s:
        w = s.get(Webhook, webhook_id)
        if w is None or w.workspace_id != user.workspace_id or not w.active:
            raise NotFound(f"webhook {webhook_id} not found")
        s.add(
            WebhookOutbox(
                workspace_id=w.workspace_id,
                webhook_id=w.id,
                event="webhook.test",
                payload={"webhook_id": w.id, "message": "a test event from the voxdial console"},
                created_at=at,
                attempts=0,
                next_attempt_at=at,
                last_error="",
            )
        )
        s.commit()
    return redirect(request, "/webhooks")


# --- API tokens ----------------------------------------------------------------------


def _tokens_page(request: Request, user, *, created: str = "") -> Response:
    with app_state(request).db.session() as s:
        rows = s.execute(
            select(ApiToken, User.email, User.role)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.workspace_id == user.workspace_id)
            .order_by(ApiToken.id.desc())
            .limit(200)
        ).all()
    return render(request, "tokens.html", {"rows": rows, "created": created}, user=user)


@router.get("/tokens")
def tokens_page(request: Request, user: Admin) -> Response:
    return _tokens_page(request, user)


@router.post("/tokens")
def create_api_token(request: Request, user: Admin) -> Response:
    """A token for the signed-in user (it acts with their role); shown once."""
    with app_state(request).db.session() as s:
        ws = s.get(Workspace, user.workspace_id)
        me = s.get(User, user.user_id)
        token = create_token(s, workspace=ws, user=me)
        s.commit()
    return _tokens_page(request, user, created=token)


@router.post("/tokens/{token_id}/revoke")
def revoke_api_token(request: Request, user: Admin, token_id: RowId) -> Response:
    with app_state(request).db.session() as s:
        tok = s.get(ApiToken, token_id)
        if tok is None or tok.workspace_id != user.workspace_id:
            raise NotFound(f"token {token_id} not found")
        revoke_token(s, prefix=tok.prefix)
        s.commit()
    app_state(request).token_cache.clear()
    return redirect(request, "/tokens")


# --- users ---------------------------------------------------------------------------


def _users_page(
    request: Request, user, *, created: dict[str, Any] | None = None, error: str = ""
) -> Response:
    with app_state(request).db.session() as s:
        rows = (
            s.execute(select(User).where(User.workspace_id == user.workspace_id).order_by(User.id))
            .scalars()
            .all()
        )
    return render(
        request,
        "users.html",
        {"rows": rows, "created": created, "error": error, "roles": list(users_repo.Role)},
        user=user,
    )


@router.get("/users")
def users_page(request: Request, user: Admin) -> Response:
    return _users_page(request, user)


@router.post("/users")
def create_user(
    request: Request,
    user: Admin,
    email: Annotated[str, Form(max_length=254)] = "",
    role: Annotated[str, Form(max_length=16)] = "operator",
) -> Response:
    """A new user with a generated password, shown once."""
    password = users_repo.generate_password()
    try:
        with app_state(request).db.session() as s:
            ws = s.get(Workspace, user.workspace_id)
            if role not in users_repo.Role.__members__.values():
                raise Conflict("role: admin, operator or viewer")
            u = users_repo.create_user(s, workspace=ws, email=email, role=role, password=password)
            s.commit()
            created = {"email": u.email, "password": password}
    except VoxdialError as e:
        return _users_page(request, user, error=e.message)
    return _users_page(request, user, created=created)


def _member(s, user, user_id: int) -> User:
    u = s.get(User, user_id)
    if u is None or u.workspace_id != user.workspace_id:
        raise NotFound(f"user {user_id} not found")
    return u


def _keeps_an_admin(s, user, target: User, *, new_role: str | None = None) -> None:
    losing = target.role == users_repo.Role.ADMIN and new_role != users_repo.Role.ADMIN
    if losing and users_repo.workspace_admins(s, user.workspace_id) <= 1:
        raise Conflict("the workspace needs at least one admin who can sign in")


@router.post("/users/{user_id}/role")
def change_role(
    request: Request,
    user: Admin,
    user_id: RowId,
    role: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    with app_state(request).db.session() as s:
        target = _member(s, user, user_id)
        if role not in users_repo.Role.__members__.values():
            raise Conflict("role: admin, operator or viewer")
        _keeps_an_admin(s, user, target, new_role=role)
        users_repo.set_role(s, target, role)
        users_repo.end_sessions(s, user_id=target.id)
        s.commit()
    app_state(request).token_cache.clear()
    return redirect(request, "/users")


@router.post("/users/{user_id}/password")
def reset_password(request: Request, user: Admin, user_id: RowId) -> Response:
    """A new generated password, shown once; the user's sessions end."""
    password = users_repo.generate_password()
    with app_state(request).db.session() as s:
        target = _member(s, user, user_id)
        if target.password_hash is None and users_repo.find_login(s, target.email) is not None:
            raise Conflict(f"{target.email} already signs in in another workspace")
        users_repo.set_password(s, target, password)
        s.commit()
        created = {"email": target.email, "password": password}
    return _users_page(request, user, created=created)


@router.post("/users/{user_id}/disable")
def disable_user(request: Request, user: Admin, user_id: RowId) -> Response:
    with app_state(request).db.session() as s:
        target = _member(s, user, user_id)
        if target.id == user.user_id:
            raise Conflict("you cannot disable yourself")
        _keeps_an_admin(s, user, target)
        users_repo.disable_user(s, target)
        s.commit()
    app_state(request).token_cache.clear()
    return redirect(request, "/users")
