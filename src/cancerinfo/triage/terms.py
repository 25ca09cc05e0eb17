"""Lexicon terms: plain words with a few marks, matched against a message's words.

A term is written in plain words and read like the message (folded, rewritten, stemmed:
:mod:`.text`), so "can't breathe" also finds "cant breath", "cannot breathe" and
"can't breathing". The marks:

==========  ===========================================  ==========================
``(a|b c)``  one of the alternatives (each some words)   ``(short|out) of breath``
``(a|b)?``   the alternatives, or nothing                 ``(really )?can't breathe``
``...``      up to three other words                     ``cough ... blood``
``_``        any one word (``_?``: one word or none)     ``_ days ago``
``word*``    any word starting so (no stemming)          ``suicid*``
``$``        the end of the sentence                     ``what's the point $``
``=word``    exactly this word (no stemming)             ``=pus`` (not "puso")
``a && b``   both, anywhere in one sentence (any order)  ``twice && (morphine|dose)``
==========  ===========================================  ==========================

``&&`` writes a concept as things said together rather than as one word order ("gave mum
double her morphine by mistake", "by mistake I gave her two"): the term is found where its
first part is, when every other part is somewhere in the same sentence.

Matching is word by word within one sentence; a term is looked up only where its first
word could start (an index of first stems), so hundreds of terms cost one dictionary
lookup a word. For unspaced languages (:attr:`Reader.spaced` false) a term is a plain
substring of the folded text, alternatives allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from cancerinfo.triage.text import Reader, Word, fold

__all__ = ["Match", "Term", "TermError", "TermSet"]

GAP_WORDS = 3
MAX_FILLERS = 2
_PREFIX_MEMORY = 20_000  # words whose prefix terms are remembered


class TermError(ValueError):
    """A term cannot be read (the message says why)."""


# -- the parts of a term ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Literal:
    stems: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Prefix:
    prefix: str


@dataclass(frozen=True, slots=True)
class _Exact:
    word: str


@dataclass(frozen=True, slots=True)
class _Any:
    pass


@dataclass(frozen=True, slots=True)
class _Gap:
    most: int


@dataclass(frozen=True, slots=True)
class _End:
    pass


@dataclass(frozen=True, slots=True)
class _Choice:
    options: tuple[tuple[object, ...], ...]
    optional: bool


_Part = _Literal | _Prefix | _Exact | _Any | _Gap | _End | _Choice
_TOKEN = re.compile(r"\.\.\.|[()|]|\)\?|[^\s()|]+")


def _parse(text: str, stem: Callable[[str], str], rewrite: Callable[[str], str]) -> tuple[_Part, ...]:
    tokens = _TOKEN.findall(fold(text).replace(")?", ") ?"))
    tokens = [t for t in tokens if t]
    position = 0

    def sequence(stop: set[str]) -> tuple[_Part, ...]:
        nonlocal position
        parts: list[_Part] = []
        while position < len(tokens) and tokens[position] not in stop:
            token = tokens[position]
            position += 1
            if token == "(":
                options = [sequence({"|", ")"})]
                while position < len(tokens) and tokens[position] == "|":
                    position += 1
                    options.append(sequence({"|", ")"}))
                if position >= len(tokens) or tokens[position] != ")":
                    raise TermError("a '(' is not closed")
                position += 1
                optional = position < len(tokens) and tokens[position] == "?"
                if optional:
                    position += 1
                if any(not option for option in options):
                    raise TermError("an alternative is empty")
                parts.append(_Choice(tuple(options), optional))
            elif token in (")", "|", "?"):
                raise TermError(f"a stray {token!r}")
            elif token == "...":
                parts.append(_Gap(GAP_WORDS))
            elif token == "_":
                parts.append(_Any())
            elif token == "_?":
                parts.append(_Choice(((_Any(),),), True))
            elif token == "$":
                parts.append(_End())
            elif token.endswith("*") and len(token) > 1:
                parts.append(_Prefix(token[:-1]))
            elif token.startswith("=") and len(token) > 1:
                parts.append(_Exact(token[1:]))
            else:
                words = rewrite(token).split()  # "cant" → "can't"; "rn" → "right now"
                for word in words:
                    parts.append(_Literal(frozenset({stem(word)})))
        return tuple(parts)

    parts = sequence(set())
    if position != len(tokens):
        raise TermError(f"a stray {tokens[position]!r}")
    if not parts or all(isinstance(p, _Gap | _Any | _End) for p in parts):
        raise TermError("has no word to match")
    if isinstance(parts[0], _Gap) or isinstance(parts[-1], _Gap):
        raise TermError("cannot start or end with '...'")
    return parts


def _match(parts: Sequence[object], words: Sequence[Word], at: int, end: int) -> Iterator[int]:
    """Every position where ``parts`` matched from ``at`` can end (words[at:end] only)."""
    if not parts:
        yield at
        return
    part, rest = parts[0], parts[1:]
    if isinstance(part, _Literal | _Prefix | _Exact):
        # filler words ("really", "kinda") may stand before a word of the term, up to two
        for position in range(at, min(at + 1 + MAX_FILLERS, end)):
            if position > at and not words[position - 1].filler:
                break
            word = words[position]
            if isinstance(part, _Literal):
                hit = word.stem in part.stems
            elif isinstance(part, _Exact):
                hit = word.text == part.word
            else:
                hit = word.text.startswith(part.prefix) or word.stem.startswith(part.prefix)
            if hit:
                yield from _match(rest, words, position + 1, end)
                break
    elif isinstance(part, _Any):
        if at < end:
            yield from _match(rest, words, at + 1, end)
    elif isinstance(part, _Gap):
        for skip in range(min(part.most, end - at) + 1):
            yield from _match(rest, words, at + skip, end)
    elif isinstance(part, _End):
        if at == end:
            yield from _match(rest, words, at, end)
    elif isinstance(part, _Choice):
        if part.optional:
            yield from _match(rest, words, at, end)
        for option in part.options:
            for middle in _match(option, words, at, end):
                yield from _match(rest, words, middle, end)


def _first_keys(parts: Sequence[object]) -> tuple[set[str], set[str], bool]:
    """(stems, prefixes, anywhere) a match of ``parts`` can start with; ``anywhere`` when
    it can start with any word."""
    if not parts:
        return set(), set(), True
    part = parts[0]
    if isinstance(part, _Literal):
        return set(part.stems), set(), False
    if isinstance(part, _Prefix):
        return set(), {part.prefix}, False
    if isinstance(part, _Exact):
        return set(), {part.word}, False
    if isinstance(part, _Any | _Gap | _End):
        return set(), set(), True
    assert isinstance(part, _Choice)
    stems: set[str] = set()
    prefixes: set[str] = set()
    anywhere = False
    for option in part.options:
        s, p, a = _first_keys(option)
        stems |= s
        prefixes |= p
        anywhere |= a
    if part.optional:
        s, p, a = _first_keys(parts[1:])
        stems |= s
        prefixes |= p
        anywhere |= a
    return stems, prefixes, anywhere


def _needs(parts: Sequence[object]) -> tuple[frozenset[str], ...]:
    """Stems a match of ``parts`` cannot do without: for each word of the term, and each
    choice whose every option names a word, the stems one of which the message must hold.
    A message lacking one is not tried (most candidates fail here, before any matching)."""
    needs: list[frozenset[str]] = []
    for part in parts:
        if isinstance(part, _Literal):
            needs.append(part.stems)
        elif isinstance(part, _Choice) and not part.optional:
            options = [frozenset().union(*(p.stems for p in option if isinstance(p, _Literal))) for option in part.options]
            if all(options):
                needs.append(frozenset().union(*options))
    return tuple(needs)


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry, read for one language."""

    text: str
    group: str  # the concept or cue list it belongs to
    parts: tuple[object, ...]
    substring: re.Pattern[str] | None = None  # unspaced languages
    #: the other parts of an ``a && b`` term: each must match in the same sentence
    together: tuple[tuple[object, ...], ...] = ()
    together_substrings: tuple[re.Pattern[str], ...] = ()  # the same, unspaced languages (whole message)
    #: stems the message must hold for the term to be tried (:func:`_needs`, all its parts)
    needs: tuple[frozenset[str], ...] = ()

    def words_in(self) -> set[str]:
        """The plain words of the term (for the typo reader)."""
        return set(_plain_words(self.text))


@dataclass(frozen=True, slots=True)
class Match:
    """Where a term was found: ``words[start:end]`` of sentence ``sentence``."""

    term: Term
    sentence: int
    start: int  # word index in the message (unspaced: character offset)
    end: int
    text: str  # the words matched (for --explain; never logged)

    @property
    def group(self) -> str:
        """The group of the term matched."""
        return self.term.group


def _plain_words(text: str) -> Iterator[str]:
    for token in re.split(r"[\s()|?]+", fold(text)):
        if token and token not in ("...", "_", "$", "&&") and not token.endswith("*"):
            token = token.removeprefix("=")
            yield token


@dataclass(slots=True)
class TermSet:
    """Terms of one language, indexed by the stems they can start with."""

    reader: Reader
    terms: list[Term] = field(default_factory=list)
    _by_stem: dict[str, list[Term]] = field(default_factory=dict)
    _by_prefix: list[tuple[str, Term]] = field(default_factory=list)
    _anywhere: list[Term] = field(default_factory=list)
    #: the prefix terms a word (text, stem) starts, as worked out lately (cleared when full)
    _prefix_hits: dict[tuple[str, str], list[Term]] = field(default_factory=dict)

    def add(self, text: str, group: str) -> Term:
        """Read ``text`` as a term of ``group``; :class:`TermError` when it cannot be."""
        if not isinstance(text, str) or not text.strip():
            raise TermError("must be non-empty text")
        if not self.reader.spaced:
            first, *others = (self._substring(piece) for piece in text.split("&&"))
            term = Term(text, group, (), first, together_substrings=tuple(others))
            self.terms.append(term)
            return term
        pieces = [piece.strip() for piece in text.split("&&")]
        if any(not piece for piece in pieces):
            raise TermError("a part around '&&' is empty")
        parts, *together = (_parse(piece, self.reader.stem, lambda w: self.reader.prepare(w)) for piece in pieces)
        needs = tuple(dict.fromkeys(n for piece in (parts, *together) for n in _needs(piece)))
        term = Term(text, group, parts, together=tuple(together), needs=needs)
        stems, prefixes, anywhere = _first_keys(parts)
        if anywhere:
            self._anywhere.append(term)
        for stem in stems:
            self._by_stem.setdefault(stem, []).append(term)
        for prefix in prefixes:
            self._by_prefix.append((prefix, term))
            self._prefix_hits.clear()
        self.terms.append(term)
        return term

    def _substring(self, text: str) -> re.Pattern[str]:
        """One part of a term of an unspaced language: alternatives found as plain text."""
        alternatives = [fold(option, keep_accents=self.reader.keep_accents).strip() for option in text.split("|")]
        if any(not option for option in alternatives):
            raise TermError("an alternative is empty")
        # a phrase whose first word is one Latin letter ("o la chemio", "e maligno?") starts a
        # word: inside another word it is a false hit ("fatto la chemio", "tumore maligno?").
        # Longer first words may be meant to end a word ("di makahinga" in "hindi makahinga",
        # "قد الوعي" in "فقد الوعي", "Schlaftabletten genommen")
        return re.compile("|".join(
            (r"(?<!\w)" if " " in option and len(option.split()[0]) == 1 and option[0].isascii() and option[0].isalpha() else "")
            + re.escape(option)
            for option in alternatives
        ))

    def _prefixed(self, word: Word) -> list[Term]:
        """The terms whose first part is a prefix (``suicid*``) the word starts with."""
        key = (word.text, word.stem)
        hits = self._prefix_hits.get(key)
        if hits is None:
            hits = [t for prefix, t in self._by_prefix if word.text.startswith(prefix) or word.stem.startswith(prefix)]
            if len(self._prefix_hits) >= _PREFIX_MEMORY:
                self._prefix_hits.clear()
            self._prefix_hits[key] = hits
        return hits

    def find(self, text: str, words: Sequence[Word]) -> list[Match]:
        """Every (term, place) found in a prepared message; the longest match per place."""
        if not self.reader.spaced:
            return [
                Match(term, 0, m.start(), m.end(), m.group(0))
                for term in self.terms
                if term.substring is not None
                and all(other.search(text) for other in term.together_substrings)
                for m in term.substring.finditer(text)
            ]
        found: list[Match] = []
        sentence_end = _sentence_ends(words)
        sentence_start = _sentence_starts(words)
        present = {word.stem for word in words}
        for at, word in enumerate(words):
            candidates = list(self._by_stem.get(word.stem, ()))
            candidates += self._prefixed(word)
            candidates += self._anywhere
            seen: set[int] = set()
            for term in candidates:
                if id(term) in seen:
                    continue
                seen.add(id(term))
                if any(present.isdisjoint(need) for need in term.needs):
                    continue
                ends = list(_match(term.parts, words, at, sentence_end[at]))
                ends = [end for end in ends if end > at]
                if ends and term.together and not all(
                    _anywhere_in(parts, words, sentence_start[at], sentence_end[at]) for parts in term.together
                ):
                    continue
                if ends:
                    end = max(ends)
                    found.append(
                        Match(term, word.sentence, at, end, " ".join(w.text for w in words[at:end]))
                    )
        return found


def _anywhere_in(parts: Sequence[object], words: Sequence[Word], start: int, end: int) -> bool:
    """Do ``parts`` match somewhere in ``words[start:end]``?"""
    return any(any(stop > at for stop in _match(parts, words, at, end)) for at in range(start, end))


def _sentence_starts(words: Sequence[Word]) -> list[int]:
    """For each word, the index of the first word of its sentence."""
    starts = [0] * len(words)
    start = 0
    for index in range(len(words)):
        if index and words[index].sentence != words[index - 1].sentence:
            start = index
        starts[index] = start
    return starts


def _sentence_ends(words: Sequence[Word]) -> list[int]:
    """For each word, the index just past the last word of its sentence."""
    ends = [0] * len(words)
    end = len(words)
    for index in range(len(words) - 1, -1, -1):
        if index + 1 < len(words) and words[index + 1].sentence != words[index].sentence:
            end = index + 1
        ends[index] = end
    return ends
