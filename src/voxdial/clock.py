"""Injected time. `SystemClock` for production; `VirtualClock` runs whole campaigns in
virtual time: it jumps to the next deadline as soon as every tracked coroutine is
waiting on it, so a day of calling takes as long as the work, not the day."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...

    async def nap(self, seconds: float) -> None:
        """Sleep up to `seconds`, or until `poke()`; one napper at a time."""

    def poke(self) -> None: ...

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]: ...


class SystemClock:
    def __init__(self) -> None:
        self._poked: asyncio.Event | None = None

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def nap(self, seconds: float) -> None:
        if self._poked is None:
            self._poked = asyncio.Event()
        try:
            await asyncio.wait_for(self._poked.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            pass
        self._poked.clear()

    def poke(self) -> None:
        if self._poked is not None:
            self._poked.set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        return asyncio.get_running_loop().create_task(coro)


class VirtualClock:
    """A clock whose time moves only when every tracked coroutine sleeps on it.

    Coroutines started with `spawn()` are tracked. `run()` drives the loop: when all of
    them are asleep, time jumps to the earliest deadline and those sleepers wake.
    Tracked coroutines must not wait on anything but this clock (database work is done
    synchronously in virtual mode).
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs an aware start time")
        self._now = start.astimezone(UTC)
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._active = 0
        self._waiting = 0
        self._nap: asyncio.Future[None] | None = None

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        deadline = self._now + timedelta(seconds=max(0.0, seconds))
        heapq.heappush(self._sleepers, (deadline, next(self._seq), fut))
        self._waiting += 1
        try:
            await fut
        finally:
            if not fut.done():  # cancelled while asleep
                self._waiting -= 1
                fut.cancel()

    async def nap(self, seconds: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._nap = fut
        deadline = self._now + timedelta(seconds=max(0.0, seconds))
        heapq.heappush(self._sleepers, (deadline, next(self._seq), fut))
        self._waiting += 1
        try:
            await fut
        finally:
            self._nap = None

    def poke(self) -> None:
        fut = self._nap
        if fut is not None and not fut.done():
            self._waiting -= 1
            fut.set_result(None)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        self._active += 1
        task = asyncio.get_running_loop().create_task(coro)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, _task: asyncio.Task[Any]) -> None:
        self._active -= 1

    def _advance(self) -> bool:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)
        if not self._sleepers:
            return False
        deadline = self._sleepers[0][0]
        self._now = max(self._now, deadline)
        while self._sleepers and self._sleepers[0][0] <= deadline:
            _, _, fut = heapq.heappop(self._sleepers)
            if not fut.done():
                self._waiting -= 1
                fut.set_result(None)
        return True

    async def run(self, main: Coroutine[Any, Any, Any]) -> Any:
        """Run `main` (tracked) to completion in virtual time and return its result."""
        task = self.spawn(main)
        while not task.done():
            await asyncio.sleep(0)
            if self._active > 0 and self._waiting >= self._active and not self._advance():
                raise RuntimeError("virtual clock: every coroutine waits and none has a deadline")
        return task.result()
