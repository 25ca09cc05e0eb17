"""Ingest and validate benchmarks: real ``cancerinfo`` processes on a real corpus.

Each measurement runs the command in a fresh child process and reads its wall time and
peak resident memory (``ru_maxrss`` of that child, from ``os.wait4``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class ProcessRun:
    """One measured child process: wall time, peak RSS, exit code and what it printed."""

    seconds: float
    peak_rss_mib: float
    returncode: int
    stdout: str


def run_cli(*args: str) -> ProcessRun:
    """Run ``python -m cancerinfo ARGS`` and measure it."""
    return run_module("cancerinfo", *args)


def run_module(module: str, *args: str) -> ProcessRun:
    """Run ``python -m MODULE ARGS`` and measure it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CANCERINFO_")}
    with tempfile.TemporaryFile("w+") as stdout:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", module, *args], stdout=stdout, stderr=subprocess.DEVNULL, env=env
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        return ProcessRun(seconds, usage.ru_maxrss / 1024, process.returncode, stdout.read())


def ingest_benchmark(corpus: Path, *, db: Path) -> dict[str, Any]:
    """Cold ingest (documents, chunks, FTS5, vectors) of a copy of ``corpus`` into a new
    store at ``db``, then an unchanged re-ingest. ``db`` is kept for the search benchmark."""
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    cold = run_cli("ingest", str(corpus), "--db", str(db), "--format", "json")
    unchanged = run_cli("ingest", str(corpus), "--db", str(db), "--format", "json")
    cold_report, unchanged_report = json.loads(cold.stdout), json.loads(unchanged.stdout)
    return {
        "corpus": str(corpus),
        "files": cold_report["files"],
        "cold": {
            "seconds": round(cold.seconds, 2),
            "ingest_seconds": cold_report["seconds"],
            "peak_rss_mib": round(cold.peak_rss_mib, 1),
            "added": cold_report["added"],
            "rejected": cold_report["rejected"],
        },
        "unchanged": {
            "seconds": round(unchanged.seconds, 2),
            "ingest_seconds": unchanged_report["seconds"],
            "peak_rss_mib": round(unchanged.peak_rss_mib, 1),
            "unchanged": unchanged_report["unchanged"],
            "ratio_to_cold": round(unchanged.seconds / cold.seconds, 4),
            "ingest_ratio_to_cold": round(unchanged_report["seconds"] / cold_report["seconds"], 4),
        },
        "index": index_facts(db),
        "store_mib": round(db.stat().st_size / 1024 / 1024, 1),
    }


def index_facts(db: Path) -> dict[str, Any]:
    """Chunks, sections embedded and their token count (for tokens/s)."""
    from cancerinfo.index.dense import MiniLMEmbedder
    from cancerinfo.store.database import Store

    with Store.open(db) as store:
        chunks = store.query("SELECT count(*) FROM chunks")[0][0]
        vectors = store.query("SELECT count(*) FROM vectors")[0][0]
        texts = [row[0] for row in store.query(
            "SELECT c.title || char(10) || c.section || char(10) || c.text FROM chunks c"
            " WHERE c.rowid IN (SELECT min(rowid) FROM chunks GROUP BY embed_key)"
        )]
    tokens = sum(MiniLMEmbedder(threads=2).token_counts(texts))
    return {"chunks": chunks, "vectors": vectors, "embedded_tokens_approx": tokens}


def validate_benchmark(corpus: Path) -> dict[str, Any]:
    """Lint findings per code on a corpus, and how long validation takes."""
    run = run_cli("validate", str(corpus), "--format", "json")
    report = json.loads(run.stdout)
    return {
        "corpus": str(corpus),
        "files": report["files"],
        "valid": report["valid"],
        "errors": report["errors"],
        "warnings": report["warnings"],
        "counts": report["counts"],
        "files_per_code": {
            code: len({p["path"] for p in report["problems"] if p["code"] == code}) for code in report["counts"]
        },
        "seconds": round(run.seconds, 2),
        "peak_rss_mib": round(run.peak_rss_mib, 1),
    }
