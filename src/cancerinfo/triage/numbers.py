"""Numbers in a message that a triage nurse would act on: temperatures and pain scores.

Temperatures are read with or without units: "38.6", "101.5", "temp 39", "38,5 de fiebre",
"100.8F", "39 °C", "39 độ". A number counts as a temperature when

- a unit follows it (°, ºC, °F, "degrees", "grados", "độ", "度", "도", ...), or
- a temperature word of the message's lexicon (``temperature_words``: temp, fever,
  thermometer, fiebre, ...) is within four words before or after it, or
- it has a decimal part and lies where only body temperatures lie (36.0–42.9 as °C,
  96.0–108.9 as °F) and no other unit (mg, kg, lbs, %, ...) follows it.

A value 34–43 is read as °C, 93–110 as °F (converted); anything else is not a temperature.
Pain scores: "8/10", "9 out of 10", "pain is a 10". Vital signs: oxygen saturation ("sats 88"),
blood pressure ("BP 85/50": the systolic) and pulse ("HR 135").
The thresholds they are compared with are policy data (``policies/triage/rules.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PainScore", "Temperature", "Vital", "pain_scores", "temperatures", "vitals"]

_NUMBER = re.compile(r"(?<![\d.,/])(\d{2,3})(?:[.,](\d{1,2}))?(?![\d/])")
_UNIT_AFTER = re.compile(
    r"^\s*(?:°|º|˚|deg\b|degrees?\b|degs?\b|grados?\b|graus?\b|degres?\b|gradi\b|grad\b|"
    # "do": Vietnamese "độ" folded, not the English verb that may follow an age ("im 41 do i need ...")
    r"độ|do\b(?!\s+(?:i|you|u|we|they|he|she|it|not|my|your|his|her|our|their|this|that|these|those|the|a|an)\b)|"
    r"度|도|градус\w*|℃|℉)\s*([cf](?![a-z]))?|^\s*([cf])(?![a-z])",
    re.IGNORECASE,
)
_OTHER_UNIT = re.compile(
    r"^\s*(?:mg|mcg|µg|ug|g\b|kg|kilo|lb|lbs|pound|ml|cc|l\b|%|percent|mmol|mm|cm|in\b|inch|"
    r"units?|iu|bpm|beats|years?|yrs?|yo\b|y/o|anos|años|days?(?!\s*\d)|hours?|hrs?|min|minutes?|"
    r"weeks?(?!\s*\d)|months?|times|x\b|/\d|\s*-\s*\d|mmhg|over\s+\d|kms?|miles?|dollars?|\$)",
    re.IGNORECASE,
)
_CELSIUS = (34.0, 42.5)
_FAHRENHEIT = (94.0, 108.0)
# a lab value, vital sign or weight label just before a number: not a temperature
_LAB_BEFORE = re.compile(
    r"(?:plt|platelets?|hb|hgb|haemoglobin|hemoglobin|wbc|anc|neuts?|neutrophils?|lymphs?|crp|psa|cea|"
    r"bp|hr|pulse|heart rate|sats?|spo2|o2|oxygen|weight|weighs?|glucose|sugars?|bm|potassium|sodium|"
    r"creatinine|egfr|inr|bili|bilirubin|alt|ast|calcium|ca-?125|cycle|day|age|aged|room)\s*(?:[:=]|of|is|was|at|level|count)?\s*$",
    re.IGNORECASE,
)
_BODY_CELSIUS = (36.0, 42.9)
_BODY_FAHRENHEIT = (96.0, 108.9)
_PAIN = re.compile(
    r"(?<![\d.])(10|[0-9])(?:\s*/\s*10|\s+out\s+of\s+(?:10|ten)|\s+de\s+10|\s+sur\s+10)(?!\d)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Temperature:
    """A temperature found in a message, in degrees Celsius, and why it was read as one."""

    celsius: float
    text: str  # as written (for --explain)
    why: str  # "unit", "temperature word" or "body range"


@dataclass(frozen=True, slots=True)
class PainScore:
    """A pain score out of 10 found in a message."""

    score: int
    text: str


def temperatures(text: str, temperature_words: Iterable[str]) -> list[Temperature]:
    """Temperatures in a folded message (``temperature_words``: folded words or stems that
    say a nearby number is a temperature)."""
    words_pattern = _words_pattern(tuple(temperature_words))
    found = []
    for match in _NUMBER.finditer(text):
        whole, decimals = match.group(1), match.group(2)
        value = float(f"{whole}.{decimals}" if decimals else whole)
        after = text[match.end() : match.end() + 12]
        unit = _UNIT_AFTER.match(after)
        if _OTHER_UNIT.match(after) and not unit:
            continue
        if _looks_like_time_or_date(text, match) or _LAB_BEFORE.search(text[max(0, match.start() - 24) : match.start()]):
            continue
        scale = None
        why = ""
        if unit:
            letter = (unit.group(1) or unit.group(2) or "").lower()
            scale = {"c": "C", "f": "F"}.get(letter)
            why = "unit"
        elif words_pattern is not None and _near(words_pattern, text, match.start(), match.end()):
            why = "temperature word"
        elif decimals and (
            _BODY_CELSIUS[0] <= value <= _BODY_CELSIUS[1] or _BODY_FAHRENHEIT[0] <= value <= _BODY_FAHRENHEIT[1]
        ):
            why = "body range"
        else:
            continue
        celsius = _celsius(value, scale)
        if celsius is not None:
            found.append(Temperature(round(celsius, 1), match.group(0), why))
    return found


def pain_scores(text: str) -> list[PainScore]:
    """Pain scores out of ten in a folded message."""
    return [PainScore(int(m.group(1)), m.group(0)) for m in _PAIN.finditer(text)]


def _celsius(value: float, scale: str | None) -> float | None:
    if scale == "C" or (scale is None and _CELSIUS[0] <= value <= _CELSIUS[1]):
        return value if _CELSIUS[0] <= value <= _CELSIUS[1] else None
    if scale == "F" or (scale is None and _FAHRENHEIT[0] <= value <= _FAHRENHEIT[1]):
        return (value - 32) * 5 / 9 if _FAHRENHEIT[0] <= value <= _FAHRENHEIT[1] else None
    return None


def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")")


def _near(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """A temperature word within four words before or after ``text[start:end]``."""
    before = " ".join(text[:start].split()[-4:])
    after = " ".join(text[end:].split()[:4])
    return bool(pattern.search(before) or pattern.search(after))


def _looks_like_time_or_date(text: str, match: re.Match[str]) -> bool:
    """A clock time, or part of a range or phone number ("at 10:38"): not a temperature."""
    before = text[max(0, match.start() - 1) : match.start()]
    return before in (":", "-", "+")


@dataclass(frozen=True, slots=True)
class Vital:
    """A vital sign read from a message: ``oxygen`` (saturation %), ``systolic`` (mmHg) or
    ``pulse`` (beats a minute)."""

    name: str
    value: float
    text: str


_OXYGEN = re.compile(
    r"(?<![\w])(?:sats?|spo2|sp02|o2 sats?|o2|oxygen(?: level| saturation| sats?)?|saturations?|pulse ox(?:imeter)?)"
    r"\s*(?:is|are|was|were|of|at|reading|reads|says|showing|shows|down to|dropped to|dropping to|went to|[:=~])?\s*"
    r"(?:only|about|around|like)?\s*(\d{2,3})\s*%?",
    re.IGNORECASE,
)
_BLOOD_PRESSURE = re.compile(
    r"(?<![\w])(?:bp|blood pressure|b/p)\s*(?:is|was|of|at|reading|reads|says|showing|shows|down to|dropped to|[:=~])?\s*"
    r"(?:only|about|around|like)?\s*(\d{2,3})\s*(?:/|over)\s*(\d{2,3})",
    re.IGNORECASE,
)
_PULSE = re.compile(
    r"(?<![\w])(?:hr|heart rate|pulse|heartbeat|heart)\s*(?:is|was|of|at|rate|reading|reads|says|going at|racing at|[:=~])?\s*"
    r"(?:only|about|around|like|over)?\s*(\d{2,3})(?!\s*/)",
    re.IGNORECASE,
)


_PERCENT = re.compile(r"(?<![\d.])(\d{2,3})\s*%")
_OXYGEN_NEAR = re.compile(r"(?:finger|oximeter|oxygen|o2|sats?|saturation|pulse ox|spo2)", re.IGNORECASE)


def vitals(text: str) -> list[Vital]:
    """Oxygen saturation, systolic blood pressure and pulse readings in a folded message."""
    found = []
    seen: set[int] = set()
    for match in _OXYGEN.finditer(text):
        value = float(match.group(1))
        if 50 <= value <= 100:
            found.append(Vital("oxygen", value, match.group(0).strip()))
            seen.add(match.end(1))
    for match in _PERCENT.finditer(text):  # "the finger thing says 86%"
        value = float(match.group(1))
        if match.end(1) not in seen and 50 <= value <= 100 and _OXYGEN_NEAR.search(text[max(0, match.start() - 48) : match.start()]):
            found.append(Vital("oxygen", value, match.group(0).strip()))
    for match in _BLOOD_PRESSURE.finditer(text):
        systolic, diastolic = float(match.group(1)), float(match.group(2))
        if 40 <= systolic <= 260 and diastolic < systolic:
            found.append(Vital("systolic", systolic, match.group(0).strip()))
    for match in _PULSE.finditer(text):
        value = float(match.group(1))
        if 30 <= value <= 250:
            found.append(Vital("pulse", value, match.group(0).strip()))
    return found
