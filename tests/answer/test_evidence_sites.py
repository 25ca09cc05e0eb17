"""A page titled with the KB's umbrella name of a site ("Colorectal Cancer Screening") is not a
page on another cancer for a question naming the site's other name ("colon cancer"): the
lint policy's site synonyms say so (real ingest, real store)."""

from __future__ import annotations

import pytest

from cancerinfo.answer.assistant import Assistant
from tests.helpers import ingest_pages

PAGES = {
    "colon-treatment": ("Colon Cancer Treatment", "## Treatment options\n\nColon cancer is treated with surgery and chemotherapy.\n"),
    "colorectal-screening": (
        "Colorectal Cancer Screening",
        "## When to start screening\n\nPeople at average risk should start screening for colon and rectal cancer at age 45.\n",
    ),
    "breast-screening": (
        "Breast Cancer Screening",
        "## When to start screening\n\nWomen should talk with their doctor about when to start screening for breast cancer.\n",
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    pages = {f"types/{slug}": (title, body, [title.split()[0].lower()]) for slug, (title, body) in PAGES.items()}
    path = ingest_pages(tmp_path_factory.mktemp("kb"), pages)
    found = Assistant(path)
    yield found
    found.close()


def test_a_colon_cancer_question_may_quote_the_colorectal_page_but_never_the_breast_one(assistant: Assistant) -> None:
    result = assistant.searcher.search("what age should i start screening for colon cancer")
    evidence = assistant.composer.finder.find(result, ("screening",))
    urls = [assistant.composer.documents[d].url.rsplit("/", 1)[-1] for d in evidence.pages]
    assert "colorectal-screening" in urls
    assert "breast-screening" not in urls
    response = assistant.ask("what age should i start screening for colon cancer").as_dict()
    assert any(c["url"].endswith("/colorectal-screening") for c in response["citations"])
