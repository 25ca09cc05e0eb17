"""Term pairs read in a page's running text, for the KB vocabulary
(:func:`cancerinfo.index.vocabulary_mining.mine_entries`): **abbreviations** —
``acute lymphoblastic leukemia (ALL)`` or ``ALL (acute …)`` when the short form's letters
appear in order in the long form, the first one at the start of a word (Schwartz & Hearst,
2003) — and **also called** aliases — ``Chemotherapy (also called chemo)``, ``X, also called
Y,``, ``X is also called Y, Z, or W``, when X stands alone (starts a line or clause, or
follows a/an/the; at most 5 words) — with the English function words neither may start with."""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_HEAD_WORDS = 5
MAX_ALIAS_WORDS = 6

#: English function words: never an entity when written in lower case ("all", "as", "it").
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just may me might more most must my myself no nor not now of off on
    once only or other our ours ourselves out over own per same shall she should so some such
    than that the their theirs them themselves then there these they this those through to too
    under until up us very via was we were what when where which while who whom why will with
    would you your yours yourself yourselves""".split()
)
_DETERMINERS = frozenset({"a", "an", "the"})
_EDGE_PUNCTUATION = ".,;:!?\"'’“”[]*_"

_PAREN_GROUP = re.compile(r"\(([^()\n]{1,100})\)")
_CLAUSE_BREAK = re.compile(r"[.;:!?](?:\s|$)|[()\[\]|\n—]")
_ALSO_CALLED = re.compile(r"also (?:called|known as) ")
_ALSO_ENDS = {
    "(": re.compile(r"([^()\n]{1,120})\)"),
    ",": re.compile(r"([^,.;:()\n]{1,80}),"),
    "is": re.compile(r"([^.;:()\n]{1,160})(?:[.;:]|$)"),
}
_IS_BEFORE = re.compile(r"\s(?:is|are)\s+$")
_LIST_SPLIT = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")


# --- abbreviations ------------------------------------------------------------------------


def _is_short_form(text: str) -> bool:
    if not 2 <= len(text) <= 10 or " " in text or not text[0].isalnum():
        return False
    return sum(ch.isupper() for ch in text) >= 2


def _long_form(short: str, words: list[str]) -> str | None:
    """The shortest tail of ``words`` whose letters spell ``short`` in order."""
    candidate = " ".join(words[-min(len(short) + 5, len(short) * 2) :])
    index = len(candidate) - 1
    for position in range(len(short) - 1, -1, -1):
        char = short[position].lower()
        if not char.isalnum():
            continue
        while index >= 0 and (
            candidate[index].lower() != char
            or (position == 0 and index > 0 and candidate[index - 1].isalnum())
        ):
            index -= 1
        if index < 0:
            return None
        index -= 1
    long = candidate[candidate.rfind(" ", 0, index + 1) + 1 :].strip(_EDGE_PUNCTUATION + " ")
    if len(long) <= len(short) or short.casefold() in long.casefold():
        return None
    return None if long.split()[0].casefold() in STOP_WORDS else long


def _abbreviations(plain: str) -> Iterator[tuple[str, str]]:
    """``long form (SF)`` and ``SF (long form)`` pairs."""
    for group in _PAREN_GROUP.finditer(plain):
        inside, clause = group.group(1).strip(), None
        if _is_short_form(inside):
            clause = _CLAUSE_BREAK.split(plain[max(0, group.start() - 200) : group.start()])[-1]
            if long := _long_form(inside, clause.split()):
                yield inside, long
            continue
        words = inside.split()
        previous = plain[max(0, group.start() - 12) : group.start()].split()[-1:]
        if len(words) > 1 and previous and _is_short_form(previous[0]):
            short = previous[0]
            long = _long_form(short, words) if len(words) <= len(short) * 2 else None
            if long and long.split()[0] == words[0]:
                yield short, long


# --- "also called" ------------------------------------------------------------------------


def _head_before(text: str, end: int) -> str | None:
    """The phrase ending at ``end`` when it stands alone (see the module docstring)."""
    window = text[max(0, end - 160) : end]
    at_line_start = "\n" in window or end <= 160
    head: list[str] = []
    for word in reversed(window.rsplit("\n", 1)[-1].split()):
        if word.startswith(("#", "-", "*", "|", "(")) or word[-1] in ".,;:!?)]—":
            break
        if word.casefold() in _DETERMINERS:
            break
        if word.casefold() in STOP_WORDS or len(head) == MAX_HEAD_WORDS:
            return None
        head.insert(0, word)
    else:
        if not at_line_start:
            return None
    return " ".join(head) or None


def _also_called(plain: str) -> Iterator[tuple[str, str]]:
    """``X (also called Y)``, ``X, also called Y,`` and ``X is also called Y, Z, or W``."""
    for found in _ALSO_CALLED.finditer(plain):
        before = plain[max(0, found.start() - 12) : found.start()]
        is_are = _IS_BEFORE.search(before)
        if before.endswith("("):
            form, head_end = "(", found.start() - 1
        elif before.endswith(", "):
            form, head_end = ",", found.start() - 2
        elif is_are:
            form, head_end = "is", found.start() - len(is_are.group())
        else:
            continue
        tail = _ALSO_ENDS[form].match(plain, found.end())
        head = _head_before(plain, head_end) if tail else None
        for alias in _LIST_SPLIT.split(tail.group(1)) if tail and head else ():
            words = alias.split()
            if words and words[0].casefold() in _DETERMINERS:
                words = words[1:]
            if not words or words[0].casefold() in STOP_WORDS:
                break
            if len(words) <= MAX_ALIAS_WORDS:
                yield " ".join(words), str(head)
