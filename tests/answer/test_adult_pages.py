"""A PDQ page for adults whose title does not say so ("Hodgkin Lymphoma Treatment" at
.../patient/adult-hodgkin-treatment-pdq) is read as a page for adults: a question about
children ("and for kids?") leads with the children's page (the NCI KB's lymphoma pages, real
ingest, real store; needs ../shared)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cancerinfo.answer.assistant import Assistant
from cancerinfo.answer.evidence_words import ADULT_URL, for_other_audience
from cancerinfo.kb.loader import iter_kb_files, load_file
from cancerinfo.pipeline.ingest import ingest
from tests.conftest import copy_pages


@pytest.fixture(scope="module")
def lymphoma(nci_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The NCI KB's lymphoma pages for patients (adult and childhood Hodgkin, non-Hodgkin ...)."""
    root = tmp_path_factory.mktemp("lymphoma") / "kb"
    chosen = [
        file for _, file in iter_kb_files([nci_kb])
        if (document := load_file(file).document) is not None and "/types/lymphoma/patient/" in document.url
    ]
    copy_pages(chosen, nci_kb, root)
    db = root.parent / "lymphoma.db"
    assert ingest([root], db=db).ok
    assistant = Assistant(db)
    yield assistant
    assistant.close()


@pytest.mark.parametrize(
    ("url", "adult"),
    [
        ("https://www.cancer.gov/types/lymphoma/patient/adult-hodgkin-treatment-pdq", True),
        ("https://www.cancer.gov/types/leukemia/hp/adult-all-treatment-pdq", True),
        ("https://www.cancer.gov/types/head-and-neck/patient/adult/laryngeal-treatment-pdq", True),
        ("https://www.cancer.gov/types/lymphoma/patient/child-hodgkin-treatment-pdq", False),
        ("https://www.cancer.gov/pediatric-adult-rare-tumor/support/coping-young-adults", False),
        ("https://www.cancer.gov/types/brain/adult-astrocytoma-survivor-video", False),  # a video, not a PDQ page
    ],
)
def test_an_adult_pdq_page_is_known_by_its_address(url: str, adult: bool) -> None:
    assert bool(ADULT_URL.search(url)) is adult


def test_a_page_for_adults_is_for_other_people_only_when_children_and_not_adults_are_asked() -> None:
    title = frozenset({"adolescents", "young", "adults", "cancer"})
    qualifiers = frozenset({"childhood", "adolescents"})
    assert for_other_audience(frozenset({"adult", "hodgkin"}), {"kids", "children"}, qualifiers)
    # "should i see a kids cancer doctor or an adult one": both are asked
    assert not for_other_audience(title, {"kids", "children", "adult", "adults", "adolescents"}, qualifiers)
    assert not for_other_audience(frozenset({"adult", "hodgkin"}), {"hodgkin"}, qualifiers)


@pytest.mark.shared
@pytest.mark.slow
def test_a_follow_up_asking_for_kids_leads_with_the_childrens_page(lymphoma: Assistant) -> None:
    # the short answer quoted "Hodgkin Lymphoma Treatment" (an adult page by its address) before
    session = "adult-then-kids"
    first = lymphoma.ask("how do they usually treat hodgkin lymphoma in adults", session_id=session)
    assert first.status == "answered"
    second = lymphoma.ask("and for kids? my nephew is 12 and just got diagnosed", session_id=session).as_dict()
    assert second["status"] == "answered"
    short = second["sections"][0]
    assert short["kind"] == "short_answer"
    pages = [second["citations"][n - 1]["url"].rsplit("/", 1)[-1] for n in short["citations"]]
    assert pages and set(pages) == {"child-hodgkin-treatment-pdq"}
