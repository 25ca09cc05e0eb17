"""Load a store's search index into memory: pages, chunk arrays, vectors, vocabulary."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from cancerinfo.errors import StoreMismatch
from cancerinfo.index.intent import IntentModel
from cancerinfo.index.postings import Postings, stem
from cancerinfo.index.records import DocumentInfo
from cancerinfo.index.topics import build_topic_index, without_publisher
from cancerinfo.index.vocabulary import Vocabulary
from cancerinfo.kb.document import professional_url
from cancerinfo.kb.frontmatter import FrontMatter
from cancerinfo.kb.review import review_state
from cancerinfo.store.database import Store, damaged_index_message

#: Section vectors copied into the column array at a time (see :func:`_load_vector_columns`).
VECTOR_BLOCK = 4096


@dataclass(slots=True)
class IndexData:
    """The search index in memory: the live pages, per-chunk arrays by position, section vectors,
    vocabulary and title topics."""

    documents: list[DocumentInfo]
    document_of_url: dict[str, int]
    max_tier: int
    chunk_rowids: np.ndarray
    chunk_ids: list[str]
    chunk_document: np.ndarray
    chunk_ordinal: np.ndarray
    chunk_key: np.ndarray
    chunk_intents: np.ndarray
    live_chunk: np.ndarray
    position_of_rowid: dict[int, int]
    position_of_rowid_array: np.ndarray  # rowid -> position, -1 where none
    chunks_of_document: dict[int, list[int]]
    chunks_of_document_array: dict[int, np.ndarray]
    chunk_id_order: np.ndarray  # rank of each chunk id in sorted order (tie-breaks)
    document_professional: np.ndarray
    document_tier: np.ndarray
    vector_columns: np.ndarray  # dimension x section keys: one column per section vector
    first_chunk_of_key: np.ndarray
    intent_bits: dict[str, int]
    vocabulary: Vocabulary
    topics: dict[str, set[int]]
    title_intents: np.ndarray  # per document: bit mask of the intents its title fits


#: The meta keys whose values change what a loaded index holds.
_INDEX_META = ("embedder", "embedder_dimension", "lay_terms_sha256")


def kb_state(store: Store) -> str:
    """A fingerprint of what an index loaded from ``store`` would hold: every page's id,
    status, liveness, version and indexed content hash, and the embedder and vocabulary
    inputs. An ingest that changes nothing leaves it as it was (a server need not reload)."""
    digest = hashlib.sha256()
    for row in store.connection.execute(
        "SELECT id, url, status, removed_at IS NULL, current_version, indexed_hash FROM documents ORDER BY id"
    ):
        digest.update(repr(tuple(row)).encode())
    meta = store.meta()
    digest.update(repr([meta.get(key) for key in _INDEX_META]).encode())
    return digest.hexdigest()


def is_professional(url: str, audience_level: str) -> bool:
    """A health-professional version: by its audience, or by its url (:func:`professional_url`)."""
    return audience_level == "health_professional" or professional_url(url)


def load_index(
    store: Store,
    *,
    today: date,
    intents: IntentModel,
    generic_title_words: frozenset[str],
    postings: Postings,
) -> IndexData:
    """Read the search index of ``store``: its active, indexed pages, their chunks (intents from
    their headings), section vectors, vocabulary and title topics (the subjects of "X and
    Cancer" titles too, gated by how many pages' ``postings`` hold their word:
    :func:`.topics.build_topic_index`)."""
    documents = _load_documents(store, today=today)
    index_of_id = {info.id: position for position, info in enumerate(documents)}
    intent_bits = {name: 1 << bit for bit, name in enumerate(intents.names)}
    chunks = _load_chunks(store, index_of_id, intents, intent_bits)
    rowids, chunk_ids = chunks.rowids, chunks.chunk_ids
    vector_columns = _load_vector_columns(store, chunks.key_index)
    chunk_key = np.asarray(chunks.keys, dtype=np.int64)
    first_chunk_of_key = np.full(len(chunks.key_index), -1, dtype=np.int64)
    chunks_of_document: dict[int, list[int]] = {}
    for position in range(len(rowids) - 1, -1, -1):
        first_chunk_of_key[chunk_key[position]] = position
    for position, document in enumerate(chunks.documents):
        chunks_of_document.setdefault(document, []).append(position)
    vocabulary = Vocabulary.from_rows(
        tuple(row) for row in store.query(
            "SELECT term, canonical, kind, urls, needs_capitals, count FROM vocabulary ORDER BY rowid"
        )
    )
    title_intents = np.asarray(
        [sum(intent_bits[name] for name in intents.heading_intents(without_publisher(info.title))) for info in documents],
        dtype=np.int64,
    )
    position_of_rowid_array = np.full(max(rowids, default=0) + 1, -1, dtype=np.int64)
    position_of_rowid_array[np.asarray(rowids, dtype=np.int64)] = np.arange(len(rowids))
    topics = build_topic_index(
        ((position, info.title) for position, info in enumerate(documents)),
        generic_words=generic_title_words,
        page_count=_page_count(postings, position_of_rowid_array, chunks.documents),
    )
    chunk_id_order = np.empty(len(chunk_ids), dtype=np.int64)
    chunk_id_order[np.argsort(np.asarray(chunk_ids, dtype=object), kind="stable")] = np.arange(len(chunk_ids))
    return IndexData(
        documents=documents,
        document_of_url={info.url: position for position, info in enumerate(documents)},
        max_tier=max((info.tier for info in documents), default=0),
        chunk_rowids=np.asarray(rowids, dtype=np.int64),
        chunk_ids=chunk_ids,
        chunk_document=np.asarray(chunks.documents, dtype=np.int64),
        chunk_ordinal=np.asarray(chunks.ordinals, dtype=np.int32),
        chunk_key=chunk_key,
        chunk_intents=np.asarray(chunks.intents, dtype=np.int64),
        live_chunk=np.ones(len(rowids), dtype=bool),
        position_of_rowid={rowid: position for position, rowid in enumerate(rowids)},
        chunks_of_document=chunks_of_document,
        position_of_rowid_array=position_of_rowid_array,
        chunks_of_document_array={d: np.asarray(p, dtype=np.int64) for d, p in chunks_of_document.items()},
        chunk_id_order=chunk_id_order,
        document_professional=np.asarray([info.professional for info in documents], dtype=bool),
        document_tier=np.asarray([info.tier for info in documents], dtype=np.int64),
        vector_columns=vector_columns,
        first_chunk_of_key=first_chunk_of_key,
        intent_bits=intent_bits,
        vocabulary=vocabulary,
        topics=topics,
        title_intents=title_intents,
    )


def _page_count(postings: Postings, position_of_rowid: np.ndarray, chunk_documents: list[int]) -> Callable[[str], int]:
    """How many pages' chunks hold a word (its stem, as the postings index it)."""
    documents = np.asarray(chunk_documents, dtype=np.int64)

    def count(word: str) -> int:
        term = postings.vocabulary.get(stem(word))
        if term is None:
            return 0
        rows = postings.rows[postings.starts[term] : postings.starts[term + 1]]
        positions = position_of_rowid[rows[rows < len(position_of_rowid)]]
        return len(np.unique(documents[positions[positions >= 0]]))

    return count


def _load_documents(store: Store, *, today: date) -> list[DocumentInfo]:
    """The store's active, indexed, live pages in id order, with their review state on ``today``."""
    documents: list[DocumentInfo] = []
    for row in store.query(
        "SELECT id, url, title, source, source_type, tier, language, audience_level, last_reviewed,"
        " citation, cancer_types, tags, front_matter FROM documents"
        " WHERE removed_at IS NULL AND status = 'active' AND indexed_hash IS NOT NULL ORDER BY id"
    ):
        front = FrontMatter.model_validate(json.loads(row["front_matter"]))
        documents.append(
            DocumentInfo(
                id=row["id"],
                url=row["url"],
                title=row["title"],
                source=row["source"],
                source_type=row["source_type"],
                tier=row["tier"],
                language=row["language"],
                audience_level=row["audience_level"],
                professional=is_professional(row["url"], row["audience_level"]),
                last_reviewed=row["last_reviewed"],
                review_status=review_state(front, today=today).status,
                citation=row["citation"],
                cancer_types=frozenset(t.lower() for t in json.loads(row["cancer_types"])),
                tags=frozenset(t.lower() for t in json.loads(row["tags"])),
            )
        )
    return documents


@dataclass(slots=True)
class _ChunkRows:
    """The chunks of the loaded pages in rowid order, one list entry per chunk (its position),
    and the position of each section vector key among the keys in order of first use."""

    rowids: list[int] = field(default_factory=list)
    chunk_ids: list[str] = field(default_factory=list)
    documents: list[int] = field(default_factory=list)  # the page's position in ``documents``
    ordinals: list[int] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)  # the position of its embed key
    intents: list[int] = field(default_factory=list)  # bit mask of its heading's intents
    key_index: dict[str, int] = field(default_factory=dict)


def _load_chunks(
    store: Store, index_of_id: dict[int, int], intents: IntentModel, intent_bits: dict[str, int]
) -> _ChunkRows:
    """The chunks of the pages in ``index_of_id`` (id -> position), intents from their headings."""
    chunks = _ChunkRows()
    heading_cache: dict[str, int] = {}
    for row in store.query(
        "SELECT rowid, chunk_id, document_id, ordinal, section, embed_key FROM chunks ORDER BY rowid"
    ):
        document = index_of_id.get(row["document_id"])
        if document is None:
            continue
        chunks.rowids.append(row["rowid"])
        chunks.chunk_ids.append(row["chunk_id"])
        chunks.documents.append(document)
        chunks.ordinals.append(row["ordinal"])
        chunks.keys.append(chunks.key_index.setdefault(row["embed_key"], len(chunks.key_index)))
        section = row["section"]
        if section not in heading_cache:
            heading_cache[section] = sum(intent_bits[name] for name in intents.heading_intents(section))
        chunks.intents.append(heading_cache[section])
    return chunks


def _load_vector_columns(store: Store, key_index: dict[str, int]) -> np.ndarray:
    """The section vectors as the columns of one (dimension x sections) float32 array.

    Columns, not rows: a question's similarities are then ``vector @ columns``, a BLAS
    matrix-vector product that reads the array once in order (measured on nci-kb, one
    thread: 0.5-0.7 ms, against 1.4 ms for the same product over rows). Vectors are
    copied in blocks of :data:`VECTOR_BLOCK`, so a large KB never holds a second copy."""
    dimension = int(store.meta().get("embedder_dimension", "0"))
    columns = np.zeros((dimension, len(key_index)), dtype=np.float32)
    found = 0
    positions: list[int] = []
    blobs: list[bytes] = []

    def copy_block() -> None:
        block = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), dimension)
        columns[:, positions] = block.T
        positions.clear()
        blobs.clear()

    for key, blob in store.connection.execute(
        "SELECT key, vector FROM vectors WHERE key IN (SELECT DISTINCT embed_key FROM chunks)"
    ):
        position = key_index.get(key)
        if position is not None:
            if len(blob) != 4 * dimension:
                raise StoreMismatch(
                    damaged_index_message(store.path, ValueError(f"the vector of {key} has {len(blob) // 4} numbers, not {dimension}"))
                )
            positions.append(position)
            blobs.append(blob)
            found += 1
            if len(blobs) == VECTOR_BLOCK:
                copy_block()
    if blobs:
        copy_block()
    if found != len(key_index):
        raise StoreMismatch(
            f"{store.path}: {len(key_index) - found} chunk vectors are missing; run 'cancerinfo ingest' again"
        )
    return columns
