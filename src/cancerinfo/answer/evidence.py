"""Evidence: which pages an answer may quote, and which of their sections fit each part.

* **About what was asked.** When the question names a topic (a title topic such as "lung
  cancer") or a drug, brand or regimen page, the answer quotes pages about it: the search
  hits' pages that are, then the other pages whose title holds the topic's words — patient
  versions first, then pages with the most sections the answer needs. A page about another
  cancer is never used; a page on no particular cancer ("Side Effects of Cancer
  Treatment") may fill a part the topic's own pages lack. When nothing is named, the hits'
  pages in rank order, pages on a cancer the question does not name last.
* **Sections by heading.** A part of the answer (``warning_signs``, ``tests_to_expect``…)
  takes sections whose heading fits the part's heading cues (``policies/answer.yaml``).
* **Site words** are learned from the KB's own titles: the word before "cancer"/"tumor"
  ("breast", "cervical") and disease names ending in -oma or -emia ("lymphoma").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cancerinfo.answer.drug_classes import DrugClasses
from cancerinfo.answer.evidence_words import (
    LEADING_WORDS,
    LIVING_WITH_PARTS,
    NEGATED,
    address_words,
    audience_asked,
    cue_pattern,
    for_other_audience,
    found_in,
    heading_cues,
    heading_fit,
    site_words,
    sites_in,
    treatment_kinds,
)
from cancerinfo.answer.kb_reader import ChunkRow, KBReader
from cancerinfo.answer.plan import AnswerPolicy, asked_part
from cancerinfo.index.candidates import STRONG_ENTITY_KINDS
from cancerinfo.index.postings import Postings, terms
from cancerinfo.index.records import DocumentInfo, SearchResult
from cancerinfo.index.topics import without_publisher
from cancerinfo.index.topics import words as title_words
from cancerinfo.index.vocabulary import Vocabulary
from cancerinfo.policies import any_of

#: The kinds (as entities name them) of drug, brand and regimen terms.
STRONG_KIND_NAMES = frozenset(str(kind) for kind in STRONG_ENTITY_KINDS)
#: How many pages on no particular cancer may stand in for a part a topic's pages lack.
FALLBACK_PAGES = 2
#: Pages on no particular cancer among this many first search results keep their place.
LEADING_PAGES = 3
LIVING_WITH_LEADING_PAGES = 6
MAX_CACHED_FITS = 500_000


@dataclass(slots=True)
class Evidence:
    """The pages an answer may quote (best first) and all their chunks."""

    pages: list[int]
    chunks: list[ChunkRow]
    topic_words: list[str] = field(default_factory=list)
    #: pages on no particular cancer: used only for what the topic's own pages lack
    general: frozenset[int] = frozenset()
    named: bool = False
    drug_named: bool = False  # a drug, brand or regimen page is named: no stand-in pages
    classes: tuple[int, ...] = ()  # the named drugs' class pages added (drug_classes.py)


class EvidenceFinder:
    """Knows, for every live page, its title words, whether it is about a particular
    cancer, and which parts of an answer it has sections for (computed once). Reads the
    KB through ``kb`` (its pages: :attr:`KBReader.documents`)."""

    def __init__(
        self,
        kb: KBReader,
        document_of_url: dict[str, int],
        policy: AnswerPolicy,
        *,
        vocabulary: Vocabulary,
        postings: Postings | None,
        total_chunks: int,
        site_synonyms: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.kb = kb
        self.vocabulary = vocabulary
        self.postings = postings
        self.total_chunks = max(total_chunks, 1)
        self.documents: list[DocumentInfo] = kb.documents
        self.document_of_url = document_of_url
        self.policy = policy
        self.titles = [without_publisher(d.title) for d in self.documents]
        # a research news page ("Combining Targeted Drugs Effective for Metastatic Breast
        # Cancer") or a PDQ page for adults ("Hodgkin Lymphoma Treatment") says so in its
        # address, not always in its title: read as titled "research" or "adult"
        self.title_words = [
            frozenset(title_words(t)) | address_words(d.url) for t, d in zip(self.titles, self.documents, strict=True)
        ]
        # the pages of drugs, brands and regimens (the KB vocabulary's): a page on another
        # drug is no general page ("Pacritinib Citrate" for the side effects of ixazomib)
        self.drug_pages = frozenset(
            document_of_url[url]
            for entry in vocabulary.entries if entry.kind in STRONG_KIND_NAMES
            for url in entry.urls if url in document_of_url
        )
        # the pages on a kind of treatment a drug's page links to ("Immune Checkpoint Inhibitors")
        self.drug_classes = DrugClasses(self.drug_pages, self.documents, kb.body, document_of_url)
        self.treatment_kinds = [treatment_kinds(t, policy.treatment_title_words) for t in self.titles]
        # the words a title names only to rule out ("Non-Hodgkin Lymphoma" is not about Hodgkin)
        self.title_negated = [frozenset(m.group(1) for m in NEGATED.finditer(t.lower())) for t in self.titles]
        self._titled: dict[str, set[int]] = {}  # title word -> the pages whose title has it
        for document, words in enumerate(self.title_words):
            for word in words:
                self._titled.setdefault(word, set()).add(document)
        self.site_words = site_words(self.titles, ignore=policy.topic_generic_words | policy.audience_qualifiers)
        # a site's other one-word names point at the KB's umbrella site ("colon" -> "colorectal":
        # "Colorectal Cancer Screening" is not a page on another cancer for a colon question)
        self.umbrella: dict[str, set[str]] = {}
        for site, names in (site_synonyms or {}).items():
            if " " not in site:
                for name in names:
                    if " " not in name:
                        self.umbrella.setdefault(name.lower(), set()).add(site)
        # each part's cues as one pattern (a list of one, or empty): one pass over a heading
        self.cues = {name: heading_cues(kind.headings, kind.not_headings) for name, kind in policy.sections.items()}
        # the headings of sections that give advice (``advice``), and those about research
        self._advice = any_of([cue_pattern(h).pattern for h in policy.advice.headings])
        self._not_advice = any_of([cue_pattern(h).pattern for h in policy.advice.not_headings])
        self._advice_fits: dict[tuple[str, int], bool] = {}
        self.page_parts = self._page_parts()
        self._title_fit: dict[tuple[str, int], bool] = {}
        self._fits: dict[tuple[object, ...], int | None] = {}
        self.fallback = {
            name: self._fallback_pages(name) for name, kind in policy.sections.items() if kind.from_ == "kb"
        }

    # -- what each page has --------------------------------------------------------------
    def _page_parts(self) -> list[frozenset[str]]:
        """For each page, the parts of an answer it has a well-fitting section for."""
        parts: list[set[str]] = [set() for _ in self.documents]
        seen: dict[str, frozenset[str]] = {}
        kb_parts = [name for name, kind in self.policy.sections.items() if kind.from_ == "kb"]
        for position, section, _ in self.kb.sections():
            if not section:
                continue
            if section not in seen:
                seen[section] = frozenset(
                    name for name in kb_parts
                    # fit 1 only (a cue inside the heading); counting 0 too (a cue opening it) was
                    # tried on answers-dev on 2026-12-03: one answer changed, for the worse
                    if heading_fit(self.cues[name], section, "", opening=False, first_section=False) == 1
                )
            parts[position] |= seen[section]
        return [frozenset(p) for p in parts]

    def _fallback_pages(self, name: str) -> list[int]:
        """Patient pages on no particular cancer whose title fits a part ("Side Effects of
        Cancer Treatment" for side effects), broadest title first."""
        cues = self.cues[name]
        found = [
            d for d, title in enumerate(self.titles)
            if not self.documents[d].professional
            and not self.title_words[d] & self.site_words
            and any(cue.search(" ".join(title.split()[:LEADING_WORDS])) for cue in cues)
        ]
        return sorted(found, key=lambda d: (len(self.title_words[d]), self.documents[d].url))[:FALLBACK_PAGES]

    def warm(self) -> int:
        """Work out, ahead of the first questions, how well every heading of the KB fits
        each part of an answer, and each title (what :meth:`fit` and :meth:`title_fits`
        keep); returns how many fits are kept. On nci-kb: about a second, 200k fits."""
        self.drug_classes.of(())  # reads the drug pages' links once
        parts = [(name, kind.first_section) for name, kind in self.policy.sections.items() if kind.from_ == "kb"]
        for name, _ in parts:
            for document in range(len(self.documents)):
                self.title_fits(name, document)
        # a heading path fits the same on every page; only a page's opening section is its own
        headings = dict.fromkeys(
            (section, opening, 0 if section else page) for page, section, opening in self.kb.sections()
        )
        for section, opening, page in headings:
            chunk = ChunkRow(0, "", page, 0 if opening else 1, section, "")
            for name, first_section in parts:
                self.fit(name, chunk, first_section=first_section)
        return len(self._fits)

    # -- per question ---------------------------------------------------------------------
    def find(self, result: SearchResult, parts: tuple[str, ...], *, drug_classes: bool = False) -> Evidence:
        """The pages an answer to ``result`` may quote, best first (patient pages before
        professional ones), with their chunks: when the question names a topic or a drug, that
        topic's pages and a few general ones; otherwise the search's pages, a page on a cancer
        the question does not name only when the search put it near the top. ``drug_classes``:
        a named drug's class pages (:mod:`.drug_classes`) follow its page, as general pages."""
        named, topic_words, drug_named = self._named(result)
        ranked = list(dict.fromkeys(hit.document for hit in result.hits))
        general: list[int] = []
        if named or topic_words:
            ranked, general = self._topic_pages(result, parts, ranked, named, topic_words, drug_named=drug_named)
        else:
            # a page on a cancer the question does not name only when the search put it near
            # the top; then after the general pages
            sites = self.sites_named(result.query)
            other = {d for d in ranked if (self.title_words[d] & self.site_words) - sites}
            strong = set(ranked[: self.policy.other_site_pages])
            ranked = [d for d in ranked if d not in other or d in strong]
        classes: list[int] = []
        if drug_classes and drug_named:
            ranked, classes = self.drug_classes.placed(ranked, named & self.drug_pages)
            general, named = [*general, *classes], named | set(classes)
        narrowed = self._narrowed(result.query, parts, ranked, named)
        ranked = [d for d in ranked if d not in narrowed] + [d for d in ranked if d in narrowed]
        patient = [d for d in ranked if not self.documents[d].professional]
        professional = [d for d in ranked if self.documents[d].professional]
        pages = (patient + professional)[: self.policy.max_pages + self.policy.general_pages]
        return Evidence(
            pages, self.chunks(pages), topic_words, frozenset(general), bool(named or topic_words), drug_named,
            tuple(d for d in classes if d in pages),
        )

    def _named(self, result: SearchResult) -> tuple[set[int], list[str], bool]:
        """The pages of the topics, drugs, brands and regimens the question names, the words
        of the first topic named (without generic title words), and whether a drug is named."""
        named: set[int] = set()
        topic_words: list[str] = []
        drug_named = any(e["kind"] in STRONG_KIND_NAMES and e["urls"] for e in result.entities)
        for entity in result.entities:
            if entity["kind"] == "topic" or entity["kind"] in STRONG_KIND_NAMES:
                named |= {self.document_of_url[u] for u in entity["urls"] if u in self.document_of_url}
                if entity["kind"] == "topic" and not topic_words:
                    generic = self.policy.topic_generic_words
                    topic_words = [w for w in title_words(entity["canonical"]) if w not in generic]
        return named, topic_words, drug_named

    def _topic_pages(
        self,
        result: SearchResult,
        parts: tuple[str, ...],
        ranked: list[int],
        named: set[int],
        topic_words: list[str],
        *,
        drug_named: bool,
    ) -> tuple[list[int], list[int]]:
        """For a question that names a topic or a drug: the topic's pages (those the search
        found first, then those whose title fits a part of the answer, then the rest), a few
        general pages after them; and those general pages."""
        wanted = set(topic_words)
        negated = {m.group(1) for m in NEGATED.finditer(result.query.lower())}
        near = wanted | {site for word in wanted for site in self.umbrella.get(word, ())}
        about = named | {d for d in self._titled_with_all(wanted) if not (self.title_negated[d] & wanted) - negated}
        # a page on no particular cancer the search put among its first few ("Lumpectomy
        # vs. Mastectomy" for a breast cancer question) keeps its place among the topic's
        # (a topic that is no cancer, such as "depression" or "hair loss", is answered by
        # its own pages first)
        cancer_named = bool(self.sites_named(" ".join(topic_words)))
        leading = set() if drug_named or not cancer_named else {
            d for d in ranked[: LEADING_PAGES] if d not in about and not self._on_other(d, near, negated)
        }
        if parts and parts[0] in LIVING_WITH_PARTS and (drug_named or cancer_named):
            # a question on living with cancer ("on folfox and her feet are numb, what can we
            # do", "our 7yo with leukemia asks if she got sick because she was bad") is
            # answered by the KB's pages on that (side effects, eating, coping, caregiving),
            # not by the treatment page of the cancer or drug it names as context (a topic
            # that is no cancer, "depression", still has its own pages first)
            leading |= {
                d for d in ranked[:LIVING_WITH_LEADING_PAGES] if d not in about and self.on_living_with_cancer(d, drug_named=drug_named)
            }
        first = [d for d in ranked if d in about or d in leading]
        # the topic's page for each part of the answer ("Breast Cancer Diagnosis" for tests)
        titled = sorted(
            (d for d in about - set(first) if any(self.title_fits(part, d) for part in parts if part in self.cues)),
            key=lambda d: (self.documents[d].professional, len(self.title_words[d]), self.documents[d].url),
        )
        first += titled[: self.policy.max_pages]
        rest = sorted(
            about - set(first),
            key=lambda d: (
                self.documents[d].professional,
                -len(self.page_parts[d].intersection(parts)),
                len(self.title_words[d]),
                self.documents[d].url,
            ),
        )
        general = [d for d in ranked if d not in about and d not in leading and not self._on_other(d, near, negated)]
        if drug_named:  # a drug's own page answers for it, not pages on treatment in general
            general = []
        return first + rest[: self.policy.max_pages] + general[: self.policy.general_pages], general

    def _narrowed(self, query: str, parts: tuple[str, ...], ranked: list[int], named: set[int]) -> set[int]:
        """The pages to put after the others: pages for other people than asked about
        (children, research news) and, for a question on living with cancer, pages on a kind
        of treatment its asked part does not name."""
        # the audience words asked: said, or implied by an age under 18 ("our 7yo")
        asked = audience_asked(title_words(query), query)
        narrowed = {d for d in ranked if for_other_audience(self.title_words[d], asked, self.policy.audience_qualifiers)}
        if parts and parts[0] in LIVING_WITH_PARTS:
            # "since her surgery ... how can i sneak protein in": a page on a kind of treatment the
            # asked part does not name is background, after the pages on living with it
            asked_now = set(title_words(asked_part(query.lower())))
            narrowed |= {
                d for d in ranked
                if d not in named and (self.title_words[d] & self.policy.treatment_title_words) - asked_now
            }
        return narrowed

    def sites_named(self, text: str) -> set[str]:
        """The sites a question names as a cancer (:func:`.evidence_words.sites_in`): only
        these keep pages on that cancer among the first."""
        return sites_in(text, self.site_words)

    def _on_other(self, document: int, wanted: set[str], negated: set[str]) -> bool:
        """Is the page on a cancer other than the topic's words name: its title names another
        site, or rules out one of them ("Non-Hodgkin" for Hodgkin, unless ``negated`` too)?"""
        return bool((self.title_words[document] & self.site_words) - wanted) or bool(
            (self.title_negated[document] & wanted) - negated
        )

    def on_living_with_cancer(self, document: int, *, drug_named: bool) -> bool:
        """Is the page on no particular cancer, no drug's page and, of a ``drug_named``, on no other
        kind of treatment ("Angiogenesis Inhibitors" is no general page for ixazomib's side effects)?"""
        return not (self.title_words[document] & self.site_words or document in self.drug_pages or (drug_named and self.treatment_kinds[document]))

    def _titled_with_all(self, words: set[str]) -> set[int]:
        """The pages whose title has every one of ``words`` (none for no words)."""
        if not words:
            return set()
        sets = sorted((self._titled.get(word, set()) for word in words), key=len)
        return sets[0].intersection(*sets[1:])

    def add_fallback(self, evidence: Evidence, part: str) -> bool:
        """Add the general pages that stand in for ``part``; False when there are none new."""
        new = [d for d in self.fallback.get(part, []) if d not in evidence.pages]
        if not new:
            return False
        evidence.pages.extend(new)
        evidence.general = evidence.general | frozenset(new)
        evidence.chunks.extend(self.chunks(new))
        return True

    def chunks(self, pages: list[int]) -> list[ChunkRow]:
        """The chunks of ``pages`` in page-id then chunk order (:meth:`KBReader.chunks`)."""
        ordered = sorted(dict.fromkeys(pages), key=lambda d: self.documents[d].id)
        return [chunk for document in ordered for chunk in self.kb.chunks(document)]

    def is_specific(self, term: str) -> bool:
        """A term that is not everywhere in the KB: one of its words is in fewer than
        ``specific_term_max_share`` of all chunks."""
        if self.postings is None:
            return True
        shares = []
        for word in terms(term):
            term_id = self.postings.vocabulary.get(word)
            count = 0 if term_id is None else int(self.postings.starts[term_id + 1] - self.postings.starts[term_id])
            shares.append(count / self.total_chunks)
        return bool(shares) and min(shares) < self.policy.specific_term_max_share

    def gives_advice(self, chunk: ChunkRow) -> bool:
        """Does ``chunk``'s section give advice (``advice.headings``): a heading of its path
        says so ("How to prevent and stop nausea and vomiting > Tips for managing ..."), or
        the first words of its page's title do ("Ways to Add Protein"); not a heading about
        research ("New ways to prevent ... are being studied in clinical trials.")."""
        key = (chunk.section, chunk.document)
        found = self._advice_fits.get(key)
        if found is None:
            if len(self._advice_fits) > MAX_CACHED_FITS:
                self._advice_fits.clear()
            leading = " ".join(self.titles[chunk.document].split()[:LEADING_WORDS])
            found = self._advice is not None and (
                found_in(self._advice, chunk.section) or found_in(self._advice, leading)
            ) and not found_in(self._not_advice, chunk.section)
            self._advice_fits[key] = found
        return found

    def title_fits(self, part: str, document: int) -> bool:
        """The page's title itself names the part ("Cervical Cancer Diagnosis" for tests)."""
        key = (part, document)
        if key not in self._title_fit:
            self._title_fit[key] = any(cue.search(self.titles[document]) for cue in self.cues[part])
        return self._title_fit[key]

    def fit(self, part: str, chunk: ChunkRow, *, first_section: bool) -> int | None:
        """How well ``chunk``'s section fits ``part`` (:func:`heading_fit`, cached by heading path);
        ``None`` when it does not."""
        # headings repeat across pages ("Signs and Symptoms"): the fit of a heading path is
        # computed once; only an opening section (no heading) depends on its page
        opening = chunk.ordinal == 0
        key = (
            (part, chunk.section, opening and first_section)
            if chunk.section
            else (part, chunk.document, opening, first_section)
        )
        if key not in self._fits:
            if len(self._fits) > MAX_CACHED_FITS:
                self._fits.clear()
            self._fits[key] = heading_fit(
                self.cues[part], chunk.section, self.titles[chunk.document],
                opening=opening, first_section=first_section,
            )
        return self._fits[key]
