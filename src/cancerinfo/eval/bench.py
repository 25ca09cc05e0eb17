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
    args.output.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    args.output.write_text(render(results))
    print(f"wrote {args.output} and {args.output.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
