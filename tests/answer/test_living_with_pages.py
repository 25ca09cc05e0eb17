"""A question on living with cancer (a side effect, eating, coping, caregiving) that names
its cancer as context is answered by the KB's page on that, which keeps the place the search
gave it, before the cancer's other pages (real ingest, real store)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from cancerinfo.answer.assistant import Assistant
from tests.helpers import ingest_pages, open_assistant

COLON = {
    slug: (f"Colon Cancer {name}", f"## {name}\n\nColon cancer {what}.\n", ["colon"])
    for slug, name, what in (
        ("types/colon-treatment", "Treatment", "is treated with surgery and chemotherapy"),
        ("types/colon-symptoms", "Symptoms", "may cause a change in bowel habits"),
        ("types/colon-diagnosis", "Diagnosis", "is diagnosed with a colonoscopy and a biopsy"),
        ("types/colon-stages", "Stages", "stages describe how far the cancer has spread"),
        ("types/colon-screening", "Screening", "screening looks for polyps before symptoms start"),
    )
}
PAGES = {
    **COLON,
    "side-effects/nerve-problems": (
        "Nerve Problems (Peripheral Neuropathy) and Cancer Treatment",
        "## Ways to manage nerve problems\n\nWear shoes that protect your feet, and check your hands and feet for cuts.\n",
        [],
    ),
}
#: the search's order assumed below: four colon pages, the nerve page (fifth), the last colon page
ORDER = ["colon-treatment", "colon-symptoms", "colon-diagnosis", "colon-stages", "nerve-problems", "colon-screening"]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


def pages(assistant: Assistant, question: str, parts: tuple[str, ...]) -> list[str]:
    """The evidence's pages when the search ranked the pages in ``ORDER`` (the NCI KB's search
    puts the cancer's pages first for such questions)."""
    result = assistant.searcher.search(question, k=20)
    hits = sorted(result.hits, key=lambda hit: ORDER.index(hit.url.rsplit("/", 1)[-1]))
    evidence = assistant.composer.finder.find(replace(result, hits=hits), parts)
    return [assistant.composer.documents[d].url.rsplit("/", 1)[-1] for d in evidence.pages]


def test_the_side_effect_page_keeps_its_place_for_a_question_on_a_side_effect(assistant: Assistant) -> None:
    question = "my mom has colon cancer and her feet are numb, what can we do at home"
    assert assistant.composer.finder.sites_named(question) == {"colon"}
    # a question on managing a side effect: the nerve page keeps the place the search gave it
    assert pages(assistant, question, ("manage_side_effect", "side_effects_common")) == ORDER
    # a question on the cancer's treatment: every colon cancer page first
    assert pages(assistant, question, ("treatment_options", "side_effects_common")) == [*ORDER[:4], ORDER[5], ORDER[4]]


@pytest.fixture(scope="module")
def with_drugs(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Assistant:
    root = tmp_path_factory.mktemp("kb")
    shutil.copytree(examples_kb, root / "kb")
    path = ingest_pages(root, {
        "side-effects/nerve-problems": (
            "Nerve Problems (Peripheral Neuropathy) and Cancer Treatment",
            "## Ways to manage nerve problems\n\nWear shoes that protect your feet, and check your feet for cuts.\n", [],
        ),
        "side-effects/checkpoint-inhibitors": (
            "Immune Checkpoint Inhibitors",
            "## Side effects\n\nImmune checkpoint inhibitors can cause numb feet and other side effects.\n", [],
        ),
        "cam/dietary-interactions": (
            "Cancer Therapy Interactions With Foods and Dietary Supplements",
            "## Foods\n\n### Questions and answers about grapefruit\n\nGrapefruit juice can raise the amount of some "
            "anticancer drugs in the blood.\n", [],
        ),
    })
    yield from open_assistant(path)


def test_of_a_named_drug_a_page_on_another_treatment_does_not_lead(with_drugs: Assistant) -> None:
    question = "my dad is on ninlaro and his feet are numb, what can we do"
    result = with_drugs.searcher.search(question, k=20)
    assert any(e["kind"] in ("drug", "brand") for e in result.entities)  # Ninlaro is a drug the KB knows
    order = ["checkpoint-inhibitors", "nerve-problems"]
    hits = sorted(result.hits, key=lambda hit: order.index(tail) if (tail := hit.url.rsplit("/", 1)[-1]) in order else -1)
    evidence = with_drugs.composer.finder.find(replace(result, hits=hits), ("manage_side_effect", "side_effects_common"))
    urls = [with_drugs.composer.documents[d].url.rsplit("/", 1)[-1] for d in evidence.pages]
    # the side-effect page leads beside the drug's own; the page on another treatment does not
    assert "nerve-problems" in urls
    assert "checkpoint-inhibitors" not in urls[: urls.index("nerve-problems")]


def test_of_a_named_drug_a_page_on_cancer_therapy_in_general_may_lead(with_drugs: Assistant) -> None:
    # "cancer therapy" is treatment in general, not another kind of it
    question = "is it ok to drink grapefruit juice every morning while on ninlaro"
    response = with_drugs.ask(question).as_dict()
    assert response["status"] == "answered", response["reason"]
    assert any(c["url"].endswith("/dietary-interactions") for c in response["citations"])


@pytest.fixture(scope="module")
def with_treatments(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    path = ingest_pages(tmp_path_factory.mktemp("kb"), {
        "treatment/surgery": (
            "Surgery to Treat Cancer",
            "## Eating before and after surgery\n\nYou may need to eat more protein before and after surgery.\n", [],
        ),
        "nutrition/add-protein": (
            "Ways to Add Protein",
            "## Protein in soft foods\n\nAdd protein powder or dry milk to puddings and mashed potatoes.\n", [],
        ),
    })
    yield from open_assistant(path)


def evidence_urls(assistant: Assistant, question: str, order: list[str]) -> list[str]:
    result = assistant.searcher.search(question, k=20)
    hits = sorted(result.hits, key=lambda hit: order.index(hit.url.rsplit("/", 1)[-1]))
    evidence = assistant.composer.finder.find(replace(result, hits=hits), ("eating", "side_effects_common"))
    return [assistant.composer.documents[d].url.rsplit("/", 1)[-1] for d in evidence.pages]


def test_a_treatment_named_only_as_background_does_not_lead_a_living_with_question(with_treatments: Assistant) -> None:
    order = ["surgery", "add-protein"]  # the search put the treatment's page first
    # the surgery is background; the asked part is about protein
    asked = "since her surgery mom only eats pudding and mashed potatoes. how can i get more protein into her?"
    assert evidence_urls(with_treatments, asked, order) == ["add-protein", "surgery"]
    # when the asked part names the treatment, its page keeps the place the search gave it
    asked = "how much protein should she eat after her surgery?"
    assert evidence_urls(with_treatments, asked, order) == ["surgery", "add-protein"]
