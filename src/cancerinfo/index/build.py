"""Build the retrieval indexes of pages: chunks, FTS5 rows, dense vectors, vocabulary.

What is embedded (the cost/quality choice, measured in docs/benchmarks.md): one vector per
**section** — the page title, the heading path and the section's first chunk, cut by the
embedder at its token limit. Every chunk of a section shares that vector. Embedding every
chunk in full would cost about 5x more tokens on the NCI KB (≈ 7.5 M vs ≈ 1.4 M).

Vectors are keyed by a hash of the embedder's name and the embedded text, so a re-ingest
embeds only new text, and a killed run keeps the vectors it had finished (they are a
cache: :func:`embed_missing` commits them in batches outside the KB transaction).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cancerinfo.index.chunking import Chunk, chunk_document
from cancerinfo.index.dense import DIMENSION, Embedder, MiniLMEmbedder, minilm_name
from cancerinfo.index.dense import Progress as EmbedProgress
from cancerinfo.index.vocabulary import Vocabulary
from cancerinfo.kb.document import Document
from cancerinfo.spool import Spool

EMBED_COMMIT_BATCH = 256

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class IndexedChunk:
    """A chunk with the section text its vector is computed from and that vector's key (a hash of
    embedder name and text)."""

    chunk: Chunk
    embed_text: str
    embed_key: str


def index_chunks(document: Document, *, embedder_name: str) -> list[IndexedChunk]:
    """The chunks of a page with the text each one's vector is computed from."""
    chunks = chunk_document(document)
    result: list[IndexedChunk] = []
    section_text = ""
    previous_path: tuple[str, ...] | None = None
    for chunk in chunks:
        if chunk.heading_path != previous_path:  # first chunk of a section
            headings = " > ".join(chunk.heading_path[1:])
            section_text = "\n".join(part for part in (chunk.title, headings, chunk.text) if part)
            previous_path = chunk.heading_path
        key = hashlib.sha256(f"{embedder_name}\n{section_text}".encode()).hexdigest()
        result.append(IndexedChunk(chunk, section_text, key))
    return result


def embed_missing(
    connection: sqlite3.Connection,
    chunks: Callable[[], Iterable[IndexedChunk]],
    *,
    embedder: Embedder,
    progress: Progress | None = None,
    scratch: Path | None = None,
) -> int:
    """Embed the texts whose key has no vector yet; commit them in batches. Returns count.

    ``chunks()`` is read twice, streamed: once for the keys without a vector, once more,
    when some are missing, to put their texts in a spool in ``scratch``. Longest texts
    first (the slowest batches run while the progress bar is still young).
    """
    missing = _missing_keys(connection, chunks(), 4 * embedder.dimension)
    if not missing:
        return 0
    with Spool(scratch) as spool:
        order: list[tuple[int, str, int]] = []  # (-length, key, where the text is spooled)
        for item in chunks():
            if item.embed_key in missing:
                missing.remove(item.embed_key)
                order.append((-len(item.embed_text), item.embed_key, spool.add(item.embed_text)))
        order.sort()
        for start in range(0, len(order), EMBED_COMMIT_BATCH):
            batch = order[start : start + EMBED_COMMIT_BATCH]
            vectors = embedder.embed([spool.get(at) for _, _, at in batch])
            rows = [
                (key, np.asarray(vector, dtype="<f4").tobytes())
                for (_, key, _), vector in zip(batch, vectors, strict=True)
            ]
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany("INSERT OR REPLACE INTO vectors(key, vector) VALUES (?, ?)", rows)
            connection.execute("COMMIT")
            if progress:
                progress("embed", start + len(batch), len(order))
    return len(order)


_KEYS_PER_QUERY = 900  # bound parameters per ``IN (...)`` (SQLite allows 999 on old builds)


def _missing_keys(connection: sqlite3.Connection, chunks: Iterable[IndexedChunk], size: int) -> set[str]:
    """The embed keys of ``chunks`` with no vector of ``size`` bytes in the store (a damaged,
    cut-short vector is embedded again), asked 900 at a time."""
    missing: set[str] = set()
    asking: dict[str, None] = {}
    for item in chunks:
        if item.embed_key not in missing:
            asking[item.embed_key] = None
        if len(asking) == _KEYS_PER_QUERY:
            missing |= _absent(connection, list(asking), size)
            asking.clear()
    return missing | _absent(connection, list(asking), size)


def _absent(connection: sqlite3.Connection, keys: list[str], size: int) -> set[str]:
    if not keys:
        return set()
    placeholders = ",".join("?" * len(keys))
    have = {
        row[0]
        for row in connection.execute(
            f"SELECT key FROM vectors WHERE key IN ({placeholders}) AND length(vector) = ?", [*keys, size]
        )
    }
    return set(keys) - have


class LazyMiniLM:
    """The packaged all-MiniLM-L6-v2, loaded on the first ``embed``: an ingest that has
    nothing new to embed never pays for loading the model (≈ 0.5 s, ≈ 250 MiB)."""

    dimension = DIMENSION

    def __init__(self) -> None:
        self.name = self.document_name = minilm_name()
        self._model: MiniLMEmbedder | None = None

    def _loaded(self) -> MiniLMEmbedder:
        if self._model is None:
            self._model = MiniLMEmbedder()
        return self._model

    def embed(self, texts: Sequence[str], *, progress: EmbedProgress | None = None) -> np.ndarray:
        """The model's :meth:`~cancerinfo.index.dense.MiniLMEmbedder.embed` (loading it first if
        needed)."""
        return self._loaded().embed(texts, progress=progress)

    def token_counts(self, texts: Sequence[str], *, truncate: bool = True) -> list[int]:
        """The model's :meth:`~cancerinfo.index.dense.MiniLMEmbedder.token_counts` (loading it first
        if needed)."""
        return self._loaded().token_counts(texts, truncate=truncate)


def default_embedder() -> Embedder:
    """The packaged all-MiniLM-L6-v2 (int8 ONNX), the embedder of every real store."""
    return LazyMiniLM()


class IndexWriter:
    """Replaces a page's chunks and FTS rows inside the ingest transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def delete_document(self, document_id: int) -> None:
        """Remove the page's chunks and their full-text rows."""
        rows = self.connection.execute(
            "SELECT rowid, title, section, text FROM chunks WHERE document_id = ?", (document_id,)
        ).fetchall()
        self.connection.executemany(
            "INSERT INTO chunks_fts(chunks_fts, rowid, title, section, text) VALUES ('delete', ?, ?, ?, ?)",
            [tuple(row) for row in rows],
        )
        self.connection.execute("DELETE FROM chunks WHERE document_id = ?", (document_id,))

    def replace_document(self, document_id: int, chunks: Sequence[IndexedChunk]) -> None:
        """Put ``chunks`` in place of the page's chunks, each with its full-text row."""
        self.delete_document(document_id)
        for item in chunks:
            chunk = item.chunk
            section = " > ".join(chunk.heading_path[1:])
            cursor = self.connection.execute(
                "INSERT INTO chunks(chunk_id, document_id, ordinal, title, section, heading_path, text,"
                " span_start, span_end, content_hash, embed_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    chunk.chunk_id,
                    document_id,
                    chunk.ordinal,
                    chunk.title,
                    section,
                    json.dumps(list(chunk.heading_path)),
                    chunk.text,
                    chunk.start,
                    chunk.end,
                    chunk.content_hash,
                    item.embed_key,
                ),
            )
            self.connection.execute(
                "INSERT INTO chunks_fts(rowid, title, section, text) VALUES (?, ?, ?, ?)",
                (cursor.lastrowid, chunk.title, section, chunk.text),
            )

    def replace_vocabulary(self, vocabulary: Vocabulary) -> None:
        """Put ``vocabulary`` in place of the stored KB vocabulary."""
        self.connection.execute("DELETE FROM vocabulary")
        self.connection.executemany(
            "INSERT INTO vocabulary(term, canonical, kind, urls, needs_capitals, count) VALUES (?, ?, ?, ?, ?, ?)",
            vocabulary.to_rows(),
        )
