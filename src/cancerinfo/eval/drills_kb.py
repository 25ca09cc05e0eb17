"""The KBs, stores and child processes the fault drills (:mod:`cancerinfo.eval.drills`) work
with: synthetic KB pages in two editions, a store's *state* and integrity check, copies of a
store, and ingests and ``cancerinfo`` commands run in child processes (with a file size limit
when asked). A store's *state* (:func:`store_state`) is what a reader sees of the KB: every
page's url, content hash, version, liveness and indexed hash, every stored version and every
chunk text; not timestamps, paths or vectors (vectors embedded before a kill are kept: they are
keyed by their text and reused).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

#: The child that ingests: writes each progress stage (``read``, ``embed``, ``write``) with
#: its time to a file as it starts, and ``done`` once the ingest returned.
INGEST_CHILD = """
import sys, time
from pathlib import Path
from cancerinfo.pipeline.ingest import ingest

kb, db, stages, embedder_name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
log = open(stages, "a", buffering=1)
seen = set()
def progress(stage, done, total):
    if stage not in seen:
        seen.add(stage)
        log.write(f"{stage} {time.time()}\\n")
embedder = None
if embedder_name == "hashing":
    from cancerinfo.index.dense import HashingEmbedder
    embedder = HashingEmbedder()
log.write(f"start {time.time()}\\n")
report = ingest([kb], db=db, progress=progress, embedder=embedder)
log.write(f"done {time.time()}\\n")
"""

FRONT_MATTER: dict[str, Any] = {
    "audienceLevel": "patient",
    "cancerTypes": ["general"],
    "citation": "NCI, 2025",
    "language": "en",
    "lastReviewed": "2025-12-30",
    "license": "public_domain",
    "reviewFrequency": "quarterly",
    "source": "NCI",
    "sourceType": "02_nci_core",
    "status": "active",
    "tags": ["treatment"],
    "version": "v1",
}
WORDS = (
    "treatment tumor cells doctor radiation surgery chemotherapy symptoms pain fatigue nausea "
    "blood test scan biopsy stage lymph nodes therapy dose side effects care team follow-up "
    "appointment medicine infection fever skin appetite sleep support family questions"
).split()


# -- KBs and stores --------------------------------------------------------------------
def page(number: int, *, edition: int = 1, rng: random.Random | None = None) -> str:
    """A synthetic KB page: front matter and three sections of plain sentences."""
    rng = rng or random.Random(number * 1000 + edition)
    front = {
        **FRONT_MATTER,
        "title": f"Drill topic {number} - NCI",
        "url": f"https://www.cancer.gov/drills/topic-{number}",
        "version": f"v{edition}",
    }
    sections = []
    for section in range(3):
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
            for _ in range(rng.randint(3, 6))
        ]
        sections.append(f"## Part {section + 1} of topic {number}\n\n" + " ".join(sentences) + "\n")
    body = f"# Drill topic {number}\n\nEdition {edition} of topic {number}.\n\n" + "\n".join(
        sections
    )
    return "---\n" + yaml.safe_dump(front, sort_keys=True) + "---\n\n" + body


def write_kb(folder: Path, pages: dict[int, int]) -> Path:
    """``folder`` holding exactly the pages ``{number: edition}`` (others deleted)."""
    target = folder / "en" / "02_nci_core" / "drills"
    target.mkdir(parents=True, exist_ok=True)
    wanted = {
        f"topic-{number:04d}.md": page(number, edition=edition) for number, edition in pages.items()
    }
    for existing in target.glob("*.md"):
        if existing.name not in wanted:
            existing.unlink()
    for name, text in wanted.items():
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return folder


def old_and_new_pages(count: int) -> tuple[dict[int, int], dict[int, int]]:
    """Two editions of a KB: the new one changes every 3rd page, removes every 7th and adds
    ``count // 2`` pages."""
    old = dict.fromkeys(range(count), 1)
    new = {number: (2 if number % 3 == 0 else 1) for number in range(count) if number % 7 != 3}
    new.update(dict.fromkeys(range(count, count + count // 2), 1))
    return old, new


def store_state(db: Path) -> str:
    """A fingerprint of the KB a reader sees in ``db`` (see the module's docstring)."""
    digest = hashlib.sha256()
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for sql in (
            "SELECT url, content_hash, current_version, removed_at IS NULL, indexed_hash, status"
            " FROM documents ORDER BY url",
            "SELECT d.url, v.version_no, v.content_hash, length(v.text) FROM versions v"
            " JOIN documents d ON d.id = v.document_id ORDER BY d.url, v.version_no",
            "SELECT d.url, c.chunk_id, c.content_hash FROM chunks c"
            " JOIN documents d ON d.id = c.document_id ORDER BY c.chunk_id",
        ):
            for row in connection.execute(sql):
                digest.update(repr(tuple(row)).encode())
    finally:
        connection.close()
    return digest.hexdigest()


def integrity(db: Path) -> str:
    """SQLite's ``integrity_check`` of ``db``: ``ok``, or its first finding."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


def copy_store(source: Path, target: Path) -> Path:
    """A self-contained copy of the store ``source`` at ``target`` (SQLite's backup)."""
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
    return target


def _child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CANCERINFO_")}


def start_ingest(
    kb: Path, db: Path, stages: Path, *, embedder: str, fsize: int | None = None
) -> subprocess.Popen[str]:
    """The ingest child (:data:`INGEST_CHILD`); ``fsize``: its RLIMIT_FSIZE in bytes."""
    stages.write_text("")

    def limit() -> None:  # runs in the child, before Python starts
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.Popen(
        [sys.executable, "-c", INGEST_CHILD, str(kb), str(db), str(stages), embedder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
        preexec_fn=limit if fsize is not None else None,
    )


def read_stages(stages: Path) -> dict[str, float]:
    """The stages an ingest child has written so far: name → time stamp (a half-written line is
    skipped)."""
    found: dict[str, float] = {}
    for line in stages.read_text().splitlines():
        name, _, stamp = line.partition(" ")
        with contextlib.suppress(ValueError):
            found[name] = float(stamp)
    return found


def ingest_to_end(kb: Path, db: Path, stages: Path, *, embedder: str) -> dict[str, float]:
    """An ingest run to its end; its stage times relative to its start (``end``: exit)."""
    started = time.time()
    process = start_ingest(kb, db, stages, embedder=embedder)
    _, error = process.communicate(timeout=600)
    ended = time.time()
    if process.returncode != 0:
        raise RuntimeError(
            f"ingest of {kb} into {db} failed (exit {process.returncode}): {error[-2000:]}"
        )
    return {name: stamp - started for name, stamp in read_stages(stages).items()} | {
        "end": ended - started
    }


# -- commands in a child -------------------------------------------------------------
def run_cli_limited(
    args: list[str], *, fsize: int | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``python -m cancerinfo ARGS`` in a child, with RLIMIT_FSIZE ``fsize`` when given."""

    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", "cancerinfo", *args],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=timeout,
        check=False,
        preexec_fn=limit if fsize is not None else None,
    )


def error_lines(stderr: str) -> list[str]:
    """The non-blank lines of ``stderr``."""
    return [line for line in stderr.splitlines() if line.strip()]


def one_line_naming(result: subprocess.CompletedProcess[str], name: str) -> bool:
    """Exit 1, one non-empty line on stderr naming ``name``, no traceback, no internal error."""
    lines = error_lines(result.stderr)
    text = result.stdout + result.stderr
    return (
        result.returncode == 1
        and len(lines) == 1
        and name in lines[0]
        and "Traceback" not in text
        and "internal error" not in text
    )
