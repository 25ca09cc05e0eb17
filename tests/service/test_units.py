"""Small parts of the service on their own: the rate limiter, the answer cache, settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from cancerinfo.errors import SettingsError
from cancerinfo.index.filters import Filters
from cancerinfo.service.app import admin_token
from cancerinfo.service.engine import AnswerCache
from cancerinfo.service.limits import TokenBuckets, is_limited
from cancerinfo.service.render import document_body, inline
from cancerinfo.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_may_burst_to_the_limit_then_waits_for_tokens() -> None:
    clock = Clock()
    buckets = TokenBuckets(6, clock=clock)  # 6 a minute: one token every 10 s
    assert [buckets.take("a") for _ in range(6)] == [0] * 6
    assert buckets.take("a") == 10
    assert buckets.take("b") == 0  # another client has its own bucket
    clock.now += 10
    assert buckets.take("a") == 0 and buckets.take("a") == 10


def test_idle_clients_are_forgotten_so_memory_stays_bounded() -> None:
    clock = Clock()
    buckets = TokenBuckets(60, clock=clock)
    for n in range(4096):
        buckets.take(f"10.0.{n // 256}.{n % 256}")
    clock.now += 120
    buckets.take("new")
    assert len(buckets) == 1


def test_static_files_and_the_health_check_are_not_limited() -> None:
    assert not is_limited("/static/app.css") and not is_limited("/healthz")
    assert is_limited("/v1/ask") and is_limited("/") and is_limited("/admin/login")


def test_the_answer_cache_drops_the_least_recently_used() -> None:
    cache = AnswerCache(2)
    cache.put(("a", None), {"n": 1})
    cache.put(("b", Filters(cancer_type="breast")), {"n": 2})
    assert cache.get(("a", None)) == {"n": 1}
    cache.put(("c", None), {"n": 3})
    assert cache.get(("b", Filters(cancer_type="breast"))) is None and len(cache) == 2 and cache.hits == 1


def test_service_settings_come_from_the_environment_and_are_checked() -> None:
    settings = Settings.load(environ={"CANCERINFO_RATE_LIMIT_PER_MINUTE": "5", "CANCERINFO_MAX_BODY_BYTES": "1000"})
    assert settings.rate_limit_per_minute == 5 and settings.max_body_bytes == 1000 and settings.answer_cache_size == 1024
    with pytest.raises(SettingsError, match="CANCERINFO_RATE_LIMIT_PER_MINUTE must be positive"):
        Settings.load(environ={"CANCERINFO_RATE_LIMIT_PER_MINUTE": "0"})
    assert admin_token({}) is None and admin_token({"CANCERINFO_ADMIN_TOKEN": "x" * 16}) == "x" * 16
    with pytest.raises(SettingsError, match="at least 16"):
        admin_token({"CANCERINFO_ADMIN_TOKEN": "short"})


def test_serve_without_a_store_stops_with_a_one_line_error(tmp_path: Path) -> None:
    from tests.test_cli import assert_clean_failure, cli

    assert_clean_failure(cli("serve", "--db", str(tmp_path / "none.db")), "no such store")
    assert_clean_failure(cli("serve", "--port", "1", cwd=tmp_path), "no such store")  # ./cancerinfo.db
    help_text = cli("serve", "--help").stdout
    assert "--workers" in help_text and "Example: cancerinfo serve" in help_text


def test_links_and_emphasis_render_and_runs_of_brackets_or_stars_stay_plain_text() -> None:
    assert str(inline("see [the larynx](/Common/x?id=1) and **ear pain**")) == (
        "see the larynx and <strong>ear pain</strong>"
    )
    assert str(inline("![a figure](fig.png) caption")) == "a figure caption"
    # a page line of 30,000 "[" (or "**", "](") is shown as it is, escaped (issue 15: such a
    # line took seconds with the old unbounded patterns; the bounded ones read it once)
    import html
    import re

    for line in ("[" * 30_000, "[a](" * 10_000):
        assert str(document_body(line)) == f"<p>{html.escape(line, quote=False)}</p>"
    for line in ("**a" * 10_000, "_x " * 10_000):  # emphasis may apply; no text is lost
        text = re.sub(r"</?(p|strong|em)>", "", str(document_body(line)))
        assert text.replace("*", "").replace("_", "") == line.strip().replace("*", "").replace("_", "")
