"""Page records for the answer tests that build a KB in memory (no SQLite)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from cancerinfo.answer.composer import Composer
from cancerinfo.answer.evidence import EvidenceFinder
from cancerinfo.answer.kb_reader import ChunkRow, MemoryKB
from cancerinfo.answer.plan import AnswerPolicy
from cancerinfo.index.records import DocumentInfo
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
