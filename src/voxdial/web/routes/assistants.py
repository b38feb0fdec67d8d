"""Assistants: list, create, edit (each save is a new version, as the API's PATCH),
versions with the tasks that use them, and trying one in text (the API's debug call)
or by voice (the browser framing of the assistant's websocket, with a one-call token
this console mints: the page never holds the assistant's own websocket token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from voxdial.api.call_tokens import mint_call_token
from voxdial.api.routes.debug import DebugTurn, _turn
from voxdial.errors import Conflict, VoxdialError
from voxdial.store import assistants as repo
from voxdial.store.models import AssistantVersion, Task
from voxdial.voice.catalog import Catalog
from voxdial.web import assistant_form as forms
from voxdial.web import transfer_form
from voxdial.web.guard import (
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
AssistantId = Annotated[int, Path(ge=1, le=2**53)]
SCENES = ("outbound_collect", "outbound_notice", "inbound_knowledge")
METHODS = ("none", "talk_over", "keyword")


def _choices(state) -> dict[str, Any]:
    catalog = Catalog.from_settings(state.settings)
    return {
        "speakers": catalog.available_speakers(),
        "listeners": catalog.available_listeners(),
        "llms": [0, *sorted(state.settings.llms)],
        "scenes": SCENES,
        "methods": METHODS,
        "transfer_modes": transfer_form.MODES,
    }


@router.get("/assistants")
def assistants_page(request: Request, user: Reader) -> Response:
    state = app_state(request)
    with state.db.session() as s:
        rows, total = repo.list_current(
            s, workspace_id=user.workspace_id, offset=0, limit=200, include_deleted=False
        )
    catalog = Catalog.from_settings(state.settings)
    items = [
        {
            "id": a.id,
            "name": v.name,
            "vid": v.id,
            "scene": v.config["scene"],
            "speaker": getattr(catalog.speakers.get(v.config["speakerId"]), "name", ""),
            "usage": a.usage_count,
            "updated": v.created_at,
        }
        for a, v, _ in rows
    ]
    return render(request, "assistants.html", {"items": items, "total": total}, user=user)


@router.get("/assistants/new")
def new_assistant_page(request: Request, user: Operator) -> Response:
    state = app_state(request)
    values = forms.values_of(repo.default_config(user.time_zone), "")
    return render(
        request,
        "assistant_edit.html",
        {"values": values, "errors": {}, "assistant": None, **_choices(state)},
        user=user,
    )


@router.post("/assistants/new")
async def create_assistant(request: Request, user: Operator) -> Response:
    values = forms.read_values(await request.form())
    return await run_in_threadpool(_save, request, user, values, None)


@router.get("/assistants/{assistant_id}")
def assistant_page(request: Request, user: Reader, assistant_id: AssistantId) -> Response:
    return render(request, "assistant_edit.html", _page(request, user, assistant_id), user=user)


def _page(request, user, assistant_id: int, *, values=None, errors=None) -> dict[str, Any]:
    state = app_state(request)
    with state.db.session() as s:
        a, v, email = repo.get_current(s, workspace_id=user.workspace_id, assistant_id=assistant_id)
        versions = (
            s.execute(
                select(AssistantVersion)
                .where(AssistantVersion.assistant_id == a.id)
                .order_by(AssistantVersion.id.desc())
                .limit(100)
            )
            .scalars()
            .all()
        )
        uses = dict(
            s.execute(
                select(Task.assistant_vid, func.count())
                .where(Task.assistant_id == a.id, Task.deleted_at.is_(None))
                .group_by(Task.assistant_vid)
            ).all()
        )
        tasks = s.execute(
            select(Task.id, Task.name, Task.assistant_vid)
            .where(Task.assistant_id == a.id, Task.deleted_at.is_(None))
            .order_by(Task.id.desc())
            .limit(200)
        ).all()
    return {
        "assistant": {
            "id": a.id,
            "vid": v.id,
            "deleted": a.deleted_at is not None,
            "creator": email,
            "usage": a.usage_count,
        },
        "values": values or forms.values_of(v.config, v.name),
        "errors": errors or {},
        "versions": [
            {
                "id": x.id,
                "name": x.name,
                "created": x.created_at,
                "tasks": uses.get(x.id, 0),
                "current": x.id == v.id,
                "task_list": [(tid, tname) for tid, tname, tvid in tasks if tvid == x.id][:10],
            }
            for x in versions
        ],
        **_choices(state),
    }


@router.post("/assistants/{assistant_id}")
async def update_assistant(request: Request, user: Operator, assistant_id: AssistantId) -> Response:
    values = forms.read_values(await request.form())
    return await run_in_threadpool(_save, request, user, values, assistant_id)


def _save(request, user, values, assistant_id: int | None) -> Response:
    state = app_state(request)
    body, errors = forms.validate(values, create=assistant_id is None)
    catalog = Catalog.from_settings(state.settings)
    if body is not None:
        try:
            with state.db.session() as s:
                changes = forms.changes_of(body)
                if assistant_id is None:
                    config = repo.default_config(user.time_zone)
                    config.update(changes)
                    a, _ = repo.create_assistant(
                        s,
                        workspace_id=user.workspace_id,
                        user_id=user.user_id,
                        name=body.name,
                        config=config,
                        catalog=catalog,
                    )
                else:
                    a, v, _ = repo.get_current(
                        s,
                        workspace_id=user.workspace_id,
                        assistant_id=assistant_id,
                        for_update=True,
                    )
                    if a.deleted_at is not None:
                        raise VoxdialError(f"assistant {assistant_id} is deleted")
                    repo.new_version(s, a, v, name=body.name, changes=changes, catalog=catalog)
                s.commit()
                return redirect(request, f"/assistants/{a.id}?saved=1")
        except VoxdialError as e:
            if assistant_id is not None and "not found" in e.message:
                raise
            field = next(
                (k for k in ("speakerId", "listenerId", "timeZone") if k in e.message), "form"
            )
            errors = {field: e.message}
    if assistant_id is None:
        ctx = {"values": values, "errors": errors, "assistant": None, **_choices(state)}
    else:
        ctx = _page(request, user, assistant_id, values=values, errors=errors)
    # the form again, each error beside its field; 422 as the API answers the same body
    return render(request, "assistant_edit.html", ctx, user=user, status=422)


@router.post("/assistants/{assistant_id}/try")
def try_assistant(
    request: Request,
    user: Operator,
    assistant_id: AssistantId,
    text: Annotated[str, Form(max_length=2000)] = "",
    session_id: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """One turn of the API's debug call: no session starts one (the reply is the opening)."""
    state = app_state(request)
    body = DebugTurn(sessionId=session_id or None, text=text if session_id else None, name=name)
    try:
        out = _turn(assistant_id, body, principal(user), state)
        error = ""
    except VoxdialError as e:
        if "not found" in e.message and not session_id:
            raise
        out, error = None, e.message
    return render(
        request,
        "_try_turn.html",
        {"out": out, "said": text if session_id else "", "error": error},
        user=user,
    )


@router.post("/assistants/{assistant_id}/voice")
def voice_call_token(request: Request, user: Operator, assistant_id: AssistantId) -> Response:
    """A one-call token for trying the assistant by voice: the socket's path and the token
    the browser's `start` message carries (good for one call, to connect within a minute)."""
    state = app_state(request)
    with state.db.session() as s:
        a, _, _ = repo.get_current(s, workspace_id=user.workspace_id, assistant_id=assistant_id)
        if a.deleted_at is not None:
            raise Conflict(f"assistant {assistant_id} is deleted")
        token, grant = mint_call_token(
            a.websocket_token, assistant_id=a.id, workspace_id=a.workspace_id, now=now()
        )
    return JSONResponse(
        {
            "socket": f"/openapi/assistants/{a.id}/ws?mode=browser",
            "token": token,
            "sessionId": grant.session_id,
        },
        headers={"Cache-Control": "no-store"},
    )
