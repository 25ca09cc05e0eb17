"""A question that asks what to do ("is there anything she can do herself?") gets a page's
advice as its short answer ("Tips for managing nausea"), not the passage that explains the
problem, even when the search found the page by that passage only (``advice`` in
policies/answer.yaml)."""

from __future__ import annotations

import numpy as np

from cancerinfo.answer.composer import Composer
from cancerinfo.answer.evidence import Evidence
from cancerinfo.answer.kb_reader import ChunkRow
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.index.records import SearchResult
from tests.answer.pages import PageSpec, SmallKB

POLICY = load_answer_policy()

EXPLAINS = "Nausea from chemotherapy can last for several days after each treatment."
TIPS = "Eat small meals and sip ginger tea through the day."
PAGES: list[PageSpec] = [
    (
        "Nausea and Vomiting - NCI",
        "nausea",
        [
            ("", "Nausea is when you feel sick to your stomach."),
            ("What causes nausea?", EXPLAINS),
            ("How to prevent nausea > Tips for managing nausea", TIPS),
            ("Nausea research", "New ways to prevent nausea are being studied in clinical trials."),
        ],
    ),
    (
        "Ways to Add Protein - NCI",
        "add-protein",
        [
            ("", "Protein helps your body heal."),
            ("Milk", "Use milk instead of water in soups and sauces."),
        ],
    ),
]


KB = SmallKB(PAGES, POLICY)


def composer() -> Composer:
    return KB.composer()


def chunk(chunk_id: str) -> ChunkRow:
    return KB.chunk(chunk_id)


def found_by(question: str, chunk_id: str) -> SearchResult:
    """A search that found only ``chunk_id``."""
    return SearchResult(query=question, intent="side_effects", hits=[KB.hit(chunk_id)], entities=[])


def same_closeness(texts: list[str]) -> np.ndarray:
    """Every text as close to the question as any other: words, rank and advice decide."""
    return np.ones((len(texts), 2)) / np.sqrt(2)


def short_answer(question: str) -> str:
    composer_ = composer()
    pages = [0]
    evidence = Evidence(pages, composer_.finder.chunks(pages))
    found = composer_.short_answer(
        question,
        found_by(question, "nausea-1"),
        evidence,
        embed=same_closeness,
        stem=lambda w: w,
    )
    return " ".join(unit.text for unit in found[0].run)


# -- what the policy reads as asking what to do, and as advice --------------------------------


def test_questions_asking_what_to_do_are_told_by_whole_words() -> None:
    asks = POLICY.asks_what_to_do
    assert asks("my mum gets sick for days after chemo. is there anything she can do herself?")
    assert asks("easy ways to sneak protein in?")
    assert asks("what are my options before chemo starts, can i freeze eggs?")
    assert asks("What Should I Be Eating with diarrhoea")
    assert not asks("what causes nausea after chemo?")
    assert not asks("is it always to be expected?")  # "ways to" inside "always to"
    assert not asks("is it ok to feel tipsy after chemo?")  # "tips" inside "tipsy"


def test_a_sentence_opening_with_advice_is_told_by_its_first_word() -> None:
    assert POLICY.opens_with_advice("Eat small meals.")
    assert POLICY.opens_with_advice("Don’t eat greasy, fried, or spicy foods.")
    assert POLICY.opens_with_advice("- try cold foods such as popsicles")
    assert not POLICY.opens_with_advice("Eating foods that are low in fiber can help.")
    assert not POLICY.opens_with_advice("Nausea is when you feel sick to your stomach.")


def test_sections_give_advice_by_their_headings_or_their_pages_title() -> None:
    finder = composer().finder
    assert finder.gives_advice(
        chunk("nausea-2")
    )  # "How to prevent nausea > Tips for managing nausea"
    assert not finder.gives_advice(chunk("nausea-1"))  # "What causes nausea?"
    assert not finder.gives_advice(chunk("nausea-3"))  # research: "New ways to prevent ..."
    assert finder.gives_advice(chunk("add-protein-1"))  # "Milk" on the page "Ways to Add Protein"


# -- the short answer ------------------------------------------------------------------------


def test_asked_what_to_do_the_short_answer_is_the_pages_advice_not_the_explanation() -> None:
    # the search found the page by the passage explaining nausea (more of the question's words)
    assert (
        short_answer("my mum has nausea for days after chemotherapy, is there anything she can do?")
        == TIPS
    )


def test_asked_what_causes_it_the_short_answer_is_still_the_explanation() -> None:
    assert short_answer("why does my mum have nausea for days after chemotherapy?") == EXPLAINS
