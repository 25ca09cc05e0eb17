"""``cancerinfo eval retrieval``: one process runs a whole question file through search.

Input: JSON lines with ``id`` and ``question`` (other fields ignored; ``relevant`` labels,
when present, are scored: a list of ``{"url", "section"?}`` objects, or of urls with the
record's own ``section`` naming the section of the first, as in ``benchmarks/answers-*.jsonl``).
Output: one line per question
``{"id": …, "hits": [{"url", "section", "chunk_id", "score"}, …]}`` in rank order.

Metrics (when labels exist): ``doc@n`` — a relevant url among the first *n distinct urls*
of the ranked hits; ``MRR@10`` — 1 / rank of the first relevant url among the first 10
distinct urls; ``section@n`` — a hit among the first *n hits* whose url and top heading
(the H2 below the title, compared case-insensitively) equal a labelled section;
``section_mrr@10`` — 1 / rank of the first such hit among the first 10 hits.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cancerinfo.index.records import Hit
from cancerinfo.index.search import Searcher


def read_json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, value) of each non-blank line; a line that is not JSON names itself."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None


def read_questions(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a question file, ``relevant`` read into ``{"url", "section"?}`` objects;
    raises ``ValueError`` naming the first line without an ``id`` and a ``question``, or whose
    ``relevant`` is neither urls nor objects with a ``url``."""
    for number, record in read_json_lines(path):
        if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("question"), str):
            raise ValueError(f"{path}:{number}: each line needs an 'id' and a 'question' string")
        if record.get("relevant"):
            labels = relevant_labels(record)
            if labels is None:
                raise ValueError(f"{path}:{number}: 'relevant' must be a list of urls or of objects with a 'url'")
            record = {**record, "relevant": labels}
        yield record


def relevant_labels(record: dict[str, Any]) -> list[dict[str, Any]] | None:
    """``relevant`` as ``{"url", "section"?}`` objects (a plain url takes the record's
    ``section`` when it is the first), or ``None`` when it is neither shape."""
    relevant = record.get("relevant")
    if not isinstance(relevant, list):
        return None
    labels: list[dict[str, Any]] = []
    for position, item in enumerate(relevant):
        if isinstance(item, str):
            section = record.get("section") if position == 0 else None
            labels.append({"url": item, **({"section": section} if isinstance(section, str) and section else {})})
        elif isinstance(item, dict) and isinstance(item.get("url"), str):
            labels.append(item)
        else:
            return None
    return labels


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def distinct_urls(hits: list[Hit]) -> list[str]:
    """The urls of the hits, each once, in rank order."""
    seen: list[str] = []
    for hit in hits:
        if hit.url not in seen:
            seen.append(hit.url)
    return seen


def score_question(hits: list[Hit], relevant: list[dict[str, Any]]) -> dict[str, float]:
    """``doc@1``, ``doc@5`` and ``mrr@10`` of one question's hits; also the section scores when the
    labels name sections."""
    urls = {item["url"] for item in relevant if "url" in item}
    ranked = distinct_urls(hits)
    first = next((rank for rank, url in enumerate(ranked[:10], start=1) if url in urls), None)
    scores = {
        "doc@1": float(bool(ranked[:1]) and ranked[0] in urls),
        "doc@5": float(any(url in urls for url in ranked[:5])),
        "mrr@10": 1.0 / first if first else 0.0,
    }
    sections = {(item["url"], _norm(item["section"])) for item in relevant if item.get("section")}
    if sections:
        keyed = [(hit.url, _norm(hit.section.split(" > ")[0])) for hit in hits]
        scores["section@1"] = float(bool(keyed) and keyed[0] in sections)
        scores["section@5"] = float(any(key in sections for key in keyed[:5]))
        first_section = next((rank for rank, key in enumerate(keyed[:10], start=1) if key in sections), None)
        scores["section_mrr@10"] = 1.0 / first_section if first_section else 0.0
    return scores


def run_retrieval_eval(
    searcher: Searcher,
    questions: Path,
    output: Path,
    *,
    k: int = 10,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Search every question, write the hits, and return the mean metrics."""
    totals: dict[str, float] = {}
    counted: dict[str, int] = {}
    count = 0
    started = time.perf_counter()
    with output.open("w", encoding="utf-8") as out:
        for record in read_questions(questions):
            result = searcher.search(record["question"], k=k)
            out.write(json.dumps({
                "id": record["id"],
                "hits": [
                    {"url": h.url, "section": h.section, "chunk_id": h.chunk_id, "score": h.score}
                    for h in result.hits
                ],
            }, ensure_ascii=False) + "\n")
            count += 1
            if record.get("relevant"):
                for name, value in score_question(result.hits, record["relevant"]).items():
                    totals[name] = totals.get(name, 0.0) + value
                    counted[name] = counted.get(name, 0) + 1
            if progress:
                progress(count)
    metrics = {name: round(totals[name] / counted[name], 4) for name in sorted(totals)}
    return {
        "questions": count,
        "labelled": max(counted.values(), default=0),
        "metrics": metrics,
        "seconds": round(time.perf_counter() - started, 2),
    }
