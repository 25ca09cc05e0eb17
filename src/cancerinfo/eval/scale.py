"""How cost grows with the KB: synthetic KBs of 10k / 100k pages built from real pages.

Page *i* of a synthetic KB is real NCI page ``i mod 1,432`` with a url of its own and, for
odd *i*, its H2 sections in reverse order: real text, real structure, many more pages and
chunks. Every section keeps its page title and headings, so its text to embed already has a
vector in the NCI KB store: those vectors are copied in first (keyed by text hash), and the
ingest measures parsing, chunking, FTS5, BM25 postings and vocabulary work, not the model
(whose cost is the NCI KB's cold ingest, reported beside it; the model is loaded only for
the few sections a reversal changes, three texts in all).

Each search measurement runs in a fresh process (``python -m cancerinfo.eval.scale DB
QUESTIONS``), so its peak RSS is what a searcher of that KB needs.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from cancerinfo.eval.ingest_bench import ProcessRun, run_cli, run_module
from cancerinfo.eval.search_bench import percentile, time_calls
from cancerinfo.index.search import Searcher
from cancerinfo.kb.loader import iter_kb_files
from cancerinfo.store.database import Store

LATENCY_QUESTIONS = 300
_URL_LINE = re.compile(r"^url:.*$", re.MULTILINE)
_H2 = re.compile(r"(?m)^(?=## )")


def synthetic_kb(corpus: Path, folder: Path, pages: int) -> Path:
    """Write ``pages`` pages made from the real ones into ``folder`` (see module doc)."""
    sources = [path for _, path in iter_kb_files([corpus])]
    root = folder / "kb" / "en" / "02_nci_core" / "synthetic"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for i in range(pages):
        source = sources[i % len(sources)]
        text = source.read_text(encoding="utf-8")
        match = _URL_LINE.search(text)
        if match is None:
            continue
        url = match.group(0).split(":", 1)[1].strip().strip("'\"").rstrip("/")
        text = text[: match.start()] + f"url: {url}/synthetic-{i}" + text[match.end() :]
        if i % 2:
            head, _, rest = text.partition("\n## ")
            if rest:
                blocks = _H2.split("## " + rest)
                text = head + "\n" + "".join(reversed([b if b.endswith("\n") else b + "\n" for b in blocks if b]))
        (root / f"page-{i:06d}.md").write_text(text, encoding="utf-8")
    return folder / "kb"


def seed_vectors(db: Path, source_db: Path) -> int:
    """A new store holding the vectors of ``source_db`` (same embedder), nothing else."""
    Store.create_or_open(db).close()
    connection = sqlite3.connect(db)
    try:
        connection.execute("ATTACH DATABASE ? AS source", (f"file:{source_db}?mode=ro",))
        connection.execute("INSERT OR IGNORE INTO vectors SELECT key, vector FROM source.vectors")
        for key in ("embedder", "embedder_dimension"):
            row = connection.execute("SELECT value FROM source.meta WHERE key = ?", (key,)).fetchone()
            if row:
                connection.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, row[0]))
        connection.commit()
        return int(connection.execute("SELECT count(*) FROM vectors").fetchone()[0])
    finally:
        connection.close()


def measure_search(db: Path, questions: list[str]) -> dict[str, Any]:
    """The searcher's load time and search latency (p50, p99, ms) on ``db``."""
    started = time.perf_counter()
    searcher = Searcher(db)
    load = time.perf_counter() - started
    try:
        timings = time_calls(searcher.search, questions)
    finally:
        searcher.close()
    return {
        "load_seconds": round(load, 2),
        "p50": round(percentile(timings, 0.5), 1),
        "p99": round(percentile(timings, 0.99), 1),
    }


def measure_search_process(db: Path, questions_file: Path) -> dict[str, Any]:
    """:func:`measure_search` in a fresh process, with that process's peak RSS."""
    run = run_module("cancerinfo.eval.scale", str(db), str(questions_file))
    return {**_report(run, f"searching {db}"), "peak_rss_mib": round(run.peak_rss_mib, 1)}


def _report(run: ProcessRun, what: str) -> dict[str, Any]:
    """The JSON a measured process printed (an ingest that rejects files exits 1 but
    reports); a process that printed none failed."""
    try:
        report: dict[str, Any] = json.loads(run.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(
            f"{what} failed (exit code {run.returncode}, peak RSS {run.peak_rss_mib:.0f} MiB)"
        ) from None
    return report


def latency_questions(questions_file: Path) -> list[str]:
    """The first :data:`LATENCY_QUESTIONS` questions of a JSON-lines file."""
    with questions_file.open(encoding="utf-8") as lines:
        return [json.loads(line)["question"] for line in lines][:LATENCY_QUESTIONS]


def scale_suite(corpus: Path, nci_db: Path, folder: Path, *, sizes: tuple[int, ...]) -> dict[str, Any]:
    """Ingest and search figures for the real NCI store and for a synthetic KB of each size in
    ``sizes``."""
    questions_file = corpus.parent.parent / "eval" / "nci-kb-questions.jsonl"
    points = [{"pages": _pages(nci_db), "chunks": _chunks(nci_db),
               "search": measure_search_process(nci_db, questions_file), "synthetic": False}]
    for size in sizes:
        work = folder / f"size-{size}"
        kb = synthetic_kb(corpus, work, size)
        db = work / "store.db"
        for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            stale.unlink(missing_ok=True)
        seed_vectors(db, nci_db)
        run = run_cli("ingest", str(kb), "--db", str(db), "--format", "json")
        report = _report(run, f"the ingest of {size:,} pages")
        points.append({
            "pages": report["added"],
            "chunks": _chunks(db),
            "ingest_seconds": report["seconds"],
            "pages_per_second": round(report["added"] / max(report["seconds"], 1e-9), 1),
            "ingest_peak_rss_mib": round(run.peak_rss_mib, 1),
            "store_mib": round(db.stat().st_size / 1024 / 1024, 1),
            "search": measure_search_process(db, questions_file),
            "synthetic": True,
        })
        shutil.rmtree(kb)  # the pages are rebuilt on demand; the store is kept for a look
    return {"points": points}


def _pages(db: Path) -> int:
    with Store.open(db) as store:
        return int(store.query("SELECT count(*) FROM documents WHERE removed_at IS NULL")[0][0])


def _chunks(db: Path) -> int:
    with Store.open(db) as store:
        return int(store.query("SELECT count(*) FROM chunks")[0][0])


if __name__ == "__main__":  # python -m cancerinfo.eval.scale DB QUESTIONS: one search measurement
    print(json.dumps(measure_search(Path(sys.argv[1]), latency_questions(Path(sys.argv[2])))))
