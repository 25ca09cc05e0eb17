"""A question on living with cancer that names a cancer as context ("just diagnosed with
hodgkin lymphoma ... can i freeze my eggs first"): what it asks is read without the name, and
the KB's page on that (fertility) is put among the hits the short answer reads, when the name
led the search to the cancer's pages only (real ingest, real store). The short answer chosen
from it on the NCI KB: tests/answer/test_answers_sample.py."""

from __future__ import annotations

import pytest

from cancerinfo.answer.assistant import Assistant
from tests.helpers import ingest_pages, open_assistant, two_section_page

FERTILITY = "https://www.cancer.gov/about-cancer/treatment/side-effects/fertility-women"


def _hodgkin(title: str, heading: str, text: str) -> tuple[str, str, list[str]]:
    treatment = "Hodgkin lymphoma is often treated with combination chemotherapy, sometimes with radiation therapy."
    return two_section_page(title, heading, text, also=("Treatment of Hodgkin lymphoma", treatment), cancer_types=["lymphoma"])


PAGES = {
    "types/lymphoma/patient/adult-hodgkin-treatment-pdq": _hodgkin(
        "Hodgkin Lymphoma Treatment",
        "Hodgkin lymphoma during pregnancy",
        "When Hodgkin lymphoma is diagnosed in the second half of pregnancy, most women can delay treatment "
        "until after delivery.",
    ),
    "types/lymphoma/patient/child-hodgkin-treatment-pdq": _hodgkin(
        "Childhood Hodgkin Lymphoma Treatment",
        "Late effects in children",
        "Children treated for Hodgkin lymphoma need follow-up care for the rest of their lives.",
    ),
    "types/lymphoma/hodgkin-stages": _hodgkin(
        "Hodgkin Lymphoma Stages",
        "Stages of Hodgkin lymphoma",
        "The stage of Hodgkin lymphoma says how far it has spread; women who are diagnosed first learn their stage.",
    ),
    "types/lymphoma/hodgkin-diagnosis": _hodgkin(
        "Hodgkin Lymphoma Diagnosis",
        "Tests that diagnose Hodgkin lymphoma",
        "A biopsy of a lymph node is done to diagnose Hodgkin lymphoma in the first weeks after symptoms start.",
    ),
    "types/lymphoma/hodgkin-causes": _hodgkin(
        "Hodgkin Lymphoma Causes and Risk Factors",
        "Risk factors for Hodgkin lymphoma",
        "Hodgkin lymphoma is most common in young adults in their 20s and in adults over 55.",
    ),
    "types/lymphoma/hodgkin-research": _hodgkin(
        "Hodgkin Lymphoma Research",
        "Research on Hodgkin lymphoma in young women",
        "Studies follow young women diagnosed with Hodgkin lymphoma for years after chemotherapy.",
    ),
    "about-cancer/treatment/side-effects/fertility-women": (
        "Female Fertility and Cancer",
        "## Fertility preservation methods for females\n\n"
        "Egg freezing is a procedure which removes mature eggs from the ovary and freezes them. "
        "Later, when you are ready to try to become pregnant, the eggs can be thawed and fertilized.\n\n"
        "## Talk with your health care team before treatment\n\n"
        "Ask about fertility preservation before cancer treatment starts.\n",
        ["general"],
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


QUESTION = "26F just diagnosed w hodgkin lymphoma, starting chemo in 2 weeks. i want kids someday, can i freeze my eggs first"


def test_what_is_asked_is_read_without_the_cancer_named_as_context(assistant: Assistant) -> None:
    result = assistant.searcher.search(QUESTION, k=10, snippets=False)
    assert assistant._living_asked(QUESTION, result, "fertility_sex") == "i want kids someday, can i freeze my eggs first"
    # a question on the cancer itself is not one on living with it
    assert assistant._living_asked(QUESTION, result, "stages") is None


def test_the_page_on_what_is_asked_follows_the_first_hit(assistant: Assistant) -> None:
    result = assistant.searcher.search(QUESTION, k=10, snippets=False)
    urls = [hit.url for hit in result.hits]
    # the name leads the search to the cancer's pages: the fertility page is not among the
    # hits the short answer reads
    assert FERTILITY not in urls[:8], urls
    moved = assistant._with_living_pages(QUESTION, result, "fertility_sex", None)
    assert moved.hits[0] == result.hits[0]
    assert moved.hits[1].url == FERTILITY, [hit.url for hit in moved.hits]
    # nothing is added when one of those hits is already on living with cancer
    assert assistant._with_living_pages(QUESTION, moved, "fertility_sex", None) is moved


def test_a_question_on_the_cancer_itself_still_quotes_its_pages(assistant: Assistant) -> None:
    response = assistant.ask("what are the stages of hodgkin lymphoma")
    assert response.status == "answered", response.text
    assert FERTILITY not in {c.url for c in response.citations}, response.text
