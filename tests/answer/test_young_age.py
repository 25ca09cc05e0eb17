"""An age under 18 typed in a question ("our 7yo", "my 15 yr old") asks about a child: pages
for children are not pushed behind the others as narrower than the question (real ingest,
real store)."""

from __future__ import annotations

import pytest

from cancerinfo.answer.assistant import Assistant
from cancerinfo.answer.evidence_words import young_asked
from tests.answer.pages import evidence_pages
from tests.helpers import ingest_pages, open_assistant

PAGES = {
    "types/leukemia/child-leukemia": (
        "Childhood Leukemia Treatment",
        "## How leukemia in children is treated\n\nLeukemia in children is treated with chemotherapy given in "
        "phases over two to three years, and most children with leukemia are treated at a children's cancer center.\n",
        ["leukemia"],
    ),
    "types/leukemia/adult-leukemia": (
        "Adult Leukemia Treatment",
        "## Treatment options\n\nLeukemia in adults may be treated with chemotherapy, targeted therapy or a stem cell transplant.\n",
        ["leukemia"],
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


@pytest.mark.parametrize(
    ("question", "child"),
    [
        ("our 7yo has leukemia", True),
        ("my 15 yr old daughter", True),
        ("a 10-year-old boy", True),
        ("she is 16 y/o", True),
        ("my 58 yo dad", False),
        ("2 yrs out from colon cancer", False),
        ("im 22 and just diagnosed", False),
        ("29F just diagnosed", False),
    ],
)
def test_an_age_under_18_asks_about_a_child_and_a_duration_does_not(question: str, child: bool) -> None:
    assert bool(young_asked(question)) is child
    assert not child or {"child", "children", "childhood"} <= young_asked(question)


def order(assistant: Assistant, question: str) -> list[str]:
    return evidence_pages(assistant, question, "child-leukemia", ("treatment_options",))

def test_the_childrens_page_keeps_its_place_for_a_child_and_goes_last_for_an_adult(assistant: Assistant) -> None:
    young = order(assistant, "our 7yo has leukemia, how is it treated")
    old = order(assistant, "my 70 yo dad has leukemia, how is it treated")
    assert young == ["child-leukemia", "adult-leukemia"]
    assert old == ["adult-leukemia", "child-leukemia"]


def test_a_question_saying_kids_puts_the_childrens_page_first_and_the_adults_page_after(assistant: Assistant) -> None:
    # "kids" is not a word of "Childhood Leukemia Treatment": saying one child word asks for them all
    assert order(assistant, "how is leukemia treated in kids") == ["child-leukemia", "adult-leukemia"]
    assert order(assistant, "how is leukemia treated in teenagers") == ["child-leukemia", "adult-leukemia"]
