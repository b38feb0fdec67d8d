"""Number files are read in bounded time and memory: an XLSX is read by its real cells
whatever size its sheet claims, columns are capped, parsing runs on a few threads of its
own (past them, 503 with Retry-After), a CSV in two encodings is refused naming the line
at fault; and files can be listed page by page and deleted."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Iterator

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.conftest import Env, make_env
from tests.support.api import OPTION, create_assistant, csv_bytes, upload
from voxdial.errors import ServiceUnavailable
from voxdial.numbers.pool import FilePool
from voxdial.numbers.reader import Limits, inspect_file
from voxdial.store.models import NumberFileChunk

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIMITS = Limits(max_rows=2_000_000, max_xlsx_uncompressed_bytes=1 << 30, max_xlsx_ratio=200)


def assert_error(r, status: int, *words: str) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "details"}, err
    for w in words:
        assert w.lower() in err["message"].lower(), (w, err["message"])
    return err


def workbook(rows: list[list[object]], *, dimension: str | None = None) -> bytes:
    """An XLSX of `rows` (header first); `dimension` replaces the size the sheet
    declares, as a hand-edited or malicious file may."""
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    if dimension is None:
        return buf.getvalue()
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(
                    rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>'.encode(), data
                )
                assert n == 1
            zf.writestr(info.filename, data)
    return out.getvalue()


ROWS = [["号码", "姓名", "备注"]] + [[f"139{i:08d}", "张三", "x"] for i in range(3000)]


@pytest.fixture
def cells_read(monkeypatch) -> dict[str, int]:
    """Counts the rows and cells the reader takes from openpyxl's read-only sheet."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    count = {"rows": 0, "cells": 0}
    iter_rows = ReadOnlyWorksheet.iter_rows

    def counted(self, *args, **kwargs):
        for row in iter_rows(self, *args, **kwargs):
            count["rows"] += 1
            count["cells"] += len(row)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counted)
    return count


def test_a_sheet_claiming_16384_columns_reads_only_its_real_cells(cells_read):
    plain, padded = workbook(ROWS), workbook(ROWS, dimension="A1:XFD1048576")
    plain_info = inspect_file(io.BytesIO(plain), filename="n.xlsx", limits=LIMITS)
    plain_read = dict(cells_read)
    cells_read.update(rows=0, cells=0)
    padded_info = inspect_file(io.BytesIO(padded), filename="n.xlsx", limits=LIMITS)
    assert padded_info == plain_info
    assert padded_info.columns == ["号码", "姓名", "备注"] and padded_info.rows == 3000
    # before: the declared 1,048,576 rows of 16,384 cells were walked, some 30 times
    # slower than the plain file; now the claim is ignored and the same cells are read
    assert cells_read == plain_read and plain_read["rows"] == len(ROWS)


def test_two_cells_at_opposite_corners_of_the_sheet_are_read():
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["XFD1048576"] = "号码", "13912345678", "x"
    buf = io.BytesIO()
    wb.save(buf)
    info = inspect_file(io.BytesIO(buf.getvalue()), filename="n.xlsx", limits=LIMITS)
    # the far cell's row is a data row with nothing under the header's one column
    assert (info.columns, info.rows) == (["号码"], 1)


@pytest.fixture
def narrow_env(sqlite_url, tmp_path) -> Iterator[Env]:
    e = make_env(sqlite_url, tmp_path, max_file_columns=4)
    yield e
    e.client.close()
    e.db.dispose()


def test_the_column_limit_is_a_setting(narrow_env):
    env = narrow_env
    wide = csv_bytes([["13912345678", "a", "b", "c", "d"]], header=("号码", "a", "b", "c", "d"))
    assert_error(upload(env.client, wide), 400, "5 columns", "at most 4")
    sheet = workbook([["号码", "a", "b", "c", "d", "e"], ["13912345678"]])
    r = upload(env.client, sheet, name="n.xlsx", ctype=XLSX_TYPE)
    assert_error(r, 400, "at most 4")
    ok = upload(env.client, csv_bytes([["13912345678", "a", "b"]]))
    assert ok.status_code == 201, ok.text


# -- one encoding per file --------------------------------------------------------------

UTF8_HEADER = "号码,姓名,备注\r\n".encode()


@pytest.mark.parametrize(
    "data, line, words",
    [
        (
            UTF8_HEADER
            + "13912345678,张三,\r\n".encode()
            + "13800138000,李四,老客户\r\n".encode("gbk"),
            3,
            ["not utf-8", "gbk"],
        ),
        (  # with a BOM, the file says it is UTF-8
            b"\xef\xbb\xbf" + UTF8_HEADER + "13800138000,李四,\r\n".encode("gbk"),
            2,
            ["not utf-8"],
        ),
        (
            "号码,姓名,备注\r\n13912345678,张三,\r\n".encode("gbk")
            + "13800138000,李四,新客户\r\n".encode()
            + "13700001111,王五,\r\n".encode("gbk"),
            3,
            ["is utf-8", "gbk"],
        ),
    ],
    ids=["gbk-row-in-utf8", "gbk-row-after-bom", "utf8-row-in-gbk"],
)
def test_a_csv_in_two_encodings_is_refused_naming_the_line(env, data, line, words):
    err = assert_error(upload(env.client, data), 400, f"line {line}", *words)
    assert err["details"][0]["line"] == line
    assert env.client.get("/openapi/numberfiles").json()["total"] == 0


def test_gbk_names_that_happen_to_decode_as_utf8_are_still_one_gbk_file(env):
    # 楝蛾糠 in GBK is valid UTF-8 too (鬶꿷); 录 likewise (¼): the file is GBK throughout
    rows = [["13912345678", "楝蛾糠", ""], ["13800138000", "录", ""], ["13700001111", "张三", ""]]
    r = upload(env.client, csv_bytes(rows, encoding="gbk"))
    assert r.status_code == 201, r.text
    assert r.json()["encoding"] == "gb18030"
    assert [p[1] for p in r.json()["preview"]] == ["楝蛾糠", "录", "张三"]


# -- parsing on threads of its own ------------------------------------------------------


def test_the_file_pool_refuses_work_past_its_threads_and_queue():
    pool = FilePool(threads=1, queue=1)
    gate = threading.Event()
    running = [pool.submit(gate.wait), pool.submit(gate.wait)]  # one runs, one waits
    with pytest.raises(ServiceUnavailable) as e:
        pool.submit(gate.wait)
    assert e.value.retry_after > 0
    gate.set()
    assert [f.result(timeout=30) for f in running] == [True, True]
    assert pool.submit(lambda: 42).result(timeout=30) == 42  # the slots came back
    pool.shutdown()


def test_an_upload_while_the_file_threads_are_busy_is_503_with_retry_after(env):
    pool = FilePool(threads=1, queue=0)
    env.app.state.voxdial_files = pool  # the app's pool, made small
    gate = threading.Event()
    busy = pool.submit(gate.wait)
    try:
        r = upload(env.client, csv_bytes([["13912345678", "a", ""]]))
        err = assert_error(r, 503, "retry")
        assert err["code"] == "unavailable"
        assert int(r.headers["Retry-After"]) > 0
        body = {"name": "t", "assistantId": create_assistant(env.client)["id"]}
        r = env.client.post("/openapi/tasks", json={**body, "option": {**OPTION, "numbers": [1]}})
        assert_error(r, 503)
        # reads do not wait for the file threads
        assert env.client.get("/openapi/numberfiles").json()["total"] == 0
    finally:
        gate.set()
        busy.result(timeout=30)
    r = upload(env.client, csv_bytes([["13912345678", "a", ""]]))
    assert r.status_code == 201, r.text


# -- listing and deleting ------------------------------------------------------------------


def test_number_files_are_listed_page_by_page(env):
    ids = [
        upload(env.client, csv_bytes([[f"1391234567{i}", "a", ""]])).json()["id"] for i in range(3)
    ]
    first = env.client.get("/openapi/numberfiles", params={"pageSize": 2}).json()
    assert (first["total"], first["pageIndex"], first["pageSize"]) == (3, 1, 2)
    assert [f["id"] for f in first["items"]] == ids[::-1][:2]  # newest first
    second = env.client.get("/openapi/numberfiles", params={"pageSize": 2, "pageIndex": 2}).json()
    assert [f["id"] for f in second["items"]] == [ids[0]]
    assert env.other.get("/openapi/numberfiles").json()["total"] == 0


def test_a_deleted_file_is_gone_and_the_tasks_that_used_it_keep_their_numbers(env):
    fid = upload(env.client, csv_bytes([["13912345678", "张三", ""], ["138", "bad", ""]])).json()[
        "id"
    ]
    body = {"name": "t", "assistantId": create_assistant(env.client)["id"]}
    r = env.client.post("/openapi/tasks", json={**body, "option": {**OPTION, "numbers": [fid]}})
    task = r.json()
    assert env.other.delete(f"/openapi/numberfiles/{fid}").status_code == 404
    r = env.client.delete(f"/openapi/numberfiles/{fid}")
    assert r.status_code == 204, r.text
    assert env.client.get(f"/openapi/numberfiles/{fid}").status_code == 404
    assert env.client.get("/openapi/numberfiles").json()["total"] == 0
    assert env.client.delete(f"/openapi/numberfiles/{fid}").status_code == 404
    with env.db.session() as s:
        assert s.scalar(select(func.count()).select_from(NumberFileChunk)) == 0
    detail = env.client.get(f"/openapi/tasks/{task['id']}").json()
    assert (detail["total"], detail["rejected"], detail["option"]["numbers"]) == (1, 1, [fid])
    numbers = env.client.get(f"/openapi/tasks/{task['id']}/numbers").json()["items"]
    assert [(n["phone"], n["fileId"]) for n in numbers] == [("+8613912345678", fid)]
    r = env.client.post("/openapi/tasks", json={**body, "option": {**OPTION, "numbers": [fid]}})
    assert_error(r, 422, f"no number file with id {fid}")
