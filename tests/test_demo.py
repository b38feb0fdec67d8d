"""`voxdial demo`: its task and calls read back through the API as a client would."""

from __future__ import annotations

import io

from rich.console import Console
from sqlalchemy import select

from tests.conftest import make_settings
from tests.test_call_detail import assert_call_log_shape
from tests.test_task_detail import SEED, assert_shape
from voxdial.api.app import create_app
from voxdial.demo import run_demo
from voxdial.domain.attribution import attribute_of
from voxdial.store.db import Database
from voxdial.store.models import Workspace
from voxdial.store.tokens import create_token, get_or_create_workspace


def test_demo_task_and_calls_have_the_documented_fields(sqlite_url, tmp_path, capsys):
    from fastapi.testclient import TestClient

    settings = make_settings(sqlite_url, tmp_path)
    task_id = run_demo(settings, numbers=12, seed=7, console=Console(file=io.StringIO()))
    capsys.readouterr()
    db = Database(sqlite_url)
    try:
        with db.session() as s:
            ws = s.execute(select(Workspace).where(Workspace.name == "default")).scalar_one()
            _, user = get_or_create_workspace(s, name="default", email="admin@localhost")
            token = create_token(s, workspace=ws, user=user)
            s.commit()
        client = TestClient(create_app(settings, db=db), raise_server_exceptions=False)
        client.headers["Authorization"] = f"Bearer {token}"
        detail = client.get(f"/openapi/tasks/{task_id}").json()
        assert_shape(SEED, detail)
        assert detail["total"] == 12
        assert detail["option"]["numberFileMeta"] == {"号码": -1, "备注": -1, "姓名": -1}
        (fid,) = detail["option"]["numbers"]
        nf = client.get(f"/openapi/numberfiles/{fid}").json()
        assert (nf["kind"], nf["rows"], nf["columns"]) == ("json", 12, ["号码", "姓名"])

        # the calls the dialer made, as VoiceFox's call detail
        calls = client.get("/openapi/calllog", params={"taskId": task_id, "pageSize": 100})
        items = calls.json()["items"]
        assert items, calls.text
        for item in items[:3]:
            detail = client.get(f"/openapi/call_logs/{item['sessionId']}").json()
            assert_call_log_shape(detail)
            assert (detail["taskId"], detail["numberId"]) == (task_id, fid)
            assert detail["assistantVids"] == [detail["collect"][0]["vid"]]
            assert detail["calleeAttribute"] == attribute_of(detail["callee"]) != ""
            assert detail["calleeAttribute"] == item["calleeAttribute"]
    finally:
        db.dispose()
