"""A child named in a question about the asker's or a parent's cancer is told about it, not
ill: the pages on talking with children come before those for a child with cancer (real
ingest, real store)."""

from __future__ import annotations

import pytest

from cancerinfo.answer.assistant import Assistant
from cancerinfo.answer.evidence_words import audience_asked
from tests.answer.pages import evidence_pages
from tests.helpers import ingest_pages, open_assistant

PAGES = {
    "caregiver-support/parents": (
        "Support for Families: Childhood Cancer",
        "## How to talk with your child about cancer\n\nWhen you tell your child about cancer, use simple words and "
        "tell your child that nothing they did caused the cancer they have.\n",
        ["childhood cancer"],
    ),
    "adjusting-to-cancer/talk-to-children": (
        "Talking to Children about Cancer",
        "## How to tell your child about your cancer\n\nTell your child about your cancer in simple words, "
        "and let your child ask questions about what will change at home.\n",
        ["any"],
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


@pytest.mark.parametrize(
    ("question", "childhood"),
    [
        ("how do i tell my 6 yr old that mommy has breast cancer", False),
        ("my 15 yr old shut down since my diagnosis", False),
        ("how do i tell my kids that i have lymphoma", False),
        ("how do i tell my 6 yr old that he has leukemia", True),
        ("our 7yo has leukemia, what do i say", True),
        ("my son's cancer came back, how do i tell my kids", True),
        ("my nephews cancer came back, how do i tell my kids", True),
        ("i have a childhood cancer survivor at home, my 9 yr old", True),
    ],
)
def test_childhood_pages_are_asked_only_when_the_child_may_be_ill(question: str, childhood: bool) -> None:
    words = set(question.lower().replace(",", " ").split())
    asked = audience_asked(words, question)
    assert {"child", "children"} <= asked
    assert ("childhood" in asked) is childhood


def test_telling_a_child_about_a_parents_cancer_leads_with_the_talking_page(assistant: Assistant) -> None:
    told = evidence_pages(assistant, "how do i tell my 6 yr old that mommy has cancer", "parents", ("talk_children",))
    ill = evidence_pages(assistant, "how do i tell my 6 yr old that he has cancer", "parents", ("talk_children",))
    assert told == ["talk-to-children", "parents"]
    assert ill == ["parents", "talk-to-children"]
