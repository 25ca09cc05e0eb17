"""Our BM25 (:mod:`cancerinfo.index.postings`) against the ``bm25s`` library's scores.

``bm25s`` is itself checked against ``rank_bm25`` (its own test suite). A synthetic corpus of
200 chunks (seeded, no ../shared) is tokenised once, by :func:`postings.terms`, and both
indexes are built from those tokens (title words 3 times and heading words twice, as the
postings weigh them), so the scoring is compared, not the tokenisers. bm25s's ``lucene``
variant has our idf, ``log(1 + (N - df + 0.5) / (df + 0.5))``, and leaves the ``(k1 + 1)``
factor out of the term part: it scales every score alike.
"""

from __future__ import annotations

import math

import bm25s
import numpy as np
import pytest

from cancerinfo.index.postings import (
    K1,
    SECTION_WEIGHT,
    TEXT_WEIGHT,
    TITLE_WEIGHT,
    B,
    Postings,
    build_postings,
    terms,
)

Chunk = tuple[int, str, str, str]
Sample = tuple[list[Chunk], list[list[str]]]

CHUNKS = 200
QUERIES = 30
TOP = 10


def _words(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` made-up words of two or three syllables; some end in a plural."""
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    words: set[str] = set()
    while len(words) < count:
        word = "".join(str(s) for s in rng.choice(syllables, size=int(rng.integers(2, 4))))
        words.add(word + ("s" if rng.random() < 0.15 else ""))
    return sorted(words)


def sample() -> Sample:
    """Chunks ``(rowid, title, section, text)`` with Zipf-like word counts, and queries."""
    rng = np.random.default_rng(16)
    vocabulary = _words(rng, 600)
    frequency = 1.0 / np.arange(1, len(vocabulary) + 1) ** 1.1
    frequency /= frequency.sum()

    def text(low: int, high: int) -> str:
        return " ".join(str(w) for w in rng.choice(vocabulary, size=int(rng.integers(low, high)), p=frequency))

    chunks = [(rowid, text(2, 6), text(1, 5), text(15, 150)) for rowid in range(1, CHUNKS + 1)]
    queries = [
        [str(w) for w in rng.choice(vocabulary[5:300], size=int(rng.integers(2, 5)))] for _ in range(QUERIES)
    ]
    return chunks, queries


@pytest.fixture(scope="module")
def corpus() -> Sample:
    return sample()


def _tokens(chunk: Chunk) -> list[str]:
    """The chunk's terms as bm25s sees them: each repeated by its field's weight."""
    _, title, section, text = chunk
    return terms(title) * TITLE_WEIGHT + terms(section) * SECTION_WEIGHT + terms(text) * TEXT_WEIGHT


def _bm25s(chunks: list[Chunk], *, k1: float, b: float) -> bm25s.BM25:
    index = bm25s.BM25(k1=k1, b=b, method="lucene")
    index.index([_tokens(chunk) for chunk in chunks], show_progress=False)
    return index


def _ours(postings: Postings, query: list[str]) -> np.ndarray:
    """Our score of every chunk (rowid - 1) for the query."""
    rowids, scores = postings.top([t for w in query for t in terms(w)], limit=CHUNKS)
    full = np.zeros(CHUNKS)
    full[rowids - 1] = scores
    return full


def _theirs(index: bm25s.BM25, query: list[str]) -> np.ndarray:
    known = [t for t in dict.fromkeys(t for w in query for t in terms(w)) if t in index.vocab_dict]
    return np.asarray(index.get_scores(known), dtype=np.float64) if known else np.zeros(CHUNKS)


def _top(scores: np.ndarray) -> set[int]:
    order = np.lexsort((np.arange(len(scores)), -scores))[:TOP]
    return {int(i) for i in order if scores[i] > 0}


def _overlap(ours: np.ndarray, theirs: np.ndarray) -> float:
    expected = _top(theirs)
    return len(_top(ours) & expected) / max(len(expected), 1)


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ranks_a = np.argsort(np.argsort(a, kind="stable"), kind="stable").astype(float)
    ranks_b = np.argsort(np.argsort(b, kind="stable"), kind="stable").astype(float)
    return float(np.corrcoef(ranks_a, ranks_b)[0, 1])


def test_our_bm25_ranks_as_bm25s_does(corpus: Sample) -> None:
    chunks, queries = corpus
    postings = build_postings(chunks)
    reference = _bm25s(chunks, k1=K1, b=B)
    overlaps, correlations = [], []
    for query in queries:
        ours, theirs = _ours(postings, query), _theirs(reference, query)
        assert (theirs > 0).sum() >= TOP, query  # enough matching chunks for a top 10
        overlaps.append(_overlap(ours, theirs))
        matched = (ours > 0) | (theirs > 0)
        correlations.append(_spearman(ours[matched], theirs[matched]))
        # the same scores but for bm25s's missing (k1 + 1) factor (float32 weights in both)
        np.testing.assert_allclose(ours, (K1 + 1) * theirs, rtol=1e-5, atol=1e-9)
    assert np.mean(overlaps) >= 0.9, overlaps
    assert min(correlations) >= 0.99, correlations


def test_a_wrong_length_normalisation_is_caught(corpus: Sample) -> None:
    """The comparison can fail: bm25s without length normalisation (b = 0) ranks otherwise."""
    chunks, queries = corpus
    postings = build_postings(chunks)
    wrong = _bm25s(chunks, k1=K1, b=0.0)
    overlaps = [_overlap(_ours(postings, query), _theirs(wrong, query)) for query in queries]
    assert np.mean(overlaps) < 0.9, overlaps


def test_one_score_by_hand() -> None:
    """BM25 of "lung" in chunk 2 from the formula, with the weighted term counts written out."""
    chunks = [
        (1, "Hair", "Loss", "lung hair loss grows back"),  # 3 + 2 + 5 = 10 weighted terms
        (2, "Lung Cancer", "Signs", "a lung cough"),  # 6 + 2 + 3 = 11
        (3, "Other", "", "words here and there"),  # 3 + 0 + 4 = 7
    ]
    average = (10 + 11 + 7) / 3
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))  # 2 of the 3 chunks have "lung"
    tf = 3 + 1  # in chunk 2's title (x 3) and text (x 1)
    expected = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * 11 / average))
    found = dict(build_postings(chunks).search(["lung"], limit=3))
    assert set(found) == {1, 2}
    assert found[2] == pytest.approx(expected, rel=1e-6)  # float32 weights
