"""The public HTTP API under ``/v1`` and the health check (admin routes: :mod:`.admin`)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import StringConstraints

from cancerinfo import __version__
from cancerinfo.answer.assistant import MAX_QUESTION_CHARS
from cancerinfo.index.filters import Filters
from cancerinfo.service import kbdata
from cancerinfo.service.engine import Engine
from cancerinfo.service.errors import QuotaExceeded
from cancerinfo.service.limits import DailyQuota
from cancerinfo.service.models import (
    ANY_REQUEST,
    LIMITED,
    Answer,
    AskRequest,
    FeedbackOut,
    FeedbackRequest,
    Health,
    SessionOut,
    ShareOut,
    ShareRequest,
    error_responses,
)

TURN_HEADER = "X-CancerInfo-Turn"
router = APIRouter()

QueryText = Annotated[
    str, Query(min_length=1, max_length=MAX_QUESTION_CHARS, description="The question or words.")
]
FilterValue = Annotated[str | None, Query(max_length=100)]
FilterText = Annotated[str, StringConstraints(max_length=100)]


def engine_of(request: Request) -> Engine:
    """The app's :class:`Engine`."""
    engine: Engine = request.app.state.engine
    return engine


def count_question(request: Request) -> None:
    """Count one question against the client's daily quota; :class:`QuotaExceeded` (429,
    ``quota_exceeded``) when it is used up. Called once a request is known to be valid."""
    quota: DailyQuota = request.app.state.quota
    wait = quota.take(request.client.host if request.client else "unknown")
    if wait:
        raise QuotaExceeded(quota.per_day, wait)


def share_out(shared: Any) -> dict[str, str]:
    """The API's view of a share (:class:`~cancerinfo.answer.sessions.Shared`)."""
    return {
        "share_id": shared.share_id,
        "url": f"/answers/{shared.share_id}",
        "expires_at": shared.expires_at,
    }


_HEALTHZ: dict[str, Any] = {
    "response_model": Health,
    "tags": ["service"],
    "responses": error_responses(*ANY_REQUEST),
}


# GET and HEAD as two routes: one route with both methods gives both operations one
# operationId in /openapi.json
@router.get("/healthz", **_HEALTHZ)
@router.head("/healthz", operation_id="healthz_head", **_HEALTHZ)
async def healthz(request: Request) -> dict[str, Any]:
    """The service is up and its knowledge base is loaded."""
    engine = engine_of(request)
    return {
        "status": "ok",
        "version": __version__,
        "documents": await engine.document_count(),
        "loaded_at": engine.loaded_at,
    }


@router.post(
    "/v1/ask",
    response_model=Answer,
    tags=["answers"],
    responses=error_responses(
        *LIMITED, 404, 409, 422, 503, not_found="No such session (it may have expired)", quota=True
    ),
    response_description="The answer contract. In a session, the X-CancerInfo-Turn header numbers the turn.",
)
async def ask(body: AskRequest, request: Request) -> Response:
    """Answer a question from the KB only: quotes with numbered citations, or a reason for
    not answering. Emergencies (`status: urgent`) carry the emergency message first.
    Each question counts against the client's daily quota (CANCERINFO_CLIENT_DAILY_QUOTA)."""
    count_question(request)
    filters = body.filters.to_filters() if body.filters else None
    asked = await engine_of(request).ask(body.question, session_id=body.session_id, filters=filters)
    headers = {TURN_HEADER: str(asked.turn)} if asked.turn is not None else None
    # the contract as the library made it (Answer only documents it): no second validation
    return JSONResponse(asked.response, headers=headers)


@router.get("/v1/search", tags=["answers"], responses=error_responses(*LIMITED, 422, 503))
async def search(
    request: Request,
    q: QueryText,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    cancer_type: FilterValue = None,
    audience: FilterValue = None,
    language: FilterValue = None,
    source_type: FilterValue = None,
    tag: Annotated[list[FilterText] | None, Query(max_length=10)] = None,
) -> dict[str, Any]:
    """The best KB sections for a question (the JSON of `cancerinfo search --json`)."""
    filters = Filters(
        cancer_type or None,
        audience or None,
        language or None,
        source_type or None,
        tuple(tag or ()),
    )
    return await engine_of(request).search(q, k=k, filters=filters if filters.active else None)


@router.post(
    "/v1/sessions",
    response_model=SessionOut,
    status_code=201,
    tags=["sessions"],
    responses=error_responses(*LIMITED, 409, 503),
)
async def new_session(request: Request) -> dict[str, str]:
    """A new conversation. Pass its id to /v1/ask so follow-ups ("and in children?") work.
    Sessions idle for CANCERINFO_SESSION_RETENTION_DAYS are deleted."""
    return {"session_id": await engine_of(request).new_session()}


@router.post(
    "/v1/shares",
    response_model=ShareOut,
    status_code=201,
    tags=["answers"],
    responses=error_responses(
        *LIMITED, 404, 409, 422, 503, not_found="No such turn in that session (it may have expired)", quota=True
    ),
)
async def new_share(body: ShareRequest, request: Request) -> dict[str, str]:
    """Keep an answer for a link: `/answers/{share_id}` shows it (question, answer, source
    cards) without the question in the address. Share a question (answered as without a
    session) or one turn of a session. Kept CANCERINFO_SESSION_RETENTION_DAYS; each share
    counts against the client's daily quota."""
    count_question(request)
    engine = engine_of(request)
    if body.question is not None:
        filters = body.filters.to_filters() if body.filters else None
        shown = {
            name: value
            for name, value in (body.filters.model_dump() if body.filters else {}).items()
            if value and isinstance(value, str)
        }
        shared = await engine.share_question(body.question, filters, shown)
    else:
        assert body.session_id is not None and body.turn is not None  # the model checked
        shared = await engine.share_turn(body.session_id, body.turn)
    return share_out(shared)


@router.post(
    "/v1/feedback",
    response_model=FeedbackOut,
    tags=["sessions"],
    responses=error_responses(
        *LIMITED, 404, 409, 422, 503, not_found="No such session, or no such turn in it"
    ),
)
async def feedback(body: FeedbackRequest, request: Request) -> dict[str, bool]:
    """Rate one turn of a session: +1 helpful, -1 not helpful, with an optional comment.
    Rating the same turn again replaces the earlier rating."""
    await engine_of(request).feedback(body.session_id, body.turn, body.rating, body.comment)
    return {"recorded": True}


@router.get(
    "/v1/documents",
    tags=["documents"],
    responses=error_responses(*LIMITED, 404, 422, 503, not_found="No live page with that url"),
)
async def get_document(
    request: Request,
    url: Annotated[str, Query(min_length=1, max_length=2_000, description="The page's url.")],
) -> dict[str, Any]:
    """One live KB page: metadata, review status (with due date) and its Markdown body."""
    db = engine_of(request).settings.db
    return await asyncio.to_thread(kbdata.document, db, url, today=date.today())
