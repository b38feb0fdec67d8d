"""A task's results as CSV or XLSX: one row per number with its variables, attempts,
state, last outcome, the collected answers, intent and summary of its last call.

Any cell that a spreadsheet would read as a formula gets a leading `'`
(`numbers.export.neutralise_cell`), so opening the file runs nothing. Rows
are read in batches by id, so memory stays flat however large the task.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator

from fastapi import Response
from fastapi.responses import FileResponse, StreamingResponse
from sqlalchemy import select
from starlette.background import BackgroundTask

from voxdial.api.deps import AppState
from voxdial.numbers.export import neutralise_cell as neutralise
from voxdial.numbers.importer import NAME_KEY, NOTE_KEY, PHONE_KEY
from voxdial.store import tasks as repo
from voxdial.store.models import AssistantVersion, Call, TaskNumber
from voxdial.store.users import SignedIn

BATCH = 1000


def _header(variables: list[str], questions: list[str]) -> list[str]:
    return [
        PHONE_KEY,
        NAME_KEY,
        NOTE_KEY,
        *variables,
        "attempts",
        "state",
        "last_outcome",
        *questions,
        "intent",
        "summary",
    ]


def rows(state: AppState, user: SignedIn, *, task_id: int) -> Iterator[list[str]]:
    """The header, then one row per number (each cell neutralised)."""
    with state.db.session() as s:
        task = repo.get_task(s, workspace_id=user.workspace_id, task_id=task_id)
        version = s.get(AssistantVersion, task.assistant_vid)
        questions = [c["question"] for c in (version.config["collect"] if version else [])]
        variables = [
            k
            for k in task.option.get("numberFileMeta", {})
            if k not in (PHONE_KEY, NAME_KEY, NOTE_KEY)
        ]
        yield [neutralise(h) for h in _header(variables, questions)]
        last = 0
        while True:
            batch = s.execute(
                select(TaskNumber, Call.intent_level, Call.summary)
                .outerjoin(Call, Call.id == TaskNumber.last_call_id)
                .where(TaskNumber.task_id == task.id, TaskNumber.id > last)
                .order_by(TaskNumber.id)
                .limit(BATCH)
            ).all()
            if not batch:
                return
            for n, intent, summary in batch:
                answers = {c.get("question"): c.get("result", "") for c in (n.collected or [])}
                values = n.variables or {}
                yield [
                    neutralise(v)
                    for v in (
                        n.phone,
                        n.name,
                        n.note,
                        *(values.get(k, "") for k in variables),
                        n.attempts,
                        n.state,
                        n.last_outcome or "",
                        *(answers.get(q, "") for q in questions),
                        intent or "",
                        summary or "",
                    )
                ]
            last = batch[-1][0].id


def respond(state: AppState, user: SignedIn, *, task_id: int, fmt: str) -> Response:
    it = rows(state, user, task_id=task_id)
    header = next(it)  # a missing task is a 404 before anything is sent
    name = f"task-{task_id}-results.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return StreamingResponse(
            _csv([header], it), media_type="text/csv; charset=utf-8", headers=disposition
        )
    return _xlsx(header, it, name)


def _csv(first: list[list[str]], rest: Iterator[list[str]]) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    yield "\ufeff".encode()  # a BOM: spreadsheets then read the UTF-8 (Chinese) right
    for group in (first, rest):
        for row in group:
            writer.writerow(row)
            if buf.tell() > 64 * 1024:
                yield buf.getvalue().encode()
                buf.seek(0)
                buf.truncate()
    yield buf.getvalue().encode()


def _xlsx(header: list[str], rest: Iterator[list[str]], name: str) -> Response:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("results")
    ws.append(header)
    for row in rest:
        ws.append(row)
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    wb.save(path)
    return FileResponse(
        path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=name,
        background=BackgroundTask(os.unlink, path),
    )
