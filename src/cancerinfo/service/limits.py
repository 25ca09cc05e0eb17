"""Limits on what one client can ask of the service: a request rate, a daily quota of
questions and a body size.

The rate is a token bucket per client address: ``per_minute`` tokens, refilled evenly over a
minute, one spent per request, so a client may burst up to ``per_minute`` requests and then
gets one every ``60 / per_minute`` seconds. Buckets live in the process (each of ``serve
--workers N`` counts on its own).

Work and memory are bounded whatever the clients do: the buckets are kept least recently
used first, at most ``max_clients`` of them; a new client past that evicts the one unseen
the longest (O(1): no scan of the others). An evicted client starts again with a full
bucket, which is what it would have after a minute of silence anyway; a client silent that
long is forgotten anyway, so the table shrinks when traffic does.

The client is the peer address the server saw. ``X-Forwarded-For`` counts only from the
proxies named by ``--trusted-proxy`` / ``CANCERINFO_TRUSTED_PROXIES`` (none by default):
uvicorn rewrites the peer address from it for those peers only (see ``cli.py serve``).

The daily quota (:class:`DailyQuota`) counts the questions a client asks per UTC day. Its
table never holds an address: a client is known by an HMAC-SHA256 of its address under a
key drawn at random when the process starts (and never stored), so neither the memory of
the process nor a dump of it says who asked. Bounded like the buckets: at most
``max_clients`` counters, least recently seen dropped first, O(1) per question.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

#: Paths no limit applies to: the page's own files and the health check.
UNLIMITED_PREFIXES = ("/static/", "/healthz", "/favicon.ico")
#: Clients whose buckets are kept (about 100 bytes each); the least recently seen go first.
MAX_CLIENTS = 16_384


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """Per-client token buckets. :meth:`take` spends one token or says how long to wait."""

    def __init__(
        self, per_minute: int, *, clock: Callable[[], float] = time.monotonic, max_clients: int = MAX_CLIENTS
    ) -> None:
        if per_minute <= 0 or max_clients <= 0:
            raise ValueError(f"per_minute and max_clients must be positive, got {per_minute}, {max_clients}")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self.max_clients = max_clients
        self._full_after = self.capacity / self.rate  # seconds for an empty bucket to refill
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, client: str) -> int:
        """0 when the request may go ahead, else the whole seconds to wait (Retry-After)."""
        now = self.clock()
        buckets = self._buckets
        # clients unseen long enough to have a full bucket again are forgotten, oldest first:
        # each is dropped once, so this is O(1) per request on average
        while buckets:
            oldest = next(iter(buckets.values()))
            if now - oldest.updated < self._full_after:
                break
            buckets.popitem(last=False)
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self.max_clients:
                self._buckets.popitem(last=False)  # the client unseen the longest
            bucket = self._buckets[client] = _Bucket(self.capacity, now)
        else:
            self._buckets.move_to_end(client)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    def __len__(self) -> int:
        return len(self._buckets)


SECONDS_A_DAY = 86_400


@dataclass(slots=True)
class _Count:
    day: int
    asked: int


class DailyQuota:
    """Per-client counts of questions for the current UTC day. :meth:`take` counts one
    question or says how many seconds are left until the quota is renewed (midnight UTC)."""

    def __init__(
        self,
        per_day: int,
        *,
        clock: Callable[[], float] = time.time,
        max_clients: int = MAX_CLIENTS,
        key: bytes | None = None,
    ) -> None:
        if per_day <= 0 or max_clients <= 0:
            raise ValueError(f"per_day and max_clients must be positive, got {per_day}, {max_clients}")
        self.per_day = per_day
        self.clock = clock
        self.max_clients = max_clients
        self._key = key if key is not None else secrets.token_bytes(32)
        self._counts: OrderedDict[bytes, _Count] = OrderedDict()

    def client_key(self, client: str) -> bytes:
        """What the table keeps of a client: 16 bytes of an HMAC of its address, never the address."""
        return hmac.new(self._key, client.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()[:16]

    def take(self, client: str) -> int:
        """0 when ``client`` may ask one more question today (it is counted), else the whole
        seconds until midnight UTC, when its count starts again (Retry-After)."""
        now = self.clock()
        today = int(now // SECONDS_A_DAY)
        counts = self._counts
        # counters of an earlier day are worth nothing: drop them, least recently seen first
        # (each goes once, so O(1) per question on average)
        while counts:
            oldest = next(iter(counts.values()))
            if oldest.day == today:
                break
            counts.popitem(last=False)
        key = self.client_key(client)
        count = counts.get(key)
        if count is None:
            if len(counts) >= self.max_clients:
                counts.popitem(last=False)  # the client unseen the longest
            count = counts[key] = _Count(today, 0)
        else:
            counts.move_to_end(key)
        if count.asked >= self.per_day:
            return max(1, math.ceil((today + 1) * SECONDS_A_DAY - now))
        count.asked += 1
        return 0

    def __len__(self) -> int:
        return len(self._counts)

    def __contains__(self, client: object) -> bool:
        return isinstance(client, str) and self.client_key(client) in self._counts


def is_limited(path: str) -> bool:
    """Whether the rate limit applies to ``path`` (not to static files or the health check)."""
    return not path.startswith(UNLIMITED_PREFIXES)


def trusted_proxies(text: str) -> list[str]:
    """The addresses (or networks, e.g. ``10.0.0.0/8``) of ``CANCERINFO_TRUSTED_PROXIES``,
    comma-separated; :class:`ValueError` names one that is neither."""
    proxies = [part.strip() for part in text.split(",") if part.strip()]
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ValueError(
                f"trusted proxy {proxy!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    return proxies
