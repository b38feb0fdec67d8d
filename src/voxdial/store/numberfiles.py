"""Uploaded number files: kept in the database in chunks, so any API process can read
any file, and read back to a temporary file for parsing."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from sqlalchemy import delete as sa_delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from voxdial.errors import Unprocessable
from voxdial.numbers.reader import FileInfo
from voxdial.store.models import NumberFile, NumberFileChunk

CHUNK = 1 << 20


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
