"""The KB vocabulary: find the KB's named things in a question and expand the question.

``Vocabulary.from_documents(documents)`` mines the terms from the pages themselves
(:mod:`cancerinfo.index.vocabulary_mining`) and adds the reviewed lay terms of
``policies/lay_terms.yaml`` (:func:`load_lay_terms`, in
:mod:`cancerinfo.index.vocabulary_lay_terms`).

Matching (:meth:`Vocabulary.match`):

* The question is cut into normalised tokens (casefolded, accents and punctuation
  folded, possessive ``'s`` dropped), so ``Tafinlar?`` and ``Tafinlar's`` find
  ``tafinlar``. Every word n-gram (up to 12 words) that is a vocabulary term is a
  candidate; the longest candidates win and matches never overlap.
* **Capitals rule.** An acronym that is also an ordinary word must be written in
  capitals to match: "ALL" finds acute lymphoblastic leukemia, "all" finds nothing. A
  term needs capitals when it is an English stop word (``as``, ``it``), or when the KB
  writes it as an acronym and it is shorter than 3 letters (``CT``) or the KB itself
  uses it as a lower-case word (``ice`` vs the ICE regimen). Other acronyms of 3 or more
  letters match in any case (``abvd``).
* **Typos.** A question word of at least :data:`MIN_TYPO_LENGTH` letters that is not a
  vocabulary word is replaced by a word of a drug, brand or regimen name one edit away
  (insert, delete, substitute, or swap two neighbours; same first letter; the most used
  such word), found through an index of single-letter deletions. Matches through a
  corrected word have ``fuzzy=True`` and lose against exact ones.
* Matches are ranked: pages' own names (drug, brand, regimen) first, then titles,
  regimen components, lay terms, abbreviations, aliases and glossary words; within a
  kind, longer, exact, earlier and more frequent first.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cancerinfo.index.topics import NEGATION
from cancerinfo.index.vocabulary_lay_terms import LAY_TERMS_KEYS as LAY_TERMS_KEYS
from cancerinfo.index.vocabulary_lay_terms import _lay_entries, load_lay_terms, parse_lay_terms
from cancerinfo.index.vocabulary_mining import (
    KIND_PRIORITY,
    MAX_TERM_TOKENS,
    Kind,
    VocabularyEntry,
    mine_entries,
    normalise_term,
    token_spans,
)
from cancerinfo.kb.document import Document

__all__ = [
    "ROW_COLUMNS",
    "SCHEMA_VERSION",
    "EntityMatch",
    "Kind",
    "Vocabulary",
    "VocabularyEntry",
    "load_lay_terms",
    "normalise_term",
    "parse_lay_terms",
]

SCHEMA_VERSION = 1
ROW_COLUMNS = ("term", "canonical", "kind", "urls", "needs_capitals", "count")
MIN_TYPO_LENGTH = 6
MAX_LONG_FORMS = 3
EXPANDING_KINDS = frozenset(
    {Kind.BRAND, Kind.REGIMEN_COMPONENT, Kind.ABBREVIATION, Kind.LAY, Kind.ALIAS}
)
#: Typos are forgiven only towards the words of these names: they are not English words,
#: so "serious" is never "corrected" to the glossary word "serous".
TYPO_KINDS = frozenset({Kind.DRUG, Kind.BRAND, Kind.REGIMEN, Kind.REGIMEN_COMPONENT})

Row = tuple[str, str, str, str, int, int]


@dataclass(frozen=True, slots=True)
class EntityMatch:
    """A vocabulary term found in a question; ``start``/``end`` index the question."""

    text: str
    start: int
    end: int
    term: str
    canonical: str
    kind: Kind
    urls: tuple[str, ...]
    fuzzy: bool = False

    @property
    def url(self) -> str | None:
        """The first page the term points to."""
        return self.urls[0] if self.urls else None


@dataclass(frozen=True, slots=True)
class _Candidate:
    first: int
    last: int  # exclusive token index
    term: str
    fuzzy: bool
    entries: tuple[VocabularyEntry, ...]


def _longest_first(candidates: list[_Candidate]) -> Iterator[_Candidate]:
    """The candidates that do not overlap a longer (or, as long, an earlier) one."""
    candidates.sort(key=lambda c: (c.first - c.last, c.fuzzy, c.first, c.term))
    taken: set[int] = set()
    for found in candidates:
        positions = set(range(found.first, found.last))
        if positions & taken:
            continue
        taken |= positions
        yield found


class Vocabulary:
    """An immutable set of :class:`VocabularyEntry` with matching and expansion."""

    def __init__(self, entries: Iterable[VocabularyEntry]) -> None:
        self._entries = tuple(
            sorted(entries, key=lambda e: (e.term, KIND_PRIORITY[e.kind], e.canonical, e.urls))
        )
        self._by_term: dict[str, list[VocabularyEntry]] = defaultdict(list)
        words: dict[str, int] = defaultdict(int)
        for entry in self._entries:
            self._by_term[entry.term].append(entry)
            for word in entry.term.split():
                words[word] += 1
        self._words = dict(words)
        self._names = {
            word for e in self._entries if e.kind in TYPO_KINDS for word in e.term.split()
        }
        # first word → the most words a term starting with it has (spans longer are not tried)
        self._first_words: dict[str, int] = {}
        for term in self._by_term:
            words = term.split(" ")
            self._first_words[words[0]] = max(self._first_words.get(words[0], 0), len(words))
        self._deletions: dict[str, list[str]] | None = None

    @classmethod
    def from_documents(
        cls, documents: Iterable[Document], *, lay_terms: Mapping[str, str] | None = None
    ) -> Vocabulary:
        """Mine the vocabulary of these pages; the same pages always give the same rows."""
        entries = mine_entries(documents)
        if lay_terms:
            entries += _lay_entries(entries, lay_terms)
        return cls(entries)

    @property
    def entries(self) -> tuple[VocabularyEntry, ...]:
        """Every entry, in the order mined."""
        return self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def counts_by_kind(self) -> dict[str, int]:
        """How many entries of each kind (every kind listed, zero included)."""
        counts: dict[str, int] = {kind.value: 0 for kind in Kind}
        for entry in self._entries:
            counts[entry.kind.value] += 1
        return counts

    def lookup(self, term: str) -> list[VocabularyEntry]:
        """The entries of one term (normalised first), best kind first."""
        return list(self._by_term.get(normalise_term(term), ()))

    def match(self, question: str, *, typos: bool = True) -> list[EntityMatch]:
        """The vocabulary terms named in ``question``, best first (see module docstring)."""
        spans = token_spans(question)
        tokens = [token for token, _, _ in spans]
        candidates = self._candidates(question, spans, tokens, set())
        if typos:
            corrected = [self._correct(token) for token in tokens]
            changed = {i for i, token in enumerate(tokens) if corrected[i] != token}
            if changed:
                candidates += self._candidates(question, spans, corrected, changed)
        ranked = []
        for found in _longest_first(candidates):
            start, end = spans[found.first][1], spans[found.last - 1][2]
            for e in found.entries:
                rank = (KIND_PRIORITY[e.kind], found.first - found.last, found.fuzzy, start)
                tie = (-e.count, e.canonical.casefold(), e.urls)
                text = question[start:end]
                match = EntityMatch(
                    text, start, end, e.term, e.canonical, e.kind, e.urls, found.fuzzy
                )
                ranked.append((rank + tie, match))
        ranked.sort(key=lambda pair: pair[0])
        return [match for _, match in ranked]

    def canonicals(self, text: str) -> set[str]:
        """The canonical names of the entries :meth:`match` finds in ``text`` without typos,
        unranked (what a set of them needs, at a fraction of the cost)."""
        spans = token_spans(text)
        candidates = self._candidates(text, spans, [token for token, _, _ in spans], set())
        return {entry.canonical for found in _longest_first(candidates) for entry in found.entries}

    def expand(self, question: str, matches: Sequence[EntityMatch] | None = None) -> list[str]:
        """Extra query terms: brand → generic, abbreviation → long form, lay → KB term,
        alias → the term it stands for, and a corrected typo → the right spelling.
        ``matches`` is :meth:`match` of the same question, when the caller has it."""
        present = {token for token, _, _ in token_spans(question)}
        seen: set[str] = set()
        long_forms: dict[tuple[int, int], int] = defaultdict(int)
        extra = []
        for found in self.match(question) if matches is None else matches:
            if found.kind not in EXPANDING_KINDS and not found.fuzzy:
                continue
            key = normalise_term(found.canonical)
            if key == found.term and not found.fuzzy:
                continue
            if key in seen or set(key.split()) <= present:
                continue
            if found.kind is Kind.ABBREVIATION:
                long_forms[(found.start, found.end)] += 1
                if long_forms[(found.start, found.end)] > MAX_LONG_FORMS:
                    continue
            seen.add(key)
            extra.append(found.canonical)
        return extra

    def to_rows(self) -> list[Row]:
        """One tuple per entry in :data:`ROW_COLUMNS` order; ``urls`` is a JSON list."""
        return [
            (
                e.term,
                e.canonical,
                e.kind.value,
                json.dumps(list(e.urls)),
                int(e.needs_capitals),
                e.count,
            )
            for e in self._entries
        ]

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[Any]]) -> Vocabulary:
        """Rebuild from :meth:`to_rows`; a malformed row raises ``ValueError`` naming it."""
        return cls(_entry_from_row(number, row) for number, row in enumerate(rows, start=1))

    # --- internals ----------------------------------------------------------------------

    def _candidates(
        self, question: str, spans: list[tuple[str, int, int]], tokens: list[str], changed: set[int]
    ) -> list[_Candidate]:
        found = []
        for first, token in enumerate(tokens):
            longest = self._first_words.get(token)
            if longest is None or (first and tokens[first - 1] == NEGATION):
                continue  # "non-Hodgkin lymphoma" does not name Hodgkin lymphoma
            for last in range(min(len(tokens), first + MAX_TERM_TOKENS, first + longest), first, -1):
                fuzzy = any(first <= i < last for i in changed)
                if changed and not fuzzy:
                    continue
                term = " ".join(tokens[first:last])
                entries = self._by_term.get(term)
                if not entries:
                    continue
                written = question[spans[first][1] : spans[last - 1][2]]
                capitals = not any(ch.islower() for ch in written)
                allowed = tuple(e for e in entries if capitals or not e.needs_capitals)
                if fuzzy:
                    allowed = tuple(e for e in allowed if e.kind is not Kind.ABBREVIATION)
                if allowed:
                    found.append(_Candidate(first, last, term, fuzzy, allowed))
        return found

    def _correct(self, token: str) -> str:
        if len(token) < MIN_TYPO_LENGTH or not token.isalpha() or token in self._words:
            return token
        index = self._deletion_index()
        options = set(index.get(token, ()))
        for deleted in _deletions(token):
            options.update(index.get(deleted, ()))
        near = [word for word in options if word[0] == token[0] and _one_edit(token, word)]
        if not near:
            return token
        return min(near, key=lambda word: (-self._words[word], word))

    def _deletion_index(self) -> dict[str, list[str]]:
        if self._deletions is None:
            index: dict[str, list[str]] = defaultdict(list)
            for word in sorted(self._names):
                if len(word) >= MIN_TYPO_LENGTH - 1 and word.isalpha():
                    index[word].append(word)
                    for deleted in _deletions(word):
                        index[deleted].append(word)
            self._deletions = dict(index)
        return self._deletions


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insert, delete, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _entry_from_row(number: int, row: Sequence[Any]) -> VocabularyEntry:
    if len(row) != len(ROW_COLUMNS):
        raise ValueError(
            f"vocabulary row {number}: expected {len(ROW_COLUMNS)} columns {ROW_COLUMNS}, "
            f"got {len(row)}"
        )
    term, canonical, kind, urls, needs_capitals, count = row
    if not isinstance(term, str) or not term or normalise_term(term) != term:
        raise ValueError(f"vocabulary row {number}: term must be normalised text, got {term!r}")
    if not isinstance(canonical, str) or not canonical:
        raise ValueError(f"vocabulary row {number}: canonical must be text, got {canonical!r}")
    if kind not in {k.value for k in Kind}:
        raise ValueError(f"vocabulary row {number}: kind {kind!r} is not one of {', '.join(Kind)}")
    try:
        url_list = json.loads(urls) if isinstance(urls, str) else None
    except json.JSONDecodeError:
        url_list = None
    if not isinstance(url_list, list) or not all(isinstance(url, str) for url in url_list):
        raise ValueError(f"vocabulary row {number}: urls must be a JSON list of text, got {urls!r}")
    if needs_capitals not in (0, 1) or not isinstance(count, int) or count < 1:
        raise ValueError(
            f"vocabulary row {number}: needs_capitals must be 0/1 and count a positive number"
        )
    return VocabularyEntry(
        term, canonical, Kind(kind), tuple(url_list), bool(needs_capitals), count
    )
