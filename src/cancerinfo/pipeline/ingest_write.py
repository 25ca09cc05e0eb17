"""Writing the files of an ingest run (:mod:`cancerinfo.pipeline.ingest`) to the store:
each page added, versioned, restored or left as it is (a url another folder's page owns is
rejected), its chunks replaced when they were made again, and the pages gone from the
ingested folders (or from where a moved folder was before) marked removed."""

from __future__ import annotations

import os
from pathlib import Path

from cancerinfo.index.build import IndexWriter
from cancerinfo.kb.document import Document
from cancerinfo.kb.problems import Problem
from cancerinfo.pipeline.ingest_read import _absolute, _Candidate
from cancerinfo.pipeline.ingest_report import IngestReport, Progress
from cancerinfo.spool import Spool
from cancerinfo.store.writer import DocumentWriter


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


def _is_under(path: Path, root: Path) -> bool:
    return root.is_dir() and str(path).startswith(str(root) + os.sep)
