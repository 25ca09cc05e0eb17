"""A BM25-only baseline, run in the same process beside the hybrid search.

Plain BM25 over the postings the store already holds (title ×3, headings ×2, text ×1,
plural folding: :mod:`cancerinfo.index.postings`) on the question's words: no dense vectors,
no vocabulary, intents, topics or priors. It ranks chunks; a page's first chunk in that
order stands for it. Deprecated and removed pages are left out, as the product does.
"""

from __future__ import annotations

from pathlib import Path

from cancerinfo.errors import StoreMismatch
from cancerinfo.index.lexical import query_words
from cancerinfo.index.postings import load_postings, terms
from cancerinfo.store.database import Store


class BM25Baseline:
    """BM25 on the store's postings, opened read-only; :meth:`search` ranks chunks."""

    def __init__(self, db: Path) -> None:
        self.store = Store.open(db, readonly=True)
        postings = load_postings(self.store.connection)
        if postings is None:
            raise StoreMismatch(f"{db} has no BM25 postings; run 'cancerinfo ingest' again")
        self.postings = postings
        self.chunks = {
            row["rowid"]: (row["url"], row["section"], row["chunk_id"])
            for row in self.store.query(
                "SELECT c.rowid, c.chunk_id, c.section, d.url FROM chunks c JOIN documents d"
                " ON d.id = c.document_id WHERE d.removed_at IS NULL AND d.status = 'active'"
            )
        }

    def search(self, question: str, *, k: int = 10) -> list[tuple[str, str, str]]:
        """The best ``k`` chunks: (url, section, chunk_id), best first."""
        words = [t for w in query_words(question) for t in terms(w)]
        found = self.postings.search(words, limit=k * 5)
        hits = [self.chunks[rowid] for rowid, _ in found if rowid in self.chunks]
        return hits[:k]

    def close(self) -> None:
        """Close the store."""
        self.store.close()
