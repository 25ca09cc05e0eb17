"""What a drug's own page does not say ("what side effects should we watch for on <brand>")
is quoted from the page on the kind of treatment that page links to, the most particular
one, with a line saying where those quotes come from; what the drug page does say is still
answered from it (real ingest, real store; and the link reading on its own)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cancerinfo.answer.assistant import Assistant
from cancerinfo.answer.drug_classes import class_pages, linked_pages
from tests.answer.pages import patient_page
from tests.helpers import ingest_pages, open_assistant


def _drug_page(name: str, brand: str, use: str, links: list[tuple[str, str]]) -> str:
    related = "\n\n".join(f"[{title}]({target})" for title, target in links)
    return (
        f"This page contains brief information about {name.lower()}.\n\n"
        f"US Brand Name(s)\n\n{brand}\n\nFDA Approved\n\nYes\n\n"
        f"## Use in Cancer\n\n{name} is approved to treat:\n\n- {use}\n\n"
        f"{name} is also being studied in the treatment of other types of cancer.\n\n"
        f"## Research Results and Related Resources\n\n{related}\n"
    )


CHECKPOINT = ("Checkpoint Blockers", "https://www.cancer.gov/about-cancer/treatment/types/checkpoint-blockers")
TARGETED = ("Targeted Therapy for Cancer", "/about-cancer/treatment/types/targeted-therapies")
PAGES = {
    "about-cancer/treatment/drugs/zorbanib": (
        "Zorbanib",
        _drug_page("Zorbanib", "Zorbex", "Kidney cancer that has spread to other parts of the body.", [TARGETED, CHECKPOINT]),
        ["kidney"],
    ),
    "about-cancer/treatment/drugs/quellimab": (
        "Quellimab",
        _drug_page("Quellimab", "Quellex", "Liver cancer that cannot be removed by surgery.", [TARGETED]),
        ["liver"],
    ),
    "about-cancer/treatment/types/checkpoint-blockers": (
        "Checkpoint Blockers",
        "## How do checkpoint blockers work?\n\n"
        "Checkpoint blockers release a brake on the immune system so that it attacks cancer cells.\n\n"
        "## What side effects do checkpoint blockers cause?\n\n"
        "Common side effects of checkpoint blockers include a skin rash, diarrhea, and feeling very tired.\n\n"
        "Rarer side effects of checkpoint blockers include inflammation of the lungs, the liver or the bowel.\n",
        ["general"],
    ),
    "about-cancer/treatment/types/targeted-therapies": (
        "Targeted Therapy for Cancer",
        "## What are the side effects of targeted therapy?\n\n"
        "The most common side effects of targeted therapy include diarrhea and liver problems.\n\n"
        "Other side effects of targeted therapy might include high blood pressure and mouth sores.\n",
        ["general"],
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


def _urls(response: object, section_kind: str) -> set[str]:
    numbers = {n for s in response.sections if s.kind == section_kind for n in s.citations}
    return {c.url for c in response.citations if c.n in numbers}


def test_side_effects_of_a_brand_come_from_its_drug_pages_most_particular_class_page(assistant: Assistant) -> None:
    response = assistant.ask("my husband starts zorbex next week, what side effects should we watch for")
    assert response.status == "answered", response.text
    cited = {c.url for c in response.citations}
    assert _urls(response, "short_answer") == {CHECKPOINT[1]}, response.text
    # the page linked from both drug pages says less about this one: not quoted
    assert not any(url.endswith("/targeted-therapies") for url in cited), response.text
    assert "skin rash" in response.text
    # the reader is told whose quotes these are and why they are here, under the short answer
    assert [s.kind for s in response.sections][:2] == ["short_answer", "drug_class"]
    note = next(s for s in response.sections if s.kind == "drug_class")
    assert note.source == "policy" and not note.citations
    assert '"Checkpoint Blockers"' in note.text and "Zorbanib" in note.text


def test_a_drug_whose_only_link_is_a_broad_page_is_answered_from_it(assistant: Assistant) -> None:
    response = assistant.ask("what are the side effects of quellex")
    assert response.status == "answered", response.text
    assert any(url.endswith("/targeted-therapies") for url in _urls(response, "short_answer")), response.text
    note = next(s for s in response.sections if s.kind == "drug_class")
    assert '"Targeted Therapy for Cancer"' in note.text and "Quellimab" in note.text


def test_what_the_drug_page_says_is_still_answered_from_it(assistant: Assistant) -> None:
    response = assistant.ask("what is zorbex used for")
    assert response.status == "answered", response.text
    assert all(url.endswith("/drugs/zorbanib") for url in _urls(response, "short_answer")), response.text
    assert not any(s.kind == "drug_class" for s in response.sections)


def test_links_are_read_against_the_page_address_in_order() -> None:
    known = {
        "https://www.cancer.gov/a": 0,
        "https://www.cancer.gov/b": 1,
        "https://www.cancer.gov/types/c": 2,
    }
    body = (
        "[B](/b/) then [not in the KB](https://dailymed.nlm.nih.gov/x) and "
        "[C](https://www.cancer.gov/types/c#section-2) [B again](https://www.cancer.gov/b) "
        "[a glossary popup](/Common/PopUps/popDefinition.aspx?id=1) [mail](mailto:x@y.z) [C](c)"
    )
    assert linked_pages(body, "https://www.cancer.gov/types/page", known) == [1, 2]


def test_the_class_page_is_the_one_fewest_drug_pages_link_to() -> None:
    documents = [patient_page(i, f"Page {i}", f"p{i}") for i in range(5)]
    documents.append(replace(patient_page(5, "Professional", "p5"), professional=True))
    bodies = {
        0: "[broad](/p3) [other drug](/p1) [particular](/p4)",
        1: "[broad](/p3) [as particular](/p6) [particular too](/p7)",
        2: "[broad](/p3) [professional only](/p5)",
    }
    documents += [patient_page(6, "Page 6", "p6"), patient_page(7, "Page 7", "p7")]
    known = {d.url: d.id for d in documents}
    found = class_pages({0, 1, 2}, documents, lambda d: bodies.get(d, ""), known)
    # drug 0: p4 (linked from one drug page) rather than p3 (three); drug 1: p6 and p7, as
    # particular as each other, in link order; another drug's page and a professional page are
    # never class pages
    assert found == {0: (4,), 1: (6, 7), 2: (3,)}
