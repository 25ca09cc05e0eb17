"""A daily quota of questions per client (issue 15, point 3): ``CANCERINFO_CLIENT_DAILY_QUOTA``.

Past it a client gets ``429`` with the code ``quota_exceeded`` and a ``Retry-After`` that
runs to midnight UTC. The table behind it keeps an HMAC of each address, never the address,
and at most ``max_clients`` of them. Unit tests with a fake clock, then a real server.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import httpx
import pytest

from cancerinfo.errors import SettingsError
from cancerinfo.service.limits import SECONDS_A_DAY, DailyQuota
from cancerinfo.settings import Settings
from tests.service.conftest import Server
from tests.service.test_api import assert_error


def seconds_to_utc_midnight() -> float:
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=UTC)
    return (midnight - now).total_seconds()

QUESTION = "What is Ninlaro used for?"
NOON = 20_000 * SECONDS_A_DAY + SECONDS_A_DAY / 2  # a day's noon, UTC


def test_a_client_gets_its_questions_for_the_day_then_waits_until_midnight_utc() -> None:
    now = [NOON]
    quota = DailyQuota(3, clock=lambda: now[0])
    assert [quota.take("10.0.0.1") for _ in range(3)] == [0, 0, 0]
    assert quota.take("10.0.0.1") == SECONDS_A_DAY // 2  # noon: half a day to wait
    assert quota.take("10.0.0.2") == 0  # another client has its own count
    now[0] += SECONDS_A_DAY / 2 - 1  # one second before midnight
    assert quota.take("10.0.0.1") == 1
    now[0] += 1  # midnight UTC: a new day, a new count
    assert quota.take("10.0.0.1") == 0
    assert len(quota) == 1  # yesterday's other client was forgotten


def test_the_table_never_holds_an_address_only_a_keyed_hash() -> None:
    quota = DailyQuota(5, clock=lambda: NOON, key=b"k" * 32)
    quota.take("192.168.7.42")
    (stored,) = list(quota._counts)
    assert isinstance(stored, bytes) and len(stored) == 16
    assert b"192.168.7.42" not in stored and "192.168.7.42" in quota
    other = DailyQuota(5, clock=lambda: NOON)  # each process draws its own key
    assert other.client_key("192.168.7.42") != stored
    assert DailyQuota(5, key=b"k" * 32).client_key("192.168.7.42") == stored


def test_100k_clients_keep_the_table_within_its_bound_and_a_busy_client_stays_counted() -> None:
    quota = DailyQuota(2, clock=lambda: NOON, max_clients=1_000)
    assert quota.take("busy") == 0 and quota.take("busy") == 0
    largest = 0
    for n in range(100_000):
        assert quota.take(f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}") == 0
        if n % 97 == 0:  # seen often: never the one unseen the longest
            assert quota.take("busy") > 0
        largest = max(largest, len(quota))
    assert largest == 1_000 and "busy" in quota


def test_the_quota_setting_is_a_positive_whole_number() -> None:
    assert Settings.load(environ={}).client_daily_quota == 1000
    assert Settings.load(environ={"CANCERINFO_CLIENT_DAILY_QUOTA": "25"}).client_daily_quota == 25
    for bad, message in (("0", "must be positive"), ("lots", "must be a whole number")):
        with pytest.raises(SettingsError, match=f"CANCERINFO_CLIENT_DAILY_QUOTA {message}"):
            Settings.load(environ={"CANCERINFO_CLIENT_DAILY_QUOTA": bad})
    with pytest.raises(ValueError, match="positive"):
        DailyQuota(0)


# -- a real server -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def quota_server(service_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two questions a day per client; loopback is a trusted proxy, so X-Forwarded-For
    names the client (each test uses addresses of its own)."""
    root = tmp_path_factory.mktemp("quota")
    db = root / "store.db"
    shutil.copy(service_db, db)
    running = Server(
        db,
        root / "server.log",
        env={
            "CANCERINFO_CLIENT_DAILY_QUOTA": "2",
            "CANCERINFO_TRUSTED_PROXIES": "127.0.0.1",
            "CANCERINFO_RATE_LIMIT_PER_MINUTE": "100000",
        },
    )
    yield running
    running.stop()


def client_at(server: Server, address: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30.0, headers={"X-Forwarded-For": address})


def test_over_the_quota_an_ask_is_429_quota_exceeded_until_midnight(quota_server: Server) -> None:
    with client_at(quota_server, "203.0.113.1") as http:
        assert (
            http.post("/v1/ask", json={"question": ""}).status_code == 422
        )  # not a question: not counted
        assert http.post("/v1/ask", json={"question": QUESTION}).status_code == 200
        assert http.post("/v1/ask", json={"question": QUESTION}).status_code == 200
        before = seconds_to_utc_midnight()
        over = http.post("/v1/ask", json={"question": QUESTION})
        after = seconds_to_utc_midnight()
        error = assert_error(over, 429, "quota_exceeded")
        assert "2 questions for today" in error["message"] and QUESTION not in error["message"]
        # the wait runs to the next UTC midnight (whole seconds, rounded up)
        assert after - 1 <= int(over.headers["Retry-After"]) <= before + 1, (before, after)
        # what asks nothing still works
        assert http.get("/v1/search", params={"q": "ninlaro"}).status_code == 200
        assert http.get("/healthz").status_code == 200
    with client_at(quota_server, "203.0.113.2") as other:  # another client is not affected
        assert other.post("/v1/ask", json={"question": QUESTION}).status_code == 200


def test_shares_and_the_chat_count_against_the_quota_and_reading_a_share_does_not(
    quota_server: Server,
) -> None:
    with client_at(quota_server, "203.0.113.3") as http:
        assert http.post("/consent", data={"agree": "yes"}).status_code == 303
        url = http.post("/v1/shares", json={"question": QUESTION}).json()["url"]
        assert http.post("/", data={"q": QUESTION}).status_code == 200
        assert_error(http.post("/v1/shares", json={"question": QUESTION}), 429, "quota_exceeded")
        assert_error(http.post("/ui/answer", json={"question": QUESTION}), 429, "quota_exceeded")
        page = http.post("/", data={"q": QUESTION}, headers={"accept": "text/html"})
        assert page.status_code == 429 and "Please slow down" in page.text
        assert "midnight UTC" in page.text and QUESTION not in page.text
        assert http.get("/", params={"q": QUESTION}).status_code == 429
        assert http.get("/").status_code == 200  # the page itself asks nothing
        assert http.get(url).status_code == 200  # nor does opening a shared answer


def test_the_openapi_declares_quota_exceeded_on_the_routes_that_ask(quota_server: Server) -> None:
    with httpx.Client(base_url=quota_server.url, timeout=30.0) as http:
        schema = http.get("/openapi.json").json()
    codes = schema["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"]
    assert "quota_exceeded" in codes
    for path in ("/v1/ask", "/v1/shares"):
        assert "quota_exceeded" in schema["paths"][path]["post"]["responses"]["429"]["description"]
    assert (
        "quota_exceeded"
        not in schema["paths"]["/v1/search"]["get"]["responses"]["429"]["description"]
    )
