"""The evidence gate: answer only when the KB supports it, else say why (a reason code).

Reason codes (``reason`` of an ``abstained`` response):

``NO_RESULTS``            the search found nothing (or only pages that are not live)
``FILTER_MATCHES_NOTHING`` the filters leave no page (from the searcher)
``NO_QUERY_TERMS``        the question has no words to search for
``LOW_SCORE``             the best section is too far from the question and no KB page is
                          named in it (``gate.min_similarity``)
``ONLY_OUTDATED``         every page of the evidence was last reviewed more than
                          ``gate.outdated_after_days`` ago (an overdue review alone is shown
                          on the source card, not a reason to stay silent)
``UNSUPPORTED``           the question asks about something the evidence never mentions
                          (a specific word of the question, rare or absent in the KB, is in
                          none of the focus pages), or nothing quotable was found
``LOCAL_DETAILS``         the question asks what general information never holds: a
                          doctor's reviews, which brand is better, one place's price, hours
                          or waiting list (``local_details``; before the search)
``OFF_TOPIC`` / ``OUT_OF_SCOPE`` come from triage, before the search.

Thresholds live in ``policies/answer.yaml`` and are calibrated in docs/answers.md.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from cancerinfo.answer.evidence import Evidence
from cancerinfo.answer.kb_reader import ChunkRow
from cancerinfo.answer.plan import AnswerPolicy
from cancerinfo.index.lexical import query_words
from cancerinfo.index.postings import Postings, stem, terms
from cancerinfo.index.records import DocumentInfo, SearchResult

NAMED_KINDS = frozenset({"topic", "drug", "brand", "regimen", "regimen_component"})
MIN_TYPO_LENGTH = 5
#: A word shorter than this is never read as two KB words written as one ("ohip" is not "oh" + "ip").
MIN_COMPOUND_LENGTH = 5
MIN_TYPO_TARGET_CHUNKS = 3
TYPO_SIMILARITY = 0.8
DRUG_KINDS = frozenset({"drug", "brand", "regimen", "regimen_component"})


@dataclass(frozen=True, slots=True)
class GateDecision:
    """A gate's verdict: the reason code to abstain with (``None``: go on) and why."""

    reason: str | None
    detail: str
    missing: tuple[str, ...] = ()


def names_a_page(result: SearchResult) -> bool:
    """The question names a KB page (a drug, brand, regimen or title topic with a page)."""
    return any(entity["kind"] in NAMED_KINDS and entity["urls"] for entity in result.entities)


def check_question(question: str, policy: AnswerPolicy) -> GateDecision:
    """Before the search: ``LOCAL_DETAILS`` when the question asks about one place, person or
    product ("is dr X any good", "which brand", "what time does the pharmacy close")."""
    words = policy.asks_local_details(question)
    if words:
        return GateDecision("LOCAL_DETAILS", f"asks for local details: {words!r}")
    return GateDecision(None, "")


def check_search(result: SearchResult, policy: AnswerPolicy) -> GateDecision:
    """Before composing: is there anything close enough to the question?"""
    if result.reason:
        return GateDecision(result.reason if result.reason != "NO_RESULTS" else "NO_RESULTS", result.detail or "")
    if not result.hits:
        return GateDecision("NO_RESULTS", "the search found no section")
    if result.best_similarity < policy.gate.min_similarity and not names_a_page(result):
        return GateDecision(
            "LOW_SCORE",
            f"best section similarity {result.best_similarity:.2f} < {policy.gate.min_similarity}"
            " and the question names no KB page",
        )
    return GateDecision(None, "")


def check_outdated(
    evidence: Evidence, documents: list[DocumentInfo], policy: AnswerPolicy, *, today: date
) -> GateDecision:
    """``ONLY_OUTDATED`` when every evidence page was last reviewed more than
    ``gate.outdated_after_days`` ago (an unreadable date counts as old); else no reason."""
    limit = policy.gate.outdated_after_days
    ages = []
    for page in evidence.pages:
        try:
            ages.append((today - date.fromisoformat(documents[page].last_reviewed[:10])).days)
        except ValueError:
            ages.append(limit + 1)
    if ages and min(ages) > limit:
        return GateDecision("ONLY_OUTDATED", f"every page was last reviewed more than {limit} days ago")
    return GateDecision(None, "")


def common_english() -> frozenset[str]:
    """Common English words (the sentence encoder's vocabulary)."""
    from cancerinfo.triage.text import common_words

    return common_words()


def missing_specific_words(
    question: str,
    chunks: list[ChunkRow],
    titles: list[str],
    words: KBWords,
    policy: AnswerPolicy,
    *,
    only_unknown: bool,
    expansions: tuple[str, ...] = (),
    known: frozenset[str] = frozenset(),
) -> list[str]:
    """Specific words of the question that the pages the answer would quote never use (in
    text, headings or titles): "can I eat grapefruit with ixazomib?" when the ixazomib page
    never mentions grapefruit; "what is zorbatinib?" when no page does. A word is specific
    when the KB uses it rarely (``gate.specific_word_max_share`` of chunks) or never; a word
    the KB never uses but that is one letter or two away from a KB word is a typo of it.
    ``only_unknown``: count only words the KB never uses (for questions naming no drug,
    whose wording varies too much for the rest). ``known``: words of the question the KB
    vocabulary knows (a lay term such as "breathless" maps to the KB's own words)."""
    covered = _Coverage(chunks, words)
    for text in (*titles, *expansions):
        covered.words.update(terms(text))
    everyday = common_english()
    missing = []
    for word in query_words(question):
        term = stem(word)
        if word in policy.conversational_words or term in policy.conversational_words or len(word) < 3 or "'" in word:
            continue
        if word.isdigit() or _QUANTITY.fullmatch(word):
            continue  # "12", "7yo", "29f", "2nd", "3wks": an age, a count or a time, not a term
        frequency = words.frequency(term)
        limit = policy.gate.specific_word_max_share if only_unknown else policy.gate.drug_word_max_share
        if frequency and (only_unknown or words.share(term) >= limit):
            continue  # a word the KB uses, and not rarely or not counted: never missing
        if term in covered or any(form in covered for form in words.forms(term)):
            continue  # the pages use it, or another form of it ("amputation" for "amputate")
        if frequency == 0 and word in known:
            continue
        if _contraction(word) or (frequency == 0 and _misspelt(word, everyday)):
            continue  # "hasnt", "cant"; a word typed a letter off an everyday word ("finshed", "growin")
        if word in everyday and (only_unknown or frequency == 0 or _verb_form(word)):
            # an everyday word the KB never uses ("celebrating"), or one said of the person
            # ("dropping things", "gaining weight", "the doctor mentioned"), is how people ask,
            # not what they ask about; of a named drug an everyday thing ("coffee with
            # Keytruda?") is what is asked, and the pages must name it
            continue
        if frequency == 0:
            corrected = words.correct(term)
            if corrected is not None and (corrected in covered or words.share(corrected) >= policy.gate.specific_word_max_share):
                continue
            if only_unknown and words.compound(term):
                continue  # "birads": the KB writes "BI-RADS"
            missing.append(word)
        else:  # a word the KB uses rarely, and the pages never
            missing.append(word)
    return missing


def too_many_missing(missing: list[str], question: str, policy: AnswerPolicy) -> bool:
    """Is the question unsupported for the ``missing`` words (:func:`missing_specific_words`):
    more than ``gate.max_missing_specific_words``, plus one per ``gate.story_words_per_missing_word``
    of its words (a long message tells a story around what it asks)?"""
    gate = policy.gate
    return len(missing) > gate.max_missing_specific_words + len(query_words(question)) // gate.story_words_per_missing_word


#: A number with a unit of age, sex, time, count or weight, typed as one word ("7yo", "29F",
#: "2nd", "3wks", "12lbs"): how old, when or how much, never a term the KB should hold.
_QUANTITY = re.compile(
    r"\d+(?:yo|yos|y|yr|yrs|f|m|st|nd|rd|th|d|wk|wks|w|mo|mos|h|hr|hrs|min|mins|x|lb|lbs|kg|kgs|mg|ml|am|pm)"
)
#: Past forms of everyday verbs that are not made with -ed ("came back", "told us").
_IRREGULAR_PAST = frozenset(
    "came went got gave took said told saw felt kept left began brought thought found made put ran sent".split()
)


def _verb_form(word: str) -> bool:
    """An everyday word read as a verb's -ing or -ed form, or an irregular past ("dropping",
    "mentioned", "came"): something said of the person, not a thing asked about."""
    return word in _IRREGULAR_PAST or (len(word) >= 5 and word.endswith(("ing", "ed")))


#: The shortest word read as an everyday word typed a letter off (shorter ones are too
#: often a real acronym one letter from a word: "ohip" and "ship").
MIN_MISSPELT_LENGTH = 5
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _misspelt(word: str, everyday: frozenset[str]) -> bool:
    """Is ``word`` (not itself an everyday word) one letter off an everyday word: a letter
    left out, added, changed or two swapped ("finshed", "growin", "becuase")?"""
    if len(word) < MIN_MISSPELT_LENGTH or not word.isalpha():
        return False
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for left, right in splits:
        if right and left + right[1:] in everyday:
            return True
        if len(right) > 1 and left + right[1] + right[0] + right[2:] in everyday:
            return True
        for letter in _LETTERS:
            if left + letter + right in everyday or (right and left + letter + right[1:] in everyday):
                return True
    return False


def _contraction(word: str) -> bool:
    """A negation typed without its apostrophe: "hasnt", "doesnt", "wont", "cant"."""
    return word in _IRREGULAR_CONTRACTIONS or (word.endswith("nt") and word[:-2] in common_english())


_IRREGULAR_CONTRACTIONS = frozenset({"wont", "cant", "aint", "shant"})


class _Coverage:
    """Whether the answer's pages use a word (title, heading or text of their chunks).

    With the store's postings this is a lookup per question word: a chunk uses a word when
    the word's postings hold the chunk (postings are made from the chunk's title, heading
    and text). Without postings (an old store) every chunk's words are read."""

    def __init__(self, chunks: list[ChunkRow], kb_words: KBWords) -> None:
        self.words: set[str] = set()
        self._postings = kb_words.postings
        self._rowids = np.unique(np.fromiter((c.rowid for c in chunks), dtype=np.int64, count=len(chunks)))
        if self._postings is None:
            for chunk in chunks:
                self.words.update(terms(chunk.section))
                self.words.update(terms(chunk.text))

    def __contains__(self, term: str) -> bool:
        if term in self.words:
            return True
        postings = self._postings
        if postings is None or not len(self._rowids):
            return False
        term_id = postings.vocabulary.get(term)
        if term_id is None:
            return False
        rows = postings.rows[int(postings.starts[term_id]) : int(postings.starts[term_id + 1])]
        return bool(np.isin(rows, self._rowids, assume_unique=True).any())


class KBWords:
    """How often the KB uses each word (chunks containing it), and typo correction towards
    the words it uses."""

    def __init__(
        self, postings: Postings | None, total_chunks: int, *, root: Callable[[str], str] | None = None
    ) -> None:
        self.postings = postings
        self.total = max(total_chunks, 1)
        self._by_start: dict[str, list[str]] | None = None
        self._by_start4: dict[str, list[str]] | None = None
        #: a word's Snowball root (the triage's English reader's stem, cached there)
        self._root = root

    def forms(self, term: str) -> list[str]:
        """The KB's words with the same Snowball root as ``term`` ("amputation",
        "amputations" for "amputate"): the pages may use another form of the asked word.
        Only words sharing the first four letters are compared (a root keeps its start)."""
        if self.postings is None or self._root is None or len(term) < 4:
            return []
        if self._by_start4 is None:
            by_start: dict[str, list[str]] = {}
            for word in self.postings.vocabulary:
                if word.isalpha() and len(word) >= 4:
                    by_start.setdefault(word[:4], []).append(word)
            self._by_start4 = by_start
        root = self._root(term)
        return [w for w in self._by_start4.get(term[:4], ()) if w != term and self._root(w) == root]

    def frequency(self, term: str) -> int:
        """How many chunks hold ``term`` (a postings term); 1 without postings."""
        if self.postings is None:
            return 1
        term_id = self.postings.vocabulary.get(term)
        return 0 if term_id is None else int(self.postings.starts[term_id + 1] - self.postings.starts[term_id])

    def share(self, term: str) -> float:
        """The share of all chunks that hold ``term``."""
        return self.frequency(term) / self.total

    def compound(self, term: str) -> bool:
        """Two KB words written as one ("birads" for "BI-RADS"); a short word ("ohip") is not
        read as two shorter ones ("oh" + "ip")."""
        return len(term) >= MIN_COMPOUND_LENGTH and any(
            self.frequency(term[:cut]) and self.frequency(term[cut:])
            for cut in range(2, len(term) - 1)
        )

    def correct(self, term: str) -> str | None:
        """The KB word closest to ``term`` (same first letter, similar length), if close."""
        if self.postings is None or len(term) < MIN_TYPO_LENGTH:
            return None
        if self._by_start is None:
            self._by_start = {}
            for word in self.postings.vocabulary:
                if word.isalpha() and len(word) >= MIN_TYPO_LENGTH - 1 and self.frequency(word) >= MIN_TYPO_TARGET_CHUNKS:
                    self._by_start.setdefault(word[0], []).append(word)
        pool = [w for w in self._by_start.get(term[0], []) if abs(len(w) - len(term)) <= 2]
        close = difflib.get_close_matches(term, pool, n=1, cutoff=TYPO_SIMILARITY)
        return close[0] if close else None
