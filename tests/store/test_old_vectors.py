"""Vectors of superseded page versions are deleted by the ingest that supersedes them
(issue 15, point 13); versions keep their text; search and verify still work."""

from __future__ import annotations

from pathlib import Path

from cancerinfo.index.dense import HashingEmbedder
from cancerinfo.index.search import Searcher
from cancerinfo.pipeline.ingest import ingest
from cancerinfo.pipeline.verify import verify_store
from tests.helpers import rows, write_page


def test_vectors_of_an_old_version_and_of_a_removed_page_are_deleted(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    page = write_page(
        kb, "a.md", "# Alpha\n\nAlpha text about nausea.\n", url="https://example.org/a", title="A"
    )
    write_page(
        kb, "b.md", "# Beta\n\nBeta text about fatigue.\n", url="https://example.org/b", title="B"
    )
    db = tmp_path / "store.db"
    assert ingest([kb], db=db, embedder=HashingEmbedder()).ok
    old_keys = {
        key
        for (key,) in rows(
            db,
            "SELECT embed_key FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.url = 'https://example.org/a'",
        )
    }
    b_keys = {
        key
        for (key,) in rows(
            db,
            "SELECT embed_key FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.url = 'https://example.org/b'",
        )
    }
    assert old_keys and rows(db, "SELECT count(*) FROM vectors") == [(len(old_keys | b_keys),)]

    write_page(
        kb,
        "a.md",
        "# Alpha\n\nAlpha text about hair loss now.\n",
        url="https://example.org/a",
        title="A",
    )
    assert page.is_file()
    report = ingest([kb], db=db, embedder=HashingEmbedder())
    assert report.changed == ["https://example.org/a"]
    stored = {key for (key,) in rows(db, "SELECT key FROM vectors")}
    used = {key for (key,) in rows(db, "SELECT embed_key FROM chunks")}
    assert not (old_keys - used) & stored  # the old version's vectors are gone
    assert stored == used  # every chunk has its vector, nothing else is kept
    texts = [
        text
        for (text,) in rows(
            db,
            "SELECT text FROM versions v JOIN documents d ON d.id = v.document_id WHERE d.url = 'https://example.org/a' ORDER BY version_no",
        )
    ]
    assert len(texts) == 2 and "nausea" in texts[0] and "hair loss" in texts[1]  # versions kept
    assert verify_store(db).ok

    searcher = Searcher(db, embedder=HashingEmbedder())
    try:
        hits = searcher.search("hair loss").hits
    finally:
        searcher.close()
    assert hits and hits[0].url == "https://example.org/a"

    (kb / "b.md").unlink()
    assert ingest([kb], db=db, embedder=HashingEmbedder()).removed == ["https://example.org/b"]
    stored = {key for (key,) in rows(db, "SELECT key FROM vectors")}
    assert not (b_keys - old_keys) & stored
    assert stored == {key for (key,) in rows(db, "SELECT embed_key FROM chunks")}
    assert verify_store(db).ok
