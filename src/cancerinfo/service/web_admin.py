"""The curators' pages: a token login, the review queue with metrics, and all documents.

Closed (``404``) when ``CANCERINFO_ADMIN_TOKEN`` is unset; see :mod:`.admin` for the session cookie.
"""

from __future__ import annotations

import asyncio
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from cancerinfo.service import kbdata
from cancerinfo.service.admin import (
    ADMIN_COOKIE,
    AdminSessions,
    admin_page_session,
    admin_token_of,
    same_token,
    secure_cookies,
)
from cancerinfo.service.api import engine_of
from cancerinfo.service.web import page, read_form
from cancerinfo.store.status import review_queue, store_status

router = APIRouter(prefix="/admin", include_in_schema=False)
METRIC_DAYS = 30


def _login(request: Request, *, failed: bool = False, ended: bool = False) -> Response:
    """The sign-in form: 401 after a wrong token or with a session that ended."""
    context = {"failed": failed, "ended": ended}
    return page(request, "admin/login.html", context, status=401 if failed or ended else 200)


def _signed_out(request: Request) -> Response | None:
    """The sign-in form unless the request has a valid admin session."""
    state = admin_page_session(request)
    return None if state == "in" else _login(request, ended=state == "ended")


@router.get("", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    """The admin dashboard: review queue, metrics, store status and this process's counts."""
    if (login := _signed_out(request)) is not None:
        return login
    engine = engine_of(request)
    db = engine.settings.db
    queue = await asyncio.to_thread(review_queue, db, today=date.today())
    metrics = await asyncio.to_thread(
        kbdata.metrics, db, days=METRIC_DAYS, today=kbdata.utc_today()
    )
    status = await asyncio.to_thread(store_status, db, today=date.today())
    busiest = max((day["questions"] for day in metrics["questions_per_day"]), default=0)
    return page(
        request,
        "admin/index.html",
        {
            "queue": queue,
            "metrics": metrics,
            "status": status,
            "busiest": busiest,
            "process": engine.counts.as_dict(),
        },
    )


@router.get("/documents", response_class=HTMLResponse)
async def documents(request: Request) -> Response:
    """Every page with its review state."""
    if (login := _signed_out(request)) is not None:
        return login
    pages = await asyncio.to_thread(
        review_queue, engine_of(request).settings.db, today=date.today(), include_ok=True
    )
    return page(request, "admin/documents.html", {"pages": pages})


@router.post("/login")
async def login(request: Request) -> Response:
    """Sign in with the admin token: a session cookie, or the form again after a wrong token."""
    token = admin_token_of(request)
    form = await read_form(request)
    if not same_token(form.get("token", ""), token):
        return _login(request, failed=True)
    sessions: AdminSessions = request.app.state.admin_sessions
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(
        ADMIN_COOKIE,
        sessions.issue(),
        max_age=sessions.seconds,
        httponly=True,
        samesite="strict",
        path="/admin",
        secure=secure_cookies(request),
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Sign out: the session is revoked here, so a copy of the cookie no longer opens a page."""
    admin_token_of(request)
    sessions: AdminSessions = request.app.state.admin_sessions
    sessions.revoke(request.cookies.get(ADMIN_COOKIE, ""))
    response = RedirectResponse("/admin", status_code=303)
    response.delete_cookie(
        ADMIN_COOKIE,
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
    )
    return response
