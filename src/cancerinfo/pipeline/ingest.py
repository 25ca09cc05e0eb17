"""Ingest KB folders into the store: incremental, versioned, all-or-nothing per run.

* A page is identified by its ``url``. Unchanged pages (same content hash) are skipped; a
  file whose bytes did not change since the last run is not even parsed.
* A changed page becomes a new version; every earlier version is kept in ``versions``.
* A page missing from a re-ingest of a folder it was ingested from is marked removed
  (``removed_at``), never deleted; it is restored when it comes back.
* A file that fails validation is rejected with its problems; what the store already
  holds for that file is kept as it was. Good files are stored even when others fail.
* Two files claiming one url in the same run are both rejected, each naming the other.
* Everything is written in one transaction: a crash or kill leaves the previous KB.

Memory does not grow with the KB's text: each page is parsed and chunked once, then waits
in a temporary file (:mod:`cancerinfo.spool`) until the transaction writes it; vectors, vocabulary
and BM25 postings are built streaming (:func:`~cancerinfo.index.build.embed_missing`,
:mod:`.vocabulary`, :func:`~cancerinfo.index.postings.build_postings`). What stays in memory
per page is its path, url and hashes (about 1 KiB), plus 8 bytes per posting.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cancerinfo import __version__
from cancerinfo.index.build import IndexWriter, default_embedder, embed_missing
from cancerinfo.index.dense import Embedder
from cancerinfo.index.postings import build_postings, has_postings, save_postings
from cancerinfo.kb.loader import LoadLimits, iter_kb_files
from cancerinfo.kb.problems import Problem
from cancerinfo.pipeline.ingest_read import (
    _Candidate,
    _read_files,
    _Reading,
    _real_folder,
    _reject_duplicate_urls,
    _spooled_chunks,
)
from cancerinfo.pipeline.ingest_report import IngestReport, Progress
from cancerinfo.pipeline.ingest_write import _remove_missing, _write_candidates
from cancerinfo.pipeline.vocabulary import mine_vocabulary
from cancerinfo.policies import policy_path
from cancerinfo.spool import Spool
from cancerinfo.store.database import Store, utc_now
from cancerinfo.store.writer import DocumentWriter

#: How a file's text becomes the stored text and its chunks: invisible characters removed,
#: HTML comments out of the chunks (:mod:`cancerinfo.kb.text`). A store holding pages read
#: under another format has every page read, versioned (when its text changes) and indexed
#: again by its next ingest of the whole KB; the marker is set once no live page is left
#: from the old format.
TEXT_FORMAT = "2"


def ingest(
    paths: Sequence[Path],
    *,
    db: Path,
    limits: LoadLimits = LoadLimits(),
    today: date | None = None,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    lay_terms: Path | None = None,
) -> IngestReport:
    """Ingest the KB files under ``paths`` into the store at ``db`` (created if missing),
    and bring its retrieval indexes up to date (``embedder``: default the packaged MiniLM)."""
    started = time.perf_counter()
    files = list(iter_kb_files(paths))  # raises InputPathError before anything is written
    _real_folder.cache_clear()
    embedder = embedder or default_embedder()
    if embedder.document_name != embedder.name:
        raise ValueError(f"{embedder.name!r} embeds questions only; pages are embedded by {embedder.document_name!r}")
    with Store.create_or_open(db) as store, Spool(db.parent) as spool:
        state = _stored_state(store, embedder)
        vectors_before = store.query("SELECT coalesce(max(rowid), 0) FROM vectors")[0][0]
        candidates, rejected, warnings = _read_files(
            files,
            {} if state.rebuild or state.reformat else state.known,
            _Reading(limits, today, state.indexed, embedder.name, spool),
            progress,
        )
        _reject_duplicate_urls(candidates, rejected)
        embed_missing(
            store.connection,
            lambda: _spooled_chunks(candidates, spool),
            embedder=embedder,
            progress=progress,
            scratch=db.parent,
        )
        started_at = utc_now()
        with store.transaction() as connection:
            report = _start_run(
                connection, started_at, db=db, paths=paths, files=len(files), warnings=warnings
            )
            writer = DocumentWriter(connection, run_id=report.run_id, now=started_at)
            index = IndexWriter(connection)
            reindexed = _write_candidates(
                writer, index, candidates, spool, report, rejected, progress
            )
            spool.close()  # every page is written: its disk is free before the postings need some
            _remove_missing(writer, index, files, candidates, rejected, state.previous_path, report)
            changed = bool(report.added or report.changed or report.removed or report.restored)
            changed = changed or reindexed
            _refresh_vocabulary(connection, index, changed=changed, lay_terms=lay_terms)
            _refresh_postings(connection, changed=changed, scratch=db.parent)
            _record_formats(connection, embedder, candidates, reformat=state.reformat)
            _delete_unused_vectors(connection, up_to=int(vectors_before))
            report.rejected = {path: problems for path, problems in sorted(rejected.items())}
            report.seconds = time.perf_counter() - started
            _finish_run(connection, report, warnings)
        return report


@dataclass(slots=True)
class _StoredState:
    """What the store holds before this run, as the run needs it: the live pages by path
    and by url, which content each page's chunks were built from, and whether every page
    is read again (another embedder, or another text format)."""

    rebuild: bool
    reformat: bool
    known: dict[str, tuple[str, str]]  # path -> (raw hash, url) of the live pages
    previous_path: dict[str, str]  # url -> path of the live pages
    indexed: dict[str, str | None]  # url -> content hash its chunks were built from


def _stored_state(store: Store, embedder: Embedder) -> _StoredState:
    """Read what the store holds before this run (pages with damaged vectors read again)."""
    meta = store.meta()
    rebuild = meta.get("embedder") not in (None, embedder.name)
    live = store.query("SELECT path, raw_hash, url, root FROM documents WHERE removed_at IS NULL")
    known = {row["path"]: (row["raw_hash"], row["url"]) for row in live}
    previous_path = {row["url"]: row["path"] for row in live}
    del live
    reformat = meta.get("text_format") != TEXT_FORMAT and bool(previous_path)
    indexed = {
        row["url"]: row["indexed_hash"]
        for row in store.query("SELECT url, indexed_hash FROM documents")
        if not reformat
    }
    if not rebuild:  # pages whose vectors are damaged are read, chunked and embedded again
        for url in _urls_with_damaged_vectors(store, 4 * embedder.dimension):
            indexed[url] = None
            known = {path: value for path, value in known.items() if value[1] != url}
    return _StoredState(rebuild, reformat, known, previous_path, indexed)


def _start_run(
    connection: sqlite3.Connection,
    started_at: str,
    *,
    db: Path,
    paths: Sequence[Path],
    files: int,
    warnings: list[Problem],
) -> IngestReport:
    """Insert this run's ``ingest_runs`` row (its counts set at the end); its empty report."""
    run_id = connection.execute(
        "INSERT INTO ingest_runs(started_at, roots, files, added, changed, unchanged, removed,"
        " restored, rejected, problems, cancerinfo_version)"
        " VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, '[]', ?)",
        (started_at, json.dumps([str(p) for p in paths]), files, __version__),
    ).lastrowid
    assert run_id is not None
    return IngestReport(
        run_id=run_id,
        db=str(db),
        roots=[str(p) for p in paths],
        files=files,
        warnings=warnings,
    )


def _refresh_vocabulary(
    connection: sqlite3.Connection, index: IndexWriter, *, changed: bool, lay_terms: Path | None
) -> None:
    """Mine the vocabulary again when pages or the lay terms changed, or when it is missing."""
    # the reviewed lay terms are part of the vocabulary: an edited file is mined again
    # even when no page changed
    lay_terms_hash = hashlib.sha256((lay_terms or policy_path("lay_terms.yaml")).read_bytes()).hexdigest()
    stored_hash = connection.execute("SELECT value FROM meta WHERE key = 'lay_terms_sha256'").fetchone()
    if changed or not _has_vocabulary(connection) or stored_hash is None or stored_hash[0] != lay_terms_hash:
        index.replace_vocabulary(mine_vocabulary(connection, lay_terms))
        connection.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('lay_terms_sha256', ?)", (lay_terms_hash,)
        )


def _refresh_postings(connection: sqlite3.Connection, *, changed: bool, scratch: Path) -> None:
    """Build the BM25 postings again when pages changed, or when they are missing."""
    if changed or not has_postings(connection):
        chunk_rows = connection.execute(
            "SELECT rowid, title, section, text FROM chunks ORDER BY rowid"
        )
        save_postings(connection, build_postings(chunk_rows, scratch=scratch))


def _record_formats(
    connection: sqlite3.Connection,
    embedder: Embedder,
    candidates: list[_Candidate],
    *,
    reformat: bool,
) -> None:
    """Record the embedder, and the text format once no live page is left from an older one."""
    connection.executemany(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
        [("embedder", embedder.name), ("embedder_dimension", str(embedder.dimension))],
    )
    read_again = {c.url for c in candidates if c.document_at is not None}
    if not reformat or _live_urls(connection) <= read_again:
        connection.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('text_format', ?)", (TEXT_FORMAT,)
        )


def _finish_run(
    connection: sqlite3.Connection, report: IngestReport, warnings: list[Problem]
) -> None:
    """Set this run's counts, finish time and problems in its ``ingest_runs`` row."""
    all_problems = [p for problems in report.rejected.values() for p in problems] + warnings
    connection.execute(
        "UPDATE ingest_runs SET finished_at = ?, added = ?, changed = ?, unchanged = ?, removed = ?,"
        " restored = ?, rejected = ?, problems = ? WHERE id = ?",
        (
            utc_now(),
            len(report.added),
            len(report.changed),
            report.unchanged,
            len(report.removed),
            len(report.restored),
            len(report.rejected),
            json.dumps([p.as_dict() for p in all_problems]),
            report.run_id,
        ),
    )


def _live_urls(connection: sqlite3.Connection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT url FROM documents WHERE removed_at IS NULL")}


def _delete_unused_vectors(connection: sqlite3.Connection, *, up_to: int) -> None:
    """Delete the vectors no chunk uses any more: those of old versions of changed pages, of
    removed pages, of another embedder. Page versions keep their text (the store's record);
    a vector is derived from it and embedded again if its text comes back. Only vectors
    stored before this run started (``rowid <= up_to``) go: one that another ingest embedded
    meanwhile, for chunks it has not written yet, is left to it."""
    connection.execute(
        "DELETE FROM vectors WHERE rowid <= ? AND key NOT IN (SELECT embed_key FROM chunks)",
        (up_to,),
    )


def _urls_with_damaged_vectors(store: Store, size: int) -> list[str]:
    """The pages with a chunk whose vector is not ``size`` bytes long (a damaged store)."""
    rows = store.query(
        "SELECT DISTINCT d.url FROM vectors v JOIN chunks c ON c.embed_key = v.key"
        " JOIN documents d ON d.id = c.document_id WHERE length(v.vector) != ?",
        (size,),
    )
    return [str(row[0]) for row in rows]


def _has_vocabulary(connection: sqlite3.Connection) -> bool:
    return connection.execute("SELECT 1 FROM vocabulary LIMIT 1").fetchone() is not None
