"""Write the replies to an answer set as the asker sees them, for a blind grader.

One JSON line per question: ``id``, ``previous`` (the earlier question of the same chat, if
any), ``question``, ``reply`` (the text shown, disclaimer included) and ``sources`` (number,
title and address of each page cited in what is shown). No labels, no code, no scores: the
grader reads only this file and the rubric (benchmarks/grades/README.md).

    python scripts/answers_as_shown.py --set benchmarks/answers-dev.jsonl --db kb.db --output shown.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cancerinfo.answer.assistant import Assistant
from cancerinfo.eval.answer_sets import read_answer_set
from cancerinfo.eval.answers import ask_turns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, required=True, dest="answer_set")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    assistant = Assistant(args.db)
    try:
        with args.output.open("w", encoding="utf-8") as out:
            for row in read_answer_set(args.answer_set):
                turns = ([row["previous"]] if row.get("previous") else []) + [row["question"]]
                response = ask_turns(assistant, turns)
                shown = {n for section in response["sections"] for n in section["citations"]}
                sources = [
                    {"n": c["n"], "title": c["title"], "url": c["url"]} for c in response["citations"] if c["n"] in shown
                ]
                record = {
                    "id": row.get("id"),
                    "previous": row.get("previous"),
                    "question": row["question"],
                    "reply": response["text"],
                    "sources": sources,
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        assistant.close()


if __name__ == "__main__":
    main()
