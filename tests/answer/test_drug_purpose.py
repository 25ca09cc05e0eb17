"""What a named drug is for ("now they want him on ixazomib pills, whats that for"), or what it
is ("... the doctor mentioned ninlaro. what is that"), is answered from the drug's own page, not
from the treatment page of the cancer the question gives as background; a drug named only in
the story told is not (real ingest, real store)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cancerinfo.answer.assistant import Assistant
from tests.helpers import ingest_pages, open_assistant

MYELOMA = (
    "Multiple Myeloma Treatment",
    "## Treatment after a transplant for multiple myeloma\n\n"
    "After a transplant for multiple myeloma, some patients want to know what the pills they "
    "take for months are for.\n\n"
    "Multiple myeloma that has come back after a transplant may be treated again.\n\n"
    "## Chemotherapy after a transplant\n\n"
    "Is chemotherapy given after a transplant for multiple myeloma? Some patients take ninlaro "
    "or other chemo pills after a transplant for multiple myeloma in a clinical trial.\n",
    ["myeloma"],
)
QUESTION = "my dad had a transplant for multiple myeloma and now they want him on ixazomib pills. whats that for?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Assistant:
    root = tmp_path_factory.mktemp("kb")
    shutil.copytree(examples_kb, root / "kb")
    yield from open_assistant(ingest_pages(root, {"types/myeloma/treatment": MYELOMA}))


def test_what_a_named_drug_is_for_is_answered_from_its_page(assistant: Assistant) -> None:
    response = assistant.ask(QUESTION)
    assert response.status == "answered" and response.intent == "drug_use"
    # the cancer's treatment page is among the evidence (it holds more of the question's words)
    assert any(url.endswith("/types/myeloma/treatment") for url in response.explain["pages"])
    # the short answer quotes the drug's page
    short = response.sections[0]
    first = next(c for c in response.citations if c.n == short.citations[0])
    assert first.url.endswith("/drugs/ixazomibcitrate"), (short.text, first.url)


def _short_answer_url(assistant: Assistant, question: str) -> str:
    response = assistant.ask(question)
    assert response.status == "answered", response.text
    short = response.sections[0]
    return next(c for c in response.citations if c.n == short.citations[0]).url


@pytest.mark.parametrize(
    "question",
    [
        "my dad had a transplant for multiple myeloma and the doctor mentioned ninlaro. what is that",
        "is ninlaro chemo? my dad takes it after his transplant for multiple myeloma",
    ],
)
def test_what_a_named_drug_is_is_answered_from_its_page(assistant: Assistant, question: str) -> None:
    assert _short_answer_url(assistant, question).endswith("/drugs/ixazomibcitrate")


def test_a_drug_named_only_in_the_story_does_not_lead(assistant: Assistant) -> None:
    question = (
        "my dad took ixazomib pills after his transplant for multiple myeloma. "
        "can multiple myeloma come back after a transplant"
    )
    assert _short_answer_url(assistant, question).endswith("/types/myeloma/treatment")
