"""From a question to a grounded answer: the whole pipeline, in the order it runs.

1. **triage** (:mod:`cancerinfo.triage`, ``policies/safety.yaml``, ``policies/triage/``):
   a danger reported now is ``urgent`` at its level (emergency, care_team_now, crisis,
   poison) and gets only that level's message and numbers; a request to diagnose, read a
   personal report, set a dose, choose a treatment, tell a prognosis or change the rules is
   ``refused`` for its personal part; another language, or no health word, ``abstained``;
2. **follow-ups** (:mod:`.sessions`): "what about side effects?" is searched with the
   previous turn's topic;
3. **retrieval** (:class:`cancerinfo.index.search.Searcher`);
4. **evidence gate** (:mod:`.gate`): no support, no answer — a reason code instead;
5. **composer** (:mod:`.composer`): sections of verbatim quotes with numbered citations,
   plus navigation text from ``policies/answer.yaml``;
6. the turn is stored in its session; the reply is the response contract (:mod:`.contract`).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from cancerinfo.answer.arrange import Layout, arrange
from cancerinfo.answer.citations import quote_in_page, quote_position
from cancerinfo.answer.composer import Composer
from cancerinfo.answer.contract import Action, Citation, Response, Section, render_text
from cancerinfo.answer.evidence import Evidence, EvidenceFinder
from cancerinfo.answer.gate import (
    DRUG_KINDS,
    KBWords,
    check_outdated,
    check_search,
    missing_specific_words,
)
from cancerinfo.answer.plan import GENERAL, AnswerPolicy, load_answer_policy
from cancerinfo.answer.sessions import (
    DEFAULT_MAX_TURN_CHARS,
    DEFAULT_MAX_TURNS,
    DEFAULT_RETENTION_DAYS,
    PURGE_EVERY_SECONDS,
    SessionStore,
    Turn,
    check_session_id,
)
from cancerinfo.index.candidates import STRONG_ENTITY_KINDS
from cancerinfo.index.dense import Embedder
from cancerinfo.index.filters import Filters
from cancerinfo.index.intent import IntentModel
from cancerinfo.index.lexical import query_words
from cancerinfo.index.postings import terms
from cancerinfo.index.question_model import cache_folder
from cancerinfo.index.ranking import load_retrieval_policy, load_tier_policy
from cancerinfo.index.records import SearchResult
from cancerinfo.index.search import Searcher
from cancerinfo.index.topics import find_topic
from cancerinfo.kb.lint_policy import load_lint_policy
from cancerinfo.policies import policy_path
from cancerinfo.settings import Settings
from cancerinfo.triage import SafetyPolicy, Triage, TriageResult, build_triage
from cancerinfo.triage.meaning import RecentEmbeddings

MAX_QUESTION_CHARS = 2_000
#: Short-answer candidates whose encoder vectors are kept (384 floats each: about 30 MB).
MAX_KEPT_WINDOW_VECTORS = 20_000
#: Words of a short-answer candidate given to the encoder.
WINDOW_WORDS_EMBEDDED = 40
DRUG_INTENT = "drug_use"
SEEK_CARE_INTENT = "seek_care"
#: Questions naming a drug that its page answers with what it is used for when the question's
#: own parts are not on the page ("is Tafinlar a chemo pill?"); others stay unanswered.
DRUG_FALLBACK_INTENTS = frozenset({"general", "definition", "treatment", "drug_use"})
#: A follow-up names no topic of its own and is short, or opens like one ("and in children?").
_FOLLOW_UP_OPENING = re.compile(r"^\W*(and|what about|how about|also|but|or|then|same)\b", re.IGNORECASE)
_FOLLOW_UP_MAX_WORDS = 6
_ANAPHOR = re.compile(r"\b(it|its|it's|they|them|their|this|that|these|those)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Asked:
    """A question as the pipeline sees it after follow-up resolution."""

    question: str
    resolved: str
    carried_topic: str | None


class Assistant:
    """Answers questions from one store. Load once; :meth:`ask` many times."""

    def __init__(
        self,
        db: Path,
        *,
        embedder: Embedder | None = None,
        today: date | None = None,
        policy: AnswerPolicy | None = None,
        safety: SafetyPolicy | None = None,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        max_turns: int = DEFAULT_MAX_TURNS,
        max_turn_chars: int = DEFAULT_MAX_TURN_CHARS,
        purge_every: float = PURGE_EVERY_SECONDS,
        searcher: Searcher | None = None,
        policies: Path | None = None,
        contacts: dict[str, str] | None = None,
    ) -> None:
        """``policies``: a folder whose answer, safety, retrieval, tiers and intents YAML files
        replace the shipped ones (each file it has);
        ``contacts``: emergency_number, crisis_line, poison_control texts for this deployment."""
        self.db = Path(db)
        self.today = today or date.today()
        self.searcher = searcher or Searcher(
            self.db,
            embedder=embedder,
            today=self.today,
            policy=load_retrieval_policy(policy_path("retrieval.yaml", folder=policies)),
            tiers=load_tier_policy(policy_path("tiers.yaml", folder=policies)),
            intents=IntentModel.load(policy_path("intents.yaml", folder=policies)),
        )
        self.policy = policy or load_answer_policy(policy_path("answer.yaml", folder=policies))
        self.safety = safety or SafetyPolicy.load(policy_path("safety.yaml", folder=policies), **(contacts or {}))
        # the triage embeds the message; the search reuses that vector for the same text
        self.searcher.embedder = RecentEmbeddings(self.searcher.embedder)
        self.triage: Triage = build_triage(
            self.safety,
            folder=policy_path("triage", folder=policies),
            embedder=self.searcher.embedder,
            cache=cache_folder(),
        )
        index = self.searcher.index
        finder = EvidenceFinder(
            self.searcher.store,
            index.documents,
            index.document_of_url,
            self.policy,
            vocabulary=index.vocabulary,
            postings=self.searcher.postings,
            total_chunks=len(index.chunk_rowids),
            site_synonyms=load_lint_policy(policy_path("lint.yaml", folder=policies)).cancer_types.synonyms,
        )
        self.composer = Composer(
            finder,
            emergency_guidance=self.triage.emergency_guidance(),
            emergency_number=self.safety.emergency_number,
        )
        self.sessions = SessionStore(
            self.db, retention_days=retention_days, max_turns=max_turns, max_turn_chars=max_turn_chars,
            purge_every=purge_every,
        )
        self._stem = self.triage.files.lexicons["en"].reader.stem
        self.kb_words = KBWords(self.searcher.postings, len(index.chunk_rowids), root=self._stem)
        self._windows: OrderedDict[str, np.ndarray] = OrderedDict()
        self._window_lock = threading.Lock()

    def warm(self) -> None:
        """Do ahead of the first questions what any question would do (a server calls this
        once at start; a one-off ``ask`` need not)."""
        self.composer.warm()
        self.triage.warm()

    def forget_short_answer_vectors(self) -> None:
        """Drop the kept vectors of short-answer candidates, so a benchmark times fresh
        questions as a server first meets them (not answers it has given already)."""
        with self._window_lock:
            self._windows.clear()

    def close(self) -> None:
        """Close the session store and the searcher."""
        self.sessions.close()
        self.searcher.close()

    def _window_vectors(self, texts: list[str]) -> np.ndarray:
        """The encoder's vectors of short-answer candidates; the most recent
        ``MAX_KEPT_WINDOW_VECTORS`` are kept (pages asked about often come back)."""
        with self._window_lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._windows]
        if missing:
            # the first words of a candidate say what it is about; fewer tokens, a faster run
            vectors = self.searcher.embedder.embed([" ".join(t.split()[:WINDOW_WORDS_EMBEDDED]) for t in missing])
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
                    vector = self.searcher.embedder.embed([" ".join(text.split()[:WINDOW_WORDS_EMBEDDED])])[0]
                else:
                    self._windows.move_to_end(text)
                rows.append(vector)
        return np.vstack(rows)

    # -- the pipeline -------------------------------------------------------------------
    def ask(
        self, question: str, *, session_id: str | None = None, filters: Filters | None = None
    ) -> Response:
        """The response to ``question``. With ``session_id`` (checked) a follow-up is read against
        the session's last topical turn, and the turn is recorded (``response.turn``)."""
        question = " ".join(question.split())
        if session_id is not None:
            check_session_id(session_id)
        previous = self.sessions.last_turn(session_id, with_topic=True) if session_id else None
        response, topic, asked = self._answer(question, previous, filters)
        response.session_id = session_id
        if session_id is not None:
            response.turn = self.sessions.record(
                session_id,
                question=question,
                resolved=asked.resolved,
                response=response.as_dict(),
                topic=topic,
            )
        return response

    def _answer(
        self, question: str, previous: Turn | None, filters: Filters | None
    ) -> tuple[Response, dict[str, Any], Asked]:
        asked = Asked(question, question, None)
        if not question:
            return self._abstain("NO_QUERY_TERMS", "general"), {}, asked
        if len(question) > MAX_QUESTION_CHARS:
            return self._abstain("TOO_LONG", "general"), {}, asked
        triage = self.triage.assess(question, known_terms=self.known_terms, treatment_terms=self.names_drug)
        if triage.status == "urgent":
            # an emergency is answered as typed, never as a follow-up of the last topic
            return self._urgent_reply(triage, question, filters), {}, asked
        asked = self._resolve(question, previous)
        if triage.reason == "OFF_TOPIC" and asked.carried_topic and _reads_as_follow_up(question):
            # "and in children?" names no health word of its own: it continues the topic
            triage = self.triage.assess(
                question, known_terms=lambda _text: True, treatment_terms=self.names_drug
            )
        if triage.status == "abstained":
            response = self._abstain(triage.reason or "OFF_TOPIC", "general", message=triage.message)
            return response, {}, asked
        result = self.searcher.search(asked.resolved, k=10, filters=filters, snippets=False)
        if triage.status is None and asked.carried_topic is None and result.vector is not None:
            # a request about one person's case that no cue caught, by its nearest examples
            triage = self.triage.refusal_by_example(triage, result.vector, result.best_similarity)
        intent = self._intent(asked, result, triage, previous)
        topic = self._topic(result, asked)
        if triage.status == "refused":
            return self._safety_reply(triage, asked, result, intent), topic, asked
        decision = check_search(result, self.policy)
        if decision.reason:
            return self._abstain(decision.reason, intent, explain={"gate": decision.detail}, triage=triage), topic, asked
        evidence = self.composer.evidence(result, intent)
        decision = check_outdated(evidence, self.searcher.index.documents, self.policy, today=self.today)
        if decision.reason:
            return self._abstain(decision.reason, intent, explain={"gate": decision.detail}, triage=triage), topic, asked
        missing = self._missing(asked, evidence, result)
        if len(missing) > self.policy.gate.max_missing_specific_words:
            explain = {"gate": f"not in the evidence: {', '.join(missing)}"}
            return self._abstain("UNSUPPORTED", intent, explain=explain, triage=triage), topic, asked
        sections, citations = self.composer.compose(
            asked.resolved, intent, evidence, hit_chunks={hit.chunk_id for hit in result.hits}
        )
        if not any(s.source == "kb" for s in sections) and evidence.drug_named and intent in DRUG_FALLBACK_INTENTS:
            # a drug's page has its own parts ("is Tafinlar a chemo pill?"): what it is used for
            intent = DRUG_INTENT
            sections, citations = self.composer.compose(
                asked.resolved, intent, evidence, hit_chunks={hit.chunk_id for hit in result.hits}
            )
        if not any(section.source == "kb" for section in sections):
            return self._abstain("UNSUPPORTED", intent, explain={"gate": "nothing quotable"}, triage=triage), topic, asked
        uncovered = self._uncovered_terms(result, citations) if result.best_similarity < self.policy.gate.weak_similarity else []
        if uncovered:
            explain = {"gate": f"the quoted sections never name: {', '.join(uncovered)}"}
            return self._abstain("UNSUPPORTED", intent, explain=explain, triage=triage), topic, asked
        sections, more, citations = self._arrange(asked.resolved, result, evidence, intent, sections, citations)
        sections = self._with_guidance(sections, triage)
        response = Response(
            status="answered",
            intent=intent,
            disclaimer=self.policy.disclaimer,
            sections=sections,
            citations=citations,
            more=more,
            explain={"resolved": asked.resolved, "pages": [self._url(p) for p in evidence.pages]},
        )
        response.text = render_text(sections, self.policy.disclaimer, lead=self.policy.leads.get("answered"))
        return response, topic, asked

    # -- steps --------------------------------------------------------------------------
    def _urgent_reply(self, triage: TriageResult, question: str, filters: Filters | None) -> Response:
        """The level's message (in the message's language when it has one) and the numbers
        to call first. For an emergency or a call to the care team, cited KB context after
        it when the KB supports some (in English); never for a crisis or a poisoning, where
        a quote could name a means. After a call to the care team, a question of a kind the
        answer plans know ("what should I eat", "what can we do to help him") is answered
        below the call, short answer first: the call comes first, the question is not lost."""
        level = triage.urgency or "emergency"
        language = "es" if triage.language == "es" else "en"
        section = Section("emergency_guidance", self.safety.title(level, language=language), triage.message, [], "safety")
        sections = [section]
        citations: list[Citation] = []
        more: list[Section] = []
        if level in ("emergency", "care_team_now") and triage.language == "en":
            result = self.searcher.search(question, k=10, filters=filters, snippets=False)
            if self._supported(result):
                asked_intent = self.policy.classify(question) if level == "care_team_now" else None
                plan_intent = asked_intent or "urgent"
                evidence = self.composer.evidence(result, plan_intent)
                hits = {hit.chunk_id for hit in result.hits}
                kb_sections, citations = self.composer.compose(question, plan_intent, evidence, hit_chunks=hits)
                if any(s.source == "kb" for s in kb_sections):
                    if asked_intent is not None:
                        kb_sections, more, citations = self._arrange(
                            question, result, evidence, plan_intent, kb_sections, citations
                        )
                    sections += [s for s in kb_sections if s.source == "kb"]
                else:
                    citations = []
        response = Response(
            status="urgent",
            intent="urgent",
            disclaimer=self.policy.disclaimer,
            reason=triage.reason,
            urgency=level,  # type: ignore[arg-type]
            actions=[
                Action(kind, label, href)  # type: ignore[arg-type]
                for kind, label, href in dict.fromkeys(
                    [*self.safety.actions(level), *(self.safety.actions(triage.also) if triage.also else [])]
                )
            ],
            sections=sections,
            citations=citations,
            more=more,
            explain={"triage": level, "matched": triage.matched, "language": triage.language, "resolved": question},
        )
        response.text = render_text(sections, self.policy.disclaimer)
        return response

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
        candidates = self.composer.short_answer(
            question, result, evidence, embed=embed, stem=self._stem, parts=self.policy.plan(intent),
            section_scores=lambda chunk_ids: self.searcher.section_similarity(asked_vector, chunk_ids),
        )
        short = candidates[0] if candidates else None
        pair = self.composer.short_section(short, len(citations) + 1) if short is not None else None
        same: tuple[Section | None, list[Citation]] = (None, [])
        if short is not None:
            limit = self.policy.layout.support_lines
            section, more_citations = self.composer.same_section(short, len(citations) + 2, limit=limit)
            # the next best section found, from its best sentences on
            if len(candidates) > 1:
                second, second_citations = self.composer.same_section(
                    candidates[1], len(citations) + 2 + len(more_citations), limit=limit, include_run=True
                )
                if second is not None:
                    if section is None:
                        section, more_citations = second, second_citations
                    else:
                        section = replace(
                            section,
                            text=section.text + "\n" + second.text,
                            citations=[*section.citations, *second.citations],
                        )
                        more_citations = [*more_citations, *second_citations]
            same = (section, more_citations)
        layout = self.policy.layout

        finder = self.composer.finder
        # a supporting quote from a page on another cancer than the one asked about (or the
        # short answer's) is off topic, however close its words ("hair" and hairy cell leukemia)
        sites = finder.sites_named(question)
        if short is not None:
            sites |= finder.title_words[short.chunk.document] & finder.site_words

        def relevance(chunk_ids: list[str]) -> list[float]:
            scores = self.searcher.section_similarity(asked_vector, chunk_ids)
            documents = self.searcher.chunk_documents(chunk_ids)
            page_sites = [finder.title_words[d] & finder.site_words if d >= 0 else frozenset() for d in documents]
            return [
                -1.0 if mine and not mine & sites else score
                for score, mine in zip(scores, page_sites, strict=True)
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

    def _adjoins(self, first: Citation, second: Citation) -> bool:
        """Does ``second``'s quote run on from ``first``'s on their page?"""
        document = self.searcher.chunk_documents([first.chunk_id])[0]
        return document >= 0 and quote_in_page(f"{first.quote} {second.quote}", self.composer.body(document))

    def _place(self, citation: Citation) -> int:
        """Where a citation's quote stands on its page (-1: not found)."""
        document = self.searcher.chunk_documents([citation.chunk_id])[0]
        return quote_position(citation.quote, self.composer.body(document)) if document >= 0 else -1

    def _with_guidance(self, sections: list[Section], triage: TriageResult) -> list[Section]:
        """An answer about a danger gets that level's guidance; a report of how someone
        feels now, with no danger found, a pointer to the care team."""
        if triage.informational is not None:
            if not any(s.kind == "emergency_guidance" for s in sections):
                text = self.triage.emergency_guidance(triage.informational)
                sections = [*sections, Section("emergency_guidance", "If this is happening now", text, [], "safety")]
        elif triage.personal:
            text = self.safety.fill("check_in")
            sections = [*sections, Section("when_to_seek_care", "If you are worried now", text, [], "safety")]
        return sections

    def _safety_reply(
        self, triage: TriageResult, asked: Asked, result: SearchResult, intent: str
    ) -> Response:
        """Refused: the kind refusal and questions to ask the doctor, then general cited
        information when the KB has some (not for an attempt to change the rules, nor in
        a language the KB is not written in)."""
        spanish = triage.language == "es"
        title = "Lo que puedo y no puedo hacer" if spanish else "What I can and cannot do"
        first = Section("refusal", title, triage.message, [], "safety")
        sections = [first]
        citations = []
        informative = triage.reason != "RULES_NOT_CHANGEABLE" and triage.language == "en"
        if informative and self._supported(result):
            plan_intent = intent
            evidence = self.composer.evidence(result, plan_intent)
            hits = {hit.chunk_id for hit in result.hits}
            kb_sections, citations = self.composer.compose(asked.resolved, plan_intent, evidence, hit_chunks=hits)
            if not any(s.source == "kb" for s in kb_sections) and evidence.drug_named:
                kb_sections, citations = self.composer.compose(asked.resolved, DRUG_INTENT, evidence, hit_chunks=hits)
            if any(s.source == "kb" for s in kb_sections):  # navigation text only beside quotes
                sections += [s for s in kb_sections if s.source == "kb" or s.kind != "questions_for_doctor"]
        if triage.questions_for_doctor:  # right after the refusal that leads into them
            sections.insert(
                1,
                Section(
                    "questions_for_doctor",
                    "Preguntas para su médico" if spanish else "Questions to ask your doctor",
                    "\n".join(f"- {q}" for q in triage.questions_for_doctor),
                    [],
                    "safety",
                )
            )
        sections = self._with_guidance(sections, triage) if informative else sections
        response = Response(
            status="refused",
            intent=intent,
            disclaimer=self.policy.disclaimer,
            reason=triage.reason,
            sections=sections,
            citations=citations,
            explain={"triage": triage.category, "matched": triage.matched, "resolved": asked.resolved},
        )
        response.text = render_text(sections, self.policy.disclaimer)
        return response

    def _supported(self, result: SearchResult) -> bool:
        return check_search(result, self.policy).reason is None

    def _abstain(
        self,
        reason: str,
        intent: str,
        *,
        message: str | None = None,
        explain: dict[str, Any] | None = None,
        triage: TriageResult | None = None,
    ) -> Response:
        """No answer, with a reason; a question about a danger or a report of how someone
        feels still gets its guidance (never a silent abstention)."""
        text = message or self.policy.abstain_message(reason)
        sections = self._with_guidance([], triage) if triage is not None else []
        response = Response(
            status="abstained", intent=intent, disclaimer=self.policy.disclaimer, reason=reason,
            sections=sections, explain=explain or {},
        )
        extra = "".join(f"\n\n## {s.title}\n\n{s.text}" for s in sections)
        response.text = f"{text}{extra}\n\n_{self.policy.disclaimer}_"
        return response

    def _intent(self, asked: Asked, result: SearchResult, triage: TriageResult, previous: Turn | None) -> str:
        intent = self.policy.classify(asked.question) or result.intent
        if intent == GENERAL and triage.informational is not None:
            return SEEK_CARE_INTENT
        if intent == "general" and asked.carried_topic and previous is not None:
            return previous.intent
        return intent

    def _resolve(self, question: str, previous: Turn | None) -> Asked:
        topic = (previous.topic or {}).get("text") if previous else None
        if not topic or self._names_topic(question):
            return Asked(question, question, None)
        if len(query_words(question)) <= _FOLLOW_UP_MAX_WORDS or _FOLLOW_UP_OPENING.search(question):
            return Asked(question, f"{question} ({topic})", topic)
        return Asked(question, question, None)

    def _names_topic(self, question: str) -> bool:
        index = self.searcher.index
        if any(m.kind in STRONG_ENTITY_KINDS for m in index.vocabulary.match(question)):
            return True
        return find_topic(question, index.topics)[0] is not None

    def _topic(self, result: SearchResult, asked: Asked) -> dict[str, Any]:
        for entity in result.entities:
            if entity["kind"] == "topic" or entity["kind"] in {str(k) for k in STRONG_ENTITY_KINDS}:
                return {"text": entity["canonical"], "kind": entity["kind"]}
        if asked.carried_topic:
            return {"text": asked.carried_topic, "kind": "carried"}
        finder = self.composer.finder
        for entity in result.entities:  # else a specific KB term it names ("multiple myeloma")
            if entity["kind"] != "title" and finder.is_specific(entity["canonical"]):
                return {"text": entity["canonical"], "kind": entity["kind"]}
        return {}

    def _missing(self, asked: Asked, evidence: Evidence, result: SearchResult) -> list[str]:
        """Specific words of the question its pages never use. A question naming a drug,
        brand or regimen is checked against that page alone ("grapefruit with ixazomib?")."""
        index = self.searcher.index
        pages = evidence.pages
        drug_urls = {u for e in result.entities if e["kind"] in DRUG_KINDS for u in e["urls"]}
        if drug_urls:
            pages = [index.document_of_url[u] for u in drug_urls if u in index.document_of_url]
        page_set = set(pages)
        chunks = [c for c in evidence.chunks if c.document in page_set]
        chunks += self.composer.finder.chunks([p for p in pages if p not in evidence.pages])
        return missing_specific_words(
            asked.resolved,
            chunks,
            [index.documents[p].title for p in pages],
            self.kb_words,
            self.policy,
            only_unknown=not drug_urls,
            # the search already matched the KB vocabulary in this question
            expansions=result.expansions,
            known=frozenset(w for e in result.entities if e["kind"] != "topic" for w in query_words(e["text"])),
        )

    def _uncovered_terms(self, result: SearchResult, citations: list[Citation]) -> list[str]:
        """The specific KB terms the question names when none of them is in the pages the
        answer quotes ("acne" asked, only pages on other things found): an answer about
        something else is no answer."""
        finder = self.composer.finder
        named = {
            e["canonical"] for e in result.entities
            if e["kind"] not in ("title", "topic") and not e["fuzzy"] and finder.is_specific(e["canonical"])
        }
        if not named:
            return []
        pages = {self.searcher.index.document_of_url[c.url] for c in citations}
        words: set[str] = set()
        for page in pages:
            words |= self.composer.finder.page_terms(page)
        if any(set(terms(term)) <= words for term in named):
            return []
        return sorted(named)

    def names_drug(self, text: str) -> bool:
        """Does ``text`` name a drug, brand or regimen the KB knows (anticancer treatment)?"""
        return any(str(m.kind) in DRUG_KINDS for m in self.searcher.index.vocabulary.match(text))

    def known_terms(self, text: str) -> bool:
        """Does the KB vocabulary know a term of ``text`` (a drug, a brand, a disease...)?"""
        index = self.searcher.index
        return bool(index.vocabulary.match(text)) or find_topic(text, index.topics)[0] is not None

    def _url(self, document: int) -> str:
        return self.searcher.index.documents[document].url


def assistant_from_settings(settings: Settings) -> Assistant:
    """An assistant configured by :class:`~cancerinfo.settings.Settings` (flags, environment)."""
    contacts = {
        name: value
        for name in CONTACT_SETTINGS
        if (value := getattr(settings, name))
    }
    return Assistant(
        settings.db,
        retention_days=settings.session_retention_days,
        max_turns=settings.session_max_turns,
        max_turn_chars=settings.session_max_turn_chars,
        purge_every=settings.session_purge_seconds,
        policies=settings.policies,
        contacts=contacts,
    )


#: Settings that replace a contact of policies/safety.yaml when set.
CONTACT_SETTINGS = (
    "emergency_number", "crisis_line", "poison_control", "emergency_tel", "crisis_tel", "poison_tel", "care_team", "care_team_tel",
)


def _reads_as_follow_up(question: str) -> bool:
    """Opens like a follow-up ("and ...", "what about ...") or points back ("is it ...")."""
    return bool(_FOLLOW_UP_OPENING.search(question) or _ANAPHOR.search(question))
