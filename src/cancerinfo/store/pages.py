"""The KB vocabulary mined from the pages in the store, one page body in memory at a time.

Mining needs every live page (it sorts them and links terms across pages). A
:class:`StoredPage` has what a :class:`~cancerinfo.kb.document.Document` has, but reads its
body and front matter from the store each time they are asked for and keeps neither: the
pages of a 100k-page KB cost a few MiB instead of several GiB.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import cast

from cancerinfo.index.vocabulary import Vocabulary, load_lay_terms
from cancerinfo.kb.document import Document, content_hash
from cancerinfo.kb.frontmatter import FrontMatter
from cancerinfo.policies import policy_path


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
        return self._column("body")

    @property
    def text(self) -> str:
        return self.body

    @property
    def front_matter(self) -> FrontMatter:
        return FrontMatter.model_validate(json.loads(self._column("front_matter")))

    @property
    def content_hash(self) -> str:
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


def mine_vocabulary(connection: sqlite3.Connection, lay_terms: Path | None = None) -> Vocabulary:
    """The vocabulary of every live page, mined from the store as it is now."""
    # A StoredPage offers every attribute of a Document (read-only), loaded when asked.
    pages = cast("list[Document]", stored_pages(connection))
    return Vocabulary.from_documents(
        pages, lay_terms=load_lay_terms(lay_terms or policy_path("lay_terms.yaml"))
    )
