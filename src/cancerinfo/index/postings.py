"""In-memory BM25 over postings saved in the store at ingest (the bm25s approach).

FTS5 scores every row a query word matches before it can sort, which costs 25 ms for a word
like "cancer" (docs/retrieval.md). Here each word's postings (chunk, weighted term count)
are numpy arrays loaded once; a question costs a few array operations. Title words count
3 times, heading words 2 times, text words once (as the FTS5 column weights did).

Words are lower-cased ``[a-z0-9]+`` runs with plural endings folded (Harman's S-stemmer:
"treatments" → "treatment", "therapies" → "therapy").
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")
TITLE_WEIGHT, SECTION_WEIGHT, TEXT_WEIGHT = 3, 2, 1
K1, B = 1.2, 0.75


def stem(word: str) -> str:
    """Harman's S-stemmer: fold English plural endings only."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    return [stem(word) for word in _WORD.findall(text.lower())]


@dataclass(slots=True)
class Postings:
    vocabulary: dict[str, int]
    starts: np.ndarray  # term id -> slice start in rows/weights; len = terms + 1
    rows: np.ndarray  # chunk rowids, grouped by term
    weights: np.ndarray  # BM25 weight of the term in that chunk (idf included)

    def search(self, words: Sequence[str], *, limit: int) -> list[tuple[int, float]]:
        """Best ``limit`` (rowid, score) for the words, best first, ties by rowid."""
        ids = sorted({self.vocabulary[w] for w in words if w in self.vocabulary})
        if not ids:
            return []
        slices = [slice(int(self.starts[i]), int(self.starts[i + 1])) for i in ids]
        rows = np.concatenate([self.rows[s] for s in slices])
        weights = np.concatenate([self.weights[s] for s in slices])
        scores = np.bincount(rows, weights=weights)
        matched = np.flatnonzero(scores)
        count = min(limit, len(matched))
        top = matched[np.argpartition(-scores[matched], count - 1)[:count]]
        top = top[np.lexsort((top, -scores[top]))]
        return [(int(rowid), float(scores[rowid])) for rowid in top]


def build_postings(chunks: Iterable[tuple[int, str, str, str]]) -> Postings:
    """Postings of ``(rowid, title, section, text)`` chunks with BM25 weights precomputed."""
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
    row_position = {rowid: position for position, rowid in enumerate(_unique_in_order(rowids))}
    length_per_posting = chunk_lengths[
        np.fromiter((row_position[r] for r in rows), dtype=np.int64, count=len(rows))
    ]
    norm = K1 * (1 - B + B * length_per_posting / average)
    weights = idf[ids] * tf * (K1 + 1) / (tf + norm)
    return Postings(vocabulary, starts.astype(np.int64), rows, weights.astype(np.float32))


def _unique_in_order(values: list[int]) -> list[int]:
    return list(dict.fromkeys(values))


def save_postings(connection: sqlite3.Connection, postings: Postings) -> None:
    connection.execute(
        "CREATE TABLE IF NOT EXISTS postings (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
    )
    connection.execute("DELETE FROM postings")
    terms_sorted = sorted(postings.vocabulary, key=postings.vocabulary.__getitem__)
    connection.executemany(
        "INSERT INTO postings(key, value) VALUES (?, ?)",
        [
            ("terms", json.dumps(terms_sorted).encode()),
            ("starts", _to_bytes(postings.starts)),
            ("rows", _to_bytes(postings.rows)),
            ("weights", _to_bytes(postings.weights)),
        ],
    )


def load_postings(connection: sqlite3.Connection) -> Postings | None:
    """The saved postings, or ``None`` for a store built before they existed."""
    if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'postings'").fetchone() is None:
        return None
    data = dict(connection.execute("SELECT key, value FROM postings").fetchall())
    if set(data) != {"terms", "starts", "rows", "weights"}:
        return None
    vocabulary = {term: index for index, term in enumerate(json.loads(data["terms"]))}
    return Postings(
        vocabulary,
        _from_bytes(data["starts"]),
        _from_bytes(data["rows"]),
        _from_bytes(data["weights"]),
    )


def _to_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _from_bytes(blob: bytes) -> np.ndarray:
    return np.load(io.BytesIO(blob), allow_pickle=False)
