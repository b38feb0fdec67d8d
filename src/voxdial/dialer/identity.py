"""Who a worker is across its restarts: a name it keeps, and a generation that counts
its starts under that name. The leases it takes carry both (dialer/leases.py), so a
worker started again under its name knows at once that the numbers its earlier starts
held are no longer in flight, instead of waiting out their leases.

A name is held by one process per machine at a time: holding it is an exclusive lock
on `<data dir>/workers/<name>.lock`, which also stores the generation. The operating
system drops the lock when the process dies, however it dies (kill -9 included), so the
next start under that name takes it. Processes started side by side (`voxdial serve
--workers N`, several `voxdial worker` on one machine) each take the first free slot of
the name: `<name>`, `<name>-2`, `<name>-3`, ...; a restarted one finds its own slot free
again. The name defaults to the machine's host name (VOXDIAL_WORKER_NAME or `voxdial
worker --name` set it); names must differ between machines sharing a database, which
host names do.
"""

from __future__ import annotations

import fcntl
import os
import re
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}")  # leases' worker_id holds 64
MAX_SLOTS = 64


@dataclass(frozen=True)
class WorkerIdentity:
    name: str
    generation: int  # 1 for the name's first start, one more for each start after


def one_off_identity() -> WorkerIdentity:
    """A name no other start takes (tests, `voxdial simulate`): its leases are only ever
    recovered when they expire."""
    host = _host_name()[:30]
    return WorkerIdentity(f"{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}", 1)


class HeldIdentity:
    """A worker identity and the lock that holds its name; `release()` (or the end of
    the process) frees the name for the next start."""

    def __init__(self, identity: WorkerIdentity, fd: int) -> None:
        self.identity = identity
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file drops the lock
            self._fd = None

    def __enter__(self) -> HeldIdentity:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def hold_identity(data_dir: Path, name: str = "") -> HeldIdentity:
    """Take the first free slot of `name` (the host name when empty) on this machine
    and count one more start of it. Raises ValueError for a name that cannot be one."""
    if name and not NAME.fullmatch(name):
        raise ValueError(
            f"worker name {name!r}: use 1-50 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (VOXDIAL_WORKER_NAME, voxdial worker --name)"
        )
    base = name or _default_name()
    folder = Path(data_dir) / "workers"
    folder.mkdir(parents=True, exist_ok=True)
    for slot in range(1, MAX_SLOTS + 1):
        candidate = base if slot == 1 else f"{base}-{slot}"
        fd = os.open(folder / f"{candidate}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)  # a live process holds this slot
            continue
        try:
            generation = _read_generation(fd) + 1
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{generation}\n".encode(), 0)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        return HeldIdentity(WorkerIdentity(candidate, generation), fd)
    raise ValueError(
        f"worker name {base!r}: all {MAX_SLOTS} slots are held by running processes "
        f"(locks in {folder})"
    )


def _read_generation(fd: int) -> int:
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return int(text) if text.isdigit() else 0


def _host_name() -> str:
    return socket.gethostname() or "worker"


def _default_name() -> str:
    name = re.sub(r"[^A-Za-z0-9._-]", "-", _host_name())[:50].strip("-._")
    return name if name and NAME.fullmatch(name) else "worker"
