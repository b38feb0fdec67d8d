"""What keeps unauthenticated load on the assistant websocket cheap.

Anyone can open `ws://HOST/openapi/assistants/{id}/ws`, so before a socket costs a
database look-up or a voice session it must pass limits that cost a dict look-up:

- failed authentications per client address: after `auth_failures_per_minute` in the
  last minute, the address's sockets are closed at once, before accept and without a
  look-up, until the minute has passed (policy violation, 1008);
- open sockets, per client address and in total: over either cap a socket is closed
  with 1013 "try again later" and says which cap;
- a socket without a valid token in its URL has `start_seconds` from opening to send
  its `start` message; `connected` and other messages do not extend it.

The client address is the one the server reports: the TCP peer's, or behind a reverse
proxy the caller's from `X-Forwarded-For` when uvicorn trusts that proxy
(`forwarded_allow_ips`); otherwise every caller shares the proxy's address and its
limits. One guard per app; all of it runs on the event loop.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

POLICY_VIOLATION = 1008
UNSUPPORTED_DATA = 1003
TRY_AGAIN_LATER = 1013
WINDOW_SECONDS = 60.0
MAX_TRACKED = 10_000  # client addresses whose failures are remembered


@dataclass
class SocketLimits:
    start_seconds: float = 5.0
    max_per_client: int = 20
    max_total: int = 1000
    auth_failures_per_minute: int = 10

    @classmethod
    def from_settings(cls, settings: Any) -> SocketLimits:
        return cls(
            start_seconds=settings.websocket_start_seconds,
            max_per_client=settings.websocket_max_per_client,
            max_total=settings.websocket_max_total,
            auth_failures_per_minute=settings.websocket_auth_failures_per_minute,
        )


class SocketGuard:
    """Counts open sockets and failed authentications; `clock` is monotonic seconds."""

    def __init__(
        self, limits: SocketLimits | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or SocketLimits()
        self.clock = clock
        self._open: dict[str, int] = {}
        self._total = 0
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    # -- failed authentications ------------------------------------------------------

    def _recent(self, client: str) -> deque[float] | None:
        failures = self._failures.get(client)
        if failures is None:
            return None
        horizon = self.clock() - WINDOW_SECONDS
        while failures and failures[0] <= horizon:
            failures.popleft()
        if not failures:
            del self._failures[client]
            return None
        return failures

    def blocked(self, client: str) -> bool:
        """Has `client` failed to authenticate too often in the last minute?"""
        failures = self._recent(client)
        return failures is not None and len(failures) >= self.limits.auth_failures_per_minute

    def failed(self, client: str) -> None:
        """Note a failed authentication by `client`."""
        failures = self._recent(client) or deque()
        failures.append(self.clock())
        self._failures[client] = failures
        self._failures.move_to_end(client)
        while len(self._failures) > MAX_TRACKED:
            self._failures.popitem(last=False)

    # -- open sockets ----------------------------------------------------------------

    def admit(self, client: str) -> str | None:
        """Count a new socket of `client` and return None, or the reason it is over a
        cap (then nothing is counted)."""
        if self._total >= self.limits.max_total:
            return "too many open sockets on this server; try again later"
        if self._open.get(client, 0) >= self.limits.max_per_client:
            return "too many open sockets from this address; try again later"
        self._open[client] = self._open.get(client, 0) + 1
        self._total += 1
        return None

    def release(self, client: str) -> None:
        """A socket `admit` counted has closed."""
        left = self._open.get(client, 0) - 1
        if left > 0:
            self._open[client] = left
        else:
            self._open.pop(client, None)
        self._total = max(0, self._total - 1)

    def open_sockets(self, client: str | None = None) -> int:
        return self._total if client is None else self._open.get(client, 0)

    # -- deadlines -------------------------------------------------------------------

    def deadline(self, seconds: float | None = None) -> float:
        """The clock time by which `start` must have come (`start_seconds` from now)."""
        return self.clock() + (self.limits.start_seconds if seconds is None else seconds)

    def remaining(self, deadline: float) -> float:
        return deadline - self.clock()


def socket_guard(app: Any) -> SocketGuard:
    """The app's guard (`app.state.socket_guard`), made from its settings on first use."""
    guard = getattr(app.state, "socket_guard", None)
    if guard is None:
        guard = SocketGuard(SocketLimits.from_settings(app.state.voxdial.settings))
        app.state.socket_guard = guard
    return guard
