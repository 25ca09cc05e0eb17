"""A kind of treatment named beside a cancer ("my wife is starting immunotherapy for her
kidney cancer", then "how often does she have to go in for it"): the cancer's name leads the
search to the cancer's pages; the general page titled with that treatment, found by the
question without the cancer's name, is put among the hits the short answer reads (real
ingest, real store; the pages are written for this test)."""

from __future__ import annotations

import uuid

import pytest

from cancerinfo.answer.assistant import Assistant
from tests.helpers import ingest_pages, open_assistant, two_section_page

GLOSSARY = "/Common/PopUps/popDefinition.aspx?id="
IMMUNOTHERAPY_PAGE = "https://www.cancer.gov/about-cancer/treatment/types/immunotherapy"


#: the section every kidney cancer page shares: no word of immunotherapy
KIDNEY = {"also": ("Treatment of kidney cancer", "Kidney cancer may be treated with surgery or targeted therapy."), "cancer_types": ["kidney"]}


PAGES = {
    "types/kidney/patient/kidney-treatment-pdq": two_section_page(
        "Kidney Cancer Treatment", "Stages of kidney cancer",
        "The stages of kidney cancer are stage I, stage II, stage III and stage IV. In stage I kidney cancer, "
        "the tumor is 7 centimeters or smaller and is found in the kidney only.", **KIDNEY
    ),
    "types/kidney/kidney-overview": two_section_page(
        "Kidney Cancer", "Kidney cancer overview", "Kidney cancer can develop in adults and children.", **KIDNEY
    ),
    "types/kidney/kidney-research": two_section_page(
        "Kidney Cancer Research", "Research on kidney cancer", "Studies of kidney cancer test new drugs every year.", **KIDNEY
    ),
    "types/kidney/kidney-children": two_section_page(
        "Kidney Cancer in Children", "Wilms tumor", "Wilms tumor is the most common kidney cancer in children; it often relapses within 3 years.", **KIDNEY
    ),
    "about-cancer/treatment/types/immunotherapy": (
        "Immunotherapy for Cancer",
        "## How often do you receive immunotherapy?\n\n"
        "How often and how long you receive [immunotherapy](" + GLOSSARY + "7) depends on your type of cancer "
        "and the type of immunotherapy you get. You may have treatment every day, week, or month.\n\n"
        "## What are the side effects of immunotherapy?\n\n"
        "Immunotherapy can cause skin reactions at the needle site and flu-like symptoms.\n",
        ["general"],
    ),
    "about-cancer/treatment/types/surgery": (
        "Surgery to Treat Cancer",
        "## What to expect\n\nSurgery removes the tumor; you may stay in the hospital for a few days.\n",
        ["general"],
    ),
}

# other pages, so that the treatment's name is on few of the KB's chunks (a KB term, as on
# the NCI KB, not a word on every page)
for _n, _topic in enumerate(
    ["sun protection", "hand washing", "sleep habits", "walking", "hydration", "posture", "stretching",
     "vitamin d", "flu shots", "dental care", "eye exams", "hearing tests", "stress at work", "gardening",
     "cooking at home", "reading labels", "stairs", "cycling", "swimming", "travel insurance"]
):
    PAGES[f"about-cancer/coping/topic-{_n}"] = (
        _topic.title(),
        f"## About {_topic}\n\nThis page is about {_topic} in everyday life.\n\n"
        f"## Tips on {_topic}\n\nAsk your nurse for printed tips on {_topic}.\n",
        ["general"],
    )


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


def test_a_follow_up_on_a_treatment_named_beside_a_cancer_is_answered_from_the_treatment_page(assistant: Assistant) -> None:
    session = uuid.uuid4().hex
    assistant.ask("my wife is starting immunotherapy for her kidney cancer next week", session_id=session)
    response = assistant.ask("how often does she have to go in for it", session_id=session)
    assert response.status == "answered", response.text
    short = next(s for s in response.sections if s.kind == "short_answer")
    cited = {c.url for c in response.citations if c.n in short.citations}
    assert cited == {IMMUNOTHERAPY_PAGE}, response.text


def test_a_question_on_the_cancer_itself_still_quotes_its_pages(assistant: Assistant) -> None:
    response = assistant.ask("what are the stages of kidney cancer")
    assert response.status == "answered", response.text
    assert IMMUNOTHERAPY_PAGE not in {c.url for c in response.citations}, response.text
