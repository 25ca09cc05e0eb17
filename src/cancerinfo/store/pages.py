"""The live pages of the store, one page body in memory at a time.

A :class:`StoredPage` has what a :class:`~cancerinfo.kb.document.Document` has, but reads
its body and front matter from the store each time they are asked for and keeps neither:
the pages of a 100k-page KB cost a few MiB instead of several GiB. The KB vocabulary is
mined from them (:mod:`cancerinfo.pipeline.vocabulary`).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from cancerinfo.kb.document import content_hash
from cancerinfo.kb.frontmatter import FrontMatter


class StoredPage:
    """A live page of the store, read on demand. ``text`` is its body (as mined before)."""

    __slots__ = ("_connection", "_id", "body_line", "path", "url")

    def __init__(
        self, connection: sqlite3.Connection, *, id: int, url: str, path: Path, body_line: int
    ) -> None:
        self._connection = connection
        self._id = id
        self.url = url
        self.path = path
        self.body_line = body_line

    def _column(self, name: str) -> str:
        row = self._connection.execute(
            f"SELECT {name} FROM documents WHERE id = ?", (self._id,)
        ).fetchone()
        return str(row[0])

    @property
    def body(self) -> str:
        """The page's Markdown body, read from the store."""
        return self._column("body")

    @property
    def text(self) -> str:
        """The body: what is mined from a stored page."""
        return self.body

    @property
    def front_matter(self) -> FrontMatter:
        """The page's front matter, read from the store and validated."""
        return FrontMatter.model_validate(json.loads(self._column("front_matter")))

    @property
    def content_hash(self) -> str:
        """SHA-256 of the body (``text``)."""
        return content_hash(self.text)


def stored_pages(connection: sqlite3.Connection) -> list[StoredPage]:
    """Every live page of the store, by url."""
    return [
        StoredPage(
            connection, id=row[0], url=row[1], path=Path(row[2]), body_line=row[3]
        )
        for row in connection.execute(
            "SELECT id, url, path, body_line FROM documents WHERE removed_at IS NULL ORDER BY url"
        )
    ]

