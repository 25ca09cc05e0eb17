"""From a question to a grounded answer: the whole pipeline, in the order it runs.

1. **triage** (:mod:`cancerinfo.triage`, ``policies/safety.yaml``, ``policies/triage/``):
   a danger reported now is ``urgent`` at its level (emergency, care_team_now, crisis,
   poison) and gets only that level's message and numbers; a request to diagnose, read a
   personal report, set a dose, choose a treatment, tell a prognosis or change the rules is
   ``refused`` for its personal part; another language, or no health word, ``abstained``
   (its slow multilingual crisis check read while the answer is made, and the answer kept
   only when the full decision is the same: :mod:`cancerinfo.triage.read_ahead`);
2. **follow-ups** (:mod:`.sessions`): "what about side effects?" is searched with the
   previous turn's topic;
3. **retrieval** (:class:`cancerinfo.index.search.Searcher`);
4. **evidence gate** (:mod:`.gate`): no support, no answer — a reason code instead;
5. **composer** (:mod:`.composer`): sections of verbatim quotes with numbered citations,
   plus navigation text from ``policies/answer.yaml``;
6. the turn is stored in its session; the reply is the response contract (:mod:`.contract`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from cancerinfo.answer.asked import SEEK_CARE_INTENT as SEEK_CARE_INTENT
from cancerinfo.answer.asked import Asked as Asked
from cancerinfo.answer.asked import _Asking, _reads_as_follow_up
from cancerinfo.answer.assistant_layout import DRUG_CLASS_INTENTS, DRUG_FALLBACK_INTENTS
from cancerinfo.answer.assistant_layout import DRUG_INTENT as DRUG_INTENT
from cancerinfo.answer.assistant_layout import MAX_KEPT_WINDOW_VECTORS as MAX_KEPT_WINDOW_VECTORS
from cancerinfo.answer.assistant_layout import WINDOW_WORDS_EMBEDDED as WINDOW_WORDS_EMBEDDED
from cancerinfo.answer.composer import Composer
from cancerinfo.answer.contract import Citation, Response, render_text
from cancerinfo.answer.evidence import Evidence, EvidenceFinder
from cancerinfo.answer.gate import (
    DRUG_KINDS,
    KBWords,
    check_outdated,
    check_question,
    check_search,
    missing_specific_words,
    too_many_missing,
)
from cancerinfo.answer.kb_reader import SQLiteKB
from cancerinfo.answer.plan import AnswerPolicy, asking_sentences, load_answer_policy
from cancerinfo.answer.replies import _Replies
from cancerinfo.answer.sessions import (
    DEFAULT_MAX_TURN_CHARS,
    DEFAULT_MAX_TURNS,
    DEFAULT_RETENTION_DAYS,
    PURGE_EVERY_SECONDS,
    SessionStore,
    Turn,
    check_session_id,
)
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
from cancerinfo.triage import SafetyPolicy, Triage, build_triage
from cancerinfo.triage.meaning import RecentEmbeddings
from cancerinfo.triage.read_ahead import ReadAhead, same_decision
from cancerinfo.triage.result import TriageResult

MAX_QUESTION_CHARS = 2_000
#: Abstentions of the evidence gate: the KB has no answer (a crisis by meaning is read first)
NO_SUPPORT = frozenset({"LOW_SCORE", "UNSUPPORTED", "NO_RESULTS"})


class Assistant(_Asking, _Replies):
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
        #: the triage, its slow multilingual check read while the answer is made (read_ahead.py)
        self.read_ahead = ReadAhead(self.triage)
        index = self.searcher.index
        finder = EvidenceFinder(
            SQLiteKB(self.searcher.store, index.documents),
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
        """Close the session store, the searcher and the triage's read-ahead thread."""
        self.read_ahead.close()
        self.sessions.close()
        self.searcher.close()

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
        if response.status == "abstained" and response.reason in NO_SUPPORT and asked.carried_topic is None:
            # no answer follows: a crisis by meaning first ("22 and terminal ... I've picked a date")
            urgent = self.triage.before_no_answer(question)
            if urgent is not None:
                response, topic = self._urgent_reply(urgent, question, filters), {}
        if asked.carried_topic is not None:  # what was searched, whatever the outcome (--explain)
            response.explain.setdefault("resolved", asked.resolved)
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
        resolved = self._resolve(question, previous)
        # "and in children?" names no health word of its own: it continues the last topic
        continues = resolved.carried_topic is not None and _reads_as_follow_up(question)
        known_terms = (lambda _text: True) if continues else self.known_terms
        triage, pending = self.read_ahead.assess(question, known_terms=known_terms, treatment_terms=self.names_drug)
        reply = self._after_triage(question, resolved, triage, filters, previous)
        if pending is not None:
            # the triage's multilingual check was read while this answer was made: the same
            # decision keeps the answer, another one (a crisis found) starts from that decision
            final = pending.settle()
            if not same_decision(final, triage):
                reply = self._after_triage(question, resolved, final, filters, previous)
        return reply

    def _after_triage(
        self, question: str, resolved: Asked, triage: TriageResult, filters: Filters | None, previous: Turn | None
    ) -> tuple[Response, dict[str, Any], Asked]:
        """The reply to ``question`` once the triage decided (``resolved``: as searched)."""
        if triage.status == "urgent":
            # an emergency is answered as typed, never as a follow-up of the last topic
            return self._urgent_reply(triage, question, filters), {}, Asked(question, question, None)
        asked = resolved
        if triage.status == "abstained":
            response = self._abstain(triage.reason or "OFF_TOPIC", "general", message=triage.message)
            return response, {}, asked
        decision = check_question(question, self.policy) if triage.status is None else None  # a refusal keeps its reply
        if decision is not None and decision.reason:
            return self._abstain(decision.reason, "general", explain={"gate": decision.detail}, triage=triage), {}, asked
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
        # a question on living with cancer that names a cancer or drug as context: the pages on
        # what it asks, found without those names
        result = self._with_living_pages(asked.resolved, result, intent, filters)
        # what a drug's own page does not say (its side effects) from the pages on its kind of
        # treatment that page links to (cancerinfo.answer.drug_classes)
        evidence = self.composer.evidence(result, intent, drug_classes=intent in DRUG_CLASS_INTENTS)
        decision = check_outdated(evidence, self.searcher.index.documents, self.policy, today=self.today)
        if decision.reason:
            return self._abstain(decision.reason, intent, explain={"gate": decision.detail}, triage=triage), topic, asked
        missing = self._missing(asked, evidence, result)
        if too_many_missing(missing, asked.question, self.policy):
            explain = {"gate": f"not in the evidence: {', '.join(missing)}"}
            return self._abstain("UNSUPPORTED", intent, explain=explain, triage=triage), topic, asked
        # a drug's page has its own parts ("is Tafinlar a chemo pill?"): what it is used for
        # (never the general plan: a part with no passage is dropped, not filled, so "what are
        # its side effects?" of a drug page without them is declined)
        drug = [DRUG_INTENT] if evidence.drug_named and intent in DRUG_FALLBACK_INTENTS else []
        intent, sections, citations = self._compose_first(asked.resolved, [intent, *drug], evidence, result)
        if not any(section.source == "kb" for section in sections):
            return self._abstain("UNSUPPORTED", intent, explain={"gate": "nothing quotable"}, triage=triage), topic, asked
        uncovered = self._uncovered_terms(result, citations) if result.best_similarity < self.policy.gate.weak_similarity else []
        if uncovered:
            explain = {"gate": f"the quoted sections never name: {', '.join(uncovered)}"}
            return self._abstain("UNSUPPORTED", intent, explain=explain, triage=triage), topic, asked
        sections, more, citations = self._arrange(asked.resolved, result, evidence, intent, sections, citations)
        sections = self._with_guidance(self._with_class_note(sections, citations, evidence), triage)
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
        return response, self._answered_topic(intent, topic, citations), asked

    # -- steps --------------------------------------------------------------------------
    def _missing(self, asked: Asked, evidence: Evidence, result: SearchResult) -> list[str]:
        """Specific words of the question its pages never use. A question naming a drug,
        brand or regimen is checked against that page and the pages found for it, counting
        rarer words too ("grapefruit with ixazomib?")."""
        index = self.searcher.index
        pages = evidence.pages
        drug_urls = {u for e in result.entities if e["kind"] in DRUG_KINDS for u in e["urls"]}
        if drug_urls:
            # the drug's page and the pages found for the question: "on folfox, her feet are
            # numb" asks about numb feet, which the neuropathy page covers, not FOLFOX's page
            named = [index.document_of_url[u] for u in drug_urls if u in index.document_of_url]
            pages = list(dict.fromkeys([*named, *pages]))
        page_set = set(pages)
        chunks = [c for c in evidence.chunks if c.document in page_set]
        chunks += self.composer.finder.chunks([p for p in pages if p not in evidence.pages])
        # a question naming a drug is checked on what it asks, not on the story around it
        # ("my gyn said i could take tamoxifen ... isnt tamoxifen only for ...": "gyn" is no ask)
        question = asking_sentences(asked.resolved.lower()) if drug_urls else asked.resolved
        return missing_specific_words(
            question,
            chunks,
            [index.documents[p].title for p in pages],
            self.kb_words,
            self.policy,
            only_unknown=not drug_urls,
            # the search already matched the KB vocabulary in this question; a drug's name as
            # typed names the drug's page checked ("taxol": the Paclitaxel page never says Taxol)
            expansions=(*result.expansions, *(e["text"] for e in result.entities if e["kind"] in DRUG_KINDS)),
            known=frozenset(w for e in result.entities if e["kind"] != "topic" for w in query_words(e["text"])),
        )

    def _uncovered_terms(self, result: SearchResult, citations: list[Citation]) -> list[str]:
        """The specific KB terms the question names when none of them is in the pages the
        answer quotes ("acne" asked, only pages on other things found): an answer about
        something else is no answer. A conversational word the KB's glossary happens to hold
        ("ever") is no term asked (``conversational_words``)."""
        finder = self.composer.finder
        conversational = self.policy.conversational_words
        named = {
            e["canonical"] for e in result.entities
            if e["kind"] not in ("title", "topic") and not e["fuzzy"] and finder.is_specific(e["canonical"])
            and e["canonical"].casefold() not in conversational
        }
        if not named:
            return []
        pages = {self.searcher.index.document_of_url[c.url] for c in citations}
        words: set[str] = set()
        for page in pages:
            words |= self.composer.kb.page_terms(page)
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
