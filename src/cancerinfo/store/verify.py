"""The store's own checks of ``cancerinfo verify``: a store against its own content hashes.

SQLite's ``integrity_check`` finds damage to the file's structure, not to what the pages
say: a flipped byte turning "98%" into "18%" in a chunk passes it. This reads every stored
row that a page's text lives in and checks it against what the store recorded when it
was written:

    VERSION_HASH      a version's text no longer hashes to its ``content_hash``
    VERSION_MISSING   a page's current version is not in ``versions``
    DOCUMENT_HASH     a page's ``content_hash`` differs from its current version's
    BODY_MISMATCH     a page's body differs from the body of its current version's text
    CHUNK_HASH        a chunk's text no longer hashes to its ``content_hash``
    CHUNK_ORPHAN      a chunk belongs to no live page
    NOT_TEXT          a stored text is not valid UTF-8 text
    SQLITE            ``PRAGMA integrity_check`` reports a problem with the file

The store knows nothing of how its pages are searched: whether a chunk is the page's clean
text at its span (``CHUNK_NOT_IN_PAGE``) and whether the search index can be read
(``INDEX``) are checked by the index, whose checks :func:`check_store` is handed
(:mod:`cancerinfo.pipeline.verify`, which ``cancerinfo verify`` runs). Nothing is written:
the store is opened read-only.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cancerinfo.errors import StoreError
from cancerinfo.store.database import Store

#: At most this many lines of ``PRAGMA integrity_check`` are reported.
MAX_SQLITE_LINES = 20


@dataclass(frozen=True, slots=True)
class Damage:
    """One problem found: which page (url and file), what is wrong."""

    code: str
    message: str
    url: str | None = None
    path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready dict."""
        return asdict(self)

    def __str__(self) -> str:
        """One line, whatever the url or file name holds (a newline cannot fake a line)."""
        where = _printable(self.url or "store")
        if self.path:
            where += f" ({_printable(self.path)})"
        return f"{where}: {self.code}: {_printable(self.message)}"


@dataclass(slots=True)
class VerifyReport:
    """What ``cancerinfo verify`` checked (documents, versions, chunks) and the damage found."""

    db: str
    documents: int = 0
    versions: int = 0
    chunks: int = 0
    problems: list[Damage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no damage was found."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON, each problem a dict."""
        return {
            "db": self.db,
            "ok": self.ok,
            "documents": self.documents,
            "versions": self.versions,
            "chunks": self.chunks,
            "problems": [problem.as_dict() for problem in self.problems],
        }


ChunkInPage = Callable[[str], Callable[[str, int], bool]]
"""``chunk_in_page(body)`` -> ``in_page(text, span_start)``: whether a chunk's text is the
clean text of the page ``body`` at character ``span_start`` (how pages are cut into chunks
is the index's business)."""

IndexCheck = Callable[[sqlite3.Connection], list[Damage]]
"""A check of derived data in the store (the search index); the problems it finds."""


def check_store(
    db: Path,
    *,
    chunk_in_page: ChunkInPage | None = None,
    index_checks: Sequence[IndexCheck] = (),
) -> VerifyReport:
    """Re-hash every stored version and chunk of the store at ``db``; never writes.
    ``chunk_in_page`` checks each chunk of an up-to-date page against the page's text,
    ``index_checks`` run last (both belong to the index: :mod:`cancerinfo.pipeline.verify`)."""
    report = VerifyReport(db=str(db))
    with Store.open(db) as store:
        connection = store.connection
        connection.text_factory = _Text  # bad UTF-8 is a finding, not a crash
        try:
            _check_sqlite(connection, report)
            _check_versions(connection, report)
            _check_documents(connection, report, chunk_in_page)
            _check_orphan_chunks(connection, report)
            for check in index_checks:
                report.problems.extend(check(connection))
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{db}: the store cannot be read to the end ({exc}); restore it from a backup, "
                "or delete it and run 'cancerinfo ingest' again"
            ) from None
    return report


class _Text(str):
    """A TEXT value as read by :func:`check_store`: ``valid`` is False when its bytes were
    not UTF-8 (the invalid bytes are replaced so the text can still be compared)."""

    valid: bool = True

    def __new__(cls, data: bytes) -> _Text:
        try:
            return super().__new__(cls, data.decode("utf-8"))
        except UnicodeDecodeError:
            text = super().__new__(cls, data.decode("utf-8", errors="replace"))
            text.valid = False
            return text


def _as_text(value: Any) -> tuple[str, bool]:
    """A stored value as text, and whether it was stored as valid UTF-8 text."""
    if isinstance(value, bytes):  # stored as a BLOB
        return value.decode("utf-8", errors="replace"), False
    if isinstance(value, _Text):
        return str(value), value.valid
    return str(value), True


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _check_sqlite(connection: sqlite3.Connection, report: VerifyReport) -> None:
    lines = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    if lines != ["ok"]:
        for line in lines[:MAX_SQLITE_LINES]:
            report.problems.append(Damage("SQLITE", f"integrity_check: {line}"))


def _checked_text(
    report: VerifyReport,
    value: object,
    stored_hash: str,
    what: str,
    code: str,
    url: str,
    path: str,
    detail: Callable[[str, str, str], str],
) -> str:
    """The stored ``value`` as text; a problem when it is not UTF-8 or does not hash to
    ``stored_hash`` (``detail(text, digest, stored_hash)`` ends that line)."""
    text, valid = _as_text(value)
    if not valid:
        report.problems.append(Damage("NOT_TEXT", f"{what}: its text is not valid UTF-8", url, path))
    digest = _sha256(text)
    if digest != stored_hash:
        report.problems.append(
            Damage(code, f"{what}: its text does not match its content hash{detail(text, digest, stored_hash)}", url, path)
        )
    return text


def _check_versions(connection: sqlite3.Connection, report: VerifyReport) -> None:
    rows = connection.execute(
        "SELECT d.url, v.path, v.version_no, v.content_hash, v.text"
        " FROM versions v JOIN documents d ON d.id = v.document_id ORDER BY d.url, v.version_no"
    )
    for row_url, row_path, version_no, stored_hash, value in rows:
        report.versions += 1
        url, path = str(row_url), str(row_path)  # plain str (not _Text) in the report
        _checked_text(
            report, value, stored_hash, f"version {version_no}", "VERSION_HASH", url, path,
            lambda _text, digest, stored: f" (stored {stored[:12]}..., the text hashes to {digest[:12]}...)",
        )


def _check_documents(
    connection: sqlite3.Connection, report: VerifyReport, chunk_in_page: ChunkInPage | None
) -> None:
    documents = connection.execute(
        "SELECT d.id, d.url, d.path, d.content_hash, d.indexed_hash, d.body, d.body_line,"
        " d.current_version, d.removed_at, v.content_hash AS version_hash, v.text AS version_text"
        " FROM documents d LEFT JOIN versions v"
        " ON v.document_id = d.id AND v.version_no = d.current_version ORDER BY d.url"
    ).fetchall()
    for row in documents:
        report.documents += 1
        url, path = str(row["url"]), str(row["path"])
        body, body_valid = _as_text(row["body"])
        if not body_valid:
            report.problems.append(
                Damage("NOT_TEXT", "the page body is not valid UTF-8", url, path)
            )
        source = body  # what the chunks are compared with: the version's body when stored
        if row["version_text"] is None:
            report.problems.append(
                Damage(
                    "VERSION_MISSING",
                    f"its current version {row['current_version']} is not stored",
                    url,
                    path,
                )
            )
        else:
            if row["version_hash"] != row["content_hash"]:
                report.problems.append(
                    Damage(
                        "DOCUMENT_HASH",
                        f"its content hash differs from that of its current version {row['current_version']}",
                        url,
                        path,
                    )
                )
            version_text, _ = _as_text(row["version_text"])
            expected_body = "\n".join(version_text.split("\n")[max(int(row["body_line"]) - 1, 0) :])
            source = expected_body
            if body != expected_body:
                report.problems.append(
                    Damage(
                        "BODY_MISMATCH",
                        f"the page body differs from its version {row['current_version']} text"
                        f"{_first_difference(expected_body, body)}",
                        url,
                        path,
                    )
                )
        _check_chunks(connection, row, source, report, chunk_in_page)


def _check_chunks(
    connection: sqlite3.Connection,
    document: sqlite3.Row,
    body: str,
    report: VerifyReport,
    chunk_in_page: ChunkInPage | None,
) -> None:
    chunks = connection.execute(
        "SELECT ordinal, text, span_start, content_hash FROM chunks WHERE document_id = ? ORDER BY ordinal",
        (document["id"],),
    ).fetchall()
    if not chunks:
        return
    report.chunks += len(chunks)
    url, path = str(document["url"]), str(document["path"])
    if document["removed_at"] is not None:
        report.problems.append(
            Damage(
                "CHUNK_ORPHAN",
                f"{len(chunks)} chunks of a removed page are still indexed",
                url,
                path,
            )
        )
        return
    # The chunks were cut from the clean text of the page body, by the index.
    stale = document["indexed_hash"] != document["content_hash"]
    in_page = None if stale or chunk_in_page is None else chunk_in_page(body)
    for ordinal, value, span_start, stored_hash in chunks:
        text = _checked_text(
            report, value, stored_hash, f"chunk {ordinal}", "CHUNK_HASH", url, path,
            lambda text, _digest, _stored: f": {_excerpt(text)}",
        )
        if in_page is not None and not in_page(text, int(span_start)):
            report.problems.append(
                Damage(
                    "CHUNK_NOT_IN_PAGE",
                    f"chunk {ordinal}: its text is not in the page at character {span_start}: "
                    f"{_excerpt(text)}",
                    url,
                    path,
                )
            )


def _check_orphan_chunks(connection: sqlite3.Connection, report: VerifyReport) -> None:
    (count,) = connection.execute(
        "SELECT count(*) FROM chunks WHERE document_id NOT IN (SELECT id FROM documents)"
    ).fetchone()
    if count:
        report.chunks += int(count)
        report.problems.append(Damage("CHUNK_ORPHAN", f"{count} chunks belong to no page"))


def _printable(text: str) -> str:
    return text if text.isprintable() else repr(text)[1:-1]


def _excerpt(text: str, length: int = 60) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= length else flat[: length - 3] + "...")


def _first_difference(expected: str, found: str) -> str:
    """Where two texts first differ, as ``" at character N: 'found...'"``."""
    at = next((i for i, (a, b) in enumerate(zip(expected, found, strict=False)) if a != b), None)
    if at is None:
        at = min(len(expected), len(found))
    return f" at character {at}: {_excerpt(found[max(at - 10, 0) : at + 40])}"
