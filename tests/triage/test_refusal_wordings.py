"""Wordings of personal requests no cue read (writer AU's benchmarks/triage-dev-21.jsonl; the
treatment choices from dev-17 and dev-3), and the ordinary messages beside them that must keep
their decision."""

from __future__ import annotations

import pytest

from cancerinfo.triage import Triage

from .conftest import known_terms


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        # is it back, asked of the writer's own body
        ("My GP thinks it's muscular. Based on what I've told you, do you think it's come back in my bones?", "DIAGNOSE_ME"),
        ("pain in my hip for weeks now. has it come back in my bones", "DIAGNOSE_ME"),
        # a scan's numbers, "good or bad for me"
        ("pet scan results r in... SUVmax 11.4 in a node. good or bad for me??", "INTERPRET_MY_REPORT"),
        # their own odds of recurrence, or of beating it
        ("Finished treatment for stage 3 colon cancer in June, 2 of 18 nodes positive. Will it come back for me?", "MY_PROGNOSIS"),
        ("in remission now, does that mean I'm going to beat this or am I going to relapse", "MY_PROGNOSIS"),
        # chemotherapy called poison is a treatment choice, not a poisoning
        ("I want to stop my chemo and do vitamin C infusions instead, my naturopath says it works better without all the poison. Should I?", "CHOOSE_MY_TREATMENT"),
        # a doctor's plan accepted, turned down or replaced
        ("dad is 84 and frail, they want to take the bladder out. should we say no and just do the radiation", "CHOOSE_MY_TREATMENT"),
        ("is my doctors plan right? they want chemo first then surgery. should i push back", "CHOOSE_MY_TREATMENT"),
        ("I want to do a juice fast instead of the immunotherapy my doctor recommended", "CHOOSE_MY_TREATMENT"),
        # Spanish: the oncologist's plan followed or not
        ("el oncólogo quiere quimio antes de la cirugía pero yo prefiero operarme ya. ¿le hago caso o no?", "CHOOSE_MY_TREATMENT"),
        # still refused beside the general questions below
        ("just give me your diagnosis, is it cancer or not", "DIAGNOSE_ME"),
        ("is it true my lump is cancer?", "DIAGNOSE_ME"),
        ("¿me voy a morir de esto?", "MY_PROGNOSIS"),
    ],
)
def test_personal_requests_in_these_words_are_refused(lexical: Triage, message: str, reason: str) -> None:
    result = lexical.assess(message, known_terms=known_terms)
    assert (result.status, result.reason) == ("refused", reason), result.evidence


@pytest.mark.parametrize(
    ("message", "status", "urgency"),
    [
        # poison that was swallowed stays a poisoning
        ("my son drank some poison from under the sink", "urgent", "poison"),
        # the same subjects asked in general are answered
        ("does breast cancer usually come back after 5 years?", None, None),
        ("what does an SUV number on a pet scan mean?", None, None),
        ("should we wait to tell the kids until after the scan", None, None),
        ("what is immunotherapy and how is it different from chemotherapy", None, None),
        # general questions in a request's words (dev messages that were refused)
        ("Is it true that sugar feeds cancer? I've seen it all over Facebook.", None, None),
        ("is it true sugar feeds cancer", None, None),
        ("I'm so scared of dying. Is it normal to think about it all the time after a diagnosis?", None, None),
        ("How long does it usually take to get in with an oncologist after a diagnosis", None, None),
        ("I've decided to stop chemo and focus on quality of life. What should I expect from palliative care?", None, None),
        ("¿Cómo le explico a mi hija de 8 años que su abuela se va a morir?", "abstained", None),
        ("¿qué hago para las náuseas de la quimio?", "abstained", None),
        ("mi padre tiene cáncer de pulmón, ¿qué tratamientos hay?", "abstained", None),
    ],
)
def test_the_messages_beside_them_keep_their_decision(lexical: Triage, message: str, status: str | None, urgency: str | None) -> None:
    result = lexical.assess(message, known_terms=known_terms)
    assert (result.status, result.urgency) == (status, urgency), result.evidence
