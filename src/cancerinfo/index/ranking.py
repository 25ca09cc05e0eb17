"""Ranking weights of ``policies/retrieval.yaml``, validated; a bad file names the key."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cancerinfo.errors import PolicyError
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
    first_chunk_bonus: float = Field(ge=0)
    topic_bonus: float = Field(ge=0)
    title_intent_bonus: float = Field(ge=0)
    max_hits_per_document: int = Field(ge=1)
    title_generic_words: frozenset[str]
    question_model: Literal["int8-dynamic", "document-model"]


def load_retrieval_policy(path: Path | None = None) -> RetrievalPolicy:
    path = path or policy_path("retrieval.yaml")
    return validated(RetrievalPolicy, read_policy(path, what="retrieval policy"), path)


class TierPolicy(BaseModel):
    """``policies/tiers.yaml``: the ranking bonus of each source tier (NN of sourceType)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    bonus: dict[int, float]
    default: float = Field(ge=0)

    def bonus_of(self, tier: int) -> float:
        return self.bonus.get(tier, self.default)


def load_tier_policy(path: Path | None = None) -> TierPolicy:
    path = path or policy_path("tiers.yaml")
    policy = validated(TierPolicy, read_policy(path, what="tier policy"), path)
    negative = [tier for tier, bonus in policy.bonus.items() if bonus < 0]
    if negative:
        raise PolicyError(f"{path}: key bonus.{negative[0]}: a bonus must be 0 or more")
    return policy
