"""The first console user: on a database where nobody can sign in yet, `voxdial serve`
makes `admin@localhost` an admin of workspace `default` with a random password, shows
it once and keeps a copy in `<data_dir>/admin-password` (mode 0600)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from voxdial.settings import Settings
from voxdial.store.db import Database
from voxdial.store.tokens import get_or_create_workspace
from voxdial.store.users import Role, any_login, create_user, generate_password

ADMIN_EMAIL = "admin@localhost"
WORKSPACE = "default"

log = logging.getLogger("voxdial.web")


def first_admin(settings: Settings) -> str | None:
    """Create the first admin while no user has a password; returns the password, or
    None when someone can already sign in."""
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            if any_login(s):
                return None
            ws, _ = get_or_create_workspace(
                s, name=WORKSPACE, email=ADMIN_EMAIL, time_zone=settings.default_time_zone
            )
            password = generate_password()
            create_user(s, workspace=ws, email=ADMIN_EMAIL, role=Role.ADMIN, password=password)
            s.commit()
    finally:
        db.dispose()
    write_secret(settings, "admin-password", password)
    return password


def write_secret(settings: Settings, name: str, value: str) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    os.chmod(path, 0o600)


def announce_first_admin(
    settings: Settings, *, terminal: bool, echo: Callable[[str], object] = print
) -> None:
    """`first_admin`, and say so once: the password on a terminal only; elsewhere (a
    service's captured output) only where its file is."""
    password = first_admin(settings)
    if password is None:
        return
    if not terminal:
        log.info(
            "created the console user admin@localhost; its password is in a file",
            extra={"path": str(settings.data_dir / "admin-password")},
        )
        return
    echo("First start: created the console user admin@localhost (admin of 'default'):")
    echo(f"\n    password: {password}\n")
    echo(
        f"It is shown once; a copy is in {settings.data_dir / 'admin-password'} (mode 0600). "
        f"Sign in at {settings.base_url()}/login"
    )
