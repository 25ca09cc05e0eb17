"""The curators' pages: a token login, the review queue with metrics, and all documents.

Closed (``404``) when ``CANCERINFO_ADMIN_TOKEN`` is unset; see :mod:`.admin` for the cookie.
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
    admin_token_of,
    cookie_value,
    is_admin_page_visitor,
    same_token,
)
from cancerinfo.service.api import engine_of
from cancerinfo.service.web import page, read_form
from cancerinfo.store.status import review_queue, store_status

router = APIRouter(prefix="/admin", include_in_schema=False)
METRIC_DAYS = 30


def _login(request: Request, *, failed: bool = False) -> Response:
    return page(request, "admin/login.html", {"failed": failed}, status=401 if failed else 200)


@router.get("", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    if not is_admin_page_visitor(request):
        return _login(request)
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
    if not is_admin_page_visitor(request):
        return _login(request)
    pages = await asyncio.to_thread(
        review_queue, engine_of(request).settings.db, today=date.today(), include_ok=True
    )
    return page(request, "admin/documents.html", {"pages": pages})


@router.post("/login")
async def login(request: Request) -> Response:
    token = admin_token_of(request)
    form = await read_form(request)
    if not same_token(form.get("token", ""), token):
        return _login(request, failed=True)
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(
        ADMIN_COOKIE, cookie_value(token), httponly=True, samesite="strict", path="/admin"
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    admin_token_of(request)
    response = RedirectResponse("/admin", status_code=303)
    response.delete_cookie(ADMIN_COOKIE, path="/admin")
    return response
