"""A few threads of their own for reading number files (checking uploads, importing).

Parsing a spreadsheet is CPU work that can take seconds. Run in the API's shared thread
pool, a burst of uploads would hold every thread and stall the quick reads behind them;
here at most `threads` files are read at once and `queue` more wait (without holding a
thread). A request past that is refused at once with `ServiceUnavailable` (503 with
Retry-After) rather than queued without bound.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from voxdial.errors import ServiceUnavailable

T = TypeVar("T")

RETRY_AFTER_SECONDS = 5


class FilePool:
    def __init__(self, *, threads: int, queue: int) -> None:
        self.threads = max(1, threads)
        self.capacity = self.threads + max(0, queue)
        self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="voxdial-files")
        self._slots = threading.BoundedSemaphore(self.capacity)

    def submit(self, fn: Callable[..., T], *args: object) -> Future[T]:
        """Start `fn(*args)` on the pool, or raise ServiceUnavailable when it is full.
        The slot is held until `fn` returns, even if the caller stops waiting."""
        if not self._slots.acquire(blocking=False):
            raise ServiceUnavailable(
                f"the server is reading {self.capacity} number files already; "
                f"retry in {RETRY_AFTER_SECONDS} seconds",
                retry_after=RETRY_AFTER_SECONDS,
            )
        try:
            future = self._executor.submit(fn, *args)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return future

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.wrap_future(self.submit(fn, *args))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
