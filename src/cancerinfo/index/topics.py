"""Page topics from titles, and finding them in a question.

A page's topic is its title without the publisher suffix, the PDQ and version marks and the
trailing words that only say what kind of page it is (``title_generic_words`` in
``policies/retrieval.yaml``): "Adult Soft Tissue Sarcoma Treatment (PDQ®)–Patient Version -
NCI" → "adult soft tissue sarcoma". A question naming the topic ("What are the stages of
Adult Soft Tissue Sarcoma?") points at every page of that topic; the longest topic named
wins, so "adult acute myeloid leukemia" beats "acute myeloid leukemia".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import snowballstemmer  # type: ignore[import-untyped]

_SUFFIX = re.compile(r"\s+[-–—|]\s+[^-–—|]{1,40}$")
_PDQ = re.compile(r"\(pdq[®]?\)|[-–—]\s*(patient|health professional) version", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[a-z0-9]+")
MAX_TOPIC_WORDS = 10
#: A name right after this word is ruled out, not named ("non-Hodgkin", "non-small cell").
NEGATION = "non"
MIN_TOPIC_CHARS = 4


def without_publisher(title: str) -> str:
    """The title without its publisher suffix: "Ixabepilone - NCI" -> "Ixabepilone"."""
    return _SUFFIX.sub("", title)


def words(text: str) -> list[str]:
    """The lower-case words (letters and digits) of ``text``."""
    return _WORD.findall(text.lower())


def title_topics(title: str, *, generic_words: frozenset[str]) -> set[str]:
    """The topic (and its variant without parenthesised words) of a page title."""
    topics = set()
    for variant in _variants(title):
        tokens = words(variant)
        while tokens and tokens[-1] in generic_words:
            tokens.pop()
        topic = " ".join(tokens)
        if len(topic) >= MIN_TOPIC_CHARS and len(tokens) <= MAX_TOPIC_WORDS:
            topics.add(topic)
    return topics


def _variants(title: str) -> tuple[str, str]:
    base = _PDQ.sub(" ", without_publisher(title))
    return base, _PARENTHESES.sub(" ", base)


#: "Delirium and Cancer Treatment - Side Effects", "Nausea and Vomiting and Cancer": the
#: subject a side-effect or coping page is about comes before "and cancer".
_AND_CANCER = re.compile(r"^(.+?),?\s+and\s+cancer\b", re.IGNORECASE)


def subject_topics(title: str) -> set[str]:
    """The subject of an "X and Cancer ..." title and its variant without parenthesised
    words: "delirium"; "edema swelling" and "edema"; "nausea and vomiting"; and each part of a
    subject that joins two ("infection", "neutropenia"; "mouth problems", "throat problems"
    of "mouth and throat problems"; "memory problems" of "memory or concentration
    problems"). A one-word part is kept only when few pages use it (see
    :func:`build_topic_index`): "nausea" names no page, "neutropenia" does."""
    topics = set()
    for variant in _variants(title):
        found = _AND_CANCER.match(variant.strip())
        if found is None:
            continue
        tokens = words(found.group(1))
        for candidate in (tokens, *_parts(tokens)):
            topic = " ".join(candidate)
            if len(topic) >= MIN_TOPIC_CHARS and len(candidate) <= MAX_TOPIC_WORDS:
                topics.add(topic)
    return topics


_JOINS = frozenset({"and", "or"})


def _parts(tokens: list[str]) -> list[list[str]]:
    """The two parts of "a and b" or "a and b c" (the last word shared: "mouth and throat
    problems" -> "mouth problems", "throat problems"); none for any other shape."""
    if len(tokens) == 3 and tokens[1] in _JOINS:
        return [[tokens[0]], [tokens[2]]]
    if len(tokens) == 4 and tokens[1] in _JOINS:
        return [[tokens[0], tokens[3]], [tokens[2], tokens[3]]]
    return []


#: A one-word topic that is a word of more than this share of all titles ("cancer") names
#: no page in particular and is dropped.
MAX_SINGLE_WORD_TITLE_SHARE = 0.02
#: A one-word title subject used on more than this share of all pages ("pain": 401 of the
#: 1,431 NCI pages) is a word of symptom stories and general pages alike: it names no page.
#: "delirium" (11 pages), "lymphedema" (36) do. A small KB allows any word of 2 pages.
MAX_SUBJECT_PAGE_SHARE = 0.1


class TopicIndex(dict[str, set[int]]):
    """Title topics and their pages (a ``dict``), and the same topics by the Snowball stems
    of their words (:attr:`stemmed`): "depressed" names "depression", "hairy" never names
    "hair" (the stems differ)."""

    def __init__(self, topics: dict[str, set[int]]) -> None:
        super().__init__(topics)
        self.stemmed: dict[str, set[int]] = {}
        self.stemmed_names: dict[str, str] = {}
        for topic, documents in topics.items():
            key = _stemmed(topic.split())
            self.stemmed.setdefault(key, set()).update(documents)
            self.stemmed_names.setdefault(key, topic)


_STEMMER = snowballstemmer.stemmer("english")


def _stemmed(tokens: list[str]) -> str:
    return " ".join(_STEMMER.stemWords(tokens))


def build_topic_index(
    titles: Iterable[tuple[int, str]],
    *,
    generic_words: frozenset[str],
    page_count: Callable[[str], int] | None = None,
) -> TopicIndex:
    """Each title topic with the documents that have it; one-word topics that are a word of too many
    titles are left out. With ``page_count`` (how many pages' text has a word), the subjects of
    "X and Cancer" titles are topics too, a one-word one only when it is not a word of too many
    pages."""
    index: dict[str, set[int]] = {}
    title_words: dict[str, int] = {}
    subjects: dict[str, set[int]] = {}
    count = 0
    for document, title in titles:
        count += 1
        for word in set(words(title)):
            title_words[word] = title_words.get(word, 0) + 1
        for topic in title_topics(title, generic_words=generic_words):
            index.setdefault(topic, set()).add(document)
        for topic in subject_topics(title):
            subjects.setdefault(topic, set()).add(document)
    if page_count is not None:
        pages_limit = max(2, MAX_SUBJECT_PAGE_SHARE * count)
        for topic, documents in subjects.items():
            if " " in topic or page_count(topic) <= pages_limit:
                index.setdefault(topic, set()).update(documents)
    limit = max(2, MAX_SINGLE_WORD_TITLE_SHARE * count)
    return TopicIndex({topic: docs for topic, docs in index.items() if " " in topic or title_words.get(topic, 0) <= limit})


def find_topic(question: str, topics: dict[str, set[int]]) -> tuple[str | None, set[int]]:
    """The longest topic named in the question and its pages (ties: every page of each); when
    no topic is named word for word, the longest named by its words' stems (a
    :class:`TopicIndex`: "am I depressed" names "depression")."""
    tokens = words(question)
    named = _longest(tokens, topics, lambda candidate: candidate)
    if named[0] is None and isinstance(topics, TopicIndex):
        stems = _STEMMER.stemWords(tokens)
        found = _longest(stems, topics.stemmed, lambda candidate: candidate)
        if found[0] is not None:
            names = " / ".join(topics.stemmed_names[key] for key in found[0].split(" / "))
            return names, found[1]
    return named


def _longest(
    tokens: list[str], topics: dict[str, set[int]], key: Callable[[str], str]
) -> tuple[str | None, set[int]]:
    for size in range(min(MAX_TOPIC_WORDS, len(tokens)), 0, -1):
        found: set[int] = set()
        names = []
        for start in range(len(tokens) - size + 1):
            candidate = key(" ".join(tokens[start : start + size]))
            if candidate in topics and not (start and tokens[start - 1] == NEGATION):
                found |= topics[candidate]
                names.append(candidate)
        if found:
            return " / ".join(names), found
    return None, set()
