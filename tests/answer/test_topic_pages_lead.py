"""A question naming a topic that is no cancer ("am I depressed", named "Depression") is
answered from that topic's pages first, even when the search put a general page above them;
a general page the search put first keeps its place for a cancer topic ("Lumpectomy vs.
Mastectomy" for a breast cancer question)."""

from __future__ import annotations

from cancerinfo.answer.kb_reader import ChunkRow, MemoryKB
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.index.records import Hit, SearchResult
from tests.answer import pages
from tests.answer.pages import patient_page

POLICY = load_answer_policy()
PAGES = [
    ("Coping With Your Feelings - NCI", "about-cancer/coping/feelings", "Some people feel sad or even have depression."),
    ("Depression (PDQ®)–Patient Version - NCI", "about-cancer/coping/feelings/depression-pdq",
     "Depression is more than feeling down or sad from time to time."),
    ("Breast Cancer Treatment (PDQ®)–Patient Version - NCI", "types/breast/patient/breast-treatment-pdq",
     "Surgery is the main treatment of breast cancer."),
    ("Surgery Choices for Women with DCIS or Breast Cancer - NCI", "types/breast/surgery-choices",
     "Some women can choose between lumpectomy and mastectomy."),
]
DOCUMENTS = [patient_page(i + 1, title, slug) for i, (title, slug, _) in enumerate(PAGES)]
CHUNKS = [ChunkRow(i + 1, f"page-{i}-0", i, 0, "Overview", text) for i, (_, _, text) in enumerate(PAGES)]
BODIES = {i: f"# {title}\n\n## Overview\n\n{text}\n" for i, (title, _, text) in enumerate(PAGES)}


def hit(position: int) -> Hit:
    page = DOCUMENTS[position]
    return Hit(page.url, page.title, "Overview", f"page-{position}-0", 0.1, "02_nci_core", "patient",
               "2025-12-30", "ok", "", document=position)


def result(question: str, topic: str, positions: list[int], first: list[int]) -> SearchResult:
    entity = {"kind": "topic", "canonical": topic, "text": topic, "fuzzy": False,
              "urls": [DOCUMENTS[p].url for p in positions]}
    return SearchResult(query=question, intent="general", hits=[hit(p) for p in first], entities=[entity])


def test_the_pages_of_a_topic_that_is_no_cancer_come_first() -> None:
    finder = pages.composer_on(MemoryKB(DOCUMENTS, BODIES, CHUNKS), DOCUMENTS, CHUNKS, POLICY).finder
    asked = result("how do i know if im depressed or just sad", "depression", [1], first=[0, 1])
    assert finder.find(asked, POLICY.plan("coping")).pages[0] == 1
    # a cancer topic: the general page the search put first keeps its place
    breast = result("lumpectomy or mastectomy for breast cancer", "breast cancer", [2], first=[3, 2])
    assert finder.find(breast, POLICY.plan("treatment")).pages[0] == 3


NEWS = [
    ("Combining Targeted Drugs Effective for Metastatic Breast Cancer - NCI", "types/breast/research/combination-targeted",
     "In a clinical trial, women with metastatic breast cancer who received two targeted drugs lived longer."),
    ("Breast Cancer Treatment (PDQ®)–Patient Version - NCI", "types/breast/patient/breast-treatment-pdq",
     "Treatment of metastatic breast cancer may include targeted therapy."),
]


def test_a_research_news_page_known_by_its_address_goes_after_the_patient_pages() -> None:
    documents = [patient_page(i + 1, title, slug) for i, (title, slug, _) in enumerate(NEWS)]
    chunks = [ChunkRow(i + 1, f"page-{i}-0", i, 0, "Overview", text) for i, (_, _, text) in enumerate(NEWS)]
    bodies = {i: f"# {title}\n\n## Overview\n\n{text}\n" for i, (title, _, text) in enumerate(NEWS)}
    finder = pages.composer_on(MemoryKB(documents, bodies, chunks), documents, chunks, POLICY).finder

    def first(question: str) -> int:
        hits = [Hit(d.url, d.title, "Overview", f"page-{i}-0", 0.1, "02_nci_core", "patient", "2025-12-30", "ok", "", document=i)
                for i, d in enumerate(documents)]
        return finder.find(SearchResult(query=question, intent="general", hits=hits), POLICY.plan("treatment")).pages[0]

    # the search put the news page first; its title does not say "research", its address does
    assert "research" not in NEWS[0][0].lower()
    assert first("how is metastatic breast cancer treated with targeted drugs") == 1
    assert first("what does new research say about targeted drugs for metastatic breast cancer") == 0
