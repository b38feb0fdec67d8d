"""`POST /openapi/numberfiles`: every encoding and format we accept reads back right, and
every bad upload gets a 4xx naming the problem and stores nothing."""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Iterator

import pytest
from openpyxl import Workbook

from tests.conftest import Env, make_env
from tests.support.api import OPTION, create_assistant, csv_bytes, upload

ROWS = [
    ["13912345678", "张三", "贵宾"],
    ["13800138000", "李四", ""],
    ["+86 137-0000-1111", "王五", "老客户"],
]


def file_count(env: Env) -> int:
    r = env.client.get("/openapi/numberfiles")
    assert r.status_code == 200, r.text
    return r.json()["total"]


def task_numbers(env: Env, file_id: int) -> list[dict]:
    aid = create_assistant(env.client)["id"]
    r = env.client.post(
        "/openapi/tasks",
        json={"name": "t", "assistantId": aid, "option": {**OPTION, "numbers": [file_id]}},
    )
    assert r.status_code == 201, r.text
    r = env.client.get(f"/openapi/tasks/{r.json()['id']}/numbers", params={"pageSize": 100})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def assert_error(r, status: int, *words: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"code", "message", "details"}, err
    assert isinstance(err["details"], list)
    for w in words:
        assert w.lower() in err["message"].lower(), (w, err["message"])
    return err


# --- what we accept ---------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, bom",
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gbk", b""), ("gb18030", b"")],
    ids=["utf8", "utf8-bom", "gbk", "gb18030"],
)
def test_csv_encodings_keep_chinese_text(env, encoding, bom):
    # 㐀 (U+3400) exists in GB18030 but not GBK
    rows = ROWS + ([["13600001234", "㐀明", "扩展字"]] if encoding == "gb18030" else [])
    data = bom + csv_bytes(rows, encoding=encoding)
    r = upload(env.client, data)
    assert r.status_code == 201, r.text
    nf = r.json()
    assert nf["columns"] == ["号码", "姓名", "备注"]
    assert nf["rows"] == len(rows)
    assert nf["preview"][0] == ["13912345678", "张三", "贵宾"]
    assert nf["kind"] == "csv"
    assert nf["size"] == len(data)
    got = {n["phone"]: (n["name"], n["note"]) for n in task_numbers(env, nf["id"])}
    assert got["+8613912345678"] == ("张三", "贵宾")
    assert got["+8613700001111"] == ("王五", "老客户")
    if encoding == "gb18030":
        assert got["+8613600001234"] == ("㐀明", "扩展字")


def test_tab_separated_csv(env):
    text = "号码\t姓名\t备注\r\n13912345678\t张三\t有,逗号\r\n13800138000\t李四\t\r\n"
    r = upload(env.client, text.encode("utf-8"), name="numbers.txt")
    assert r.status_code == 201, r.text
    nf = r.json()
    assert nf["columns"] == ["号码", "姓名", "备注"]
    assert nf["preview"][0] == ["13912345678", "张三", "有,逗号"]
    got = {n["phone"]: n["note"] for n in task_numbers(env, nf["id"])}
    assert got == {"+8613912345678": "有,逗号", "+8613800138000": ""}


def test_quoted_csv_fields_with_commas_and_newlines(env):
    text = '号码,姓名,备注\r\n13912345678,"张,三","两行\n备注"\r\n'
    r = upload(env.client, text.encode("utf-8"))
    assert r.status_code == 201, r.text
    [n] = task_numbers(env, r.json()["id"])
    assert (n["name"], n["note"]) == ("张,三", "两行\n备注")


def xlsx_bytes(rows: list[list[object]], header=("号码", "姓名", "备注")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_xlsx_numbers_stored_as_numbers_and_as_text(env):
    data = xlsx_bytes(
        [
            [13912345678, "张三", "数字"],
            ["13800138000", "李四", "文本"],
            [13700001111.0, "王五", None],  # a float, as some tools write it
            ["010-62345678", "赵六", "座机"],
        ]
    )
    r = upload(env.client, data, name="名单.xlsx", ctype=XLSX_TYPE)
    assert r.status_code == 201, r.text
    nf = r.json()
    assert nf["kind"] == "xlsx" and nf["name"] == "名单.xlsx"
    assert nf["rows"] == 4
    assert nf["preview"][0] == ["13912345678", "张三", "数字"]
    assert nf["preview"][2][0] == "13700001111"
    got = {n["phone"]: (n["name"], n["note"]) for n in task_numbers(env, nf["id"])}
    assert got == {
        "+8613912345678": ("张三", "数字"),
        "+8613800138000": ("李四", "文本"),
        "+8613700001111": ("王五", ""),
        "+861062345678": ("赵六", "座机"),
    }


# --- what we refuse ---------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _xlsx_bomb() -> bytes:
    """A real workbook whose sheet XML unzips ~1000x: 64 MiB of one repeated row."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["13912345678", "a", "b"]])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in good.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zf.writestr(info.filename, good.read(info.filename))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                      b'spreadsheetml/2006/main"><sheetData>')
            block = b"<!--" + b" " * (1 << 20) + b"-->"
            for _ in range(64):
                out.write(block)
            out.write(b"</sheetData></worksheet>")
    return buf.getvalue()


BAD_UPLOADS = {
    "unterminated-quote": (
        "numbers.csv",
        '号码,姓名\r\n13912345678,"张三\r\n13800138000,李四\r\n'.encode(),
        400,
        ["csv", "malformed"],
    ),
    "nul-bytes": (
        "numbers.csv",
        "号码,姓名\r\n13912345678,张\x00三\r\n".encode(),
        400,
        ["nul"],
    ),
    "not-utf8-nor-gbk": (
        "numbers.csv",
        b"\xe5\x8f\xb7\xe7\xa0\x81,x\r\n\x80\xff\xfe\x80,\xff\xff\r\n",
        400,
        ["utf-8", "gbk"],
    ),
    "empty": ("numbers.csv", b"", 400, ["empty"]),
    "blank-lines": ("numbers.csv", b"\r\n \r\n\r\n", 400, ["empty"]),
    "header-only": ("numbers.csv", "号码,姓名,备注\r\n".encode(), 400, ["no rows"]),
    "xls": ("numbers.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, 415, [".xls"]),
    "xls-named-csv": (
        "numbers.csv",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,
        415,
        [".xls"],
    ),
    "pdf": ("numbers.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", 415, ["numbers.pdf"]),
    "png": ("numbers.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 415, ["numbers.png"]),
    "png-named-csv": ("numbers.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 415, ["png image"]),
    "binary-named-csv": ("numbers.csv", b"\x01\x02\x00\x00\x03", 415, ["binary"]),
    "no-extension": ("numbers", b"a,b\r\n1,2\r\n", 415, ["csv", "xlsx"]),
    "xlsx-not-zip": ("numbers.xlsx", "号码\r\n13912345678\r\n".encode(), 400, ["xlsx"]),
    "xlsx-truncated-zip": ("numbers.xlsx", b"PK\x03\x04" + b"\x00" * 100, 400, ["zip"]),
    "zip-without-workbook": (
        "numbers.xlsx",
        _zip({"hello.txt": b"hello", "docProps/app.xml": b"<x/>"}),
        400,
        ["workbook"],
    ),
    "zip-named-csv": ("numbers.csv", _zip({"a.txt": b"a"}), 400, ["zip"]),
    "workbook-xml-garbage": (
        "numbers.xlsx",
        _zip({"xl/workbook.xml": b"<not-xml", "[Content_Types].xml": b"<Types/>"}),
        400,
        ["xlsx"],
    ),
    "header-without-names": ("numbers.csv", b",,\r\n13912345678,a,b\r\n", 400, ["header"]),
    "too-many-columns": (
        "numbers.csv",
        (",".join(f"c{i}" for i in range(201)) + "\r\n1\r\n").encode(),
        400,
        ["201 columns", "200"],
    ),
    "huge-cell": (
        "numbers.csv",
        b"phone,note\r\n13912345678," + b"x" * 20_000 + b"\r\n",
        400,
        ["csv", "malformed"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS), ids=list(BAD_UPLOADS))
def test_bad_files_are_refused_and_nothing_is_stored(env, case):
    name, data, status, words = BAD_UPLOADS[case]
    before = file_count(env)
    r = upload(env.client, data, name=name, ctype="application/octet-stream")
    assert_error(r, status, *words)
    assert file_count(env) == before


def test_xlsx_zip_bomb_is_refused(env):
    data = _xlsx_bomb()
    assert len(data) < 1 << 20  # small on the wire, 64 MiB unzipped
    r = upload(env.client, data, name="bomb.xlsx", ctype=XLSX_TYPE)
    assert_error(r, 413, "zip bomb")
    assert file_count(env) == 0


def test_xlsx_over_the_unzipped_size_limit_is_refused(db_url, tmp_path):
    e = make_env(db_url, tmp_path, max_xlsx_uncompressed_bytes=4096)
    try:
        data = xlsx_bytes([[13900000000 + i, f"名字{i}", "x" * 50] for i in range(200)])
        r = upload(e.client, data, name="big.xlsx", ctype=XLSX_TYPE)
        assert_error(r, 413, "unzips to", "4096")
        assert file_count(e) == 0
    finally:
        e.db.dispose()


@pytest.fixture
def small_env(db_url, tmp_path) -> Iterator[Env]:
    e = make_env(db_url, tmp_path, max_upload_bytes=2000, max_file_rows=5)
    yield e
    e.client.close()
    e.db.dispose()


def test_upload_over_the_size_limit_is_413(small_env):
    rows = [[f"139{i:08d}", "某人", "x" * 40] for i in range(5)]
    data = csv_bytes(rows) + b"#" * 2000
    assert len(data) > 2000
    r = upload(small_env.client, data)
    assert_error(r, 413, "2000 bytes")
    assert file_count(small_env) == 0


def test_request_body_far_over_the_limit_is_refused_before_reading(small_env):
    data = b"1" * (2 * 1024 * 1024)
    r = upload(small_env.client, data)
    assert_error(r, 413, "limit")
    assert file_count(small_env) == 0


def test_chunked_body_over_the_limit_is_413(small_env):
    """No Content-Length: the body is counted as it arrives."""
    boundary = "xyzzy"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="n.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n号码\r\n"
    ).encode()

    def body():
        yield head
        for _ in range(3 * 1024):  # 3 MiB of rows, over limit + envelope allowance
            yield b"13912345678\r\n" * 80
        yield f"\r\n--{boundary}--\r\n".encode()

    r = small_env.client.post(
        "/openapi/numberfiles",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    # cut off by the middleware as it streams in, not spooled whole and measured after
    assert_error(r, 413, "request body is over the limit of 2000 bytes")
    assert file_count(small_env) == 0


def test_too_many_rows_is_413(small_env):
    rows = [[f"139{i:08d}", "", ""] for i in range(6)]
    r = upload(small_env.client, csv_bytes(rows))
    assert_error(r, 413, "more than 5 rows")
    assert file_count(small_env) == 0
    ok = upload(small_env.client, csv_bytes(rows[:5]))
    assert ok.status_code == 201, ok.text
    assert ok.json()["rows"] == 5


def test_too_many_xlsx_rows_is_413(small_env):
    data = xlsx_bytes([[13900000000 + i, "", ""] for i in range(6)])
    r = upload(small_env.client, data, name="n.xlsx", ctype=XLSX_TYPE)
    # the workbook is bigger than 2000 bytes, so either limit may speak first; both are 413
    assert_error(r, 413)
    assert file_count(small_env) == 0


def test_missing_multipart_field(env):
    r = env.client.post(
        "/openapi/numberfiles", files={"upload": ("n.csv", io.BytesIO(b"a\r\n1\r\n"), "text/csv")}
    )
    assert_error(r, 400, "'file'")
    r = env.client.post("/openapi/numberfiles", data={"file": "13912345678"})
    assert r.status_code in (400, 415), r.text
    assert "file" in r.json()["error"]["message"]
    assert file_count(env) == 0


def test_not_multipart_is_415(env):
    r = env.client.post("/openapi/numberfiles", json={"file": "13912345678"})
    assert_error(r, 415, "multipart/form-data")
    r = env.client.post(
        "/openapi/numberfiles", content=b"\x00garbage", headers={"Content-Type": "text/csv"}
    )
    assert_error(r, 415, "multipart/form-data")
    assert file_count(env) == 0


def test_broken_multipart_body_is_400(env):
    r = env.client.post(
        "/openapi/numberfiles",
        content=b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert_error(r, 400, "multipart")
    r = env.client.post(
        "/openapi/numberfiles", content=b"abc", headers={"Content-Type": "multipart/form-data"}
    )
    assert_error(r, 400, "multipart")
    assert file_count(env) == 0


def test_bad_content_length_is_400(env):
    # h11 would refuse this before the app; the ASGI app itself must too
    import asyncio

    app = env.app
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/openapi/numberfiles",
        "raw_path": b"/openapi/numberfiles",
        "query_string": b"",
        "headers": [
            (b"content-length", b"12x"),
            (b"authorization", f"Bearer {env.token}".encode()),
        ],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
        "app": app,
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 400
    assert b"Content-Length" in sent[1]["body"]


def test_other_workspace_cannot_read_a_file(env):
    r = upload(env.client, csv_bytes(ROWS))
    fid = r.json()["id"]
    r = env.other.get(f"/openapi/numberfiles/{fid}")
    assert_error(r, 404, str(fid))
    assert "13912345678" not in r.text
    assert env.other.get("/openapi/numberfiles").json()["total"] == 0
    assert env.client.get(f"/openapi/numberfiles/{fid}").status_code == 200
