"""Number files. Uploads (csv, xlsx) are kept in the database in chunks, so any API
process can read any file, and read back to a temporary file for parsing.

A task's numbers sent as JSON are listed in its `option.numbers` by a record of kind
`json`: one per task, made at its first JSON batch and grown by the later ones (rows,
the union of the keys as its columns, the first rows as its preview). It holds no bytes:
its rows are in the task already, so no other task may import it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO

from sqlalchemy import delete as sa_delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from voxdial.errors import Unprocessable
from voxdial.numbers.reader import PREVIEW_ROWS, FileInfo
from voxdial.store.models import NumberFile, NumberFileChunk

CHUNK = 1 << 20
JSON_KIND = "json"


def save(
    s: Session, *, workspace_id: int, name: str, fp: IO[bytes], size: int, info: FileInfo
) -> NumberFile:
    nf = NumberFile(
        workspace_id=workspace_id,
        name=name[:255],
        kind=info.kind,
        encoding=info.encoding,
        size=size,
        rows=info.rows,
        columns=info.columns,
        preview=info.preview,
    )
    s.add(nf)
    s.flush()
    fp.seek(0)
    seq = 0
    while chunk := fp.read(CHUNK):
        s.add(NumberFileChunk(file_id=nf.id, seq=seq, data=chunk))
        seq += 1
        if seq % 16 == 0:
            s.flush()
    s.flush()
    return nf


def json_batch_file(s: Session, *, workspace_id: int, listed: Sequence[int]) -> NumberFile | None:
    """The record of the task's JSON numbers among its listed files, if it has one (a
    `json` record is never imported elsewhere, so one listed here is the task's)."""
    if not listed:
        return None
    return s.execute(
        select(NumberFile)
        .where(
            NumberFile.workspace_id == workspace_id,
            NumberFile.id.in_(listed),
            NumberFile.kind == JSON_KIND,
        )
        .order_by(NumberFile.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def record_json_batch(
    s: Session,
    *,
    workspace_id: int,
    task_id: int,
    record: NumberFile | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    max_columns: int,
) -> NumberFile:
    """Count a batch of JSON numbers into the task's `json` record (made if `record` is
    None): its rows, its columns (keys not seen before go at the end, up to
    `max_columns`) and preview."""
    if record is None:
        record = NumberFile(
            workspace_id=workspace_id,
            name=f"task-{task_id}-numbers.json",
            kind=JSON_KIND,
            encoding=None,
            size=0,
            rows=0,
            columns=[],
            preview=[],
        )
        s.add(record)
    seen = set(record.columns)
    known = [*record.columns, *(c for c in columns if c not in seen)][:max_columns]
    record.columns = known
    if len(record.preview) < PREVIEW_ROWS:
        taken = rows[: PREVIEW_ROWS - len(record.preview)]
        cells = [dict(zip(columns, r, strict=False)) for r in taken]
        record.preview = [*record.preview, *([c.get(k, "") for k in known] for c in cells)]
    record.rows += len(rows)
    s.flush()
    return record


def get_many(s: Session, *, workspace_id: int, ids: list[int]) -> list[NumberFile]:
    files = {
        f.id: f
        for f in s.execute(
            select(NumberFile).where(
                NumberFile.workspace_id == workspace_id, NumberFile.id.in_(ids)
            )
        ).scalars()
    }
    missing = [i for i in ids if i not in files]
    if missing:
        raise Unprocessable(
            f"option.numbers: no number file with id {', '.join(map(str, missing))}; "
            "upload it with POST /openapi/numberfiles"
        )
    sent_as_json = [i for i in ids if files[i].kind == JSON_KIND]
    if sent_as_json:
        raise Unprocessable(
            f"option.numbers: number file {', '.join(map(str, sent_as_json))} lists numbers "
            "sent as JSON to a task, not an upload; upload a file or send the numbers again"
        )
    return [files[i] for i in ids]


def delete(s: Session, file_id: int) -> None:
    """Remove a file and its bytes (one stored by a request that then failed)."""
    s.execute(sa_delete(NumberFileChunk).where(NumberFileChunk.file_id == file_id))
    s.execute(sa_delete(NumberFile).where(NumberFile.id == file_id))


@contextmanager
def open_copy(s: Session, file_id: int) -> Iterator[IO[bytes]]:
    """A temporary on-disk copy of the file (read chunk by chunk from the database)."""
    with copy_out(s, file_id) as tmp:
        yield tmp


def copy_out(s: Session, file_id: int) -> IO[bytes]:
    """The file's bytes in a new temporary file (closing it deletes it): once copied,
    the session is free to end while the copy is read."""
    tmp = tempfile.TemporaryFile()
    try:
        last = -1
        while True:
            chunk = s.execute(
                select(NumberFileChunk.seq, NumberFileChunk.data)
                .where(NumberFileChunk.file_id == file_id, NumberFileChunk.seq > last)
                .order_by(NumberFileChunk.seq)
                .limit(1)
            ).first()
            if chunk is None:
                break
            last = chunk.seq
            tmp.write(chunk.data)
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    return tmp
