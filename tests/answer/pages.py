"""Page records for the answer tests that build a KB in memory (no SQLite)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from cancerinfo.answer.composer import Composer
from cancerinfo.answer.evidence import EvidenceFinder
from cancerinfo.answer.kb_reader import ChunkRow, MemoryKB
from cancerinfo.answer.plan import AnswerPolicy
from cancerinfo.index.records import DocumentInfo, Hit
from cancerinfo.index.vocabulary import Vocabulary


def patient_page(page_id: int, title: str, slug: str) -> DocumentInfo:
    """A reviewed NCI patient page at ``https://www.cancer.gov/<slug>``."""
    return DocumentInfo(
        id=page_id,
        url=f"https://www.cancer.gov/{slug}",
        title=title,
        source="NCI",
        source_type="02_nci_core",
        tier=1,
        language="en",
        audience_level="patient",
        professional=False,
        last_reviewed="2025-12-30",
        review_status="ok",
        citation="NCI, 2025",
        cancer_types=frozenset(),
        tags=frozenset(),
    )


def hit_on(documents: Sequence[DocumentInfo], chunk: ChunkRow) -> Hit:
    """A search hit on ``chunk`` (a page of ``documents``, by its position), score 1."""
    page = documents[chunk.document]
    return Hit(
        url=page.url, title=page.title, section=chunk.section, chunk_id=chunk.chunk_id, score=1.0,
        sourceType=page.source_type, audienceLevel="patient", lastReviewed=page.last_reviewed,
        review_status="ok", snippet="", document=chunk.document,
    )


def composer_on(kb: MemoryKB, documents: Sequence[DocumentInfo], chunks: Sequence[ChunkRow], policy: AnswerPolicy) -> Composer:
    """A composer on an in-memory KB (no vocabulary, no postings; 911 as the emergency number)."""
    finder = EvidenceFinder(
        kb,
        {d.url: position for position, d in enumerate(documents)},
        policy,
        vocabulary=Vocabulary([]),
        postings=None,
        total_chunks=len(chunks),
    )
    return Composer(finder, emergency_guidance="Call 911.", emergency_number="911")


def evidence_pages(assistant: Any, question: str, first: str, parts: tuple[str, ...]) -> list[str]:
    """The last part of the address of each evidence page for ``question`` (plan ``parts``),
    when the search put the page whose address ends in ``/first`` first (as the NCI KB's
    search does for the questions of these tests; on two tiny pages it need not)."""
    result = assistant.searcher.search(question)
    ranked = sorted(result.hits, key=lambda hit: not hit.url.endswith(f"/{first}"))
    evidence = assistant.composer.finder.find(replace(result, hits=ranked), parts)
    return [assistant.composer.documents[d].url.rsplit("/", 1)[-1] for d in evidence.pages]


#: A page of a small test KB: (title, url slug, chunks as (heading path, text)).
PageSpec = tuple[str, str, list[tuple[str, str]]]


class SmallKB:
    """The documents, chunks and Markdown bodies of a few pages given as :data:`PageSpec`,
    and a composer on them: chunk ids are ``<slug>-<ordinal>``."""

    def __init__(self, pages: Sequence[PageSpec], policy: AnswerPolicy) -> None:
        self.pages = list(pages)
        self.policy = policy
        self.documents = [patient_page(position + 1, title, slug) for position, (title, slug, _) in enumerate(self.pages)]
        self.chunks = [
            ChunkRow(position * 100 + ordinal, f"{slug}-{ordinal}", position, ordinal, section, text)
            for position, (_, slug, chunks) in enumerate(self.pages)
            for ordinal, (section, text) in enumerate(chunks)
        ]

    def body(self, position: int) -> str:
        """Page ``position`` as Markdown: its title, then each section's heading and text."""
        title, _, chunks = self.pages[position]
        parts = [f"# {title.removesuffix(' - NCI')}"]
        for section, text in chunks:
            if section:
                parts.append(f"## {section.split(' > ')[-1]}")
            parts.append(text)
        return "\n\n".join(parts) + "\n"

    def composer(self) -> Composer:
        kb = MemoryKB(self.documents, {p: self.body(p) for p in range(len(self.pages))}, self.chunks)
        return composer_on(kb, self.documents, self.chunks, self.policy)

    def chunk(self, chunk_id: str) -> ChunkRow:
        return next(c for c in self.chunks if c.chunk_id == chunk_id)

    def hit(self, chunk_id: str) -> Hit:
        """A search hit on ``chunk_id``."""
        row = self.chunk(chunk_id)
        page = self.documents[row.document]
        return Hit(
            url=page.url,
            title=page.title,
            section=row.section,
            chunk_id=row.chunk_id,
            score=1.0,
            sourceType=page.source_type,
            audienceLevel="patient",
            lastReviewed=page.last_reviewed,
            review_status="ok",
            snippet="",
            document=row.document,
        )
