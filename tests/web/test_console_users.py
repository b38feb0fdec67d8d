"""Console users from the shell and on first start: `voxdial user create / password`
and the first admin that `serve` makes when nobody can sign in."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from voxdial.cli import app as cli_app
from voxdial.settings import Settings, get_settings
from voxdial.store.db import Database
from voxdial.store.users import find_login, verify_password
from voxdial.web.bootstrap import first_admin

VOXDIAL = str(Path(sys.executable).parent / "voxdial")


def run(*args: str, env: dict[str, str], stdin: str | None = None):
    return subprocess.run(
        [VOXDIAL, *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def invoke(*args: str, env: dict[str, str], stdin: str | None = None):
    """The same command in this process (Typer's runner): what it prints and its exit
    code, without the seconds a fresh interpreter takes to import voxdial."""
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli_app, list(args), input=stdin, env=env)
    finally:
        get_settings.cache_clear()


def test_first_admin_once_with_its_password_in_a_0600_file(sqlite_url, tmp_path):
    settings = Settings(database_url=sqlite_url, data_dir=tmp_path / "data")
    password = first_admin(settings)
    assert password and len(password) >= 16
    path = tmp_path / "data" / "admin-password"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == password
    assert first_admin(settings) is None  # someone can sign in now
    db = Database(sqlite_url)
    with db.session() as s:
        user = find_login(s, "admin@localhost")
        assert user is not None and user.role == "admin"
        assert verify_password(user.password_hash, password)
    db.dispose()


def test_user_create_and_password_from_the_shell(sqlite_url, tmp_path):
    env = {"VOXDIAL_DATABASE_URL": sqlite_url, "VOXDIAL_DATA_DIR": str(tmp_path / "data")}
    r = run(
        "user",
        "create",
        "--workspace",
        "acme",
        "--email",
        "Ops@Acme.test",
        "--role",
        "viewer",
        env=env,
        stdin="typed password 1\n",
    )
    assert r.returncode == 0, r.stderr
    assert "typed password 1" not in r.stdout  # a password given is not echoed
    # the installed command ran above; the other cases run the same app in process
    again = invoke(
        "user",
        "create",
        "--workspace",
        "acme",
        "--email",
        "ops@acme.test",
        env=env,
        stdin="another password\n",
    )
    assert again.exit_code == 1 and "already signs in" in again.stderr
    bad = invoke(
        "user",
        "create",
        "--workspace",
        "acme",
        "--email",
        "x@acme.test",
        "--role",
        "boss",
        env=env,
        stdin="typed password 1\n",
    )
    assert bad.exit_code == 2
    r = invoke("user", "password", "ops@acme.test", "--generate", env=env)
    assert r.exit_code == 0, r.output
    generated = r.stdout.strip().rsplit(" ", 1)[-1]
    db = Database(sqlite_url)
    with db.session() as s:
        user = find_login(s, "ops@acme.test")
        assert user.role == "viewer"
        assert verify_password(user.password_hash, generated)
        assert not verify_password(user.password_hash, "typed password 1")
    db.dispose()
    short = invoke("user", "password", "ops@acme.test", env=env, stdin="short\n")
    assert short.exit_code == 1 and "at least 8" in short.stderr
    missing = invoke("user", "password", "nobody@acme.test", env=env, stdin="long enough 1\n")
    assert missing.exit_code == 1
