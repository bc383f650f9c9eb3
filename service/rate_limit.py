"""Per-caller rate limit: a token bucket per API key (or client address), in this process's
memory; with several replicas each enforces the limit on its own share of the traffic."""
from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, last refill)
        self._lock = threading.Lock()

    def check(self, caller: str) -> float:
        """0 when the request may go on, else the seconds until it could."""
        if self.per_minute <= 0:
            return 0.0
        rate = self.per_minute / 60.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(caller, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[caller] = (tokens - 1.0, now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            return (1.0 - tokens) / rate
