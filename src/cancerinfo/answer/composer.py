"""The extractive composer: an answer in plain sections, every medical sentence a quote.

For a question whose search result passed the evidence gate:

1. the *focus pages*: the pages the answer may cite — the pages of the search hits that
   are about what was asked (the named topic, drug or regimen when there is one), patient
   versions before health-professional ones, at most ``max_pages``;
2. for each section kind of the intent's plan (``policies/answer.yaml``), the chunks of the
   focus pages whose heading fits the kind, best page first, from up to
   ``pages_per_section`` distinct pages;
3. from those chunks, quotable units (:mod:`.citations`): sentences and list items, minus
   navigation leftovers and sentences that could read as a verdict on the asker; a run of
   consecutive units of one chunk is one citation, checked word for word against its page
   before it is used (a quote not found is never shown);
4. navigation sections (questions to ask, when to seek care) from the policy, marked
   ``source: policy``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cancerinfo.answer.citations import Unit, fold, quote_in_page, units
from cancerinfo.answer.contract import Citation, Section
from cancerinfo.answer.plan import AnswerPolicy, SectionKind
from cancerinfo.index.records import DocumentInfo, SearchResult
from cancerinfo.index.search import STRONG_ENTITY_KINDS
from cancerinfo.index.topics import without_publisher
from cancerinfo.index.topics import words as title_words
from cancerinfo.store.database import Store

SECTION_SEPARATOR = " > "
_STRONG = frozenset(str(kind) for kind in STRONG_ENTITY_KINDS)
#: A heading cue within the first words of the heading marks what the section is about.
LEADING_WORDS = 4
#: An intro line ("Signs include:") is quoted with at least this many of its list items.
MIN_ITEMS_AFTER_INTRO = 3


@dataclass(frozen=True, slots=True)
class ChunkRow:
    rowid: int
    chunk_id: str
    document: int  # position in the searcher's document list
    ordinal: int
    section: str
    text: str


@dataclass(slots=True)
class Evidence:
    """What the composer found: the focus pages and the chunks it looked at."""

    pages: list[int]
    chunks: list[ChunkRow]
    topic_words: list[str] = field(default_factory=list)
    #: pages on no particular cancer, used only for what the topic's own pages lack
    general: frozenset[int] = frozenset()


class Composer:
    def __init__(
        self,
        store: Store,
        documents: list[DocumentInfo],
        document_of_url: dict[str, int],
        policy: AnswerPolicy,
        *,
        emergency_guidance: str,
        emergency_number: str,
    ) -> None:
        self.store = store
        self.documents = documents
        self.document_of_url = document_of_url
        self.policy = policy
        self.emergency_guidance = emergency_guidance
        self.emergency_number = emergency_number
        self._skip = [re.compile(p, re.IGNORECASE) for p in policy.skip_lines]
        self._never = [re.compile(p, re.IGNORECASE) for p in policy.quote_exclusions]
        self._unless = [
            (re.compile(e.pattern, re.IGNORECASE), re.compile(e.asked, re.IGNORECASE))
            for e in policy.quote_exclusions_unless_asked
        ]
        self._heading_cues = {
            name: [_cue(h) for h in kind.headings] for name, kind in policy.sections.items()
        }
        self._bodies: dict[int, str] = {}
        self._title_words = [frozenset(title_words(without_publisher(d.title))) for d in documents]
        self._site_words = site_words(
            [without_publisher(d.title) for d in documents],
            ignore=policy.topic_generic_words | policy.audience_qualifiers,
        )

    # -- evidence ---------------------------------------------------------------------------
    def evidence(self, result: SearchResult) -> Evidence:
        """The focus pages of a search result and all their chunks.

        When the question names a topic (a title topic such as "lung cancer") or a drug,
        brand or regimen page, only pages about it are used: the hits' pages that are, then
        the other pages whose title holds the topic's words (patient versions and broader
        titles first). Otherwise the hits' pages, in rank order."""
        named: set[int] = set()
        topic_words: list[str] = []
        for entity in result.entities:
            if entity["kind"] == "topic" or entity["kind"] in _STRONG:
                named |= {self.document_of_url[u] for u in entity["urls"] if u in self.document_of_url}
                if entity["kind"] == "topic" and not topic_words:
                    generic = self.policy.topic_generic_words
                    topic_words = [w for w in title_words(entity["canonical"]) if w not in generic]
        ranked: list[int] = []
        for hit in result.hits:
            if hit.document not in ranked:
                ranked.append(hit.document)
        if named or topic_words:
            about = named | {d for d, title in enumerate(self._title_words) if topic_words and title >= set(topic_words)}
            first = [d for d in ranked if d in about]
            rest = sorted(
                about - set(first),
                key=lambda d: (self.documents[d].professional, len(self._title_words[d]), self.documents[d].url),
            )
            # pages on no particular cancer ("Side Effects of Cancer Treatment") may add what
            # the topic's own pages lack; pages on another cancer never do
            general = [
                d for d in ranked
                if d not in about and not (self._title_words[d] & self._site_words) - set(topic_words)
            ]
            ranked = first + rest[: self.policy.max_pages] + general[: self.policy.general_pages]
        else:  # no topic named: a page on some other cancer comes after the general ones
            general = []
            asked_words = set(title_words(result.query))
            other = {d for d in ranked if (self._title_words[d] & self._site_words) - asked_words}
            ranked = [d for d in ranked if d not in other] + [d for d in ranked if d in other]
        asked = set(title_words(result.query))
        narrowed = {d for d in ranked if (self._title_words[d] & self.policy.audience_qualifiers) - asked}
        ranked = [d for d in ranked if d not in narrowed] + [d for d in ranked if d in narrowed]
        patient = [d for d in ranked if not self.documents[d].professional]
        professional = [d for d in ranked if self.documents[d].professional]
        pages = (patient + professional)[: self.policy.max_pages + self.policy.general_pages]
        return Evidence(pages, self._chunks(pages), topic_words, frozenset(general))

    def _chunks(self, pages: list[int]) -> list[ChunkRow]:
        if not pages:
            return []
        ids = {self.documents[d].id: d for d in pages}
        rows = self.store.query(
            "SELECT rowid, chunk_id, document_id, ordinal, section, text FROM chunks"
            f" WHERE document_id IN ({','.join('?' * len(ids))}) ORDER BY document_id, ordinal",
            tuple(ids),
        )
        return [
            ChunkRow(r["rowid"], r["chunk_id"], ids[r["document_id"]], r["ordinal"], r["section"], r["text"])
            for r in rows
        ]

    def body(self, document: int) -> str:
        if document not in self._bodies:
            row = self.store.query("SELECT body FROM documents WHERE id = ?", (self.documents[document].id,))
            self._bodies[document] = row[0]["body"] if row else ""
        return self._bodies[document]

    # -- composing --------------------------------------------------------------------------
    def compose(
        self, question: str, intent: str, evidence: Evidence, *, hit_chunks: set[str]
    ) -> tuple[list[Section], list[Citation]]:
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
            lines: list[str] = []
            numbers: list[int] = []
            budget = kind.quotes
            for position, chunk in enumerate(chosen):
                # the best chunk gets two thirds of the quotes; the others share the rest
                share = budget if position == len(chosen) - 1 else max(1, -(-budget * 2 // 3))
                runs = self._quotes(question, chunk, limit=share, used=used_text)
                if not runs:
                    continue
                used_chunks.add(chunk.chunk_id)
                for run in runs:
                    budget -= len(run)
                    citation = self._citation(len(citations) + 1, chunk, run)
                    citations.append(citation)
                    numbers.append(citation.n)
                    lines.extend(_render(run, citation.n))
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
    ) -> list[ChunkRow]:
        cues = self._heading_cues[name]
        page_rank = {d: i for i, d in enumerate(evidence.pages)}
        best_of_page: dict[int, tuple[tuple[bool, int, int, int, int], ChunkRow]] = {}
        for chunk in evidence.chunks:
            if chunk.chunk_id in used:
                continue
            fit = self._fit(cues, chunk, first_section=kind.first_section)
            if fit is None:
                continue
            key = (
                chunk.document in evidence.general,
                fit,
                0 if chunk.chunk_id in hit_chunks else 1,
                page_rank[chunk.document],
                chunk.ordinal,
            )
            current = best_of_page.get(chunk.document)
            if current is None or key < current[0]:
                best_of_page[chunk.document] = (key, chunk)
        ordered = sorted(best_of_page.values(), key=lambda item: item[0])
        return [chunk for _, chunk in ordered[: self.policy.pages_per_section]]

    def _fit(self, cues: list[re.Pattern[str]], chunk: ChunkRow, *, first_section: bool) -> int | None:
        """How well a chunk's heading fits a section kind: 0 when a cue opens its own heading
        ("Signs and symptoms of ..."; a page's opening section has its title as heading),
        1 when a cue is elsewhere in it, 2 when a cue is only in a parent heading, 3 for a
        page's opening section (when the kind allows it)."""
        last = chunk.section.split(SECTION_SEPARATOR)[-1] or without_publisher(self.documents[chunk.document].title)
        leading = " ".join(last.split()[:LEADING_WORDS])
        if any(cue.search(leading) for cue in cues):
            return 0
        if any(cue.search(last) for cue in cues):
            return 1
        if any(cue.search(chunk.section) for cue in cues):
            return 2
        if first_section and chunk.ordinal == 0:
            return 3
        return None

    def _quotes(self, question: str, chunk: ChunkRow, *, limit: int, used: set[str]) -> list[list[Unit]]:
        """Up to ``limit`` units of a chunk, as runs of consecutive units, each run checked
        against the page."""
        body = self.body(chunk.document)
        heading = chunk.section.split(SECTION_SEPARATOR)[-1].strip()
        candidates = units(chunk.text)
        if heading.endswith(".") and len(heading) >= self.policy.min_quote_chars:
            candidates.insert(0, Unit(heading, False))
        runs: list[list[Unit]] = []
        run: list[Unit] = []
        taken = 0
        items_after_intro = 0  # list items still owed to an intro line already taken
        for number, unit in enumerate(candidates):
            if taken >= limit and not (items_after_intro and unit.list_item):
                break
            introduces_list = number + 1 < len(candidates) and candidates[number + 1].list_item
            if introduces_list and taken + 1 >= limit:
                break  # an intro line is only worth taking with items after it
            if not self._quotable(question, unit, introduces_list=introduces_list) or fold(unit.text) in used:
                if run:
                    runs.append(run)
                    run = []
                continue
            if run and not _continues(run[-1], unit):
                runs.append(run)
                run = []
            run.append(unit)
            used.add(fold(unit.text))
            taken += 1
            if introduces_list and not unit.list_item:
                items_after_intro = MIN_ITEMS_AFTER_INTRO
            elif unit.list_item and items_after_intro:
                items_after_intro -= 1
            elif not unit.list_item:
                items_after_intro = 0
        if run:
            runs.append(run)
        checked: list[list[Unit]] = []
        for run in runs:
            if quote_in_page(_joined(run), body):
                checked.append(run)
            else:  # a dropped line sat between two units: check them one by one
                checked.extend([u] for u in run if quote_in_page(u.text, body))
        return checked

    def _quotable(self, question: str, unit: Unit, *, introduces_list: bool = False) -> bool:
        text = unit.text
        if len(text) > self.policy.max_quote_chars:
            return False
        if not unit.list_item and len(text) < self.policy.min_quote_chars:
            return False
        if text.endswith(":") and not unit.list_item and not introduces_list:
            return False  # an intro line ("Treatment may include:") means little alone
        if text.endswith("?"):
            return False  # a KB heading-question is not an answer
        if any(p.search(text) for p in self._skip) or any(p.search(text) for p in self._never):
            return False
        return not any(p.search(text) and not asked.search(question) for p, asked in self._unless)

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


def _cue(stem: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(stem.lower()).replace(r"\ ", r"\s+"), re.IGNORECASE)


def _continues(before: Unit, unit: Unit) -> bool:
    """One quote may run on within a paragraph, within a list, and from a list's intro line
    into the list; not across paragraphs (an image or a dropped line may sit between)."""
    if unit.block == before.block:
        return True
    return unit.list_item and unit.block == before.block + 1 and not before.list_item


def _joined(run: list[Unit]) -> str:
    return " ".join(unit.text for unit in run)


def _render(run: list[Unit], n: int) -> list[str]:
    """Each unit a bullet, the citation number after each."""
    return [f"- {unit.text} [{n}]" for unit in run]


_SITE = re.compile(r"\b([a-z][a-z-]+) (?:cancers?|tumors?|neoplasms?|carcinomas?)\b")
_DISEASE_ENDING = re.compile(r"\b([a-z]+(?:emia|omas?))\b")


def site_words(titles: list[str], *, ignore: frozenset[str]) -> frozenset[str]:
    """Words that name a cancer's site or kind in the KB's own titles: the word before
    "cancer"/"tumor" ("breast", "cervical") and disease names ending in -oma or -emia
    ("lymphoma", "leukemia"). A page whose title has one is about that cancer."""
    found: set[str] = set()
    for title in titles:
        lowered = title.lower()
        found.update(match.group(1) for match in _SITE.finditer(lowered))
        found.update(match.group(1) for match in _DISEASE_ENDING.finditer(lowered))
    return frozenset(word for word in found if word not in ignore and len(word) > 2)
