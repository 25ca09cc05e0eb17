"""Ranking weights of ``policies/retrieval.yaml``, validated; a bad file names the key."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from cancerinfo.policies import policy_path, read_policy, validated


class RetrievalPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    lexical_candidates: int = Field(ge=1, le=10_000)
    lexical_max_term_share: float = Field(gt=0, le=1)
    dense_candidates: int = Field(ge=1, le=10_000)
    rrf_k: int = Field(ge=1)
    lexical_weight: float = Field(ge=0)
    dense_weight: float = Field(ge=0)
    entity_bonus: float = Field(ge=0)
    entity_partial_bonus: float = Field(ge=0)
    intent_bonus: float = Field(ge=0)
    patient_bonus: float = Field(ge=0)
    tier_bonus_per_level: float = Field(ge=0)
    first_chunk_bonus: float = Field(ge=0)
    topic_bonus: float = Field(ge=0)
    title_intent_bonus: float = Field(ge=0)
    max_hits_per_document: int = Field(ge=1)
    title_generic_words: frozenset[str]


def load_retrieval_policy(path: Path | None = None) -> RetrievalPolicy:
    path = path or policy_path("retrieval.yaml")
    return validated(RetrievalPolicy, read_policy(path, what="retrieval policy"), path)
