"""Sentences of a long message judged apart (stricter than the whole), refusals by meaning
in any language, a dose question that names the poisoning verb, and a short message whose
language the identifier only guessed. The messages were written for these tests (not taken
from any set)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from cancerinfo.triage import Triage
from cancerinfo.triage.meaning import Closest
from cancerinfo.triage.signals import _english_closest

WHOLE = "I went to the market with my daughter today. The doctor says my counts are fine. I have put aside all the pills."
SENTENCES = [s.strip() for s in WHOLE.split(".") if s.strip()]  # as split_sentences cuts it


class _Stub:
    """A matcher whose cosines are given: text -> (score, margin)."""

    def __init__(self, scores: Mapping[str, tuple[float, float]]) -> None:
        self.scores = scores
        self.asked: list[list[str]] = []

    def closest(self, units: Sequence[str]) -> Closest | None:
        units = list(units)
        self.asked.append(units)
        if not units:
            return None
        found = [self.scores.get(u, (0.0, -1.0)) for u in units]
        best = max(range(len(units)), key=lambda i: found[i][0] + min(found[i][1], 0.0))
        return Closest(found[best][0], found[best][1], "an exemplar", best)


def test_an_english_pass_is_vetoed_when_the_multilingual_check_reads_an_ordinary_message(
    lexical: Triage, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = lexical.rules.meaning
    assert rule.veto is not None and rule.threshold < rule.veto_below
    # the whole message is far from every crisis exemplar; its third sentence passes
    english = _Stub({WHOLE: (0.3, -0.2), SENTENCES[2]: (rule.threshold + 0.01, rule.margin + 0.01)})
    found, passed = _english_closest(english, rule, WHOLE)  # type: ignore[arg-type]
    assert passed and found is not None and found.unit == 3  # 0 is the whole message
    monkeypatch.setattr(lexical, "exemplars", {"en": english})
    # the multilingual check puts the whole message well nearer a not-crisis example: vetoed
    monkeypatch.setattr(lexical, "multilingual", _Stub({WHOLE: (0.8, -rule.veto - 0.01)}))
    evidence, passed, _ = lexical._meaning(WHOLE, "en", any_language=False)  # type: ignore[misc]
    assert not passed and evidence.note.startswith("vetoed by the multilingual check")
    # about as near a crisis example as a not-crisis one: the pass stands
    monkeypatch.setattr(lexical, "multilingual", _Stub({WHOLE: (0.8, -rule.veto + 0.01)}))
    evidence, passed, _ = lexical._meaning(WHOLE, "en", any_language=False)  # type: ignore[misc]
    assert passed and evidence.note.startswith("counted")
    # the whole message passing is vetoed the same way
    english = _Stub({WHOLE: (rule.threshold + 0.01, rule.margin + 0.01)})
    monkeypatch.setattr(lexical, "exemplars", {"en": english})
    monkeypatch.setattr(lexical, "multilingual", _Stub({WHOLE: (0.8, -rule.veto - 0.01)}))
    assert not lexical._meaning(WHOLE, "en", any_language=False)[1]  # type: ignore[index]
    # a pass at or above ``veto_below`` is never vetoed
    english = _Stub({WHOLE: (0.3, -0.2), SENTENCES[2]: (rule.veto_below, rule.margin + 0.01)})
    monkeypatch.setattr(lexical, "exemplars", {"en": english})
    monkeypatch.setattr(lexical, "multilingual", _Stub({WHOLE: (0.8, -0.5)}))
    assert lexical._meaning(WHOLE, "en", any_language=False)[1]  # type: ignore[index]


def test_a_crisis_in_one_sentence_of_a_long_message_in_another_language_is_found(
    lexical: Triage, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = lexical.rules.meaning_any_language
    assert rule is not None and rule.sentence_threshold is not None
    stub = _Stub({WHOLE: (0.87, -0.01), SENTENCES[2]: (rule.sentence_threshold, rule.sentence_margin)})
    monkeypatch.setattr(lexical, "multilingual", stub)
    found = lexical._meaning_any_language(WHOLE)
    assert found is not None
    evidence, passed, strong = found
    assert passed and not strong and evidence.words == "unit 3" and evidence.note.startswith("counted; multilingual")
    assert stub.asked == [[WHOLE], SENTENCES]  # the whole first, then its sentences
    # just below the sentence margin: not a crisis, and the whole's cosine is what is shown
    stub = _Stub({WHOLE: (0.87, -0.01), SENTENCES[2]: (rule.sentence_threshold, rule.sentence_margin - 0.01)})
    monkeypatch.setattr(lexical, "multilingual", stub)
    evidence, passed, _ = lexical._meaning_any_language(WHOLE)  # type: ignore[misc]
    assert not passed and evidence.words == "unit 0"
    # a whole that passes is never split
    stub = _Stub({WHOLE: (rule.threshold, rule.margin)})
    monkeypatch.setattr(lexical, "multilingual", stub)
    assert lexical._meaning_any_language(WHOLE)[1] and stub.asked == [[WHOLE]]  # type: ignore[index]


def test_a_request_to_read_a_report_in_a_language_without_report_phrases_is_refused(
    triage: Triage, lexical: Triage
) -> None:
    # Polish: "my biopsy results: ductal carcinoma G2, HER2 negative. What does that mean for me?"
    message = "Wyniki mojej biopsji: rak przewodowy G2, HER2 ujemny. Co to dla mnie znaczy?"
    assert (lexical.assess(message).status, lexical.assess(message).reason) == ("abstained", "LANGUAGE_NOT_SUPPORTED")
    result = triage.assess(message)
    assert (result.status, result.reason) == ("refused", "INTERPRET_MY_REPORT")
    assert result.message.startswith(triage._notice("pl") or "")  # the asker's own language first
    voted = [e for e in result.evidence if e.kind == "example" and e.words == "INTERPRET_MY_REPORT"]
    assert voted and voted[-1].note.startswith("refusal; multilingual")


def test_a_general_question_in_another_language_is_not_refused(triage: Triage) -> None:
    # German: "how long does a course of radiotherapy for breast cancer usually take?"
    result = triage.assess("Wie lange dauert eine Bestrahlung bei Brustkrebs normalerweise?")
    assert (result.status, result.reason) == ("abstained", "LANGUAGE_NOT_SUPPORTED")
    votes = [e for e in result.evidence if e.kind == "example" and "nearest are refusals" in e.note]
    assert votes and votes[-1].note.startswith("not counted")


def test_asking_whether_to_take_a_double_dose_is_a_dose_question_not_a_poisoning(lexical: Triage) -> None:
    asked = lexical.assess("¿me puedo tomar el doble de la pastilla para el dolor?")
    assert asked.status != "urgent"
    assert any(e.note == "asks before taking" for e in asked.evidence)
    taken = lexical.assess("me tomé el doble de la pastilla para el dolor, qué hago")
    assert (taken.status, taken.urgency) == ("urgent", "poison")


def test_a_short_message_whose_language_was_only_guessed_keeps_its_danger(lexical: Triage) -> None:
    result = lexical.assess("me tome el doble de la dosis de morfina")
    assert result.evidence[0].note.startswith("default (guess es)")  # taken for English, Spanish guessed
    assert (result.status, result.urgency) == ("urgent", "poison")


@pytest.mark.parametrize(
    "message",
    [
        # Spanish: "what does HER2 positive mean? it's written in my mother's report"
        "¿Qué significa HER2 positivo? lo pone en el informe de mi madre",
        # Spanish: "what is a radiation oncologist and how is it different from the surgeon? dad was sent to both"
        "Que es un oncologo radioterapeuta y en que se diferencia del cirujano? a mi papa lo mandaron con los dos",
    ],
)
def test_a_general_form_in_another_language_is_not_refused_by_example(triage: Triage, message: str) -> None:
    # the nearest examples are requests about one person, but the question asks what a word
    # means or how something is decided (safety.yaml general_forms)
    result = triage.assess(message)
    assert (result.status, result.reason) == ("abstained", "LANGUAGE_NOT_SUPPORTED"), result.evidence


def test_a_request_in_a_general_form_is_still_refused_by_its_cue(triage: Triage) -> None:
    # Spanish: "they gave me my PET result and it says SUV max 12.4 in the nodes, what does it mean for me?"
    result = triage.assess("me dieron el resultado del PET y dice SUV max 12.4 en los ganglios, ¿qué significa para mí?")
    assert (result.status, result.reason) == ("refused", "INTERPRET_MY_REPORT")
