"""An answer a patient can read in a minute: the short answer first, at most two
supporting parts, and the rest behind "more from these pages".

:func:`arrange` takes the composed parts (every line a quote with its ``[n]``) and the
short answer, and returns the sections shown, the sections kept for "more", and the
citations renumbered in reading order (shown ones first, so ``[1]`` is the short answer).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from cancerinfo.answer.composer import ANNOUNCES
from cancerinfo.answer.contract import Citation, Section

_CITE = re.compile(r"\[(\d{1,3})\]")
_WORD = re.compile(r"\w+")
_INTRO = re.compile(r":\s*(\[\d{1,3}\])?\s*$")
#: A run of quotes opening with fewer words is a list's items without their intro.
MIN_RUN_WORDS = 3


@dataclass(frozen=True, slots=True)
class Layout:
    """How long an answer may be (``policies/answer.yaml`` ``layout``)."""

    max_words: int = 200
    support_parts: int = 2
    support_lines: int = 3
    min_support_similarity: float = -1.0
    #: ... for more of the short answer's own section (None: the same as the other parts)
    min_same_section_similarity: float | None = None


def words(text: str) -> int:
    """Words a reader sees (citation marks not counted)."""
    return len(_WORD.findall(_CITE.sub("", text)))


def arrange(
    short: tuple[Section, Citation] | None,
    same: tuple[Section | None, list[Citation]],
    sections: list[Section],
    citations: list[Citation],
    layout: Layout,
    *,
    keep_policy: set[str],
    relevance: Callable[[list[str]], list[float]] | None = None,
) -> tuple[list[Section], list[Section], list[Citation]]:
    """(shown, more, citations). ``sections``/``citations``: the composed answer (numbered
    from 1); ``short``: the short answer section and its citation (numbered after them);
    ``same``: more of the short answer's own section (a supporting part, numbered after);
    ``keep_policy``: kinds of navigation sections that stay shown; ``relevance``: the
    cosine of the question to the page section of each of some chunk ids (a supporting
    quote from a section below ``layout.min_support_similarity`` is not shown)."""
    by_number = {c.n: c for c in citations}
    shown: list[Section] = []
    more: list[Section] = []
    budget = layout.max_words
    short_quote = None
    said_before: set[str] = set()  # what the parts shown so far say (_said)
    if short is not None:
        section, citation = short
        by_number[citation.n] = citation
        shown.append(section)
        budget -= words(section.text)
        short_quote = citation.quote
        said_before.update(_said(line) for line in section.text.split("\n") if line.strip())
    parts = 0
    same_section, same_citations = same
    for citation in same_citations:
        by_number[citation.n] = citation
    if same_section is not None:
        sections = [same_section, *sections]
    for section in sections:
        if section.source != "kb":
            (shown if section.kind in keep_policy else more).append(section)
            continue
        lines = [line for line in section.text.split("\n") if line.strip()]
        if section is not same_section and same_citations:
            said = " ".join(c.quote for c in same_citations)
            lines = [line for line in lines if _CITE.sub("", line).strip(" -") not in said]
        if short_quote is not None:  # a line the short answer already says is not repeated
            lines = [line for line in lines if _CITE.sub("", line).strip(" -") not in short_quote]
        # nor a line an earlier part shows (two pages with the same sentence)
        lines = [line for line in lines if _said(line) not in said_before]
        if not lines:
            continue
        minimum = layout.min_support_similarity
        if section is same_section and layout.min_same_section_similarity is not None:
            minimum = layout.min_same_section_similarity
        candidates = _on_topic(lines, relevance, minimum, by_number)
        keep: list[str] = []
        if parts < layout.support_parts and budget > 0:
            for line in candidates[: layout.support_lines]:
                cost = words(line)
                if cost > budget and keep:
                    break
                keep.append(line)
                budget -= cost
        # an intro line without its items (the next line shown is not of its quote), or a
        # line pointing at what the answer does not show
        keep = [
            line for j, line in enumerate(keep)
            if not _INTRO.search(line) or (j + 1 < len(keep) and _CITE.findall(keep[j + 1]) == _CITE.findall(line))
        ]
        while keep and ANNOUNCES.search(keep[-1]):
            keep.pop()
        rest = [line for line in lines if line not in keep]
        if keep:
            parts += 1
            shown.append(_with_lines(section, keep))
            said_before.update(_said(line) for line in keep)
            said_before.add(_said(section.title))  # a heading that is a sentence, not quoted again below
        if rest:
            more.append(_with_lines(section, rest))
    return _renumber(shown, more, by_number)


def _said(line: str) -> str:
    """What a shown line says, for spotting the same sentence twice: its words, lower case,
    without citation marks, list markers or punctuation."""
    return " ".join(_WORD.findall(_CITE.sub("", line).lower()))


def _runs(lines: list[str]) -> list[list[str]]:
    """Consecutive lines quoting one run of a page (the same ``[n]``): a paragraph, or a
    list with its intro."""
    runs: list[list[str]] = []
    for line in lines:
        numbers = _CITE.findall(line)
        if runs and numbers and numbers == _CITE.findall(runs[-1][-1]):
            runs[-1].append(line)
        else:
            runs.append([line])
    return runs


def _on_topic(
    lines: list[str],
    relevance: Callable[[list[str]], list[float]] | None,
    minimum: float,
    by_number: dict[int, Citation],
) -> list[str]:
    """The lines a supporting part may show: runs quoting a page section close enough to the
    question, never a run opening on a bare list item whose intro is not shown ("Anxiety.")."""
    runs = [run for run in _runs(lines) if words(run[0]) >= MIN_RUN_WORDS or _INTRO.search(run[0])]
    if relevance is not None and runs:
        numbers = [int(_CITE.findall(run[0])[0]) if _CITE.findall(run[0]) else 0 for run in runs]
        scores = relevance([by_number[n].chunk_id if n in by_number else "" for n in numbers])
        runs = [run for run, score in zip(runs, scores, strict=True) if score >= minimum]
    return [line for run in runs for line in run]


def _with_lines(section: Section, lines: list[str]) -> Section:
    numbers = sorted({int(n) for line in lines for n in _CITE.findall(line)})
    return replace(section, text="\n".join(lines), citations=numbers)


def _renumber(
    shown: list[Section], more: list[Section], by_number: dict[int, Citation]
) -> tuple[list[Section], list[Section], list[Citation]]:
    order: dict[int, int] = {}
    for section in (*shown, *more):
        if section.source != "kb":
            continue
        for n in _CITE.findall(section.text):
            order.setdefault(int(n), len(order) + 1)

    def renumbered(section: Section) -> Section:
        if section.source != "kb":
            return section
        text = _CITE.sub(lambda m: f"[{order[int(m.group(1))]}]", section.text)
        return replace(section, text=text, citations=sorted({order[n] for n in section.citations if n in order}))

    citations = [replace(by_number[old], n=new) for old, new in sorted(order.items(), key=lambda item: item[1])]
    return [renumbered(s) for s in shown], [renumbered(s) for s in more], citations
