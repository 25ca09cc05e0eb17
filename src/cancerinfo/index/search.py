"""Hybrid search over a store: FTS5 BM25 + dense vectors, fused, with priors.

Pipeline of :meth:`Searcher.search` (each step in its own module):

1. intent of the question (:mod:`.intent`) and KB terms named in it (:mod:`.vocabulary`);
2. lexical candidates: the question's words plus vocabulary expansions, BM25 (:mod:`.lexical`);
3. dense candidates: the question's vector against one vector per section (:mod:`.dense`);
4. reciprocal rank fusion plus bonuses — a named drug/brand/regimen/page, a heading that
   fits the intent, a patient version, a more authoritative tier (:mod:`.ranking`);
5. filters fail closed (:mod:`.filters`); ties are broken by chunk id, so a question
   always gives the same hits.

Only live, ``active`` pages are searched: deprecated, archived, draft and removed pages
never come back.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np

from cancerinfo.errors import StoreError, StoreMismatch
from cancerinfo.index.dense import Embedder
from cancerinfo.index.filters import Filters, apply_filters
from cancerinfo.index.intent import IntentModel
from cancerinfo.index.lexical import TermFrequencies, match_expression, query_words, search_fts
from cancerinfo.index.loading import IndexData, kb_state, load_index
from cancerinfo.index.postings import load_postings
from cancerinfo.index.postings import terms as postings_terms
from cancerinfo.index.question_model import question_embedder
from cancerinfo.index.ranking import (
    RetrievalPolicy,
    TierPolicy,
    load_retrieval_policy,
    load_tier_policy,
)
from cancerinfo.index.records import Hit, SearchResult
from cancerinfo.index.topics import find_topic
from cancerinfo.index.vocabulary import Kind
from cancerinfo.store.database import Store, damaged_index_message

# Page titles count through topics (.topics), not here, so a title is not counted twice.
STRONG_ENTITY_KINDS = frozenset({Kind.DRUG, Kind.BRAND, Kind.REGIMEN, Kind.REGIMEN_COMPONENT})
SNIPPET_CHARS = 240
#: Chunk rows of hits kept in memory (about 1 kB of text each on nci-kb).
MAX_KEPT_ROWS = 20_000
#: An abbreviation or alias names "a page" only when few pages define it.
MAX_PARTIAL_ENTITY_PAGES = 3
_NO_POSITIONS = np.zeros(0, dtype=np.int64)


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
        self.frequencies = TermFrequencies(self.store.connection)
        self.intents = intents or IntentModel.load()
        try:
            self.postings = load_postings(self.store.connection)
            self.index: IndexData = load_index(
                self.store,
                today=today or date.today(),
                intents=self.intents,
                generic_title_words=self.policy.title_generic_words,
            )
        except (ValueError, EOFError, IndexError, KeyError, UnicodeDecodeError) as exc:
            # a damaged array (postings, vectors) or row: numpy and json fail in their own words
            self.store.close()
            raise StoreError(damaged_index_message(db, exc)) from None
        self._position_of_chunk_id: dict[str, int] | None = None
        self.tier_bonus = np.asarray(
            [self.tiers.bonus_of(info.tier) for info in self.index.documents]
        )

    def close(self) -> None:
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
        entities = [
            {
                "text": m.text,
                "canonical": m.canonical,
                "kind": str(m.kind),
                "urls": list(m.urls),
                "fuzzy": m.fuzzy,
            }
            for m in matches
        ]
        outcome = apply_filters(index.documents, filters)
        if outcome.allowed is not None and not outcome.allowed:
            return SearchResult(query, intent, [], outcome.reason, outcome.detail, entities)
        expansions = index.vocabulary.expand(query, matches)
        phrases = [m.term for m in matches if " " in m.term] + expansions
        expression: str | None = None  # the FTS5 query, for stores without postings
        if self.postings is None:
            words = self.frequencies.informative(
                query_words(query), max_share=policy.lexical_max_term_share
            )
            expression = match_expression(words, phrases=phrases)
            has_terms = expression is not None
        else:
            lexical_terms = [t for w in [*query_words(query), *phrases] for t in postings_terms(w)]
            has_terms = bool(lexical_terms)
        if not has_terms and not matches:
            return SearchResult(
                query,
                intent,
                [],
                "NO_QUERY_TERMS",
                "the question has no words to search for",
                entities,
            )

        dense_text = query if not expansions else f"{query} ({', '.join(expansions)})"
        embedding = self._pool.submit(self.embedder.embed, [dense_text])  # runs while BM25 does
        # Candidates are kept as arrays of chunk positions (no array the size of the KB per
        # question unless a filter asks for one).
        allowed_chunk: np.ndarray | None = None  # None: every live chunk is allowed
        if outcome.allowed is not None:
            allowed_chunk = index.live_chunk & np.isin(
                index.chunk_document, np.fromiter(outcome.allowed, dtype=np.int64)
            )
        # 2. lexical: BM25 ranks (saved postings; FTS5 for older stores), in order, filtered
        if self.postings is not None:
            rowids, _ = self.postings.top(lexical_terms, limit=policy.lexical_candidates)
        elif expression is not None:
            hits = search_fts(self.store.connection, expression, limit=policy.lexical_candidates)
            rowids = np.fromiter((hit.rowid for hit in hits), dtype=np.int64, count=len(hits))
        else:
            rowids = np.zeros(0, dtype=np.int64)
        lexical_positions = _NO_POSITIONS
        if len(rowids):
            rowids = rowids[rowids < len(index.position_of_rowid_array)]
            positions = index.position_of_rowid_array[rowids]
            positions = positions[positions >= 0]
            if allowed_chunk is not None:
                positions = positions[allowed_chunk[positions]]
            lexical_positions = positions
        lexical_scores = policy.lexical_weight / (policy.rrf_k + np.arange(1, len(lexical_positions) + 1))
        candidate_parts = [lexical_positions]
        # 4. named pages: their first and intent-fitting sections become candidates
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
        intent_bit = index.intent_bits.get(intent, 0)
        # A topic may be named by another name the KB gives it ("chronic myelogenous
        # leukemia", also called "chronic myeloid leukemia") or by its abbreviation.
        other_names = [
            m.canonical
            for m in matches
            if m.kind in (Kind.ALIAS, Kind.ABBREVIATION) and not m.fuzzy
        ]
        topic, topic_documents = find_topic(" ; ".join([query, *other_names]), index.topics)
        if topic:
            entities.append(
                {
                    "text": topic,
                    "canonical": topic,
                    "kind": "topic",
                    "urls": sorted(index.documents[d].url for d in topic_documents),
                    "fuzzy": False,
                }
            )
        for document in strong | topic_documents:
            positions = index.chunks_of_document_array.get(document, _NO_POSITIONS)
            fits = (index.chunk_ordinal[positions] == 0) | (
                (index.chunk_intents[positions] & intent_bit) != 0
            )
            if allowed_chunk is not None:
                fits &= allowed_chunk[positions]
            candidate_parts.append(positions[fits])
        # 3. dense: exact search over the section vectors the filters allow
        # (steps 2 and 4 ran while the question was embedded on the embedding thread)
        vector = embedding.result()[0]
        # one matrix-vector product over the vectors' columns (see loading._load_vector_columns)
        similarities = vector @ index.vector_columns
        sections = index.vector_columns.shape[1]
        if allowed_chunk is not None:
            key_allowed = np.zeros(sections, dtype=bool)
            key_allowed[index.chunk_key[allowed_chunk]] = True
            similarities[~key_allowed] = -np.inf
            allowed_keys = int(key_allowed.sum())
        else:
            allowed_keys = sections
        count = min(policy.dense_candidates, allowed_keys)
        top = np.zeros(0, dtype=np.int64)
        dense_first = _NO_POSITIONS
        if count:
            top = np.argpartition(-similarities, count - 1)[:count]
            top = top[np.lexsort((top, -similarities[top]))]
            dense_first = index.first_chunk_of_key[top]
            if allowed_chunk is not None:
                dense_first = dense_first[allowed_chunk[dense_first]]
        top_order = np.argsort(top, kind="stable")  # to look up the rank of a key
        top_sorted = top[top_order]
        candidate_parts.append(dense_first)
        # 5. fusion and priors, all candidates at once
        cand = _sorted_unique(np.concatenate(candidate_parts))
        docs = index.chunk_document[cand]
        pages = len(index.documents)
        ranks = _ranks_of(index.chunk_key[cand], top_sorted, top_order)
        parts = {
            "lexical": _scores_of(cand, lexical_positions, lexical_scores),
            "dense": np.where(
                ranks > 0, policy.dense_weight / (policy.rrf_k + np.maximum(ranks, 1)), 0.0
            ),
            "topic": _among(docs, topic_documents, pages) * policy.topic_bonus,
            "title_intent": ((index.title_intents[docs] & intent_bit) != 0)
            * policy.title_intent_bonus,
            "entity": _among(docs, strong, pages) * policy.entity_bonus
            + _among(docs, partial, pages) * policy.entity_partial_bonus,
            "intent": ((index.chunk_intents[cand] & intent_bit) != 0) * policy.intent_bonus,
            "patient": ~index.document_professional[docs] * policy.patient_bonus,
            "tier": self.tier_bonus[docs],
            "first_chunk": (index.first_chunk_of_key[index.chunk_key[cand]] == cand)
            * policy.first_chunk_bonus,
        }
        total = np.sum(list(parts.values()), axis=0) if len(cand) else np.zeros(0)
        order = np.lexsort((index.chunk_id_order[cand], -total))
        kept = _diverse(
            order.tolist(),
            docs,
            index.chunk_key[cand],
            k=k,
            per_document=policy.max_hits_per_document,
        )
        ranked = [int(cand[i]) for i in kept]
        scores = {int(cand[i]): float(total[i]) for i in kept}
        explain = {
            int(cand[i]): {
                name: round(float(values[i]), 5) for name, values in parts.items() if values[i]
            }
            for i in kept
        }
        cosine = {int(cand[i]): float(similarities[index.chunk_key[cand[i]]]) for i in kept}
        hits = self._hits(ranked, scores, explain, cosine, query if snippets else None)
        reason = None if hits else "NO_RESULTS"
        best = float(similarities[top[0]]) if count else -1.0
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
        self,
        positions: list[int],
        scores: dict[int, float],
        explain: dict[int, dict[str, float]],
        cosine: dict[int, float],
        query: str | None,
    ) -> list[Hit]:
        """The hits at ``positions``; with snippets around ``query``'s words, none without a query."""
        index = self.index
        if not positions:
            return []
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
        for position, rowid in zip(positions, rowids, strict=True):
            row = rows[rowid]
            info = index.documents[int(index.chunk_document[position])]
            hits.append(
                Hit(
                    url=info.url,
                    title=info.title,
                    section=row["section"],
                    chunk_id=row["chunk_id"],
                    score=round(scores[position], 6),
                    sourceType=info.source_type,
                    audienceLevel=info.audience_level,
                    lastReviewed=info.last_reviewed,
                    review_status=info.review_status,
                    snippet=snippet(row["text"], words) if query is not None else "",
                    text=row["text"],
                    explain=explain.get(position, {}),
                    similarity=cosine.get(position, -1.0),
                    document=int(index.chunk_document[position]),
                )
            )
        return hits


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for a few hundred values, in a fifth of the time."""
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _among(documents: np.ndarray, chosen: set[int], pages: int) -> np.ndarray:
    """``np.isin(documents, list(chosen))`` by a mask over the pages (a tenth of the time)."""
    mask = np.zeros(pages, dtype=bool)
    mask[list(chosen)] = True
    return mask[documents]


def _ranks_of(keys: np.ndarray, top_sorted: np.ndarray, top_order: np.ndarray) -> np.ndarray:
    """The 1-based dense rank of each key (0 when not among the dense candidates)."""
    if not len(top_sorted):
        return np.zeros(len(keys), dtype=np.int64)
    at = np.minimum(np.searchsorted(top_sorted, keys), len(top_sorted) - 1)
    found = top_sorted[at] == keys
    return np.where(found, top_order[at] + 1, 0)


def _scores_of(positions: np.ndarray, scored: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The score of each position in ``scored`` (0 where it is not there)."""
    if not len(scored):
        return np.zeros(len(positions))
    order = np.argsort(scored, kind="stable")
    sorted_positions = scored[order]
    at = np.minimum(np.searchsorted(sorted_positions, positions), len(sorted_positions) - 1)
    return np.where(sorted_positions[at] == positions, scores[order][at], 0.0)


def _diverse(
    ranked: list[int],
    chunk_document: np.ndarray,
    chunk_section: np.ndarray,
    *,
    k: int,
    per_document: int,
) -> list[int]:
    """The first ``k`` of ``ranked`` (indexes into ``chunk_document``): one chunk of a
    section (its best), at most ``per_document`` sections of one page."""
    kept: list[int] = []
    used: dict[int, int] = {}
    sections: set[tuple[int, int]] = set()
    for position in ranked:
        document = int(chunk_document[position])
        section = (document, int(chunk_section[position]))
        if used.get(document, 0) < per_document and section not in sections:
            used[document] = used.get(document, 0) + 1
            sections.add(section)
            kept.append(position)
            if len(kept) == k:
                break
    return kept


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
