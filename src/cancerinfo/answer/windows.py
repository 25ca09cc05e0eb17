"""Windows of a section for the short answer: runs of 1 to ``SHORT_MAX_UNITS`` consecutive
quotable sentences that read on from each other, and the words a question asks (its content
words; "stage 3" also as "iii"); which more windows the short answer reads (:func:`_more_windows`,
:func:`_closer_sections`) and the one it chooses (:class:`ShortAnswer`); what a question asks without the names it gives
as context (:class:`AlsoAsked`). Used by :mod:`.short_answer`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cancerinfo.answer import short_weights as weights
from cancerinfo.answer.citations import Unit
from cancerinfo.answer.kb_reader import ChunkRow
from cancerinfo.answer.quoting import ANNOUNCES, _continues, _Prepared, needs_before
from cancerinfo.index.records import DocumentInfo, Hit, SearchResult

#: Sentences in a short answer, at most.
SHORT_MAX_UNITS = 3
_QWORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an the and or of to in on for with is are was were be been being do does did i my me we our you your "
    "he she his her they them their it its this that these those what when where why how which who can could "
    "should would will may might about after before from at by as if so than then there here just get got "
    "have has had not no yes any some much many more most very really also still please thanks".split()
)

_STAGE_ONE = r"(0|iv|v|i{1,3}|[1-4])\s*(?:[abc]\d?)?"
#: "stage 3", "Stage IIIB", "Stage IA1", and each stage of "stages IA and IB" / "stages II to IV"
_STAGE = re.compile(r"\bstages?\s*" + _STAGE_ONE + r"\b((?:\s*(?:,|and|or|to|-|–)\s*" + _STAGE_ONE + r"\b)*)", re.IGNORECASE)
_STAGE_MORE = re.compile(r"(?:,|and|or|to|-|–)\s*" + _STAGE_ONE + r"\b", re.IGNORECASE)
_ROMAN = {"0": "0", "1": "i", "2": "ii", "3": "iii", "4": "iv", "i": "i", "ii": "ii", "iii": "iii", "iv": "iv", "v": "v"}


_STAGE_PART = re.compile(r"\b(0|iv|v|i{1,3}|[1-4])\s*([abc])?\d?\b", re.IGNORECASE)


def stages_named(text: str, *, sub: bool = False) -> frozenset[str]:
    """The stages a text names, as roman numerals ("stage 3" and "stage IIIB" both name iii);
    ``sub``: their sub-stages too ("stage 3b" and "Stage IIIB" name iii and iiib)."""
    found = set()
    for match in _STAGE.finditer(text):
        found.add(_ROMAN[match.group(1).lower()])
        found.update(_ROMAN[more.group(1).lower()] for more in _STAGE_MORE.finditer(match.group(2) or ""))
        if sub:
            named = re.sub(r"^stages?", "", match.group(0), flags=re.IGNORECASE)
            found.update(_ROMAN[p.group(1).lower()] + p.group(2).lower() for p in _STAGE_PART.finditer(named) if p.group(2))
    return frozenset(found)


def sub_stages(stages: frozenset[str]) -> frozenset[str]:
    """The sub-stages ("iib") among ``stages``."""
    return frozenset(s for s in stages if s[-1] in "abc")


_STAGE_WORD = re.compile(r"(0|i{1,3}|iv|v)[abc]?")


def stage_asked(words: frozenset[str]) -> bool:
    """Can one of a question's ``words`` be a stage ("iii", "iib")? Only then can the stages a
    window names (:func:`stages_named`) hold a word asked."""
    return any(_STAGE_WORD.fullmatch(w) for w in words)


def names_only(text: str, asked: frozenset[str]) -> bool:
    """Does ``text`` name one of the ``asked`` sub-stages and no other sub-stage of their
    stages ("Stage IIIB colon cancer.", not "divided into stages IIIA, IIIB, and IIIC")?"""
    if not asked:
        return False
    named = sub_stages(stages_named(text, sub=True))
    return bool(named & asked) and not {s for s in named - asked if any(s[:-1] == a[:-1] for a in asked)}


def stage_label(text: str) -> bool:
    """A short line naming a stage that opens what it says of it ("Stage IIB lung cancer (1).",
    the label of a PDQ stage figure): quoted only with the sentences after it."""
    return len(text.split()) <= 6 and text.endswith(".") and bool(re.match(r"stages?\b", text, re.IGNORECASE)) and bool(stages_named(text))


def _reads_as_sentence(text: str) -> bool:
    """Not a heading-like label ("Stage III (also called stage 3) colon cancer"): a short
    answer opens with a sentence."""
    return text.rstrip().endswith((".", "!", ":")) and len(text.split()) >= 5


def question_words(question: str, stem: Callable[[str], str]) -> frozenset[str]:
    """The stems of a question's content words ("stage 3" also as "iii")."""
    words = {stem(w) for w in _QWORD.findall(question.lower()) if w not in _STOP and len(w) > 1}
    return frozenset(words | stages_named(question, sub=True))


def _windows(prepared: _Prepared, usable: list[int], openers: frozenset[int] = frozenset()) -> list[list[int]]:
    """Runs of 1 to ``SHORT_MAX_UNITS`` consecutive usable units that read on from each
    other (one paragraph or list); a list intro only with its first item; a short label
    opening a list item ("After chemotherapy.") only with the sentences of its item; a stage's
    label of ``openers`` ("Stage IIB lung cancer (1).") only with the sentences after it."""
    allowed = set(usable)
    candidates = prepared.candidates
    windows = []
    for start in usable:
        if candidates[start].continues_item or needs_before(candidates, start):
            continue
        # a list's first item with a quotable intro line: only after that intro ("Check with
        # your doctor if you have any of the following:"), never as bare list items
        if _opens_list_after_intro(prepared, start, allowed) or _in_sub_list(candidates, start):
            continue
        # a list item opened by a short label ("After chemotherapy. Hair often grows back in
        # 2 to 3 months ..."): the label only with the sentences of its item
        label = not _reads_as_sentence(candidates[start].text) or start in openers
        if label and not (
            candidates[start].text.rstrip().endswith((".", ":"))
            and start + 1 in allowed
            and (candidates[start + 1].continues_item or (start in openers and _continues(candidates[start], candidates[start + 1])))
        ):
            continue
        run = [start]
        while True:
            # never end on a list's intro line, nor on a sentence pointing at what follows
            if (
                not (label and len(run) == 1)
                and not prepared.leads_in[run[-1]]
                and not ANNOUNCES.search(candidates[run[-1]].text)
            ):
                windows.append(list(run))
            nxt = run[-1] + 1
            # a list's intro line does not count towards the sentences of a window
            if len(run) >= SHORT_MAX_UNITS + prepared.leads_in[start] or nxt not in allowed or not _continues(candidates[run[-1]], candidates[nxt]):
                break
            run.append(nxt)
    return windows


def _opens_list_after_intro(prepared: _Prepared, start: int, allowed: set[int]) -> bool:
    """Is the unit at ``start`` a list's first item whose intro line (the unit before it)
    may be quoted?"""
    candidates = prepared.candidates
    return (
        candidates[start].list_item
        and start - 1 in allowed
        and not candidates[start - 1].list_item
        and prepared.leads_in[start - 1]
        and _continues(candidates[start - 1], candidates[start])
    )


def _in_sub_list(candidates: list[Unit], start: int) -> bool:
    """Is the unit at ``start`` an item of a sub-list, after an item that leads into it
    ("Neutropenia caused by some types of chemotherapy, including:")? Alone, such an item
    ("Chemotherapy for acute myeloid leukemia.") does not say what it is a case of."""
    if not candidates[start].list_item:
        return False
    block = candidates[start].block
    for j in range(start - 1, -1, -1):
        if candidates[j].block != block:
            return False
        if candidates[j].list_item and candidates[j].text.endswith(":"):
            return True
    return False


def _more_windows(
    scored: list[tuple[float, float, ChunkRow, list[int]]],
    read: list[tuple[float, float, ChunkRow, list[int]]],
    limit: int,
    wanted: Callable[[ChunkRow, list[int]], bool],
) -> list[tuple[float, float, ChunkRow, list[int]]]:
    """The best ``limit`` windows of ``scored`` (in its order) that are not in ``read`` and
    are ``wanted`` (they give advice; they say what the asked word is)."""
    chosen = {(item[2].chunk_id, tuple(item[3])) for item in read}
    more: list[tuple[float, float, ChunkRow, list[int]]] = []
    for item in scored:
        if len(more) >= limit:
            break
        if (item[2].chunk_id, tuple(item[3])) not in chosen and wanted(item[2], item[3]):
            more.append(item)
    return more


def _closer_sections(
    scored: list[tuple[float, float, ChunkRow, list[int]]],
    read: list[tuple[float, float, ChunkRow, list[int]]],
    section_scores: Callable[[list[str]], list[float]] | None,
) -> list[tuple[float, float, ChunkRow, list[int]]]:
    """The best window of the ``weights.SHORT_CLOSER_SECTIONS`` page sections closest to the question
    (the search's section vectors), in ``scored`` order, of those no ``read`` window is from
    and at least as close as the closest read one: the section that answers may hold few of a
    long message's words ("can lymphedema start this late": "... many years after treatment")."""
    if section_scores is None or not read:
        return []
    seen = {item[2].chunk_id for item in read}
    unread = []
    for item in scored:  # best first: the first window of a section is its best
        if item[2].chunk_id not in seen:
            seen.add(item[2].chunk_id)
            unread.append(item)
    floor = max(section_scores([item[2].chunk_id for item in read]))
    closeness = section_scores([item[2].chunk_id for item in unread])
    closer = sorted((i for i, close in enumerate(closeness) if close >= floor), key=lambda i: -closeness[i])
    return [unread[i] for i in sorted(closer[:weights.SHORT_CLOSER_SECTIONS])]


@dataclass(frozen=True, slots=True)
class ShortAnswer:
    """The best 1-3 consecutive sentences of the best section for a question."""

    chunk: ChunkRow
    run: list[Unit]
    score: float
    similarity: float
    coverage: float


@dataclass(frozen=True, slots=True)
class AlsoAsked:
    """What a question on living with cancer asks without the cancer or drug it names as
    context (its encoder ``vector``, embedded when first asked for, and its closeness to page
    sections by chunk id), and the ``pages`` on living with cancer that are read by it when
    the short answer would otherwise come from a page on what is named
    (:meth:`.short_answer._ShortAnswers._short_ranked`)."""

    vector: Callable[[], Any]
    pages: frozenset[int]
    section_scores: Callable[[list[str]], list[float]]

    def read_again(
        self, windows: list[tuple[float, float, ChunkRow, list[int]]], vectors: Any, similarities: Any, sections: list[float]
    ) -> tuple[Any, list[float]]:
        """The windows' and their sections' closeness (``vectors``: the question's, then the
        windows'), a window of one of :attr:`pages` as close as it is to this reading."""
        on = [chunk.document in self.pages for _, _, chunk, _ in windows]
        again = np.where(on, np.maximum(similarities, vectors[1:] @ np.asarray(self.vector())), similarities)
        near = self.section_scores([chunk.chunk_id for _, _, chunk, _ in windows])
        return again, [max(a, b) if o else a for a, b, o in zip(sections, near, on, strict=True)]


def ranked_windows(
    windows: list[tuple[float, float, ChunkRow, list[int]]], similarities: Any, sections: list[float], bonuses: list[float]
) -> list[tuple[float, float, float, ChunkRow, list[int]]]:
    """The short-answer windows (words-and-rank score, lexical part, chunk, window) best first
    by the encoder's closeness of each window and of its section to the question, its lexical
    part and its ``bonuses`` (``short_weights``)."""
    return sorted(
        (
            (
                float(sim) + weights.SHORT_LEXICAL_WEIGHT * lexical + weights.SHORT_SECTION_WEIGHT * float(section) + bonus,
                float(sim), lexical, chunk, window,
            )
            for (_, lexical, chunk, window), sim, section, bonus in zip(windows, similarities, sections, bonuses, strict=True)
        ),
        key=lambda item: -item[0],
    )


def short_hits(
    result: SearchResult,
    page_rank: dict[int, int],
    avoid: frozenset[int],
    documents: list[DocumentInfo],
    *,
    only_evidence: bool = False,
) -> list[Hit]:
    """The search's hits on the evidence's pages (``page_rank``; else, unless ``only_evidence``,
    on any page not avoided), patient pages only when any."""
    hits = [h for h in result.hits if h.document in page_rank] or [
        h for h in result.hits if h.document not in avoid and not only_evidence
    ]
    patient = [h for h in hits if not documents[h.document].professional]
    return patient or hits


def nearest_sections(
    chunks: Callable[[list[int]], list[ChunkRow]],
    skipped: Callable[[str], bool],
    page_rank: dict[int, int],
    section_scores: Callable[[list[str]], list[float]],
) -> list[tuple[int, ChunkRow]]:
    """The sections of the first ``weights.SHORT_FALLBACK_PAGES`` evidence pages nearest to the
    question (the search's section vectors), at most ``weights.SHORT_HITS``, each ranked by its
    place; never a section ``skipped`` by its heading."""
    pages = sorted(page_rank, key=page_rank.__getitem__)[: weights.SHORT_FALLBACK_PAGES]
    found = [c for c in chunks(pages) if not skipped(c.section)]
    if not found:
        return []
    scores = section_scores([c.chunk_id for c in found])
    order = sorted(range(len(found)), key=lambda i: -scores[i])[: weights.SHORT_HITS]
    return [(rank, found[i]) for rank, i in enumerate(order)]
