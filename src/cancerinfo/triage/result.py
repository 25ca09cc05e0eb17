"""What the triage decides about a message (:class:`TriageResult`: the status, the urgency
level and reason code, the reply shown first) and the :class:`Evidence` that led to it
(shown by ``cancerinfo triage --explain``), with the statuses, the reason code of each
urgency level and the concepts found in a message while it is decided."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

URGENT = "urgent"
REFUSED = "refused"
ABSTAINED = "abstained"
#: The response's reason code for each urgency level.
URGENCY_REASONS = {
    "emergency": "EMERGENCY",
    "care_team_now": "CARE_TEAM_NOW",
    "crisis": "SELF_HARM",
    "poison": "POISONING",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """One thing that led to the decision (shown by ``--explain``, never logged)."""

    kind: str  # concept, number, exemplar, refusal, language, context
    name: str  # the concept, cue list, template, ... it is about
    level: str | None = None
    words: str = ""  # the words of the message it matched
    note: str = ""  # why it counted or not

    def as_dict(self) -> dict[str, str | None]:
        """The evidence as JSON."""
        return {"kind": self.kind, "name": self.name, "level": self.level, "words": self.words, "note": self.note}


@dataclass(frozen=True, slots=True)
class TriageResult:
    """What the triage decided about one message."""

    status: str | None  # "urgent" | "refused" | "abstained" | None (go on and answer)
    urgency: str | None  # emergency | care_team_now | crisis | poison (urgent only)
    reason: str | None  # the response's reason code (EMERGENCY, DIAGNOSE_ME, OFF_TOPIC, ...)
    language: str  # the message's language (ISO 639-1)
    message: str  # the template text shown first ('' when status is None)
    questions_for_doctor: tuple[str, ...] = ()
    #: A danger named but not reported (asked about in general): the answer shows this
    #: level's guidance (templates.informational_<level>).
    informational: str | None = None
    #: The message tells how someone feels now (a person and a symptom word, not past):
    #: the answer shows templates.check_in when no danger sign was found.
    personal: bool = False
    evidence: tuple[Evidence, ...] = ()
    seconds: float = 0.0
    #: A second urgent level found in the same message (its message follows the first).
    also: str | None = None

    @property
    def category(self) -> str | None:
        """The urgency level, refusal kind or abstain kind in lower case (``self_harm`` for crisis)."""
        if self.urgency == "crisis":
            return "self_harm"
        if self.urgency == "poison":
            return "poisoning"
        return self.urgency or (self.reason.lower() if self.reason else None)

    @property
    def matched(self) -> str | None:
        """The name of the first evidence that counted (for ``explain`` in responses)."""
        counted = [e for e in self.evidence if e.note in ("counted", "refusal", "")]
        return counted[0].name if counted else None

    @property
    def informational_emergency(self) -> bool:
        """Whether a danger was named without being reported (``informational`` is set)."""
        return self.informational is not None


@dataclass(slots=True)
class _Found:
    """Concepts found in a message, with the context that decides whether they count."""

    reports: dict[str, list[Evidence]] = field(default_factory=dict)  # level -> evidence
    asked: dict[str, list[Evidence]] = field(default_factory=dict)  # not reported
    evidence: list[Evidence] = field(default_factory=list)
    personal: bool = False

    def add(self, level: str, evidence: Evidence, *, reported: bool) -> None:
        (self.reports if reported else self.asked).setdefault(level, []).append(evidence)
        self.evidence.append(evidence)

    def past(self, level: str) -> tuple[str, ...]:
        """The words of the ``level`` concepts read as past ("I self-harmed when I was at uni"),
        unless the same words are also read as not past elsewhere in the message."""
        asked = self.asked.get(level, ())
        other = {e.words for e in asked if not e.note.startswith(("past", "another language"))}
        return tuple(e.words for e in asked if e.note.startswith("past") and e.words not in other)


#: The evidence name of a message that says it asks about no one in particular (``about_no_one``
#: of the safety policy): never refused.
ABOUT_NO_ONE = "about_no_one"


def about_no_one(evidence: Sequence[Evidence]) -> bool:
    """Did the message say it asks about no one in particular?"""
    return any(e.kind == "cue" and e.name == ABOUT_NO_ONE for e in evidence)
