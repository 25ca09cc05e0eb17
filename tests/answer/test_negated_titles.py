"""A page titled "Non-Hodgkin Lymphoma" is not a page on Hodgkin lymphoma: the evidence for a
question naming one lymphoma leads with that lymphoma's own pages (real ingest, real store)."""

from __future__ import annotations

import pytest

from cancerinfo.answer.assistant import Assistant
from cancerinfo.pipeline.ingest import ingest
from tests.helpers import write_page

PAGE = """# {title}

## Treatment of {name} in children

Children with {name} are treated by a team of doctors who are experts in treating cancer in children.
Treatment of {name} in children depends on the risk group and the stage.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("kb")
    pages = root / "kb" / "en" / "02_nci_core" / "types"
    for slug, title, name in (
        ("child-hodgkin", "Childhood Hodgkin Lymphoma Treatment", "Hodgkin lymphoma"),
        ("child-nhl", "Childhood Non-Hodgkin Lymphoma Treatment", "non-Hodgkin lymphoma"),
        ("adult-nhl", "Adult Non-Hodgkin Lymphoma Treatment", "non-Hodgkin lymphoma"),
        ("hodgkin", "Hodgkin Lymphoma", "Hodgkin lymphoma"),
    ):
        write_page(pages, f"{slug}.md", PAGE.format(title=title, name=name),
                   url=f"https://www.cancer.gov/types/lymphoma/patient/{slug}-treatment-pdq",
                   title=f"{title} (PDQ®)–Patient Version - NCI", cancerTypes=["lymphoma"])
    path = root / "store.db"
    assert ingest([root / "kb"], db=path).ok
    found = Assistant(path)
    yield found
    found.close()


def evidence_urls(assistant: Assistant, question: str) -> list[str]:
    result = assistant.searcher.search(question)
    evidence = assistant.composer.finder.find(result, ("treatment",))
    return [assistant.composer.documents[d].url.rsplit("/", 1)[-1] for d in evidence.pages]


def test_a_question_on_hodgkin_lymphoma_leads_with_its_own_page_not_the_non_hodgkin_ones(assistant: Assistant) -> None:
    urls = evidence_urls(assistant, "how is hodgkin lymphoma treated in childhood")
    assert set(urls[:2]) == {"child-hodgkin-treatment-pdq", "hodgkin-treatment-pdq"}
    # a non-Hodgkin page is a page on another lymphoma: neither the topic's nor a general page
    assert not {"child-nhl-treatment-pdq", "adult-nhl-treatment-pdq"} & set(urls)


def test_a_question_on_non_hodgkin_lymphoma_still_gets_the_non_hodgkin_pages(assistant: Assistant) -> None:
    urls = evidence_urls(assistant, "how is non-hodgkin lymphoma treated in childhood")
    assert urls[0] == "child-nhl-treatment-pdq"
    # "non-Hodgkin" does not name the Hodgkin lymphoma page
    assert not any(e["canonical"].lower() == "hodgkin lymphoma" for e in assistant.searcher.search("non-Hodgkin lymphoma").entities)
    assert "adult-nhl-treatment-pdq" in urls
