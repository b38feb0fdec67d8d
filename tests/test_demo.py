"""`voxdial demo`: its task and calls read back through the API as a client would."""

from __future__ import annotations

import io

from rich.console import Console
from sqlalchemy import select

from tests.conftest import make_settings
from tests.test_task_detail import SEED, assert_shape
from voxdial.api.app import create_app
from voxdial.demo import run_demo
from voxdial.store.db import Database
from voxdial.store.models import Workspace
from voxdial.store.tokens import create_token, get_or_create_workspace


def test_demo_task_has_the_seed_s_fields_and_lists_its_numbers(sqlite_url, tmp_path, capsys):
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
    finally:
        db.dispose()
