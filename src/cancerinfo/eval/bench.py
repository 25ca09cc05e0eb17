"""``make bench``: run the benchmarks on ../shared and rewrite docs/benchmarks.md.

Usage: python -m cancerinfo.eval.bench --shared ../shared --output docs/benchmarks.md [--reuse]

The NCI KB store built by the ingest benchmark is kept in ``.bench-cache/``; with
``--reuse`` an existing one (and its recorded ingest figures) is used again.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cancerinfo.eval.ingest_bench import ingest_benchmark, validate_benchmark
from cancerinfo.eval.machine import machine_facts
from cancerinfo.eval.report import render
from cancerinfo.eval.search_bench import search_benchmark

REPO = Path(__file__).resolve().parents[3]
CACHE = REPO / ".bench-cache"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--reuse", action="store_true", help="reuse the cached NCI KB store")
    parser.add_argument(
        "--answers-only", action="store_true",
        help="skip the MedQuAD/LiveQA stores (their figures are kept from the last full run)",
    )
    args = parser.parse_args(argv)
    corpus = args.shared / "corpus" / "nci-kb"
    if not corpus.is_dir():
        print(f"benchmarks need the real corpus: {corpus} not found", file=sys.stderr)
        return 1
    db = CACHE / "nci-kb.db"
    recorded = CACHE / "nci-kb.ingest.json"
    results: dict[str, Any] = {"machine": machine_facts(), "validate": validate_benchmark(corpus)}
    if args.reuse and db.exists() and recorded.exists():
        results["ingest"] = json.loads(recorded.read_text())
        results["ingest"]["reused"] = True
    else:
        results["ingest"] = ingest_benchmark(corpus, db=db)
        recorded.write_text(json.dumps(results["ingest"], indent=2) + "\n")
    results["search"] = search_benchmark(
        db,
        {
            "nci-kb-questions": args.shared / "eval" / "nci-kb-questions.jsonl",
            "held-out (ours)": REPO / "benchmarks" / "heldout-retrieval.jsonl",
        },
    )
    from cancerinfo.eval.answers_bench import answers_benchmark

    results["answers"] = answers_benchmark(db, args.shared)
    if not args.answers_only:
        results["medquad"] = medquad_and_liveqa(args.shared, reuse=args.reuse)
    elif args.output.with_suffix(".json").exists():  # keep the MedQuAD figures of the last full run
        previous = json.loads(args.output.with_suffix(".json").read_text())
        if "medquad" in previous:
            results["medquad"] = previous["medquad"]
    args.output.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    args.output.write_text(render(results))
    print(f"wrote {args.output} and {args.output.with_suffix('.json')}")
    return 0


def medquad_and_liveqa(shared: Path, *, reuse: bool) -> dict[str, Any]:
    """MedQuAD NCI questions on nci-pdq + nih-health; LiveQA-Med 2017 on those + its extra
    corpus (grade >= 3 counts as relevant; unjudged answers count as not relevant)."""
    from cancerinfo.eval.ingest_bench import run_cli
    from cancerinfo.eval.retrieval import run_retrieval_eval
    from cancerinfo.index.search import Searcher

    medquad_db, liveqa_db = CACHE / "medquad.db", CACHE / "liveqa.db"
    if not (reuse and medquad_db.exists()):
        medquad_db.unlink(missing_ok=True)
        run_cli("ingest", str(shared / "corpus" / "nci-pdq"), str(shared / "corpus" / "nih-health"),
                "--db", str(medquad_db))
    if not (reuse and liveqa_db.exists()):
        liveqa_db.write_bytes(medquad_db.read_bytes())
        run_cli("ingest", str(shared / "benchmarks" / "liveqa-med-2017" / "extra-corpus"), "--db", str(liveqa_db))
    work = CACHE / "questions"
    work.mkdir(exist_ok=True)
    nci = work / "medquad-nci.jsonl"
    with nci.open("w", encoding="utf-8") as out:
        for line in (shared / "eval" / "medquad-questions.jsonl").open(encoding="utf-8"):
            if json.loads(line).get("source") == "NCI":
                out.write(line)
    liveqa = {"subject + message": work / "liveqa.jsonl", "paraphrase": work / "liveqa-paraphrase.jsonl"}
    with liveqa["subject + message"].open("w") as full, liveqa["paraphrase"].open("w") as para:
        for line in (shared / "benchmarks" / "liveqa-med-2017" / "questions.jsonl").open(encoding="utf-8"):
            record = json.loads(line)
            relevant = [{"url": j["url"], "section": j["section"]} for j in record["judged"] if j["grade"] >= 3]
            question = f"{record.get('subject') or ''} {record['message']}".strip()
            full.write(json.dumps({"id": record["id"], "question": question, "relevant": relevant}) + "\n")
            para.write(json.dumps({"id": record["id"], "question": record["paraphrase"], "relevant": relevant}) + "\n")
    results: dict[str, Any] = {}
    searcher = Searcher(medquad_db)
    try:
        results["MedQuAD NCI (nci-pdq + nih-health)"] = run_retrieval_eval(searcher, nci, work / "hits.jsonl")
    finally:
        searcher.close()
    searcher = Searcher(liveqa_db)
    try:
        for name, path in liveqa.items():
            results[f"LiveQA-Med 2017, {name}"] = run_retrieval_eval(searcher, path, work / "hits.jsonl")
    finally:
        searcher.close()
    return results


if __name__ == "__main__":
    raise SystemExit(main())
