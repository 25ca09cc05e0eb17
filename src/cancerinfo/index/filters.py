"""Search filters that fail closed: a filter that matches nothing returns nothing, and says why.

A value that no live page carries is not ignored (that would silently "match all"): the
search returns no hits with reason ``FILTER_MATCHES_NOTHING`` naming the filter and value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cancerinfo.index.records import DocumentInfo


@dataclass(frozen=True, slots=True)
class Filters:
    """The search filters a caller may give (cancer type, audience, language, source type, tags)."""

    cancer_type: str | None = None
    audience: str | None = None
    language: str | None = None
    source_type: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def active(self) -> bool:
        """Whether any filter is given."""
        return any((self.cancer_type, self.audience, self.language, self.source_type, self.tags))


@dataclass(frozen=True, slots=True)
class FilterOutcome:
    """The documents the filters allow (``None``: no filter), or why none are left."""

    allowed: frozenset[int] | None  # document indexes; None = no filter given
    reason: str | None = None
    detail: str | None = None


def apply_filters(documents: Sequence[DocumentInfo], filters: Filters | None) -> FilterOutcome:
    """The documents every given filter accepts (case-insensitive exact values)."""
    if filters is None or not filters.active:
        return FilterOutcome(None)
    allowed = set(range(len(documents)))
    checks: list[tuple[str, str, object]] = []
    if filters.cancer_type:
        checks.append(("cancer_type", filters.cancer_type, lambda d, v: v in d.cancer_types))
    if filters.audience:
        checks.append(("audience", filters.audience, lambda d, v: d.audience_level == v))
    if filters.language:
        checks.append(("language", filters.language, lambda d, v: d.language == v))
    if filters.source_type:
        checks.append(("source_type", filters.source_type, lambda d, v: d.source_type == v))
    for tag in filters.tags:
        checks.append(("tag", tag, lambda d, v: v in d.tags))
    for name, value, accepts in checks:
        wanted = value.strip().lower()
        matching = {i for i, d in enumerate(documents) if accepts(d, wanted)}  # type: ignore[operator]
        if not matching:
            return FilterOutcome(
                frozenset(), "FILTER_MATCHES_NOTHING", f"no page in the KB has {name} {value!r}"
            )
        allowed &= matching
    if not allowed:
        return FilterOutcome(frozenset(), "FILTER_MATCHES_NOTHING", "no page matches all the filters together")
    return FilterOutcome(frozenset(allowed))
