"""Hybrid search on real stores built by the real ingest (real MiniLM, real SQLite)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cancerinfo.errors import StoreMismatch
from cancerinfo.index.dense import HashingEmbedder
from cancerinfo.index.filters import Filters
from cancerinfo.index.search import Searcher
from cancerinfo.pipeline.ingest import ingest
from tests.helpers import cli, write_page

HOSTILE_QUERIES = ['"', 'breast" OR "', "NOT", "a OR b", "lung*", "-chemo", "NEAR(a b)", "col:umn", "^x", "()", ""]


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Path:
    root = tmp_path_factory.mktemp("kb")
    shutil.copytree(examples_kb, root / "kb")
    pages = root / "kb" / "en" / "02_nci_core" / "types"
    shared_text = (
        "## Signs and Symptoms\n\nA lump in the neck or a hoarse voice can be signs of laryngeal cancer.\n\n"
        "## Treatment Option Overview\n\nSurgery and radiation therapy are used to treat laryngeal cancer.\n"
    )
    write_page(pages, "larynx.md", "# Laryngeal Cancer Treatment\n\n" + shared_text,
               url="https://www.cancer.gov/types/head-and-neck/patient/laryngeal-treatment-pdq",
               title="Laryngeal Cancer Treatment (PDQ®)–Patient Version - NCI", cancerTypes=["head and neck"])
    write_page(pages, "larynx-hp.md", "# Laryngeal Cancer Treatment\n\n" + shared_text,
               url="https://www.cancer.gov/types/head-and-neck/hp/laryngeal-treatment-pdq",
               title="Laryngeal Cancer Treatment (PDQ®)–Health Professional Version - NCI",
               cancerTypes=["head and neck"])
    write_page(pages, "old.md", "# Old Page\n\nLaryngeal cancer old advice that was withdrawn.\n",
               url="https://www.cancer.gov/types/old", title="Old Laryngeal Page - NCI", status="deprecated")
    write_page(pages, "draft.md", "# Draft\n\nLaryngeal cancer draft text.\n",
               url="https://www.cancer.gov/types/draft", title="Draft Laryngeal Page - NCI", status="draft")
    return root / "kb"


@pytest.fixture(scope="module")
def db(kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "search.db"
    report = ingest([kb], db=path)
    assert report.ok, report.rejected
    return path


@pytest.fixture(scope="module")
def searcher(db: Path) -> Searcher:
    return Searcher(db)


def test_a_brand_name_alone_finds_its_drug_page(searcher: Searcher) -> None:
    result = searcher.search("is Ninlaro a chemo pill?")
    assert result.hits[0].url.endswith("/drugs/ixazomibcitrate")
    assert any(entity["kind"] == "brand" for entity in result.entities)


def test_a_question_on_a_drug_use_prefers_the_use_section(searcher: Searcher) -> None:
    result = searcher.search("What is ixabepilone used to treat?")
    assert result.intent == "drug_use"
    assert result.hits[0].url.endswith("/drugs/ixabepilone")
    assert result.hits[0].section == "Use in Cancer"


def test_symptom_question_gets_the_symptom_section_of_the_patient_version(searcher: Searcher) -> None:
    result = searcher.search("what are the warning signs of cancer of the voice box?")
    top = result.hits[0]
    assert "/patient/" in top.url
    assert top.section == "Signs and Symptoms"
    urls = [hit.url for hit in result.hits]
    hp = [i for i, url in enumerate(urls) if "/hp/" in url]
    assert hp and hp[0] > 0


def test_deprecated_and_draft_pages_are_never_returned(searcher: Searcher) -> None:
    for query in ("old advice that was withdrawn", "laryngeal cancer draft text"):
        urls = {hit.url for hit in searcher.search(query, k=50).hits}
        assert "https://www.cancer.gov/types/old" not in urls
        assert "https://www.cancer.gov/types/draft" not in urls


def test_filters_narrow_and_fail_closed(searcher: Searcher) -> None:
    narrowed = searcher.search("cancer treatment", k=50, filters=Filters(cancer_type="breast"))
    assert narrowed.hits and {hit.url for hit in narrowed.hits} == {
        "https://www.cancer.gov/about-cancer/treatment/drugs/ixabepilone"
    }
    nothing = searcher.search("cancer treatment", filters=Filters(cancer_type="martian"))
    assert nothing.hits == [] and nothing.reason == "FILTER_MATCHES_NOTHING" and "martian" in (nothing.detail or "")
    together = searcher.search("cancer", filters=Filters(cancer_type="breast", tags=("cancer-type",)))
    assert together.hits == [] and together.reason == "FILTER_MATCHES_NOTHING"


def test_every_hit_carries_its_page_metadata(searcher: Searcher) -> None:
    hit = searcher.search("ixabepilone").hits[0]
    assert hit.sourceType == "02_nci_core" and hit.audienceLevel == "patient"
    assert hit.lastReviewed == "2025-12-30" and hit.review_status in {"ok", "due", "overdue"}
    assert hit.snippet and hit.chunk_id and hit.title


def test_same_question_same_hits(searcher: Searcher) -> None:
    first = [(h.chunk_id, h.score) for h in searcher.search("cancer drugs", k=20).hits]
    second = [(h.chunk_id, h.score) for h in searcher.search("cancer drugs", k=20).hits]
    assert first == second


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_fts_syntax_in_questions_is_just_text(searcher: Searcher, query: str) -> None:
    result = searcher.search(query)
    assert result.reason in (None, "NO_QUERY_TERMS", "NO_RESULTS")


def test_a_store_indexed_by_another_embedder_is_refused(kb: Path, tmp_path: Path) -> None:
    path = tmp_path / "hashing.db"
    ingest([kb], db=path, embedder=HashingEmbedder())
    with pytest.raises(StoreMismatch, match="indexed with embedder"):
        Searcher(path)


def test_removed_page_leaves_the_index(kb: Path, tmp_path: Path) -> None:
    copy = tmp_path / "kb"
    shutil.copytree(kb, copy)
    path = tmp_path / "removal.db"
    ingest([copy], db=path, embedder=HashingEmbedder())
    before = Searcher(path, embedder=HashingEmbedder())
    assert any("ixabepilone" in h.url for h in before.search("ixabepilone", k=50).hits)
    before.close()
    next(copy.rglob("001_*.txt")).unlink()
    ingest([copy], db=path, embedder=HashingEmbedder())
    after = Searcher(path, embedder=HashingEmbedder())
    assert not any("ixabepilone" in h.url for h in after.search("ixabepilone", k=50).hits)


def test_search_and_eval_commands(db: Path, tmp_path: Path) -> None:
    from tests.test_cli import cli

    result = cli("search", "Ixempra", "--db", str(db), "--json", "--k", "3")
    data = json.loads(result.stdout)
    assert data["hits"][0]["url"].endswith("/drugs/ixabepilone")
    assert set(data["hits"][0]) >= {"url", "title", "section", "chunk_id", "score", "sourceType",
                                    "audienceLevel", "lastReviewed", "review_status", "snippet"}
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "a", "question": "What is Ninlaro?", "relevant": [
            {"url": "https://www.cancer.gov/about-cancer/treatment/drugs/ixazomibcitrate"}]}) + "\n"
        + json.dumps({"id": "b", "question": "ixabepilone uses", "relevant": [
            {"url": "https://www.cancer.gov/types/old"}]}) + "\n"
    )
    output = tmp_path / "hits.jsonl"
    summary = json.loads(cli("eval", "retrieval", "--db", str(db), "--questions", str(questions),
                             "--output", str(output)).stdout)
    assert summary["questions"] == 2 and summary["metrics"]["doc@1"] == 0.5
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"] and lines[0]["hits"][0]["chunk_id"]
    missing = cli("eval", "retrieval", "--db", str(db), "--questions", str(tmp_path / "none.jsonl"),
                  "--output", str(output))
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_a_store_without_postings_is_refused_with_a_re_ingest_message(db: Path, tmp_path: Path) -> None:
    """The FTS5 query path older stores were searched with is gone: such a store is refused
    in one line that says to ingest again, and an ingest builds the postings."""
    import sqlite3

    copy = tmp_path / "older.db"
    shutil.copy(db, copy)
    connection = sqlite3.connect(copy)
    connection.execute("DELETE FROM postings")
    connection.commit()
    connection.close()
    with pytest.raises(StoreMismatch, match=r"no BM25 postings.*run 'cancerinfo ingest'") as refused:
        Searcher(copy)
    assert "\n" not in str(refused.value)
    result = cli("search", "ixabepilone", "--db", str(copy))
    assert result.returncode != 0 and "re-index" in result.stderr and "Traceback" not in result.stderr


def test_section_vectors_are_the_columns_of_one_array_whatever_the_block_size(
    db: Path, searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Column j is the stored vector of section key j, and the similarities are its dot
    products, also when the vectors are copied in blocks smaller than the KB."""
    import numpy as np

    from cancerinfo.index import loading

    columns = searcher.index.vector_columns
    assert columns.dtype == np.float32 and columns.flags["C_CONTIGUOUS"] and columns.shape[0] == 384
    embed_key_of = dict(searcher.store.query("SELECT rowid, embed_key FROM chunks"))
    index = searcher.index
    keys = {int(index.chunk_key[p]): embed_key_of[int(rowid)] for p, rowid in enumerate(index.chunk_rowids)}
    stored = dict(searcher.store.query("SELECT key, vector FROM vectors"))
    assert len(keys) == columns.shape[1] > 3
    for key, embed_key in keys.items():
        np.testing.assert_array_equal(columns[:, key], np.frombuffer(stored[embed_key], dtype="<f4"))
    monkeypatch.setattr(loading, "VECTOR_BLOCK", 3)  # several blocks and a last, shorter one
    small_blocks = Searcher(db)
    np.testing.assert_array_equal(small_blocks.index.vector_columns, columns)
    question = "What are the signs of laryngeal cancer?"
    assert [h.chunk_id for h in small_blocks.search(question).hits] == [h.chunk_id for h in searcher.search(question).hits]
    small_blocks.close()


def test_a_section_vector_of_the_wrong_length_names_its_key(db: Path, tmp_path: Path) -> None:
    import sqlite3

    copy = tmp_path / "short-vector.db"
    shutil.copy(db, copy)
    with sqlite3.connect(copy) as connection:
        key = connection.execute("SELECT key FROM vectors WHERE key IN (SELECT embed_key FROM chunks) LIMIT 1").fetchone()[0]
        connection.execute("UPDATE vectors SET vector = zeroblob(12) WHERE key = ?", (key,))
    with pytest.raises(StoreMismatch, match=f"the vector of {key} has 3 numbers, not 384"):
        Searcher(copy)


def test_hits_without_snippets_are_the_same_hits(searcher: Searcher) -> None:
    question = "What are the signs of laryngeal cancer?"
    full, bare = searcher.search(question), searcher.search(question, snippets=False)
    assert full.hits and all(hit.snippet for hit in full.hits)
    assert all(hit.snippet == "" for hit in bare.hits)
    assert [h.chunk_id for h in bare.hits] == [h.chunk_id for h in full.hits]
    assert [h.score for h in bare.hits] == [h.score for h in full.hits]


def test_a_side_effect_title_names_its_page_unless_its_word_is_on_most_pages(tmp_path: Path) -> None:
    # "Delirium and Cancer Treatment": one page uses "delirium"; "Pain and Cancer Treatment":
    # every page says "pain", so a symptom story naming pain must not be tied to that page
    from tests.helpers import ingest_pages

    pages = {
        "about-cancer/treatment/side-effects/delirium": (
            "Delirium and Cancer Treatment - Side Effects", "Delirium is a confused mental state.", []),
        "about-cancer/treatment/side-effects/pain": (
            "Pain and Cancer Treatment - Side Effects", "Pain can be managed with medicine.", []),
    }
    for number in range(6):
        pages[f"types/kind-{number}"] = (
            f"Kind {number} Cancer", f"Pain in the belly and weight loss can be signs of kind {number} cancer.", [])
    searcher = Searcher(ingest_pages(tmp_path, pages))
    try:
        topics = searcher.index.topics
        assert "delirium" in topics and "pain" not in topics
    finally:
        searcher.close()
