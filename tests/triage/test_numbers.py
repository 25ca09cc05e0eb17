"""Temperatures, pain scores and vital signs read from messages."""

from __future__ import annotations

import pytest

from cancerinfo.triage.numbers import pain_scores, temperatures, vitals
from cancerinfo.triage.text import fold

WORDS = ("temp", "temperature", "fever", "thermometer", "fiebre")


def celsius(message: str) -> list[float]:
    return [t.celsius for t in temperatures(fold(message), WORDS)]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("38.6", [38.6]),
        ("101.5 and shivering", [38.6]),
        ("temp 39", [39.0]),
        ("tiene 38,5 de fiebre", [38.5]),
        ("100.8F this morning", [38.2]),
        ("39 °C", [39.0]),
        ("fever of 102", [38.9]),
        ("thermometer says 99.5", [37.5]),
        ("bố tôi sốt 39 độ", [39.0]),  # Vietnamese "độ", folded to "do"
    ],
)
def test_temperatures_with_or_without_units(message: str, expected: list[float]) -> None:
    assert celsius(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "plt 110, no temp",  # a lab value before the number
        "BP 120/80",
        "I weigh 98.6 kg",
        "at 10:38 he woke",
        "cycle 38",
        "room 101 on the ward",
        "she is 39 years old",
        "took 100 mg",
        "im 41 do i need a mammogram every year",  # an age, then the English verb "do"
    ],
)
def test_numbers_that_are_not_temperatures(message: str) -> None:
    assert celsius(message) == []


def test_pain_scores() -> None:
    assert [p.score for p in pain_scores("pain is 8/10, yesterday 9 out of 10")] == [8, 9]
    assert pain_scores("stage 4/5") == []


def test_vital_signs() -> None:
    found = {(v.name, v.value) for v in vitals(fold("sats 88% and BP 85/50, HR 135"))}
    assert found == {("oxygen", 88.0), ("systolic", 85.0), ("pulse", 135.0)}
    assert vitals(fold("my oxygen is fine")) == []
