"""The console's defences, checked over HTTP as a browser would send requests: CSRF,
cookie flags, roles (console and API alike), sign-in throttling, escaping of callee
data, formula-safe exports, and other workspaces' ids as 404s."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest
from fastapi.testclient import TestClient

from tests.support.api import create_assistant, upload
from tests.web.conftest import PASSWORD, csrf_of, page_csrf, sign_in
from voxdial.store.models import Call, CallTrace, Task, TaskNumber
from voxdial.web.security import CSP

XSS_NAME = "<script>alert('name')</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.test","x")'


def api(console, token: str) -> TestClient:
    c = TestClient(console.app, raise_server_exceptions=False)
    c.headers["Authorization"] = f"Bearer {token}"
    return c


def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([["号码", "姓名", "备注"], *rows])
    return buf.getvalue().encode()


def create_task(client: TestClient, rows: list[list[str]]) -> dict:
    assistant = create_assistant(client)
    r = upload(client, csv_bytes(rows))
    assert r.status_code == 201, r.text
    r = client.post(
        "/openapi/tasks",
        json={
            "name": "回访任务",
            "assistantId": assistant["id"],
            "option": {
                "numberFileMeta": {"号码": 0, "姓名": 1, "备注": 2},
                "numbers": [r.json()["id"]],
                "startDate": "2026-12-01",
                "startTime": [["09:00", "18:00"]],
            },
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def _task(console, rows=None):
    client = api(console, console.operator_token)
    return create_task(client, rows or [["13912345678", "张三", "VIP"]])


# --- sign-in, cookies, CSRF ----------------------------------------------------------


def test_session_cookie_is_httponly_lax_and_not_secure_over_http(console):
    c = console.anonymous()
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"email": "admin@acme.test", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("vxd_session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags and "samesite=lax" in flags and "secure" not in flags


def test_session_cookie_is_secure_behind_https(sqlite_url, tmp_path):
    from tests.conftest import make_settings
    from voxdial.api.app import create_app
    from voxdial.store.db import Database
    from voxdial.store.tokens import get_or_create_workspace
    from voxdial.store.users import create_user

    db = Database(sqlite_url)
    with db.session() as s:
        ws, _ = get_or_create_workspace(s, name="acme", email="o@acme.test")
        create_user(s, workspace=ws, email="a@acme.test", role="admin", password=PASSWORD)
        s.commit()
    app = create_app(
        make_settings(sqlite_url, tmp_path, public_base_url="https://dial.example.com"), db=db
    )
    c = TestClient(app, base_url="https://dial.example.com")
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"email": "a@acme.test", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("vxd_session="))
    assert "secure" in {p.strip().lower() for p in cookie.split(";")}
    db.dispose()


def test_login_without_its_csrf_token_is_403(console):
    c = console.anonymous()
    c.get("/login")
    r = c.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
    assert r.status_code == 403
    assert c.get("/", follow_redirects=False).status_code == 303  # still signed out


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/logout", {}),
        ("/blocklist", {"numbers": "13800138000"}),
        ("/assistants/new", {"name": "x"}),
        ("/tokens", {}),
        ("/users", {"email": "new@acme.test", "role": "viewer"}),
    ],
)
def test_state_changing_requests_without_csrf_are_403(console, path, data):
    r = console.admin.post(path, data=data, follow_redirects=False)
    assert r.status_code == 403
    wrong = console.admin.post(
        path, data={**data, "csrf_token": "not-the-token"}, follow_redirects=False
    )
    assert wrong.status_code == 403
    # a token from another user's session is not this session's token
    other = console.other.post(
        path, data={**data, "csrf_token": page_csrf(console.admin)}, follow_redirects=False
    )
    assert other.status_code == 403


def test_csrf_token_in_the_header_is_accepted(console):
    token = page_csrf(console.admin, "/blocklist")
    r = console.admin.post(
        "/blocklist", data={"numbers": "13800138000"}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 200 and "+8613800138000" in r.text


def test_a_multipart_upload_needs_the_csrf_header(console):
    files = {"file": ("n.csv", io.BytesIO(csv_bytes([["13912345678", "a", ""]])), "text/csv")}
    token = page_csrf(console.operator, "/tasks/new")
    r = console.operator.post("/tasks/new/upload", files=files, data={"csrf_token": token})
    assert r.status_code == 403
    files["file"][1].seek(0)
    ok = console.operator.post("/tasks/new/upload", files=files, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and 'name="file_id"' in ok.text


def test_logout_ends_the_session_on_the_server(console):
    c = console.admin
    cookie = c.cookies.get("vxd_session")
    r = c.post("/logout", data={"csrf_token": page_csrf(c)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    replay = console.anonymous()
    replay.cookies.set("vxd_session", cookie)
    assert replay.get("/", follow_redirects=False).status_code == 303


def test_changing_the_password_signs_out_every_other_session(console):
    first = console.operator
    second = sign_in(console.anonymous(), "op@acme.test")
    r = first.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "a brand new pw",
            "again": "a brand new pw",
            "csrf_token": page_csrf(first),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert second.get("/", follow_redirects=False).status_code == 303  # signed out
    assert first.get("/", follow_redirects=False).status_code == 200  # this browser stays
    sign_in(console.anonymous(), "op@acme.test", "a brand new pw")


def test_login_is_throttled_per_email(console):
    c = console.anonymous()
    for _ in range(5):
        page = c.get("/login")
        r = c.post(
            "/login",
            data={
                "email": "op@acme.test",
                "password": "wrong password",
                "csrf_token": csrf_of(page.text),
            },
        )
        assert r.status_code == 401
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"email": "op@acme.test", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    # another address is not held back by this one's failures (different email)
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"email": "viewer@acme.test", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_login_is_throttled_per_client_address(console):
    c = console.anonymous()
    for i in range(20):
        page = c.get("/login")
        c.post(
            "/login",
            data={
                "email": f"nobody{i}@acme.test",
                "password": "x" * 10,
                "csrf_token": csrf_of(page.text),
            },
        )
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"email": "admin@acme.test", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 429


def test_next_after_sign_in_stays_on_this_site(console):
    c = console.anonymous()
    page = c.get("/login?next=//evil.test/x")
    r = c.post(
        "/login",
        data={
            "email": "admin@acme.test",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "//evil.test/x",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


# --- roles ---------------------------------------------------------------------------


def test_a_viewer_cannot_start_a_task_in_the_console(console):
    task = _task(console)
    r = console.viewer.post(
        f"/tasks/{task['id']}/status",
        data={"status": "running", "csrf_token": page_csrf(console.viewer)},
    )
    assert r.status_code == 403
    with console.db.session() as s:
        assert s.get(Task, task["id"]).status == "pending"
    ok = console.operator.post(
        f"/tasks/{task['id']}/status",
        data={"status": "running", "csrf_token": page_csrf(console.operator)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with console.db.session() as s:
        assert s.get(Task, task["id"]).status == "running"


def test_a_viewer_token_cannot_start_a_task_through_the_api(console):
    task = _task(console)
    viewer = api(console, console.viewer_token)
    r = viewer.put(f"/openapi/tasks/{task['id']}/status", json={"status": "running"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert viewer.get(f"/openapi/tasks/{task['id']}").status_code == 200  # reads are fine
    assert viewer.post("/openapi/assistants", json={"name": "x"}).status_code == 403


def test_webhooks_are_for_admins_on_the_api_and_the_console(console):
    operator = api(console, console.operator_token)
    assert operator.get("/openapi/webhooks").status_code == 403
    assert console.operator.get("/webhooks").status_code == 403
    assert console.operator.get("/users").status_code == 403
    assert console.admin.get("/webhooks").status_code == 200


def test_viewer_pages_show_no_buttons_that_change_things(console):
    task = _task(console)
    page = console.viewer.get(f"/tasks/{task['id']}").text
    assert f'action="/tasks/{task["id"]}/status"' not in page
    assert console.viewer.get("/tasks/new").status_code == 403


# --- other workspaces ----------------------------------------------------------------


def test_another_workspaces_things_are_404(console):
    task = _task(console)
    assistant_id = task["assistant"]["id"]
    call = _call(console, task["id"], transcript=["hello"])
    for path in (
        f"/tasks/{task['id']}",
        f"/tasks/{task['id']}/live",
        f"/tasks/{task['id']}/export.csv",
        f"/calls/{call}",
        f"/calls/{call}/recording",
        f"/assistants/{assistant_id}",
    ):
        assert console.other.get(path).status_code == 404, path
        assert console.admin.get(path).status_code in (200, 404), path
    assert console.admin.get(f"/calls/{call}").status_code == 200
    r = console.other.post(
        f"/tasks/{task['id']}/status",
        data={"status": "running", "csrf_token": page_csrf(console.other)},
    )
    assert r.status_code == 404


# --- callee data is text ---------------------------------------------------------------


def _call(console, task_id: int, *, transcript: list[str], summary: str = "") -> str:
    now = datetime.now(UTC)
    with console.db.session() as s:
        task = s.get(Task, task_id)
        number = s.query(TaskNumber).filter_by(task_id=task_id).first()
        call = Call(
            session_id=f"s-{task_id}-{len(transcript)}",
            workspace_id=task.workspace_id,
            task_id=task_id,
            task_number_id=number.id,
            callee=number.phone,
            start_at=now,
            answer_at=now,
            end_at=now,
            hangup_reason="answered",
            hangup_side="callee",
            summary=summary,
            intent_level="B",
            collect=[{"question": XSS_NAME, "hit": True, "result": XSS_ATTR}],
        )
        s.add(call)
        s.flush()
        for i, text in enumerate(transcript):
            s.add(
                CallTrace(call_id=call.id, event="customer.say", content=text, elapsed_ms=1000 * i)
            )
        number.last_call_id = call.id
        number.collected = [{"question": "您对我们的服务满意吗？", "result": FORMULA}]
        s.commit()
        return call.session_id


def test_names_variables_transcripts_and_summaries_are_escaped(console):
    task = _task(console, [["13912345678", XSS_NAME, XSS_ATTR]])
    sid = _call(console, task["id"], transcript=[XSS_NAME, XSS_ATTR], summary=XSS_ATTR)
    pages = [
        console.admin.get(f"/tasks/{task['id']}").text,
        console.admin.get(f"/calls/{sid}").text,
        console.admin.get("/calls").text,
    ]
    for html in pages:
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    call_page = pages[1]
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in call_page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in call_page


def test_task_names_are_escaped_in_the_list(console):
    client = api(console, console.operator_token)
    task = create_task(client, [["13912345678", "a", ""]])
    client.patch(f"/openapi/tasks/{task['id']}", json={"name": XSS_ATTR})
    html = console.viewer.get("/tasks").text
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_every_response_carries_the_security_headers(console):
    for r in (
        console.anonymous().get("/login"),
        console.admin.get("/"),
        console.admin.get("/docs"),
        console.anonymous().get("/healthz"),
    ):
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP


def test_pages_have_no_inline_scripts_or_styles(console):
    task = _task(console)
    for path in (
        "/",
        "/tasks",
        f"/tasks/{task['id']}",
        "/tasks/new",
        "/assistants",
        f"/assistants/{task['assistant']['id']}",
        "/docs",
        "/users",
    ):
        html = console.admin.get(path).text
        for chunk in html.split("<script")[1:]:
            assert chunk.split(">", 1)[0].find("src=") >= 0, (path, chunk[:80])
        assert " style=" not in html and "<style" not in html, path


# --- exports -------------------------------------------------------------------------


def test_exports_neutralise_formulas(console):
    rows = [
        ["13912345678", FORMULA, "+1+1"],
        ["13912345679", "@SUM(A1)", "-2"],
        ["13912345670", "\tcmd", "ok"],
    ]
    task = _task(console, rows)
    _call(console, task["id"], transcript=["x"], summary="=1+1")
    r = console.viewer.get(f"/tasks/{task['id']}/export.csv")
    assert r.status_code == 200
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["号码", "姓名", "备注"]
    cells = [c for row in table[1:] for c in row]
    assert "'" + FORMULA in cells and "'+1+1" in cells and "'@SUM(A1)" in cells
    assert "'-2" in cells and "'\tcmd" in cells and "'=1+1" in cells
    assert "'+8613912345678" in cells  # a phone number begins with + too
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)

    x = console.viewer.get(f"/tasks/{task['id']}/export.xlsx")
    assert x.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(x.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "'" + FORMULA in values and "'=1+1" in values
    assert not any(str(v).startswith(("=", "+", "-", "@")) for v in values)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
