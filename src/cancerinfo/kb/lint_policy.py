"""The lint policy: thresholds and word lists of ``policies/lint.yaml``, validated.

A bad policy raises :class:`~cancerinfo.errors.PolicyError` naming the file and the key.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cancerinfo.policies import policy_path, read_policy, validated

_NOT_A_WORD = re.compile(r"[^a-z0-9]+")


class CancerTypeRules(BaseModel):
    """When a ``cancerTypes`` value fits a page (``cancer_types`` in the policy)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_body_mentions: int = Field(ge=1, strict=True)
    min_mentions_per_1000_words: float = Field(ge=0, strict=True)
    always_fit: frozenset[str]
    synonyms: dict[str, tuple[str, ...]]

    @field_validator("always_fit")
    @classmethod
    def _lowercase_values(cls, values: frozenset[str]) -> frozenset[str]:
        return frozenset(value.strip().lower() for value in values)

    @field_validator("synonyms")
    @classmethod
    def _lowercase_names(cls, synonyms: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return {name.strip().lower(): words for name, words in synonyms.items()}

    def fits(self, *, mentions: int, word_count: int) -> bool:
        """Whether a value named ``mentions`` times in a body of ``word_count`` words fits."""
        if mentions >= self.min_body_mentions:
            return True
        return (
            mentions > 0
            and mentions * 1000 / max(word_count, 1) >= self.min_mentions_per_1000_words
        )

    def terms_for(self, value: str) -> frozenset[str]:
        """The value and its synonyms as lowercase words separated by one space."""
        names = (value, *self.synonyms.get(value.lower(), ()))
        return frozenset(filter(None, (" ".join(words(name)) for name in names)))


class LintPolicy(BaseModel):
    """The thresholds and word lists of ``policies/lint.yaml`` (documented in that file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    review_due_window_days: int = Field(ge=0, strict=True)
    placeholder_patterns: tuple[re.Pattern[str], ...]
    relative_link_examples: int = Field(ge=1, strict=True)
    cancer_types: CancerTypeRules

    @field_validator("placeholder_patterns")
    @classmethod
    def _ignore_case(cls, patterns: tuple[re.Pattern[str], ...]) -> tuple[re.Pattern[str], ...]:
        compiled = tuple(re.compile(pattern.pattern, re.IGNORECASE) for pattern in patterns)
        for position, pattern in enumerate(compiled, start=1):
            if pattern.search(""):
                raise ValueError(f"item {position} ({pattern.pattern!r}) matches empty text")
        return compiled


def load_lint_policy(path: Path | None = None) -> LintPolicy:
    """Read and check the lint policy; raises :class:`PolicyError` naming the file and key."""
    path = path if path is not None else policy_path("lint.yaml")
    return validated(LintPolicy, read_policy(path, what="lint policy"), path)


def words(text: str) -> list[str]:
    """Lowercase words of a text (hyphens, slashes and marks are separators)."""
    return _NOT_A_WORD.sub(" ", text.lower()).split()
