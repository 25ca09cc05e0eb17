"""The evidence gate: answer only when the KB supports it, else say why (a reason code).

Reason codes (``reason`` of an ``abstained`` response):

``NO_RESULTS``            the search found nothing (or only pages that are not live)
``FILTER_MATCHES_NOTHING`` the filters leave no page (from the searcher)
``NO_QUERY_TERMS``        the question has no words to search for
``LOW_SCORE``             the best section is too far from the question and no KB page is
                          named in it (``gate.min_similarity``)
``ONLY_OUTDATED``         every page of the evidence was last reviewed more than
                          ``gate.outdated_after_days`` ago (an overdue review alone is shown
                          on the source card, not a reason to stay silent)
``UNSUPPORTED``           the question asks about something the evidence never mentions
                          (a specific word of the question, rare or absent in the KB, is in
                          none of the focus pages), or nothing quotable was found
``OFF_TOPIC`` / ``OUT_OF_SCOPE`` come from triage, before the search.

Thresholds live in ``policies/answer.yaml`` and are calibrated in docs/answers.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cancerinfo.answer.evidence import Evidence
from cancerinfo.answer.plan import AnswerPolicy
from cancerinfo.index.lexical import query_words
from cancerinfo.index.postings import Postings, stem, terms
from cancerinfo.index.records import DocumentInfo, SearchResult

NAMED_KINDS = frozenset({"topic", "drug", "brand", "regimen", "regimen_component"})
DRUG_KINDS = frozenset({"drug", "brand", "regimen", "regimen_component"})


@dataclass(frozen=True, slots=True)
class GateDecision:
    reason: str | None
    detail: str
    missing: tuple[str, ...] = ()


def names_a_page(result: SearchResult) -> bool:
    return any(entity["kind"] in NAMED_KINDS and entity["urls"] for entity in result.entities)


def names_a_drug(result: SearchResult) -> bool:
    return any(entity["kind"] in DRUG_KINDS and entity["urls"] for entity in result.entities)


def check_search(result: SearchResult, policy: AnswerPolicy) -> GateDecision:
    """Before composing: is there anything close enough to the question?"""
    if result.reason:
        return GateDecision(result.reason if result.reason != "NO_RESULTS" else "NO_RESULTS", result.detail or "")
    if not result.hits:
        return GateDecision("NO_RESULTS", "the search found no section")
    if result.best_similarity < policy.gate.min_similarity and not names_a_page(result):
        return GateDecision(
            "LOW_SCORE",
            f"best section similarity {result.best_similarity:.2f} < {policy.gate.min_similarity}"
            " and the question names no KB page",
        )
    return GateDecision(None, "")


def check_outdated(
    evidence: Evidence, documents: list[DocumentInfo], policy: AnswerPolicy, *, today: date
) -> GateDecision:
    limit = policy.gate.outdated_after_days
    ages = []
    for page in evidence.pages:
        try:
            ages.append((today - date.fromisoformat(documents[page].last_reviewed[:10])).days)
        except ValueError:
            ages.append(limit + 1)
    if ages and min(ages) > limit:
        return GateDecision("ONLY_OUTDATED", f"every page was last reviewed more than {limit} days ago")
    return GateDecision(None, "")


def missing_specific_words(
    question: str,
    evidence: Evidence,
    documents: list[DocumentInfo],
    postings: Postings | None,
    total_chunks: int,
    policy: AnswerPolicy,
    *,
    named_drug: bool,
    expansions: tuple[str, ...] = (),
) -> list[str]:
    """Specific words of a question about a named drug, brand or regimen page that none of
    the focus pages mentions (in text, heading or title): "can I eat grapefruit with
    ixazomib?" when the ixazomib page never mentions grapefruit. Questions about a topic or
    with no named page are left to the similarity check (their wording varies too much)."""
    if postings is None or not total_chunks or not named_drug:
        return []
    covered: set[str] = set()
    for chunk in evidence.chunks:
        covered.update(terms(chunk.section))
        covered.update(terms(chunk.text))
    for page in evidence.pages:
        covered.update(terms(documents[page].title))
    for expansion in expansions:
        covered.update(terms(expansion))
    missing = []
    limit = policy.gate.specific_word_max_share * total_chunks
    for word in query_words(question):
        term = stem(word)
        if word in policy.conversational_words or term in policy.conversational_words or len(word) < 3 or "'" in word:
            continue
        if word.isdigit() or term in covered:
            continue
        term_id = postings.vocabulary.get(term)
        frequency = 0 if term_id is None else int(postings.starts[term_id + 1] - postings.starts[term_id])
        if frequency < limit:
            missing.append(word)
    return missing
