"""The curators' API under ``/v1/admin``, behind the bearer token ``CANCERINFO_ADMIN_TOKEN``.

Without the variable the admin API and pages are closed: every admin path answers ``404``
as if it did not exist. With it, a request without the token gets ``401``. Tokens are
compared in constant time. The admin pages keep a signed session in an HttpOnly,
SameSite=Strict cookie (Secure over HTTPS), never the token: it expires
``ADMIN_SESSION_SECONDS`` after sign-in and sign-out revokes it (:class:`AdminSessions`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cancerinfo.kb.loader import LoadLimits
from cancerinfo.pipeline.ingest import ingest
from cancerinfo.service import kbdata
from cancerinfo.service.engine import Engine
from cancerinfo.service.errors import Conflict, InvalidRequest, NotFound, Unauthorized
from cancerinfo.service.models import LIMITED, IngestRequest, error_responses
from cancerinfo.store.database import Store
from cancerinfo.store.status import review_queue, store_status

MIN_TOKEN_CHARS = 16
ADMIN_COOKIE = "cancerinfo_admin"
#: How long an admin page session lasts after sign-in.
ADMIN_SESSION_SECONDS = 8 * 3600
ReviewStatus = Literal["ok", "due", "overdue", "unscheduled"]


def admin_token_of(request: Request) -> str:
    """The configured token; 404 when admin is closed (as if the path did not exist)."""
    token: str | None = request.app.state.admin_token
    if not token:
        raise NotFound("no such page")
    return token


def same_token(given: str, token: str) -> bool:
    """Whether ``given`` is the admin token, compared in constant time."""
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


class AdminSessions:
    """The admin pages' sessions: a cookie ``ID.EXPIRES.MAC``, revoked on sign-out.

    ``ID`` is random, ``EXPIRES`` a Unix time ``ADMIN_SESSION_SECONDS`` after sign-in, ``MAC``
    an HMAC-SHA256 of both under a key derived from the admin token (so every ``--workers``
    process accepts it, and a new token ends every session). Sign-out puts the id in a
    revoked set, forgotten once the session would have expired anyway; the set is kept in
    the process's memory.
    """

    def __init__(
        self,
        token: str,
        *,
        seconds: int = ADMIN_SESSION_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = hmac.new(
            token.encode("utf-8"), b"cancerinfo admin page sessions", hashlib.sha256
        ).digest()
        self.seconds = seconds
        self.clock = clock
        self._revoked: dict[str, int] = {}  # id -> when it would expire

    def issue(self) -> str:
        """A new session cookie, valid for :attr:`seconds`."""
        payload = f"{secrets.token_urlsafe(18)}.{int(self.clock()) + self.seconds}"
        return f"{payload}.{self._mac(payload)}"

    def valid(self, cookie: str) -> tuple[str, int] | None:
        """``(id, expires)`` of a genuine, unexpired, not revoked cookie; else None."""
        session, _, rest = cookie.partition(".")
        expires_text, _, mac = rest.partition(".")
        if not (
            session
            and mac
            and expires_text.isascii()
            and expires_text.isdigit()
            and len(expires_text) <= 12
        ):
            return None
        if not hmac.compare_digest(
            mac.encode("utf-8"), self._mac(f"{session}.{expires_text}").encode("ascii")
        ):
            return None
        expires = int(expires_text)
        if self.clock() >= expires or session in self._revoked:
            return None
        return session, expires

    def revoke(self, cookie: str) -> None:
        """End the cookie's session (sign-out); revoked ids past their expiry are forgotten."""
        found = self.valid(cookie)
        now = self.clock()
        self._revoked = {session: until for session, until in self._revoked.items() if until > now}
        if found is not None:
            self._revoked[found[0]] = found[1]

    def _mac(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def admin_page_session(request: Request) -> Literal["in", "out", "ended"]:
    """``in`` with a valid admin cookie, ``ended`` with one that expired, was revoked or is
    not genuine, ``out`` without one (admin must be open)."""
    admin_token_of(request)
    cookie = request.cookies.get(ADMIN_COOKIE)
    if not cookie:
        return "out"
    sessions: AdminSessions = request.app.state.admin_sessions
    return "in" if sessions.valid(cookie) else "ended"


def secure_cookies(request: Request) -> bool:
    """Cookies get the Secure flag when the request came over HTTPS."""
    return request.url.scheme == "https"


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
    """Let an admin API request through only with the admin token as its bearer token: 404 when
    admin is closed, else :class:`Unauthorized` (401)."""
    token = admin_token_of(request)  # closed: 404 before anything is said about tokens
    if credentials is None or not same_token(credentials.credentials.strip(), token):
        raise Unauthorized()


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
    # each path is named by its place in the list: an error message never echoes the input
    for number, text in enumerate(requested):
        try:
            path = Path(text).resolve()
        except (ValueError, OSError) as error:  # a NUL byte, a path too long for the system
            raise InvalidRequest(
                f"paths[{number}] is not a usable path ({type(error).__name__})"
            ) from None
        if not any(path == root or path.is_relative_to(root) for root in roots):
            raise InvalidRequest(
                f"paths[{number}] is not one of the store's KB folders: "
                f"{', '.join(map(str, roots))}"
            )
        allowed.append(path)
    return allowed
