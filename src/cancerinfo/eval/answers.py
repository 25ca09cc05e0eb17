"""``cancerinfo eval answers``: one process answers a whole question file.

Input: JSON lines with ``id`` and either ``question`` or ``messages`` (a list of turns of
one session, asked in order; the last one is answered). Output: one line per question
``{"id": …, "response": <the response contract>}``. Returns a summary: how many of each
status and reason, and ask latency (p50/p95/p99, milliseconds).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from cancerinfo.answer.assistant import Assistant
from cancerinfo.answer.sessions import new_session_id
from cancerinfo.eval.retrieval import read_json_lines


def read_answer_questions(path: Path) -> list[dict[str, Any]]:
    """The records of a question file; raises ``ValueError`` naming the first line without an ``id``
    and a ``question`` or ``messages``."""
    records = []
    for number, record in read_json_lines(path):
        messages = record.get("messages") if isinstance(record, dict) else None
        ok_messages = isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
        if not isinstance(record, dict) or "id" not in record or not (
            ok_messages or isinstance(record.get("question"), str)
        ):
            raise ValueError(
                f"{path}:{number}: each line needs an 'id' and a 'question' string or a 'messages' list"
            )
        records.append(record)
    return records


def turns_of(record: dict[str, Any]) -> list[str]:
    """The turns of a record: its ``messages``, else its one ``question``."""
    messages = record.get("messages")
    return list(messages) if isinstance(messages, list) and messages else [record["question"]]


def ask_turns(assistant: Assistant, turns: list[str]) -> dict[str, Any]:
    """Ask the turns of one conversation in order; the contract of the last answer.
    One turn is asked without a session (nothing stored); several share a new session."""
    if len(turns) == 1:
        return assistant.ask(turns[0]).as_dict()
    session = new_session_id()
    response = None
    for turn in turns:
        response = assistant.ask(turn, session_id=session)
    assert response is not None
    return response.as_dict()


def percentile(values: list[float], share: float) -> float:
    """The value at ``share`` (0..1) of the sorted values, nearest rank; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_answers_eval(assistant: Assistant, questions: Path, output: Path) -> dict[str, Any]:
    """Answer every question of ``questions`` into ``output`` (JSON lines); the summary of statuses,
    reasons and latency."""
    records = read_answer_questions(questions)
    statuses: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    latencies: list[float] = []
    with output.open("w", encoding="utf-8") as out:
        for record in records:
            started = time.perf_counter()
            response = ask_turns(assistant, turns_of(record))
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response["status"]] += 1
            if response["reason"]:
                reasons[response["reason"]] += 1
            out.write(json.dumps({"id": record["id"], "response": response}, ensure_ascii=False) + "\n")
    return {
        "questions": len(records),
        "statuses": dict(sorted(statuses.items())),
        "reasons": dict(sorted(reasons.items())),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50), 2),
            "p95": round(percentile(latencies, 0.95), 2),
            "p99": round(percentile(latencies, 0.99), 2),
        },
    }
