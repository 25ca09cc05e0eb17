"""A question asking for a kind of answer (a time: "how long till it grows back"; an age; a
chance; a cost) gets a short answer that gives one, other things equal: ``answer_types`` of
policies/answer.yaml (in-memory KB, every candidate equally close to the question)."""

from __future__ import annotations

import numpy as np
import pytest

from cancerinfo.answer.evidence import Evidence
from cancerinfo.answer.kb_reader import ChunkRow, MemoryKB
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.index.records import Hit, SearchResult
from tests.answer import pages
from tests.answer.pages import patient_page

POLICY = load_answer_policy()
WHEN = "Hair usually grows back 2 to 3 months after chemotherapy ends."
WHY = "Hair usually grows back because chemotherapy harms the hair roots only for a while."
DOCUMENTS = [patient_page(1, "Hair Loss and Cancer Treatment - NCI", "side-effects/hair-loss")]
CHUNKS = [
    ChunkRow(1, "hair-0", 0, 0, "Why hair grows back", WHY),
    ChunkRow(2, "hair-1", 0, 1, "When hair grows back", WHEN),
]
BODIES = {0: f"# Hair Loss\n\n## Why hair grows back\n\n{WHY}\n\n## When hair grows back\n\n{WHEN}\n"}


def same_closeness(texts: list[str]) -> np.ndarray:
    return np.ones((len(texts), 2)) / np.sqrt(2)


def short_answer(question: str) -> str:
    composer = pages.composer_on(MemoryKB(DOCUMENTS, BODIES, CHUNKS), DOCUMENTS, CHUNKS, POLICY)
    hits = [
        Hit(url=DOCUMENTS[0].url, title=DOCUMENTS[0].title, section=c.section, chunk_id=c.chunk_id, score=1.0,
            sourceType="02_nci_core", audienceLevel="patient", lastReviewed="2025-12-30", review_status="ok",
            snippet="", document=0)
        for c in CHUNKS  # the "why" section first: the search's order favours it
    ]
    result = SearchResult(query=question, intent="general", hits=hits, entities=[])
    found = composer.short_answer(
        question, result, Evidence([0], composer.finder.chunks([0])), embed=same_closeness, stem=lambda w: w,
        section_scores=lambda ids: [0.5] * len(ids),
    )
    assert found, "no short answer"
    return " ".join(unit.text for unit in found[0].run)


def test_a_question_asking_how_long_gets_the_sentence_that_gives_a_time() -> None:
    assert short_answer("how long till my hair grows back") == WHEN
    # asking nothing of that kind, the search's order stands
    assert short_answer("my hair grows back") == WHY


@pytest.mark.parametrize(
    ("question", "kind", "answer", "gives"),
    [
        ("ok and how often should my mom get one", "time", "every 2 years between ages 50 and 74", True),
        ("what age should i start getting checked", "age", "beginning at age 45", True),
        ("what are his odds realistically", "chance", "the 5-year relative survival rate is 13%", True),
        ("how much is chemo going to cost us", "cost", "Insurance may pay for part of the treatment.", True),
        ("how long till it grows back", "time", "Hair grows back thicker for some people.", False),
        ("is it true the care there is free", "cost", "Once you are enrolled, medical care is free.", True),
        ("do they treat people for free", "cost", "She has been cancer-free for 5 years.", False),
    ],
)
def test_the_kinds_asked_and_given(question: str, kind: str, answer: str, gives: bool) -> None:
    assert kind in POLICY.answer_types_asked(question)
    assert POLICY.gives_answer_type(kind, answer) is gives


def test_free_of_a_thing_is_not_a_cost_question() -> None:
    assert "cost" not in POLICY.answer_types_asked("is sugar free gum ok to chew during chemo")
    assert "cost" not in POLICY.answer_types_asked("how long until i am cancer free")
