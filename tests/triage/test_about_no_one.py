"""A message that says it asks about no one in particular is never refused (``about_no_one``
of safety.yaml), and never loses an urgent reply by saying so; stopping one's own named
treatment is choosing a treatment; two crisis terms that read ordinary questions as a crisis."""

from __future__ import annotations

import pytest

from cancerinfo.triage import Triage


@pytest.mark.parametrize(
    ("request_", "marker"),
    [
        ("what does my biopsy report mean? it says grade 2.", "Not asking about mine, just in general."),
        ("what does my biopsy report mean? it says grade 2.", "not mine, i just keep seeing it online"),
        ("¿qué significan mis resultados de la biopsia?", "No pregunto por nadie en concreto."),
        ("¿qué significan mis resultados de la biopsia?", "Es en general, no es por mí."),
    ],
)
def test_saying_it_is_about_no_one_lifts_the_refusal(lexical: Triage, request_: str, marker: str) -> None:
    assert lexical.assess(request_).status == "refused"
    result = lexical.assess(f"{request_} {marker}")
    assert result.status != "refused", result.evidence
    assert any(e.name == "about_no_one" for e in result.evidence)


@pytest.mark.parametrize(
    "message",
    [
        "pharmacy gave me the wrong bag and i took 2 of the morphine tablets, they're not mine",
        "i took 2 of the morphine tablets in the bag by mistake. it's not mine, not asking about me",
    ],
)
def test_it_never_cancels_an_urgent_reply(lexical: Triage, message: str) -> None:
    assert (lexical.assess(message).status, lexical.assess(message).urgency) == ("urgent", "poison")


def test_stopping_a_treatment_named_earlier_is_choosing_a_treatment(lexical: Triage) -> None:
    message = "my oncologist wants me on anastrozole for 5 years but my joints ache. should I just stop after 2?"
    assert (lexical.assess(message).status, lexical.assess(message).reason) == ("refused", "CHOOSE_MY_TREATMENT")
    # skipping one dose is a dose question, not a treatment choice
    dose = "my dex dose is 4mg twice a day and im not sleeping at all. can i just skip the evening one?"
    assert lexical.assess(dose).reason != "CHOOSE_MY_TREATMENT"


@pytest.mark.parametrize(
    ("message", "crisis"),
    [
        ("How do oncologists work out how much chemo someone gets?", False),
        ("I've worked out how many of my pills it would take", True),
        ("mi papá ya no quiere comer, está muy flaquito", False),
        ("ya no quiero seguir, estoy cansada de todo", True),
    ],
)
def test_a_preparation_or_a_wish_not_an_everyday_sentence(lexical: Triage, message: str, crisis: bool) -> None:
    assert (lexical.assess(message).urgency == "crisis") is crisis


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # the words of a request to diagnose ("does she have liver cancer"), the question of how
        # a metastasis is named (diagnose_me `not_when` in safety.yaml): answered
        ("moms colon cancer spread to her liver. does that mean she has liver cancer now?? what stage is that", (None, None)),
        ("my dads prostate cancer has spread to his bones, so does he have bone cancer now", (None, None)),
        # a request to diagnose, with or without a cancer that spread: still refused
        ("found a lump in my neck a month ago. could it be cancer", ("refused", "DIAGNOSE_ME")),
        ("my breast cancer spread to my bones, now there is a lump in my neck. could it be cancer", ("refused", "DIAGNOSE_ME")),
    ],
)
def test_how_a_cancer_that_spread_is_named_is_a_general_question(
    lexical: Triage, message: str, expected: tuple[str | None, str | None]
) -> None:
    result = lexical.assess(message)
    assert (result.status, result.reason) == expected, result.evidence
