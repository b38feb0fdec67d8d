"""New task: upload a CSV/XLSX (drag and drop), map its columns, check every row, pick
the assistant version, schedule and retries, and create.

The upload is the API's (`receive_upload`: same limits and errors); the form becomes a
`TaskCreate` (the API's schema) and is created as the API creates it
(`store.imports.create_task_in_batches`: the same checks and limits, the import committed
batch by batch), so every rule and message is the API's. "Check rows" writes nothing: it
makes the same checks (`store.tasks.new_task`, never flushed) and counts the file's rows
with `numbers.check.check_rows`, the importer's own row rules, so its counts (valid,
invalid, duplicate, blocked) are what creating would give, and no other workspace's
writes wait for it. Both run on the file threads, as the API's imports do.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from voxdial.api.routes.numberfiles import file_pool, import_limits, receive_upload
from voxdial.api.schemas import TaskCreate
from voxdial.domain.options import ALL_WEEKDAYS, DEFAULT_CONCURRENCY
from voxdial.errors import VoxdialError
from voxdial.numbers.check import FIRST_REJECTS, RowCheck, check_rows
from voxdial.numbers.importer import (
    NAME_KEY,
    NOTE_KEY,
    PHONE_KEY,
    ColumnMap,
    blocked_among,
    has_blocklist,
)
from voxdial.numbers.reader import iter_rows
from voxdial.store import numberfiles
from voxdial.store import tasks as repo
from voxdial.store.imports import create_task_in_batches
from voxdial.store.models import Assistant, AssistantVersion, NumberFile
from voxdial.web.guard import ConsoleRoute, Operator, app_state, now, principal, redirect
from voxdial.web.pages import render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
WINDOWS = 3  # window rows on the form
ROLES = ("phone", "name", "note", "var", "skip")
_AUTO = {
    "phone": {"号码", "电话", "手机", "手机号", "电话号码", "phone", "mobile", "number", "tel"},
    "name": {"姓名", "名字", "客户", "name"},
    "note": {"备注", "note", "notes", "remark"},
}
# wire names in the API's messages -> the form field they belong beside
_FIELDS = {
    "option.numberFileMeta": "mapping",
    "option.numbers": "file",
    "option.startDate": "start_date",
    "option.endDate": "end_date",
    "option.startTime": "windows",
    "option.weeks": "weeks",
    "option.timeZone": "time_zone",
    "option.retryCount": "retry_count",
    "option.retryInterval": "retry_interval",
    "option.concurrency": "concurrency",
    "assistantVid": "assistant",
    "assistantId": "assistant",
    "name": "name",
}
ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


def auto_roles(columns: list[str]) -> list[str]:
    roles: list[str] = []
    for header in columns:
        key = header.strip().lower()
        role = next((r for r, names in _AUTO.items() if key in names and r not in roles), "var")
        roles.append(role)
    if "phone" not in roles and roles:
        roles[0] = "phone"
    return roles


def _variable_name(header: str, index: int, taken: set[str]) -> str:
    name = header.strip() or f"col{index + 1}"
    if name in taken or name in (PHONE_KEY, NAME_KEY, NOTE_KEY):
        name = f"{name}_{index + 1}"
    return name


def _meta(columns: list[str], roles: list[str]) -> dict[str, int]:
    meta: dict[str, int] = {}
    wire = {"phone": PHONE_KEY, "name": NAME_KEY, "note": NOTE_KEY}
    for i, role in enumerate(roles):
        if role in wire and wire[role] not in meta:
            meta[wire[role]] = i
    for i, role in enumerate(roles):
        if role == "var":
            meta[_variable_name(columns[i], i, set(meta))] = i
    return meta


def _assistant_choices(s, workspace_id: int) -> list[dict[str, Any]]:
    rows = s.execute(
        select(Assistant, AssistantVersion)
        .join(AssistantVersion, AssistantVersion.assistant_id == Assistant.id)
        .where(Assistant.workspace_id == workspace_id, Assistant.deleted_at.is_(None))
        .order_by(Assistant.id.desc(), AssistantVersion.id.desc())
        .limit(300)
    ).all()
    return [
        {"vid": v.id, "name": v.name, "current": a.current_version_id == v.id, "assistant": a.id}
        for a, v in rows
    ]


def _defaults(user) -> dict[str, Any]:
    today = now().astimezone(ZoneInfo(user.time_zone)).date().isoformat()
    return {
        "name": "",
        "assistant": "",
        "start_date": today,
        "end_date": "",
        "windows": [["09:00", "12:00"], ["14:00", "18:00"], ["", ""]],
        "weeks": [str(d) for d in ALL_WEEKDAYS],
        "time_zone": user.time_zone,
        "retry_count": "1",
        "retry_interval": "60",
        "concurrency": str(DEFAULT_CONCURRENCY),
    }


def _context(s, user, *, values, file: NumberFile | None, roles, errors=None, check=None):
    return {
        "values": values,
        "file": file,
        "roles": roles,
        "role_names": ROLES,
        "meta": _meta(file.columns, roles) if file else {},
        "errors": errors or {},
        "check": check,
        "assistants": _assistant_choices(s, user.workspace_id),
        "zones": ZONES,
        "window_rows": WINDOWS,
    }


@router.get("/tasks/new")
def new_task_page(request: Request, user: Operator) -> Response:
    with app_state(request).db.session() as s:
        ctx = _context(s, user, values=_defaults(user), file=None, roles=[])
    return render(request, "task_new.html", ctx, user=user)


@router.post("/tasks/new/upload")
async def upload_numbers(request: Request, user: Operator) -> Response:
    """The API's upload (same checks, same messages); the answer is the form with the
    file's preview and its columns mapped."""
    state = app_state(request)
    try:
        nf = await receive_upload(request, principal(user), state)
        error = ""
    except VoxdialError as e:
        nf, error = None, e.message

    def page() -> Response:
        with state.db.session() as s:
            ctx = _context(
                s,
                user,
                values=_defaults(user),
                file=nf,
                roles=auto_roles(nf.columns) if nf else [],
                errors={"file": error} if error else None,
            )
        return render(request, "_new_form.html", ctx, user=user)

    return await run_in_threadpool(page)


def _read_form(form, user) -> tuple[dict[str, Any], int | None, list[str]]:
    def text(name: str, limit: int = 200) -> str:
        value = form.get(name, "")
        return value[:limit] if isinstance(value, str) else ""

    values = _defaults(user)
    for key in (
        "name",
        "assistant",
        "start_date",
        "end_date",
        "time_zone",
        "retry_count",
        "retry_interval",
        "concurrency",
    ):
        values[key] = text(key)
    values["windows"] = [
        [text(f"win_start_{i}", 5), text(f"win_end_{i}", 5)] for i in range(WINDOWS)
    ]
    values["weeks"] = [w for w in form.getlist("weeks") if isinstance(w, str)][:7]
    file_id = int(text("file_id")) if text("file_id").isdigit() else None
    roles = []
    for i in range(200):
        role = form.get(f"col_{i}")
        if role is None:
            break
        roles.append(role if role in ROLES else "skip")
    return values, file_id, roles


def _body(values: dict[str, Any], file: NumberFile | None, meta: dict[str, int]) -> dict[str, Any]:
    """The form as the API's TaskCreate body. A form sends text: whole numbers typed in
    the number fields become integers (the API takes integers strictly); anything else
    is left for pydantic to judge and name."""

    def number(value: Any) -> Any:
        text = value.strip() if isinstance(value, str) else value
        return int(text) if isinstance(text, str) and text.isdecimal() and text.isascii() else value

    def opt(key: str) -> Any:
        return number(values[key]) if values[key] else None

    return {
        "name": values["name"],
        "assistantVid": number(values["assistant"]) if values["assistant"] else None,
        "option": {
            "numberFileMeta": meta,
            "numbers": [file.id] if file else [],
            "startDate": values["start_date"],
            "startTime": [w for w in values["windows"] if w[0] or w[1]],
            "weeks": [number(w) for w in values["weeks"]] or None,
            "endDate": opt("end_date"),
            "timeZone": opt("time_zone"),
            "retryCount": opt("retry_count"),
            "retryInterval": opt("retry_interval"),
            "concurrency": opt("concurrency"),
        },
    }


def field_of(wire: str) -> str:
    for key in sorted(_FIELDS, key=len, reverse=True):
        if wire.startswith(key) or wire == key:
            return _FIELDS[key]
    return "form"


def message_field(message: str) -> str:
    """The form field an API error message is about (by the first wire name it names)."""
    found = [(message.find(k), k) for k in _FIELDS if k in message and k != "name"]
    return _FIELDS[min(found)[1]] if found else "form"


def _validate(values, file, meta) -> tuple[TaskCreate | None, dict[str, str]]:
    try:
        return TaskCreate.model_validate(_body(values, file, meta)), {}
    except ValidationError as e:
        errors: dict[str, str] = {}
        for err in e.errors(include_url=False):
            wire = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
            errors.setdefault(field_of(wire), err["msg"])
        return None, errors


@router.post("/tasks/new/check")
async def check_task(request: Request, user: Operator) -> Response:
    return await _submit(request, user, create=False)


@router.post("/tasks/new")
async def create_task(request: Request, user: Operator) -> Response:
    return await _submit(request, user, create=True)


async def _submit(request: Request, user, *, create: bool) -> Response:
    form = await request.form()
    values, file_id, roles = _read_form(form, user)
    if file_id is None:  # nothing to read: the form again, with what is missing
        return await run_in_threadpool(_run, request, user, values, file_id, roles, create)
    return await file_pool(request).run(_run, request, user, values, file_id, roles, create)


def _run(request, user, values, file_id, roles, create: bool) -> Response:
    state = app_state(request)
    with state.db.session() as s:
        file = s.get(NumberFile, file_id) if file_id else None
        if file is not None and file.workspace_id != user.workspace_id:
            file = None
        roles = roles[: len(file.columns)] if file else []
        meta = _meta(file.columns, roles) if file else {}
    body, errors = _validate(values, file, meta)
    if file is None and not errors:
        errors["file"] = "upload a number file first"
    check = None
    if body is not None and not errors:
        option = body.option.model_dump(exclude_none=True)
        try:
            if create:
                task_id = create_task_in_batches(
                    state.db,
                    workspace_id=user.workspace_id,
                    time_zone=user.time_zone,
                    name=body.name,
                    assistant_id=body.assistantId,
                    assistant_vid=body.assistantVid,
                    option=option,
                    normalizer=state.normalizer,
                    limits=import_limits(state),
                )
                return redirect(request, f"/tasks/{task_id}")
            check = _check(state, user, body, option)
        except VoxdialError as e:
            errors[message_field(e.message)] = e.message
    with state.db.session() as s:
        file = s.get(NumberFile, file_id) if file is not None else None
        ctx = _context(s, user, values=values, file=file, roles=roles, errors=errors, check=check)
    return render(request, "_new_form.html", ctx, user=user)


def _check(state, user, body: TaskCreate, option: dict[str, Any]) -> dict[str, Any]:
    """What creating the task would give, written nowhere: the creation's checks (the
    task row is built, never flushed), then the files' rows counted as the import would."""
    limits = import_limits(state)
    with state.db.session() as s, s.no_autoflush:
        task, files, columns = repo.new_task(
            s,
            workspace_id=user.workspace_id,
            time_zone=user.time_zone,
            name=body.name,
            assistant_id=body.assistantId,
            assistant_vid=body.assistantVid,
            option=option,
            limits=limits,
        )
        s.expunge(task)  # never flushed: nothing of it is written
        sources = [(nf.id, nf.kind, nf.encoding) for nf in files]
        s.rollback()
    total = RowCheck()
    if columns is None:
        return _shown(total)
    with state.db.engine.connect() as conn:
        blocking = has_blocklist(conn, workspace_id=user.workspace_id)
    for source in sources:
        one = _check_file(
            state, user, source, columns, blocked=blocking, max_columns=limits.max_columns
        )
        total.valid += one.valid
        total.invalid += one.invalid
        total.duplicate += one.duplicate
        total.blocked += one.blocked
        total.first_rejects += one.first_rejects[: FIRST_REJECTS - len(total.first_rejects)]
    return _shown(total)


def _check_file(
    state,
    user,
    source: tuple[int, str, str | None],
    columns: ColumnMap,
    *,
    blocked: bool,
    max_columns: int,
) -> RowCheck:
    """One file's rows counted (its bytes copied out first, as the import reads them)."""
    file_id, kind, encoding = source

    def lookup(phones: list[str]) -> set[str]:
        # a read of its own per batch: no transaction stays open while rows are parsed
        with state.db.engine.connect() as conn:
            return blocked_among(conn, workspace_id=user.workspace_id, phones=phones)

    with state.db.session() as s:
        fp = numberfiles.copy_out(s, file_id)
    with fp:
        rows = iter_rows(fp, kind=kind, encoding=encoding, max_columns=max_columns)
        try:
            return check_rows(
                rows,
                columns=columns,
                normalizer=state.normalizer,
                blocked=lookup if blocked else None,
            )
        finally:
            rows.close()


def _shown(c: RowCheck) -> dict[str, Any]:
    return {
        "valid": c.valid,
        "invalid": c.invalid,
        "duplicate": c.duplicate,
        "blocked": c.blocked,
        "rejects": [
            {"row": r.row, "value": r.value, "reason": r.reason, "detail": r.detail}
            for r in c.first_rejects
        ],
    }
