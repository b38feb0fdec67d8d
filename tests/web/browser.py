"""What the console's browser tests share: Debian's chromium and its flags, a real
`voxdial serve` on 127.0.0.1 (SQLite, the sim carrier) with its first admin's password,
a watch on what a page did wrong, and screenshots to tests/screenshots/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
VOXDIAL = str(Path(sys.executable).parent / "voxdial")


def need_browser() -> None:
    """Skip (or fail, with VOXDIAL_REQUIRE_BROWSER=1) without chromium and Playwright."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("VOXDIAL_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "chromium is required (VOXDIAL_REQUIRE_BROWSER=1): apt-get install chromium"
            )
        pytest.skip("Debian's chromium is not installed")
    pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(tmp: Path, **env: str) -> Iterator[dict]:
    """`voxdial serve` on a free port with a fresh database under `tmp`; yields its
    `base` URL, the first admin's `password`, `tmp` and `port`. `env` adds settings."""
    port = _free_port()
    environ = {
        **os.environ,
        "VOXDIAL_DATABASE_URL": f"sqlite:///{tmp / 'console.db'}",
        "VOXDIAL_DATA_DIR": str(tmp / "data"),
        "VOXDIAL_VOICE_WARM": "false",
        "VOXDIAL_RATE_LIMIT_PER_SECOND": "0",
        **env,
    }
    log = open(tmp / "serve.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [VOXDIAL, "serve", "--port", str(port)], env=environ, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("voxdial serve did not come up: " + (tmp / "serve.log").read_text())
            time.sleep(0.2)
        password = (tmp / "data" / "admin-password").read_text().strip()
        yield {"base": base, "password": password, "tmp": tmp, "port": port}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


class Watch:
    """What a page did wrong: console errors, page errors, dialogs, foreign requests."""

    def __init__(self, page, base: str) -> None:
        self.problems: list[str] = []
        origin = urlsplit(base).netloc
        page.on(
            "console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}")
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

        def dialog(d) -> None:
            self.problems.append(f"dialog: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)

        def request(r) -> None:
            parts = urlsplit(r.url)
            if parts.scheme in ("data", "blob"):
                return
            if parts.netloc != origin:
                self.problems.append(f"request to another host: {r.url}")

        page.on("request", request)

        def websocket(ws) -> None:
            if urlsplit(ws.url).netloc != origin:
                self.problems.append(f"websocket to another host: {ws.url}")

        page.on("websocket", websocket)

    def check(self, where: str) -> None:
        assert not self.problems, f"{where}: {self.problems}"


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, server: dict) -> None:
    from playwright.sync_api import expect

    page.goto(server["base"] + "/login")
    page.get_by_label("E-mail").fill("admin@localhost")
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()


def signed_in(p, server: dict, *, height: int = 800):
    """(browser, page, watch): Debian's chromium at 1280 x `height`, English, the first
    admin signed in, a watch on the page. The caller closes the browser."""
    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    context = browser.new_context(viewport={"width": 1280, "height": height}, locale="en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    watch = Watch(page, server["base"])
    sign_in(page, server)
    return browser, page, watch


def new_assistant(page, server: dict, *, name: str, welcome: str) -> None:
    """Create an assistant through the editor's form; the page is then its editor."""
    from playwright.sync_api import expect

    page.goto(server["base"] + "/assistants/new")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("textbox", name="Welcome", exact=True).fill(welcome)
    page.get_by_role("button", name="Create assistant").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
