"""A question that asks what something is ("his oncologist said the word cachexia, whats
that") gets the sentence that says what it is ("Cancer cachexia is a wasting syndrome ...")
as its short answer, even when the search found the page by another section, and never a
quote of what someone said in an interview (``definition`` and ``skip_lines`` in
policies/answer.yaml)."""

from __future__ import annotations

import numpy as np

from cancerinfo.answer.composer import Composer
from cancerinfo.answer.evidence import Evidence
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.index.records import SearchResult
from tests.answer.pages import PageSpec, SmallKB

POLICY = load_answer_policy()

FEELS = "Cachexia can make you feel tired and unable to do your daily activities."
SAYS = "Cancer cachexia is a wasting syndrome that leads to weakness and loss of muscle."
SAID = "Most patients “are unfamiliar with the term cachexia,” Dr. Lee said."
PAGES: list[PageSpec] = [
    (
        "Cachexia and Cancer - NCI",
        "cachexia",
        [
            ("", FEELS),
            ("What is cancer cachexia?", SAYS),
            ("Getting support for cancer cachexia", "Ask your family and friends to help with meals."),
        ],
    ),
    (
        "Progress in Cachexia - NCI",
        "cachexia-news",
        [("Talking about cachexia", SAID)],
    ),
]


KB = SmallKB(PAGES, POLICY)


def composer() -> Composer:
    return KB.composer()


def found_by(question: str, chunk_ids: list[str]) -> SearchResult:
    """A search that found only ``chunk_ids``, in that order."""
    return SearchResult(query=question, intent="general", hits=[KB.hit(c) for c in chunk_ids], entities=[])


def same_closeness(texts: list[str]) -> np.ndarray:
    """Every text as close to the question as any other: words, rank and the definition decide."""
    return np.ones((len(texts), 2)) / np.sqrt(2)


def short_answer(question: str, chunk_ids: list[str]) -> str | None:
    composer_ = composer()
    pages_found = [0, 1]
    evidence = Evidence(pages_found, composer_.finder.chunks(pages_found))
    found = composer_.short_answer(
        question, found_by(question, chunk_ids), evidence, embed=same_closeness, stem=lambda w: w
    )
    return " ".join(unit.text for unit in found[0].run) if found else None


# -- what the policy reads as asking what something is, and as saying it ----------------------


def test_the_words_asked_about_come_after_what_is_or_before_whats_that() -> None:
    asked = POLICY.asked_what_it_is
    assert asked("dermatologist wants to do mohs surgery. what is mohs exactly?") == ("mohs",)
    assert asked("different thing, what does neuropathy mean? her hands are tingling") == ("neuropathy",)
    assert "cachexia" in asked("also his oncologist said the word cachexia, whats that")
    assert "biomarker" in asked("her onc wants biomarker testing before picking a treatment, whats that")
    # "what is the ..." and "what are the chances" ask for something else than a word's meaning
    assert asked("what are the chances with pancreatic cancer realistically?") == ()
    assert asked("whats the survival rate for cervical cancer if its caught early") == ()
    assert asked("how long does she have to stay on tamoxifen") == ()


def test_a_sentence_says_what_its_subject_is_before_a_verb_or_a_colon() -> None:
    subject = POLICY.defined_subject
    assert subject(SAYS) == "cancer cachexia"
    assert subject("Mohs micrographic surgery: The tumor is cut from the skin in thin layers.") == "mohs micrographic surgery"
    assert subject(FEELS) is None
    # a long subject is no definition of a word ("People who ... are the ...")
    assert subject("People who have had several rounds of treatment over many years are the ones most at risk.") is None


def test_an_interview_quote_is_never_quoted() -> None:
    prepared = composer()._prepared[KB.chunk("cachexia-news-0")]
    assert [prepared.candidates[i].text for i in prepared.quotable] == []


# -- the short answer ------------------------------------------------------------------------


def test_asked_what_a_word_is_the_short_answer_says_it() -> None:
    # the search found the page by its opening (how cachexia feels) and its support section
    # only: the section saying what it is is read too, and leads
    assert short_answer("also his oncologist said the word cachexia, whats that", ["cachexia-0", "cachexia-2"]) == SAYS


def test_not_asked_what_it_is_the_short_answer_is_still_the_best_found() -> None:
    assert short_answer("does cachexia make you feel tired all day?", ["cachexia-0", "cachexia-2"]) == FEELS
