"""Reading the KB for an answer: a page's body, its chunks and its words, and the headings of
every page, through one reader.

:class:`KBReader` is the interface the evidence finder and the composer read through; it keeps
the pages read last (body, chunks and words together) in one bounded LRU cache.
:class:`SQLiteKB` reads them from the store; :class:`MemoryKB` from plain records.

A page is named by ``document``: its position in the searcher's list of live pages
(:attr:`KBReader.documents`), as everywhere in :mod:`cancerinfo.answer`; only the store
reader turns it into the store's page id.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from cancerinfo.index.postings import terms
from cancerinfo.index.records import DocumentInfo
from cancerinfo.store.database import Store

#: Pages whose body, chunks and words are kept (the most recently used; about 40 kB each on nci-kb).
MAX_CACHED_PAGES = 2_048


@dataclass(frozen=True, slots=True)
class ChunkRow:
    """A chunk as the composer reads it: its page's position, its ordinal, heading path and text."""

    rowid: int
    chunk_id: str
    document: int  # position in the searcher's document list
    ordinal: int
    section: str
    text: str


class SectionRow(NamedTuple):
    """One distinct heading path of a page's chunks, and whether a chunk under it opens the
    page (ordinal 0): what the warm-up and the parts each page has are worked out from."""

    document: int
    section: str
    opening: bool


@dataclass(slots=True)
class _Page:
    """What was read of one page (``None``: not read yet)."""

    body: str | None = None
    chunks: tuple[ChunkRow, ...] | None = None
    terms: frozenset[str] | None = None


class KBReader(ABC):
    """The KB as an answer reads it, page by page (``document``: a position in
    :attr:`documents`). The pages read last are kept, at most ``pages_kept`` of them: a page
    read again after it was dropped is read from the source again (counted in :attr:`reads`)."""

    def __init__(
        self, documents: list[DocumentInfo], *, pages_kept: int = MAX_CACHED_PAGES
    ) -> None:
        if pages_kept < 1:
            raise ValueError(f"pages_kept must be at least 1, not {pages_kept}")
        self.documents = documents
        self.pages_kept = pages_kept
        #: bodies and chunk lists read from the source, not the cache
        self.reads = 0
        self._pages: OrderedDict[int, _Page] = OrderedDict()

    def body(self, document: int) -> str:
        """The Markdown body of the page (``''`` if it is gone)."""
        page = self._page(document)
        if page.body is None:
            self.reads += 1
            page.body = self._read_body(document)
        return page.body

    def chunks(self, document: int) -> tuple[ChunkRow, ...]:
        """The page's chunks in page order (none if it is gone)."""
        page = self._page(document)
        if page.chunks is None:
            self.reads += 1
            page.chunks = self._read_chunks(document)
        return page.chunks

    def page_terms(self, document: int) -> frozenset[str]:
        """The words (stemmed as the search stems them) of the page's title and body."""
        page = self._page(document)
        if page.terms is None:
            page.terms = frozenset(terms(f"{self.documents[document].title} {self.body(document)}"))
        return page.terms

    @property
    def kept(self) -> int:
        """How many pages are kept now (never more than :attr:`pages_kept`)."""
        return len(self._pages)

    @abstractmethod
    def sections(self) -> list[SectionRow]:
        """Every distinct (page, heading path, opening) of the live pages' chunks, read from
        the source each time (the warm-up reads it; it is not kept)."""

    @abstractmethod
    def _read_body(self, document: int) -> str:
        """The page's body from the source."""

    @abstractmethod
    def _read_chunks(self, document: int) -> tuple[ChunkRow, ...]:
        """The page's chunks from the source, in ordinal order."""

    def _page(self, document: int) -> _Page:
        """The page's entry, now the most recently used; the least recently used entry is
        dropped when there are more than :attr:`pages_kept`."""
        page = self._pages.get(document)
        if page is not None:
            self._pages.move_to_end(document)
            return page
        page = self._pages[document] = _Page()
        if len(self._pages) > self.pages_kept:
            self._pages.popitem(last=False)
        return page


class SQLiteKB(KBReader):
    """The KB in the store (its ``documents`` and ``chunks`` tables), read through the store's
    connection: the searcher's, so that answers read the snapshot the search read."""

    def __init__(
        self, store: Store, documents: list[DocumentInfo], *, pages_kept: int = MAX_CACHED_PAGES
    ) -> None:
        super().__init__(documents, pages_kept=pages_kept)
        self.store = store
        self._position = {info.id: position for position, info in enumerate(documents)}

    def sections(self) -> list[SectionRow]:
        """Every distinct (page, heading path, opening) of the live pages' chunks (module doc)."""
        rows = self.store.query("SELECT DISTINCT document_id, section, ordinal = 0 FROM chunks")
        return [
            SectionRow(self._position[page_id], section, bool(opening))
            for page_id, section, opening in rows
            if page_id in self._position
        ]

    def _read_body(self, document: int) -> str:
        rows = self.store.query(
            "SELECT body FROM documents WHERE id = ?", (self.documents[document].id,)
        )
        return str(rows[0]["body"]) if rows else ""

    def _read_chunks(self, document: int) -> tuple[ChunkRow, ...]:
        rows = self.store.query(
            "SELECT rowid, chunk_id, ordinal, section, text FROM chunks WHERE document_id = ? ORDER BY ordinal",
            (self.documents[document].id,),
        )
        return tuple(
            ChunkRow(r["rowid"], r["chunk_id"], document, r["ordinal"], r["section"], r["text"])
            for r in rows
        )


class MemoryKB(KBReader):
    """A KB held in memory: ``documents``, the bodies of pages by position (a page without
    one reads as ``''``) and chunks whose ``document`` is a position in ``documents``."""

    def __init__(
        self,
        documents: list[DocumentInfo],
        bodies: Mapping[int, str],
        chunks: Iterable[ChunkRow],
        *,
        pages_kept: int = MAX_CACHED_PAGES,
    ) -> None:
        super().__init__(documents, pages_kept=pages_kept)
        self._bodies = dict(bodies)
        by_page: dict[int, list[ChunkRow]] = {}
        for chunk in chunks:
            if not 0 <= chunk.document < len(documents):
                raise ValueError(
                    f"chunk {chunk.chunk_id!r} is on page {chunk.document}, not one of the {len(documents)} pages"
                )
            by_page.setdefault(chunk.document, []).append(chunk)
        self._chunks = {
            page: tuple(sorted(rows, key=lambda c: c.ordinal)) for page, rows in by_page.items()
        }

    def sections(self) -> list[SectionRow]:
        """Every distinct (page, heading path, opening) of the chunks, in page then chunk order."""
        return list(
            dict.fromkeys(
                SectionRow(page, chunk.section, chunk.ordinal == 0)
                for page in sorted(self._chunks)
                for chunk in self._chunks[page]
            )
        )

    def _read_body(self, document: int) -> str:
        return self._bodies.get(document, "")

    def _read_chunks(self, document: int) -> tuple[ChunkRow, ...]:
        return self._chunks.get(document, ())
