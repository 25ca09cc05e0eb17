"""Retrieval suites with a BM25-only baseline run beside ours in the same process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from cancerinfo.eval.baseline import BM25Baseline
from cancerinfo.eval.liveqa import read_liveqa, run_liveqa
from cancerinfo.eval.retrieval import read_questions, run_retrieval_eval, score_question
from cancerinfo.index.search import Searcher

REPO = Path(__file__).resolve().parents[3]


class _Hit(NamedTuple):
    url: str
    section: str


def baseline_metrics(baseline: BM25Baseline, questions: Path, *, k: int = 10) -> dict[str, Any]:
    """The BM25 baseline's retrieval metrics on the labelled questions of ``questions``,
    averaged."""
    totals: dict[str, float] = {}
    counted: dict[str, int] = {}
    for record in read_questions(questions):
        if not record.get("relevant"):
            continue
        hits = [_Hit(url, section) for url, section, _ in baseline.search(record["question"], k=k)]
        for name, value in score_question(hits, record["relevant"]).items():
            totals[name] = totals.get(name, 0.0) + value
            counted[name] = counted.get(name, 0) + 1
    return {name: round(totals[name] / counted[name], 4) for name in sorted(totals)}


def compare(searcher: Searcher, baseline: BM25Baseline, questions: Path, work: Path) -> dict[str, Any]:
    """Our retrieval metrics on ``questions``, the baseline's, and the ratio of ours to the
    baseline's."""
    ours = run_retrieval_eval(searcher, questions, work / "hits.jsonl")
    base = baseline_metrics(baseline, questions)
    ratios = {name: round(ours["metrics"][name] / base[name], 2) for name in base if base[name]}
    return {**ours, "baseline": base, "ratio": ratios}


def medquad_nci_questions(shared: Path, work: Path) -> Path:
    """A file in ``work`` with the MedQuAD questions whose source is NCI; its path."""
    work.mkdir(parents=True, exist_ok=True)
    path = work / "medquad-nci.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for line in (shared / "eval" / "medquad-questions.jsonl").open(encoding="utf-8"):
            if json.loads(line).get("source") == "NCI":
                out.write(line)
    return path


def label_ceiling(questions: Path) -> float:
    """The best doc@1 any deterministic system can reach: a question asked several times
    with different labelled pages can have only one first page."""
    by_text: dict[str, list[set[str]]] = {}
    records = [r for r in read_questions(questions) if r.get("relevant")]
    for record in records:
        by_text.setdefault(record["question"].strip().casefold(), []).append({r["url"] for r in record["relevant"]})
    best = 0
    for labels in by_text.values():
        urls = set().union(*labels)
        best += max(sum(1 for label in labels if url in label) for url in urls)
    return round(best / max(len(records), 1), 4)


def retrieval_suite(nci_db: Path, medquad_db: Path, shared: Path, *, work: Path) -> dict[str, Any]:
    """Our search against the baseline on the NCI KB question sets and MedQuAD's NCI questions."""
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    for db, files in (
        (nci_db, {
            "nci-kb-questions (nci-kb)": shared / "eval" / "nci-kb-questions.jsonl",
            "held-out, ours (nci-kb)": REPO / "benchmarks" / "heldout-retrieval.jsonl",
        }),
        (medquad_db, {"MedQuAD NCI (nci-pdq + nih-health)": medquad_nci_questions(shared, work)}),
    ):
        searcher, baseline = Searcher(db), BM25Baseline(db)
        try:
            for name, path in files.items():
                results[name] = compare(searcher, baseline, path, work)
                results[name]["doc@1_label_ceiling"] = label_ceiling(path)
        finally:
            searcher.close()
            baseline.close()
    return results


def liveqa_suite(db: Path, shared: Path) -> dict[str, Any]:
    """LiveQA-Med 2017 metrics of our search and of the baseline, for both question forms."""
    questions = read_liveqa(shared / "benchmarks" / "liveqa-med-2017" / "questions.jsonl")
    searcher, baseline = Searcher(db), BM25Baseline(db)
    try:
        results = {}
        for form in ("subject + message", "paraphrase"):
            key = "paraphrase" if form == "paraphrase" else "subject+message"
            ours = run_liveqa(lambda q: [(h.url, h.section) for h in searcher.search(q).hits], questions, form=key)
            base = run_liveqa(lambda q: [(u, s) for u, s, _ in baseline.search(q)], questions, form=key)
            results[form] = {"ours": ours, "baseline": base["metrics"]}
    finally:
        searcher.close()
        baseline.close()
    return results
