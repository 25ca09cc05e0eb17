"""BM25 postings: plural folding, ranking, saving and loading through SQLite, and the
streamed build proved identical to the list-based build it replaced on real chunks."""

from __future__ import annotations

import io
import json
import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from cancerinfo.index import postings as postings_module
from cancerinfo.index.dense import HashingEmbedder
from cancerinfo.index.postings import (
    K1,
    SECTION_WEIGHT,
    TEXT_WEIGHT,
    TITLE_WEIGHT,
    B,
    Postings,
    build_postings,
    has_postings,
    load_postings,
    save_postings,
    stem,
    terms,
)
from cancerinfo.pipeline.ingest import ingest
from tests.conftest import copy_pages

CHUNKS = [
    (1, "Breast Cancer Treatment", "Treatment Option Overview", "Surgery and radiation therapy treat breast cancer."),
    (2, "Lung Cancer", "Signs and Symptoms", "A cough that does not go away can be a sign of lung cancer."),
    (5, "Hair Loss", "", "Chemotherapy can cause hair loss. Hair often grows back after treatment."),
]


def test_plural_endings_fold_and_other_words_stay() -> None:
    assert [stem(w) for w in ["treatments", "therapies", "classes", "virus", "gas", "uses"]] == [
        "treatment", "therapy", "classe", "virus", "gas", "use",
    ]
    assert terms("Therapies for LUNG cancers") == ["therapy", "for", "lung", "cancer"]


def test_bm25_ranks_the_chunk_that_names_the_words() -> None:
    postings = build_postings(CHUNKS)
    assert postings.search(terms("hair loss from chemo"), limit=10)[0][0] == 5
    assert postings.search(terms("coughs and lung"), limit=10)[0][0] == 2
    assert [rowid for rowid, _ in postings.search(terms("cancer"), limit=10)] == [1, 2]
    assert postings.search(terms("zebra"), limit=10) == []


def test_title_words_weigh_more_than_text_words() -> None:
    postings = build_postings([(1, "Treatment", "", "other words here"), (2, "Other", "", "treatment words here")])
    assert postings.search(["treatment"], limit=2)[0][0] == 1


def test_postings_survive_a_round_trip_through_sqlite(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "p.db")
    assert load_postings(connection) is None
    save_postings(connection, build_postings(CHUNKS))
    loaded = load_postings(connection)
    assert loaded is not None
    assert loaded.search(terms("breast surgery"), limit=3) == build_postings(CHUNKS).search(
        terms("breast surgery"), limit=3
    )


# -- the streamed build, proved against the list-based build it replaced -------------------


def reference_build(chunks: list[tuple[int, str, str, str]]) -> Postings:
    """The build before it streamed (one Python list entry per posting), kept as the oracle."""
    vocabulary: dict[str, int] = {}
    term_ids: list[int] = []
    rowids: list[int] = []
    counts: list[int] = []
    lengths: list[int] = []
    for rowid, title, section, text in chunks:
        counter: Counter[str] = Counter()
        for weight, part in ((TITLE_WEIGHT, title), (SECTION_WEIGHT, section), (TEXT_WEIGHT, text)):
            for term in terms(part):
                counter[term] += weight
        lengths.append(sum(counter.values()))
        for term, count in counter.items():
            term_ids.append(vocabulary.setdefault(term, len(vocabulary)))
            rowids.append(rowid)
            counts.append(count)
    ids = np.asarray(term_ids, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    rows = np.asarray(rowids, dtype=np.int64)[order]
    tf = np.asarray(counts, dtype=np.float64)[order]
    chunk_lengths = np.asarray(lengths, dtype=np.float64)
    total = max(len(chunk_lengths), 1)
    average = float(chunk_lengths.mean()) if len(chunk_lengths) else 1.0
    starts = np.searchsorted(ids, np.arange(len(vocabulary) + 1))
    df = np.diff(starts).astype(np.float64)
    idf = np.log(1.0 + (total - df + 0.5) / (df + 0.5))
    row_position = {rowid: position for position, rowid in enumerate(dict.fromkeys(rowids))}
    length_per_posting = chunk_lengths[
        np.fromiter((row_position[r] for r in rows), dtype=np.int64, count=len(rows))
    ]
    norm = K1 * (1 - B + B * length_per_posting / average)
    weights = idf[ids] * tf * (K1 + 1) / (tf + norm)
    return Postings(vocabulary, starts.astype(np.int64), rows, weights.astype(np.float32))


def assert_identical(built: Postings, expected: Postings) -> None:
    assert list(built.vocabulary.items()) == list(expected.vocabulary.items())  # same term ids
    assert built.starts.dtype == expected.starts.dtype and np.array_equal(built.starts, expected.starts)
    assert np.array_equal(built.rows, expected.rows)
    assert built.weights.dtype == np.float32 and built.weights.tobytes() == expected.weights.tobytes()


@pytest.fixture(scope="module")
def real_chunks(tmp_path_factory: pytest.TempPathFactory, nci_kb: Path) -> list[tuple[int, str, str, str]]:
    """The chunks of 60 real NCI pages, as the real ingest stored them."""
    kb = tmp_path_factory.mktemp("kb") / "nci-kb"
    copy_pages(sorted(nci_kb.rglob("*.md"))[::24], nci_kb, kb)
    db = tmp_path_factory.mktemp("store") / "store.db"
    ingest([kb], db=db, embedder=HashingEmbedder())
    connection = sqlite3.connect(db)
    try:
        return connection.execute("SELECT rowid, title, section, text FROM chunks ORDER BY rowid").fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize("batch", [1, 7, 500, 100_000])
def test_the_streamed_build_equals_the_list_build_on_real_chunks(
    real_chunks: list[tuple[int, str, str, str]], batch: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert len(real_chunks) > 1_000
    monkeypatch.setattr(postings_module, "BATCH_CHUNKS", batch)
    built = build_postings(iter(real_chunks), scratch=tmp_path)
    assert_identical(built, reference_build(real_chunks))
    assert built.rows.dtype == np.int32  # rowids fit: 4 bytes a posting, not 8
    assert list(tmp_path.iterdir()) == []  # the scratch file is gone


def test_the_ingest_saves_the_postings_the_list_build_gives(
    real_chunks: list[tuple[int, str, str, str]], tmp_path: Path
) -> None:
    connection = sqlite3.connect(tmp_path / "p.db")
    save_postings(connection, build_postings(real_chunks))
    loaded = load_postings(connection)
    assert loaded is not None
    assert_identical(loaded, reference_build(real_chunks))


def test_no_chunks_give_empty_postings() -> None:
    postings = build_postings([])
    assert postings.vocabulary == {} and list(postings.starts) == [0] and len(postings.rows) == 0
    assert postings.search(["cancer"], limit=5) == []


def test_large_arrays_are_saved_in_parts_and_load_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postings_module, "PART_BYTES", 16)  # 4 rowids or 4 weights a part
    connection = sqlite3.connect(tmp_path / "p.db")
    built = build_postings(CHUNKS)
    save_postings(connection, built)
    keys = {key for (key,) in connection.execute("SELECT key FROM postings")}
    assert {"rows", "rows.1", "weights", "weights.1"} <= keys
    loaded = load_postings(connection)
    assert loaded is not None and has_postings(connection)
    assert_identical(loaded, built)
    connection.execute("DELETE FROM postings WHERE key = 'weights.1'")  # a part lost: rebuilt
    assert load_postings(connection) is None and not has_postings(connection)


def test_a_store_saved_before_parts_still_loads(tmp_path: Path) -> None:
    """The format of earlier stores: one blob per array, int64 rowids."""
    old = reference_build(CHUNKS)
    connection = sqlite3.connect(tmp_path / "p.db")
    connection.execute("CREATE TABLE postings (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
    connection.executemany(
        "INSERT INTO postings(key, value) VALUES (?, ?)",
        [
            ("terms", json.dumps(list(old.vocabulary)).encode()),
            ("starts", _npy(old.starts)),
            ("rows", _npy(old.rows)),
            ("weights", _npy(old.weights)),
        ],
    )
    loaded = load_postings(connection)
    assert loaded is not None and loaded.rows.dtype == np.int64
    assert_identical(loaded, build_postings(CHUNKS))
    assert loaded.search(terms("hair loss"), limit=3) == build_postings(CHUNKS).search(terms("hair loss"), limit=3)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()
