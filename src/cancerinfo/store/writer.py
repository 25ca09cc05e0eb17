"""Row-level writes of documents and versions, inside an ingest transaction."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from cancerinfo.kb.document import Document


class DocumentWriter:
    """Writes documents and their versions for one ingest run (``run_id``)."""

    def __init__(self, connection: sqlite3.Connection, *, run_id: int, now: str) -> None:
        self.connection = connection
        self.run_id = run_id
        self.now = now

    def find(self, url: str) -> sqlite3.Row | None:
        """The ``documents`` row of ``url`` (live or removed), or ``None``."""
        row: sqlite3.Row | None = self.connection.execute(
            "SELECT id, url, path, content_hash, current_version, removed_at FROM documents WHERE url = ?",
            (url,),
        ).fetchone()
        return row

    def insert(self, document: Document, *, root: Path, path: Path, raw_hash: str) -> int:
        """Store a new page as version 1; its document id."""
        values = _document_values(document, root=root, path=path, raw_hash=raw_hash)
        values.update(current_version=1, first_ingested_at=self.now, updated_at=self.now)
        columns = ", ".join(values)
        placeholders = ", ".join(f":{name}" for name in values)
        cursor = self.connection.execute(
            f"INSERT INTO documents ({columns}) VALUES ({placeholders})", values
        )
        document_id = cursor.lastrowid
        assert document_id is not None
        self._add_version(document_id, 1, document, path)
        return document_id

    def touch(self, document_id: int, *, root: Path, path: Path, raw_hash: str) -> None:
        """Same content: record where the file now lives; restore it if it was removed."""
        self.connection.execute(
            "UPDATE documents SET root = ?, path = ?, raw_hash = ?, removed_at = NULL, removed_run = NULL"
            " WHERE id = ?",
            (str(root), str(path), raw_hash, document_id),
        )

    def new_version(
        self, existing: sqlite3.Row, document: Document, *, root: Path, path: Path, raw_hash: str
    ) -> None:
        """Store ``document`` as the next version of the ``existing`` row (restoring it if it was
        removed)."""
        version_no = int(existing["current_version"]) + 1
        values = _document_values(document, root=root, path=path, raw_hash=raw_hash)
        values.update(
            current_version=version_no, updated_at=self.now, removed_at=None, removed_run=None
        )
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        self.connection.execute(
            f"UPDATE documents SET {assignments} WHERE id = :id", {**values, "id": existing["id"]}
        )
        self._add_version(existing["id"], version_no, document, path)

    def mark_indexed(self, document_id: int, content_hash: str) -> None:
        """Record that the page's search chunks were built from the text with ``content_hash``."""
        self.connection.execute(
            "UPDATE documents SET indexed_hash = ? WHERE id = ?", (content_hash, document_id)
        )

    def mark_missing_removed(
        self,
        root: Path,
        *,
        seen_urls: set[str],
        protected_paths: set[str],
        only_missing_files: bool = False,
    ) -> list[tuple[int, str]]:
        """Mark removed the live documents under ``root`` that this run did not see
        (``only_missing_files``: and whose file is gone from its stored path)."""
        prefix = str(root) + os.sep
        rows = self.connection.execute(
            "SELECT id, url, path FROM documents WHERE removed_at IS NULL AND substr(path, 1, ?) = ?",
            (len(prefix), prefix),
        ).fetchall()
        gone = [
            row
            for row in rows
            if row["url"] not in seen_urls
            and row["path"] not in protected_paths
            and not (only_missing_files and os.path.lexists(row["path"]))
        ]
        self.connection.executemany(
            "UPDATE documents SET removed_at = ?, removed_run = ?, indexed_hash = NULL WHERE id = ?",
            [(self.now, self.run_id, row["id"]) for row in gone],
        )
        return sorted((int(row["id"]), str(row["url"])) for row in gone)

    def _add_version(
        self, document_id: int, version_no: int, document: Document, path: Path
    ) -> None:
        self.connection.execute(
            "INSERT INTO versions(document_id, version_no, version_label, content_hash, path, text,"
            " ingested_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document_id,
                version_no,
                document.front_matter.version,
                document.content_hash,
                str(path),
                document.text,
                self.now,
                self.run_id,
            ),
        )


def _document_values(
    document: Document, *, root: Path, path: Path, raw_hash: str
) -> dict[str, Any]:
    front = document.front_matter
    return {
        "url": front.url,
        "path": str(path),
        "root": str(root),
        "raw_hash": raw_hash,
        "content_hash": document.content_hash,
        "title": front.title,
        "source": front.source,
        "source_type": front.source_type,
        "tier": front.tier,
        "language": front.language,
        "audience_level": front.audience_level.value,
        "status": front.status.value,
        "last_reviewed": front.last_reviewed.isoformat(),
        "review_frequency": front.review_frequency.value,
        "version_label": front.version,
        "citation": front.citation,
        "license": front.license,
        "cancer_types": json.dumps(front.cancer_types),
        "tags": json.dumps(front.tags),
        "front_matter": json.dumps(front.to_yaml_dict(), sort_keys=True),
        "body": document.body,
        "body_line": document.body_line,
    }
