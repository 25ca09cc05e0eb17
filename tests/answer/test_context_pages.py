"""A question on living with cancer that names a cancer ("29F just diagnosed w hodgkin
lymphoma ... will it make me infertile") is answered first from the KB's page on the asked
part, not from the named cancer's treatment page (real ingest, real store)."""

from __future__ import annotations

import pytest

from cancerinfo.answer.assistant import Assistant
from tests.helpers import ingest_pages, open_assistant

PAGES = {
    "types/lymphoma/hodgkin-treatment": (
        "Hodgkin Lymphoma Treatment",
        "## Hodgkin lymphoma in young women\n\n"
        "Young women with Hodgkin lymphoma who are starting chemotherapy may worry about fertility. "
        "Chemotherapy for Hodgkin lymphoma may make it harder to get pregnant later.\n\n"
        "## Chemotherapy for Hodgkin lymphoma\n\n"
        "Chemotherapy for Hodgkin lymphoma uses drugs to stop the growth of lymphoma cells.\n",
        ["lymphoma"],
    ),
    "side-effects/fertility-women": (
        "Female Fertility and Cancer",
        "## How cancer treatment can affect fertility\n\n"
        "Some cancer treatments can damage the ovaries and cause infertility. "
        "You may be able to freeze eggs before treatment begins.\n",
        [],
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


def test_the_page_on_the_asked_part_answers_before_the_named_cancers_page(assistant: Assistant) -> None:
    question = "29F with hodgkin lymphoma starting chemotherapy. will it make me infertile, can i freeze my eggs"
    response = assistant.ask(question).as_dict()
    assert response["status"] == "answered"
    assert response["intent"] == "fertility_sex"
    short = response["sections"][0]
    assert response["citations"][short["citations"][0] - 1]["url"].endswith("/side-effects/fertility-women")
