"""`voxdial user create` and `voxdial user password`: console users from the shell."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from voxdial.errors import VoxdialError
from voxdial.settings import get_settings
from voxdial.store.users import Role

app = typer.Typer(
    help="Manage console users (sign-in with e-mail and password).", no_args_is_help=True
)


def _read_password(generate: bool) -> tuple[str, bool]:
    """The password from standard input (its first line), or a generated one when
    stdin is a terminal or empty. Returns it and whether it was generated."""
    from voxdial.store.users import generate_password

    if not generate and not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if line:
            return line, False
    return generate_password(), True


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@app.command("create")
def create(
    workspace: Annotated[str, typer.Option(help="Workspace name; created if missing.")],
    email: Annotated[str, typer.Option(help="The e-mail address the user signs in with.")],
    role: Annotated[Role, typer.Option(help="admin, operator or viewer.")] = Role.OPERATOR,
    generate: Annotated[
        bool, typer.Option("--generate", help="Generate the password even if stdin has one.")
    ] = False,
) -> None:
    """Create a console user. The password is read from stdin, or generated and printed once."""
    from voxdial.store.db import Database
    from voxdial.store.migrate import migrate  # Alembic: loaded when a command runs
    from voxdial.store.tokens import get_or_create_workspace
    from voxdial.store.users import create_user, normalize_email

    settings = get_settings()
    if not workspace.strip() or len(workspace) > 100:
        _fail("--workspace: give a name of 1 to 100 characters", 2)
    password, generated = _read_password(generate)
    migrate(settings.database_url)
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            address = normalize_email(email)
            ws, _ = get_or_create_workspace(
                s, name=workspace.strip(), email=address, time_zone=settings.default_time_zone
            )
            create_user(s, workspace=ws, email=address, role=role, password=password)
            s.commit()
    except VoxdialError as e:
        _fail(e.message)
    finally:
        db.dispose()
    typer.echo(f"created {address} ({role}) in workspace {workspace.strip()!r}")
    if generated:
        typer.echo(f"password (shown once): {password}")


@app.command("password")
def password(
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    workspace: Annotated[
        str | None, typer.Option(help="Needed only when the address is in several workspaces.")
    ] = None,
    generate: Annotated[
        bool, typer.Option("--generate", help="Generate the password even if stdin has one.")
    ] = False,
) -> None:
    """Set a user's password (stdin, or generated and printed once); their sessions end."""
    from sqlalchemy import func, select

    from voxdial.store.db import Database
    from voxdial.store.migrate import migrate  # Alembic: loaded when a command runs
    from voxdial.store.models import User, Workspace
    from voxdial.store.users import find_login, set_password

    settings = get_settings()
    new, generated = _read_password(generate)
    migrate(settings.database_url)
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            user = find_login(s, email)
            if user is None:  # a token-only user gets their first password
                q = select(User).where(func.lower(User.email) == email.strip().lower())
                if workspace:
                    q = q.join(Workspace, Workspace.id == User.workspace_id).where(
                        Workspace.name == workspace
                    )
                users = s.execute(q).scalars().all()
                if not users:
                    _fail(f"no user {email.strip()!r}")
                if len(users) > 1:
                    _fail(f"{email.strip()!r} is in several workspaces: give --workspace")
                user = users[0]
            elif workspace and s.get(Workspace, user.workspace_id).name != workspace:
                _fail(f"{email.strip()!r} is not in workspace {workspace!r}")
            set_password(s, user, new)
            s.commit()
    except VoxdialError as e:
        _fail(e.message)
    finally:
        db.dispose()
    typer.echo(f"password changed for {email.strip()}; their console sessions have ended")
    if generated:
        typer.echo(f"password (shown once): {new}")
