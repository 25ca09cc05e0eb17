"""In-memory BM25 over postings saved in the store at ingest (the bm25s approach).

FTS5 scores every row a query word matches before it can sort, which costs 25 ms for a word
like "cancer" (docs/retrieval.md). Here each word's postings (chunk, weighted term count)
are numpy arrays loaded once; a question costs a few array operations. Title words count
3 times, heading words 2 times, text words once (as the FTS5 column weights did).

The build streams (:func:`build_postings`): a KB of 100k pages has about 240 M postings,
so no Python object is made per posting and the arrays are compact (int32 rowids, float32
weights, 8 bytes a posting). Arrays are saved in parts of at most :data:`PART_BYTES`.

Words are lower-cased ``[a-z0-9]+`` runs with plural endings folded (Harman's S-stemmer:
"treatments" → "treatment", "therapies" → "therapy").
"""

from __future__ import annotations

import io
import itertools
import json
import re
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")
TITLE_WEIGHT, SECTION_WEIGHT, TEXT_WEIGHT = 3, 2, 1
K1, B = 1.2, 0.75
#: Chunks tokenised per batch of :func:`build_postings`.
BATCH_CHUNKS = 8192
#: Largest blob of one saved array: SQLite refuses blobs over 1 GB.
PART_BYTES = 64 * 1024 * 1024


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
    """The stemmed lower-case words of ``text``, as the postings index them."""
    return [stem(word) for word in _WORD.findall(text.lower())]


@dataclass(slots=True)
class Postings:
    """BM25 postings in arrays: for each term, the chunks that have it and the term's weight
    there."""

    vocabulary: dict[str, int]
    starts: np.ndarray  # term id -> slice start in rows/weights; len = terms + 1
    rows: np.ndarray  # chunk rowids, grouped by term
    weights: np.ndarray  # BM25 weight of the term in that chunk (idf included)

    def search(self, words: Sequence[str], *, limit: int) -> list[tuple[int, float]]:
        """Best ``limit`` (rowid, score) for the words, best first, ties by rowid."""
        rowids, scores = self.top(words, limit=limit)
        return list(zip(rowids.tolist(), scores.tolist(), strict=True))

    def top(self, words: Sequence[str], *, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`search` as two arrays: the rowids (int64) and their scores (float64)."""
        ids = sorted({self.vocabulary[w] for w in words if w in self.vocabulary})
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        starts = self.starts
        rows = np.concatenate([self.rows[starts[i] : starts[i + 1]] for i in ids])
        weights = np.concatenate([self.weights[starts[i] : starts[i + 1]] for i in ids])
        scores = np.bincount(rows, weights=weights)
        matched = np.flatnonzero(scores)
        count = min(limit, len(matched))
        matched_scores = scores[matched]
        top = matched[np.argpartition(-matched_scores, count - 1)[:count]]
        top = top[np.lexsort((top, -scores[top]))]
        return top.astype(np.int64, copy=False), scores[top]


def build_postings(
    chunks: Iterable[tuple[int, str, str, str]], *, scratch: Path | None = None
) -> Postings:
    """Postings of ``(rowid, title, section, text)`` chunks with BM25 weights precomputed.

    Streamed: each batch of :data:`BATCH_CHUNKS` chunks becomes compact records (term id,
    rowid, count, chunk length) in a temporary file in ``scratch`` (default: the system's
    temporary folder). Once every document frequency is known, the batches are read back
    and each posting is written straight to its place (a counting sort by term, rowids in
    input order within a term). Memory: the finished arrays and one batch, no Python object
    per posting.
    """
    with tempfile.TemporaryFile(dir=scratch, prefix="cancerinfo-postings-") as spill:
        counts = _spill(chunks, spill)
        spill.seek(0)
        return _lay_out(counts, spill)


#: One posting in the scratch file of :func:`build_postings`.
_RECORD = np.dtype([("term", "<i4"), ("row", "<i8"), ("tf", "<i4"), ("length", "<i4")])


@dataclass(slots=True)
class _Counts:
    """What the first pass learns: terms, chunks per term, chunk lengths, batch sizes."""

    vocabulary: dict[str, int] = field(default_factory=dict)
    frequencies: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    lengths: list[np.ndarray] = field(default_factory=list)  # per batch, per chunk
    sizes: list[int] = field(default_factory=list)  # postings per batch
    rows_fit_int32: bool = True


def _spill(chunks: Iterable[tuple[int, str, str, str]], spill: IO[bytes]) -> _Counts:
    counts = _Counts()
    for batch in _batches(chunks, BATCH_CHUNKS):
        records, lengths = _tokenise(batch, counts.vocabulary)
        spill.write(records.tobytes())
        counts.sizes.append(len(records))
        counts.lengths.append(lengths)
        if len(records):
            counts.rows_fit_int32 &= bool(
                records["row"].min() >= 0 and records["row"].max() <= np.iinfo(np.int32).max
            )
        grown = np.zeros(len(counts.vocabulary), dtype=np.int64)
        grown[: len(counts.frequencies)] = counts.frequencies
        counts.frequencies = grown + np.bincount(records["term"], minlength=len(grown))
    return counts


def _lay_out(counts: _Counts, spill: IO[bytes]) -> Postings:
    """The postings grouped by term, with their BM25 weights, from the spilled batches."""
    chunk_lengths = (
        np.concatenate(counts.lengths).astype(np.float64) if counts.lengths else np.zeros(0)
    )
    total = max(len(chunk_lengths), 1)
    average = float(chunk_lengths.mean()) if len(chunk_lengths) else 1.0
    starts = np.zeros(len(counts.vocabulary) + 1, dtype=np.int64)
    np.cumsum(counts.frequencies, out=starts[1:])
    df = np.diff(starts).astype(np.float64)
    idf = np.log(1.0 + (total - df + 0.5) / (df + 0.5))
    rows = np.empty(int(starts[-1]), dtype=np.int32 if counts.rows_fit_int32 else np.int64)
    weights = np.empty(int(starts[-1]), dtype=np.float32)
    filled = starts[:-1].copy()  # the next free place of each term
    for size in counts.sizes:
        records = np.frombuffer(spill.read(size * _RECORD.itemsize), dtype=_RECORD)
        order = np.argsort(records["term"], kind="stable")
        ids = records["term"][order]
        place = filled[ids] + (np.arange(size) - np.searchsorted(ids, ids, side="left"))
        filled += np.bincount(ids, minlength=len(filled))
        rows[place] = records["row"][order]
        tf = records["tf"][order].astype(np.float64)
        length_per_posting = records["length"][order].astype(np.float64)
        # the same float64 operations, in the same order, as a build over all postings at once
        norm = K1 * (1 - B + B * length_per_posting / average)
        weights[place] = (idf[ids] * tf * (K1 + 1) / (tf + norm)).astype(np.float32)
    return Postings(counts.vocabulary, starts, rows, weights)


def _batches(
    chunks: Iterable[tuple[int, str, str, str]], size: int
) -> Iterator[list[tuple[int, str, str, str]]]:
    iterator = iter(chunks)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _tokenise(
    batch: list[tuple[int, str, str, str]], vocabulary: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The postings of a batch of chunks (new terms join ``vocabulary``) and each chunk's
    weighted term count."""
    term_ids: list[int] = []
    counts: list[int] = []
    rowids: list[int] = []
    terms_per_chunk: list[int] = []
    lengths: list[int] = []
    for rowid, title, section, text in batch:
        counter: Counter[str] = Counter()
        for weight, part in ((TITLE_WEIGHT, title), (SECTION_WEIGHT, section), (TEXT_WEIGHT, text)):
            for term in terms(part):
                counter[term] += weight
        lengths.append(sum(counter.values()))
        rowids.append(rowid)
        terms_per_chunk.append(len(counter))
        for term, count in counter.items():
            term_ids.append(vocabulary.setdefault(term, len(vocabulary)))
            counts.append(count)
    records = np.empty(len(term_ids), dtype=_RECORD)
    records["term"] = term_ids
    records["tf"] = counts
    records["row"] = np.repeat(np.asarray(rowids, dtype=np.int64), terms_per_chunk)
    records["length"] = np.repeat(np.asarray(lengths, dtype=np.int64), terms_per_chunk)
    return records, np.asarray(lengths, dtype=np.int64)


def save_postings(connection: sqlite3.Connection, postings: Postings) -> None:
    """Save the postings in the ``postings`` table: ``terms`` (JSON), ``starts``, ``rows``
    and ``weights`` (``.npy`` bytes). An array longer than :data:`PART_BYTES` continues in
    ``rows.1``, ``rows.2``... (SQLite refuses a blob over 1 GB)."""
    connection.execute(
        "CREATE TABLE IF NOT EXISTS postings (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
    )
    connection.execute("DELETE FROM postings")
    terms_sorted = sorted(postings.vocabulary, key=postings.vocabulary.__getitem__)
    connection.executemany(
        "INSERT INTO postings(key, value) VALUES (?, ?)",
        [("terms", json.dumps(terms_sorted).encode()), ("starts", _to_bytes(postings.starts))],
    )
    for name, array in (("rows", postings.rows), ("weights", postings.weights)):
        step = max(PART_BYTES // array.itemsize, 1)
        for number, start in enumerate(range(0, max(len(array), 1), step)):
            connection.execute(
                "INSERT INTO postings(key, value) VALUES (?, ?)",
                (_part_key(name, number), _to_bytes(array[start : start + step])),
            )


def has_postings(connection: sqlite3.Connection) -> bool:
    """Does the store hold complete, readable postings? Checks the keys, and each array's
    ``.npy`` header against its blob's length (a blob cut short or overwritten from its
    start is found); the arrays themselves are not loaded."""
    if _saved_parts(connection) is None:
        return False
    rows = connection.execute(
        "SELECT substr(value, 1, 256), length(value) FROM postings WHERE key != 'terms'"
    ).fetchall()
    return all(_npy_size(head) == size for head, size in rows)


def _npy_size(head: bytes) -> int | None:
    """The length of the ``.npy`` blob that starts with ``head``, or None when unreadable."""
    try:
        stream = io.BytesIO(head)
        version = np.lib.format.read_magic(stream)
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = reader(stream)
    except (ValueError, EOFError, SyntaxError, TypeError):
        return None
    return stream.tell() + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize


def load_postings(connection: sqlite3.Connection) -> Postings | None:
    """The saved postings, or ``None`` for a store built before they existed (or with a
    part missing: the next ingest rebuilds them)."""
    parts = _saved_parts(connection)
    if parts is None:
        return None
    terms_blob, starts_blob = (_value(connection, key) for key in ("terms", "starts"))
    vocabulary = {term: index for index, term in enumerate(json.loads(terms_blob))}
    starts = _from_bytes(starts_blob)
    rows = _load_parts(connection, "rows", parts["rows"], int(starts[-1]))
    weights = _load_parts(connection, "weights", parts["weights"], int(starts[-1]))
    if rows is None or weights is None:
        return None
    return Postings(vocabulary, starts, rows, weights)


def _part_key(name: str, number: int) -> str:
    return name if number == 0 else f"{name}.{number}"


def _saved_parts(connection: sqlite3.Connection) -> dict[str, int] | None:
    """Parts per array (``{"rows": 1, "weights": 1}`` for one blob each), ``None`` when
    there is no table or a key is missing."""
    if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'postings'").fetchone() is None:
        return None
    keys = {row[0] for row in connection.execute("SELECT key FROM postings")}
    parts = {
        name: sum(1 for key in keys if key == name or key.startswith(f"{name}."))
        for name in ("rows", "weights")
    }
    expected = {"terms", "starts"} | {
        _part_key(name, number) for name, count in parts.items() for number in range(count)
    }
    if keys != expected or not all(parts.values()):
        return None
    return parts


def _load_parts(connection: sqlite3.Connection, name: str, count: int, total: int) -> np.ndarray | None:
    """One array from its ``count`` parts, copied part by part into its final place."""
    part = _from_bytes(_value(connection, name))
    if count == 1:
        return part if len(part) == total else None
    array = np.empty(total, dtype=part.dtype)
    filled = 0
    for number in range(count):
        if number:
            part = _from_bytes(_value(connection, _part_key(name, number)))
        if filled + len(part) > total:
            return None
        array[filled : filled + len(part)] = part
        filled += len(part)
    return array if filled == total else None


def _value(connection: sqlite3.Connection, key: str) -> bytes:
    blob: bytes = connection.execute("SELECT value FROM postings WHERE key = ?", (key,)).fetchone()[0]
    return blob


def _to_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _from_bytes(blob: bytes) -> np.ndarray:
    return np.load(io.BytesIO(blob), allow_pickle=False)
