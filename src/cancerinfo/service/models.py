"""Request and response bodies of the HTTP API (they make the OpenAPI schema at /docs).

The answer is the response contract of :mod:`cancerinfo.answer.contract`, field for field;
:class:`Answer` only describes it for the schema.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cancerinfo.answer.assistant import MAX_QUESTION_CHARS
from cancerinfo.answer.contract import Action, Citation, Section
from cancerinfo.index.filters import Filters

MAX_COMMENT_CHARS = 1_000
SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
_FILTER_CHARS = 100
#: The largest integer a request may carry: 2**53 - 1, the last one every JSON parser reads
#: exactly (RFC 8259 §6; a JavaScript Number), so the bound in /openapi.json means the same
#: to every client and fuzzer as to the server.
MAX_JSON_INT = 2**53 - 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersIn(_Strict):
    """Only pages with these values (each optional; a value no page has matches nothing)."""

    cancer_type: str | None = Field(None, max_length=_FILTER_CHARS, examples=["breast"])
    audience: str | None = Field(None, max_length=_FILTER_CHARS, examples=["patient"])
    language: str | None = Field(None, max_length=_FILTER_CHARS, examples=["en"])
    source_type: str | None = Field(None, max_length=_FILTER_CHARS, examples=["02_nci_core"])
    tags: list[Annotated[str, Field(max_length=_FILTER_CHARS)]] = Field(
        default_factory=list, max_length=10
    )

    def to_filters(self) -> Filters | None:
        """The search filters given (empty values dropped), or ``None`` if there are none."""
        filters = Filters(
            self.cancer_type or None,
            self.audience or None,
            self.language or None,
            self.source_type or None,
            tuple(t for t in self.tags if t),
        )
        return filters if filters.active else None


class AskRequest(_Strict):
    """A question, with an optional session and search filters."""

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
    """A new session's id."""

    session_id: str


class FeedbackRequest(_Strict):
    """A rating of one answer of a session, with an optional comment."""

    session_id: str = Field(pattern=SESSION_ID_PATTERN)
    turn: int = Field(
        ge=1,
        le=MAX_JSON_INT,
        description="The turn rated (the X-CancerInfo-Turn header of its answer).",
    )
    rating: Literal[1, -1] = Field(description="+1 helpful, -1 not helpful.")
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)


class ShareRequest(_Strict):
    """What to share: a question (answered as without a session, with its filters), or one
    turn of a session (its question as typed and the answer it got)."""

    question: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        examples=["What are the symptoms of laryngeal cancer?"],
    )
    filters: FiltersIn | None = None
    session_id: str | None = Field(None, pattern=SESSION_ID_PATTERN)
    turn: int | None = Field(
        None, ge=1, le=MAX_JSON_INT, description="With session_id: the turn shared (X-CancerInfo-Turn)."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> ShareRequest:
        by_turn = self.session_id is not None or self.turn is not None
        if by_turn and (self.session_id is None or self.turn is None):
            raise ValueError("give both session_id and turn to share a turn of a session")
        if by_turn == (self.question is not None):
            raise ValueError("give either a question (with its filters) or a session_id and a turn")
        if by_turn and self.filters is not None:
            raise ValueError("filters go with a question, not with a turn of a session")
        return self


class ShareOut(BaseModel):
    """A shared answer's id, page and expiry."""

    share_id: str = Field(description="Random and unguessable; the link carries it, never the question.")
    url: str = Field(description="The page of the shared answer on this server: /answers/{share_id}.")
    expires_at: str = Field(
        description="When the share is deleted (UTC, ISO 8601): CANCERINFO_SESSION_RETENTION_DAYS after it was made."
    )


class FeedbackOut(BaseModel):
    """The rating was stored."""

    recorded: bool = True


class Health(BaseModel):
    """The service is up: its version, its page count and when the KB was loaded (Unix time)."""

    status: Literal["ok"]
    version: str
    documents: int
    loaded_at: float


class IngestRequest(_Strict):
    """What to re-ingest: some of the store's KB folders, or all of them."""

    paths: list[Annotated[str, Field(min_length=1, max_length=4_096)]] | None = Field(
        None,
        max_length=50,
        description="KB folders to re-ingest: each the store's own root or inside one. Default: all its roots.",
    )


#: Every error code the service answers with (docs/service.md lists them with their statuses).
ErrorCode = Literal[
    "bad_request",
    "http_error",
    "unauthorized",
    "consent_required",
    "not_found",
    "method_not_allowed",
    "busy",
    "payload_too_large",
    "invalid_request",
    "rate_limited",
    "quota_exceeded",
    "internal_error",
    "store_unavailable",
]


class ErrorField(BaseModel):
    """One invalid field of a request."""

    loc: list[str] = Field(
        description="Where the invalid value is: a body field's path or a query parameter."
    )
    message: str


class ErrorDetail(BaseModel):
    """What went wrong: the status, a stable code and a message."""

    status: int = Field(ge=400, le=599, description="The HTTP status, again.")
    code: ErrorCode = Field(description="What went wrong, for programs (stable across releases).")
    message: str = Field(description="What went wrong, for people (never echoes the input).")
    details: list[ErrorField] | None = Field(
        None, description="For invalid_request: each invalid field."
    )


class ErrorOut(BaseModel):
    """Every 4xx and 5xx of the service, in one shape."""

    error: ErrorDetail


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before asking again.",
        "schema": {"type": "integer"},
    }
}
_WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}
#: What each error status means, wherever it is declared.
ERROR_STATUSES: dict[int, tuple[str, dict[str, object]]] = {
    400: (
        "Malformed request: a Content-Length that is not a number (bad_request) or a body that could "
        "not be read, e.g. not UTF-8 (http_error)",
        {},
    ),
    401: ("No valid admin token (Authorization: Bearer TOKEN) (unauthorized)", _WWW_AUTHENTICATE),
    404: ("Not found (not_found)", {}),
    409: (
        "The store is busy: another process holds its write lock, or an ingest is running (busy)",
        {},
    ),
    413: ("Body over the size limit, CANCERINFO_MAX_BODY_BYTES (payload_too_large)", {}),
    422: (
        "Invalid request: a field or parameter of the wrong type, out of range, missing or unknown, "
        "or JSON that does not parse (invalid_request)",
        {},
    ),
    429: ("Too many requests from this client; see Retry-After (rate_limited)", _RETRY_AFTER),
    # where questions are asked: the daily quota as well (see error_responses(quota=True))
    500: ("Internal error, logged by route and type only (internal_error)", {}),
    503: ("The knowledge base store cannot be read (store_unavailable)", {}),
}


QUOTA_429 = (
    "Too many requests from this client; see Retry-After (rate_limited), or its questions for "
    "today are used up, CANCERINFO_CLIENT_DAILY_QUOTA; Retry-After says when the count starts "
    "again, at midnight UTC (quota_exceeded)"
)


def error_responses(
    *statuses: int, not_found: str | None = None, quota: bool = False
) -> dict[int | str, dict[str, object]]:
    """The ``responses=`` of a route that can answer ``statuses``, all with :class:`ErrorOut`;
    ``quota``: the route counts questions, so its 429 may also be ``quota_exceeded``."""
    responses: dict[int | str, dict[str, object]] = {}
    for status in sorted(statuses):
        description, headers = ERROR_STATUSES[status]
        if status == 404 and not_found:
            description = f"{not_found} (not_found)"
        if status == 429 and quota:
            description = QUOTA_429
        response: dict[str, object] = {"model": ErrorOut, "description": description}
        if headers:
            response["headers"] = headers
        responses[status] = response
    return responses


#: Any request can have a bad Content-Length (400) or declare a body over the limit (413),
#: and meet a bug (500); every path but /healthz and /static counts against the rate (429).
ANY_REQUEST = (400, 413, 500)
LIMITED = (*ANY_REQUEST, 429)
