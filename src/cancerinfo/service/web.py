"""The patient web pages: consent first, then the chat, search and document pages.

Every page renders on the server. A question stays out of the URL (it is health data: a URL
lands in the browser history and in proxies' logs): the chat form is ``POST /``, and
"Link to this answer" is ``POST /share``, which keeps the answer under a random id and
leads to ``/answers/{id}``. ``GET /?q=…`` still answers, for a person who chose the link
with the question in it (offered closed, under "Other ways to share"). A little vanilla
JavaScript (``static/app.js``) adds turns without a page load by asking ``POST /ui/answer``
for the same turn template as HTML. Jinja2 autoescapes everything; KB Markdown goes through
:mod:`.render`.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from cancerinfo.answer.assistant import MAX_QUESTION_CHARS
from cancerinfo.answer.sessions import check_session_id
from cancerinfo.index.filters import Filters
from cancerinfo.service import kbdata
from cancerinfo.service.admin import secure_cookies
from cancerinfo.service.api import TURN_HEADER, count_question, engine_of
from cancerinfo.service.errors import Forbidden, InvalidRequest, NotFound
from cancerinfo.service.models import AskRequest

CONSENT_COOKIE = "cancerinfo_consent"
CONSENT_VERSION = "1"

router = APIRouter(include_in_schema=False)
PageText = Annotated[str | None, Query(max_length=MAX_QUESTION_CHARS)]
FilterValue = Annotated[str | None, Query(max_length=100)]


def page(request: Request, name: str, context: dict[str, Any], *, status: int = 200) -> Response:
    """The template ``name`` rendered with ``context``."""
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(request, name, context, status_code=status)
    return response


def consented(request: Request) -> bool:
    """Whether the request carries the current version's consent cookie."""
    return request.cookies.get(CONSENT_COOKIE) == CONSENT_VERSION


async def read_form(request: Request) -> dict[str, str]:
    """A small urlencoded form (the body size is capped by the middleware)."""
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        raise InvalidRequest("expected a form (application/x-www-form-urlencoded)")
    fields = parse_qs(
        (await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True
    )
    return {name: values[0] for name, values in fields.items()}


def _filters(cancer_type: str | None, audience: str | None) -> Filters | None:
    filters = Filters(cancer_type or None, audience or None, None, None, ())
    return filters if filters.active else None


def _shown_filters(cancer_type: str | None, audience: str | None) -> dict[str, str]:
    return {
        name: value
        for name, value in (("cancer_type", cancer_type), ("audience", audience))
        if value
    }


def _consent_page(request: Request, next_url: str | None = None) -> Response:
    """The notice; accepting it leads on to the page that was asked for (a shared link)."""
    if next_url is None:
        next_url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return page(request, "consent.html", {"next_url": _local(next_url)})


def _local(url: str | None) -> str:
    """``url`` when it is a path on this site, else ``/`` (no open redirect)."""
    if not url or any(ord(char) < 0x20 for char in url):  # browsers drop tabs: "/\t/x" is "//x"
        return "/"
    parts = urlsplit(url)
    if (
        parts.scheme
        or parts.netloc
        or not parts.path.startswith("/")
        or parts.path.startswith(("//", "/\\"))
    ):
        return "/"
    return urlunsplit(("", "", parts.path, parts.query, ""))


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def chat(
    request: Request,
    q: PageText = None,
    cancer_type: FilterValue = None,
    audience: FilterValue = None,
) -> Response:
    """The chat page, with the answer to ``q`` if given (counted against the quota); the notice
    until it is accepted."""
    if not consented(request):
        return _consent_page(request)
    return await _chat_page(request, q, cancer_type, audience)


@router.post("/", response_class=HTMLResponse)
async def chat_asked(request: Request) -> Response:
    """The chat form without JavaScript: the question comes in the body, so it stays out
    of the address bar, the browser history and any proxy's log of URLs."""
    if not consented(request):
        return _consent_page(request, "/")
    form = await read_form(request)
    question, cancer_type, audience = form.get("q"), form.get("cancer_type"), form.get("audience")
    if question is not None and len(question) > MAX_QUESTION_CHARS:
        raise InvalidRequest(f"q: the question is over {MAX_QUESTION_CHARS} characters")
    if any(value is not None and len(value) > 100 for value in (cancer_type, audience)):
        raise InvalidRequest("a filter value is over 100 characters")
    return await _chat_page(request, question, cancer_type, audience)


async def _chat_page(
    request: Request, q: str | None, cancer_type: str | None, audience: str | None
) -> Response:
    engine = engine_of(request)
    question = (q or "").strip()
    answer = None
    if question:
        count_question(request)
        answer = (
            await engine.ask(question, session_id=None, filters=_filters(cancer_type, audience))
        ).response
    return page(
        request,
        "chat.html",
        {
            "question": question,
            "answer": answer,
            "anchor": "t0",
            "choices": await engine.filter_choices(),
            "selected": {"cancer_type": cancer_type or "", "audience": audience or ""},
            "filters": _shown_filters(cancer_type, audience),
        },
    )


@router.post("/consent")
async def consent(request: Request) -> Response:
    """Accept the notice: set the consent cookie and go on to the page asked for."""
    form = await read_form(request)
    if form.get("agree") != "yes":
        return _consent_page(request, form.get("next"))
    response = RedirectResponse(_local(form.get("next")), status_code=303)
    response.set_cookie(
        CONSENT_COOKIE,
        CONSENT_VERSION,
        httponly=True,
        samesite="lax",
        path="/",
        secure=secure_cookies(request),
    )
    return response


@router.post("/ui/answer", response_class=HTMLResponse)
async def answer_fragment(body: AskRequest, request: Request) -> Response:
    """One turn of the chat as HTML (the template GET / uses), for ``static/app.js``."""
    if not consented(request):
        raise Forbidden("please read and accept the notice on the start page first")
    count_question(request)
    filters = body.filters.to_filters() if body.filters else None
    asked = await engine_of(request).ask(body.question, session_id=body.session_id, filters=filters)
    anchor = f"t{asked.turn}" if asked.turn else f"x{secrets.token_hex(4)}"
    response = page(
        request,
        "turn.html",
        {
            "question": body.question,
            "answer": asked.response,
            "anchor": anchor,
            "session_id": body.session_id,
            "turn": asked.turn,
            "filters": _shown_filters(body.filters.cancer_type, body.filters.audience)
            if body.filters
            else {},
        },
    )
    if asked.turn is not None:
        response.headers[TURN_HEADER] = str(asked.turn)
    return response


@router.post("/share")
async def share(request: Request) -> Response:
    """The "Link to this answer" form without JavaScript: the form posts the question (and filters),
    or a session's turn; the answer is kept under a random id and the browser goes on to
    ``/answers/{id}``, an address without the question."""
    if not consented(request):
        return _consent_page(request, "/")
    form = await read_form(request)
    engine = engine_of(request)
    session_id, turn = form.get("session_id"), form.get("turn")
    if session_id and turn:
        if not turn.isdigit() or not 1 <= int(turn) < 2**63:
            raise InvalidRequest("turn: not a turn number")
        check_session_id(session_id)
        count_question(request)
        shared = await engine.share_turn(session_id, int(turn))
    else:
        question = (form.get("q") or "").strip()
        cancer_type, audience = form.get("cancer_type"), form.get("audience")
        if not question or len(question) > MAX_QUESTION_CHARS:
            raise InvalidRequest(f"q: a question of 1 to {MAX_QUESTION_CHARS} characters is needed")
        if any(value is not None and len(value) > 100 for value in (cancer_type, audience)):
            raise InvalidRequest("a filter value is over 100 characters")
        count_question(request)
        shared = await engine.share_question(
            question, _filters(cancer_type, audience), _shown_filters(cancer_type, audience)
        )
    return RedirectResponse(f"/answers/{shared.share_id}", status_code=303)


@router.api_route("/answers/{share_id}", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def shared_answer(request: Request, share_id: str) -> Response:
    """A shared answer: the question, the answer and its source cards as they were given
    (escaped like every page); 404 when the id is unknown or the share has expired."""
    if not consented(request):
        return _consent_page(request)
    shared = await engine_of(request).shared(share_id)
    if shared is None:
        raise NotFound(
            "no shared answer at this address: the link is wrong, or the answer was deleted "
            f"({engine_of(request).settings.session_retention_days} days after it was shared)"
        )
    return page(
        request,
        "answer.html",
        {
            "question": shared.question,
            "answer": shared.response,
            "filters": shared.filters,
            "shared": shared,
        },
    )


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    request: Request,
    q: PageText = None,
    cancer_type: FilterValue = None,
    audience: FilterValue = None,
) -> Response:
    """The search page, with the results for ``q`` if given; the notice until it is accepted."""
    if not consented(request):
        return _consent_page(request)
    return await _search_page(request, q, cancer_type, audience)


@router.post("/search", response_class=HTMLResponse)
async def search_posted(request: Request) -> Response:
    """The search form: its words come in the body, so they stay out of the URL."""
    if not consented(request):
        return _consent_page(request, "/search")
    form = await read_form(request)
    query, cancer_type, audience = form.get("q"), form.get("cancer_type"), form.get("audience")
    if query is not None and len(query) > MAX_QUESTION_CHARS:
        raise InvalidRequest(f"q: the words are over {MAX_QUESTION_CHARS} characters")
    if any(value is not None and len(value) > 100 for value in (cancer_type, audience)):
        raise InvalidRequest("a filter value is over 100 characters")
    return await _search_page(request, query, cancer_type, audience)


async def _search_page(
    request: Request, q: str | None, cancer_type: str | None, audience: str | None
) -> Response:
    engine = engine_of(request)
    query = (q or "").strip()
    result = (
        await engine.search(query, k=10, filters=_filters(cancer_type, audience)) if query else None
    )
    return page(
        request,
        "search.html",
        {
            "query": query,
            "result": result,
            "choices": await engine.filter_choices(),
            "selected": {"cancer_type": cancer_type or "", "audience": audience or ""},
        },
    )


@router.get("/documents", response_class=HTMLResponse)
async def document_page(
    request: Request, url: Annotated[str, Query(min_length=1, max_length=2_000)]
) -> Response:
    """A live page of the KB by its ``url``: metadata, review status and body; or the notice until
    it is accepted."""
    if not consented(request):
        return _consent_page(request)
    data = await asyncio.to_thread(
        kbdata.document, engine_of(request).settings.db, url, today=date.today()
    )
    return page(request, "document.html", {"doc": data})


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> Response:
    """The API reference, rendered here from the OpenAPI schema (no script from a CDN)."""
    schema = request.app.openapi()
    operations = [
        {"method": method.upper(), "path": path, **operation}
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    return page(request, "docs.html", {"schema": schema, "operations": operations})
