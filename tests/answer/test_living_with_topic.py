"""A follow-up to a question on living with cancer continues the subject of the page that
answered it, not the treatment the question named as context (real ingest, real store)."""

from __future__ import annotations

import pytest

from cancerinfo.answer.assistant import Assistant
from tests.helpers import ingest_pages, open_assistant

PAGES = {
    "treatment/chemotherapy": (
        "Chemotherapy to Treat Cancer",
        "## How chemotherapy is given\n\nChemotherapy is given in cycles over weeks or months. "
        "Chemotherapy can be given as a pill or through a vein.\n\n"
        "## Chemotherapy can cause side effects\n\nChemotherapy can cause hair loss, mouth sores and nausea.\n",
        [],
    ),
    "side-effects/hair-loss": (
        "Hair Loss (Alopecia) and Cancer Treatment",
        "## Will I lose my hair?\n\nSome chemotherapy causes hair loss on the head and body.\n\n"
        "## Ways to care for your hair when it grows back\n\n"
        "Hair often grows back in 2 to 3 months after treatment has ended. "
        "Your new hair may be curlier or straighter than before.\n",
        [],
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


def test_a_follow_up_continues_the_side_effect_not_the_treatment_named(assistant: Assistant) -> None:
    session = "hair-1"
    first = assistant.ask("will my wife lose her hair on chemotherapy", session_id=session).as_dict()
    assert first["status"] == "answered"
    assert first["citations"][0]["url"].endswith("/side-effects/hair-loss")
    follow = assistant.ask("and how long till it grows back?", session_id=session).as_dict(with_explain=True)
    # searched with the subject of the page that answered, not with "chemotherapy"
    assert "hair loss" in follow["explain"]["resolved"].lower()
    assert "chemotherapy" not in follow["explain"]["resolved"].lower()
    assert follow["status"] == "answered"
    assert "grows back in 2 to 3 months" in follow["text"]


def test_a_topic_the_question_names_stays_the_topic(assistant: Assistant) -> None:
    session = "hair-2"
    assistant.ask("what is hair loss", session_id=session)
    follow = assistant.ask("and how long till it grows back?", session_id=session).as_dict(with_explain=True)
    assert "hair loss" in follow["explain"]["resolved"].lower()
