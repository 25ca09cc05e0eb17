"""Stored data is never re-validated against the reader's clock (issue 15, point 7).

A page reviewed "today" where the writer lives (UTC+14) is a day in the future where the
reader lives (UTC-10): every reading command must still work; only validate and ingest
apply the "lastReviewed not in the future" rule.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx

from tests.helpers import LARYNX, write_page
from tests.service.conftest import Server
from tests.test_cli import cli

ZONEINFO = Path("/usr/share/zoneinfo")
# The named zones when the system has them, else the same offsets as POSIX TZ strings.
WRITER_TZ = "Pacific/Kiritimati" if (ZONEINFO / "Pacific/Kiritimati").exists() else "<+14>-14"
READER_TZ = "Pacific/Honolulu" if (ZONEINFO / "Pacific/Honolulu").exists() else "<-10>10"
URL = "https://example.org/larynx"


def writer_today() -> str:
    return datetime.now(UTC).astimezone(timezone(timedelta(hours=14))).date().isoformat()


def reader_today() -> str:
    return datetime.now(UTC).astimezone(timezone(timedelta(hours=-10))).date().isoformat()


def ingested_in_kiritimati(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    write_page(
        kb,
        "larynx.md",
        LARYNX,
        url=URL,
        title="Laryngeal Cancer Treatment",
        lastReviewed=writer_today(),
    )
    db = tmp_path / "kb.db"
    result = cli("ingest", str(kb), "--db", str(db), env={"TZ": WRITER_TZ})
    assert result.returncode == 0, result.stdout + result.stderr
    assert writer_today() > reader_today()  # the page is "in the future" for the reader
    return db


def test_a_reader_behind_the_writer_reads_the_store(tmp_path: Path) -> None:
    db = ingested_in_kiritimati(tmp_path)
    reader = {"TZ": READER_TZ}
    status = cli("status", "--db", str(db), "--format", "json", env=reader)
    assert status.returncode == 0, status.stdout + status.stderr
    assert json.loads(status.stdout)["documents"] == 1
    review = cli("review", "--db", str(db), "--all", "--format", "json", env=reader)
    assert review.returncode == 0, review.stdout + review.stderr
    assert json.loads(review.stdout)["pages"][0]["url"] == URL
    search = cli("search", "sore throat and ear pain", "--db", str(db), "--json", env=reader)
    assert search.returncode == 0, search.stdout + search.stderr
    assert json.loads(search.stdout)["hits"][0]["url"] == URL
    ask = cli(
        "ask", "What are the signs of laryngeal cancer?", "--db", str(db), "--json", env=reader
    )
    assert ask.returncode == 0, ask.stdout + ask.stderr
    assert json.loads(ask.stdout)["status"] in ("answered", "abstained", "refused", "urgent")


def test_validate_still_refuses_a_page_in_the_future_of_its_own_clock(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    page = write_page(kb, "larynx.md", LARYNX, url=URL, lastReviewed=writer_today())
    result = cli("validate", str(kb), env={"TZ": READER_TZ})
    assert result.returncode == 1
    assert f"{page}:" in result.stdout and "in the future" in result.stdout


def test_serve_starts_and_shows_the_page_for_a_reader_behind_the_writer(tmp_path: Path) -> None:
    db = ingested_in_kiritimati(tmp_path)
    server = Server(db, tmp_path / "server.log", env={"TZ": READER_TZ})
    try:
        document = httpx.get(f"{server.url}/v1/documents", params={"url": URL}, timeout=30)
        assert document.status_code == 200, server.output()
        assert document.json()["lastReviewed"] == writer_today()
        hits = httpx.get(
            f"{server.url}/v1/search", params={"q": "sore throat and ear pain"}, timeout=30
        )
        assert hits.status_code == 200, server.output()
        assert hits.json()["hits"][0]["url"] == URL
    finally:
        server.stop()
