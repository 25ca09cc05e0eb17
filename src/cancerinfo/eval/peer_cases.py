"""The peer suite's cases and rubric pack, as the checker (:mod:`cancerinfo.eval.peer`) reads
them: the suite's intents, section equivalents and ``must_not`` mapping, the cases
(:class:`PeerCase`, read by :func:`load_cases`), the rubric pack's deterministic checks
(:class:`Rubric`, read by :func:`load_rubric`) and the outcomes of checking one response
(:class:`CheckOutcome`, :class:`CaseResult`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cancerinfo.eval.peer_text import regex

URGENT_INTENT = "RED_FLAG_URGENT"
NCI_SOURCE_TYPE = "02_nci_core"
MIN_NCI_URLS = 2
DOCTOR_QUESTIONS_KIND = "questions_for_doctor"
QUESTION_COUNT_METHOD = "count_question_marks_plus_interrogatives"
CHECK_TYPES = ("regex_absence", "regex_presence_any", "max_question_count", "section_presence_min",
               "citation_presence", "citation_confidence", "citation_format",
               "no_misplaced_clarifying_questions")
#: Intents of cases without a rubric of their own -> the rubric that scores them.
INTENT_ALIASES: dict[str, str] = {"RED_FLAGS_URGENT": URGENT_INTENT}
#: Peer section name -> our section kinds that satisfy it (any one, with text). A name not
#: listed (later_signs, staging_basics, questions_for_doctor…) is met by its own kind only.
SECTION_EQUIVALENTS: dict[str, tuple[str, ...]] = {
    "warning_signs": ("warning_signs", "common_symptoms", "early_warning_signs"),
    "common_symptoms": ("common_symptoms", "warning_signs", "early_warning_signs"),
    "early_warning_signs": ("early_warning_signs", "warning_signs"),
    "red_flags": ("red_flags", "warning_signs", "emergency_guidance"),
    "tests_to_expect": ("tests_to_expect", "diagnosis_tests"),
    "diagnosis_tests": ("diagnosis_tests", "tests_to_expect"),
    "when_to_seek_care_timeline": ("when_to_seek_care_timeline", "when_to_contact_clinician"),
    "when_to_contact_clinician": ("when_to_contact_clinician", "when_to_seek_care_timeline"),
    "visit_preparation": ("visit_preparation", "preparation_checklist"),
    "preparation_checklist": ("preparation_checklist", "visit_preparation"),
    "what_to_do_now": ("what_to_do_now", "emergency_guidance"),
}
PROHIBITED_DIAGNOSIS = "prohibited_diagnosis_language"  # the pack's global patterns
OVER_QUESTIONING = "over-questioning"  # question count <= the case's max_clarifying_questions
#: ``must_not`` description -> rubric check whose ``patterns_any`` must not match (the case's
#: own intent's check when it has one, else the first such check in the pack).
MUST_NOT_CHECKS: dict[str, str] = {
    "definitive diagnosis": PROHIBITED_DIAGNOSIS,
    "staging guesses": "no_staging_guesses",
    "definitive prognosis": "no_definitive_prognosis",
    "prognosis promises": "no_prognosis_promises",
    "specific survival numbers": "no_prognosis_promises",
    "schedule-only advice": "no_schedule_only",
}

Ask = Callable[[list[str]], dict[str, Any]]
PageText = Callable[[str], str | None]
ChunkText = Callable[[str], str | None]


@dataclass(frozen=True)
class PeerCase:
    """One case of the peer suite: its question (or messages), intent and expectations."""

    id: str
    suite: str
    cancer: str
    intent: str
    question: str
    messages: tuple[str, ...]
    expectations: dict[str, Any]


@dataclass(frozen=True)
class RubricCheck:
    """One deterministic check of the rubric pack, with its parameters."""

    id: str
    type: str
    required: bool
    params: dict[str, Any]


@dataclass(frozen=True)
class Rubric:
    """The rubric pack's deterministic checks by intent, and its shared patterns."""

    prohibited_patterns: tuple[str, ...]
    interrogative_patterns: tuple[str, ...]
    bullet_patterns: tuple[str, ...]
    checks: dict[str, tuple[RubricCheck, ...]]  # intent -> its deterministic checks

    def for_intent(self, intent: str) -> tuple[RubricCheck, ...] | None:
        """The checks of ``intent`` (or of its alias in :data:`INTENT_ALIASES`); ``None`` if it has
        none."""
        found = self.checks.get(intent)
        return found if found is not None else self.checks.get(INTENT_ALIASES.get(intent, ""))

    def patterns(self, check_id: str, *, intent: str) -> tuple[str, ...]:
        """``patterns_any`` of a check: the intent's own, else the first in the pack."""
        if check_id == PROHIBITED_DIAGNOSIS:
            return self.prohibited_patterns
        for checks in (self.for_intent(intent) or (), *self.checks.values()):
            for check in checks:
                if check.id == check_id and check.params.get("patterns_any"):
                    return tuple(check.params["patterns_any"])
        return ()


@dataclass(frozen=True)
class CheckOutcome:
    """One check of one response: passed or not, why, and whether it is required."""

    id: str
    passed: bool
    detail: str = ""
    required: bool = True


@dataclass(frozen=True)
class CaseResult:
    """The outcomes of every check on one case's response."""

    id: str
    suite: str
    intent: str
    status: str | None
    checks: list[CheckOutcome]

    @property
    def key(self) -> tuple[str, str]:
        """``(suite, id)``: an id may occur in two suite files."""
        return (self.suite, self.id)

    @property
    def passed(self) -> bool:
        """Whether every required check passed."""
        return all(check.passed for check in self.checks if check.required)

    @property
    def failed_checks(self) -> list[str]:
        """The ids of the required checks that failed."""
        return [check.id for check in self.checks if check.required and not check.passed]

    @property
    def advisory_failed(self) -> list[str]:
        """The ids of the advisory (not required) checks that failed."""
        return [check.id for check in self.checks if not check.required and not check.passed]

    def record(self) -> dict[str, Any]:
        """The JSON line of :func:`run_peer_suite`."""
        return {"id": self.id, "suite": self.suite, "intent": self.intent, "passed": self.passed,
                "failed_checks": self.failed_checks, "status": self.status,
                "advisory_failed": self.advisory_failed,
                "details": {check.id: check.detail for check in self.checks if not check.passed}}


def load_cases(path: Path) -> list[PeerCase]:
    """Read ``cases.jsonl``; a malformed line is a ValueError naming its number."""
    cases: list[PeerCase] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                messages = tuple(str(message) for message in raw["messages"])
                if not messages:
                    raise ValueError("'messages' is empty")
                cases.append(PeerCase(
                    id=str(raw["id"]), suite=str(raw["suite"]), cancer=str(raw.get("cancer", "")),
                    intent=str(raw["intent"]), question=str(raw.get("question", messages[-1])),
                    messages=messages, expectations=dict(raw.get("expectations") or {}),
                ))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a peer case ({exc})") from None
    return cases


def load_rubric(path: Path) -> Rubric:
    """Read a rubric pack; an unknown check type or counting method or a bad regex: ValueError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rules = data["global"]["counting_rules"]
        if rules.get("question_count_method") != QUESTION_COUNT_METHOD:
            raise ValueError(f"unknown question_count_method {rules.get('question_count_method')!r}")
        checks = {str(intent): tuple(
            RubricCheck(id=str(c["id"]), type=str(c["type"]), required=bool(c.get("required", True)),
                        params=dict(c.get("params") or {}))
            for c in body.get("deterministic_checks", [])) for intent, body in data["rubrics"].items()}
        rubric = Rubric(
            prohibited_patterns=tuple(data["global"][PROHIBITED_DIAGNOSIS]["patterns_any"]),
            interrogative_patterns=tuple(rules["interrogatives_patterns_any"]),
            bullet_patterns=tuple(rules["bullet_patterns_any"]), checks=checks)
        patterns = [*rubric.prohibited_patterns, *rubric.interrogative_patterns, *rubric.bullet_patterns]
        for intent, intent_checks in checks.items():
            for check in intent_checks:
                if check.type not in CHECK_TYPES:
                    raise ValueError(f"rubrics.{intent}.{check.id}: unknown check type {check.type!r}"
                                     f" (known: {', '.join(CHECK_TYPES)})")
                patterns += check.params.get("patterns_any", [])
        for pattern in patterns:
            regex(pattern)
    except (KeyError, TypeError, AttributeError, re.error) as exc:
        raise ValueError(f"{path}: not a rubric pack ({type(exc).__name__}: {exc})") from None
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    return rubric

