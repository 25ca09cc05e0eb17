"""The smoke suite: the harness end to end in a few minutes (CI runs it).

A KB of the two seed pages (examples/kb) plus 100 NCI pages taken evenly from
``corpus/nci-kb`` (when ../shared is there), ingested in a fresh process; then retrieval
with the BM25 baseline, answers checked for groundedness and by the peer suite's rubric on
the cases of the sample's cancers, and search / ask latency. It proves every stage runs
and produces numbers; its figures are not the product's (the sample is small).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from cancerinfo.answer.assistant import Assistant
from cancerinfo.eval.answers import ask_turns
from cancerinfo.eval.baseline import BM25Baseline
from cancerinfo.eval.ingest_bench import run_cli
from cancerinfo.eval.peer import check_case, load_cases, load_rubric, quote_in_page
from cancerinfo.eval.retrieval import run_retrieval_eval
from cancerinfo.eval.retrieval_bench import baseline_metrics
from cancerinfo.eval.search_bench import percentile
from cancerinfo.index.search import Searcher
from cancerinfo.kb.loader import iter_kb_files, load_file
from cancerinfo.store.database import Store

REPO = Path(__file__).resolve().parents[3]
SAMPLE_PAGES = 100


def build_sample(shared: Path, folder: Path) -> tuple[Path, set[str]]:
    """examples/kb plus every n-th NCI page (100 in all); the urls of the NCI pages."""
    kb = folder / "kb"
    if kb.exists():
        shutil.rmtree(kb)
    shutil.copytree(REPO / "examples" / "kb", kb)
    urls: set[str] = set()
    corpus = shared / "corpus" / "nci-kb"
    if corpus.is_dir():
        files = [path for _, path in iter_kb_files([corpus])]
        step = max(1, len(files) // SAMPLE_PAGES)
        for path in files[::step][:SAMPLE_PAGES]:
            document = load_file(path).document
            if document is None:
                continue
            target = kb / "sample" / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
            urls.add(document.url)
    return kb, urls


def smoke_suite(shared: Path, folder: Path) -> dict[str, Any]:
    """Run the smoke suite of the module docstring in ``folder``; its figures."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    kb, urls = build_sample(shared, folder)
    db = folder / "smoke.db"
    results = _ingest_fresh(kb, db)
    questions = _sample_questions(shared, urls)
    labelled = folder / "questions.jsonl"
    labelled.write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    results.update(_retrieval_figures(db, labelled, questions, folder / "hits.jsonl"))
    assistant = Assistant(db)
    try:
        results["answers"] = _answer_figures(assistant, db, questions)
        peer_urgent = _peer_urgent_figures(assistant, shared / "benchmarks" / "peer-suite")
        if peer_urgent is not None:
            results["peer_urgent"] = peer_urgent
    finally:
        assistant.close()
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def _ingest_fresh(kb: Path, db: Path) -> dict[str, Any]:
    """Ingest ``kb`` into a new store ``db`` in a fresh process; its pages and ingest figures."""
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    run = run_cli("ingest", str(kb), "--db", str(db), "--format", "json")
    ingest = json.loads(run.stdout)
    return {
        "pages": ingest["added"],
        "ingest": {"seconds": round(run.seconds, 2), "peak_rss_mib": round(run.peak_rss_mib, 1)},
    }


def _sample_questions(shared: Path, urls: set[str]) -> list[dict[str, Any]]:
    """The labelled NCI questions whose pages are all in the sample, else two about the seeds."""
    questions_file = shared / "eval" / "nci-kb-questions.jsonl"
    questions = []
    if questions_file.is_file():
        questions = [
            json.loads(line) for line in questions_file.open(encoding="utf-8")
            if {r["url"] for r in json.loads(line)["relevant"]} <= urls
        ]
    if not questions:  # without ../shared: questions about the seed pages
        questions = [
            {"id": "seed-1", "question": "What is Ninlaro used for?",
             "relevant": [{"url": "https://www.cancer.gov/about-cancer/treatment/drugs/ixazomibcitrate"}]},
            {"id": "seed-2", "question": "Is ixabepilone a chemotherapy drug?",
             "relevant": [{"url": "https://www.cancer.gov/about-cancer/treatment/drugs/ixabepilone"}]},
        ]
    return questions


def _retrieval_figures(
    db: Path, labelled: Path, questions: list[dict[str, Any]], hits: Path
) -> dict[str, Any]:
    """Retrieval metrics (and the BM25 baseline's) on ``labelled``, and search latency."""
    searcher, baseline = Searcher(db), BM25Baseline(db)
    try:
        retrieval = run_retrieval_eval(searcher, labelled, hits)
        retrieval["baseline"] = baseline_metrics(baseline, labelled)
        timings = []
        for question in questions:
            began = time.perf_counter()
            searcher.search(question["question"])
            timings.append((time.perf_counter() - began) * 1000)
    finally:
        searcher.close()
        baseline.close()
    return {"retrieval": retrieval, "search_ms": _p50_p99(timings)}


def _answer_figures(assistant: Assistant, db: Path, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Ask every question: the statuses, quotes not found in their page, and ask latency."""
    with Store.open(db) as store:
        bodies = {row["url"]: row["body"] for row in store.query("SELECT url, body FROM documents")}
    asked, quotes, missing, ask_timings = 0, 0, 0, []
    statuses: dict[str, int] = {}
    for question in questions:
        began = time.perf_counter()
        response = assistant.ask(question["question"]).as_dict()
        ask_timings.append((time.perf_counter() - began) * 1000)
        asked += 1
        statuses[response["status"]] = statuses.get(response["status"], 0) + 1
        for citation in response["citations"]:
            quotes += 1
            missing += not quote_in_page(citation["quote"], bodies[citation["url"]])
    return {
        "questions": asked, "statuses": statuses, "quotes": quotes, "quotes_not_in_page": missing,
        "ask_ms": _p50_p99(ask_timings),
    }


def _peer_urgent_figures(assistant: Assistant, peer: Path) -> dict[str, Any] | None:
    """The peer suite's first 10 urgent cases: how many are urgent and pass; None without it."""
    if not (peer / "cases.jsonl").is_file():
        return None
    rubric = load_rubric(peer / "rubrics.v1.json")
    cases = [c for c in load_cases(peer / "cases.jsonl") if c.intent == "RED_FLAG_URGENT"][:10]
    return {
        "cases": len(cases),
        "urgent": sum(ask_turns(assistant, list(c.messages))["status"] == "urgent" for c in cases),
        "passed": sum(check_case(c, ask_turns(assistant, list(c.messages)), rubric).passed for c in cases),
    }


def _p50_p99(timings: list[float]) -> dict[str, float]:
    """The median and 99th percentile of ``timings`` (ms), rounded to 0.1."""
    return {"p50": round(percentile(timings, 0.5), 1), "p99": round(percentile(timings, 0.99), 1)}
