"""Transfers and keys in the console, in Chromium (Debian's package, headless) against a
real `voxdial serve`: an operator turns on a blind transfer and reads it back on
`GET /openapi/assistants/{id}`, a bad target is refused beside its field and stores
nothing, turning it off stores null; then the calls table filters a transferred call
and one with keys, and their pages show the transfer and the keys. No console error,
no request to another host; screenshots of the editor and a call page."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from tests.web.browser import need_browser, new_assistant, serve, shot, signed_in
from tests.web.line_calls import STARTED, key, line_call, transfer
from voxdial.store.db import Database
from voxdial.store.models import Assistant, User, Workspace
from voxdial.store.tokens import create_token

pytestmark = pytest.mark.browser
AGENT = "sip:agent@pbx.example.com"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    with serve(tmp_path_factory.mktemp("serve")) as running:
        yield running


def _database(server) -> Database:
    return Database(f"sqlite:///{server['tmp'] / 'console.db'}")


def _token(db: Database) -> str:
    """An API token of the first admin (as the console's tokens page would make one)."""
    with db.session() as s:
        user = s.execute(select(User).where(User.email == "admin@localhost")).scalar_one()
        token = create_token(s, workspace=s.get(Workspace, user.workspace_id), user=user)
        s.commit()
    return token


def _read(server, token: str, assistant_id: int) -> dict:
    r = httpx.get(
        f"{server['base']}/openapi/assistants/{assistant_id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_an_operator_sets_a_transfer_and_reads_transfers_and_keys(server):
    from playwright.sync_api import expect, sync_playwright

    base = server["base"]
    db = _database(server)
    token = _token(db)
    with sync_playwright() as p:
        browser, page, watch = signed_in(p, server, height=900)
        new_assistant(page, server, name="转接热线", welcome="您好，我是小狐。")
        aid = int(re.search(r"/assistants/(\d+)", page.url).group(1))
        assert _read(server, token, aid)["taskTransfer"] is None

        enabled = page.get_by_label("Transfer calls to a person")
        expect(enabled).not_to_be_checked()
        timeout = page.get_by_label("Agent must answer within (s)")
        expect(timeout).to_be_hidden()  # a bridged transfer's field, hidden for blind
        page.get_by_label("Transfer mode").select_option("bridged")
        expect(timeout).to_be_visible()
        expect(timeout).to_have_value("30")
        expect(page.get_by_label("Tell the agent a summary of the call first")).to_be_checked()
        page.get_by_label("Transfer mode").select_option("blind")
        expect(timeout).to_be_hidden()
        enabled.check()
        target = page.get_by_role("textbox", name=re.compile(r"^Transfer to"))
        target.fill(AGENT)
        expect(page.get_by_label("the callee asks for a person")).to_be_checked()
        page.get_by_role("button", name="Save as a new version").click()
        expect(page.get_by_role("status")).to_contain_text("Saved as version 2")
        expect(target).to_have_value(AGENT)
        assert _read(server, token, aid)["taskTransfer"] == {
            "mode": "blind",
            "target": AGENT,
            "when": ["asked"],
        }
        shot(page, "assistant-transfer")
        watch.check("transfer saved")

        # a target that is neither a number nor a SIP URI: refused beside it
        target.fill("agent at the desk")
        page.get_by_role("button", name="Save as a new version").click()
        beside = page.locator("label", has=target).get_by_role("alert")
        expect(beside).to_contain_text("should match pattern")
        expect(target).to_have_value("agent at the desk")
        expect(page.locator(".versions li")).to_have_count(2)
        after = _read(server, token, aid)
        assert after["versionId"] == 2 and after["taskTransfer"]["target"] == AGENT
        problems = [p for p in watch.problems if "422" not in p]
        assert not problems, problems  # the 422 response itself is the only complaint
        watch.problems.clear()

        # off: null is stored
        page.get_by_label("Transfer calls to a person").uncheck()
        page.get_by_role("button", name="Save as a new version").click()
        expect(page.get_by_role("status")).to_contain_text("Saved as version 3")
        assert _read(server, token, aid)["taskTransfer"] is None
        watch.check("transfer off")

        _seed(db, aid)
        page.goto(base + "/calls")
        rows = page.locator("table.calls tbody tr")
        expect(rows).to_have_count(2)
        page.get_by_label("Transferred").select_option("connected")
        expect(rows).to_have_count(1)
        page.get_by_label("Keys").select_option("pressed")
        expect(page.get_by_text("No calls match.")).to_be_visible()
        page.get_by_label("Transferred").select_option("")
        expect(rows).to_have_count(1)
        rows.first.get_by_role("link").click()
        expect(page.get_by_role("heading", name="Keys")).to_be_visible()
        digits = page.get_by_test_id("key-digit")
        expect(digits).to_have_text(["1", "0"])
        watch.check("call with keys")

        page.goto(base + "/calls?transfer=connected")
        page.locator("table.calls a").first.click()
        expect(page.get_by_role("heading", name="Transfer to a person")).to_be_visible()
        expect(page.get_by_test_id("transfer-target")).to_have_text(AGENT)
        expect(page.get_by_test_id("transfer-outcome")).to_have_text("connected · 0:09")
        shot(page, "call-transfer")
        watch.check("call page")
        browser.close()
    db.dispose()


def _seed(db: Database, assistant_id: int) -> None:
    """A call transferred to AGENT, and one where the callee pressed keys."""
    with db.session() as s:
        a = s.get(Assistant, assistant_id)
        ws, vid = a.workspace_id, a.current_version_id
    lines, record = transfer(AGENT, at_ms=6200, outcome="connected", end_ms=9400)
    for i, (name, call_lines, extra) in enumerate(
        (
            ("moved", lines, {"transfer": record}),
            ("keyed", [key("1", "in", "sip", 3000), key("0", "in", "mediastream", 5200)], None),
        )
    ):
        line_call(
            db,
            session_id=f"{name}-browser-{'0' * 12}",
            workspace_id=ws,
            assistant_id=assistant_id,
            assistant_vid=vid,
            callee=f"+861390000000{i}",
            lines=call_lines,
            extra=extra,
            started=STARTED + timedelta(minutes=i),
        )
