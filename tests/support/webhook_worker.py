"""One webhook delivery pass in a process of its own, for the test that kills a worker
mid-send: `python tests/support/webhook_worker.py DATABASE_URL`."""

from __future__ import annotations

import asyncio
import sys

from voxdial.store.db import Database
from voxdial.webhooks import AddressPolicy, WebhookDeliverer

RECEIVER = AddressPolicy.from_text("127.0.0.1/32")  # the test's receiver, allowed


async def main(url: str) -> None:
    db = Database(url)
    try:
        async with WebhookDeliverer(
            db, worker_id="doomed", timeout=30, lock_s=60, policy=RECEIVER
        ) as d:
            await d.deliver_due()
    finally:
        db.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
