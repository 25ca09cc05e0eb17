"""The KB vocabulary mined from the pages in the store, one page body in memory at a time.

Mining needs every live page (it sorts them and links terms across pages); the pages are
:class:`~cancerinfo.store.pages.StoredPage` objects, each reading its body from the store
when asked, so the pages of a 100k-page KB cost a few MiB instead of several GiB.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import cast

from cancerinfo.index.vocabulary import Vocabulary, load_lay_terms
from cancerinfo.kb.document import Document
from cancerinfo.policies import policy_path
from cancerinfo.store.pages import stored_pages


def mine_vocabulary(connection: sqlite3.Connection, lay_terms: Path | None = None) -> Vocabulary:
    """The vocabulary of every live page, mined from the store as it is now."""
    # A StoredPage offers every attribute of a Document (read-only), loaded when asked.
    pages = cast("list[Document]", stored_pages(connection))
    return Vocabulary.from_documents(
        pages, lay_terms=load_lay_terms(lay_terms or policy_path("lay_terms.yaml"))
    )
