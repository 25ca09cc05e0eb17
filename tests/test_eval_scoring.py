"""Retrieval metrics of `cancerinfo eval retrieval`, on hand-made hits."""

from __future__ import annotations

from cancerinfo.eval.retrieval import score_question
from cancerinfo.index.records import Hit


def hit(url: str, section: str = "") -> Hit:
    return Hit(url=url, title="t", section=section, chunk_id=f"{url}#{section}", score=1.0, sourceType="02_x",
               audienceLevel="patient", lastReviewed="2025-01-01", review_status="ok", snippet="")


def test_doc_metrics_count_distinct_pages() -> None:
    hits = [hit("a", "s1"), hit("a", "s2"), hit("b"), hit("c"), hit("d"), hit("e"), hit("f")]
    assert score_question(hits, [{"url": "f"}]) == {"doc@1": 0.0, "doc@5": 0.0, "mrr@10": 1 / 6}
    assert score_question(hits, [{"url": "e"}])["doc@5"] == 1.0
    assert score_question(hits, [{"url": "a"}])["doc@1"] == 1.0


def test_section_metrics_use_the_top_heading_case_insensitively() -> None:
    hits = [hit("a", "Overview"), hit("a", "Signs and  Symptoms > Early signs"), hit("b", "Treatment")]
    scores = score_question(hits, [{"url": "a", "section": "signs and symptoms"}])
    assert scores["section@1"] == 0.0 and scores["section@5"] == 1.0 and scores["section_mrr@10"] == 0.5
    assert score_question(hits, [{"url": "b", "section": "Overview"}])["section_mrr@10"] == 0.0
