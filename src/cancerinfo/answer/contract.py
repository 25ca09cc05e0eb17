"""The response contract: the same JSON from ``ask --json``, the HTTP API and the eval.

::

    {"status": "answered|abstained|urgent|refused", "reason": null | "CODE",
     "urgency": null | "emergency|care_team_now|crisis|poison",
     "actions": [{"kind": "call|text", "label": "Call 911", "href": "tel:911"}],
     "intent": "...", "text": "<markdown shown to the user, disclaimer included>",
     "sections": [{"kind": "warning_signs", "title": "Warning signs", "text": "...",
                   "citations": [1, 2], "source": "kb"}],
     "citations": [{"n": 1, "url": ..., "title": ..., "section": ..., "chunk_id": ...,
                    "quote": "<exact text used>", "source": "NCI", "sourceType": ...,
                    "citation": "NCI, 2025", "lastReviewed": ..., "review_status": ...}],
     "disclaimer": "...", "session_id": "..."}

A section's ``source`` is ``kb`` (every sentence is a quote, with its citation numbers),
``policy`` (navigation text from ``policies/``, no medical claim) or ``safety`` (a
template of ``policies/safety.yaml``: emergency, crisis line, refusal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from cancerinfo.kb.review import ReviewStatus

Status = Literal["answered", "abstained", "urgent", "refused"]
Urgency = Literal["emergency", "care_team_now", "crisis", "poison"]


@dataclass(frozen=True, slots=True)
class Action:
    """A tap-to-call (or tap-to-text) link shown with an urgent reply."""

    kind: Literal["call", "text"]
    label: str
    href: str  # tel:911, sms:988

    def as_dict(self) -> dict[str, str]:
        """The action as JSON."""
        return {"kind": self.kind, "label": self.label, "href": self.href}


@dataclass(frozen=True, slots=True)
class Citation:
    """One quote of an answer, with its page (url, title, section, source) and review state."""

    n: int
    url: str
    title: str
    section: str
    chunk_id: str
    quote: str
    source: str
    sourceType: str
    citation: str | None
    lastReviewed: str
    review_status: ReviewStatus

    def as_dict(self) -> dict[str, Any]:
        """``dataclasses.asdict`` of it, written out (asdict copies deeply: 5 times slower)."""
        return {
            "n": self.n, "url": self.url, "title": self.title, "section": self.section,
            "chunk_id": self.chunk_id, "quote": self.quote, "source": self.source,
            "sourceType": self.sourceType, "citation": self.citation, "lastReviewed": self.lastReviewed,
            "review_status": self.review_status,
        }


@dataclass(frozen=True, slots=True)
class Section:
    """One section of an answer: its kind and title, its text, the citation numbers it uses and
    where its text comes from."""

    kind: str
    title: str
    text: str
    citations: list[int] = field(default_factory=list)
    source: Literal["kb", "policy", "safety"] = "kb"

    def as_dict(self) -> dict[str, Any]:
        """``dataclasses.asdict`` of it, written out."""
        return {
            "kind": self.kind, "title": self.title, "text": self.text,
            "citations": list(self.citations), "source": self.source,
        }


@dataclass(slots=True)
class Response:
    """A response to one message: the contract of the module docstring, plus ``explain`` and
    ``turn``."""

    status: Status
    intent: str
    disclaimer: str
    reason: str | None = None
    #: The level of an urgent reply; None otherwise.
    urgency: Urgency | None = None
    #: Numbers to call or text, for an urgent reply.
    actions: list[Action] = field(default_factory=list)
    #: More quotes from the same pages, not shown by default ("more from these pages").
    more: list[Section] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    session_id: str | None = None
    text: str = ""
    #: Not part of the contract: why the gate decided what it did (for --explain / tests).
    explain: dict[str, Any] = field(default_factory=dict)
    #: Not part of the contract: the turn's number in its session (None without a session).
    turn: int | None = None

    def as_dict(self, *, with_explain: bool = False) -> dict[str, Any]:
        """The contract as JSON (``explain`` too with ``with_explain``)."""
        data = {
            "status": self.status,
            "reason": self.reason,
            "urgency": self.urgency,
            "actions": [action.as_dict() for action in self.actions],
            "intent": self.intent,
            "text": self.text,
            "sections": [section.as_dict() for section in self.sections],
            "more": [section.as_dict() for section in self.more],
            "citations": [citation.as_dict() for citation in self.citations],
            "disclaimer": self.disclaimer,
            "session_id": self.session_id,
        }
        if with_explain:
            data["explain"] = self.explain
        return data


def render_text(sections: list[Section], disclaimer: str, *, lead: str | None = None) -> str:
    """The markdown shown to the user: a lead line, each section under its title, the
    disclaimer last. Quotes stay verbatim; citation numbers follow them as ``[n]``."""
    parts = [lead] if lead else []
    for section in sections:
        parts.append(f"## {section.title}\n\n{section.text}")
    parts.append(f"_{disclaimer}_")
    return "\n\n".join(parts)
