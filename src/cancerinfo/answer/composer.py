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
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from cancerinfo.answer.citations import (
    FOLDED_PAGES_KEPT,
    Unit,
    fold,
    folded_page,
    quote_in_page,
    units,
)
from cancerinfo.answer.contract import Citation, Section
from cancerinfo.answer.evidence import SECTION_SEPARATOR, ChunkRow, Evidence, EvidenceFinder
from cancerinfo.answer.plan import AnswerPolicy, SectionKind
from cancerinfo.index.records import DocumentInfo, Hit, SearchResult
from cancerinfo.policies import any_of

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

#: A section of a page quoted beside its siblings gets at least this many sentences.
MIN_QUOTES_PER_SECTION = 2
MAX_CACHED_TERMS = 200_000
#: Chunks whose units are kept ready for quoting (a chunk is a few kB of text).
MAX_PREPARED_CHUNKS = 20_000
#: (part of an answer, page) pairs whose fitting chunks are kept.
MAX_PAGE_FITTINGS = 50_000
_LEADS_IN = re.compile(r"\b(include|includes|including|such as|following|these|are|is|or|and)$", re.IGNORECASE)


class Composer:
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
        self.store = finder.store
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
        self._bodies: dict[int, str] = {}
        self._terms = _Remembered(self._find_key_terms)
        self._prepared: _Remembered[ChunkRow, _Prepared] = _Remembered(self._prepare, limit=MAX_PREPARED_CHUNKS)
        self._page_fitting: _Remembered[tuple[str, int], list[tuple[ChunkRow, int]]] = _Remembered(
            self._fitting, limit=MAX_PAGE_FITTINGS
        )
        self.vocabulary = finder.vocabulary

    def evidence(self, result: SearchResult, intent: str) -> Evidence:
        """The pages and chunks an answer of ``intent`` may quote (:meth:`EvidenceFinder.find`)."""
        return self.finder.find(result, self.policy.plan(intent))

    def warm(self) -> int:
        """Ahead of the first questions: fold the pages (every quote is checked against its
        folded page; about 2 ms a page), as many as are kept, and work out which headings
        fit which parts of an answer (:meth:`EvidenceFinder.warm`) and which are never
        quoted; returns the pages folded."""
        pages = min(len(self.documents), FOLDED_PAGES_KEPT)
        for document in range(pages):
            folded_page(self.body(document))
        self.finder.warm()
        for (section,) in self.store.query("SELECT DISTINCT section FROM chunks"):
            self._skipped_section(section)
        return pages

    def body(self, document: int) -> str:
        """The Markdown body of the page at position ``document`` (read once, then kept; ``''`` if
        it is gone)."""
        if document not in self._bodies:
            row = self.store.query("SELECT body FROM documents WHERE id = ?", (self.documents[document].id,))
            self._bodies[document] = row[0]["body"] if row else ""
        return self._bodies[document]

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
        body = self.body(chunk.document)
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
        for i in sorted(chosen, reverse=True):  # a sentence pointing back comes with the one before
            if i in chosen and needs_before(candidates, i) and i - 1 not in chosen:
                if i - 1 in usable_set:
                    chosen.add(i - 1)
                elif not leads_in[i]:  # a list's intro stays with its items
                    chosen.discard(i)
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

    def short_answer(
        self,
        question: str,
        result: SearchResult,
        evidence: Evidence,
        *,
        embed: Callable[[list[str]], object],
        stem: Callable[[str], str],
        parts: tuple[str, ...] = (),
        avoid: frozenset[int] = frozenset(),
        section_scores: Callable[[list[str]], list[float]] | None = None,
    ) -> list[ShortAnswer]:
        """The best 1-3 consecutive quotable sentences for ``question`` among the sections
        the search found on the evidence's pages (patient pages before health-professional
        ones): windows ranked by the share of the question's words they hold and the hit's
        rank, the best few then by the cosine of their text to the question (``embed``:
        texts -> unit rows, the question first). ``avoid``: pages not to quote. The best
        window of each section, best first (the short answer is the first)."""
        wanted = question_words(question, stem)
        page_rank = {d: i for i, d in enumerate(evidence.pages) if d not in avoid}
        hits = self._short_hits(result, page_rank, avoid)
        if not hits:
            return []
        scored = self._short_windows(question, hits, page_rank, wanted, stem, parts)
        if not scored:
            return []
        ranked = self._short_ranked(question, scored, embed, section_scores)
        return self._short_checked(ranked)

    def _short_hits(self, result: SearchResult, page_rank: dict[int, int], avoid: frozenset[int]) -> list[Hit]:
        """The search's hits on the evidence's pages (else on any page not avoided), patient pages only when any."""
        hits = [h for h in result.hits if h.document in page_rank] or [
            h for h in result.hits if h.document not in avoid
        ]
        patient = [h for h in hits if not self.documents[h.document].professional]
        return patient or hits

    def _short_windows(
        self,
        question: str,
        hits: list[Hit],
        page_rank: dict[int, int],
        wanted: frozenset[str],
        stem: Callable[[str], str],
        parts: tuple[str, ...],
    ) -> list[tuple[float, float, ChunkRow, list[int]]]:
        """Every window of the first hits' sections, scored by words held and the hit's rank, best first."""
        asked = set(_QWORD.findall(question.lower()))
        part = next((p for p in parts if p in self.policy.sections and self.policy.sections[p].from_ == "kb"), None)
        scored: list[tuple[float, float, ChunkRow, list[int]]] = []
        for rank, hit in enumerate(hits[:SHORT_HITS]):
            chunk = next((c for c in self.finder.chunks([hit.document]) if c.chunk_id == hit.chunk_id), None)
            if chunk is None or self._skipped_section(chunk.section):
                continue
            # the search's order and the evidence's (patient, general, then narrower pages),
            # a heading that fits what was asked, a page for other people (children) or a
            # research news page only when asked
            prior = SHORT_RANK_PRIOR / (rank + 1) + SHORT_PAGE_PRIOR / (page_rank.get(hit.document, 8) + 1)
            if part is not None and self.finder.fit(part, chunk, first_section=self.policy.sections[part].first_section) is not None:
                prior += 0.15
            narrowing = set(self.finder.title_words[chunk.document]) & self.policy.audience_qualifiers
            if narrowing - asked:
                prior -= 0.3
            prepared = self._prepared[chunk]
            usable = [
                i for i in prepared.quotable
                if i not in prepared.unless or self._asked_for(question, prepared.candidates[i].text)
            ]
            for window in _windows(prepared, usable):
                text = " ".join(prepared.candidates[i].text for i in window)
                words = frozenset(stem(w) for w in _QWORD.findall(text.lower()))
                coverage = len(wanted & words) / len(wanted) if wanted else 0.0
                length = len(text.split())
                penalty = 0.15 if length > SHORT_MAX_WORDS else 0.0
                scored.append((coverage + prior - penalty - 0.02 * len(window), coverage + prior - penalty, chunk, window))
        scored.sort(key=lambda item: -item[0])
        return scored

    def _short_ranked(
        self,
        question: str,
        scored: list[tuple[float, float, ChunkRow, list[int]]],
        embed: Callable[[list[str]], object],
        section_scores: Callable[[list[str]], list[float]] | None,
    ) -> list[tuple[float, float, float, ChunkRow, list[int]]]:
        """The windows that can still win, ranked again by closeness to the question (the window's and its section's)."""
        import numpy as np

        # the encoder reads only the windows that can still win on closeness: the best few, and
        # the others of the first ones within reach of the best by words and rank
        # at most SHORT_PER_SECTION windows a page section, so that sections compete on
        # closeness, not only the windows of the one paragraph that holds the most words asked
        diverse: list[tuple[float, float, ChunkRow, list[int]]] = []
        per_section: dict[str, int] = {}
        for item in scored:
            if len(diverse) >= SHORT_CANDIDATES:
                break
            key = item[2].chunk_id
            if per_section.get(key, 0) < SHORT_PER_SECTION:
                per_section[key] = per_section.get(key, 0) + 1
                diverse.append(item)
        best = [
            item for position, item in enumerate(diverse)
            if position < SHORT_CANDIDATES_MIN or item[0] >= scored[0][0] - SHORT_CANDIDATES_REACH
        ]
        texts = [" ".join(self._prepared[c].candidates[i].text for i in w) for _, _, c, w in best]
        vectors = np.asarray(embed([question, *texts]))
        similarities = vectors[1:] @ vectors[0]
        # the whole page section's closeness to the question too (the search's section
        # vectors): a sentence close in words inside a section about something else loses
        sections = (
            section_scores([c.chunk_id for _, _, c, _ in best]) if section_scores is not None and SHORT_SECTION_WEIGHT
            else [0.0] * len(best)
        )
        return sorted(
            ((float(sim) + SHORT_LEXICAL_WEIGHT * lexical + SHORT_SECTION_WEIGHT * float(section), float(sim), lexical, chunk, window)
             for (_, lexical, chunk, window), sim, section in zip(best, similarities, sections, strict=True)),
            key=lambda item: -item[0],
        )

    def _short_checked(self, ranked: list[tuple[float, float, float, ChunkRow, list[int]]]) -> list[ShortAnswer]:
        """The best window of each section, in rank order, whose quote is found word for word on its page."""
        found: list[ShortAnswer] = []
        for score, similarity, lexical, chunk, window in ranked:
            if any(f.chunk.chunk_id == chunk.chunk_id for f in found):
                continue  # one candidate a section
            run = [self._prepared[chunk].candidates[i] for i in window]
            if quote_in_page(_joined(run), self.body(chunk.document)):
                found.append(ShortAnswer(chunk, run, score, similarity, lexical))
        return found

    def short_section(self, short: ShortAnswer, n: int) -> tuple[Section, Citation]:
        """The short answer as the first section of an answer, citation number ``n``."""
        citation = self._citation(n, short.chunk, short.run)
        return Section("short_answer", "Short answer", "\n".join(_render(short.run, n)), [n], "kb"), citation

    def same_section(
        self, short: ShortAnswer, n: int, *, limit: int, title: str | None = None, include_run: bool = False
    ) -> tuple[Section | None, list[Citation]]:
        """More of the short answer's own section: its first ``limit`` quotable units not in
        the short answer, in page order (a list item with its later sentences), numbered from
        ``n``; titled with the section's heading."""
        prepared = self._prepared[short.chunk]
        run_texts = {u.text for u in short.run}
        # a part titled with the section's heading does not quote that heading (a PDQ key
        # point, a sentence) under itself as well
        own_heading = short.chunk.section.split(SECTION_SEPARATOR)[-1].strip() if title is None else None
        start = min((i for i, u in enumerate(prepared.candidates) if u.text in run_texts), default=0)
        # what follows the short answer first, then what comes before it in the section
        indices = sorted(
            (
                i for i in prepared.quotable
                if i not in prepared.unless
                and prepared.candidates[i].text != own_heading
                and (include_run or prepared.candidates[i].text not in run_texts)
                and (not include_run or i >= start)
            ),
            key=lambda i: (i < start, i),
        )
        chosen: list[int] = []
        for i in indices:
            unit = prepared.candidates[i]
            if len([j for j in chosen if not prepared.candidates[j].continues_item]) >= limit and not unit.continues_item:
                break
            if unit.continues_item and (not chosen or chosen[-1] != i - 1):
                continue
            if prepared.leads_in[i] and i + 1 not in indices:
                continue  # an intro whose items are not quotable
            chosen.append(i)
        while chosen and prepared.leads_in[chosen[-1]]:
            chosen.pop()  # an intro line whose items did not fit
        if not chosen:
            return None, []
        runs: list[list[Unit]] = []
        previous = -2
        for i in chosen:
            unit = prepared.candidates[i]
            if runs and i == previous + 1 and _continues(runs[-1][-1], unit):
                runs[-1].append(unit)
            else:
                runs.append([unit])
            previous = i
        body = self.body(short.chunk.document)
        lines: list[str] = []
        citations: list[Citation] = []
        for run in runs:
            if not quote_in_page(_joined(run), body):
                continue
            citation = self._citation(n + len(citations), short.chunk, run)
            citations.append(citation)
            lines.extend(_render(run, citation.n))
        if not lines:
            return None, []
        heading = title or short.chunk.section.split(SECTION_SEPARATOR)[-1].strip() or "More on this"
        return Section("same_section", heading, "\n".join(lines), [c.n for c in citations], "kb"), citations

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
        quotable = [i for i, unit in enumerate(candidates) if self._quotable(unit, introduces_list=leads_in[i])]
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
        if not unit.list_item and not _ENDS_SENTENCE.search(text) and not (introduces_list and introduces(text)):
            return False  # a link title or a caption ("Eating Hints: Before, during, and after Cancer Treatment")
        return not _found(self._never, text)  # skip_lines, quote_exclusions (once a chunk: _prepare is kept)

    def _asked_for(self, question: str, text: str) -> bool:
        """A unit that ``quote_exclusions_unless_asked`` leaves out unless the question asks
        about it: may it be quoted for this question? A unit naming a stage is quoted only
        when it names the stage asked ("stage 3" = stage III, IIIA, IIIB, IIIC)."""
        if any(p.search(text) and not asked.search(question) for p, asked in self._unless):
            return False
        asked_stages = stages_named(question)
        named = stages_named(text)
        return not (asked_stages and named and not named & asked_stages)

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
    r"\b(the following|listed below|shown below|links? below|see below|below to|as follows|those below|described below)\b",
    re.IGNORECASE,
)


#: A sentence opening on a word that points back at the sentence before it ("This is a
#: doctor who ...", "These clinics ...", "They will ..."); "This page/section" points at
#: the page itself. ("It" is left out: "It can help to ..." stands alone.)
_POINTS_BACK = re.compile(
    r"^(?:this|these|that|those|they|their|such|both|he|she|his|her)\b"
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


# -- the short answer ---------------------------------------------------------------------
#: Candidate windows (1-3 consecutive sentences) embedded per question, best lexical first.
SHORT_CANDIDATES = 8
#: ... of which these many always, the others only within this lexical score of the best
SHORT_CANDIDATES_MIN = 5
#: The search hits whose sections the short answer is chosen from.
SHORT_HITS = 8
SHORT_CANDIDATES_REACH = 0.3
#: ... and at most these many of one page section
SHORT_PER_SECTION = 3
#: weights of the search's chunk rank, the evidence's page rank and the words-and-rank score
#: against the encoder's cosine when the short answer is chosen
SHORT_RANK_PRIOR = 0.2
SHORT_PAGE_PRIOR = 0.1
SHORT_LEXICAL_WEIGHT = 0.5
SHORT_SECTION_WEIGHT = 0.8
#: Sentences in a short answer, at most.
SHORT_MAX_UNITS = 3
#: A window longer than this (words) is cut back (a short answer reads in seconds).
SHORT_MAX_WORDS = 70
_QWORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an the and or of to in on for with is are was were be been being do does did i my me we our you your "
    "he she his her they them their it its this that these those what when where why how which who can could "
    "should would will may might about after before from at by as if so than then there here just get got "
    "have has had not no yes any some much many more most very really also still please thanks".split()
)


@dataclass(frozen=True, slots=True)
class ShortAnswer:
    """The best 1-3 consecutive sentences of the best section for a question."""

    chunk: ChunkRow
    run: list[Unit]
    score: float
    similarity: float
    coverage: float


_ENDS_SENTENCE = re.compile(r"[.!:;][\"”’)\]]*$")
_STAGE_ONE = r"(0|iv|v|i{1,3}|[1-4])\s*(?:[abc]\d?)?"
#: "stage 3", "Stage IIIB", "Stage IA1", and each stage of "stages IA and IB" / "stages II to IV"
_STAGE = re.compile(r"\bstages?\s*" + _STAGE_ONE + r"\b((?:\s*(?:,|and|or|to|-|–)\s*" + _STAGE_ONE + r"\b)*)", re.IGNORECASE)
_STAGE_MORE = re.compile(r"(?:,|and|or|to|-|–)\s*" + _STAGE_ONE + r"\b", re.IGNORECASE)
_ROMAN = {"0": "0", "1": "i", "2": "ii", "3": "iii", "4": "iv", "i": "i", "ii": "ii", "iii": "iii", "iv": "iv", "v": "v"}


def stages_named(text: str) -> frozenset[str]:
    """The stages a text names, as roman numerals ("stage 3" and "stage IIIB" both name iii)."""
    found = set()
    for match in _STAGE.finditer(text):
        found.add(_ROMAN[match.group(1).lower()])
        found.update(_ROMAN[more.group(1).lower()] for more in _STAGE_MORE.finditer(match.group(2) or ""))
    return frozenset(found)


def _reads_as_sentence(text: str) -> bool:
    """Not a heading-like label ("Stage III (also called stage 3) colon cancer"): a short
    answer opens with a sentence."""
    return text.rstrip().endswith((".", "!", ":")) and len(text.split()) >= 5


def question_words(question: str, stem: Callable[[str], str]) -> frozenset[str]:
    """The stems of a question's content words ("stage 3" also as "iii")."""
    words = {stem(w) for w in _QWORD.findall(question.lower()) if w not in _STOP and len(w) > 1}
    return frozenset(words | stages_named(question))


def _windows(prepared: _Prepared, usable: list[int]) -> list[list[int]]:
    """Runs of 1 to ``SHORT_MAX_UNITS`` consecutive usable units that read on from each
    other (one paragraph or list); a list intro only with its first item; a short label
    opening a list item ("After chemotherapy.") only with the sentences of its item."""
    allowed = set(usable)
    candidates = prepared.candidates
    windows = []
    for start in usable:
        if candidates[start].continues_item or needs_before(candidates, start):
            continue
        # a list item opened by a short label ("After chemotherapy. Hair often grows back in
        # 2 to 3 months ..."): the label only with the sentences of its item
        label = not _reads_as_sentence(candidates[start].text)
        if label and not (
            candidates[start].text.rstrip().endswith((".", ":"))
            and start + 1 in allowed
            and candidates[start + 1].continues_item
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
            if len(run) >= SHORT_MAX_UNITS or nxt not in allowed or not _continues(candidates[run[-1]], candidates[nxt]):
                break
            run.append(nxt)
    return windows
