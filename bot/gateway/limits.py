"""A per-conversation rate limit: 30 messages in a burst, then one a second (no person types
faster; a script flooding one conversation is slowed down).

Kept in this process; several gateways share it through Redis in the scale issue.
"""

from __future__ import annotations

import time


class RateLimit:
    def __init__(self, burst: int = 30, per_second: float = 1.0) -> None:
        self.burst = burst
        self.per_second = per_second
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, last time)

    def allow(self, key: str) -> bool:
        """True when this key may send one more message now."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
        if len(self._buckets) > 100_000:  # forget idle keys rather than grow without end
            self._buckets.clear()
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1, now)
        return True
