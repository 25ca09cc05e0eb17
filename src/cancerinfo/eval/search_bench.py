"""Retrieval quality and search latency on a built store (warm process)."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cancerinfo.eval.retrieval import read_questions, run_retrieval_eval
from cancerinfo.index.search import Searcher

WARM_UP = 20


def percentile(values: list[float], share: float) -> float:
    """The value at ``share`` (0..1) of the sorted values, nearest rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def time_calls(call: Callable[[str], object], questions: list[str]) -> list[float]:
    """Milliseconds of ``call(question)`` for each question, after a warm-up on the first ones."""
    for question in questions[:WARM_UP]:
        call(question)
    latencies = []
    for question in questions:
        began = time.perf_counter()
        call(question)
        latencies.append((time.perf_counter() - began) * 1000)
    return latencies


def search_benchmark(db: Path, question_files: dict[str, Path]) -> dict[str, Any]:
    """Metrics for each question file, then search latency over the first file's questions."""
    started = time.perf_counter()
    searcher = Searcher(db)
    load_seconds = time.perf_counter() - started
    try:
        quality = {}
        for name, path in question_files.items():
            with tempfile.TemporaryDirectory() as tmp:
                quality[name] = run_retrieval_eval(searcher, path, Path(tmp) / "hits.jsonl")
        questions = [record["question"] for record in read_questions(next(iter(question_files.values())))]
        latencies = time_calls(searcher.search, questions)
    finally:
        searcher.close()
    return {
        "load_seconds": round(load_seconds, 2),
        "quality": quality,
        "latency_ms": {
            "questions": len(latencies),
            "p50": round(percentile(latencies, 0.50), 1),
            "p95": round(percentile(latencies, 0.95), 1),
            "p99": round(percentile(latencies, 0.99), 1),
            "mean": round(statistics.fmean(latencies), 1),
        },
    }


def dump(results: dict[str, Any], path: Path) -> None:
    """Write ``results`` to ``path`` as indented JSON."""
    path.write_text(json.dumps(results, indent=2) + "\n")
