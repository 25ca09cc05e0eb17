"""Reading a message: folded words with their stems, sentence by sentence, typos mended.

A lexicon entry is written once, in plain words ("can't breathe"); the message and the entry
are both read here the same way, so one entry covers its word forms (breathe, breathing,
breath), its spellings (cant, cannot, can not) and small typos (brething):

1. **fold**: lower case, one apostrophe, accents dropped from Latin letters ("mamá" → "mama");
2. **rewrite**: the language's rewrites from its lexicon file ("cant" → "can't",
   "rn" → "right now"), whole words only;
3. **sentences** at ``. ! ? ;`` and line ends (not inside a number such as ``38.6``);
4. **words**, each with its Snowball stem (the language's stemmer: "ending" → "end");
5. **typos**: a word that is neither a known word nor a lexicon word, at one edit (or two,
   for words of 8 letters or more) from exactly one lexicon word, is read as that word.
   Known words (a common-word list) are never changed: "never" stays "never", not "fever".

Languages without spaces between words (Chinese, Japanese) are matched as text
(:attr:`Reader.spaced` is False); their lexicon entries are substrings.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import snowballstemmer  # type: ignore[import-untyped]

__all__ = ["Reader", "Word", "common_words", "emoji_words", "fold", "split_sentences"]

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'"})
# Latin letters that carry no separable accent
_LATIN_LETTERS = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i"})
# a sentence ends at . ! ? ; … or a line end, but not at the point of "38.6" or "1.800"
_SENTENCE_END = re.compile(r"(?<!\d)\.|\.(?!\d)|[!?;…\n\r。！？]+")
_WORD = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+(?:'[^\W\d_]+)*")
_LATIN = re.compile(r"[A-Za-z]")


def fold(text: str, *, keep_accents: bool = False) -> str:
    """Lower case, one kind of apostrophe, no accents on Latin letters (unless
    ``keep_accents``: Vietnamese tones tell words apart), spaces squeezed."""
    if keep_accents:
        return " ".join(unicodedata.normalize("NFC", text.translate(_APOSTROPHES).lower()).split())
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).lower().translate(_LATIN_LETTERS))
    out: list[str] = []
    previous = ""
    for char in text:
        if unicodedata.category(char) == "Mn" and _LATIN.match(previous):
            continue  # the accent of a Latin letter: "á" → "a"
        out.append(char)
        if unicodedata.category(char) != "Mn":
            previous = char
    return " ".join(unicodedata.normalize("NFC", "".join(out)).split())


#: an emoji: a pictograph (U+1F000-U+1FAFF) or a symbol of U+2600-U+26FF ("⚰", "☠"); a run
#: of one emoji ("💊💊💊") is read once
_EMOJI_RUN = re.compile("([\U0001F000-\U0001FAFF\u2600-\u26FF])\\1*")
#: what only shapes an emoji: variation selector, joiner, skin tones, flag letters
_EMOJI_PARTS = re.compile("[\uFE0F\u200D\U0001F3FB-\U0001F3FF\U0001F1E6-\U0001F1FF]")


def emoji_words(text: str) -> str:
    """``text`` with each emoji read as its Unicode name in lower case ("done. 🔫" → "done.
    pistol", "💊💊💊 ⚰️" → "pill coffin"): people say with them what they do not write. A
    text without emoji is returned as it is."""
    if not _EMOJI_RUN.search(text):
        return text
    text = _EMOJI_PARTS.sub("", text)
    named = _EMOJI_RUN.sub(lambda m: f" {unicodedata.name(m.group(1), '').lower()} ", text)
    return re.sub(" {2,}", " ", named).strip()


def split_sentences(text: str) -> list[str]:
    """``text`` cut into sentences (empty ones dropped)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def holds_words(text: str, words: Sequence[str]) -> bool:
    """Does ``text`` hold one of ``words`` as whole words (folded, cut into words as the lexicons cut them)?"""
    plain = f" {' '.join(_WORD.findall(fold(text)))} "
    return any(f" {w} " in plain for w in (" ".join(_WORD.findall(fold(x))) for x in words) if w)


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a message as the lexicon sees it."""

    text: str  # folded, rewritten, typo mended
    stem: str
    sentence: int
    typed: str  # as folded before a typo was mended (for --explain)
    filler: bool = False  # "really", "kinda": a term may step over it ("can't really breathe")


class Reader:
    """Reads messages for one language's lexicon."""

    def __init__(
        self,
        language: str,
        *,
        stemmer: str | None,
        rewrites: Mapping[str, str],
        lexicon_words: Iterable[str],
        known_words: frozenset[str] = frozenset(),
        spaced: bool = True,
        keep_accents: bool = False,
        fillers: frozenset[str] = frozenset(),
        min_mend_length: int = 4,
    ) -> None:
        self.language = language
        self.spaced = spaced
        self.keep_accents = keep_accents
        self.fillers = fillers
        self.min_mend_length = min_mend_length
        self._stemmer = snowballstemmer.stemmer(stemmer) if stemmer else None
        # one pattern for all rewrites: longest first, whole words
        sources = sorted(rewrites, key=len, reverse=True)
        self._rewrites = {fold(k): v for k, v in rewrites.items()}
        self._rewrite = (
            re.compile(r"(?<![\w'])(" + "|".join(re.escape(fold(s)) for s in sources) + r")(?![\w'])")
            if sources
            else None
        )
        words = {w for w in lexicon_words if w.isalpha() and len(w) >= 4}
        self.lexicon_words = frozenset(words)
        self.known_words = known_words
        self._deletions: dict[str, set[str]] = {}
        for word in words:
            for variant in _deletions(word):
                self._deletions.setdefault(variant, set()).add(word)

    # -- one word ------------------------------------------------------------------------
    @functools.lru_cache(maxsize=65_536)  # noqa: B019 - a reader lives as long as its policy
    def stem(self, word: str) -> str:
        """The stem of a folded word (the word itself for numbers and unstemmed languages)."""
        if self._stemmer is None or not word.isalpha():
            return word
        return str(self._stemmer.stemWord(word))

    @functools.lru_cache(maxsize=65_536)  # noqa: B019
    def mend(self, word: str) -> str:
        """The lexicon word ``word`` is a typo of, or ``word`` itself."""
        if (
            len(word) < self.min_mend_length
            or not word.isalpha()
            or word in self.lexicon_words
            or word in self.known_words
        ):
            return word
        limit = 2 if len(word) >= 8 else 1
        candidates = set()
        for variant in _deletions(word):
            candidates |= self._deletions.get(variant, set())
        # a typo seldom changes the first letter ("blurry" is not "slurry")
        candidates = {c for c in candidates if c[0] == word[0]}
        best = sorted(
            (distance, candidate)
            for candidate in candidates
            if (distance := _edit_distance(word, candidate)) <= limit
        )
        if not best:
            return word
        nearest = [candidate for distance, candidate in best if distance == best[0][0]]
        if len(nearest) > 1:  # a tie: letters swapped is the likelier typo ("wnat": want, not what)
            nearest = [c for c in nearest if sorted(c) == sorted(word)]
        return nearest[0] if len(nearest) == 1 else word

    # -- a message ------------------------------------------------------------------------
    def prepare(self, message: str) -> str:
        """The folded, rewritten message."""
        text = fold(message, keep_accents=self.keep_accents)
        if self._rewrite is not None:
            text = self._rewrite.sub(lambda m: self._rewrites[m.group(1)], text)
        return text

    def words(self, text: str) -> list[Word]:
        """The words of a prepared message, sentence by sentence."""
        words: list[Word] = []
        for number, sentence in enumerate(split_sentences(text)):
            for token in _WORD.findall(sentence):
                mended = self.mend(token)
                words.append(Word(mended, self.stem(mended), number, token, mended in self.fillers))
        return words


def _deletions(word: str) -> set[str]:
    """``word`` and every text one letter shorter."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap neighbours)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


@functools.cache
def common_words() -> frozenset[str]:
    """Common English words: the whole words of the sentence encoder's vocabulary (about
    22,500, from the tokenizer file the pinned tokenizer package ships). A word in it is
    never taken for a typo."""
    import json

    from cancerinfo.index.dense import (
        TOKENIZER_MODULE,
        TOKENIZER_PACKAGE,
        TOKENIZER_PACKAGE_VERSION,
        _read_resource,
    )

    data = json.loads(_read_resource(TOKENIZER_MODULE, "model/tokenizer.json", TOKENIZER_PACKAGE, TOKENIZER_PACKAGE_VERSION))
    return frozenset(word for word in data["model"]["vocab"] if word.isalpha() and not word.startswith("##"))
