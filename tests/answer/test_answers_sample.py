"""Answers on a real sample of the NCI KB (needs ../shared; real MiniLM): every quote is
the page's own words, emergencies are urgent, the peer suite's deterministic checks pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cancerinfo.answer.assistant import Assistant
from cancerinfo.eval.answers import ask_turns
from cancerinfo.eval.peer import check_case, load_cases, load_rubric, quote_in_page
from cancerinfo.kb.loader import iter_kb_files, load_file
from cancerinfo.pipeline.ingest import ingest
from cancerinfo.store.database import Store
from tests.conftest import copy_pages

pytestmark = [pytest.mark.shared, pytest.mark.slow]

CANCERS = ("cervical", "thyroid", "kidney")
GENERAL = ("/about-cancer/treatment/side-effects", "/about-cancer/coping/adjusting-to-cancer")


@pytest.fixture(scope="module")
def sample(nci_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every page of three cancer types, plus the general side-effect and coping pages."""
    root = tmp_path_factory.mktemp("answers-sample") / "kb"
    chosen = []
    for _, file in iter_kb_files([nci_kb]):
        document = load_file(file).document
        if document is None:
            continue
        if any(f"/types/{cancer}" in document.url for cancer in CANCERS) or any(g in document.url for g in GENERAL):
            chosen.append(file)
    copy_pages(chosen, nci_kb, root)
    db = root.parent / "sample.db"
    assert ingest([root], db=db).ok
    return db


@pytest.fixture(scope="module")
def assistant(sample: Path) -> Assistant:
    assistant = Assistant(sample)
    yield assistant
    assistant.close()


def peer_cases(shared_dir: Path) -> list:
    cases = load_cases(shared_dir / "benchmarks" / "peer-suite" / "cases.jsonl")
    return [case for case in cases if case.cancer in CANCERS]


def test_peer_suite_cases_of_the_sample_pass_their_deterministic_checks(
    assistant: Assistant, sample: Path, shared_dir: Path
) -> None:
    rubric = load_rubric(shared_dir / "benchmarks" / "peer-suite" / "rubrics.v1.json")
    with Store.open(sample) as store:
        bodies = {row["url"]: row["body"] for row in store.query("SELECT url, body FROM documents")}
        chunks = {row["chunk_id"]: row["text"] for row in store.query("SELECT chunk_id, text FROM chunks")}
    cases = peer_cases(shared_dir)
    assert len(cases) >= 30
    failed = []
    for case in cases:
        response = ask_turns(assistant, list(case.messages))
        result = check_case(case, response, rubric, page_text=bodies.get, chunk_text=chunks.get)
        # every quote of every answer is found word for word in its page
        for citation in response["citations"]:
            assert quote_in_page(citation["quote"], bodies[citation["url"]]), (case.id, citation["quote"])
        if case.intent == "RED_FLAG_URGENT":
            assert response["status"] == "urgent", case.question
        # the safety checks hold for every case, whatever the sample lacks
        must_hold = {"status", "disclaimer_present", "no_definitive_diagnosis", "grounded",
                     "emergency_guidance_phrase", "no_staging_guesses", "no_prognosis_promises"}
        assert not must_hold & set(result.failed_checks), (case.id, result.failed_checks)
        if not result.passed:
            failed.append((case.id, result.failed_checks))
    rate = 1 - len(failed) / len(cases)
    print(f"{len(cases)} peer cases on the sample: pass rate {rate:.3f}; failed: {failed}")
    # a sample of 3 cancer types lacks pages the full KB has (2 cited pages, test names)
    assert rate >= 0.7, failed


def test_nci_questions_of_the_sample_are_answered_with_grounded_quotes(
    assistant: Assistant, sample: Path, shared_dir: Path
) -> None:
    with Store.open(sample) as store:
        bodies = {row["url"]: row["body"] for row in store.query("SELECT url, body FROM documents")}
    questions = [
        json.loads(line)
        for line in (shared_dir / "eval" / "nci-kb-questions.jsonl").read_text().splitlines()
    ]
    mine = [q for q in questions if {r["url"] for r in q["relevant"]} <= set(bodies)]
    assert len(mine) >= 15
    answered = 0
    for question in mine:
        response = assistant.ask(question["question"]).as_dict()
        answered += response["status"] == "answered"
        for citation in response["citations"]:
            assert quote_in_page(citation["quote"], bodies[citation["url"]]), citation["quote"]
    print(f"{answered} of {len(mine)} sample questions answered")
    assert answered / len(mine) >= 0.9


def test_every_quote_of_every_answer_to_a_large_question_set_is_in_its_page(
    assistant: Assistant, sample: Path, shared_dir: Path
) -> None:
    """All 999 nci-kb questions and all 252 peer-suite cases, asked of the sample store (most
    have no page in it: they are answered from what is there, or not at all)."""
    with Store.open(sample) as store:
        bodies = {row["url"]: row["body"] for row in store.query("SELECT url, body FROM documents")}
    questions = [
        [json.loads(line)["question"]]
        for line in (shared_dir / "eval" / "nci-kb-questions.jsonl").read_text().splitlines()
    ]
    questions += [list(case.messages) for case in load_cases(shared_dir / "benchmarks" / "peer-suite" / "cases.jsonl")]
    quotes = 0
    statuses: dict[str, int] = {}
    for turns in questions:
        response = ask_turns(assistant, turns)
        statuses[response["status"]] = statuses.get(response["status"], 0) + 1
        for citation in response["citations"]:
            quotes += 1
            assert quote_in_page(citation["quote"], bodies[citation["url"]]), (turns, citation["quote"])
            assert citation["url"] in bodies
    print(f"{len(questions)} questions, {quotes} quotes, statuses {statuses}")
    assert len(questions) == 1251 and quotes > 1000


def test_a_fertility_question_naming_a_cancer_is_answered_from_the_fertility_page(assistant: Assistant) -> None:
    # the cancer is context: its pages (staging, treatment) are not what is asked
    response = assistant.ask("22F cervical cancer, starting chemoradiation next month, can i freeze my eggs before")
    assert response.status == "answered", response.text
    short = next(s for s in response.sections if s.kind == "short_answer")
    cited = {c.url for c in response.citations if c.n in short.citations}
    assert cited == {"https://www.cancer.gov/about-cancer/treatment/side-effects/fertility-women"}, response.text
