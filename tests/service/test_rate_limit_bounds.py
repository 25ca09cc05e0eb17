"""The rate limiter under abuse (issue 15, point 3): bounded memory with many clients, and
X-Forwarded-For believed only from proxies named explicitly (real servers)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cancerinfo.service.limits import TokenBuckets, trusted_proxies
from tests.service.conftest import Server
from tests.test_cli import cli


def test_100k_distinct_clients_keep_the_table_within_its_bound() -> None:
    now = [0.0]
    buckets = TokenBuckets(2, clock=lambda: now[0], max_clients=1_000)
    largest = 0
    for n in range(100_000):
        now[0] += 0.0001  # all within a few seconds: no bucket has refilled
        assert buckets.take(f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}") == 0
        if n % 97 == 0:  # a steady client among them is seen often: it is never forgotten
            buckets.take("steady")
        largest = max(largest, len(buckets))
    assert largest <= 1_000 and len(buckets) == 1_000
    assert buckets.take("steady") > 0  # its spent bucket was kept: still limited


def test_a_forgotten_client_is_the_one_unseen_the_longest() -> None:
    buckets = TokenBuckets(1, clock=lambda: 0.0, max_clients=2)
    assert buckets.take("a") == 0 and buckets.take("b") == 0
    assert buckets.take("a") > 0  # a is seen again: b is now the oldest
    buckets.take("c")
    assert buckets.take("a") > 0  # a was kept (still limited); b was forgotten
    assert buckets.take("b") == 0


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert trusted_proxies("") == []
    assert trusted_proxies(" 127.0.0.1, 10.0.0.0/8 ,::1") == ["127.0.0.1", "10.0.0.0/8", "::1"]
    with pytest.raises(ValueError, match=r"'proxy\.example' is not an IP address"):
        trusted_proxies("127.0.0.1,proxy.example")


def test_serve_refuses_a_trusted_proxy_that_is_not_an_address(tmp_path: Path) -> None:
    result = cli("serve", "--db", str(tmp_path / "none.db"), "--trusted-proxy", "proxy.example")
    text = result.stdout + result.stderr
    assert result.returncode == 2 and "Traceback" not in text
    assert "'proxy.example' is not an IP address" in text and len(text.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def limited_db(service_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("limits") / "store.db"
    shutil.copy(service_db, db)
    return db


def spoofed(server: Server, addresses: list[str]) -> list[int]:
    """The statuses of one request per forged X-Forwarded-For address (a cheap 404 path)."""
    with httpx.Client(base_url=server.url, timeout=30.0) as http:
        return [
            http.get("/v1/none", headers={"X-Forwarded-For": address}).status_code
            for address in addresses
        ]


@pytest.fixture
def untrusting(limited_db: Path, tmp_path: Path) -> Iterator[Server]:
    running = Server(
        limited_db, tmp_path / "server.log", env={"CANCERINFO_RATE_LIMIT_PER_MINUTE": "1"}
    )
    yield running
    running.stop()


@pytest.fixture
def trusting(limited_db: Path, tmp_path: Path) -> Iterator[Server]:
    running = Server(
        limited_db,
        tmp_path / "server.log",
        env={"CANCERINFO_RATE_LIMIT_PER_MINUTE": "1", "CANCERINFO_TRUSTED_PROXIES": "127.0.0.1"},
    )
    yield running
    running.stop()


def test_a_forged_forwarded_for_from_loopback_does_not_change_the_client(
    untrusting: Server,
) -> None:
    # one request a minute: the second, whatever address it claims, is the same client
    assert spoofed(untrusting, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [404, 429, 429]


def test_a_named_proxy_forwarded_for_names_the_client(trusting: Server) -> None:
    assert spoofed(trusting, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [404, 404, 404]
    assert spoofed(trusting, ["203.0.113.1"]) == [429]  # the same client again: limited
