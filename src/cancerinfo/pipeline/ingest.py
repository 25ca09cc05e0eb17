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

import functools
import hashlib
import json
import os
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cancerinfo import __version__
from cancerinfo.index.build import (
    IndexedChunk,
    IndexWriter,
    default_embedder,
    embed_missing,
    index_chunks,
)
from cancerinfo.index.dense import Embedder
from cancerinfo.index.postings import build_postings, has_postings, save_postings
from cancerinfo.kb.document import Document
from cancerinfo.kb.loader import (
    LoadLimits,
    LoadResult,
    iter_kb_files,
    load_bytes,
    outside_root,
    read_kb_bytes,
)
from cancerinfo.kb.problems import Problem
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

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages are ``read`` (read, parse, chunk), ``embed``
and ``write``."""


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did: urls added, changed, removed and restored, files rejected,
    warnings."""

    run_id: int
    db: str
    roots: list[str]
    files: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    rejected: dict[str, list[Problem]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether no file was rejected."""
        return not self.rejected

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON: counts, the rejected files with their problems, and the urls by
        change."""
        return {
            "run_id": self.run_id,
            "db": self.db,
            "roots": self.roots,
            "files": self.files,
            "added": len(self.added),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
            "removed": len(self.removed),
            "restored": len(self.restored),
            "rejected": len(self.rejected),
            "seconds": round(self.seconds, 3),
            "rejected_files": [
                {"path": path, "problems": [p.as_dict() for p in problems]}
                for path, problems in self.rejected.items()
            ],
            "warnings": [problem.as_dict() for problem in self.warnings],
            "urls": {
                "added": self.added,
                "changed": self.changed,
                "removed": self.removed,
                "restored": self.restored,
            },
        }


@dataclass(slots=True)
class _Candidate:
    """A file of this run: parsed (its page spooled at ``document_at``, and its chunks at
    ``chunks_at`` when its index is stale) or recognised as unchanged by its bytes."""

    root: Path
    path: Path
    shown_path: str
    raw_hash: str
    url: str
    document_at: int | None = None
    chunks_at: int | None = None


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


def _write_candidates(
    writer: DocumentWriter,
    index: IndexWriter,
    candidates: list[_Candidate],
    spool: Spool,
    report: IngestReport,
    rejected: dict[str, list[Problem]],
    progress: Progress | None,
) -> bool:
    """Write every candidate's page, and its chunks when they were made again; whether any were."""
    reindexed = False  # chunks were replaced (new rowids): the postings are rebuilt
    for done, candidate in enumerate(candidates, start=1):
        document: Document | None = None
        if candidate.document_at is not None:
            document = spool.get(candidate.document_at)
        document_id = _store_candidate(writer, candidate, document, report, rejected)
        if (
            document_id is not None
            and candidate.chunks_at is not None
            and document is not None
        ):
            index.replace_document(document_id, spool.get(candidate.chunks_at))
            writer.mark_indexed(document_id, document.content_hash)
            reindexed = True
        if progress:
            progress("write", done, len(candidates))
    return reindexed


def _remove_missing(
    writer: DocumentWriter,
    index: IndexWriter,
    files: list[tuple[Path, Path]],
    candidates: list[_Candidate],
    rejected: dict[str, list[Problem]],
    previous_path: dict[str, str],
    report: IngestReport,
) -> None:
    """Mark removed the pages gone from the ingested folders, or from where those moved from."""
    protected = {_absolute(Path(path)) for path in rejected}
    seen_urls = {c.url for c in candidates if str(c.shown_path) not in rejected}
    for root in sorted({r for r, _ in files if r.is_dir()}):
        for document_id, url in writer.mark_missing_removed(
            root, seen_urls=seen_urls, protected_paths=protected
        ):
            index.delete_document(document_id)
            report.removed.append(url)
        # A KB folder that was moved (or renamed) is the same KB: its pages found here
        # were stored under their old folder, and a page of that old folder that is
        # now nowhere (not seen, no file at its old path) was deleted meanwhile.
        for old_root in _moved_from(root, candidates, previous_path):
            for document_id, url in writer.mark_missing_removed(
                old_root,
                seen_urls=seen_urls,
                protected_paths=_rebased(protected, root, old_root),
                only_missing_files=True,
            ):
                index.delete_document(document_id)
                report.removed.append(url)


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


@dataclass(frozen=True, slots=True)
class _Reading:
    """What reading a file needs besides the file: limits, the store's index state, where
    parsed pages wait."""

    limits: LoadLimits
    today: date | None
    indexed: dict[str, str | None]  # url -> content hash its chunks were built from
    embedder_name: str
    spool: Spool


def _read_files(
    files: list[tuple[Path, Path]],
    known: dict[str, tuple[str, str]],
    reading: _Reading,
    progress: Progress | None,
) -> tuple[list[_Candidate], dict[str, list[Problem]], list[Problem]]:
    """Read, parse and (when its index is stale) chunk every file; pages go to the spool."""
    candidates: list[_Candidate] = []
    rejected: dict[str, list[Problem]] = {}
    warnings: list[Problem] = []
    for done, (root, file) in enumerate(files, start=1):
        absolute = _absolute(file)
        data = outside_root(root, file) or read_kb_bytes(file, limits=reading.limits)
        if isinstance(data, LoadResult):
            rejected[str(file)] = data.problems
        else:
            raw_hash = hashlib.sha256(data).hexdigest()
            previous = known.get(absolute)
            if previous is not None and previous[0] == raw_hash:
                candidates.append(_Candidate(root, Path(absolute), str(file), raw_hash, previous[1]))
            else:
                result = load_bytes(data, path=str(file), limits=reading.limits, today=reading.today)
                if result.document is None:
                    rejected[str(file)] = result.problems
                else:
                    warnings.extend(result.problems)
                    candidates.append(_parsed(root, Path(absolute), str(file), raw_hash, result.document, reading))
        if progress:
            progress("read", done, len(files))
    return candidates, rejected, warnings


def _parsed(
    root: Path, path: Path, shown_path: str, raw_hash: str, document: Document, reading: _Reading
) -> _Candidate:
    """A parsed file, its page (and its chunks, when its index is stale) spooled."""
    candidate = _Candidate(
        root, path, shown_path, raw_hash, document.url, document_at=reading.spool.add(document)
    )
    if reading.indexed.get(document.url) != document.content_hash:
        chunks = index_chunks(document, embedder_name=reading.embedder_name)
        candidate.chunks_at = reading.spool.add(chunks)
    return candidate


def _spooled_chunks(candidates: list[_Candidate], spool: Spool) -> Iterator[IndexedChunk]:
    for candidate in candidates:
        if candidate.chunks_at is not None:
            yield from spool.get(candidate.chunks_at)


def _reject_duplicate_urls(
    candidates: list[_Candidate], rejected: dict[str, list[Problem]]
) -> None:
    by_url: dict[str, list[_Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_url[candidate.url].append(candidate)
    for url, claimants in by_url.items():
        if len(claimants) < 2:
            continue
        for candidate in claimants:
            others = ", ".join(c.shown_path for c in claimants if c is not candidate)
            rejected[candidate.shown_path] = [
                Problem(
                    candidate.shown_path,
                    "DUPLICATE_URL",
                    f"url {url} is also claimed by {others}; neither file is stored until one url changes",
                    "error",
                    None,
                    "url",
                )
            ]
    candidates[:] = [c for c in candidates if c.shown_path not in rejected]


def _store_candidate(
    writer: DocumentWriter,
    candidate: _Candidate,
    document: Document | None,
    report: IngestReport,
    rejected: dict[str, list[Problem]],
) -> int | None:
    """Write one file's page (``document``: ``None`` when its bytes are unchanged since the
    last run); the document id, or ``None`` when it is rejected here."""
    existing = writer.find(candidate.url)
    if document is None:  # bytes unchanged since the last run
        report.unchanged += 1
        return int(existing["id"]) if existing is not None else None
    if existing is None:
        report.added.append(candidate.url)
        return writer.insert(
            document,
            root=candidate.root,
            path=candidate.path,
            raw_hash=candidate.raw_hash,
        )
    owner = Path(existing["path"])
    if (
        existing["removed_at"] is None
        and owner != candidate.path
        and owner.exists()
        and not _is_under(owner, candidate.root)
    ):
        rejected[candidate.shown_path] = [
            Problem(
                candidate.shown_path,
                "URL_CONFLICT",
                f"url {candidate.url} already belongs to {owner} in this store; "
                "change one url, or ingest into another --db",
                "error",
                None,
                "url",
            )
        ]
        return None
    was_removed = existing["removed_at"] is not None
    document_id = int(existing["id"])
    if existing["content_hash"] == document.content_hash:
        writer.touch(
            document_id, root=candidate.root, path=candidate.path, raw_hash=candidate.raw_hash
        )
        if was_removed:
            report.restored.append(candidate.url)
        else:
            report.unchanged += 1
        return document_id
    writer.new_version(
        existing,
        document,
        root=candidate.root,
        path=candidate.path,
        raw_hash=candidate.raw_hash,
    )
    (report.restored if was_removed else report.changed).append(candidate.url)
    return document_id


def _moved_from(
    root: Path, candidates: list[_Candidate], previous_path: dict[str, str]
) -> list[Path]:
    """Where the folder ``root`` was before it was moved or renamed: a page found under
    ``root`` in this run that was stored at another path, under the same relative path
    (``kb/en/a.md`` stored as ``/old/kb/en/a.md``, now ``/new/kb/en/a.md``), tells that
    ``/new`` was ``/old``; ``root`` is then the same place under ``/old``."""
    folders: set[Path] = set()
    for candidate in candidates:
        before = previous_path.get(candidate.url)
        if candidate.root != root or before is None or before == str(candidate.path):
            continue
        old_parts, new_parts = Path(before).parts, candidate.path.parts
        same = 0  # how many trailing parts (the file name, its folders) the two paths share
        while (
            same < min(len(old_parts), len(new_parts)) - 1
            and old_parts[-1 - same] == new_parts[-1 - same]
        ):
            same += 1
        if same == 0:
            continue
        old_prefix, new_prefix = Path(*old_parts[:-same]), Path(*new_parts[:-same])
        if root == new_prefix or new_prefix in root.parents:
            folder = old_prefix / root.relative_to(new_prefix)
            if folder != root:
                folders.add(folder)
    return sorted(folders)


def _rebased(paths: set[str], root: Path, old_root: Path) -> set[str]:
    """``paths`` under ``root`` at the same places under ``old_root`` (and as they are)."""
    prefix = str(root) + os.sep
    return paths | {
        os.path.join(str(old_root), path[len(prefix) :]) for path in paths if path.startswith(prefix)
    }


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


def _absolute(file: Path) -> str:
    """The file's absolute path with symbolic links resolved (folders resolved once)."""
    return os.path.join(_real_folder(os.path.dirname(os.path.abspath(file))), file.name)


@functools.lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def _is_under(path: Path, root: Path) -> bool:
    return root.is_dir() and str(path).startswith(str(root) + os.sep)
