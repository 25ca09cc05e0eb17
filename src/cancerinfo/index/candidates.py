"""The three sources of search candidates, each a typed list of chunk positions.

:func:`lexical_candidates` (BM25 over the postings saved at ingest), :func:`dense_candidates`
(the question's vector against the section vectors) and :func:`named_page_candidates` (the
pages a question names). A position indexes the arrays of :class:`~.loading.IndexData`;
``allowed`` (from :func:`allowed_chunks`) is the filters' mask over positions, ``None`` when
every live chunk is allowed. Candidates are numpy arrays, never an array the size of the KB
per question unless a filter asks for one. :func:`cancerinfo.index.ranking.fuse` scores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cancerinfo.index.loading import IndexData
from cancerinfo.index.postings import Postings
from cancerinfo.index.topics import find_topic
from cancerinfo.index.vocabulary import EntityMatch, Kind

# Page titles count through topics (.topics), not here, so a title is not counted twice.
STRONG_ENTITY_KINDS = frozenset({Kind.DRUG, Kind.BRAND, Kind.REGIMEN, Kind.REGIMEN_COMPONENT})
#: An abbreviation or alias names "a page" only when few pages define it.
MAX_PARTIAL_ENTITY_PAGES = 3
NO_POSITIONS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class LexicalCandidates:
    """Chunk positions in BM25 order, best first (the filters' chunks only)."""

    positions: np.ndarray


@dataclass(frozen=True, slots=True)
class DenseCandidates:
    """The best sections for the question's vector."""

    #: the first chunk of each best section, best first (the filters' chunks only)
    positions: np.ndarray
    #: the best section keys, best first: their order is the dense rank
    sections: np.ndarray
    #: the cosine of the question to each section key (-inf where the filters exclude it)
    similarities: np.ndarray

    @property
    def best_similarity(self) -> float:
        """The best cosine of the question to an allowed section (-1.0 when none)."""
        return float(self.similarities[self.sections[0]]) if len(self.sections) else -1.0


@dataclass(frozen=True, slots=True)
class NamedPages:
    """The pages a question names, and their sections that become candidates."""

    strong: set[int]  # pages of a drug, brand or regimen named in the question
    partial: set[int]  # pages of an abbreviation or alias that few pages define
    topic: str | None  # the page topic named ("adult soft tissue sarcoma"), if any
    topic_documents: set[int]
    #: the first and intent-fitting sections of the strong and topic pages
    positions: np.ndarray


def allowed_chunks(index: IndexData, allowed_documents: frozenset[int] | None) -> np.ndarray | None:
    """The filters' mask over chunk positions; ``None`` when no filter was given."""
    if allowed_documents is None:
        return None
    return index.live_chunk & np.isin(
        index.chunk_document, np.fromiter(allowed_documents, dtype=np.int64)
    )


def lexical_candidates(
    postings: Postings,
    index: IndexData,
    terms: Sequence[str],
    *,
    limit: int,
    allowed: np.ndarray | None,
) -> LexicalCandidates:
    """The ``limit`` best chunks for ``terms`` by BM25 (:mod:`.postings`), filtered."""
    rowids, _ = postings.top(terms, limit=limit)
    if not len(rowids):
        return LexicalCandidates(NO_POSITIONS)
    rowids = rowids[rowids < len(index.position_of_rowid_array)]
    positions = index.position_of_rowid_array[rowids]
    positions = positions[positions >= 0]
    if allowed is not None:
        positions = positions[allowed[positions]]
    return LexicalCandidates(positions)


def dense_candidates(
    index: IndexData, vector: np.ndarray, *, limit: int, allowed: np.ndarray | None
) -> DenseCandidates:
    """The ``limit`` sections nearest to ``vector`` (exact search over the ones the filters
    allow), ties by section key."""
    # one matrix-vector product over the vectors' columns (see loading._load_vector_columns)
    similarities = vector @ index.vector_columns
    sections = index.vector_columns.shape[1]
    if allowed is not None:
        key_allowed = np.zeros(sections, dtype=bool)
        key_allowed[index.chunk_key[allowed]] = True
        similarities[~key_allowed] = -np.inf
        allowed_keys = int(key_allowed.sum())
    else:
        allowed_keys = sections
    count = min(limit, allowed_keys)
    if not count:
        return DenseCandidates(NO_POSITIONS, NO_POSITIONS, similarities)
    top = np.argpartition(-similarities, count - 1)[:count]
    top = top[np.lexsort((top, -similarities[top]))]
    first = index.first_chunk_of_key[top]
    if allowed is not None:
        first = first[allowed[first]]
    return DenseCandidates(first, top, similarities)


def named_page_candidates(
    index: IndexData,
    query: str,
    matches: Sequence[EntityMatch],
    *,
    intent_bit: int,
    allowed: np.ndarray | None,
) -> NamedPages:
    """The pages named by a drug, brand or regimen (strong), by a rare abbreviation or alias
    (partial) or by their topic; the first and intent-fitting sections of the strong and
    topic pages are candidates."""
    strong = {
        index.document_of_url[u]
        for m in matches
        if m.kind in STRONG_ENTITY_KINDS
        for u in m.urls
        if u in index.document_of_url
    }
    partial = {
        index.document_of_url[u]
        for m in matches
        if m.kind not in STRONG_ENTITY_KINDS
        and m.kind not in (Kind.GLOSSARY, Kind.TITLE)
        and len(m.urls) <= MAX_PARTIAL_ENTITY_PAGES
        for u in m.urls
        if u in index.document_of_url
    } - strong
    # A topic may be named by another name the KB gives it ("chronic myelogenous
    # leukemia", also called "chronic myeloid leukemia") or by its abbreviation.
    other_names = [
        m.canonical for m in matches if m.kind in (Kind.ALIAS, Kind.ABBREVIATION) and not m.fuzzy
    ]
    topic, topic_documents = find_topic(" ; ".join([query, *other_names]), index.topics)
    parts = []
    for document in strong | topic_documents:
        positions = index.chunks_of_document_array.get(document, NO_POSITIONS)
        fits = (index.chunk_ordinal[positions] == 0) | (
            (index.chunk_intents[positions] & intent_bit) != 0
        )
        if allowed is not None:
            fits &= allowed[positions]
        parts.append(positions[fits])
    positions = np.concatenate(parts) if parts else NO_POSITIONS
    return NamedPages(strong, partial, topic, topic_documents, positions)
