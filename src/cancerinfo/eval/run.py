"""``cancerinfo eval run``: every benchmark suite in one command, one JSON report, and
docs/benchmarks.md regenerated from it.

Suites (``--suite``):

``retrieval``  nci-kb-questions and our held-out set on the NCI KB; MedQuAD's NCI questions
               (section level) on nci-pdq + nih-health; a BM25-only baseline beside ours
``liveqa``     LiveQA-Med 2017, avgScore / MRR@10 / MAP@10 / P@5, both question forms, + baseline
``peer``       the peer bot's 252 cases with its own deterministic rubric
``triage``     the labelled triage sets (dev, dev-extra, test) through the assistant, the
               self-harm-by-meaning calibration, the triage's cost per ask
``answers``    groundedness, our held-out answer and triage sets, the gate's calibration
``latency``    validate, cold and unchanged ingest, search and ask p50/p95/p99, peak RSS
``load``       HTTP load on ``POST /v1/ask`` (32 clients, 30 s, a real ``cancerinfo serve``)
``scale``      synthetic KBs of 10k (and, on request, 100k) pages: ingest rate, search p50/p99
``fuzz``       Schemathesis on a live ``cancerinfo serve`` (examples/kb): >= 10,000 cases over
               every operation; 5xx, undeclared statuses, schema and error-shape violations
``drills``     fault drills (:mod:`cancerinfo.eval.drills`): kill -9 during ingest, disk full,
               damaged stores, ingest while serving, kill -9 of a server with feedback
``smoke``      the seed pages + a 100-page sample: the harness end to end, in CI
``all``        every suite but ``smoke``

KBs are built once and cached in ``.bench-cache/`` under a key made of the content hash
of their files, the store schema and the embedder: a changed corpus or a new embedder gets
a new store, an unchanged one is reused (``--rebuild`` forces a fresh cold ingest).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cancerinfo.eval.ingest_bench import ingest_benchmark, run_cli, validate_benchmark
from cancerinfo.eval.machine import machine_facts
from cancerinfo.index.dense import minilm_name
from cancerinfo.store.schema import SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[3]
DEFAULT_CACHE = REPO / ".bench-cache"
SUITES = ("retrieval", "liveqa", "peer", "answers", "triage", "latency", "load", "scale", "fuzz", "drills", "smoke")
ALL = tuple(s for s in SUITES if s != "smoke")
#: Result keys a run that skips their suite keeps from the last report.
KEPT_KEYS = (
    "smoke", "ingest", "validate", "search", "answers", "triage", "retrieval", "liveqa", "load", "scale", "fuzz",
    "drills",
)


#: The package files (under ``src/cancerinfo``) whose output a built store holds: the chunks,
#: postings and vocabulary written at ingest (the embedder is named by its model). A store
#: built before one of them changed is built again (a change to how brands are mined).
STORE_BUILDERS = (
    "index/build.py",
    "index/chunking.py",
    "index/markdown.py",
    "index/markdown_inline.py",
    "index/postings.py",
    "index/vocabulary.py",
    "index/vocabulary_mining.py",
    "index/vocabulary_phrases.py",
    "index/vocabulary_lay_terms.py",
    "pipeline/ingest.py",
    "pipeline/ingest_read.py",
    "pipeline/ingest_write.py",
    "pipeline/vocabulary.py",
    "policies/lay_terms.yaml",
)
PACKAGE = Path(__file__).resolve().parents[1]


def corpus_key(roots: list[Path], *, builders: tuple[Path, ...] | None = None) -> str:
    """A short hash of every file under ``roots`` (relative path + bytes), the store schema,
    the embedder and the code that builds a store (``builders``: :data:`STORE_BUILDERS`):
    what a built store depends on."""
    digest = hashlib.sha256(f"schema={SCHEMA_VERSION};embedder={minilm_name(256)}".encode())
    for builder in builders if builders is not None else tuple(PACKAGE / name for name in STORE_BUILDERS):
        digest.update(hashlib.sha256(builder.read_bytes()).digest())
    for root in roots:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for file in files:
            digest.update(str(file.relative_to(root.parent)).encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:16]


class KBCache:
    """Built stores in one folder, named by what they were built from."""

    def __init__(self, folder: Path, *, rebuild: bool = False) -> None:
        self.folder = folder
        self.rebuild = rebuild
        folder.mkdir(parents=True, exist_ok=True)

    def store(self, name: str, roots: list[Path], *, measure: bool = False) -> tuple[Path, dict[str, Any]]:
        """The store of ``roots`` (built now if missing) and its ingest figures. ``measure``:
        a cold then an unchanged ingest in fresh processes, with wall time and peak RSS."""
        key = corpus_key(roots)
        db = self.folder / f"{name}-{key}.db"
        facts_file = db.with_suffix(".ingest.json")
        if db.exists() and facts_file.exists() and not self.rebuild:
            facts = json.loads(facts_file.read_text())
            facts["reused"] = True
            # an unchanged ingest (seconds): brings the vocabulary up to an edited lay-terms file
            run_cli("ingest", *map(str, roots), "--db", str(db), "--format", "json")
            return db, facts
        if measure and len(roots) == 1:
            facts = ingest_benchmark(roots[0], db=db)
        else:
            for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
                stale.unlink(missing_ok=True)
            run = run_cli("ingest", *map(str, roots), "--db", str(db), "--format", "json")
            report = json.loads(run.stdout)
            facts = {
                "corpus": [str(r) for r in roots],
                "files": report["files"],
                "cold": {"seconds": round(run.seconds, 2), "ingest_seconds": report["seconds"],
                         "peak_rss_mib": round(run.peak_rss_mib, 1), "added": report["added"],
                         "rejected": report["rejected"]},
            }
        facts["key"] = key
        facts_file.write_text(json.dumps(facts, indent=2) + "\n")
        return db, facts


def run_suites(
    suites: list[str],
    *,
    shared: Path,
    cache: KBCache,
    progress: Callable[[str], None] = lambda _message: None,
    scale_sizes: tuple[int, ...] = (10_000,),
) -> dict[str, Any]:
    """Run ``suites`` and return the report (the JSON docs/benchmarks.json holds)."""
    chosen = _chosen_suites(suites)
    results: dict[str, Any] = {"machine": machine_facts(), "suites": chosen}
    started = time.perf_counter()
    if "smoke" in chosen:
        from cancerinfo.eval.smoke import smoke_suite

        progress("smoke: seed pages + a 100-page sample")
        results["smoke"] = smoke_suite(shared, cache.folder / "smoke")
    db = _nci_kb_store(chosen, results, shared=shared, cache=cache, progress=progress)
    if db is not None:
        _nci_kb_suites(chosen, results, db, shared=shared, cache=cache, progress=progress)
    if "liveqa" in chosen:
        from cancerinfo.eval.retrieval_bench import liveqa_suite

        progress("liveqa: LiveQA-Med 2017 on nci-pdq + nih-health + its extra corpus")
        liveqa_db, _ = cache.store(
            "liveqa",
            [shared / "corpus" / "nci-pdq", shared / "corpus" / "nih-health",
             shared / "benchmarks" / "liveqa-med-2017" / "extra-corpus"],
        )
        results["liveqa"] = liveqa_suite(liveqa_db, shared)
    if db is not None:
        _load_and_scale_suites(
            chosen, results, db, shared=shared, cache=cache, progress=progress, scale_sizes=scale_sizes
        )
    _robustness_suites(chosen, results, cache=cache, progress=progress)
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def _chosen_suites(suites: list[str]) -> list[str]:
    """The suites ``suites`` names (``all``: every suite but smoke); ValueError on an unknown one."""
    chosen = list(ALL) if "all" in suites else suites
    unknown = [s for s in chosen if s not in SUITES]
    if unknown:
        raise ValueError(f"unknown suite {unknown[0]!r}; choose from all, {', '.join(SUITES)}")
    return chosen


def _nci_kb_store(
    chosen: list[str], results: dict[str, Any], *, shared: Path, cache: KBCache, progress: Callable[[str], None]
) -> Path | None:
    """The NCI KB store, its ingest figures put in ``results``; None when no chosen suite needs it."""
    needs_nci = {"retrieval", "peer", "answers", "triage", "latency", "load", "scale"} & set(chosen)
    if needs_nci:
        corpus = shared / "corpus" / "nci-kb"
        progress("NCI KB store (cold + unchanged ingest when not cached)")
        db, ingest = cache.store("nci-kb", [corpus], measure=True)
        results["ingest"] = ingest
        return db
    return None


def _nci_kb_suites(
    chosen: list[str], results: dict[str, Any], db: Path, *, shared: Path, cache: KBCache,
    progress: Callable[[str], None],
) -> None:
    """The chosen ones of latency, answers (and peer), triage and retrieval, on the NCI KB store ``db``."""
    if "latency" in chosen:
        from cancerinfo.eval.search_bench import search_benchmark

        progress("latency: validate, search")
        results["validate"] = validate_benchmark(shared / "corpus" / "nci-kb")
        results["search"] = search_benchmark(
            db,
            {
                "nci-kb-questions": shared / "eval" / "nci-kb-questions.jsonl",
                "held-out (ours)": REPO / "benchmarks" / "heldout-retrieval.jsonl",
            },
        )
    if {"peer", "answers", "latency"} & set(chosen):
        from cancerinfo.eval.answers_bench import answers_benchmark

        progress("answers: peer suite, groundedness, held-out sets, calibration, ask latency")
        results["answers"] = answers_benchmark(db, shared)
    if "triage" in chosen:
        from cancerinfo.eval.triage_bench import triage_suite

        progress("triage: the labelled triage sets, meaning calibration, triage cost per ask")
        results["triage"] = triage_suite(db, shared / "eval" / "nci-kb-questions.jsonl", REPO / "benchmarks")
    if "retrieval" in chosen:
        from cancerinfo.eval.retrieval_bench import retrieval_suite

        progress("retrieval: NCI KB and MedQuAD, with the BM25 baseline")
        medquad_db, _ = cache.store("medquad", [shared / "corpus" / "nci-pdq", shared / "corpus" / "nih-health"])
        results["retrieval"] = retrieval_suite(db, medquad_db, shared, work=cache.folder / "questions")


def _load_and_scale_suites(
    chosen: list[str], results: dict[str, Any], db: Path, *, shared: Path, cache: KBCache,
    progress: Callable[[str], None], scale_sizes: tuple[int, ...],
) -> None:
    """The chosen ones of load (HTTP on a copy of ``db``) and scale (synthetic KBs beside ``db``)."""
    if "load" in chosen:
        progress("load: 32 clients for 30 s on POST /v1/ask, three runs (repeated questions, fresh ones, fresh ones on --workers 2)")
        results["load"] = load_suite(db, shared, cache.folder / "load")
    if "scale" in chosen:
        from cancerinfo.eval.scale import scale_suite

        progress(f"scale: synthetic KBs of {', '.join(f'{n:,}' for n in scale_sizes)} pages")
        results["scale"] = scale_suite(shared / "corpus" / "nci-kb", db, cache.folder / "scale", sizes=scale_sizes)


def _robustness_suites(
    chosen: list[str], results: dict[str, Any], *, cache: KBCache, progress: Callable[[str], None]
) -> None:
    """The chosen ones of fuzz (Schemathesis on a live server) and drills (fault drills)."""
    if "fuzz" in chosen:
        from cancerinfo.eval.fuzz_bench import fuzz_suite

        progress("fuzz: Schemathesis, >= 10,000 cases over every operation of a live server")
        results["fuzz"] = fuzz_suite(cache.folder / "fuzz", progress=progress)
    if "drills" in chosen:
        from cancerinfo.eval.drills import drills_suite

        progress("drills: fault drills (kill -9, disk full, damaged stores, serving)")
        # the run that measured them, named in their section (they may be kept beside other runs' suites)
        results["drills"] = {**drills_suite(cache.folder / "drills", progress=progress), "machine": results["machine"]}


def load_suite(db: Path, shared: Path, folder: Path, *, clients: int = 32, seconds: float = 30.0) -> dict[str, Any]:
    """The HTTP load test of the web service (:mod:`cancerinfo.service.loadtest`) on a copy
    of the store, with one server process and two answer processes: 20 questions asked
    again and again (the answer cache serves repeats), then the 999 nci-kb questions each
    answered afresh; and, to compare, the fresh questions on two uvicorn workers."""
    import asyncio

    from cancerinfo.service.loadtest import load_questions, run_clients, start_server

    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "load.db"
    shutil.copy(db, copy)
    fresh = shared / "eval" / "nci-kb-questions.jsonl"
    runs = {}
    for name, questions_file, cached, workers, answer_processes in (
        ("repeated questions (answer cache)", None, True, 1, 2),
        ("fresh questions (nci-kb-questions, no cache)", fresh, False, 1, 2),
        ("fresh questions, `--workers 2` instead", fresh, False, 2, 0),
    ):
        process, url = start_server(
            copy, workers=workers, answer_processes=answer_processes, log=folder / "server.log", cache=cached
        )
        try:
            run = asyncio.run(run_clients(url, load_questions(questions_file), clients=clients, seconds=seconds))
        finally:
            process.terminate()
            process.wait(timeout=30)
        runs[name] = {**run, "serve": f"--workers {workers} --answer-processes {answer_processes}"}
    return {"clients": clients, "seconds": seconds, "workers": 1, "answer_processes": 2, "runs": runs}


def merge_previous(results: dict[str, Any], previous_file: Path) -> dict[str, Any]:
    """Keep the suites this run did not run from the last report, marked as such: each kept
    suite names the run that measured it (``kept_runs``), so suites kept from different
    runs can stand side by side."""
    if not previous_file.exists():
        return results
    previous = json.loads(previous_file.read_text())
    kept = {key: value for key, value in previous.items() if key not in results and key in KEPT_KEYS}
    if not kept:
        return results
    machine = previous.get("machine", {})
    measured = {"commit": machine.get("commit"), "date": machine.get("date")}
    had_kept = set(previous.get("kept_from_previous", []))
    runs = previous.get("kept_runs") or {}
    older = previous.get("previous_run") or measured  # reports written before kept_runs
    origins = {key: (runs.get(key) or older) if key in had_kept else measured for key in sorted(kept)}
    distinct = {json.dumps(origin, sort_keys=True) for origin in origins.values()}
    results = {**results, **kept, "kept_from_previous": sorted(kept), "kept_runs": origins}
    if len(distinct) == 1:
        results["previous_run"] = next(iter(origins.values()))
    return results


def write_report(results: dict[str, Any], output: Path) -> None:
    """Write ``output`` (Markdown), its JSON beside it and, with scale points, the latency plot."""
    from cancerinfo.eval.report import render

    output.parent.mkdir(parents=True, exist_ok=True)
    if "scale" in results and results["scale"].get("points"):
        from cancerinfo.eval.plot import latency_plot

        picture = output.with_name(f"{output.stem}-scale.png")
        latency_plot(results["scale"]["points"], picture)
        results["scale"]["plot"] = picture.name
    output.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    output.write_text(render(results))
