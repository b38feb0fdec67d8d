"""No phone number, in any form, and no token ever reaches a log message."""

from __future__ import annotations

import io
import logging
import re
from urllib.parse import quote, unquote_plus

import pytest

from tests.support.api import OPTION, create_assistant, csv_bytes, upload
from voxdial.logs import RedactingFilter, redact

# (national digits, the forms the flow below sends them in)
PHONES = {
    "13912345678": ["13912345678", "+86 139 1234 5678", "139-1234-5678"],
    "13800138000": ["0086 138 0013 8000", "+8613800138000"],
    "13700001111": ["137 0000 1111", "+86-137-0000-1111"],
    "1062345678": ["010-62345678", "+861062345678"],
    "13600009999": ["13600009999"],  # blocked, then imported
    "13500001234": ["+86 135 0000 1234"],  # only ever a calllog filter
}


def leaks(text: str, tokens: list[str]) -> list[str]:
    """What of the phones and tokens `text` shows, in any form."""
    found = []
    text = f"{text} {unquote_plus(text)}"
    digits_only = re.sub(r"\D", "", unquote_plus(text))
    for national, forms in PHONES.items():
        for form in [*forms, "+86" + national, "86" + national, quote("+86" + national)]:
            if form in text:
                found.append(form)
        if national in digits_only:  # however separated: spaces, dashes, %2B, ...
            found.append(national)
    for t in tokens:
        secret = t.split("_", 2)[2]
        if t in text or secret in text or secret[:12] in text:
            found.append("token " + t[:8])
    return found


@pytest.fixture
def captured(caplog):
    caplog.set_level(logging.DEBUG)  # the root logger
    caplog.set_level(logging.DEBUG, logger="voxdial.access")
    caplog.set_level(logging.DEBUG, logger="voxdial")
    return caplog


def _server_records(caplog) -> list[logging.LogRecord]:
    # The TestClient's own httpx logs the URLs the test sends ("HTTP Request: GET ...
    # ?phone=..."); that is this test talking, not the server, so it is left out.
    return [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]


FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def test_a_whole_flow_logs_no_phone_or_token(env, captured):
    c = env.client
    tokens = [env.token, env.other_token]
    bad_token = "vxd_ABCDEFGHIJ_" + "s3cr3tS3cr3tS3cr3tS3cr3tS3cr3tXY"
    tokens.append(bad_token)

    # number file with the phones in several forms, and a task over it
    rows = [
        ["13912345678", "张三", "VIP"],
        ["0086 138 0013 8000", "李四", ""],
        ["137 0000 1111", "王五", ""],
        ["010-62345678", "赵六", ""],
        ["13600009999", "钱七", ""],
        ["139-1234-5678", "重复", ""],
        ["12345", "坏号", ""],
    ]
    r = c.post("/openapi/blocklist", json={"numbers": ["13600009999", "not-a-phone"]})
    assert r.status_code == 200, r.text
    r = upload(c, csv_bytes(rows))
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    aid = create_assistant(c)["id"]
    r = c.post(
        "/openapi/tasks",
        json={"name": "日志", "assistantId": aid, "option": {**OPTION, "numbers": [fid]}},
    )
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    assert r.json()["rejected"] == 3
    r = c.post(
        f"/openapi/tasks/{tid}/numbers",
        json={"numbers": [{"号码": "+86-137-0000-1111"}, {"号码": "+861062345678"}]},
    )
    assert r.status_code == 200, r.text
    data = csv_bytes([["+86 139 1234 5678", "", ""]])
    r = c.post(
        f"/openapi/tasks/{tid}/numbers", files={"file": ("more.csv", io.BytesIO(data), "text/csv")}
    )
    assert r.status_code == 200, r.text
    assert c.get(f"/openapi/tasks/{tid}/rejects").json()["total"] == 6

    # filters that carry phones in the query string
    for phone in ("+86 135 0000 1234", "+8613800138000", "139-1234-5678"):
        assert c.get("/openapi/calllog", params={"phone": phone}).status_code == 200
        assert c.get("/openapi/blocklist", params={"phone": phone}).status_code == 200
    r = c.get("/openapi/calllog?phone=%2B8613912345678&taskId=1")
    assert r.status_code == 200
    # and errors that are about phones
    assert c.get("/openapi/calllog", params={"phone": "1391234"}).status_code == 422
    r = c.post(f"/openapi/tasks/{tid}/numbers", json={"numbers": [{"号码": ["13912345678"]}]})
    assert r.status_code == 422
    r = c.request("DELETE", "/openapi/blocklist", json={"numbers": ["+86 136 0000 9999"]})
    assert r.status_code == 200 and r.json()["count"] == 1

    # bad and other tokens
    from fastapi.testclient import TestClient

    anon = TestClient(env.app, raise_server_exceptions=False)
    for header in (f"Bearer {bad_token}", f"Token {env.token}", env.token, f"Bearer {env.token}x"):
        r = anon.get("/openapi/tasks", headers={"Authorization": header})
        assert r.status_code == 401
    r = anon.get(f"/openapi/tasks?token={env.token}&phone=13912345678")
    assert r.status_code == 401
    assert env.other.get(f"/openapi/tasks/{tid}").status_code == 404

    records = _server_records(captured)
    access = [r for r in records if r.name == "voxdial.access"]
    assert len(access) >= 20, "the access log did not capture the flow"
    assert any("/openapi/calllog" in r.getMessage() for r in access)
    for record in records:
        message = record.getMessage()
        assert not leaks(message, tokens), (record.name, message, leaks(message, tokens))
        for value in vars(record).values():  # `extra` fields too
            if isinstance(value, str) and value is not record.msg:
                assert not leaks(value, tokens), (record.name, value)
        # as a handler writes it, tracebacks included
        written = FORMAT.format(record)
        assert not leaks(written, tokens), (record.name, written)


def test_leak_detector_sees_every_form():
    """The guard above would catch a leak, however the number is written."""
    for forms in PHONES.values():
        for form in forms:
            assert leaks(f"calling {form} now", [])
    assert leaks("GET /openapi/calllog?phone=%2B86%20139%201234%205678 200", [])
    assert leaks("GET /openapi/calllog?phone=%2B86+139+1234+5678 200", [])
    token = "vxd_ABCDEFGHIJ_" + "x" * 40
    assert leaks(f"auth {token}", [token])
    assert not leaks("GET /openapi/tasks/12 200 3.1ms", [token])


@pytest.mark.parametrize(
    "text",
    [
        "+8613912345678",
        "13912345678",
        "+86 139 1234 5678",
        "139-1234-5678",
        "%2B8613912345678",
        "phone=0086%20138%200013%208000",
        "010-62345678",
        "(010) 6234 5678",
        "010.6234.5678",
        "139/1234/5678",
        "phone=%2B86+135+0000+1234",
        "Bearer vxd_ABCDEFGHIJ_" + "s3cr3t" * 6,
    ],
)
def test_redact_masks_numbers_and_tokens(text):
    out = redact(f"x {text} y")
    assert not leaks(out, ["vxd_ABCDEFGHIJ_" + "s3cr3t" * 6]), out


def test_redacting_filter_rewrites_args():
    record = logging.LogRecord(
        "voxdial.test",
        logging.INFO,
        __file__,
        1,
        "call to %s with %s",
        ("+8613912345678", "vxd_ABCDEFGHIJ_" + "y" * 40),
        None,
    )
    assert RedactingFilter().filter(record)
    message = record.getMessage()
    assert "13912345678" not in message and "y" * 40 not in message
    assert message.startswith("call to ")


def test_configured_logging_masks_tracebacks_too():
    """What `voxdial serve` installs: a handler whose filter masks the message and the
    traceback (exception messages quote values: a database error, a parse error)."""
    from voxdial.logs import configure

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure("DEBUG")
        stream = io.StringIO()
        root.handlers[0].setStream(stream)
        log = logging.getLogger("voxdial.test")
        try:
            raise ValueError("insert failed for +86 139 1234 5678 with vxd_ABCDEFGHIJ_" + "z" * 40)
        except ValueError:
            log.exception("import of %s failed", "0086-138-0013-8000")
        log.warning("stack", stack_info=True)
        text = stream.getvalue()
    finally:
        root.handlers[:], root.level = saved
    assert "Traceback" in text and "ValueError: insert failed for" in text
    assert not leaks(text, ["vxd_ABCDEFGHIJ_" + "z" * 40]), text


def test_database_errors_do_not_quote_values(env):
    """SQLAlchemy puts a failed statement's parameters into its error message; the
    engine is made with hide_parameters, so a phone cannot reach a traceback that way."""
    import sqlalchemy.exc
    from sqlalchemy import text

    with env.db.engine.connect() as conn:
        with pytest.raises(sqlalchemy.exc.DBAPIError) as info:
            query = text("SELECT * FROM no_such_table WHERE phone = :p")
            conn.execute(query, {"p": "+8613912345678"})
    assert "no_such_table" in str(info.value)
    assert not leaks(str(info.value), [])


# -- what redact masks, and what it leaves -------------------------------------------

SESSION = "0190f3a2b4c57d8e9f0a1b2c3d4e5f60"  # a session id: a UUID in hex


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("call +8613912345678 now", "call ***78 now"),
        ("call 139 1234 5678 now", "call ***78 now"),
        ("GET /x?phone=%2B8613912345678", "GET /x?phone=***78"),
        ("on 2024-05-06 call 13912345678", "on 2024-05-06 call ***78"),
        ("2024-05-06 +86 139 1234 5678", "2024-05-06 ***78"),
        ("at 12:30 call 010-62345678", "at 12:30 call ***78"),
        ("GET /openapi/calls/13912345678?x=1", "GET /openapi/calls/***78?x=1"),
        (f"session {SESSION} to 13800138000", f"session {SESSION} to ***00"),
        ("GET /ws?mode=browser&token=Abc-123_xyz", "GET /ws?mode=browser&token=***"),
        ("GET /ws?access_token=Abc&x=1", "GET /ws?access_token=***&x=1"),
        ("GET /ws?x=1&streamToken=Abc", "GET /ws?x=1&streamToken=***"),
        ("GET /ws?TOKEN=Abc", "GET /ws?TOKEN=***"),
        ("GET /ws?%74oken=Abc", "GET /ws?%74oken=***"),  # an encoded name is the same name
    ],
)
def test_redact_masks(text, shown):
    assert redact(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "session 3f2a1b4c-1234-5678-9abc-def012345678 ended",  # a UUID
        "session 01234567-8901-4234-8567-890123456789 ended",  # a UUID of digits only
        "session 0190f3a2b4c57d8e9f0a1b2c3d4e5f60 ended",  # a session id (hex UUID)
        "session 0190f3a2b4c57d8e9f0a1b2c3d4e5f60",
        "call 6f1e4c2a9b8d7e6f5a4b3c2d1e0f9a8b, 2024-05-06",
        "due 2024-05-06",
        "due 2024-05-06 12:30",
        "due 2024-05-06 12:30:45",
        "due 2024-05-06T12:30:45.123456+08:00",
        "retry_at=2024-05-06T12:30:45,123",
        "window 09:00-12:30:00.250",
        "at 23:59:59.999999 sharp",
        "GET /openapi/calllog?from=2024-05-06T00:00:00&to=2024-05-07T00:00:00 200",
        "GET /openapi/tasks/12?tokens=3&page=2 200 3.1ms",  # not a credential parameter
    ],
)
def test_redact_leaves_ids_dates_and_times(text):
    assert redact(text) == text


# -- formats ------------------------------------------------------------------------


def _record(msg: str, *args, exc=None, **extra) -> logging.LogRecord:
    record = logging.LogRecord("voxdial.test", logging.INFO, __file__, 1, msg, args, exc)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def _write(fmt: str, record: logging.LogRecord) -> str:
    from voxdial.logs import make_formatter

    assert RedactingFilter().filter(record)
    return make_formatter(fmt).format(record)


def test_plain_format_prints_the_extra_fields_after_the_message():
    record = _record(
        "call ended %s", "early", session_id=SESSION, task_id=12, callee="***78", note="a b"
    )
    line = _write("plain", record)
    assert line.endswith(
        f'call ended early session_id={SESSION} task_id=12 callee=***78 note="a b"'
    ), line
    assert " INFO voxdial.test: " in line


def test_plain_format_keeps_the_fields_on_the_first_line_of_a_traceback():
    try:
        raise ValueError("bad row 13912345678")
    except ValueError:
        import sys

        record = _record("import failed", exc=sys.exc_info(), task_id=7)
    first, *rest = _write("plain", record).splitlines()
    assert first.endswith("import failed task_id=7")
    assert rest[0] == "Traceback (most recent call last):"
    assert rest[-1] == "ValueError: bad row ***78"


def test_extra_fields_are_masked_too():
    record = _record(
        "x", callee="+86 139 1234 5678", nested={"to": ["13912345678"]}, url="/ws?token=Abc"
    )
    line = _write("plain", record)
    assert "1391234" not in line and "Abc" not in line
    assert line.endswith(' x callee=***78 nested={"to":["***78"]} url="/ws?token=***"'), line


def test_json_format_is_one_object_a_line_with_the_extra_fields():
    import json
    import sys

    try:
        raise KeyError("13912345678")
    except KeyError:
        record = _record(
            "call to %s failed",
            "+8613800138000",
            exc=sys.exc_info(),
            session_id=SESSION,
            task_id=12,
            nested={"to": "13912345678", "n": 2},
        )
    line = _write("json", record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "call to ***00 failed"
    assert (data["level"], data["logger"]) == ("INFO", "voxdial.test")
    assert data["session_id"] == SESSION and data["task_id"] == 12
    assert data["nested"] == {"to": "***78", "n": 2}
    assert data["exc_info"].startswith("Traceback") and "KeyError: '***78'" in data["exc_info"]
    assert data["time"][:4].isdigit()
    assert not {"redacted", "color_message", "args", "msg"} & set(data)
    assert not leaks(line, [])


def test_configure_json_writes_json_lines():
    import json

    from voxdial.logs import configure

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure("INFO", fmt="json")
        stream = io.StringIO()
        root.handlers[0].setStream(stream)
        logging.getLogger("voxdial.test").info("dialled", extra={"callee": "13912345678"})
        text = stream.getvalue()
    finally:
        root.handlers[:], root.level = saved
    (line,) = text.splitlines()
    assert json.loads(line)["callee"] == "***78"


def test_an_unknown_format_is_refused():
    from voxdial.logs import make_formatter

    with pytest.raises(ValueError, match="plain or json"):
        make_formatter("xml")


# -- uvicorn's own lines ------------------------------------------------------------


def test_uvicorn_access_log_loses_the_token_query_value_and_keeps_its_shape():
    """uvicorn's access formatter unpacks the record's five arguments: the filter on
    `uvicorn.access` scrubs the path in place."""
    from uvicorn.logging import AccessFormatter

    from voxdial.logs import configure

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    access = logging.getLogger("uvicorn.access")
    saved_access = access.handlers[:], access.propagate, access.level
    try:
        configure("INFO")
        stream = io.StringIO()
        own = logging.StreamHandler(stream)  # uvicorn's default log config, in short
        own.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
        access.handlers[:] = [own]
        access.propagate = False
        access.setLevel(logging.INFO)
        access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            "/openapi/assistants/1/ws?token=Abc-secret_1&mode=browser",
            "1.1",
            101,
        )
        text = stream.getvalue()
    finally:
        root.handlers[:], root.level = saved
        access.handlers[:], access.propagate, access.level = saved_access
    assert "Abc-secret_1" not in text
    assert "/openapi/assistants/1/ws?token=***&mode=browser" in text and "101" in text


def test_uvicorn_websocket_handshake_line_loses_the_token():
    from voxdial.logs import configure

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    # a test that ran uvicorn in-process with its own log config left its loggers not
    # propagating to the root (`voxdial serve` does not install that config)
    uvicorn_loggers = [logging.getLogger(n) for n in ("uvicorn", "uvicorn.error")]
    saved_uvicorn = [
        (lg.handlers[:], lg.propagate, lg.level, lg.disabled) for lg in uvicorn_loggers
    ]
    for lg in uvicorn_loggers:
        lg.handlers[:], lg.propagate, lg.level, lg.disabled = [], True, logging.NOTSET, False
    try:
        configure("INFO")
        stream = io.StringIO()
        root.handlers[0].setStream(stream)
        logging.getLogger("uvicorn.error").info(
            '%s - "WebSocket %s" [accepted]',
            "127.0.0.1:5000",
            "/openapi/assistants/1/ws?streamToken=Abc&access_token=Def",
        )
        text = stream.getvalue()
    finally:
        root.handlers[:], root.level = saved
        for lg, (handlers, propagate, level, disabled) in zip(
            uvicorn_loggers, saved_uvicorn, strict=True
        ):
            lg.handlers[:], lg.propagate = handlers, propagate
            lg.level, lg.disabled = level, disabled
    assert "Abc" not in text and "Def" not in text
    assert "ws?streamToken=***&access_token=***" in text
