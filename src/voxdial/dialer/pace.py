"""Adaptive pace: how many spoken calls the dialer keeps going, from how fast they answer.

The worker's spoken-call capacity (`voice_max_sessions`) is the figure that holds the
turn-latency target on the benchmark machine; on another machine, with other voices or a
busy neighbour, it may hold more or fewer. `SpokenPace` watches the latency of the
callee turns actually answered (end of the callee's speech to the reply's first audio)
and moves the dialer's spoken-call limit, additive increase, multiplicative decrease:

- every `period_s`, once at least `min_turns` turns were answered since the last
  decision, it takes their 95th percentile;
- above `target_s`: the limit drops to `decrease` of itself (at least one call less,
  never below 1). While more calls run than the limit (the last cut still draining:
  calls in progress are never cut short), it waits rather than cut again;
- at or below the target for `raise_after` decisions in a row: one call more, never above
  the capacity.

The decision is `next_limit`, a pure function; `SpokenPace` keeps the turns and the time
(an injected monotonic clock) and is safe to feed from the calls' threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PaceConfig:
    target_s: float = 1.5  # the turn-latency p95 to hold
    period_s: float = 10.0  # at most one decision this often
    min_turns: int = 5  # turns a decision needs
    decrease: float = 0.75  # the limit's share kept after a turn-latency excess
    raise_after: int = 3  # decisions in a row at or under the target before one call more
    max_turns: int = 2000  # turns kept between decisions (the latest)


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def next_limit(
    limit: int,
    *,
    latency_p95: float,
    running: int,
    capacity: int,
    calm: int,
    config: PaceConfig,
) -> tuple[int, int]:
    """The next spoken-call limit and count of calm decisions, from the turns' p95."""
    if latency_p95 > config.target_s:
        if running > limit:
            return limit, 0  # the last cut has not taken effect yet
        cut = min(limit - 1, int(limit * config.decrease))
        return max(1, cut), 0
    calm += 1
    if calm >= config.raise_after:
        return min(capacity, limit + 1), 0
    return limit, calm


class SpokenPace:
    """The dialer's spoken-call limit, between 1 and `capacity`, starting at `capacity`."""

    def __init__(
        self,
        capacity: int,
        *,
        config: PaceConfig | None = None,
        clock: Callable[[], float],
    ) -> None:
        self.capacity = max(1, capacity)
        self.config = config or PaceConfig()
        self.limit = self.capacity
        self.last_p95: float | None = None  # the latest decision's input
        self._clock = clock
        self._turns: list[float] = []
        self._calm = 0
        self._decided_at = clock()
        self._lock = threading.Lock()

    def observe(self, latency_s: float) -> None:
        """One answered turn's latency (any thread)."""
        with self._lock:
            self._turns.append(latency_s)
            if len(self._turns) > self.config.max_turns:
                del self._turns[: len(self._turns) - self.config.max_turns]

    def current(self, *, running: int) -> int:
        """The limit now; decides first when a decision is due. `running`: the spoken
        calls in progress."""
        with self._lock:
            now = self._clock()
            if (
                now - self._decided_at < self.config.period_s
                or len(self._turns) < self.config.min_turns
            ):
                return self.limit
            self.last_p95 = p95(self._turns)
            self._turns.clear()
            self._decided_at = now
            self.limit, self._calm = next_limit(
                self.limit,
                latency_p95=self.last_p95,
                running=running,
                capacity=self.capacity,
                calm=self._calm,
                config=self.config,
            )
            return self.limit
