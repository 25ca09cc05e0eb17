"""The words of a question: its topic words (stop words out), and the BM25 terms searched
for (:func:`lexical_terms`, folded as :mod:`.postings` folds the chunks' words).

A question is only ever split into words: what patients type (``"``, ``-``, ``not``, ``or``,
``*``) is text, never query syntax.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cancerinfo.index.postings import terms

if TYPE_CHECKING:
    from cancerinfo.index.vocabulary import EntityMatch

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


def lexical_terms(query: str, matches: Sequence[EntityMatch], expansions: Sequence[str]) -> list[str]:
    """The BM25 terms of a question: its topic words, the words of the vocabulary terms of
    several words it names, and the vocabulary's expansions (brand → generic...)."""
    phrases = [m.term for m in matches if " " in m.term] + list(expansions)
    return [t for w in [*query_words(query), *phrases] for t in terms(w)]
