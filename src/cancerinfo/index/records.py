"""Typed records of retrieval: what the searcher knows of a page, and a search hit."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A live, answerable page as the searcher holds it in memory."""

    id: int
    url: str
    title: str
    source: str
    source_type: str
    tier: int
    language: str
    audience_level: str
    professional: bool  # a health-professional version (audience or /hp/ url)
    last_reviewed: str
    review_status: str
    citation: str | None
    cancer_types: frozenset[str]  # lower-cased, for filters
    tags: frozenset[str]


@dataclass(frozen=True, slots=True)
class Hit:
    """One retrieved chunk, best first; the fields of the ``search --json`` contract."""

    url: str
    title: str
    section: str
    chunk_id: str
    score: float
    sourceType: str
    audienceLevel: str
    lastReviewed: str
    review_status: str
    snippet: str
    text: str = field(repr=False, default="")
    explain: dict[str, float] = field(default_factory=dict)
    similarity: float = 0.0  # cosine of the question and the chunk's section vector
    document: int = -1  # position of its page in the searcher's index

    def as_dict(self, *, with_text: bool = False) -> dict[str, Any]:
        """The hit's ``search --json`` fields; ``text`` and ``similarity`` only with ``with_text``."""
        data = asdict(self)
        data.pop("document")
        if not with_text:
            data.pop("text")
            data.pop("similarity")
        return data


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What a search found: the hits, the question's intent and entities, or the reason there are
    none."""

    query: str
    intent: str
    hits: list[Hit]
    reason: str | None = None  # why there are no hits (NO_QUERY_TERMS, FILTER_MATCHES_NOTHING, ...)
    detail: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    best_similarity: float = -1.0  # best cosine of the question to any allowed section
    #: the words the KB vocabulary added to the question (brand → generic, abbreviation →
    #: long form...); not part of :meth:`as_dict`
    expansions: tuple[str, ...] = ()
    #: the question's embedding (unit length), when the dense search ran; not part of :meth:`as_dict`
    vector: Any = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The ``search --json`` output."""
        return {
            "query": self.query,
            "intent": self.intent,
            "reason": self.reason,
            "detail": self.detail,
            "entities": self.entities,
            "hits": [hit.as_dict() for hit in self.hits],
        }
