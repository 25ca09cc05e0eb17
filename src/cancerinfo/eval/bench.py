"""``make bench``: every suite on ../shared, docs/benchmarks.md and .json rewritten.

Usage: python -m cancerinfo.eval.bench --shared ../shared --output docs/benchmarks.md
       [--suite all|retrieval|...] [--rebuild] [--scale-sizes 10000,100000]

The same as ``cancerinfo eval run`` (:mod:`cancerinfo.eval.run`), without the CLI's
dependencies; built KBs are cached in ``.bench-cache/`` by content hash.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cancerinfo.eval.run import DEFAULT_CACHE, KBCache, merge_previous, run_suites, write_report


def main(argv: list[str] | None = None) -> int:
    """Run the suites asked for and rewrite the report and its JSON; exit code 1 without the real
    corpus (except the smoke suite)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--suite", action="append", default=None, help="a suite (repeatable); default all")
    parser.add_argument("--rebuild", action="store_true", help="ingest the KBs again even when cached")
    parser.add_argument("--scale-sizes", default="10000", help="synthetic KB sizes, comma-separated")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args(argv)
    if not (args.shared / "corpus" / "nci-kb").is_dir() and args.suite != ["smoke"]:
        print(f"benchmarks need the real corpus: {args.shared / 'corpus' / 'nci-kb'} not found", file=sys.stderr)
        return 1
    results = run_suites(
        args.suite or ["all"],
        shared=args.shared,
        cache=KBCache(args.cache, rebuild=args.rebuild),
        progress=lambda message: print(message, file=sys.stderr, flush=True),
        scale_sizes=tuple(int(size) for size in args.scale_sizes.split(",") if size),
    )
    write_report(merge_previous(results, args.output.with_suffix(".json")), args.output)
    print(f"wrote {args.output} and {args.output.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
