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
  the capacity. That call more is a probe: if the next decision finds the target passed
  and cuts, probing again waits twice as many calm decisions (up to `max_calm`); a probe
  that holds brings the wait back to `raise_after`. So a worker whose right figure is N
  spends little time at N + 1 finding it again.

The decision is `decide`, a pure function of a `PaceState`; `SpokenPace` keeps the turns
and the time (an injected monotonic clock) and is safe to feed from the calls' threads.
`bench/pace_sim.py` runs it on a worker modelled on the measured latencies.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class PaceConfig:
    target_s: float = 1.5  # the turn-latency p95 to hold
    period_s: float = 10.0  # at most one decision this often
    min_turns: int = 5  # turns a decision needs
    decrease: float = 0.75  # the limit's share kept after a turn-latency excess
    raise_after: int = 3  # decisions in a row at or under the target before one call more
    max_calm: int = 48  # the longest wait, in calm decisions, before probing again
    max_turns: int = 2000  # turns kept between decisions (the latest)


@dataclass(frozen=True)
class PaceState:
    limit: int
    calm: int = 0  # decisions in a row at or under the target
    calm_needed: int = 3  # calm decisions before the next call more
    probing: bool = False  # the last decision added a call


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def decide(
    state: PaceState, *, latency_p95: float, running: int, capacity: int, config: PaceConfig
) -> PaceState:
    """The next state, from the p95 of the turns since the last decision."""
    limit = state.limit
    if latency_p95 > config.target_s:
        if running > limit:  # the last cut has not taken effect yet
            return replace(state, calm=0)
        wait = state.calm_needed
        if state.probing:  # the call more was one too many: probe less often
            wait = min(config.max_calm, wait * 2)
        cut = max(1, min(limit - 1, int(limit * config.decrease)))
        return PaceState(cut, 0, wait, probing=False)
    wait = config.raise_after if state.probing else state.calm_needed
    calm = state.calm + 1
    if calm < wait:
        return PaceState(limit, calm, wait, probing=False)
    if limit >= capacity:
        return PaceState(capacity, 0, wait, probing=False)
    return PaceState(limit + 1, 0, wait, probing=True)


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
        self.state = PaceState(self.capacity, calm_needed=self.config.raise_after)
        self.last_p95: float | None = None  # the latest decision's input
        self._clock = clock
        self._turns: list[float] = []
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
                return self.state.limit
            self.last_p95 = p95(self._turns)
            self._turns.clear()
            self._decided_at = now
            self.state = decide(
                self.state,
                latency_p95=self.last_p95,
                running=running,
                capacity=self.capacity,
                config=self.config,
            )
            return self.state.limit

    @property
    def limit(self) -> int:
        return self.state.limit
