"""Per-token token bucket, in process memory.

Each API process keeps its own buckets; behind a balancer with N processes the limit a
token sees is at most N times the setting.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable


class TokenBucketLimiter:
    """`rate` tokens a second per key, at most `burst` saved up; `clock` gives the time
    in seconds (`time.monotonic` in the app, a hand-moved one in tests)."""

    def __init__(self, *, rate: float, burst: int, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: int) -> float:
        """Take one token. Returns 0 when allowed, else the seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    @staticmethod
    def retry_after(wait: float) -> int:
        return max(1, math.ceil(wait))
