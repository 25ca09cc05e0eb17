"""Reading the files of an ingest run (:mod:`cancerinfo.pipeline.ingest`): each file read,
skipped when its bytes are unchanged since the last run, else parsed, its page (and its
chunks when its index is stale) put in the spool; rejected files with their problems, two
files claiming one url both rejected, and a file's absolute path with links resolved."""

from __future__ import annotations

import functools
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cancerinfo.index.build import IndexedChunk, index_chunks
from cancerinfo.kb.document import Document
from cancerinfo.kb.loader import LoadLimits, LoadResult, load_bytes, outside_root, read_kb_bytes
from cancerinfo.kb.problems import Problem
from cancerinfo.pipeline.ingest_report import Progress
from cancerinfo.spool import Spool


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


def _absolute(file: Path) -> str:
    """The file's absolute path with symbolic links resolved (folders resolved once)."""
    return os.path.join(_real_folder(os.path.dirname(os.path.abspath(file))), file.name)


@functools.lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)
