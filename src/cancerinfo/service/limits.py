"""Limits on what one client can ask of the service: a request rate and a body size.

The rate is a token bucket per client address: ``per_minute`` tokens, refilled evenly over a
minute, one spent per request, so a client may burst up to ``per_minute`` requests and then
gets one every ``60 / per_minute`` seconds. Buckets live in the process (each of ``serve
--workers N`` counts on its own); idle full buckets are forgotten, so memory stays bounded.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Paths no limit applies to: the page's own files and the health check.
UNLIMITED_PREFIXES = ("/static/", "/healthz", "/favicon.ico")
_FORGET_AFTER = 4096  # clients kept before idle full buckets are dropped


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """Per-client token buckets. :meth:`take` spends one token or says how long to wait."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0:
            raise ValueError(f"per_minute must be positive, got {per_minute}")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, client: str) -> int:
        """0 when the request may go ahead, else the whole seconds to wait (Retry-After)."""
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= _FORGET_AFTER:
                self._forget_idle(now)
            bucket = self._buckets[client] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    def _forget_idle(self, now: float) -> None:
        full_after = self.capacity / self.rate
        for client in [c for c, b in self._buckets.items() if now - b.updated >= full_after]:
            del self._buckets[client]

    def __len__(self) -> int:
        return len(self._buckets)


def is_limited(path: str) -> bool:
    return not path.startswith(UNLIMITED_PREFIXES)
