"""The reload window (issue 15, points 9 and 13): an engine loaded before an ingest keeps
answering from the snapshot its index was built from (no KeyError, no old ranking with new
text), and an ingest that changes nothing does not reload the KB nor drop the answer cache.
A real store, real ingests, the real engine in this process."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from cancerinfo.answer.assistant import Assistant
from cancerinfo.pipeline.ingest import ingest
from cancerinfo.service.engine import Engine
from cancerinfo.settings import Settings
from tests.service.conftest import LARYNX_URL, build_kb

QUESTION = "What are the symptoms of laryngeal cancer?"
QUERY = "ear pain hoarseness larynx"
OLD_LINE = "- Ear pain."
NEW_LINE = "- Aching in one ear that comes and goes."


@pytest.fixture
def kb_and_db(tmp_path: Path, examples_kb: Path) -> tuple[Path, Path]:
    kb = build_kb(tmp_path, examples_kb)
    db = tmp_path / "store.db"
    assert ingest([kb], db=db).ok
    return kb, db


def hit_texts(assistant: Assistant, query: str) -> list[tuple[str, str, str]]:
    """(chunk id, title, text) of each hit, as the engine's lane sees them."""
    return [
        (hit.chunk_id, hit.title, hit.text) for hit in assistant.searcher.search(query, k=10).hits
    ]


def snapshot_of(db: Path) -> dict[str, str]:
    """Every chunk's text in the store now, read with plain sqlite3."""
    connection = sqlite3.connect(db)
    try:
        return dict(connection.execute("SELECT chunk_id, text FROM chunks"))
    finally:
        connection.close()


def larynx_page(kb: Path) -> Path:
    return kb / "en" / "02_nci_core" / "types" / "larynx.md"


def test_an_engine_loaded_before_an_ingest_answers_from_its_own_snapshot(
    kb_and_db: tuple[Path, Path],
) -> None:
    kb, db = kb_and_db

    async def scenario() -> None:
        engine = Engine(Settings(db=db, answer_cache_size=1))
        await engine.start()
        try:
            old = snapshot_of(db)  # chunk id -> text, as the store was when the engine loaded
            # the larynx page changes and another page goes: their chunk rows are replaced
            page = larynx_page(kb)
            page.write_text(
                page.read_text(encoding="utf-8").replace(OLD_LINE, NEW_LINE), encoding="utf-8"
            )
            (kb / "en" / "02_nci_core" / "types" / "zorblax.md").unlink()
            report = await asyncio.to_thread(ingest, [kb], db=db)
            assert report.changed == [LARYNX_URL] and len(report.removed) == 1
            # the old engine (not reloaded yet) still answers, every text from its own snapshot
            during = await engine.call(hit_texts, QUERY)
            assert during and all(old[chunk] == text for chunk, _, text in during)
            assert any(OLD_LINE[2:] in text for _, _, text in during)
            zorblax = await engine.call(hit_texts, "Zorblax syndrome spleen")
            assert zorblax and all(
                old[chunk] == text for chunk, _, text in zorblax
            )  # the removed page, as it was
            api = await engine.search("hoarseness in the voice", k=10, filters=None)
            assert api["hits"] and all(hit["chunk_id"] in old for hit in api["hits"])
            asked = await engine.ask(QUESTION, session_id=None, filters=None)
            quotes = " ".join(c["quote"] for c in asked.response["citations"])
            assert asked.response["status"] == "answered" and NEW_LINE[2:] not in quotes
            # after the reload: the new KB only
            assert await engine.reload_if_stale()
            after = await engine.call(hit_texts, QUERY)
            assert any(NEW_LINE[2:] in text for _, _, text in after)
            assert not any(
                "Zorblax" in title
                for _, title, _ in await engine.call(hit_texts, "Zorblax syndrome spleen")
            )
        finally:
            await engine.close()

    asyncio.run(scenario())


def test_an_ingest_that_changes_nothing_keeps_the_engine_and_its_answer_cache(
    kb_and_db: tuple[Path, Path],
) -> None:
    kb, db = kb_and_db

    async def scenario() -> None:
        engine = Engine(Settings(db=db))
        await engine.start()
        try:
            loaded_at = engine.loaded_at
            first = await engine.ask(QUESTION, session_id=None, filters=None)
            report = await asyncio.to_thread(ingest, [kb], db=db)
            assert report.ok and not (
                report.added or report.changed or report.removed or report.restored
            )
            assert not await engine.reload_if_stale()
            assert engine.loaded_at == loaded_at
            again = await engine.ask(QUESTION, session_id=None, filters=None)
            assert again.response == first.response
            assert engine._generation.cache.hits == 1  # answered from the cache it kept
            # a real change after it still reloads
            page = larynx_page(kb)
            page.write_text(
                page.read_text(encoding="utf-8").replace(OLD_LINE, NEW_LINE), encoding="utf-8"
            )
            assert (await asyncio.to_thread(ingest, [kb], db=db)).changed == [LARYNX_URL]
            assert await engine.reload_if_stale()
            assert engine._generation.cache.hits == 0 and len(engine._generation.cache) == 0
        finally:
            await engine.close()

    asyncio.run(scenario())
