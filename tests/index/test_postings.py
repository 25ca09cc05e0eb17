"""BM25 postings: plural folding, ranking, saving and loading through SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cancerinfo.index.postings import build_postings, load_postings, save_postings, stem, terms

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
