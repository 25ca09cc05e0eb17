"""An answer a patient can read in a minute: the short answer first, at most
``support_parts`` supporting parts (one, by the policy), and the rest behind "more from these pages".

:func:`arrange` takes the composed parts (every line a quote with its ``[n]``) and the
short answer, and returns the sections shown, the sections kept for "more", and the
citations renumbered in reading order (shown ones first, so ``[1]`` is the short answer).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from cancerinfo.answer.contract import Citation, Section
from cancerinfo.answer.quoting import ANNOUNCES

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
    relevance: Callable[[list[Citation | None]], list[float]] | None = None,
    place: Callable[[Citation], int] | None = None,
    adjoins: Callable[[Citation, Citation], bool] | None = None,
) -> tuple[list[Section], list[Section], list[Citation]]:
    """(shown, more, citations). ``sections``/``citations``: the composed answer (numbered
    from 1); ``short``: the short answer section and its citation (numbered after them);
    ``same``: more of the short answer's own section (a supporting part, numbered after);
    ``keep_policy``: kinds of navigation sections that stay shown; ``relevance``: how close
    to the question each of some citations' quotes is, by its page section (a supporting
    quote below ``layout.min_support_similarity`` is not shown); ``place``:
    where a citation's quote stands on its page (lines joined to a part keep the page's order);
    ``adjoins``: does the second quote run on from the first on the page (one citation then)."""
    by_number = {c.n: c for c in citations}
    # what is shown, the words left, the short answer's quote, what the shown parts say (_said)
    shown, budget, short_quote, said_before = _with_short(short, by_number, layout.max_words)
    more: list[Section] = []
    parts = 0
    same_section, same_citations = same
    for citation in same_citations:
        by_number[citation.n] = citation
    if same_section is not None:
        sections = [same_section, *sections]
    same_chunks = {c.chunk_id for c in same_citations}
    same_at: int | None = None  # where the shown part of the short answer's own section is
    same_text = ""
    for section in sections:
        if section.source != "kb":
            (shown if section.kind in keep_policy else more).append(section)
            continue
        lines = _not_said(
            section, " ".join(c.quote for c in same_citations) if section is not same_section else "",
            short_quote, said_before,
        )
        if same_at is not None and section is not same_section:
            # more of a page section an earlier part already shows (a list running on) joins
            # that part, not a second part under another heading
            lines, unshown, budget = _join_same(
                shown, same_at, lines, same_chunks, by_number, layout, budget, place, adjoins
            )
            if not lines and shown[same_at].kind == same_section.kind and shown[same_at].text != same_text:
                # the part took all of this part's content: it stands for that kind of part
                shown[same_at] = replace(shown[same_at], kind=section.kind)
                same_text = shown[same_at].text
            said_before.update(_said(line) for line in shown[same_at].text.split("\n"))
            if unshown:
                more.append(_with_lines(shown[same_at], unshown))
        if not lines:
            continue
        keep: list[str] = []
        if parts < layout.support_parts and budget > 0:
            keep, budget = _part_lines(lines, section is same_section, layout, relevance, by_number, budget)
        rest = [line for line in lines if line not in keep]
        if keep:
            parts += 1
            if section is same_section:
                same_at = len(shown)
                same_text = "\n".join(keep)
            shown.append(_with_lines(section, keep))
            said_before.update(_said(line) for line in keep)
            said_before.add(_said(section.title))  # a heading that is a sentence, not quoted again below
        if rest:
            more.append(_with_lines(section, rest))
    if not any(s.source == "kb" for s in shown):
        _show_first_part(shown, more, layout)
    return _renumber(shown, more, by_number)


def _with_short(
    short: tuple[Section, Citation] | None, by_number: dict[int, Citation], budget: int
) -> tuple[list[Section], int, str | None, set[str]]:
    """Once the short answer (if any) is shown (its citation joins ``by_number``): the sections
    shown, the words left of ``budget``, its quote and what it says (:func:`_said`)."""
    if short is None:
        return [], budget, None, set()
    section, citation = short
    by_number[citation.n] = citation
    said = {_said(line) for line in section.text.split("\n") if line.strip()}
    return [section], budget - words(section.text), citation.quote, said


def _show_first_part(shown: list[Section], more: list[Section], layout: Layout) -> None:
    """An answer never shows navigation alone: with no short answer and no part close enough
    to the question, the first quoted part's first lines are shown (the rest stays in "more")."""
    at = next((i for i, s in enumerate(more) if s.source == "kb"), None)
    if at is None:
        return
    lines = more[at].text.split("\n")
    keep, _ = _kept(lines[: layout.support_lines], layout.max_words)
    if keep:
        shown.insert(0, _with_lines(more[at], keep))
        rest = [line for line in lines if line not in keep]
        more[at : at + 1] = [_with_lines(more[at], rest)] if rest else []


def _part_lines(
    lines: list[str],
    own_section: bool,
    layout: Layout,
    relevance: Callable[[list[Citation | None]], list[float]] | None,
    by_number: dict[int, Citation],
    budget: int,
) -> tuple[list[str], int]:
    """The lines of a supporting part shown within ``budget`` and the budget left: its first
    ``support_lines`` lines close enough to the question (the short answer's own section may
    have a bar of its own) that fit, without a list cut to one item of a longer list
    (:func:`_cut_lists`) nor an intro whose items were all cut with it."""
    minimum = layout.min_support_similarity
    if own_section and layout.min_same_section_similarity is not None:
        minimum = layout.min_same_section_similarity
    supporting = _on_topic(lines, relevance, minimum, by_number)[: layout.support_lines]
    keep, budget = _kept(supporting, budget)
    cut = _cut_lists(keep, lines)
    if cut:
        left = _without_bare_intros([line for line in keep if line not in cut])
        budget += sum(words(line) for line in keep if line not in left)
        keep = left
    return keep, budget


def _kept(candidates: list[str], budget: int) -> tuple[list[str], int]:
    """The lines of a part shown within the word ``budget`` (at least one), without an intro
    line whose items are not shown (the next line is not of its quote) nor a last line
    pointing at what the answer does not show; and the budget left."""
    keep: list[str] = []
    for line in candidates:
        cost = words(line)
        if cost > budget and keep:
            break
        keep.append(line)
        budget -= cost
    keep = _without_bare_intros(keep)
    while keep and ANNOUNCES.search(keep[-1]):
        keep.pop()
    return keep, budget


def _not_said(section: Section, same_said: str, short_quote: str | None, said_before: set[str]) -> list[str]:
    """The lines of a part that say something new: not a line the short answer's own section
    part quotes (``same_said``), nor one the short answer says, nor one an earlier part
    shows (two pages with the same sentence)."""
    lines = [line for line in section.text.split("\n") if line.strip()]
    if same_said:
        lines = [line for line in lines if _CITE.sub("", line).strip(" -") not in same_said]
    if short_quote is not None:
        lines = [line for line in lines if _CITE.sub("", line).strip(" -") not in short_quote]
    return [line for line in lines if _said(line) not in said_before]


def _join_same(
    shown: list[Section],
    at: int,
    lines: list[str],
    same_chunks: set[str],
    by_number: dict[int, Citation],
    layout: Layout,
    budget: int,
    place: Callable[[Citation], int] | None,
    adjoins: Callable[[Citation, Citation], bool] | None,
) -> tuple[list[str], list[str], int]:
    """Move a later part's lines that quote the shown same-section part's page sections into
    that part (at most ``layout.support_lines`` of them, within the word ``budget``): the lines
    left to the later part, the moved lines that did not fit (for "more"), and the budget left.
    The part's lines stay in page order (``place``), a page section after another; two
    quotes that run on from each other on the page become one citation (``adjoins``)."""

    def of_same(line: str) -> bool:
        numbers = [int(n) for n in _CITE.findall(line)]
        return bool(numbers) and all(n in by_number and by_number[n].chunk_id in same_chunks for n in numbers)

    moved = [line for line in lines if of_same(line)]
    if not moved:
        return lines, [], budget
    # never a run opening on a bare list item, unless it runs on from the part's own quotes
    # on the page (more items of the part's list)
    shown_quotes = [by_number[int(n)] for n in _CITE.findall(shown[at].text) if int(n) in by_number]

    def runs_on(run: list[str]) -> bool:
        cited = [by_number[int(n)] for n in _CITE.findall(run[0]) if int(n) in by_number]
        return adjoins is not None and any(
            a.chunk_id == b.chunk_id and (a.quote in b.quote or b.quote in a.quote or adjoins(a, b) or adjoins(b, a))
            for a in shown_quotes for b in cited
        )

    movable = [
        line for run in _runs(moved)
        if words(run[0]) >= MIN_RUN_WORDS or _INTRO.search(run[0]) or runs_on(run) for line in run
    ]
    joined: list[str] = []
    for line in movable[: layout.support_lines]:
        if words(line) > budget:
            break
        joined.append(line)
        budget -= words(line)
    cut = _cut_lists(joined, movable)
    if cut:
        joined = [line for line in joined if line not in cut]
        budget += sum(words(line) for line in cut)
    if joined:
        target = shown[at]
        merged = [*target.text.split("\n"), *joined]
        if place is not None and all(_CITE.search(line) for line in merged):
            cited = [by_number[int(_CITE.findall(line)[0])] for line in merged]
            chunks = list(dict.fromkeys(c.chunk_id for c in cited))
            keys = {line: (chunks.index(c.chunk_id), place(c)) for line, c in zip(merged, cited, strict=True)}
            merged.sort(key=lambda line: keys[line])
        while merged[-1] in joined and (_INTRO.search(merged[-1]) or ANNOUNCES.search(merged[-1])):
            line = merged.pop()  # an intro line without its items
            joined.remove(line)
            budget += words(line)
        if adjoins is not None:
            merged = _one_citation(merged, by_number, adjoins)
        # an intro line whose items do not follow it on the page
        merged = _without_bare_intros(merged)
        shown[at] = _with_lines(target, merged)
    return [line for line in lines if not of_same(line)], [line for line in moved if line not in joined], budget


#: A list joined to a part after its intro line shows at least this many of its items (or
#: all, when it has fewer): an intro and one item reads as a list cut off.
MIN_LIST_ITEMS = 2


def _cut_lists(chosen: list[str], available: list[str]) -> list[str]:
    """The intro lines among ``chosen`` (lines of ``available``) that show fewer than
    ``MIN_LIST_ITEMS`` of their items (all, when the list has fewer), with those items."""
    cut: list[str] = []
    for j, line in enumerate(chosen):
        if _INTRO.search(line) and line in available:
            if j > 0 and _INTRO.search(chosen[j - 1]) and _CITE.findall(chosen[j - 1]) == _CITE.findall(line):
                continue  # a list inside a list: the outer intro needs this line
            shown = _items_after(chosen, j)
            if 0 < shown < min(MIN_LIST_ITEMS, _items_after(available, available.index(line))):
                cut.extend(chosen[j : j + 1 + shown])
    return cut


def _without_bare_intros(lines: list[str]) -> list[str]:
    """``lines`` without an intro line whose items do not follow it (the next line does not
    quote its run)."""
    return [
        line for j, line in enumerate(lines)
        if not _INTRO.search(line) or (j + 1 < len(lines) and _CITE.findall(lines[j + 1]) == _CITE.findall(line))
    ]


def _items_after(lines: list[str], j: int) -> int:
    """How many lines right after ``lines[j]`` quote its run (one ``[n]``: a list's items)."""
    run = _CITE.findall(lines[j])
    count = 0
    for line in lines[j + 1 :]:
        if _CITE.findall(line) != run:
            break
        count += 1
    return count


def _one_citation(
    lines: list[str], by_number: dict[int, Citation], adjoins: Callable[[Citation, Citation], bool]
) -> list[str]:
    """``lines`` with one citation for consecutive quotes of one page section: a quote that
    another holds is cited as that one; a quote that runs on from the one before it on the
    page is joined to it (``by_number`` gets the longer quote)."""
    numbers = [int(found[0]) if len(set(found)) == 1 else None for found in map(_CITE.findall, lines)]
    alias: dict[int, int] = {}

    def root(number: int) -> int:
        while number in alias:
            number = alias[number]
        return number

    previous: int | None = None
    for number in numbers:
        if number is None:
            previous = None
            continue
        number = root(number)
        if previous is not None and number != previous:
            first, second = by_number[previous], by_number[number]
            if first.chunk_id == second.chunk_id:
                if first.quote in second.quote:
                    alias[previous] = number
                elif second.quote in first.quote:
                    alias[number] = number = previous
                elif adjoins(first, second):
                    by_number[previous] = replace(first, quote=f"{first.quote} {second.quote}")
                    alias[number] = number = previous
        previous = number
    return [
        line if number is None else _CITE.sub(f"[{root(number)}]", line)
        for line, number in zip(lines, numbers, strict=True)
    ]


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
    relevance: Callable[[list[Citation | None]], list[float]] | None,
    minimum: float,
    by_number: dict[int, Citation],
) -> list[str]:
    """The lines a supporting part may show: runs quoting a page section close enough to the
    question, never a run opening on a bare list item whose intro is not shown ("Anxiety.")."""
    runs = [run for run in _runs(lines) if words(run[0]) >= MIN_RUN_WORDS or _INTRO.search(run[0])]
    if relevance is not None and runs:
        numbers = [int(_CITE.findall(run[0])[0]) if _CITE.findall(run[0]) else 0 for run in runs]
        scores = relevance([by_number.get(n) for n in numbers])
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
