"""Lexical retrieval: SQLite FTS5 over chunks (title and headings weighted), BM25 scores.

The query is built apart from running it (:func:`match_expression`) and every user word is
quoted before ``MATCH``: patients type ``"``, ``-``, ``not``, ``or``, ``*`` and those must
never become FTS5 operators.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Column weights for ``bm25()``: title, section heading path, chunk text.
DEFAULT_COLUMN_WEIGHTS: tuple[float, float, float] = (3.0, 2.0, 1.0)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)

# Function words that carry no topic. Question words are kept out of the query too: the
# intent step reads them, the index should not rank pages by "what" or "how".
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could did do does doing don't down during
    each few for from further had has have having he her here hers herself him himself his how
    i if in into is isn't it it's its itself just let's me more most my myself no nor not now of
    off on once only or other ought our ours ourselves out over own same she should so some
    such than that that's the their theirs them themselves then there there's these they this
    those through to too under until up very was we were what what's when where which while who
    whom why will with would you your yours yourself yourselves also get got im ive id dont
    doesnt isnt whats hows thats theres please thanks thank hi hello tell know want need like
    mean means called call used use using one ones someone something anything way ways much many
    really may might must shall us yes ok okay
    """.split()
)


@dataclass(frozen=True, slots=True)
class LexicalHit:
    rowid: int
    score: float  # higher is better (negated bm25)


def query_words(text: str) -> list[str]:
    """The topic words of a question, lower-cased, in order, without stop words."""
    words = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0).replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if not word or word in STOP_WORDS or (word.isdigit() and len(word) < 2):
            continue
        words.append(word)
    return words


def quote(term: str) -> str:
    """One FTS5 string literal: the term in double quotes, inner quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def match_expression(words: Sequence[str], *, phrases: Iterable[str] = ()) -> str | None:
    """An FTS5 MATCH expression: any of the words, or any of the phrases; ``None`` if empty."""
    terms: list[str] = []
    seen: set[str] = set()
    for word in words:
        cleaned = " ".join(_WORD.findall(word.lower()))
        if cleaned and cleaned not in seen:
            seen.add(cleaned)
            terms.append(quote(cleaned))
    for phrase in phrases:
        cleaned = " ".join(_WORD.findall(phrase.lower()))
        if cleaned and cleaned not in seen:
            seen.add(cleaned)
            terms.append(quote(cleaned))
    return " OR ".join(terms) if terms else None


def search_fts(
    connection: sqlite3.Connection,
    expression: str,
    *,
    limit: int,
    weights: tuple[float, float, float] = DEFAULT_COLUMN_WEIGHTS,
) -> list[LexicalHit]:
    """Best ``limit`` chunk rowids for an expression from :func:`match_expression`."""
    rows = connection.execute(
        "SELECT rowid, bm25(chunks_fts, ?, ?, ?) AS rank FROM chunks_fts WHERE chunks_fts MATCH ?"
        " ORDER BY rank, rowid LIMIT ?",
        (*weights, expression, limit),
    ).fetchall()
    return [LexicalHit(int(row[0]), -float(row[1])) for row in rows]


class TermFrequencies:
    """How many chunks contain a word (FTS5 count), cached: common words are asked often."""

    MAX_CACHED = 200_000

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.total = int(connection.execute("SELECT count(*) FROM chunks").fetchone()[0])
        self._cache: dict[str, int] = {}

    def count(self, word: str) -> int:
        cached = self._cache.get(word)
        if cached is None:
            if len(self._cache) >= self.MAX_CACHED:
                self._cache.clear()
            cached = int(
                self.connection.execute(
                    "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (quote(word),)
                ).fetchone()[0]
            )
            self._cache[word] = cached
        return cached

    def informative(self, words: Sequence[str], *, max_share: float, keep_at_least: int = 2) -> list[str]:
        """The words in at most ``max_share`` of the chunks; if none, the rarest few.

        A word in most chunks ("cancer" in a cancer KB) barely moves BM25 but makes FTS5
        score almost every row: dropping it keeps lexical search fast.
        """
        unique = list(dict.fromkeys(words))
        counts = {word: self.count(word) for word in unique}
        limit = max_share * max(self.total, 1)
        kept = [word for word in unique if 0 < counts[word] <= limit]
        if kept:
            return kept
        present = sorted((word for word in unique if counts[word] > 0), key=lambda w: (counts[w], w))
        return present[:keep_at_least]
