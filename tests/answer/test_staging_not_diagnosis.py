"""A question on how a cancer is diagnosed ("how do they test for it") is answered from the
section on the tests that diagnose it, not from the PDQ pages' staging section ("After
malignant mesothelioma has been diagnosed, tests are done to find out if cancer cells have
spread ..."), whose heading names tests and diagnosis too: with the shipped policies, neither
the search's heading intents nor the answer's "tests" part count that heading as diagnosis.
And a question that only tells when someone was diagnosed ("my nephew is 12 and just got
diagnosed") does not ask how a cancer is diagnosed."""

from __future__ import annotations

from pathlib import Path

import pytest

from cancerinfo.answer.kb_reader import ChunkRow, MemoryKB
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.errors import PolicyError
from cancerinfo.index.intent import IntentModel
from tests.answer import pages
from tests.answer.pages import patient_page

PARENT = "General Information About Malignant Mesothelioma"
STAGING = f"{PARENT} > After malignant mesothelioma has been diagnosed, tests are done to find out if cancer cells have spread to other parts of the body."
DIAGNOSIS = f"{PARENT} > Tests that examine the inside of the chest and abdomen are used to diagnose malignant mesothelioma."
PEDIATRIC_STAGING = "Stages of Childhood Hodgkin Lymphoma > After childhood Hodgkin lymphoma has been diagnosed, tests are done to find out if cancer cells have spread within the lymph system or to other parts of the body."


def test_the_staging_heading_answers_staging_not_diagnosis_in_the_search() -> None:
    intents = IntentModel.load()
    assert "diagnosis" not in intents.heading_intents(STAGING)
    assert "stages" in intents.heading_intents(PEDIATRIC_STAGING)
    assert "diagnosis" not in intents.heading_intents(PEDIATRIC_STAGING)
    assert "diagnosis" in intents.heading_intents(DIAGNOSIS)


def test_the_answers_tests_part_quotes_the_diagnosis_section_not_the_staging_one() -> None:
    policy = load_answer_policy()
    documents = [patient_page(1, "Malignant Mesothelioma Treatment - NCI", "types/mesothelioma/patient/mesothelioma-treatment-pdq")]
    chunks = [
        ChunkRow(1, "staging", 0, 1, STAGING, "The process used to find out if cancer has spread is called staging."),
        ChunkRow(2, "diagnosis", 0, 2, DIAGNOSIS, "The following tests and procedures may be used: a physical exam and a biopsy."),
    ]
    bodies = {0: "# Malignant Mesothelioma Treatment\n\n" + "\n\n".join(c.text for c in chunks) + "\n"}
    finder = pages.composer_on(MemoryKB(documents, bodies, chunks), documents, chunks, policy).finder
    tests = policy.sections["tests_to_expect"]
    assert finder.fit("tests_to_expect", chunks[0], first_section=tests.first_section) is None
    assert finder.fit("tests_to_expect", chunks[1], first_section=tests.first_section) is not None
    # the staging part still has its section
    assert finder.fit("staging_basics", chunks[0], first_section=False) is not None


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("and for kids? my nephew is 12 and just got diagnosed (how do they usually treat hodgkin lymphoma)", "treatment"),
        ("my wife was just diagnosed with cancer, what questions should we ask about her treatment?", "treatment"),
        ("how is mesothelioma diagnosed", "diagnosis"),
        ("mom was diagnosed last year, how do they test if it came back", "diagnosis"),
    ],
)
def test_being_diagnosed_told_as_background_is_not_asking_how_it_is_diagnosed(question: str, intent: str) -> None:
    assert IntentModel.load().classify(question) == intent


@pytest.mark.parametrize("key", ["not_heading", "background"])
def test_an_exclusion_list_that_is_no_list_is_named(tmp_path: Path, key: str) -> None:
    path = tmp_path / "intents.yaml"
    path.write_text(
        f"intents:\n  diagnosis:\n    question: [diagnos]\n    heading: [diagnos]\n    {key}: has been diagnosed\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match=rf"intents\.diagnosis\.{key}"):
        IntentModel.load(path)
