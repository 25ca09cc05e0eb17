"""Page records for the answer tests that build a KB in memory (no SQLite)."""

from __future__ import annotations

from cancerinfo.index.records import DocumentInfo


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
