"""A first message naming a kind of treatment beside its cancer ("my sister is getting CAR T cell
therapy for her lymphoma") records both as the topic a follow-up continues ("what side effects
can it cause" is as likely about the treatment as the cancer). Real ingest, real store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cancerinfo.answer.asked import Asked
from cancerinfo.answer.assistant import Assistant
from cancerinfo.index.records import SearchResult
from tests.helpers import ingest_pages, open_assistant

PAGES = {
    "types/lymphoma": (
        "Lymphoma",
        "## What is lymphoma\n\nLymphoma is a cancer of the lymph system. It is treated with chemotherapy "
        "or radiation therapy.\n",
        ["lymphoma"],
    ),
    "about-cancer/treatment/types/immunotherapy/t-cell-transfer-therapy": (
        "T-cell Transfer Therapy",
        "## Side effects\n\nCAR T-cell therapy can cause cytokine release syndrome, a serious side effect.\n",
        [],
    ),
    **{
        f"types/{site}": (f"{site.title()} Cancer", f"## About\n\n{site.title()} cancer is a disease of the {site}.\n", [site])
        # enough other pages that "CAR T-cell therapy" is a term not everywhere in the KB
        for site in ("bladder", "kidney", "liver", "skin", "bone", "brain", "breast", "cervical", "colon", "eye",
                     "gallbladder", "lung", "mouth", "ovarian", "pancreatic", "penile", "prostate", "stomach",
                     "thyroid", "uterine", "vaginal", "vulvar")
    },
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


def topic_of(assistant: Assistant, question: str, entities: list[dict]) -> dict:
    result = SearchResult(question, "general", [], entities=entities)
    return assistant._topic(result, Asked(question, question, None))


@pytest.mark.parametrize(
    ("question", "named", "carried"),
    [
        # "what side effects can it cause" next is as likely about the treatment as the cancer
        ("my sister is getting CAR T cell therapy for her lymphoma", "CAR T-cell therapy", "CAR T-cell therapy lymphoma"),
        ("my sister has lymphoma and is very tired", "fatigue", "lymphoma"),  # no treatment named: the topic alone
    ],
)
def test_a_treatment_named_beside_the_cancer_is_carried_with_it(
    assistant: Assistant, question: str, named: str, carried: str
) -> None:
    entities = [
        {"kind": "glossary", "canonical": named, "urls": []},
        {"kind": "topic", "canonical": "lymphoma", "urls": []},
    ]
    assert topic_of(assistant, question, entities) == {"text": carried, "kind": "topic"}
