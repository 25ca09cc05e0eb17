"""The short answer and what is shown around it (:class:`~cancerinfo.answer.assistant.Assistant`
inherits these steps from :class:`_ShortAnswer`): the encoder vectors of short-answer
candidates kept between questions, the arrangement of the answer (:mod:`.arrange`) and where a
quote stands on its page."""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from cancerinfo.answer.arrange import Layout, arrange
from cancerinfo.answer.citations import quote_in_page, quote_position
from cancerinfo.answer.composer import Composer
from cancerinfo.answer.contract import Citation, Section
from cancerinfo.answer.evidence import STRONG_KIND_NAMES, Evidence
from cancerinfo.answer.evidence_words import LIVING_WITH_PARTS
from cancerinfo.answer.plan import AnswerPolicy, asking_sentences
from cancerinfo.answer.short_weights import SHORT_HITS
from cancerinfo.answer.windows import AlsoAsked, ShortAnswer
from cancerinfo.index.filters import Filters
from cancerinfo.index.records import SearchResult
from cancerinfo.index.search import Searcher
from cancerinfo.index.topics import words as title_words

#: The intent of a question on what a drug is for (its plan: what it is, what it is used for).
DRUG_INTENT = "drug_use"

#: Intents a question naming a drug may have and still be answered from the drug's page: by
#: its plan when the one asked for finds nothing, and by its short answer when it asks of the drug.
DRUG_FALLBACK_INTENTS = frozenset({"general", "definition", "treatment", DRUG_INTENT})

#: Intents a drug's page never answers (the NCI drug pages do not list side effects): a
#: question naming a drug with one of them is answered from the page on its kind of treatment
#: that the drug's page links to (:mod:`.drug_classes`). Other intents were tried on the dev
#: answer sets (2026-12-07): a drug page that says who may take it for prevention lost its
#: place to such a page ("isnt tamoxifen only for people who already have it").
DRUG_CLASS_INTENTS = frozenset({"side_effects", "manage_side_effect"})

#: Pages on living with cancer found by what a question asks without the cancer or drug it
#: names (:meth:`_ShortAnswer._with_living_pages`), put after the search's first hit.
LIVING_PAGES_ADDED = 2

#: Short-answer candidates whose encoder vectors are kept (384 floats each: about 30 MB).
MAX_KEPT_WINDOW_VECTORS = 20_000
#: Words of a short-answer candidate given to the encoder.
WINDOW_WORDS_EMBEDDED = 40


class _ShortAnswer:
    """The short answer's steps, for :class:`~cancerinfo.answer.assistant.Assistant` (which
    sets the attributes below)."""

    searcher: Searcher
    composer: Composer
    policy: AnswerPolicy
    _stem: Callable[[str], str]
    _windows: OrderedDict[str, np.ndarray]
    _window_lock: threading.Lock

    def _living_asked(self, question: str, result: SearchResult, intent: str) -> str | None:
        """What a question on living with cancer asks, without the cancer, drug or regimen it
        names as context ("26F just diagnosed w hodgkin lymphoma, starting ABVD in 2 weeks ...
        can i freeze my eggs first" -> "i want kids someday, can i freeze my eggs first");
        ``None`` for another question or one that names none."""
        parts = self.policy.plan(intent)
        if not parts or parts[0] not in LIVING_WITH_PARTS:
            return None
        finder = self.composer.finder
        names = [
            e["text"] for e in result.entities
            if e["kind"] in STRONG_KIND_NAMES or (e["kind"] == "topic" and finder.sites_named(e["canonical"]))
        ]
        if not names:
            return None
        return _without(asking_sentences(question.lower()), names) or None

    def _living_page(self, document: int, result: SearchResult) -> bool:
        """Is the page on living with cancer: on no particular cancer, no drug's page, and (of a
        named drug) on no other kind of treatment?"""
        drug_named = any(e["kind"] in STRONG_KIND_NAMES for e in result.entities)
        return document >= 0 and self.composer.finder.on_living_with_cancer(document, drug_named=drug_named)

    def _also_asked(self, question: str, result: SearchResult, intent: str, evidence: Evidence) -> AlsoAsked | None:
        """What a question on living with cancer asks without the names given as context
        (:meth:`_living_asked`), for the evidence's pages on living with cancer; none of a named
        drug whose class pages answer for it (:meth:`_as_kind_vector`)."""
        asked = self._living_asked(question, result, intent) if not evidence.classes else None
        pages = frozenset(d for d in evidence.pages if self._living_page(d, result)) if asked is not None else frozenset()
        if asked is None or not pages:
            return None

        @functools.cache
        def vector() -> np.ndarray:  # embedded only when the short answer is chosen again
            return self.searcher.embedder.embed([asked])[0]

        return AlsoAsked(vector, pages, lambda chunk_ids: self.searcher.section_similarity(vector(), chunk_ids))

    def _with_living_pages(self, question: str, result: SearchResult, intent: str, filters: Filters | None) -> SearchResult:
        """For a question on living with cancer that names a cancer or a drug as context, the
        names lead the search to the cancer's and the drug's pages: when none of the hits the
        short answer reads is on living with cancer, what it asks searched without the names
        (:meth:`_living_asked`) finds the KB's pages on that (fertility), and the best of those
        (:meth:`_living_page`) follow the first hit. Another question:
        :meth:`_with_treatment_page`."""
        asked = self._living_asked(question, result, intent)
        if asked is None and result.hits:
            return self._with_treatment_page(question, result, filters)
        if asked is None or not result.hits:
            return result
        if intent in DRUG_CLASS_INTENTS and any(e["kind"] in STRONG_KIND_NAMES for e in result.entities):
            return result  # a named drug's class pages answer for it (drug_classes.py)
        if any(self._living_page(hit.document, result) for hit in result.hits[:SHORT_HITS]):
            return result  # the short answer reads one already
        found = self.searcher.search(asked, k=10, filters=filters, snippets=False).hits
        pages = list(dict.fromkeys(hit.document for hit in found if self._living_page(hit.document, result)))
        shown = {hit.chunk_id for hit in result.hits}
        added = [hit for hit in found if hit.document in pages[:LIVING_PAGES_ADDED] and hit.chunk_id not in shown]
        return replace(result, hits=[result.hits[0], *added, *result.hits[1:]]) if added else result

    def _with_treatment_page(self, question: str, result: SearchResult, filters: Filters | None) -> SearchResult:
        """A kind of treatment named beside a cancer ("starting immunotherapy for her kidney
        cancer ... how often does she have to go in for it"): the general page titled with that
        treatment, found by the question without the cancer's names, follows the first hit when
        none of the hits the short answer reads is such a page."""
        finder = self.composer.finder
        treatment = self._treatment_named(result)  # type: ignore[attr-defined]
        cancers = [e["text"] for e in result.entities if e["kind"] == "topic" and finder.sites_named(e["canonical"])]
        if treatment is None or not cancers:
            return result
        named = {w for w in title_words(treatment) if len(w) > 2}
        def titled(document: int) -> bool:
            return self._living_page(document, result) and named <= finder.title_words[document]
        if any(titled(hit.document) for hit in result.hits[:SHORT_HITS]):
            return result
        found = self.searcher.search(_without(question.lower(), cancers), k=10, filters=filters, snippets=False).hits
        pages = list(dict.fromkeys(hit.document for hit in found if titled(hit.document)))
        read = {hit.chunk_id for hit in result.hits[:SHORT_HITS]}
        added = [hit for hit in found if hit.document in pages[:LIVING_PAGES_ADDED] and hit.chunk_id not in read]
        moved = {hit.chunk_id for hit in added}  # a hit beyond those the short answer reads moves up
        rest = [hit for hit in result.hits[1:] if hit.chunk_id not in moved]
        return replace(result, hits=[result.hits[0], *added, *rest]) if added else result

    def _not_the_drugs(self, evidence: Evidence, intent: str, question: str, result: SearchResult) -> frozenset[int]:
        """For what a named drug is for ("they want him on xeloda, whats that for"), or what it
        is ("is keytruda chemo? my dad starts it for melanoma", "the doc mentioned gleevec.
        what is that"), the short answer comes from the drug, brand or regimen pages among the
        evidence: the others (the cancer's treatment pages) are avoided. None avoided otherwise,
        nor when the drug is only part of the story told ("got chemo incl cisplatin ... can it
        show up years later"). When the drug's class pages joined the evidence (what its page
        does not say: "side effects of keytruda"), the drug pages are avoided instead."""
        drugs = self.composer.finder.drug_pages
        if evidence.classes:
            return frozenset(d for d in evidence.pages if d in drugs)
        if intent not in DRUG_FALLBACK_INTENTS or not evidence.drug_named or not any(d in drugs for d in evidence.pages):
            return frozenset()
        if intent != DRUG_INTENT and not _asks_of_the_drug(question, result, self.searcher.intents.classify):
            return frozenset()
        return frozenset(d for d in evidence.pages if d not in drugs)

    def _with_class_note(self, sections: list[Section], citations: list[Citation], evidence: Evidence) -> list[Section]:
        """Under the short answer, a line saying that the quotes of a named drug's class page
        (:mod:`.drug_classes`) are about that kind of treatment, and which drug's page links to
        it (``leads.drug_class``), when any shown quote is from such a page."""
        template = self.policy.leads.get("drug_class")
        if not evidence.classes or template is None:
            return sections
        finder = self.composer.finder
        shown = {c for s in sections for c in s.citations}
        urls = {c.url for c in citations if c.n in shown}
        notes = []
        for drug in (d for d in evidence.pages if d in finder.drug_pages):
            kinds = [k for k in finder.drug_classes.of([drug]) if k in evidence.classes and finder.documents[k].url in urls]
            if kinds:  # several: 'The quotes from "A" and "B" ...'
                notes.append(template.format(kind='" and "'.join(finder.titles[k] for k in kinds), drug=finder.titles[drug]))
        if not notes:
            return sections
        note = Section("drug_class", "Where these quotes come from", "\n".join(notes), [], "policy")
        at = 1 if sections and sections[0].kind == "short_answer" else 0
        return [*sections[:at], note, *sections[at:]]

    def _compose_first(
        self, question: str, intents: list[str], evidence: Evidence, result: SearchResult
    ) -> tuple[str, list[Section], list[Citation]]:
        """The answer's parts by the first plan of ``intents`` that quotes the KB (a plan whose
        parts find nothing on the pages found gives way to the next), else by the last one;
        with the intent whose plan it is."""
        hits = {hit.chunk_id for hit in result.hits}
        for intent in dict.fromkeys(intents):
            sections, citations = self.composer.compose(question, intent, evidence, hit_chunks=hits)
            if any(s.source == "kb" for s in sections):
                break
        return intent, sections, citations

    def _window_vector(self, text: str) -> np.ndarray:
        """The encoder's vector of one short-answer candidate, embedded alone (its first words
        say what it is about; fewer tokens, a faster run)."""
        return self.searcher.embedder.embed([" ".join(text.split()[:WINDOW_WORDS_EMBEDDED])])[0]

    def _window_vectors(self, texts: list[str]) -> np.ndarray:
        """The encoder's vectors of short-answer candidates; the most recent
        ``MAX_KEPT_WINDOW_VECTORS`` are kept (pages asked about often come back)."""
        with self._window_lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._windows]
        if missing:
            # one text per encoder run: the question model quantises activations per run, so a
            # vector computed in a batch would depend on its neighbours, and a kept vector on
            # which questions came before (an answer must not depend on the process's history)
            vectors = [self._window_vector(text) for text in missing]
            with self._window_lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._windows[text] = vector
                while len(self._windows) > MAX_KEPT_WINDOW_VECTORS:
                    self._windows.popitem(last=False)
        with self._window_lock:
            rows = []
            for text in texts:
                vector = self._windows.get(text)
                if vector is None:  # dropped by another thread meanwhile
                    vector = self._window_vector(text)
                else:
                    self._windows.move_to_end(text)
                rows.append(vector)
        return np.vstack(rows)
    def _arrange(
        self,
        question: str,
        result: SearchResult,
        evidence: Evidence,
        intent: str,
        sections: list[Section],
        citations: list[Citation],
    ) -> tuple[list[Section], list[Section], list[Citation]]:
        """The short answer first, then the plan's parts cut to the layout (:mod:`.arrange`)."""
        embedder = self.searcher.embedder

        def embed(texts: list[str]) -> np.ndarray:
            # the question's vector is the search's (one model run fewer)
            first = result.vector[None, :] if result.vector is not None else embedder.embed([texts[0]])
            return np.vstack([first, self._window_vectors(texts[1:])])

        asked_vector = result.vector if result.vector is not None else embedder.embed([question])[0]
        as_kind = self._as_kind_vector(question, result, evidence)

        def closeness(chunk_ids: list[str]) -> list[float]:
            # a section of a named drug's class page is as close as it is to the question asked
            # of that kind of treatment ("... keytruda ..." read as "... Immune Checkpoint Inhibitors ...")
            scores = self.searcher.section_similarity(asked_vector, chunk_ids)
            if as_kind is None:
                return scores
            again = self.searcher.section_similarity(as_kind, chunk_ids)
            documents = self.searcher.chunk_documents(chunk_ids)
            return [max(a, b) if d in evidence.classes else a for a, b, d in zip(scores, again, documents, strict=True)]

        candidates = self.composer.short_answer(
            question, result, evidence, embed=embed, stem=self._stem, parts=self.policy.plan(intent),
            section_scores=closeness,
            avoid=self._not_the_drugs(evidence, intent, question, result),
            also_asked=self._also_asked(question, result, intent, evidence),
        )
        short = candidates[0] if candidates else None
        pair = self.composer.short_section(short, len(citations) + 1) if short is not None else None
        same = self._around_short(candidates, len(citations) + 2)
        layout = self.policy.layout

        finder = self.composer.finder
        # a supporting quote from a page on another cancer than the one asked about (or the
        # short answer's) is off topic, however close its words ("hair" and hairy cell leukemia)
        sites = finder.sites_named(question)
        if short is not None:
            sites |= finder.title_words[short.chunk.document] & finder.site_words

        # ... and one opening on a kind of treatment other than the one asked about ("After
        # radiation therapy. Hair often grows back in 3 to 6 months" after chemo)
        asked_treatments = self.policy.treatments_named(question)

        def other_treatment(citation: Citation | None) -> bool:
            if citation is None or not asked_treatments:
                return False
            opening = self.policy.treatments_named(citation.quote, opening=True)
            return bool(opening) and not (self.policy.treatments_named(citation.quote) & asked_treatments)

        def relevance(cited: list[Citation | None]) -> list[float]:
            chunk_ids = [citation.chunk_id if citation is not None else "" for citation in cited]
            scores = closeness(chunk_ids)
            documents = self.searcher.chunk_documents(chunk_ids)
            page_sites = [finder.title_words[d] & finder.site_words if d >= 0 else frozenset() for d in documents]
            return [
                -1.0 if (mine and not mine & sites) or other_treatment(citation) else score
                for score, mine, citation in zip(scores, page_sites, cited, strict=True)
            ]

        return arrange(
            pair, same, sections, citations,
            Layout(
                layout.max_words, layout.support_parts, layout.support_lines, layout.min_support_similarity,
                layout.min_same_section_similarity,
            ),
            keep_policy=self.policy.navigation_shown(intent),
            relevance=relevance,
            place=self._place,
            adjoins=self._adjoins,
        )

    def _around_short(self, candidates: list[ShortAnswer], first: int) -> tuple[Section | None, list[Citation]]:
        """The short answer's section around it (its citations numbered from ``first``), then the
        next best section found from its best sentences on, as one supporting part; none
        without a short answer."""
        if not candidates:
            return None, []
        limit = self.policy.layout.support_lines
        section, citations = self.composer.same_section(candidates[0], first, limit=limit)
        if len(candidates) > 1:
            second, second_citations = self.composer.same_section(
                candidates[1], first + len(citations), limit=limit, include_run=True
            )
            if second is not None:
                if section is None:
                    return second, second_citations
                section = replace(
                    section, text=section.text + "\n" + second.text, citations=[*section.citations, *second.citations]
                )
                citations = [*citations, *second_citations]
        return section, citations

    def _as_kind_vector(self, question: str, result: SearchResult, evidence: Evidence) -> np.ndarray | None:
        """When a named drug's class pages joined the evidence, the encoder's vector of the
        question with the drug's name as the question wrote it replaced by the first class
        page's title; else None."""
        names = sorted({e["text"] for e in result.entities if e["kind"] in STRONG_KIND_NAMES}, key=len, reverse=True)
        if not evidence.classes or not names:
            return None
        kind = self.composer.finder.titles[evidence.classes[0]]
        pattern = re.compile("|".join(rf"\b{re.escape(name)}\b" for name in names), re.IGNORECASE)
        return self.searcher.embedder.embed([pattern.sub(kind, question)])[0]

    def _adjoins(self, first: Citation, second: Citation) -> bool:
        """Does ``second``'s quote run on from ``first``'s on their page?"""
        document = self.searcher.chunk_documents([first.chunk_id])[0]
        return document >= 0 and quote_in_page(f"{first.quote} {second.quote}", self.composer.kb.body(document))

    def _place(self, citation: Citation) -> int:
        """Where a citation's quote stands on its page (-1: not found)."""
        document = self.searcher.chunk_documents([citation.chunk_id])[0]
        return quote_position(citation.quote, self.composer.kb.body(document)) if document >= 0 else -1


def _without(text: str, names: list[str]) -> str:
    """``text`` (lower case) without the whole-word ``names``, its spaces made single."""
    for name in names:
        text = re.sub(rf"\b{re.escape(name.lower())}\b", " ", text)
    return " ".join(text.split())


def _asks_of_the_drug(question: str, result: SearchResult, classify: Callable[[str], str]) -> bool:
    """Does the part of ``question`` that asks ask what something is, or name one of the drugs,
    brands or regimens the search found in the question (as typed: "AC" counts in capitals only)?"""
    asked = asking_sentences(" ".join(question.lower().split()))
    if classify(asked) == "definition":
        return True
    return any(
        re.search(rf"(?<!\w){re.escape(' '.join(entity['text'].lower().split()))}(?!\w)", asked)
        for entity in result.entities
        if entity["kind"] in STRONG_KIND_NAMES
    )
