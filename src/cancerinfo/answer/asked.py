"""The question as the pipeline reads it (:class:`~cancerinfo.answer.assistant.Assistant`
inherits these steps from :class:`_Asking`): :class:`Asked`, a follow-up resolved with the
previous turn's topic ("and in children?"), the intent asked and the topic a turn records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cancerinfo.answer.composer import Composer
from cancerinfo.answer.contract import Citation
from cancerinfo.answer.evidence import LIVING_WITH_PARTS
from cancerinfo.answer.evidence_words import CHILD_WORDS, young_asked
from cancerinfo.answer.plan import GENERAL, AnswerPolicy
from cancerinfo.answer.sessions import Turn
from cancerinfo.index.candidates import STRONG_ENTITY_KINDS
from cancerinfo.index.lexical import query_words
from cancerinfo.index.records import SearchResult
from cancerinfo.index.search import Searcher
from cancerinfo.index.topics import find_topic, without_publisher
from cancerinfo.index.topics import words as title_words
from cancerinfo.triage import TriageResult

SEEK_CARE_INTENT = "seek_care"
#: A follow-up names no topic of its own and is short, or opens like one ("and in children?",
#: "ok and after each session ...", "what if she had ...": a word that only acknowledges the
#: last answer may come first).
_ACKNOWLEDGED = r"^\W*(?:(?:ok|okay|oh|so|well|right|yes|yeah|no|thanks|thank you|hmm|um)\b[\W_]*)*"
_OPENERS = r"and|what about|how about|also|but|or|then|same"
_FOLLOW_UP_OPENING = re.compile(_ACKNOWLEDGED + rf"({_OPENERS}|what if)\b", re.IGNORECASE)
_FOLLOW_UP_MAX_WORDS = 6
#: A follow-up that only names another case, a condition or the people it is for, asks the
#: last question again (when that question is this short, in words searched)
_ONLY_A_CASE = re.compile(
    _ACKNOWLEDGED
    + rf"(?:what if\b|(?:{_OPENERS})\W+(?:if|in|for|with|during|after|at|stage|grade)\b)",
    re.IGNORECASE,
)
#: ... and asks nothing after it ("and after each dose can he drive?" asks its own question)
_ASKS = re.compile(
    r"\b(can|could|is|are|was|were|does|do|did|will|would|should|shall|may|might|must|how|what|why|when|where|which|who)\b",
    re.IGNORECASE,
)
_CARRIED_QUESTION_MAX_WORDS = 10
#: A sentence after the case's question mark asks its own question when it opens with an
#: asking word or ends with "?" ("what about boys? does my son need it too"), not when it
#: only tells the case ("and stage 4? my grandpa is stage 4").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: ... or points back: at what was asked ("is it ...") or at the person it was about ("what
#: happens if he has to skip one?")
_ANAPHOR = re.compile(
    r"\b(it|its|it's|they|them|their|theyre|they're|this|that|thats|that's|these|those|he|him|his|hes|he's|she|her|hers|shes|she's"
    r"|one|thing|things|stuff|process)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Asked:
    """A question as the pipeline sees it after follow-up resolution."""

    question: str
    resolved: str
    carried_topic: str | None
    #: searched with the previous question itself (it only names another case)
    carried_question: bool = False


class _Asking:
    """Follow-up resolution, intent and topic, for
    :class:`~cancerinfo.answer.assistant.Assistant` (which sets the attributes below)."""

    policy: AnswerPolicy
    searcher: Searcher
    composer: Composer

    def _intent(self, asked: Asked, result: SearchResult, triage: TriageResult, previous: Turn | None) -> str:
        if asked.carried_question and previous is not None and previous.intent != GENERAL:
            return previous.intent  # the last question, asked again for another case
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
            if _names_only_a_case(question) and len(query_words(previous.resolved)) <= _CARRIED_QUESTION_MAX_WORDS:
                # it asks nothing of its own ("and if it's already in his liver?", "what
                # about in children?"): the last question, for this case
                carried = previous.resolved
                if _asks_for_children(question):
                    carried = " ".join(_ADULTS.sub(" ", carried).split())  # "and for kids?" switches
                return Asked(question, f"{question} ({carried})", topic, carried_question=True)
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
                treatment = self._treatment_named(result) if entity["kind"] == "topic" else None
                if treatment is not None:
                    # "my sister is getting CAR T cell therapy for her lymphoma" then "what side
                    # effects can it cause": "it" is as likely the treatment as the cancer
                    return {"text": f"{treatment} {entity['canonical']}", "kind": entity["kind"]}
                return {"text": entity["canonical"], "kind": entity["kind"]}
        if asked.carried_topic:
            return {"text": asked.carried_topic, "kind": "carried"}
        finder = self.composer.finder
        for entity in result.entities:  # else a specific KB term it names ("multiple myeloma")
            if entity["kind"] != "title" and finder.is_specific(entity["canonical"]):
                return {"text": entity["canonical"], "kind": entity["kind"]}
        if len(query_words(asked.question)) <= _CARRIED_QUESTION_MAX_WORDS:
            # it names nothing ("how do i tell my 6 year old that i have cancer"): a follow-up
            # ("and my 15 yr old?") continues the question itself
            return {"text": asked.question, "kind": "question"}
        return {}

    def _treatment_named(self, result: SearchResult) -> str | None:
        """A kind of treatment the question names besides its topic ("CAR T-cell therapy",
        "brachytherapy"): a KB term one of whose words is a treatment word, not everywhere in the KB."""
        words = self.policy.treatment_title_words
        for entity in result.entities:
            if entity["kind"] in ("topic", "title"):
                continue
            name = entity["canonical"]
            if any(w in words or w.endswith("therapy") for w in title_words(name)) and self.composer.finder.is_specific(name):
                return name
        return None

    def _answered_topic(self, intent: str, topic: dict[str, Any], citations: list[Citation]) -> dict[str, Any]:
        """The topic an answered turn records: for a question on living with cancer (a side
        effect, eating, coping ...) that named no topic of its own, the subject of the page its
        first quote (the short answer's) is from, when that page's title names one ("will my
        wife lose her hair on AC chemo", answered from "Hair Loss (Alopecia) and Cancer
        Treatment": "hair loss", not the regimen named as context), so that "how long till it
        grows back?" continues it."""
        plan = self.policy.plan(intent)
        if topic.get("kind") == "topic" or not citations or not plan or plan[0] not in LIVING_WITH_PARTS:
            return topic
        index = self.searcher.index
        document = self.composer.finder.document_of_url.get(citations[0].url)
        if document is None:
            return topic
        name, pages = find_topic(without_publisher(index.documents[document].title), index.topics)
        return {"text": name, "kind": "topic"} if name is not None and document in pages else topic


def _names_only_a_case(question: str) -> bool:
    """Opens like a follow-up, then names only a case ("and if ...", "what about in ...")
    without asking anything of its own after it (a later sentence that only tells the case,
    "and stage 4? my grandpa is stage 4", asks nothing)."""
    case = _ONLY_A_CASE.search(question)
    if case is None:
        return False
    first, mark, rest = question[case.end() :].partition("?")
    if _ASKS.search(first):
        return False
    later = [s.strip() for s in _SENTENCE_END.split(rest) if s.strip()] if mark else []
    return not any(_ASKS.match(s) or s.endswith("?") for s in later)


#: The words of a question about adults that a follow-up asking for children drops from it
#: ("how do they treat hodgkin lymphoma in adults" + "and for kids?").
_ADULTS = re.compile(r"\b(?:(?:in|for|of)\s+)?adults?\b", re.IGNORECASE)
#: ... the child words of the evidence step and a few more that never name a page's audience
_CHILDREN = CHILD_WORDS | {"kid", "baby", "babies", "infants"}


def _asks_for_children(question: str) -> bool:
    """Does the question ask about children ("and for kids?", "my son is 12")?"""
    return bool(young_asked(question)) or any(word in _CHILDREN for word in re.findall(r"[a-z]+", question.lower()))


def _reads_as_follow_up(question: str) -> bool:
    """Opens like a follow-up ("and ...", "what about ...") or points back ("is it ...")."""
    return bool(_FOLLOW_UP_OPENING.search(question) or _ANAPHOR.search(question))
