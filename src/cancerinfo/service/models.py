"""Request and response bodies of the HTTP API (they make the OpenAPI schema at /docs).

The answer is the response contract of :mod:`cancerinfo.answer.contract`, field for field;
:class:`Answer` only describes it for the schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cancerinfo.answer.assistant import MAX_QUESTION_CHARS
from cancerinfo.answer.contract import Action, Citation, Section
from cancerinfo.index.filters import Filters

MAX_COMMENT_CHARS = 1_000
SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
_FILTER_CHARS = 100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersIn(_Strict):
    """Only pages with these values (each optional; a value no page has matches nothing)."""

    cancer_type: str | None = Field(None, max_length=_FILTER_CHARS, examples=["breast"])
    audience: str | None = Field(None, max_length=_FILTER_CHARS, examples=["patient"])
    language: str | None = Field(None, max_length=_FILTER_CHARS, examples=["en"])
    source_type: str | None = Field(None, max_length=_FILTER_CHARS, examples=["02_nci_core"])
    tags: list[str] = Field(default_factory=list, max_length=10)

    def to_filters(self) -> Filters | None:
        filters = Filters(
            self.cancer_type or None,
            self.audience or None,
            self.language or None,
            self.source_type or None,
            tuple(t for t in self.tags if t),
        )
        return filters if filters.active else None


class AskRequest(_Strict):
    question: str = Field(
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        examples=["What are the symptoms of laryngeal cancer?"],
    )
    session_id: str | None = Field(
        None,
        pattern=SESSION_ID_PATTERN,
        description="From POST /v1/sessions: follow-ups resolve against the session's last turn.",
    )
    filters: FiltersIn | None = None


class Answer(BaseModel):
    """The response contract (same as ``cancerinfo ask --json``)."""

    status: Literal["answered", "abstained", "urgent", "refused"]
    reason: str | None
    urgency: Literal["emergency", "care_team_now", "crisis", "poison"] | None = Field(
        description="For an urgent reply: emergency (call the emergency number), care_team_now "
        "(the cancer care team's 24-hour line now), crisis (a crisis line first) or poison (poison help)."
    )
    actions: list[Action] = Field(
        description="For an urgent reply: numbers to tap to call or text (tel:, sms:)."
    )
    intent: str
    text: str
    sections: list[Section]  # the contract's own records (cancerinfo.answer.contract)
    more: list[Section] = Field(
        description="Further quotes from the same pages, not shown by default ('more from these pages')."
    )
    citations: list[Citation]
    disclaimer: str
    session_id: str | None


class SessionOut(BaseModel):
    session_id: str


class FeedbackRequest(_Strict):
    session_id: str = Field(pattern=SESSION_ID_PATTERN)
    turn: int = Field(
        ge=1,
        le=2**63 - 1,
        description="The turn rated (the X-CancerInfo-Turn header of its answer).",
    )
    rating: Literal[1, -1] = Field(description="+1 helpful, -1 not helpful.")
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)


class FeedbackOut(BaseModel):
    recorded: bool = True


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    documents: int
    loaded_at: float


class IngestRequest(_Strict):
    paths: list[str] | None = Field(
        None,
        max_length=50,
        description="KB folders to re-ingest: each the store's own root or inside one. Default: all its roots.",
    )


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    details: list[dict[str, object]] | None = None


class ErrorOut(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (413, "Body over the size limit"),
        (422, "Invalid request (e.g. a question over 2,000 characters)"),
        (429, "Too many requests from this client; see Retry-After"),
    )
}
