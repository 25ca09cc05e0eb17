"""Answer benchmarks on a built NCI KB store (warm process): the peer suite with its own
rubric, groundedness of every quote, our held-out answer and triage sets, the evidence
gate's calibration, and ask latency."""

from __future__ import annotations

import json
import resource
import time
from collections import Counter
from pathlib import Path
from typing import Any

from cancerinfo.answer.assistant import Assistant
from cancerinfo.answer.gate import names_a_page
from cancerinfo.eval.answers import ask_turns
from cancerinfo.eval.peer import check_case, load_cases, load_rubric, quote_in_page, summarise
from cancerinfo.eval.search_bench import percentile, time_calls
from cancerinfo.eval.triage_bench_sets import ANSWER_SETS
from cancerinfo.store.database import Store

REPO = Path(__file__).resolve().parents[3]
LATENCY_QUESTIONS = 1_000
#: Checks the answers issue names for its peer-suite figure: status, >= 2 NCI pages, the
#: rubric's patterns and the cases' phrases. ``must_mention_tests`` is reported beside it.
EVIDENCE_ONLY_CHECKS = frozenset({"must_mention_tests"})
THRESHOLDS = (0.30, 0.34, 0.38, 0.42, 0.46, 0.50)


def answers_benchmark(db: Path, shared: Path) -> dict[str, Any]:
    """Every answer benchmark of the module docstring on the store ``db``, with the assistant's load
    time."""
    started = time.perf_counter()
    assistant = Assistant(db)
    load_seconds = time.perf_counter() - started
    try:
        with Store.open(db) as store:
            bodies = {r["url"]: r["body"] for r in store.query("SELECT url, body FROM documents")}
            chunks = {r["chunk_id"]: r["text"] for r in store.query("SELECT chunk_id, text FROM chunks")}
        results: dict[str, Any] = {"load_seconds": round(load_seconds, 2)}
        results["peer"], peer_responses = _peer(assistant, shared, bodies, chunks)
        nci = [json.loads(line)["question"] for line in (shared / "eval" / "nci-kb-questions.jsonl").open()]
        nci_responses = [assistant.ask(question).as_dict() for question in nci]
        results["nci_questions"] = {
            "questions": len(nci),
            "statuses": dict(Counter(r["status"] for r in nci_responses)),
        }
        results["groundedness"] = _groundedness(peer_responses + nci_responses, bodies)
        results["heldout_answers"] = _heldout_answers(assistant)
        results["heldout_triage"] = _heldout_triage(assistant)
        results["answer_sets"] = _answer_sets(assistant)
        peer_questions = [c.question for c in load_cases(_peer_dir(shared) / "cases.jsonl")]
        results["calibration"] = _calibration(assistant, nci + [
            q for q, r in zip(peer_questions, peer_responses, strict=True) if r["status"] != "urgent"
        ])
        results["latency"] = _latency(assistant, nci, [c.question for c in load_cases(_peer_dir(shared) / "cases.jsonl")])
    finally:
        assistant.close()
    return results


def _answer_sets(assistant: Assistant) -> dict[str, Any]:
    """The independent answer sets (dev: tuned on; test: only reported), without their rows."""
    from cancerinfo.eval.answer_sets import run_answer_set

    sets = {}
    for name in ANSWER_SETS:
        path = REPO / "benchmarks" / f"{name}.jsonl"
        if path.exists():
            figures = run_answer_set(assistant, path)
            figures.pop("per_question")
            sets[name] = figures
    return sets


def _peer_dir(shared: Path) -> Path:
    return shared / "benchmarks" / "peer-suite"


def _peer(
    assistant: Assistant, shared: Path, bodies: dict[str, str], chunks: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    cases = load_cases(_peer_dir(shared) / "cases.jsonl")
    rubric = load_rubric(_peer_dir(shared) / "rubrics.v1.json")
    results, responses = [], []
    for case in cases:
        response = ask_turns(assistant, list(case.messages))
        responses.append(response)
        results.append(check_case(case, response, rubric, page_text=bodies.get, chunk_text=chunks.get))
    summary = summarise(results)
    without_tests = sum(
        all(c.passed or not c.required or c.id in EVIDENCE_ONLY_CHECKS for c in result.checks)
        for result in results
    )
    urgent = [r for r in results if r.intent == "RED_FLAG_URGENT"]
    summary["pass_rate_issue_checks"] = round(without_tests / len(results), 4)
    summary["passed_issue_checks"] = without_tests
    summary["urgent_recall"] = f"{sum(r.status == 'urgent' for r in urgent)} / {len(urgent)}"
    summary["statuses"] = dict(Counter(r.status for r in results))
    summary["failed_cases"] = [
        {"id": r.id, "suite": r.suite, "failed": r.failed_checks} for r in results if not r.passed
    ]
    return summary, responses


def _groundedness(responses: list[dict[str, Any]], bodies: dict[str, str]) -> dict[str, Any]:
    quotes = [c for r in responses for c in r["citations"]]
    missing = [c for c in quotes if not quote_in_page(c["quote"], bodies.get(c["url"], ""))]
    return {
        "answers": len(responses),
        "quotes": len(quotes),
        "quotes_not_in_page": len(missing),
        "examples": [{"url": c["url"], "quote": c["quote"][:200]} for c in missing[:5]],
    }


def _heldout_answers(assistant: Assistant) -> dict[str, Any]:
    path = REPO / "benchmarks" / "heldout-answers.jsonl"
    records = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    agree, disagreements = 0, []
    for record in records:
        response = ask_turns(assistant, record.get("messages") or [record["question"]])
        ok = response["status"] == record["expected_status"]
        if record.get("expected_reason"):
            ok = ok and response["reason"] == record["expected_reason"]
        if record.get("expected_topic_word"):
            ok = ok and any(
                record["expected_topic_word"] in f"{c['title']} {c['url']} {c['quote']}".lower()
                for c in response["citations"]
            )
        agree += ok
        if not ok:
            disagreements.append({"id": record["id"], "got": [response["status"], response["reason"]]})
    unanswerable = [r for r in records if r["expected_status"] == "abstained"]
    return {
        "questions": len(records),
        "agree": agree,
        "unanswerable": len(unanswerable),
        "disagreements": disagreements,
    }


def _heldout_triage(assistant: Assistant) -> dict[str, Any]:
    path = REPO / "benchmarks" / "heldout-triage.jsonl"
    records = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    agree = 0
    for record in records:
        result = assistant.triage.assess(record["question"], known_terms=assistant.known_terms)
        status = result.status or "answer"
        agree += status == record["expected_status"]
    return {"questions": len(records), "agree": agree}


def _calibration(assistant: Assistant, nci: list[str]) -> dict[str, Any]:
    """How many answerable questions (nci-kb-questions, the peer suite's non-emergency cases,
    our answerable held-out ones) and unanswerable ones (our held-out set) each similarity
    threshold would stop."""
    held = [json.loads(line) for line in (REPO / "benchmarks" / "heldout-answers.jsonl").open(encoding="utf-8")]
    answerable = nci + [r["question"] for r in held if "question" in r and r["expected_status"] == "answered"]
    unanswerable = [r["question"] for r in held if r["id"].startswith(("n", "o"))]

    def scores(questions: list[str]) -> list[tuple[float, bool]]:
        found = []
        for question in questions:
            result = assistant.searcher.search(question)
            found.append((result.best_similarity, names_a_page(result)))
        return found

    good, bad = scores(answerable), scores(unanswerable)
    rows = []
    for threshold in THRESHOLDS:
        rows.append({
            "threshold": threshold,
            "answerable_stopped": sum(1 for s, named in good if s < threshold and not named),
            "unanswerable_stopped": sum(1 for s, named in bad if s < threshold and not named),
        })
    return {
        "answerable": len(good),
        "unanswerable": len(bad),
        "chosen": assistant.policy.gate.min_similarity,
        "rows": rows,
    }


def _latency(assistant: Assistant, nci: list[str], peer: list[str]) -> dict[str, Any]:
    questions = (nci + peer)[:LATENCY_QUESTIONS]
    assistant.forget_short_answer_vectors()  # these questions were asked above: time them fresh
    timings = time_calls(assistant.ask, questions)
    return {
        "questions": len(timings),
        # peak resident memory of this process so far: the NCI KB's searcher and assistant
        # loaded, every answer above given (what one serving process needs)
        "process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "p50": round(percentile(timings, 0.50), 1),
        "p95": round(percentile(timings, 0.95), 1),
        "p99": round(percentile(timings, 0.99), 1),
        "max": round(max(timings), 1),
    }
