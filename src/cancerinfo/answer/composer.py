"""The extractive composer: an answer in plain sections, every medical sentence a quote.

For a question whose search result passed the evidence gate, with the pages of
:mod:`.evidence`:

1. for each part of the intent's plan (``policies/answer.yaml``), the sections of those
   pages whose heading fits the part, best fit first, from up to ``pages_per_section``
   distinct pages; when the question's own pages have none, general pages that stand in
   for the part ("Side Effects of Cancer Treatment");
2. from those sections, quotable units (:mod:`.citations`): sentences and list items, minus
   navigation leftovers and sentences that could read as a verdict on the asker; a run of
   consecutive units of one paragraph or list is one citation, checked word for word
   against its page before it is used (a quote not found is never shown);
3. navigation parts (questions to ask, when to seek care) from the policy, marked
   ``source: policy``.
"""

from __future__ import annotations

import re

from cancerinfo.answer.citations import (
    FOLDED_PAGES_KEPT,
    Unit,
    fold,
    folded_page,
    quote_in_page,
    units,
)
from cancerinfo.answer.contract import Citation, Section
from cancerinfo.answer.evidence import Evidence, EvidenceFinder
from cancerinfo.answer.evidence_words import SECTION_SEPARATOR
from cancerinfo.answer.kb_reader import ChunkRow, KBReader
from cancerinfo.answer.plan import AnswerPolicy, SectionKind
from cancerinfo.answer.quoting import (
    _ENDS_SENTENCE,
    ANNOUNCES,
    _continues,
    _found,
    _head_chosen,
    _joined,
    _Prepared,
    _Remembered,
    _render,
    _with_antecedents,
    introduces,
    link_list_items,
)
from cancerinfo.answer.short_answer import _ShortAnswers
from cancerinfo.answer.windows import stages_named, sub_stages
from cancerinfo.index.records import DocumentInfo, SearchResult
from cancerinfo.policies import any_of

#: A section of a page quoted beside its siblings gets at least this many sentences.
MIN_QUOTES_PER_SECTION = 2
#: Chunks whose units are kept ready for quoting (a chunk is a few kB of text).
MAX_PREPARED_CHUNKS = 20_000
#: (part of an answer, page) pairs whose fitting chunks are kept.
MAX_PAGE_FITTINGS = 50_000


class Composer(_ShortAnswers):
    """Composes the sections of an answer from the evidence, every medical sentence a checked quote
    (module docstring)."""

    def __init__(
        self,
        finder: EvidenceFinder,
        *,
        emergency_guidance: str,
        emergency_number: str,
    ) -> None:
        self.finder = finder
        self.kb: KBReader = finder.kb  # one reader (and one cache of pages) for both
        self.documents: list[DocumentInfo] = finder.documents
        self.policy: AnswerPolicy = finder.policy
        self.emergency_guidance = emergency_guidance
        self.emergency_number = emergency_number
        policy = self.policy
        # one pattern for all the lines never quoted: one pass over a unit instead of one per entry
        self._never = any_of([*policy.skip_lines, *policy.quote_exclusions])
        self._unless = [
            (re.compile(e.pattern, re.IGNORECASE), re.compile(e.asked, re.IGNORECASE))
            for e in policy.quote_exclusions_unless_asked
        ]
        self._unless_any = any_of([e.pattern for e in policy.quote_exclusions_unless_asked])
        self._skip_sections = any_of(policy.skip_sections)
        # headings and units repeat across questions: each is looked at once
        self._skipped = _Remembered(lambda section: _found(self._skip_sections, section))
        self._terms = _Remembered(self._find_key_terms)
        self._prepared: _Remembered[ChunkRow, _Prepared] = _Remembered(self._prepare, limit=MAX_PREPARED_CHUNKS)
        self._page_fitting: _Remembered[tuple[str, int], list[tuple[ChunkRow, int]]] = _Remembered(
            self._fitting, limit=MAX_PAGE_FITTINGS
        )
        self.vocabulary = finder.vocabulary

    def evidence(self, result: SearchResult, intent: str, *, drug_classes: bool = False) -> Evidence:
        """The pages and chunks an answer of ``intent`` may quote (:meth:`EvidenceFinder.find`)."""
        return self.finder.find(result, self.policy.plan(intent), drug_classes=drug_classes)

    def warm(self) -> int:
        """Ahead of the first questions: fold the pages (every quote is checked against its
        folded page; about 2 ms a page), as many as are kept, and work out which headings
        fit which parts of an answer (:meth:`EvidenceFinder.warm`) and which are never
        quoted; returns the pages folded."""
        pages = min(len(self.documents), FOLDED_PAGES_KEPT)
        for document in range(pages):
            folded_page(self.kb.body(document))
        self.finder.warm()
        for section in dict.fromkeys(row.section for row in self.kb.sections()):
            self._skipped_section(section)
        return pages

    # -- composing --------------------------------------------------------------------------
    def compose(
        self, question: str, intent: str, evidence: Evidence, *, hit_chunks: set[str]
    ) -> tuple[list[Section], list[Citation]]:
        """The sections of the intent's plan, in plan order, with their citations numbered from 1:
        quotes from the best-fitting sections of the evidence pages (``source: kb``) and the
        policy's navigation parts."""
        sections: list[Section] = []
        citations: list[Citation] = []
        used_chunks: set[str] = set()
        used_text: set[str] = set()
        for name in self.policy.plan(intent):
            kind = self.policy.sections[name]
            if kind.from_ == "policy":
                section = self._policy_section(name, kind, intent)
                if section is not None:
                    sections.append(section)
                continue
            chosen = self._choose_chunks(name, kind, evidence, hit_chunks, used_chunks)
            if not chosen and evidence.named and not evidence.drug_named and self.finder.add_fallback(evidence, name):
                chosen = self._choose_chunks(name, kind, evidence, hit_chunks, used_chunks)
            lines: list[str] = []
            numbers: list[int] = []
            budget = kind.quotes
            for position, group in enumerate(chosen):
                # the best page gets most of the quotes, leaving a few for each other page
                later = len(chosen) - 1 - position
                share = max(1, budget - MIN_QUOTES_PER_SECTION * later) if later else budget
                share = max(share, MIN_QUOTES_PER_SECTION)  # a list before may have run long
                for number, chunk in enumerate(group):
                    # sibling sections ("Pap test", "HPV test", ...) share the page's quotes
                    limit = max(MIN_QUOTES_PER_SECTION, share // (len(group) - number)) if len(group) > 1 else share
                    runs = self._quotes(question, chunk, limit=limit, used=used_text)
                    if not runs:
                        continue
                    used_chunks.add(chunk.chunk_id)
                    for run in runs:
                        budget -= len(run)
                        share -= len(run)
                        citation = self._citation(len(citations) + 1, chunk, run)
                        citations.append(citation)
                        numbers.append(citation.n)
                        lines.extend(_render(run, citation.n))
                    if share <= 0:
                        break
            if lines:
                sections.append(Section(name, kind.title, "\n".join(lines), numbers, "kb"))
        return sections, citations

    def _choose_chunks(
        self,
        name: str,
        kind: SectionKind,
        evidence: Evidence,
        hit_chunks: set[str],
        used: set[str],
    ) -> list[list[ChunkRow]]:
        # the chunks that fit the part, in evidence order (a page's chunks are together in
        # it), each with its fit
        fitting = [
            item
            for document in dict.fromkeys(chunk.document for chunk in evidence.chunks)
            for item in self._page_fitting[(name, document)]
            if item[0].chunk_id not in used
        ]
        page_rank = {d: i for i, d in enumerate(evidence.pages)}
        best_of_page: dict[int, tuple[tuple[bool, bool, int, bool, int, int], ChunkRow]] = {}
        for chunk, fit in fitting:
            key = (
                chunk.document in evidence.general,
                not self.finder.title_fits(name, chunk.document),
                fit,
                chunk.chunk_id not in hit_chunks,
                page_rank[chunk.document],
                chunk.ordinal,
            )
            current = best_of_page.get(chunk.document)
            if current is None or key < current[0]:
                best_of_page[chunk.document] = (key, chunk)
        ordered = sorted(best_of_page.values(), key=lambda item: item[0])
        return [self._page_group(kind, best, fitting) for _, best in ordered[: self.policy.pages_per_section]]

    def _fitting(self, key: tuple[str, int]) -> list[tuple[ChunkRow, int]]:
        """The chunks of a page that fit a part (sections never quoted left out), each with
        its fit, in page order; for ``_page_fitting[(part, page)]``."""
        name, document = key
        first_section = self.policy.sections[name].first_section
        return [
            (chunk, fit)
            for chunk in self.finder.chunks([document])
            if not self._skipped_section(chunk.section)
            and (fit := self.finder.fit(name, chunk, first_section=first_section)) is not None
        ]

    def _page_group(self, kind: SectionKind, best: ChunkRow, fitting: list[tuple[ChunkRow, int]]) -> list[ChunkRow]:
        """The sections of the best chunk's page that fit the part (their heading or a
        parent heading does: "How cervical cancer is diagnosed" > "Colposcopy", "Biopsy"),
        at most ``quotes`` of them, best fitting first, then in page order. ``fitting``: the
        chunks that fit the part, with their fit (:meth:`_choose_chunks`)."""
        group = [
            (fit, chunk.ordinal, chunk)
            for chunk, fit in fitting
            if chunk.document == best.document and (fit <= 2 or chunk.chunk_id == best.chunk_id)
        ]
        if best.section and len(group) > 1:  # the opening section only when nothing else fits
            group = [item for item in group if item[2].section or item[2].chunk_id == best.chunk_id]
        kept = sorted(group, key=lambda item: (item[0], item[1]))[: kind.quotes]
        return [chunk for _, _, chunk in sorted(kept, key=lambda item: item[1])]

    def _quotes(self, question: str, chunk: ChunkRow, *, limit: int, used: set[str]) -> list[list[Unit]]:
        """About ``limit`` units of a chunk as runs of consecutive units, each run checked
        against the page. The chunk's lead sentence comes first; then the sentences that
        name the most KB terms not named yet (a test, a drug, a body part), so that a few
        quotes carry as much of the section as they can; a list is quoted whole (up to a
        cap) with its intro line. Units keep their order in the page."""
        body = self.kb.body(chunk.document)
        prepared = self._prepared[chunk]
        candidates, leads_in, folded = prepared.candidates, prepared.leads_in, prepared.folded
        usable = [
            i for i in prepared.quotable
            if folded[i] not in used and (i not in prepared.unless or self._asked_for(question, candidates[i].text))
        ]
        usable_set = set(usable)
        chosen: set[int] = set()
        covered: set[str] = set()

        def take(i: int) -> None:
            group = [i]
            if leads_in[i] or candidates[i].list_item:  # the whole list, with its intro line
                block = candidates[i].block + (1 if leads_in[i] else 0)
                items = [j for j in usable if candidates[j].list_item and candidates[j].block == block]
                group = items[: self.policy.max_list_items] + [
                    j for j in usable if leads_in[j] and candidates[j].block + 1 == block
                ]
            for j in group:
                chosen.add(j)
                covered.update(self._key_terms(candidates[j].text))

        if usable:
            take(usable[0])
        while len(chosen) < limit:
            gains = [
                (len(self._key_terms(candidates[i].text) - covered), -i)
                for i in usable if i not in chosen
            ]
            gains = [g for g in gains if not candidates[-g[1]].continues_item or _head_chosen(candidates, -g[1], chosen)]
            best = max(gains, default=None)
            if best is None or best[0] == 0:
                break
            take(-best[1])
        for i in usable:  # fill up in page order
            if len(chosen) >= limit:
                break
            if i not in chosen and not candidates[i].continues_item:
                take(i)
        extra = 0  # a chosen list item's later sentence that names something new comes along
        for i in usable:
            if extra >= self.policy.max_list_items:
                break
            unit = candidates[i]
            if (
                unit.continues_item
                and i not in chosen
                and _head_chosen(candidates, i, chosen)
                and self._key_terms(unit.text) - covered
            ):
                take(i)
                extra += 1
        _with_antecedents(candidates, chosen, usable_set, leads_in)
        runs: list[list[Unit]] = []
        previous = -2
        for i in sorted(chosen):
            unit = candidates[i]
            used.add(folded[i])
            if runs and i == previous + 1 and _continues(runs[-1][-1], unit):
                runs[-1].append(unit)
            else:
                runs.append([unit])
            previous = i
        checked: list[list[Unit]] = []
        for run in runs:
            if quote_in_page(_joined(run), body):
                checked.append(run)
            else:  # a dropped line sat between two units: check them one by one
                checked.extend([u] for u in run if quote_in_page(u.text, body))
        return checked

    def _skipped_section(self, section: str) -> bool:
        """A section never quoted (``skip_sections``)."""
        return self._skipped[section]

    def _key_terms(self, text: str) -> frozenset[str]:
        """The KB terms a unit names (glossary words, drugs, titles...), leaving out the very
        common ones ("cancer", "cells")."""
        return self._terms[text]

    def _find_key_terms(self, text: str) -> frozenset[str]:
        return frozenset(
            name.casefold() for name in self.vocabulary.canonicals(text) if self.finder.is_specific(name)
        )

    def _prepare(self, chunk: ChunkRow) -> _Prepared:
        """What :meth:`_quotes` needs of a chunk whatever the question: its units (a heading
        that is a sentence first), which lead into a list, their folded texts, which are
        quotable, and which of those only when the question asks (``quote_exclusions_unless_asked``)."""
        heading = chunk.section.split(SECTION_SEPARATOR)[-1].strip()
        candidates = units(chunk.text)
        if heading.endswith(".") and len(heading) >= self.policy.min_quote_chars:
            candidates.insert(0, Unit(heading, False, -1))
        leads_in = [
            i + 1 < len(candidates) and candidates[i + 1].list_item and (introduces(u.text) or bool(ANNOUNCES.search(u.text)))
            for i, u in enumerate(candidates)
        ]
        links = link_list_items(candidates, lambda text: _found(self._never, text))
        quotable = [
            i for i, unit in enumerate(candidates) if i not in links and self._quotable(unit, introduces_list=leads_in[i])
        ]
        unless = frozenset(
            i for i in quotable if self._unless_any is not None and self._unless_any.search(candidates[i].text)
        )
        return _Prepared(candidates, leads_in, [fold(unit.text) for unit in candidates], quotable, unless)

    def _quotable(self, unit: Unit, *, introduces_list: bool = False) -> bool:
        """A unit that may be quoted (the exclusions that depend on the question aside)."""
        text = unit.text
        if len(text) > self.policy.max_quote_chars:
            return False
        if not unit.list_item and len(text) < self.policy.min_quote_chars:
            return False
        if text.endswith(":") and not unit.list_item and not introduces_list:
            return False  # an intro line ("Treatment may include:") means little alone
        if text.endswith("?"):
            return False  # a KB heading-question is not an answer
        if not introduces_list and ANNOUNCES.search(text):
            return False  # points at what the page shows next ("... are below."), without it
        if not unit.list_item and not _ENDS_SENTENCE.search(text) and not (introduces_list and introduces(text)):
            return False  # a link title or a caption ("Eating Hints: Before, during, and after Cancer Treatment")
        return not _found(self._never, text)  # skip_lines, quote_exclusions (once a chunk: _prepare is kept)

    def _asked_for(self, question: str, text: str) -> bool:
        """A unit that ``quote_exclusions_unless_asked`` leaves out unless the question asks
        about it: may it be quoted for this question? A unit naming a stage is quoted only
        when it names the stage asked ("stage 3" = stage III, IIIA, IIIB, IIIC); for a sub-stage
        asked, not when it names only other sub-stages of that stage ("stage 3b": not IIIA)."""
        if any(p.search(text) and not asked.search(question) for p, asked in self._unless):
            return False
        asked_stages = stages_named(question, sub=True)
        named = stages_named(text, sub=True)
        if asked_stages and named and not named & asked_stages:
            return False
        # "stage IIB" asked: not what is said of stage IIA only
        other = {s for s in sub_stages(named) if s[:-1] in asked_stages} - asked_stages
        return not (sub_stages(asked_stages) and other and not named & sub_stages(asked_stages))

    def _citation(self, n: int, chunk: ChunkRow, run: list[Unit]) -> Citation:
        info = self.documents[chunk.document]
        return Citation(
            n=n,
            url=info.url,
            title=info.title,
            section=chunk.section,
            chunk_id=chunk.chunk_id,
            quote=_joined(run),
            source=info.source,
            sourceType=info.source_type,
            citation=info.citation,
            lastReviewed=info.last_reviewed,
            review_status=info.review_status,
        )

    def _policy_section(self, name: str, kind: SectionKind, intent: str) -> Section | None:
        if name == "questions_for_doctor":
            text = "\n".join(f"- {q}" for q in self.policy.doctor_questions(intent))
        elif name == "emergency_guidance":
            text = self.emergency_guidance
        elif kind.items:
            text = "\n".join(f"- {item}" for item in kind.items)
        elif kind.text:
            text = kind.text.replace("{emergency_number}", self.emergency_number)
        else:
            return None
        return Section(name, kind.title, text, [], "policy")

