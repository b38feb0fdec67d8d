"""Formula-safe exports: a value a spreadsheet would run as a formula is kept as given in
the database and the JSON API, and written with a leading apostrophe into every CSV
voxdial makes (`numbers/export.py`)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.api import OPTION, create_assistant, upload
from voxdial.numbers.export import csv_chunks, neutralise_cell

NEUTRALISED = [
    # (value, written as)
    ("=1+1", "'=1+1"),
    ("+1+1", "'+1+1"),
    ("-1+1", "'-1+1"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ('=HYPERLINK("http://x.example","点我")', '\'=HYPERLINK("http://x.example","点我")'),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\t\r@x", "'\t\r@x"),
    ("  =1+1", "'  =1+1"),
    ("\tplain", "'\tplain"),  # a leading tab or CR alone is neutralised too
    ("\rplain", "'\rplain"),
    ("+8613912345678", "'+8613912345678"),
    ("-", "'-"),
    ("=", "'="),
]
KEPT = [
    "13912345678",
    "张三",
    "a=b",
    "1+1",
    "x@example.com",
    "'quoted",
    "",
    " plain",
    "备注: =不是公式",
]


@pytest.mark.parametrize("value, written", NEUTRALISED, ids=[repr(v) for v, _ in NEUTRALISED])
def test_formula_starts_are_neutralised(value, written):
    assert neutralise_cell(value) == written


@pytest.mark.parametrize("value", KEPT, ids=[repr(v) for v in KEPT])
def test_other_values_are_written_as_they_are(value):
    assert neutralise_cell(value) == value


def test_non_text_cells():
    assert neutralise_cell(None) == ""
    assert neutralise_cell(42) == "42"
    assert neutralise_cell(-5) == "'-5"


def test_csv_chunks_neutralise_every_cell_and_read_back():
    rows = [[i, f"=A{i}", "张三"] for i in range(1200)]
    text = "".join(csv_chunks(["=header", "b", "c"], rows))
    assert text.startswith("\ufeff")
    back = list(csv.reader(io.StringIO(text[1:])))
    assert back[0] == ["'=header", "b", "c"]
    assert back[1:] == [[str(i), f"'=A{i}", "张三"] for i in range(1200)]


def test_rejects_export_keeps_values_as_data_but_neutralised(env):
    rows = [
        ["13912345678", "张三", ""],
        ['=HYPERLINK("http://x.example","点我")', "a", ""],
        ["@SUM(1+1)*cmd|' /C calc'!A0", "b", ""],
        ["\t=1+1", "c", ""],
        ["12345", "d", ""],
    ]
    buf = io.StringIO()
    csv.writer(buf).writerows([["号码", "姓名", "备注"], *rows])
    r = upload(env.client, buf.getvalue().encode())
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    body = {"name": "t", "assistantId": create_assistant(env.client)["id"]}
    r = env.client.post("/openapi/tasks", json={**body, "option": {**OPTION, "numbers": [fid]}})
    task = r.json()
    assert task["rejected"] == 4
    stored = [
        x["value"] for x in env.client.get(f"/openapi/tasks/{task['id']}/rejects").json()["items"]
    ]
    assert stored == [r[0] for r in rows[1:]]  # the data is kept as given

    r = env.client.get(f"/openapi/tasks/{task['id']}/rejects.csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert f"task-{task['id']}-rejects.csv" in r.headers["content-disposition"]
    back = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert back[0] == ["row", "fileId", "value", "reason", "detail"]
    assert [(x[0], x[1], x[2], x[3]) for x in back[1:]] == [
        ("3", str(fid), '\'=HYPERLINK("http://x.example","点我")', "invalid"),
        ("4", str(fid), "'@SUM(1+1)*cmd|' /C calc'!A0", "invalid"),
        ("5", str(fid), "'\t=1+1", "invalid"),
        ("6", str(fid), "12345", "invalid"),
    ]
    assert env.other.get(f"/openapi/tasks/{task['id']}/rejects.csv").status_code == 404
