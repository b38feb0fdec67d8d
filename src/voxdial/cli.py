"""The `voxdial` command: serve, migrate, token create / revoke."""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy import func, select

from voxdial.settings import Settings, get_settings
from voxdial.voice.answer_detect_cli import answer_detect
from voxdial.web.users_cli import app as user_app

app = typer.Typer(help="voxdial: self-hosted AI outbound calling.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")
app.command("answer-detect")(answer_detect)
console = Console()
err = Console(stderr=True)
log = logging.getLogger("voxdial.cli")


def _migrate(settings: Settings) -> None:
    # Alembic loads only for the commands that touch the database, not for `--help`
    from voxdial.store.migrate import migrate

    migrate(settings.database_url)


def bootstrap(settings: Settings) -> str | None:
    """While no token exists: a `default` workspace and its first token, written to
    `<data_dir>/token` (mode 0600). Returns the token, or None if a token exists."""
    from voxdial.store.db import Database
    from voxdial.store.models import ApiToken
    from voxdial.store.tokens import create_token, get_or_create_workspace

    db = Database(settings.database_url)
    try:
        with db.session() as s:
            if s.execute(select(func.count()).select_from(ApiToken)).scalar_one():
                return None
            ws, user = get_or_create_workspace(
                s, name="default", email="admin@localhost", time_zone=settings.default_time_zone
            )
            token = create_token(s, workspace=ws, user=user)
            s.commit()
    finally:
        db.dispose()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "token"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)
    return token


def announce_token(settings: Settings, token: str, *, terminal: bool) -> None:
    """The first start's token: shown once on a terminal, never in the log (where only
    the token file's path goes)."""
    path = settings.data_dir / "token"
    if terminal:
        typer.echo("First start: created workspace 'default' and an API token:")
        typer.echo(f"\n    {token}\n")
        typer.echo(f"It is shown once; a copy is in {path} (mode 0600).")
        typer.echo(
            f"Try:  curl -H 'Authorization: Bearer {token}' {settings.base_url()}/openapi/tasks"
        )
    else:
        log.info(
            "first start: created workspace 'default' and an API token, in the token file",
            extra={"path": str(path)},
        )


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    settings = get_settings()
    _migrate(settings)
    console.print("[green]database is up to date[/green]")


# `voxdial serve --workers N` hands its API processes the log level through this variable
# (they are fresh interpreters: uvicorn spawns them and they build the app from
# `api_process_app`).
SERVE_LOG_LEVEL_ENV = "VOXDIAL_SERVE_LOG_LEVEL"
# How long uvicorn waits for an API process to answer its health check before it kills
# and replaces it (uvicorn's own default, 5 s, is shorter than an import on a busy host).
WORKER_START_SECONDS = 60


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    log_level: Annotated[str, typer.Option(help="Log level.")] = "info",
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="API processes sharing the port, to use more cores. The dialer still "
            "runs once, in this process; migrations and the first start's token are done "
            "here before the API processes start.",
        ),
    ] = 1,
) -> None:
    """Run the API and the in-process dialer."""
    import threading

    import uvicorn

    from voxdial import logs
    from voxdial.api.app import create_app
    from voxdial.runtime import DialerThread, Runtime

    settings = get_settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    _migrate(settings)
    logs.configure(log_level.upper(), fmt=settings.log_format)
    token = bootstrap(settings)
    if token:
        announce_token(settings, token, terminal=sys.stdout.isatty())
    from voxdial.web.bootstrap import announce_first_admin

    announce_first_admin(settings, terminal=sys.stdout.isatty(), echo=typer.echo)
    shown = f"{workers} API processes" if workers > 1 else "one process"
    console.print(
        f"voxdial listening on http://{settings.host}:{settings.port}  (docs: /docs; {shown})"
    )
    runtime = Runtime(settings)
    dialer = None
    if settings.dialer_enabled:
        dialer = DialerThread(runtime)
        dialer.start()
        console.print(f"dialer running in-process on the {settings.carrier} carrier")
    if settings.carrier == "sip" and settings.sip.accept_calls:
        runtime.answer_calls()  # the bound numbers ring here (raises if SIP cannot start)
        console.print("answering SIP calls to the numbers at /openapi/inbound-numbers")
    # the models this process's speech runs on: the dialer's, and with one process the
    # API's too (API processes of --workers N load theirs when first used)
    if settings.voice_warm and (dialer is not None or workers == 1):
        threading.Thread(target=runtime.warm_voice, daemon=True).start()
    try:
        if workers == 1:
            uvicorn.run(
                create_app(settings, runtime=runtime),
                host=settings.host,
                port=settings.port,
                log_config=None,
                access_log=False,
                log_level=log_level,
            )
        else:
            # The API processes read their settings from the environment, with this
            # command's overrides; uvicorn binds the port here and shares it with them.
            os.environ["VOXDIAL_HOST"] = settings.host
            os.environ["VOXDIAL_PORT"] = str(settings.port)
            os.environ[SERVE_LOG_LEVEL_ENV] = log_level
            uvicorn.run(
                "voxdial.cli:api_process_app",
                factory=True,
                workers=workers,
                # an API process answers uvicorn's health check once its interpreter has
                # imported the app: seconds, more on a loaded machine
                timeout_worker_healthcheck=WORKER_START_SECONDS,
                host=settings.host,
                port=settings.port,
                log_config=None,
                access_log=False,
                log_level=log_level,
            )
    finally:
        if dialer is not None:
            dialer.stop()


def api_process_app() -> Any:
    """The app of one of `voxdial serve --workers N`'s API processes: the API and console
    only. No dialer (the serving process runs the one dialer), no migrations and no
    first-start token (done once, before the API processes start). Nothing else is kept
    per process that another process would need: debug sessions and console sign-ins are
    in the database."""
    from voxdial import logs
    from voxdial.api.app import create_app

    settings = get_settings()
    logs.configure(os.environ.get(SERVE_LOG_LEVEL_ENV, "info").upper(), fmt=settings.log_format)
    return create_app(settings)


@app.command()
def worker(
    log_level: Annotated[str, typer.Option(help="Log level.")] = "info",
    metrics_port: Annotated[
        int, typer.Option(help="Serve this worker's /metrics on this port (0: not served).")
    ] = 0,
    metrics_host: Annotated[
        str, typer.Option(help="The address /metrics listens on (with --metrics-port).")
    ] = "127.0.0.1",
    name: Annotated[
        str | None,
        typer.Option(
            help="The name this worker keeps across restarts (default VOXDIAL_WORKER_NAME, "
            "else the host name): started again under it, it redials its cut calls at once."
        ),
    ] = None,
) -> None:
    """Run only the dialer (scale out: many workers sharing one PostgreSQL database)."""
    import asyncio
    import signal

    from voxdial import logs
    from voxdial.dialer.identity import NAME
    from voxdial.metrics import serve_metrics
    from voxdial.runtime import Runtime

    settings = get_settings()
    if name is not None:
        if not NAME.fullmatch(name):
            raise typer.BadParameter(
                "use 1-50 letters, digits, '.', '_' or '-', starting with a letter or digit",
                param_hint="--name",
            )
        settings.worker_name = name
    _migrate(settings)
    logs.configure(log_level.upper(), fmt=settings.log_format)
    runtime = Runtime(settings)
    server = None
    if metrics_port:
        token = settings.metrics_token.get_secret_value()
        server = serve_metrics(runtime.metrics, host=metrics_host, port=metrics_port, token=token)
        console.print(f"worker metrics at http://{metrics_host}:{server.server_port}/metrics")
        if not token:
            console.print("(loopback clients only: set VOXDIAL_METRICS_TOKEN to scrape from afar)")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await runtime.run_dialer(stop)

    try:
        asyncio.run(main())
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()


@app.command()
def demo(
    numbers: Annotated[
        int, typer.Option(help="How many numbers to call.", min=1, max=100_000)
    ] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the simulated network.")] = 7,
) -> None:
    """Run a demo campaign on the simulated carrier in virtual time."""
    from voxdial.demo import run_demo

    settings = get_settings()
    _migrate(settings)
    run_demo(settings, numbers=numbers, seed=seed, console=console)


@token_app.command("create")
def token_create(
    workspace: Annotated[str, typer.Option(help="Workspace name; created if missing.")],
    email: Annotated[
        str, typer.Option(help="The user's email; created if missing.")
    ] = "admin@localhost",
) -> None:
    """Create a bearer token (printed once)."""
    from voxdial.store.db import Database
    from voxdial.store.tokens import create_token, get_or_create_workspace

    settings = get_settings()
    if not workspace.strip() or len(workspace) > 100:
        err.print("[red]--workspace: give a name of 1 to 100 characters[/red]")
        raise typer.Exit(2)
    _migrate(settings)
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            ws, user = get_or_create_workspace(
                s, name=workspace.strip(), email=email, time_zone=settings.default_time_zone
            )
            token = create_token(s, workspace=ws, user=user)
            s.commit()
    finally:
        db.dispose()
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(prefix: Annotated[str, typer.Argument(help="The token or its prefix.")]) -> None:
    """Revoke a token by its prefix (the 10 characters after `vxd_`)."""
    from voxdial.store.db import Database
    from voxdial.store.tokens import revoke_token

    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            done = revoke_token(s, prefix=prefix)
            s.commit()
    finally:
        db.dispose()
    if not done:
        err.print("[red]no active token with that prefix[/red]")
        raise typer.Exit(1)
    console.print("token revoked")


if __name__ == "__main__":
    app()
