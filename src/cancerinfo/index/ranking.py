"""Ranking: the weights of ``policies/retrieval.yaml`` and ``policies/tiers.yaml``
(validated; a bad file names the key), and the fusion of the search's candidates.

:func:`fuse` scores every candidate of :mod:`.candidates` at once: reciprocal rank fusion of
the lexical and dense ranks plus bonuses, each a part of :func:`score_parts` (a hit's
``explain``). :func:`best_first` orders them (ties by chunk id) and keeps one chunk a section
and at most ``max_hits_per_document`` sections a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from cancerinfo.errors import PolicyError
from cancerinfo.index.candidates import DenseCandidates, LexicalCandidates, NamedPages
from cancerinfo.index.loading import IndexData
from cancerinfo.policies import policy_path, read_policy, validated


class RetrievalPolicy(BaseModel):
    """``policies/retrieval.yaml``: candidate counts, fusion weights and ranking bonuses of the
    search."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    lexical_candidates: int = Field(ge=1, le=10_000)
    #: no longer read (it thinned the FTS5 query, which went in issue 16); still accepted so
    #: a deployment's retrieval.yaml written before then loads
    lexical_max_term_share: float | None = Field(default=None, gt=0, le=1)
    dense_candidates: int = Field(ge=1, le=10_000)
    rrf_k: int = Field(ge=1)
    lexical_weight: float = Field(ge=0)
    dense_weight: float = Field(ge=0)
    entity_bonus: float = Field(ge=0)
    entity_partial_bonus: float = Field(ge=0)
    intent_bonus: float = Field(ge=0)
    patient_bonus: float = Field(ge=0)
    first_chunk_bonus: float = Field(ge=0)
    topic_bonus: float = Field(ge=0)
    title_intent_bonus: float = Field(ge=0)
    max_hits_per_document: int = Field(ge=1)
    title_generic_words: frozenset[str]
    question_model: Literal["int8-dynamic", "document-model"]


def load_retrieval_policy(path: Path | None = None) -> RetrievalPolicy:
    """The retrieval policy (the shipped one by default), validated."""
    path = path or policy_path("retrieval.yaml")
    return validated(RetrievalPolicy, read_policy(path, what="retrieval policy"), path)


class TierPolicy(BaseModel):
    """``policies/tiers.yaml``: the ranking bonus of each source tier (NN of sourceType)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    bonus: dict[int, float]
    default: float = Field(ge=0)

    def bonus_of(self, tier: int) -> float:
        """The bonus of ``tier``, or ``default`` for a tier not listed."""
        return self.bonus.get(tier, self.default)


def load_tier_policy(path: Path | None = None) -> TierPolicy:
    """The tier policy (the shipped one by default), validated; raises :class:`PolicyError` for a
    negative bonus."""
    path = path or policy_path("tiers.yaml")
    policy = validated(TierPolicy, read_policy(path, what="tier policy"), path)
    negative = [tier for tier, bonus in policy.bonus.items() if bonus < 0]
    if negative:
        raise PolicyError(f"{path}: key bonus.{negative[0]}: a bonus must be 0 or more")
    return policy


@dataclass(frozen=True, slots=True)
class Fused:
    """Every candidate chunk with its score and the score's parts."""

    positions: np.ndarray  # candidate chunk positions, ascending, each once
    parts: dict[str, np.ndarray]  # each part of the score, per candidate
    total: np.ndarray  # the sum of the parts, per candidate


def fuse(
    index: IndexData,
    policy: RetrievalPolicy,
    tier_bonus: np.ndarray,
    *,
    lexical: LexicalCandidates,
    dense: DenseCandidates,
    named: NamedPages,
    intent_bit: int,
) -> Fused:
    """The candidates of the three sources, each scored (``tier_bonus``: per page)."""
    positions = _sorted_unique(np.concatenate([lexical.positions, named.positions, dense.positions]))
    parts = score_parts(
        index,
        policy,
        tier_bonus,
        positions,
        lexical_ranks=rank_in(positions, lexical.positions),
        dense_ranks=rank_in(index.chunk_key[positions], dense.sections),
        named=named,
        intent_bit=intent_bit,
    )
    total = np.sum(list(parts.values()), axis=0) if len(positions) else np.zeros(0)
    return Fused(positions, parts, total)


def score_parts(
    index: IndexData,
    policy: RetrievalPolicy,
    tier_bonus: np.ndarray,
    positions: np.ndarray,
    *,
    lexical_ranks: np.ndarray,
    dense_ranks: np.ndarray,
    named: NamedPages,
    intent_bit: int,
) -> dict[str, np.ndarray]:
    """The parts of the score of the chunks at ``positions``, in the order they are added:
    reciprocal rank fusion of the lexical and dense ranks (1-based, 0 for none), then the
    bonuses of ``policies/retrieval.yaml`` and the page's tier."""
    docs = index.chunk_document[positions]
    pages = len(index.documents)
    return {
        "lexical": reciprocal_rank(lexical_ranks, weight=policy.lexical_weight, k=policy.rrf_k),
        "dense": reciprocal_rank(dense_ranks, weight=policy.dense_weight, k=policy.rrf_k),
        "topic": _among(docs, named.topic_documents, pages) * policy.topic_bonus,
        "title_intent": ((index.title_intents[docs] & intent_bit) != 0) * policy.title_intent_bonus,
        "entity": _among(docs, named.strong, pages) * policy.entity_bonus
        + _among(docs, named.partial, pages) * policy.entity_partial_bonus,
        "intent": ((index.chunk_intents[positions] & intent_bit) != 0) * policy.intent_bonus,
        "patient": ~index.document_professional[docs] * policy.patient_bonus,
        "tier": tier_bonus[docs],
        "first_chunk": (index.first_chunk_of_key[index.chunk_key[positions]] == positions)
        * policy.first_chunk_bonus,
    }


def reciprocal_rank(ranks: np.ndarray, *, weight: float, k: int) -> np.ndarray:
    """``weight / (k + rank)`` for each 1-based rank; 0 where the rank is 0 (not ranked)."""
    return np.where(ranks > 0, weight / (k + np.maximum(ranks, 1)), 0.0)


def rank_in(values: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """The 1-based rank of each value in ``ranked`` (distinct values, best first), 0 when
    the value is not there."""
    if not len(ranked):
        return np.zeros(len(values), dtype=np.int64)
    order = np.argsort(ranked, kind="stable")
    in_order = ranked[order]
    at = np.minimum(np.searchsorted(in_order, values), len(in_order) - 1)
    return np.where(in_order[at] == values, order[at] + 1, 0)


def best_first(fused: Fused, index: IndexData, *, k: int, per_document: int) -> list[int]:
    """The ``k`` best candidates (indexes into ``fused.positions``), ties by chunk id: one
    chunk a section (its best), at most ``per_document`` sections a page."""
    positions = fused.positions
    order = np.lexsort((index.chunk_id_order[positions], -fused.total))
    kept: list[int] = []
    used: dict[int, int] = {}
    sections: set[tuple[int, int]] = set()
    for candidate in order.tolist():
        document = int(index.chunk_document[positions[candidate]])
        section = (document, int(index.chunk_key[positions[candidate]]))
        if used.get(document, 0) < per_document and section not in sections:
            used[document] = used.get(document, 0) + 1
            sections.add(section)
            kept.append(candidate)
            if len(kept) == k:
                break
    return kept


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
