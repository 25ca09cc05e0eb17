"""The triage's multilingual check read ahead (cancerinfo.triage.read_ahead): an English
message the English check puts near a crisis exemplar without passing it is read by the
multilingual encoder in a worker thread while the caller acts on a provisional decision;
the settled decision is always the one :meth:`Triage.assess` gives, and an answer made on a
provisional decision is kept only when the two are the same."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cancerinfo.answer.assistant import Assistant
from cancerinfo.pipeline.ingest import ingest
from cancerinfo.triage import Triage
from cancerinfo.triage.read_ahead import ReadAhead, same_decision

#: the English check does not pass it; the multilingual check (the English gate) does
CRISIS_BY_THE_MULTILINGUAL_CHECK = (
    "not suicidal or anything lol, i just wouldnt mind if i didnt wake up tomorrow. is that normal on chemo?"
)
#: near enough a crisis exemplar for the multilingual check to be asked; it does not pass it
ORDINARY_NEAR_THE_GATE = "how do people cope with chemo brain"
#: far from every crisis exemplar: the multilingual check is not asked
ORDINARY_FAR = "what is a colonoscopy"


@pytest.fixture()
def read_ahead(triage: Triage) -> Iterator[ReadAhead]:
    ahead = ReadAhead(triage)
    yield ahead
    ahead.close()


def test_an_ordinary_message_near_the_gate_settles_to_the_provisional_decision(
    triage: Triage, read_ahead: ReadAhead
) -> None:
    provisional, pending = read_ahead.assess(ORDINARY_NEAR_THE_GATE)
    assert pending is not None, "the multilingual check is read ahead"
    assert provisional.status is None
    settled = pending.settle()
    assert same_decision(settled, provisional)
    assert same_decision(settled, triage.assess(ORDINARY_NEAR_THE_GATE))


def test_a_crisis_only_the_multilingual_check_finds_is_the_settled_decision(
    triage: Triage, read_ahead: ReadAhead
) -> None:
    provisional, pending = read_ahead.assess(CRISIS_BY_THE_MULTILINGUAL_CHECK)
    assert pending is not None
    assert provisional.status != "urgent", "the provisional decision defers the check that finds it"
    settled = pending.settle()
    assert (settled.status, settled.urgency) == ("urgent", "crisis")
    assert same_decision(settled, triage.assess(CRISIS_BY_THE_MULTILINGUAL_CHECK))
    assert not same_decision(settled, provisional)


def test_a_message_far_from_every_crisis_exemplar_is_assessed_once(triage: Triage, read_ahead: ReadAhead) -> None:
    result, pending = read_ahead.assess(ORDINARY_FAR)
    assert pending is None
    assert same_decision(result, triage.assess(ORDINARY_FAR))


def test_a_message_in_another_language_is_assessed_in_order(triage: Triage, read_ahead: ReadAhead) -> None:
    message = "ya no quiero seguir viviendo, estoy cansada de todo"
    result, pending = read_ahead.assess(message)
    assert pending is None
    assert (result.status, result.urgency) == ("urgent", "crisis")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Iterator[Assistant]:
    root = tmp_path_factory.mktemp("kb")
    shutil.copytree(examples_kb, root / "kb")
    path = root / "store.db"
    assert ingest([root / "kb"], db=path).ok
    assistant = Assistant(path)
    yield assistant
    assistant.close()


def test_the_assistant_replies_to_a_crisis_found_while_it_made_an_answer(assistant: Assistant) -> None:
    response = assistant.ask(CRISIS_BY_THE_MULTILINGUAL_CHECK)
    assert (response.status, response.urgency) == ("urgent", "crisis")
    assert "988" in response.text


def test_the_assistant_keeps_the_answer_made_on_the_same_decision(assistant: Assistant) -> None:
    read = assistant.ask(ORDINARY_NEAR_THE_GATE).as_dict()
    original = assistant.read_ahead.assess
    assistant.read_ahead.assess = lambda message, **kw: (assistant.triage.assess(message, **kw), None)  # type: ignore[method-assign]
    try:
        in_order = assistant.ask(ORDINARY_NEAR_THE_GATE).as_dict()
    finally:
        assistant.read_ahead.assess = original  # type: ignore[method-assign]
    assert read == in_order
