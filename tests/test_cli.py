"""The `voxdial` command as an operator runs it: a real process each time."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from voxdial.cli import bootstrap
from voxdial.settings import Settings

VOXDIAL = str(Path(sys.executable).parent / "voxdial")


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [VOXDIAL, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def cli_env(tmp_path) -> dict[str, str]:
    return {
        "VOXDIAL_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "VOXDIAL_DATA_DIR": str(tmp_path / "data"),
        "VOXDIAL_TOKEN_CACHE_SECONDS": "0",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_bootstraps_a_token_once_and_answers_with_it(tmp_path, cli_env):
    port = _free_port()
    env = {**os.environ, **cli_env}
    proc = subprocess.Popen(
        [VOXDIAL, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("voxdial serve did not come up")
        token_file = Path(cli_env["VOXDIAL_DATA_DIR"]) / "token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        ok = httpx.get(f"{base}/openapi/tasks", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json()["total"] == 0
        bad = httpx.get(f"{base}/openapi/tasks", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    # not a terminal: the token is not printed, and the log says where it is
    assert token not in out and token.split("_", 2)[2] not in out
    assert f"path={token_file}" in out


def test_the_first_token_is_shown_on_a_terminal_only(tmp_path, capsys, caplog):
    from voxdial.cli import announce_token

    settings = Settings(data_dir=tmp_path / "data")
    token = "vxd_ABCDEFGHIJ_" + "t0k3n" * 8
    caplog.set_level("INFO", logger="voxdial.cli")
    announce_token(settings, token, terminal=True)
    shown = capsys.readouterr().out
    assert shown.count(token) == 2  # the banner line and the curl hint
    assert str(tmp_path / "data" / "token") in shown
    assert not caplog.records  # nothing of it in the log

    announce_token(settings, token, terminal=False)
    assert token not in capsys.readouterr().out
    (record,) = caplog.records
    assert record.path == str(tmp_path / "data" / "token")
    assert token not in record.getMessage()


def test_bootstrap_happens_only_on_an_empty_database(tmp_path):
    from voxdial.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'b.db'}"
    upgrade(url)
    settings = Settings(database_url=url, data_dir=tmp_path / "data")
    first = bootstrap(settings)
    assert first and first.startswith("vxd_")
    assert bootstrap(settings) is None
    assert (tmp_path / "data" / "token").read_text().strip() == first


@pytest.mark.slow
def test_token_create_and_revoke(cli_env):
    created = run("token", "create", "--workspace", "acme", "--email", "a@acme.test", env=cli_env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("vxd_")

    from fastapi.testclient import TestClient

    from voxdial.api.app import create_app

    settings = Settings(
        database_url=cli_env["VOXDIAL_DATABASE_URL"],
        token_cache_seconds=0,
        data_dir=Path(cli_env["VOXDIAL_DATA_DIR"]),
    )
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/openapi/tasks", headers=headers).status_code == 200
        prefix = token.split("_")[1]
        revoked = run("token", "revoke", prefix, env=cli_env)
        assert revoked.returncode == 0, revoked.stderr
        r = client.get("/openapi/tasks", headers=headers)
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "unauthorized"
    again = run("token", "revoke", prefix, env=cli_env)
    assert again.returncode == 1


@pytest.mark.slow
def test_token_create_in_a_second_workspace_sees_nothing_of_the_first(cli_env):
    a = run("token", "create", "--workspace", "a", env=cli_env).stdout.strip()
    b = run("token", "create", "--workspace", "b", env=cli_env).stdout.strip()
    from fastapi.testclient import TestClient

    from voxdial.api.app import create_app

    settings = Settings(database_url=cli_env["VOXDIAL_DATABASE_URL"], token_cache_seconds=0)
    with TestClient(create_app(settings)) as client:
        r = client.post(
            "/openapi/assistants", json={"name": "x"}, headers={"Authorization": f"Bearer {a}"}
        )
        assert r.status_code == 201
        aid = r.json()["id"]
        other = client.get(f"/openapi/assistants/{aid}", headers={"Authorization": f"Bearer {b}"})
        assert other.status_code == 404


@pytest.mark.slow
def test_migrate_is_idempotent(cli_env):
    assert run("migrate", env=cli_env).returncode == 0
    assert run("migrate", env=cli_env).returncode == 0


@pytest.mark.slow
def test_worker_serves_its_metrics_on_loopback_when_asked(tmp_path, cli_env):
    port = _free_port()
    proc = subprocess.Popen(
        [VOXDIAL, "worker", "--metrics-port", str(port)],
        env={**os.environ, **cli_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # the server starts before the dialer opens its database, and the backlog is
        # reported only once it has: wait for that scrape, not merely the first one
        deadline = time.monotonic() + 30
        r = None
        while time.monotonic() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1)
                if "voxdial_webhook_backlog" in r.text:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "the worker exited"
            time.sleep(0.2)
        assert r is not None, "the worker's metrics did not come up"
        assert r.status_code == 200
        assert "# TYPE voxdial_dial_attempts_total counter" in r.text
        assert "voxdial_webhook_backlog 0.0" in r.text  # counted in its own database
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert f"worker metrics at http://127.0.0.1:{port}/metrics" in out
