"""Benchmark: what one `GET /metrics` scrape costs, against the webhook backlog it counts.

    .venv/bin/python bench/metrics_scrape.py [--backlog 0,10000,100000] [--scrapes 200]

For each backlog size: a fresh SQLite database (migrated) with that many undelivered
webhook outbox rows (the count `voxdial_webhook_backlog` runs at each scrape), an app
(`create_app`) with a metrics token, and `--scrapes` scrapes through Starlette's test
client (in process, no sockets), after 10 warm-ups. Reports the median and p95 wall time
of a scrape, and the same for `GET /healthz` (the request path's own cost), and the
ratio of the two medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.figures import commit, pct  # noqa: E402

from voxdial.api.app import create_app  # noqa: E402
from voxdial.settings import Settings  # noqa: E402
from voxdial.store.db import Database  # noqa: E402
from voxdial.store.migrate import upgrade  # noqa: E402
from voxdial.store.models import Webhook, WebhookOutbox  # noqa: E402
from voxdial.store.tokens import get_or_create_workspace  # noqa: E402

TOKEN = "bench-metrics"


def timed(client: TestClient, path: str, n: int, headers: dict[str, str]) -> list[float]:
    for _ in range(10):
        assert client.get(path, headers=headers).status_code == 200
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(path, headers=headers)
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200
    return times


def run(backlog: int, scrapes: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        db = Database(url)
        with db.session() as s:
            ws, _ = get_or_create_workspace(s, name="bench", email="ops@bench.test")
            hook = Webhook(workspace_id=ws.id, url="https://example.test/h", events=[], secret="x")
            s.add(hook)
            s.flush()
            rows = [
                {
                    "workspace_id": ws.id,
                    "webhook_id": hook.id,
                    "event": "task.call.end",
                    "payload": {},
                    "attempts": i % 2,
                }
                for i in range(backlog)
            ]
            for i in range(0, len(rows), 5000):
                s.execute(WebhookOutbox.__table__.insert(), rows[i : i + 5000])
            s.commit()
        settings = Settings(database_url=url, data_dir=Path(tmp) / "data", metrics_token=TOKEN)
        app = create_app(settings, db=db)
        auth = {"Authorization": f"Bearer {TOKEN}"}
        with TestClient(app) as client:
            body = client.get("/metrics", headers=auth).text
            assert f"voxdial_webhook_backlog {float(backlog)}" in body
            scrape = timed(client, "/metrics", scrapes, auth)
            health = timed(client, "/healthz", scrapes, {})
        db.dispose()

    return {
        "backlog": backlog,
        "scrape_p50_ms": pct(scrape, 50) * 1000,
        "scrape_p95_ms": pct(scrape, 95) * 1000,
        "healthz_p50_ms": pct(health, 50) * 1000,
        "ratio": statistics.median(scrape) / statistics.median(health),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backlog", default="0,10000,100000")
    parser.add_argument("--scrapes", type=int, default=200)
    args = parser.parse_args()
    print(f"commit {commit()}")  # noqa: T201
    print("| undelivered rows | scrape p50 ms | scrape p95 ms | /healthz p50 ms | ratio |")  # noqa: T201
    print("|---|---|---|---|---|")  # noqa: T201
    for n in (int(x) for x in args.backlog.split(",")):
        r = run(n, args.scrapes)
        print(  # noqa: T201
            f"| {n:,} | {r['scrape_p50_ms']:.2f} | {r['scrape_p95_ms']:.2f} "
            f"| {r['healthz_p50_ms']:.2f} | {r['ratio']:.1f}x |"
        )


if __name__ == "__main__":
    main()
