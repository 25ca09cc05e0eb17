"""The curators' API under ``/v1/admin``, behind the bearer token ``CANCERINFO_ADMIN_TOKEN``.

Without the variable the admin API and pages are closed: every admin path answers ``404``
as if it did not exist. With it, a request without the token gets ``401``. Tokens are
compared in constant time; the admin pages keep an HMAC of the token in an HttpOnly,
SameSite=Strict cookie, never the token itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cancerinfo.kb.loader import LoadLimits
from cancerinfo.service import kbdata
from cancerinfo.service.engine import Engine
from cancerinfo.service.errors import Conflict, InvalidRequest, NotFound, Unauthorized
from cancerinfo.service.models import LIMITED, IngestRequest, error_responses
from cancerinfo.store.database import Store
from cancerinfo.store.ingest import ingest
from cancerinfo.store.status import review_queue, store_status

MIN_TOKEN_CHARS = 16
ADMIN_COOKIE = "cancerinfo_admin"
ReviewStatus = Literal["ok", "due", "overdue", "unscheduled"]


def admin_token_of(request: Request) -> str:
    """The configured token; 404 when admin is closed (as if the path did not exist)."""
    token: str | None = request.app.state.admin_token
    if not token:
        raise NotFound("no such page")
    return token


def same_token(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def cookie_value(token: str) -> str:
    """What the admin pages' cookie holds: an HMAC of the token, not the token."""
    return hmac.new(token.encode("utf-8"), b"cancerinfo admin pages", hashlib.sha256).hexdigest()


#: The admin API's security scheme in /openapi.json; the check itself is :func:`require_bearer`.
ADMIN_BEARER = HTTPBearer(
    scheme_name="adminToken",
    description="CANCERINFO_ADMIN_TOKEN as a bearer token: `Authorization: Bearer TOKEN`.",
    auto_error=False,
)


def require_bearer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(ADMIN_BEARER)],
) -> None:
    token = admin_token_of(request)  # closed: 404 before anything is said about tokens
    if credentials is None or not same_token(credentials.credentials.strip(), token):
        raise Unauthorized()


def is_admin_page_visitor(request: Request) -> bool:
    """True when the admin pages' cookie is valid (admin must be open)."""
    token = admin_token_of(request)
    return same_token(request.cookies.get(ADMIN_COOKIE, ""), cookie_value(token))


router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=[Depends(require_bearer)],
    responses=error_responses(
        *LIMITED, 401, 404, 503, not_found="Admin is closed (CANCERINFO_ADMIN_TOKEN unset)"
    ),
)


def _db(request: Request) -> Path:
    engine: Engine = request.app.state.engine
    return engine.settings.db


@router.get("/documents", responses=error_responses(422))
async def documents(
    request: Request, review_status: Annotated[ReviewStatus | None, Query()] = None
) -> dict[str, Any]:
    """Every live page with its review status and due date (optionally one status)."""
    pages = await asyncio.to_thread(review_queue, _db(request), today=date.today(), include_ok=True)
    if review_status:
        pages = [page for page in pages if page["review_status"] == review_status]
    return {"count": len(pages), "pages": pages}


@router.get("/review")
async def review(request: Request) -> dict[str, Any]:
    """Pages whose review is overdue or due soon, overdue and oldest due date first."""
    pages = await asyncio.to_thread(review_queue, _db(request), today=date.today())
    return {
        "count": len(pages),
        "overdue": sum(page["review_status"] == "overdue" for page in pages),
        "due": sum(page["review_status"] == "due" for page in pages),
        "pages": pages,
    }


@router.get("/metrics", responses=error_responses(422))
async def metrics(
    request: Request, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> dict[str, Any]:
    """Questions per day, statuses, reasons (abstentions, refusals, urgent), feedback, for the
    sessions of the last ``days`` days; ``this_process``: every question this server process
    answered since it started, sessionless ones included; ``store``: what the KB holds."""
    db = _db(request)
    engine: Engine = request.app.state.engine
    data = await asyncio.to_thread(kbdata.metrics, db, days=days, today=kbdata.utc_today())
    data["this_process"] = engine.counts.as_dict()
    data["store"] = await asyncio.to_thread(store_status, db, today=date.today())
    return data


@router.post("/ingest", responses=error_responses(409, 422))
async def ingest_again(request: Request, body: IngestRequest | None = None) -> dict[str, Any]:
    """Re-ingest the store's KB folders (or some of them) and reload the knowledge base.
    Only folders the store was built from, or inside them, are accepted: a new KB folder
    is added with the CLI (`cancerinfo ingest`)."""
    engine: Engine = request.app.state.engine
    lock: asyncio.Lock = request.app.state.ingest_lock
    roots = await asyncio.to_thread(_store_roots, engine.settings.db)
    paths = _allowed_paths((body.paths if body else None) or [str(r) for r in roots], roots)
    if lock.locked():
        raise Conflict("an ingest is already running")
    settings = engine.settings
    limits = LoadLimits(
        max_file_bytes=settings.max_file_bytes,
        max_front_matter_bytes=settings.max_front_matter_bytes,
    )
    async with lock:
        report = await asyncio.to_thread(ingest, paths, db=settings.db, limits=limits)
    reloaded = await engine.reload_if_stale()
    return {**report.as_dict(), "reloaded": reloaded}


def _store_roots(db: Path) -> list[Path]:
    with Store.open(db) as store:
        return [
            Path(row[0]) for row in store.query("SELECT DISTINCT root FROM documents ORDER BY root")
        ]


def _allowed_paths(requested: list[str], roots: list[Path]) -> list[Path]:
    if not roots:
        raise InvalidRequest("the store has no KB folder yet; ingest one with the CLI")
    allowed = []
    for text in requested:
        try:
            path = Path(text).resolve()
        except (ValueError, OSError) as error:  # a NUL byte, a path too long for the system
            raise InvalidRequest(f"{text!r} is not a usable path: {error}") from None
        if not any(path == root or path.is_relative_to(root) for root in roots):
            raise InvalidRequest(
                f"{text!r} is not one of the store's KB folders: {', '.join(map(str, roots))}"
            )
        allowed.append(path)
    return allowed
