"""Retrieval metrics of `cancerinfo eval retrieval`, on hand-made hits."""

from __future__ import annotations

from pathlib import Path

import pytest

from cancerinfo.eval.retrieval import read_questions, score_question
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


def test_answer_set_labels_are_urls_with_the_record_section(tmp_path: Path) -> None:

    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "a", "question": "q?", "relevant": ["u1", "u2"], "section": "Side effects"}\n'
        '{"id": "b", "question": "q?", "relevant": [{"url": "u3", "section": "S"}]}\n',
        encoding="utf-8",
    )
    first, second = read_questions(path)
    assert first["relevant"] == [{"url": "u1", "section": "Side effects"}, {"url": "u2"}]
    assert second["relevant"] == [{"url": "u3", "section": "S"}]
    hits = [hit("u1", "Side effects > Hair loss")]
    assert score_question(hits, first["relevant"])["section@1"] == 1.0


def test_a_malformed_label_names_its_line(tmp_path: Path) -> None:

    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "a", "question": "q?", "relevant": ["u1"]}\n{"id": "b", "question": "q?", "relevant": [3]}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"q\.jsonl:2: 'relevant'"):
        list(read_questions(path))
