"""A page on a kind of a cancer ("Inflammatory Breast Cancer", "Male Breast Cancer") is
narrower than a question on that cancer that does not name the kind: the general page
leads ("sore breast, no lump i can feel, could it be cancer" -> the breast cancer symptoms
page, not inflammatory breast cancer's because it "does not form a lump you can feel").
Real ingest, real store."""

from __future__ import annotations

import pytest

from cancerinfo.answer.assistant import Assistant
from tests.answer.pages import evidence_pages
from tests.helpers import ingest_pages, open_assistant

PAGES = {
    "types/breast/inflammatory": (
        "Inflammatory Breast Cancer",
        "## What are the symptoms of inflammatory breast cancer?\n\nInflammatory breast cancer usually does not "
        "form a lump you can feel. The breast may become red, swollen and sore.\n",
        ["breast cancer"],
    ),
    "types/breast/symptoms": (
        "Breast Cancer Symptoms",
        "## What are the symptoms of breast cancer?\n\nA lump or change in the breast can be a symptom of breast "
        "cancer. Most breast changes, including a sore breast, are not cancer, but see your doctor about them.\n",
        ["breast cancer"],
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


def order(assistant: Assistant, question: str) -> list[str]:
    return evidence_pages(assistant, question, "inflammatory", ("warning_signs",))

def test_the_general_page_leads_unless_the_kind_is_named(assistant: Assistant) -> None:
    assert order(assistant, "sore breast for a week, no lump i can feel. could it be breast cancer") == [
        "symptoms", "inflammatory",
    ]
    assert order(assistant, "what are the symptoms of inflammatory breast cancer") == ["inflammatory", "symptoms"]
