"""The short answer: the best 1-3 consecutive quotable sentences of the best section found
for a question, and more of that section as the first supporting part. :class:`_ShortAnswers`
holds the steps; :class:`~cancerinfo.answer.composer.Composer` inherits them (and sets the
attributes they read)."""

from __future__ import annotations

from collections.abc import Callable

from cancerinfo.answer import short_weights as weights
from cancerinfo.answer.citations import Unit, quote_in_page
from cancerinfo.answer.contract import Citation, Section
from cancerinfo.answer.evidence import LIVING_WITH_PARTS, Evidence, EvidenceFinder
from cancerinfo.answer.evidence_words import SECTION_SEPARATOR, audience_asked, for_other_audience
from cancerinfo.answer.kb_reader import ChunkRow, KBReader
from cancerinfo.answer.plan import AnswerPolicy
from cancerinfo.answer.quoting import (
    _continues,
    _joined,
    _Prepared,
    _Remembered,
    _render,
)
from cancerinfo.answer.windows import (
    _QWORD,
    AlsoAsked,
    ShortAnswer,
    _closer_sections,
    _more_windows,
    _windows,
    names_only,
    nearest_sections,
    question_words,
    ranked_windows,
    short_hits,
    stage_asked,
    stage_label,
    stages_named,
    sub_stages,
)
from cancerinfo.index.records import DocumentInfo, Hit, SearchResult


class _ShortAnswers:
    """The short-answer steps of :class:`~cancerinfo.answer.composer.Composer` (which sets
    the attributes declared here and the methods they call)."""

    finder: EvidenceFinder
    kb: KBReader
    documents: list[DocumentInfo]
    policy: AnswerPolicy
    _prepared: _Remembered[ChunkRow, _Prepared]

    # the Composer's methods these steps call (declared here, defined there)
    _skipped_section: Callable[[str], bool]
    _asked_for: Callable[[str, str], bool]
    _citation: Callable[[int, ChunkRow, list[Unit]], Citation]

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
        also_asked: AlsoAsked | None = None,
    ) -> list[ShortAnswer]:
        """The best 1-3 consecutive quotable sentences for ``question`` among the sections
        the search found on the evidence's pages (patient pages before health-professional
        ones): windows ranked by the share of the question's words they hold and the hit's
        rank, the best few then by the cosine of their text to the question (``embed``:
        texts -> unit rows, the question first). ``avoid``: pages not to quote. A question
        asking what to do ("is there anything she can do herself?") also gets the advice
        sections of the first pages found, and windows giving advice score more
        (``policies/answer.yaml`` ``advice``). ``also_asked``: what is asked without the names
        given as context, and the pages it reads (:class:`.windows.AlsoAsked`). The best window
        of each section, best first (the short answer is the first)."""
        wanted = question_words(question, stem)
        page_rank = {d: i for i, d in enumerate(evidence.pages) if d not in avoid}
        # a drug's class pages (evidence.classes) answer for it, not other pages the search found
        hits = short_hits(result, page_rank, avoid, self.documents, only_evidence=bool(evidence.classes))
        advising = self.policy.asks_what_to_do(question)
        terms = self._defined_terms(question, stem)
        asked_sub = sub_stages(stages_named(question, sub=True))
        sections = self._short_sections(hits, advising=advising, terms=terms, stem=stem, stages=asked_sub)
        if evidence.classes and section_scores is not None:  # the search may not reach them
            seen = {c.chunk_id for _, c in sections}
            nearest = nearest_sections(self.finder.chunks, self._skipped_section, {d: 0 for d in evidence.classes if d in page_rank}, section_scores)
            sections += [(len(seen), c) for _, c in nearest[: weights.SHORT_CLASS_SECTIONS] if c.chunk_id not in seen]
        scored = self._short_windows(question, sections, page_rank, wanted, stem, parts, advising=advising, linked=evidence.classes)
        if not scored and section_scores is not None and (hits or evidence.classes):
            # the search's hits on the quoted pages hold nothing quotable (a follow-up, "and
            # if it's already in his liver?", whose words find other pages; a drug's class
            # page the search did not find): the quoted pages' own sections nearest to the question
            sections = nearest_sections(self.finder.chunks, self._skipped_section, page_rank, section_scores)
            scored = self._short_windows(question, sections, page_rank, wanted, stem, parts, advising=advising, linked=evidence.classes)
        if not scored:
            return []
        ranked = self._short_ranked(question, scored, embed, section_scores, advising=advising, terms=terms, stem=stem, also_asked=also_asked)
        return self._short_checked(ranked)

    def _defined_terms(self, question: str, stem: Callable[[str], str]) -> frozenset[str]:
        """For a question that asks what something is, the stems of its words that may name
        it (not ``definition.not_terms`` nor ``topic_generic_words``); else none."""
        definition = self.policy.definition
        asked = self.policy.asked_what_it_is(question)
        if definition is None or not asked:
            return frozenset()
        ignored = {stem(w) for w in definition.not_terms | self.policy.topic_generic_words}
        return frozenset(question_words(" ".join(asked), stem) - ignored)

    def _defines(self, chunk: ChunkRow, window: list[int], terms: frozenset[str], stem: Callable[[str], str]) -> bool:
        """Does a sentence of the window (not a list's intro line) say what one of ``terms``
        is ("Cancer cachexia is a wasting syndrome ...")?"""
        prepared = self._prepared[chunk]
        for i in window:
            if prepared.leads_in[i]:
                continue
            subject = self.policy.defined_subject(prepared.candidates[i].text)
            if subject is not None and {stem(w) for w in _QWORD.findall(subject)} & terms:
                return True
        return False

    def _short_sections(
        self, hits: list[Hit], *, advising: bool, terms: frozenset[str] = frozenset(), stem: Callable[[str], str] = str,
        stages: frozenset[str] = frozenset(),
    ) -> list[tuple[int, ChunkRow]]:
        """The sections of the first hits, each with its hit's rank; for a question asking
        what to do (``advising``), also the sections of the first ``advice.pages`` pages among
        them that give advice, ranked after the hits: "Tips for managing nausea and vomiting"
        when the search found the page by the section explaining nausea; for a question
        asking what one of ``terms`` is, also their sections saying it ("What is cancer
        cachexia?" when the search found the page by its support section); for a question
        naming one of the sub-stages ``stages``, their sections naming it ("stage IIB" when the
        search found the page's first section of stages)."""
        found: list[tuple[int, ChunkRow]] = []
        for rank, hit in enumerate(hits[:weights.SHORT_HITS]):
            chunk = next((c for c in self.finder.chunks([hit.document]) if c.chunk_id == hit.chunk_id), None)
            if chunk is not None:
                found.append((rank, chunk))
        if not advising and not terms and not stages:
            return found
        seen = {chunk.chunk_id for _, chunk in found}
        after = len(found)  # not found by the search: ranked after what it found
        for document in list(dict.fromkeys(chunk.document for _, chunk in found))[: self.policy.advice.pages]:
            for chunk in self.finder.chunks([document]):
                if chunk.chunk_id in seen or self._skipped_section(chunk.section):
                    continue
                if (
                    (advising and self.finder.gives_advice(chunk))
                    or (terms and self._defines(chunk, self._prepared[chunk].quotable, terms, stem))
                    or (stages and any(stages_named(u.text, sub=True) & stages for u in self._prepared[chunk].candidates))
                ):
                    found.append((after, chunk))
                    seen.add(chunk.chunk_id)
        return found

    def _short_windows(
        self,
        question: str,
        sections: list[tuple[int, ChunkRow]],
        page_rank: dict[int, int],
        wanted: frozenset[str],
        stem: Callable[[str], str],
        parts: tuple[str, ...],
        *,
        advising: bool = False,
        linked: tuple[int, ...] = (),
    ) -> list[tuple[float, float, ChunkRow, list[int]]]:
        """Every window of ``sections`` (with their hit's rank), scored by words held and the
        rank, best first; for a question asking what to do (``advising``), a window that gives
        advice (its section does, or one of its sentences opens with advice) gets ``advice.prior`` more."""
        asked = audience_asked(_QWORD.findall(question.lower()), question)
        asked_sub, staged = sub_stages(stages_named(question, sub=True)), stage_asked(wanted)  # (a window's stages: words)
        part = next((p for p in parts if p in self.policy.sections and self.policy.sections[p].from_ == "kb"), None)
        # a question on living with cancer that names a cancer ("29F just diagnosed w hodgkin
        # lymphoma ... will it make me infertile"): that cancer's pages are context
        context_pages = part in LIVING_WITH_PARTS and bool(self.finder.sites_named(question))
        scored: list[tuple[float, float, ChunkRow, list[int]]] = []
        for rank, chunk in sections:
            if self._skipped_section(chunk.section):
                continue
            # the search's order and the evidence's (patient, general, then narrower pages),
            # a heading that fits what was asked, advice when what to do is asked, a page for
            # other people (children) or a research news page only when asked
            prior = weights.SHORT_RANK_PRIOR / (rank + 1) + weights.SHORT_PAGE_PRIOR / (page_rank.get(chunk.document, 8) + 1)
            if part is not None and self.finder.fit(part, chunk, first_section=self.policy.sections[part].first_section) is not None:
                prior += 0.15
            advice_section = advising and self.finder.gives_advice(chunk)
            # (never a drug's class page: the drug's page links to it, "research" in its address or not)
            other = for_other_audience(self.finder.title_words[chunk.document], asked, self.policy.audience_qualifiers)
            if other and chunk.document not in linked:
                prior -= 0.3  # ("Childhood ..." unless asked; a page for adults when children are)
            if context_pages and self._context_page(chunk.document, part):
                prior -= weights.SHORT_CONTEXT_PAGE_PENALTY
            prepared = self._prepared[chunk]
            usable = [
                i for i in prepared.quotable
                if i not in prepared.unless or self._asked_for(question, prepared.candidates[i].text)
            ]
            # a sub-stage's label ("Stage IIB lung cancer (1).", too short alone) opens the sentences after it
            openers = frozenset(
                i for i, unit in enumerate(prepared.candidates)
                if asked_sub and i not in prepared.quotable and stage_label(unit.text) and stages_named(unit.text, sub=True) & asked_sub
            )
            for window in _windows(prepared, sorted({*usable, *openers}), openers):
                text = " ".join(prepared.candidates[i].text for i in window)
                words = frozenset(stem(w) for w in _QWORD.findall(text.lower())) | (stages_named(text, sub=True) if staged else frozenset())
                coverage = len(wanted & words) / len(wanted) if wanted else 0.0
                length = len(text.split())
                penalty = 0.15 if length > weights.SHORT_MAX_WORDS else 0.0
                advice = (
                    self.policy.advice.prior
                    if advice_section or (advising and self._opens_with_advice(prepared, window))
                    else 0.0
                )
                score = coverage + prior + advice - penalty
                scored.append((score - 0.02 * len(window), score, chunk, window))
        scored.sort(key=lambda item: -item[0])
        return scored

    def _short_ranked(
        self,
        question: str,
        scored: list[tuple[float, float, ChunkRow, list[int]]],
        embed: Callable[[list[str]], object],
        section_scores: Callable[[list[str]], list[float]] | None,
        *,
        advising: bool = False,
        terms: frozenset[str] = frozenset(),
        stem: Callable[[str], str] = str,
        also_asked: AlsoAsked | None = None,
    ) -> list[tuple[float, float, float, ChunkRow, list[int]]]:
        """The windows that can still win, ranked again by closeness to the question (the
        window's and its section's); for a question asking what to do (``advising``), the
        best ``advice.candidates`` windows giving advice are among them, and a window gets
        what :meth:`_advice_bonus` gives; for a question asking what one of ``terms`` is, the
        best ``definition.candidates`` windows saying it are among them, and those of the
        first section saying it gain ``definition.weight``."""
        import numpy as np

        # the encoder reads only the windows that can still win on closeness: the best few, and
        # the others of the first ones within reach of the best by words and rank
        # at most weights.SHORT_PER_SECTION windows a page section, so that sections compete on
        # closeness, not only the windows of the one paragraph that holds the most words asked
        diverse: list[tuple[float, float, ChunkRow, list[int]]] = []
        per_section: dict[str, int] = {}
        for item in scored:
            if len(diverse) >= weights.SHORT_CANDIDATES:
                break
            key = item[2].chunk_id
            if per_section.get(key, 0) < weights.SHORT_PER_SECTION:
                per_section[key] = per_section.get(key, 0) + 1
                diverse.append(item)
        best = [
            item for position, item in enumerate(diverse)
            if position < weights.SHORT_CANDIDATES_MIN or item[0] >= scored[0][0] - weights.SHORT_CANDIDATES_REACH
        ]
        best += _closer_sections(scored, best, section_scores)
        if advising:  # the best few windows giving advice are read too, however few words asked they hold
            best += _more_windows(scored, best, self.policy.advice.candidates, lambda c, w: self._advice_bonus(c, w) > 0)
        definition = self.policy.definition
        if terms and definition is not None:  # the best few windows saying what the asked word is
            best += _more_windows(scored, best, definition.candidates, lambda c, w: self._defines(c, w, terms, stem))
        texts = [" ".join(self._prepared[c].candidates[i].text for i in w) for _, _, c, w in best]
        vectors = np.asarray(embed([question, *texts]))
        similarities = vectors[1:] @ vectors[0]
        # the whole page section's closeness to the question too (the search's section
        # vectors): a sentence close in words inside a section about something else loses
        sections = (
            section_scores([c.chunk_id for _, _, c, _ in best]) if section_scores is not None and weights.SHORT_SECTION_WEIGHT
            else [0.0] * len(best)
        )
        advice = [self._advice_bonus(chunk, window) if advising else 0.0 for _, _, chunk, window in best]
        if terms and definition is not None:
            # one section says it: the first (by words and rank) of those whose windows do
            saying = next((c.chunk_id for _, _, c, w in best if self._defines(c, w, terms, stem)), None)
            advice = [
                bonus + (definition.weight if chunk.chunk_id == saying and self._defines(chunk, window, terms, stem) else 0.0)
                for bonus, (_, _, chunk, window) in zip(advice, best, strict=True)
            ]
        # the kind of answer asked for ("how long ...": a time) given by the window
        kinds = self.policy.answer_types_asked(question)
        asked_sub = sub_stages(stages_named(question, sub=True))  # ("stage IIB": a window naming it alone)
        if kinds or asked_sub:
            weight = self.policy.answer_type_weight
            advice = [
                bonus + (weight if any(self.policy.gives_answer_type(k, text) for k in kinds) or names_only(text, asked_sub) else 0.0)
                for bonus, text in zip(advice, texts, strict=True)
            ]

        first = ranked_windows(best, similarities, sections, advice)
        if also_asked is None or not first or first[0][3].document in also_asked.pages:
            return first
        # the short answer would come from a page on the cancer or drug named as context
        return ranked_windows(best, *also_asked.read_again(best, vectors, similarities, sections), advice)

    def _context_page(self, document: int, part: str) -> bool:
        """A page on a cancer whose title does not name the asked part ("Hodgkin Lymphoma
        Treatment" for "... hodgkin lymphoma ... will chemo make me infertile"): for a question
        on living with cancer that names a cancer, the cancer is context and the KB's page on
        the part answers it."""
        finder = self.finder
        return bool(finder.title_words[document] & finder.site_words) and not finder.title_fits(part, document)

    def _advice_bonus(self, chunk: ChunkRow, window: list[int]) -> float:
        """What a window gains for a question asking what to do: ``advice.section_weight``
        when its section gives advice, ``advice.opener_weight`` when one of its sentences
        (not a list's intro line) opens with advice ("Eat small meals.")."""
        advice = self.policy.advice
        bonus = advice.section_weight if self.finder.gives_advice(chunk) else 0.0
        if self._opens_with_advice(self._prepared[chunk], window):
            bonus += advice.opener_weight
        return bonus

    def _opens_with_advice(self, prepared: _Prepared, window: list[int]) -> bool:
        """Does a sentence of the window (not a list's intro line) open with advice ("Eat small meals.")?"""
        return any(
            not prepared.leads_in[i] and self.policy.opens_with_advice(prepared.candidates[i].text) for i in window
        )

    def _short_checked(self, ranked: list[tuple[float, float, float, ChunkRow, list[int]]]) -> list[ShortAnswer]:
        """The best window of each section, in rank order, whose quote is found word for word on its page."""
        found: list[ShortAnswer] = []
        for score, similarity, lexical, chunk, window in ranked:
            if any(f.chunk.chunk_id == chunk.chunk_id for f in found):
                continue  # one candidate a section
            run = [self._prepared[chunk].candidates[i] for i in window]
            if quote_in_page(_joined(run), self.kb.body(chunk.document)):
                found.append(ShortAnswer(chunk, run, score, similarity, lexical))
        return found

    def short_section(self, short: ShortAnswer, n: int) -> tuple[Section, Citation]:
        """The short answer as the first section of an answer, citation number ``n``."""
        citation = self._citation(n, short.chunk, short.run)
        return Section("short_answer", "Short answer", "\n".join(_render(short.run, n)), [n], "kb"), citation

    def same_section(
        self, short: ShortAnswer, n: int, *, limit: int, title: str | None = None, include_run: bool = False
    ) -> tuple[Section | None, list[Citation]]:
        """More of the short answer's own section: its first ``limit`` quotable units not in the short
        answer, what follows it first (a list item with its later sentences), numbered from ``n``; titled with the section's heading."""
        prepared = self._prepared[short.chunk]
        run_texts = {u.text for u in short.run}
        # a part titled with the section's heading does not quote that heading (a PDQ key
        # point, a sentence) under itself as well
        own_heading = short.chunk.section.split(SECTION_SEPARATOR)[-1].strip() if title is None else None
        start = min((i for i, u in enumerate(prepared.candidates) if u.text in run_texts), default=0)
        end = max((i for i, u in enumerate(prepared.candidates) if u.text in run_texts), default=-2)
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
            if unit.continues_item and (chosen[-1] != i - 1 if chosen else i - 1 != end or include_run):
                continue  # (the rest of the short answer's list item reads on from it, a quote of its own)
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
            if runs and i == previous + 1 and _continues(runs[-1][-1], unit) and not (runs[-1][0].continues_item and not unit.continues_item):
                runs[-1].append(unit)
            else:
                runs.append([unit])
            previous = i
        body = self.kb.body(short.chunk.document)
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
