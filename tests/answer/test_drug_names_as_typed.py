"""A drug named as people type it ("weekly taxol") names the drug's page the question is
checked against, even when that page never writes the name (the KB knows "Taxol" only from a
regimen table): the question is not declined for it (real ingest, real store). In a KB this
small every word is common, so the gate counts every word a drug question uses as rare
(``gate.drug_word_max_share`` 1), as "taxol" is among the NCI KB's 40,000 chunks."""

from __future__ import annotations

import pytest

from cancerinfo.answer.assistant import Assistant
from cancerinfo.answer.plan import load_answer_policy
from tests.helpers import ingest_pages

PAGES = {
    "about-cancer/treatment/drugs/paclitaxel": (
        "Paclitaxel",
        "This page contains brief information about paclitaxel.\n\nFDA Approved\n\nYes\n\n"
        "## Use in Cancer\n\nPaclitaxel is approved to treat:\n\n- Breast cancer.\n- Ovarian cancer.\n",
        ["breast cancer"],
    ),
    "about-cancer/treatment/drugs/act": (
        "AC-T",
        "This chemotherapy combination is used for breast cancer.\n\nDrugs in the AC-T combination:\n\n"
        "|  |  |\n| --- | --- |\n"
        "| **T** | = [Paclitaxel](/about-cancer/treatment/drugs/paclitaxel) (Taxol) |\n\n"
        "## Use in Cancer\n\nAC-T is used to treat breast cancer.\n",
        ["breast cancer"],
    ),
    "about-cancer/treatment/side-effects/nerve-problems": (
        "Nerve Problems (Peripheral Neuropathy) and Cancer Treatment",
        "## What is peripheral neuropathy?\n\n"
        "Some cancer treatments cause peripheral neuropathy, a result of damage to the nerves in "
        "the feet and hands. Numbness and tingling in the feet are common signs of it.\n\n"
        "## Ways to manage nerve problems\n\n"
        "Tell your health care team about numbness or tingling in your feet. Nerve problems "
        "often get better in the months after treatment ends.\n",
        ["general"],
    ),
}
QUESTION = "taxol neuropathy - my feet are numb and tingly since starting weekly taxol, is that a known side effect"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    policy = load_answer_policy()
    policy = policy.model_copy(update={"gate": policy.gate.model_copy(update={"drug_word_max_share": 1.0})})
    found = Assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES), policy=policy)
    yield found
    found.close()


def test_a_regimen_component_name_the_drug_page_never_writes_is_not_missing(assistant: Assistant) -> None:
    # the KB knows "taxol" (a regimen table names it) and points it at the Paclitaxel page
    assert any(m.text.lower() == "taxol" for m in assistant.searcher.index.vocabulary.match(QUESTION))
    response = assistant.ask(QUESTION)
    assert response.status == "answered", (response.reason, response.explain)
    assert any(c.url.endswith("/side-effects/nerve-problems") for c in response.citations), response.text


def test_an_unknown_word_the_pages_never_use_still_declines(assistant: Assistant) -> None:
    response = assistant.ask("can i take zorbatinib with weekly taxol")
    assert response.status == "abstained" and response.reason == "UNSUPPORTED", response.text
