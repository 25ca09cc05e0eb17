"""LiveQA-Med 2017 with NLM's graded judgments (TREC 2017 LiveQA medical task).

Each question has judged answers (a MedQuAD section: url + H2 heading) with grades 1
Incorrect, 2 Related, 3 Incomplete, 4 Excellent. A hit is an answer when its url and its
top heading match a judged one; **an answer nobody judged counts as wrong** (grade 0).

- ``avgScore``: the grade of the first hit mapped 1..4 → 0..3, unjudged 0, averaged over all
  questions (the TREC LiveQA measure; best 2017 run ≈ 0.637, CMU-OAQA);
- ``MRR@10``, ``MAP@10``, ``P@5`` with relevance = grade ≥ 3, over all questions (a question
  with no relevant answer in the collection scores 0);
- computed for the consumer's own words (``subject`` + ``message``) and for NIST's
  ``paraphrase``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

RELEVANT_GRADE = 3

Hit = tuple[str, str]  # (url, section heading path)
Search = Callable[[str], list[Hit]]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def read_liveqa(path: Path) -> list[dict[str, Any]]:
    """The LiveQA question records of a JSON-lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def question_text(record: dict[str, Any], form: str) -> str:
    """The question as searched: NIST's ``paraphrase``, or the consumer's subject and message."""
    if form == "paraphrase":
        return str(record["paraphrase"])
    return f"{record.get('subject') or ''} {record['message']}".strip()


def grades_of(hits: Iterable[Hit], judged: list[dict[str, Any]]) -> list[int]:
    """The grade (1-4) of each hit, 0 when nobody judged that answer."""
    table = {(j["url"], _norm(j["section"])): int(j["grade"]) for j in judged}
    return [table.get((url, _norm(section.split(" > ")[0])), 0) for url, section in hits]


def score(grades: list[int], judged: list[dict[str, Any]]) -> dict[str, float]:
    """``avgScore``, ``MRR@10``, ``MAP@10`` and ``P@5`` of one question, from the grades of its hits
    in rank order."""
    relevant = [g >= RELEVANT_GRADE for g in grades]
    total_relevant = len({(j["url"], _norm(j["section"])) for j in judged if j["grade"] >= RELEVANT_GRADE})
    first = next((rank for rank, ok in enumerate(relevant[:10], start=1) if ok), None)
    precisions = [sum(relevant[:k]) / k for k in range(1, min(10, len(relevant)) + 1) if relevant[k - 1]]
    return {
        "avgScore": max(grades[0] - 1, 0) if grades else 0.0,
        "MRR@10": 1.0 / first if first else 0.0,
        "MAP@10": sum(precisions) / min(total_relevant, 10) if total_relevant else 0.0,
        "P@5": sum(relevant[:5]) / 5,
    }


def run_liveqa(search: Search, questions: list[dict[str, Any]], *, form: str) -> dict[str, Any]:
    """Search every question in the given ``form``; the metrics averaged over all questions."""
    totals: dict[str, float] = {}
    for record in questions:
        hits = search(question_text(record, form))
        for name, value in score(grades_of(hits, record["judged"]), record["judged"]).items():
            totals[name] = totals.get(name, 0.0) + value
    count = len(questions)
    answerable = sum(any(j["grade"] >= RELEVANT_GRADE for j in r["judged"]) for r in questions)
    return {
        "questions": count,
        "with_relevant_answer": answerable,
        "metrics": {name: round(value / count, 4) for name, value in totals.items()},
    }
