"""Retrieval quality on a real sample of the NCI KB (needs ../shared; real MiniLM)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cancerinfo.eval.retrieval import score_question
from cancerinfo.index.search import Searcher
from cancerinfo.kb.loader import iter_kb_files, load_file
from cancerinfo.pipeline.ingest import ingest
from tests.conftest import copy_pages

pytestmark = [pytest.mark.shared, pytest.mark.slow]

TOPICS = ("penile", "anal", "thymoma", "gallbladder")


@pytest.fixture(scope="module")
def sample(nci_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """Every page (patient, hp, hub, prevention...) of a few cancer types, plus drug pages."""
    questions = [
        json.loads(line)
        for line in (nci_kb.parent.parent / "eval" / "nci-kb-questions.jsonl").read_text().splitlines()
    ]
    root = tmp_path_factory.mktemp("sample") / "kb"
    wanted_urls: set[str] = set()
    files: list[Path] = []
    for _, file in iter_kb_files([nci_kb]):
        document = load_file(file).document
        if document is None:
            continue
        url = document.url
        is_topic = any(f"/types/{topic}" in url for topic in TOPICS)
        is_drug = "/treatment/drugs/" in url and url.rsplit("/", 1)[-1][:1] in "ab"
        if is_topic or is_drug:
            files.append(file)
            wanted_urls.add(url)
    copy_pages(files, nci_kb, root)
    chosen = [q for q in questions if {r["url"] for r in q["relevant"]} <= wanted_urls]
    return root, chosen


def test_sample_questions_find_their_page(sample: tuple[Path, list[dict]], tmp_path: Path) -> None:
    root, questions = sample
    assert len(questions) >= 40
    db = tmp_path / "sample.db"
    assert ingest([root], db=db).ok
    searcher = Searcher(db)
    scores = [score_question(searcher.search(q["question"]).hits, q["relevant"]) for q in questions]
    doc1 = sum(s["doc@1"] for s in scores) / len(scores)
    doc5 = sum(s["doc@5"] for s in scores) / len(scores)
    print(f"sample of {len(questions)} questions: doc@1 {doc1:.3f}, doc@5 {doc5:.3f}")
    assert doc1 >= 0.85 and doc5 >= 0.95
