"""The question as the pipeline reads it (:class:`~cancerinfo.answer.assistant.Assistant`
inherits these steps from :class:`_Asking`): :class:`Asked`, a follow-up resolved with the
previous turn's topic ("and in children?"), the intent asked and the topic a turn records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cancerinfo.answer.composer import Composer
from cancerinfo.answer.plan import GENERAL, AnswerPolicy
from cancerinfo.answer.sessions import Turn
from cancerinfo.index.candidates import STRONG_ENTITY_KINDS
from cancerinfo.index.lexical import query_words
from cancerinfo.index.records import SearchResult
from cancerinfo.index.search import Searcher
from cancerinfo.index.topics import find_topic
from cancerinfo.triage import TriageResult

SEEK_CARE_INTENT = "seek_care"
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


class _Asking:
    """Follow-up resolution, intent and topic, for
    :class:`~cancerinfo.answer.assistant.Assistant` (which sets the attributes below)."""

    policy: AnswerPolicy
    searcher: Searcher
    composer: Composer

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


def _reads_as_follow_up(question: str) -> bool:
    """Opens like a follow-up ("and ...", "what about ...") or points back ("is it ...")."""
    return bool(_FOLLOW_UP_OPENING.search(question) or _ANAPHOR.search(question))
