"""A question naming a sub-stage ("stage 3b", "IIB") gets what the page says of that
sub-stage: the page's sections naming it are read even when the search found only the first
section of stages, a PDQ figure's short label ("Stage IIIB colon cancer.") opens the
sentences after it, and what is said of another sub-stage of the same stage is not quoted."""

from __future__ import annotations

import numpy as np
import pytest

from cancerinfo.answer.composer import Composer
from cancerinfo.answer.evidence import Evidence
from cancerinfo.answer.kb_reader import ChunkRow, MemoryKB
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.answer.windows import stages_named
from cancerinfo.index.records import Hit, SearchResult
from tests.answer import pages
from tests.answer.pages import patient_page

POLICY = load_answer_policy()
SECTION = "Stages of Colon Cancer > The following stages are used for colon cancer:"
FIRST = "In stage 0, abnormal cells are found in the mucosa of the colon wall. These abnormal cells may become cancer."
IIIA = "Stage IIIA colon cancer. Cancer has spread through the mucosa to the submucosa and to one to three nearby lymph nodes."
IIIB = "Stage IIIB colon cancer. Cancer has spread through the muscle layer to the serosa and to one to three nearby lymph nodes."
DOCUMENTS = [patient_page(1, "Colon Cancer Treatment - NCI", "types/colorectal/patient/colon-treatment-pdq")]
CHUNKS = [
    ChunkRow(1, "stages-0", 0, 0, SECTION, FIRST),
    ChunkRow(2, "stages-1", 0, 1, SECTION, "Stage III colon cancer is divided into stages IIIA, IIIB, and IIIC.\n\n" + IIIA),
    ChunkRow(3, "stages-2", 0, 2, SECTION, IIIB),
]
BODIES = {0: "# Colon Cancer Treatment\n\n## Stages of Colon Cancer\n\n### The following stages are used for colon cancer:\n\n"
             + "\n\n".join(c.text for c in CHUNKS) + "\n"}


def hit(chunk: ChunkRow) -> Hit:
    return pages.hit_on(DOCUMENTS, chunk)


def same_closeness(texts: list[str]) -> np.ndarray:
    return np.ones((len(texts), 2)) / np.sqrt(2)


def short(question: str) -> str:
    composer: Composer = pages.composer_on(MemoryKB(DOCUMENTS, BODIES, CHUNKS), DOCUMENTS, CHUNKS, POLICY)
    evidence = Evidence([0], composer.finder.chunks([0]))
    # the search found only the first section of stages
    result = SearchResult(query=question, intent="stages", hits=[hit(CHUNKS[0])], entities=[])
    found = composer.short_answer(question, result, evidence, embed=same_closeness, stem=lambda w: w)  # type: ignore[arg-type]
    assert found, "no short answer"
    return " ".join(unit.text for unit in found[0].run)


@pytest.mark.parametrize("question", ["dad has stage 3b colon cancer. does 3b mean its in his lymph nodes", "what is stage IIIB colon cancer"])
def test_a_sub_stage_asked_is_answered_by_what_the_page_says_of_it(question: str) -> None:
    assert short(question) == IIIB


def test_what_is_said_of_another_sub_stage_is_not_quoted() -> None:
    composer: Composer = pages.composer_on(MemoryKB(DOCUMENTS, BODIES, CHUNKS), DOCUMENTS, CHUNKS, POLICY)
    assert not composer._asked_for("what is stage 3b colon cancer", "Stage IIIA colon cancer.")
    assert composer._asked_for("what is stage 3b colon cancer", "Stage III colon cancer is divided into stages IIIA, IIIB, and IIIC.")
    # a stage asked without its sub-stage: every sub-stage of it may be quoted
    assert composer._asked_for("what is stage 3 colon cancer", "Stage IIIA colon cancer.")


@pytest.mark.parametrize(
    ("text", "stages"),
    [
        ("stage 3b", {"iii", "iiib"}),
        ("cervical cancer stage 4a - what does the A mean", {"iv", "iva"}),
        ("Stage IA1 and IA2 cervical cancer.", {"i", "ia"}),
        ("stages IIA and IIB", {"ii", "iia", "iib"}),
        ("stage II and stage IV", {"ii", "iv"}),
        ("stage 2 and a half", {"ii"}),
    ],
)
def test_sub_stages_named(text: str, stages: set[str]) -> None:
    assert stages_named(text, sub=True) == stages
