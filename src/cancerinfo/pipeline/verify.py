"""``cancerinfo verify``: check a store against its own content hashes, and its index.

SQLite's ``integrity_check`` finds damage to the file's structure, not to what the pages
say: a flipped byte turning "98%" into "18%" in a chunk passes it. The store's own checks
(:mod:`cancerinfo.store.verify`: ``VERSION_HASH``, ``VERSION_MISSING``, ``DOCUMENT_HASH``,
``BODY_MISMATCH``, ``CHUNK_HASH``, ``CHUNK_ORPHAN``, ``NOT_TEXT``, ``SQLITE``) re-read every
stored row that a page's text lives in; the index adds what only it knows:

    CHUNK_NOT_IN_PAGE a chunk's text is not the clean text of the page at its span
    INDEX             the search index cannot be read: postings whose arrays are cut short or
                      overwritten, vectors of the wrong size (derived data: the next
                      ``cancerinfo ingest`` rebuilds them)

Vectors and BM25 postings are derived data: their sizes and array headers are checked, not
their numbers. Nothing is written: the store is opened read-only.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Callable
from pathlib import Path

from cancerinfo.index.markdown import parse_markdown
from cancerinfo.store.verify import Damage, VerifyReport, check_store


def verify_store(db: Path) -> VerifyReport:
    """Re-hash every stored version and chunk of the store at ``db``, check each chunk
    against its page and the search index's arrays; never writes."""
    return check_store(db, chunk_in_page=chunk_in_page, index_checks=(check_index,))


def chunk_in_page(body: str) -> Callable[[str, int], bool]:
    """Whether a chunk's text is the clean text of the page ``body`` at its span (the
    chunks were cut from it: :mod:`cancerinfo.index.chunking`)."""
    plain = parse_markdown(body)

    def in_page(text: str, span_start: int) -> bool:
        at = bisect.bisect_left(plain.offsets, span_start)
        return plain.text[at : at + len(text)] == text or text in plain.text

    return in_page


def check_index(connection: sqlite3.Connection) -> list[Damage]:
    """Postings arrays whose headers do not match their blobs; vectors of the wrong size."""
    from cancerinfo.index.postings import has_postings

    problems: list[Damage] = []
    has_table = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'postings'").fetchone()
    saved = (
        has_table is not None and connection.execute("SELECT 1 FROM postings LIMIT 1").fetchone()
    )
    if saved and not has_postings(connection):
        problems.append(
            Damage(
                "INDEX",
                "the search postings are damaged; the next 'cancerinfo ingest' rebuilds them",
            )
        )
    row = connection.execute("SELECT value FROM meta WHERE key = 'embedder_dimension'").fetchone()
    if row is not None and str(row[0]).isdigit():
        (wrong,) = connection.execute(
            "SELECT count(*) FROM vectors WHERE length(vector) != ?", (4 * int(row[0]),)
        ).fetchone()
        if wrong:
            problems.append(
                Damage(
                    "INDEX",
                    f"{wrong} vectors have the wrong size; the next 'cancerinfo ingest' embeds them again",
                )
            )
    return problems
