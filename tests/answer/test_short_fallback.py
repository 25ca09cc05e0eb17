"""A follow-up whose words find other pages ("and if it's already in his liver?" after a
stomach cancer survival question) still gets a short answer from the pages the answer quotes:
when the search's hits on those pages hold nothing quotable, their sections nearest to the
question are read instead (short_answer._nearest_sections)."""

from __future__ import annotations

import numpy as np

from cancerinfo.answer.composer import Composer
from cancerinfo.answer.evidence import Evidence
from cancerinfo.answer.kb_reader import ChunkRow, MemoryKB
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.index.records import Hit, SearchResult
from tests.answer import pages
from tests.answer.pages import patient_page

POLICY = load_answer_policy()
DISTANT = "Stomach cancer can spread through the blood to the liver, the lungs or the bones."
LOCAL = "Stomach cancer that has not spread outside the stomach is found at an early stage."
DOCUMENTS = [
    patient_page(1, "Stomach Cancer Survival Rates - NCI", "types/stomach/survival"),
    patient_page(2, "Liver Cancer - NCI", "types/liver"),
]
CHUNKS = [
    ChunkRow(1, "survival-0", 0, 0, "Survival rates for stomach cancer", LOCAL),
    ChunkRow(2, "survival-1", 0, 1, "Survival rates for stomach cancer > Distant stage", DISTANT),
    ChunkRow(3, "survival-2", 0, 2, "To learn more about stomach cancer", "Read the stomach cancer treatment page for more."),
    ChunkRow(4, "liver-0", 1, 0, "What is liver cancer?", "Liver cancer starts in the cells of the liver."),
]
BODIES = {
    0: f"# Stomach Cancer Survival Rates\n\n## Survival rates for stomach cancer\n\n{LOCAL}\n\n### Distant stage\n\n"
       f"{DISTANT}\n\n## To learn more about stomach cancer\n\nRead the stomach cancer treatment page for more.\n",
    1: "# Liver Cancer\n\n## What is liver cancer?\n\nLiver cancer starts in the cells of the liver.\n",
}


def hit(chunk: ChunkRow) -> Hit:
    return pages.hit_on(DOCUMENTS, chunk)


def composer() -> Composer:
    return pages.composer_on(MemoryKB(DOCUMENTS, BODIES, CHUNKS), DOCUMENTS, CHUNKS, POLICY)


def same_closeness(texts: list[str]) -> np.ndarray:
    return np.ones((len(texts), 2)) / np.sqrt(2)


QUESTION = "and if its already in his liver? (stomach cancer)"
#: the search's section vectors: the distant-stage section is the nearest to the question
CLOSENESS = {"survival-0": 0.31, "survival-1": 0.62, "survival-2": 0.2, "liver-0": 0.7}


def short(section_scores: object) -> list:
    composer_ = composer()
    evidence = Evidence([0], composer_.finder.chunks([0]))
    # the search found the liver page and, on the quoted page, only its "learn more" section
    result = SearchResult(query=QUESTION, intent="prognosis", hits=[hit(CHUNKS[3]), hit(CHUNKS[2])], entities=[])
    return composer_.short_answer(
        QUESTION, result, evidence, embed=same_closeness, stem=lambda w: w, section_scores=section_scores,  # type: ignore[arg-type]
    )


def test_the_quoted_pages_nearest_section_gives_the_short_answer_when_their_hits_hold_nothing_quotable() -> None:
    found = short(lambda chunk_ids: [CLOSENESS[c] for c in chunk_ids])
    assert found, "no short answer"
    assert found[0].chunk.chunk_id == "survival-1"
    assert " ".join(unit.text for unit in found[0].run) == DISTANT
    # never a page the answer does not quote, nor a section never quoted
    assert {f.chunk.chunk_id for f in found} <= {"survival-0", "survival-1"}


def test_without_the_section_vectors_there_is_no_short_answer_rather_than_a_guess() -> None:
    assert short(None) == []
