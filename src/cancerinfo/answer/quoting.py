"""What the composer quotes from a chunk, whatever the question: a chunk's units made
ready once (:class:`_Prepared`), which units run on from each other, which lead into a list
or point back at the sentence before them, and how a run of units is rendered as bullets
with its citation number. Shared by :mod:`.composer` and :mod:`.short_answer`."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from cancerinfo.answer.citations import Unit

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

MAX_CACHED_TERMS = 200_000
_LEADS_IN = re.compile(r"\b(include|includes|including|such as|following|these|are|is|or|and)$", re.IGNORECASE)
_ENDS_SENTENCE = re.compile(r"[.!:;][\"”’)\]]*$")


class _Remembered(dict[K, T]):
    """``compute(key)`` for each key, kept (a plain dict lookup once known); emptied when it
    holds more than ``limit`` keys (default :data:`MAX_CACHED_TERMS`)."""

    def __init__(self, compute: Callable[[K], T], *, limit: int = MAX_CACHED_TERMS) -> None:
        super().__init__()
        self._compute = compute
        self._limit = limit

    def __missing__(self, key: K) -> T:
        if len(self) > self._limit:
            self.clear()
        value = self[key] = self._compute(key)
        return value


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A chunk as :meth:`Composer._quotes` reads it (see :meth:`Composer._prepare`)."""

    candidates: list[Unit]
    leads_in: list[bool]
    folded: list[str]
    quotable: list[int]  # positions in candidates
    unless: frozenset[int]  # quotable only when the question asks (quote_exclusions_unless_asked)


def _found(pattern: re.Pattern[str] | None, text: str) -> bool:
    return pattern is not None and pattern.search(text) is not None


def _head_chosen(candidates: list[Unit], index: int, chosen: set[int]) -> bool:
    """Is the list item that the continuing unit at ``index`` belongs to chosen?"""
    head = index - 1
    while head >= 0 and candidates[head].continues_item:
        head -= 1
    return head in chosen


def _continues(before: Unit, unit: Unit) -> bool:
    """One quote may run on within a paragraph, within a list, and from a list's intro line
    into the list (a list item ending in a colon into its sub-list: "a mole that:"); not
    across paragraphs (an image or a dropped line may sit between)."""
    if unit.block == before.block:
        return True
    if not unit.list_item or unit.block != before.block + 1:
        return False
    return before.text.endswith(":") if before.list_item else introduces(before.text)


def introduces(text: str) -> bool:
    """A line that leads into a list: "Signs include:", "... they may include"."""
    return text.endswith(":") or bool(_LEADS_IN.search(text))


#: A sentence that points at what comes after it on the page ("some of the following
#: questions", "try the links below"): never the last line an answer shows.
ANNOUNCES = re.compile(
    r"\b(the following|listed below|shown below|links? below|see below|below to|as follows|those below|described below)\b"
    # "... are below.", "can be found below in the Summary Report", "the sections below"
    # (not "below the waist", "below 100,000")
    r"|\bbelow(?=\s*(?:[.:,;)\]]|$|(?:in|to|for)\b))"
    r"|\b(?:sections?|tables?|figures?|lists?|studies|text|tips|steps|strategies|questions) below\b"
    # a promise of what the page lists next: "Try these 10 tips ...", "Here are some ways ...",
    # "But, there are things you can do to make it easier to learn."
    r"|\b(?:these|this) \d+ (?:tips|ideas|steps|ways|questions|things)\b|^(?:try|use) these\b|^here are\b"
    r"|^(?:but,?\s+|and\s+)?there are (?:some |many |several |a few |other )?(?:things|ways|steps|tips) (?:that )?(?:you|your \w+|caregivers|people) can\b",
    re.IGNORECASE,
)


#: A sentence opening on a word that points back at the sentence before it ("This is a
#: doctor who ...", "These clinics ...", "They will ..."); "This page/section" points at
#: the page itself; so does a connective ("However, if your hysterectomy was related to
#: cancer ..." answers the sentence before). ("It" and "But" are left out: "It can help to
#: ..." and "But there is no proof that ..." read on their own.)
_POINTS_BACK = re.compile(
    r"^(?:this|these|that|those|they|their|such|both|he|she|his|her"
    # connectives that answer or qualify the sentence before ("However, ...", "Also, ...")
    r"|however|also|in addition|instead|otherwise|therefore|thus|as a result|for this reason)\b"
    r"(?!\s+(?:page|section|summary|article|fact sheet|booklet|list|guide)\b)",
    re.IGNORECASE,
)


def needs_before(candidates: list[Unit], index: int) -> bool:
    """Does the unit at ``index`` point back at the sentence before it in its paragraph
    (so it is quoted only with that sentence)?"""
    unit = candidates[index]
    return (
        index > 0
        and not unit.list_item
        and not unit.continues_item
        and candidates[index - 1].block == unit.block
        and _POINTS_BACK.match(unit.text) is not None
    )


def _joined(run: list[Unit]) -> str:
    return " ".join(unit.text for unit in run)


def _render(run: list[Unit], n: int) -> list[str]:
    """Each unit a bullet (a list item's later sentences stay in its bullet), the citation
    number after each."""
    lines: list[str] = []
    for unit in run:
        if unit.continues_item and lines:
            lines[-1] = f"{lines[-1][: -len(f' [{n}]')]} {unit.text} [{n}]"
        else:
            lines.append(f"- {unit.text} [{n}]")
    return lines


def _with_antecedents(candidates: list[Unit], chosen: set[int], usable: set[int], leads_in: list[bool]) -> None:
    """A chosen sentence pointing back at the one before it (:func:`needs_before`) comes
    with that sentence when it may be quoted, else goes (a list's intro stays with its
    items); ``chosen`` is changed in place."""
    for i in sorted(chosen, reverse=True):
        if i in chosen and needs_before(candidates, i) and i - 1 not in chosen:
            if i - 1 in usable:
                chosen.add(i - 1)
            elif not leads_in[i]:
                chosen.discard(i)


def link_list_items(candidates: list[Unit], never: Callable[[str], bool]) -> set[int]:
    """The items of a list of links: a list led by a line that is never quoted ("Learn about
    other digestive system problems in people with cancer") whose items are all labels, not
    sentences ("Diarrhea", "Bowel Obstruction"). Positions in ``candidates``."""
    found: set[int] = set()
    i = 0
    while i < len(candidates):
        if not candidates[i].list_item or i == 0 or candidates[i - 1].block == candidates[i].block:
            i += 1
            continue
        block = candidates[i].block
        items = [j for j in range(i, len(candidates)) if candidates[j].block == block]
        intro = candidates[i - 1].text
        if never(intro) and not intro.endswith(":") and all(
            candidates[j].list_item and not _ENDS_SENTENCE.search(candidates[j].text) for j in items
        ):
            found.update(items)
        i = items[-1] + 1
    return found
