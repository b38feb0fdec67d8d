"""Number files (CSV, XLSX): upload once, use in one or more tasks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.datastructures import UploadFile

from voxdial.api import render
from voxdial.api.deps import AppState, PrincipalDep, SessionDep, StateDep
from voxdial.api.routes.paging import PagingDep, PathId
from voxdial.api.schemas import NumberFilePublic, Page
from voxdial.errors import BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType
from voxdial.numbers.importer import ImportLimits
from voxdial.numbers.pool import FilePool
from voxdial.numbers.reader import Limits, inspect_file
from voxdial.store import numberfiles as repo
from voxdial.store.models import NumberFile
from voxdial.store.tokens import Principal

router = APIRouter(tags=["number files"])

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
    }
}


def _public(nf: NumberFile, tz: str) -> dict[str, Any]:
    return {
        "id": nf.id,
        "name": nf.name,
        "rows": nf.rows,
        "columns": nf.columns,
        "preview": nf.preview,
        "createdAt": render.ts(nf.created_at, tz),
        "kind": nf.kind,
        "encoding": nf.encoding,
        "size": nf.size,
    }


def file_pool(request: Request) -> FilePool:
    """The app's threads for reading number files (`numbers/pool.py`), made on first
    use from its settings. Called on the event loop only."""
    pool = getattr(request.app.state, "voxdial_files", None)
    if pool is None:
        settings = request.app.state.voxdial.settings
        pool = FilePool(threads=settings.file_threads, queue=settings.file_queue)
        request.app.state.voxdial_files = pool
    return pool


def import_limits(state: AppState) -> ImportLimits:
    settings = state.settings
    return ImportLimits(
        max_request_rows=settings.max_request_rows,
        max_task_rows=settings.max_task_rows,
        max_columns=settings.max_file_columns,
    )


async def receive_upload(request: Request, p: Principal, state: AppState) -> NumberFile:
    """Read the multipart `file`, check it (on the file pool: 503 when it is full), and
    store it. Shared with task number adds."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UnsupportedMediaType("upload the file as multipart/form-data in the field 'file'")
    try:
        form = await request.form(max_files=1, max_fields=10)
    except Exception as e:  # the multipart parser's errors are all bad input
        raise BadRequest(f"the multipart body cannot be parsed: {type(e).__name__}") from e
    try:  # close the form (its spooled files) on every path, errors included
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest("the multipart body has no file in the field 'file'")
        return await file_pool(request).run(_store_upload, upload, p, state)
    finally:
        await form.close()


def _store_upload(upload: UploadFile, p: Principal, state: AppState) -> NumberFile:
    settings = state.settings
    fp = upload.file
    fp.seek(0, 2)
    size = fp.tell()
    fp.seek(0)
    if size > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"the file is {size} bytes, over the limit of {settings.max_upload_bytes} bytes"
        )
    name = (upload.filename or "numbers.csv").replace("\\", "/").rsplit("/", 1)[-1][:255]
    name = "".join(c for c in name if c.isprintable()) or "numbers.csv"  # no NUL, no newlines
    info = inspect_file(
        fp,
        filename=name,
        limits=Limits(
            max_rows=settings.max_file_rows,
            max_xlsx_uncompressed_bytes=settings.max_xlsx_uncompressed_bytes,
            max_xlsx_ratio=settings.max_xlsx_ratio,
            max_columns=settings.max_file_columns,
        ),
    )
    with state.db.session() as s:
        nf = repo.save(s, workspace_id=p.workspace_id, name=name, fp=fp, size=size, info=info)
        s.commit()
    return nf


@router.post(
    "/numberfiles", status_code=201, response_model=NumberFilePublic, openapi_extra=UPLOAD_BODY
)
async def upload_number_file(request: Request, p: PrincipalDep, state: StateDep) -> Any:
    """Upload a CSV (UTF-8 or GBK) or XLSX number file; row 1 names the columns."""
    nf = await receive_upload(request, p, state)
    return _public(nf, p.time_zone)


@router.get("/numberfiles", response_model=Page[NumberFilePublic])
def list_number_files(p: PrincipalDep, s: SessionDep, page: PagingDep) -> Any:
    """Uploaded number files, newest first."""
    where = NumberFile.workspace_id == p.workspace_id
    total = s.execute(select(func.count()).select_from(NumberFile).where(where)).scalar_one()
    files = s.execute(
        select(NumberFile)
        .where(where)
        .order_by(NumberFile.id.desc())
        .offset(page.offset)
        .limit(page.size)
    ).scalars()
    return page.page([_public(f, p.time_zone) for f in files], total)


@router.get("/numberfiles/{fileId}", response_model=NumberFilePublic)
def read_number_file(fileId: PathId, p: PrincipalDep, s: SessionDep) -> Any:
    """One number file: its columns, row count and first rows."""
    nf = s.get(NumberFile, fileId)
    if nf is None or nf.workspace_id != p.workspace_id:
        raise NotFound(f"number file {fileId} not found")
    return _public(nf, p.time_zone)


@router.delete("/numberfiles/{fileId}", status_code=204)
def delete_number_file(fileId: PathId, p: PrincipalDep, s: SessionDep) -> None:
    """Delete a number file and its bytes. Allowed while tasks use it: a task copied its
    rows when they were imported and keeps them; its option.numbers and its numbers'
    and rejects' fileId keep naming the deleted file."""
    nf = s.get(NumberFile, fileId)
    if nf is None or nf.workspace_id != p.workspace_id:
        raise NotFound(f"number file {fileId} not found")
    repo.delete(s, nf.id)
    s.commit()
