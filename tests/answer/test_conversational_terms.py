"""A conversational word that the KB's glossary happens to hold ("ever": "staying out late
ever since ...") is no term the question asks about: the answer is not declined because the
quoted pages never name it. A real term asked and never quoted still declines it."""

from __future__ import annotations

from types import SimpleNamespace

from cancerinfo.answer.assistant import Assistant
from cancerinfo.answer.plan import load_answer_policy

POLICY = load_answer_policy()


def uncovered(entities: list[dict], page_terms: set[str]) -> list[str]:
    """``Assistant._uncovered_terms`` on a search that named ``entities`` and an answer quoting
    one page whose terms are ``page_terms``."""
    assistant = SimpleNamespace(
        composer=SimpleNamespace(
            finder=SimpleNamespace(is_specific=lambda term: True),
            kb=SimpleNamespace(page_terms=lambda page: page_terms),
        ),
        searcher=SimpleNamespace(index=SimpleNamespace(document_of_url={"https://kb/page": 0})),
        policy=POLICY,
    )
    result = SimpleNamespace(entities=entities)
    citations = [SimpleNamespace(url="https://kb/page")]
    return Assistant._uncovered_terms(assistant, result, citations)  # type: ignore[arg-type]


def glossary(word: str) -> dict:
    return {"text": word, "canonical": word, "kind": "glossary", "urls": [], "fuzzy": False}


def test_a_conversational_word_of_the_glossary_is_no_term_asked() -> None:
    assert "ever" in POLICY.conversational_words
    assert uncovered([glossary("ever")], {"siblings", "support"}) == []


def test_a_real_term_never_quoted_is_still_uncovered() -> None:
    assert uncovered([glossary("acne")], {"siblings", "support"}) == ["acne"]
    assert uncovered([glossary("acne"), glossary("ever")], {"siblings"}) == ["acne"]


def test_time_words_never_make_a_question_unsupported() -> None:
    assert {"someday", "meantime", "meanwhile"} <= POLICY.conversational_words
