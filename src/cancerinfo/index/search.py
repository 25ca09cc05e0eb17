"""Hybrid search over a store: BM25 over saved postings + dense vectors, fused, with priors.

Pipeline of :meth:`Searcher.search` (each step in its own module):

1. intent of the question (:mod:`.intent`) and KB terms named in it (:mod:`.vocabulary`);
2. lexical candidates: the question's words plus vocabulary expansions, BM25 over the
   postings saved at ingest (:func:`.candidates.lexical_candidates`);
3. named pages: the first and intent-fitting sections of the pages of a drug, brand,
   regimen or topic named (:func:`.candidates.named_page_candidates`);
4. dense candidates: the question's vector against one vector per section
   (:func:`.candidates.dense_candidates`);
5. reciprocal rank fusion plus bonuses — a named drug/brand/regimen/page, a heading that
   fits the intent, a patient version, a more authoritative tier (:func:`.ranking.fuse`);
   one chunk a section, a few sections a page, ties broken by chunk id, so a question
   always gives the same hits (:func:`.ranking.best_first`).

Filters fail closed (:mod:`.filters`). Only live, ``active`` pages are searched:
deprecated, archived, draft and removed pages never come back.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from cancerinfo.errors import StoreError, StoreMismatch
from cancerinfo.index.candidates import (
    allowed_chunks,
    dense_candidates,
    lexical_candidates,
    named_page_candidates,
)
from cancerinfo.index.dense import Embedder
from cancerinfo.index.filters import Filters, apply_filters
from cancerinfo.index.intent import IntentModel
from cancerinfo.index.lexical import lexical_terms, query_words
from cancerinfo.index.loading import IndexData, kb_state, load_index
from cancerinfo.index.postings import Postings, load_postings
from cancerinfo.index.question_model import question_embedder
from cancerinfo.index.ranking import (
    Fused,
    RetrievalPolicy,
    TierPolicy,
    best_first,
    fuse,
    load_retrieval_policy,
    load_tier_policy,
)
from cancerinfo.index.records import Hit, SearchResult
from cancerinfo.index.vocabulary import EntityMatch
from cancerinfo.store.database import Store, damaged_index_message

SNIPPET_CHARS = 240
#: Chunk rows of hits kept in memory (about 1 kB of text each on nci-kb).
MAX_KEPT_ROWS = 20_000


class Searcher:
    """Loads a store's index once; :meth:`search` is then cheap and thread-safe to read.

    Everything is read in one read transaction, held as long as the searcher lives: the
    index and every row looked up later (chunk texts, page bodies) come from the same
    snapshot of the store, so an ingest committed meanwhile is not seen half-way (an old
    index never looks up rows by id in a newer store). The price: the store's write-ahead
    log cannot be reset while the snapshot is held (a server holds it until it reloads)."""

    def __init__(
        self,
        db: Path,
        *,
        embedder: Embedder | None = None,
        today: date | None = None,
        policy: RetrievalPolicy | None = None,
        intents: IntentModel | None = None,
        tiers: TierPolicy | None = None,
    ) -> None:
        self.store = Store.open(db, readonly=True)
        self.store.connection.execute("BEGIN")  # one snapshot from the first read on
        self.policy = policy or load_retrieval_policy()
        # One thread embeds a short question fastest (measured: 5 ms vs 11 ms with two).
        self.embedder = embedder or question_embedder(self.policy, threads=1)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cancerinfo-embed")
        self._rows: dict[int, sqlite3.Row] = {}  # chunk rows of hits, by rowid (the store is read-only)
        self.kb_state = kb_state(self.store)  # the first read: the snapshot starts here
        built_with = self.store.meta().get("embedder")
        if built_with is None:
            raise StoreMismatch(f"{db} has no search index; run 'cancerinfo ingest' to build it")
        if built_with != self.embedder.document_name:
            raise StoreMismatch(
                f"{db} was indexed with embedder {built_with!r}, this cancerinfo uses "
                f"{self.embedder.document_name!r}; run 'cancerinfo ingest' again to re-index"
            )
        self.tiers = tiers or load_tier_policy()
        self.intents = intents or IntentModel.load()
        try:
            postings = load_postings(self.store.connection)
            if postings is None:  # the FTS5 query path older stores were searched with is gone
                self.store.close()
                raise StoreMismatch(
                    f"{db} has no BM25 postings (built by an older cancerinfo, or an ingest that did "
                    "not finish); run 'cancerinfo ingest' on the KB again to re-index it"
                )
            self.index: IndexData = load_index(
                self.store,
                today=today or date.today(),
                intents=self.intents,
                generic_title_words=self.policy.title_generic_words,
                postings=postings,
            )
        except (ValueError, EOFError, IndexError, KeyError, UnicodeDecodeError) as exc:
            # a damaged array (postings, vectors) or row: numpy and json fail in their own words
            self.store.close()
            raise StoreError(damaged_index_message(db, exc)) from None
        self.postings: Postings = postings
        self._position_of_chunk_id: dict[str, int] | None = None
        self.tier_bonus = np.asarray(
            [self.tiers.bonus_of(info.tier) for info in self.index.documents]
        )

    def close(self) -> None:
        """Wait for the worker threads, then close the store."""
        self._pool.shutdown(wait=True)
        self.store.close()  # ends the read transaction

    def search(
        self, query: str, *, k: int = 10, filters: Filters | None = None, snippets: bool = True
    ) -> SearchResult:
        """The ``k`` best sections for ``query``. ``snippets=False``: hits without their
        snippet (an answer quotes the sections; it never shows a snippet)."""
        index, policy = self.index, self.policy
        intent = self.intents.classify(query)
        matches = index.vocabulary.match(query)
        entities = [_entity(m) for m in matches]
        outcome = apply_filters(index.documents, filters)
        if outcome.allowed is not None and not outcome.allowed:
            return SearchResult(query, intent, [], outcome.reason, outcome.detail, entities)
        expansions = index.vocabulary.expand(query, matches)
        terms = lexical_terms(query, matches, expansions)
        if not terms and not matches:
            return SearchResult(
                query, intent, [], "NO_QUERY_TERMS", "the question has no words to search for", entities
            )
        dense_text = query if not expansions else f"{query} ({', '.join(expansions)})"
        embedding = self._pool.submit(self.embedder.embed, [dense_text])  # runs while BM25 does
        allowed = allowed_chunks(index, outcome.allowed)
        lexical = lexical_candidates(
            self.postings, index, terms, limit=policy.lexical_candidates, allowed=allowed
        )
        intent_bit = index.intent_bits.get(intent, 0)
        named = named_page_candidates(index, query, matches, intent_bit=intent_bit, allowed=allowed)
        if named.topic:
            urls = sorted(index.documents[d].url for d in named.topic_documents)
            entities.append(
                {"text": named.topic, "canonical": named.topic, "kind": "topic", "urls": urls, "fuzzy": False}
            )
        vector = embedding.result()[0]  # embedded while the lexical and named-page steps ran
        dense = dense_candidates(index, vector, limit=policy.dense_candidates, allowed=allowed)
        fused = fuse(
            index, policy, self.tier_bonus, lexical=lexical, dense=dense, named=named, intent_bit=intent_bit
        )
        kept = best_first(fused, index, k=k, per_document=policy.max_hits_per_document)
        hits = self._hits(fused, kept, dense.similarities, query if snippets else None)
        reason = None if hits else "NO_RESULTS"
        best = dense.best_similarity
        return SearchResult(query, intent, hits, reason, None, entities, best, tuple(expansions), vector)

    def _positions(self, chunk_ids: list[str]) -> list[int]:
        if self._position_of_chunk_id is None:
            self._position_of_chunk_id = {chunk_id: p for p, chunk_id in enumerate(self.index.chunk_ids)}
        return [self._position_of_chunk_id.get(chunk_id, -1) for chunk_id in chunk_ids]

    def chunk_documents(self, chunk_ids: list[str]) -> list[int]:
        """The page (position in ``index.documents``) of each chunk; -1 for one not in the index."""
        return [int(self.index.chunk_document[p]) if p >= 0 else -1 for p in self._positions(chunk_ids)]

    def section_similarity(self, vector: np.ndarray, chunk_ids: list[str]) -> list[float]:
        """The cosine of ``vector`` (a question's, from :attr:`SearchResult.vector`) to the
        section vector of each chunk (-1.0 for a chunk not in the index): no model run."""
        index = self.index
        positions = self._positions(chunk_ids)
        found = [p for p in positions if p >= 0]
        scores = iter((vector @ index.vector_columns[:, index.chunk_key[found]]).tolist() if found else [])
        return [float(next(scores)) if p >= 0 else -1.0 for p in positions]

    def _hits(
        self, fused: Fused, kept: list[int], similarities: np.ndarray, query: str | None
    ) -> list[Hit]:
        """The hits of the candidates ``kept`` (indexes into ``fused.positions``), with their
        score, its parts and the cosine of their section (``similarities``: per section key);
        with snippets around ``query``'s words, none without a query."""
        index = self.index
        if not kept:
            return []
        positions = [int(fused.positions[i]) for i in kept]
        rowids = [int(index.chunk_rowids[p]) for p in positions]
        rows = self._rows
        missing = [rowid for rowid in rowids if rowid not in rows]
        if missing:
            if len(rows) + len(missing) > MAX_KEPT_ROWS:
                rows.clear()
            placeholders = ",".join("?" * len(missing))
            for row in self.store.connection.execute(
                f"SELECT rowid, chunk_id, section, text FROM chunks WHERE rowid IN ({placeholders})", missing
            ):
                rows[row["rowid"]] = row
        words = query_words(query) if query is not None else []
        hits = []
        for i, position, rowid in zip(kept, positions, rowids, strict=True):
            row = rows[rowid]
            info = index.documents[int(index.chunk_document[position])]
            hits.append(
                Hit(
                    url=info.url,
                    title=info.title,
                    section=row["section"],
                    chunk_id=row["chunk_id"],
                    score=round(float(fused.total[i]), 6),
                    sourceType=info.source_type,
                    audienceLevel=info.audience_level,
                    lastReviewed=info.last_reviewed,
                    review_status=info.review_status,
                    snippet=snippet(row["text"], words) if query is not None else "",
                    text=row["text"],
                    explain={
                        name: round(float(values[i]), 5) for name, values in fused.parts.items() if values[i]
                    },
                    similarity=float(similarities[index.chunk_key[position]]),
                    document=int(index.chunk_document[position]),
                )
            )
        return hits


def snippet(text: str, words: list[str], *, size: int = SNIPPET_CHARS) -> str:
    """About ``size`` characters of ``text`` around the first query word found in it."""
    flat = " ".join(text.split())
    if len(flat) <= size:
        return flat
    lowered = flat.lower()
    starts = [lowered.find(word) for word in words if lowered.find(word) >= 0]
    start = max(0, min(starts) - size // 4) if starts else 0
    start = flat.rfind(" ", 0, start) + 1 if start else 0
    piece = flat[start : start + size]
    cut = piece.rfind(" ")
    piece = piece[:cut] if cut > size // 2 else piece
    return ("… " if start else "") + piece + " …"


def _entity(match: EntityMatch) -> dict[str, Any]:
    """A vocabulary term named in the question, as :attr:`SearchResult.entities` lists it."""
    return {
        "text": match.text,
        "canonical": match.canonical,
        "kind": str(match.kind),
        "urls": list(match.urls),
        "fuzzy": match.fuzzy,
    }
