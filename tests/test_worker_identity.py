"""A worker's name across its restarts (voxdial.dialer.identity): one process per name
and machine, the next start after a death (kill -9 included) takes the same name with
the next generation, and processes side by side take slots of the name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from voxdial.cli import app as cli_app
from voxdial.dialer import identity as identity_module
from voxdial.dialer.identity import hold_identity
from voxdial.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[1]


def test_side_by_side_processes_take_slots_and_a_restart_its_own(tmp_path):
    first = hold_identity(tmp_path, "w")
    second = hold_identity(tmp_path, "w")
    assert (first.identity.name, first.identity.generation) == ("w", 1)
    assert (second.identity.name, second.identity.generation) == ("w-2", 1)
    first.release()
    again = hold_identity(tmp_path, "w")
    assert (again.identity.name, again.identity.generation) == ("w", 2)
    second.release()
    again.release()
    with hold_identity(tmp_path, "w") as held:
        assert (held.identity.name, held.identity.generation) == ("w", 3)


def test_a_killed_process_leaves_its_name_to_the_next_start(tmp_path):
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from voxdial.dialer.identity import hold_identity\n"
        f"held = hold_identity(Path({str(tmp_path)!r}), 'w')\n"
        "print(held.identity.name, held.identity.generation, flush=True)\n"
        "sys.stdin.read()\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().split() == ["w", "1"]
        with hold_identity(tmp_path, "w") as beside:  # the name is taken while it lives
            assert beside.identity.name == "w-2"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdin.close()
        proc.stdout.close()
    with hold_identity(tmp_path, "w") as after:
        assert (after.identity.name, after.identity.generation) == ("w", 2)


@pytest.mark.parametrize(
    "host, want",
    [
        ("dialer-1.example.net", "dialer-1.example.net"),
        ("my host", "my-host"),
        ("-odd_", "odd"),
        ("x" * 80, "x" * 50),
        ("", "worker"),
        ("???", "worker"),
    ],
)
def test_the_default_name_is_the_host_name(tmp_path, monkeypatch, host, want):
    monkeypatch.setattr(identity_module.socket, "gethostname", lambda: host)
    with hold_identity(tmp_path) as held:
        assert held.identity.name == want
        assert (tmp_path / "workers" / f"{want}.lock").read_text().strip() == "1"


@pytest.mark.parametrize("name", ["a b", "-w", "../w", "w/x", "x" * 51, "ü"])
def test_a_name_that_cannot_be_one_is_refused(tmp_path, name):
    with pytest.raises(ValueError, match="worker name"):
        hold_identity(tmp_path, name)
    with pytest.raises(ValidationError, match="worker_name"):
        Settings(worker_name=name)
    assert not (tmp_path / "workers").exists()


def test_worker_command_refuses_a_bad_name(tmp_path):
    # the command's own code, run in this process (Typer's runner): a fresh interpreter
    # would spend seconds importing voxdial to print one usage error
    env = {
        "VOXDIAL_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
        "VOXDIAL_DATA_DIR": str(tmp_path / "data"),
    }
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(cli_app, ["worker", "--name", "a b"], env=env)
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 2
    assert "--name" in done.stderr
    assert not (tmp_path / "w.db").exists()  # refused before touching the database
