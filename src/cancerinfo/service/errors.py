"""One error shape for every 4xx/5xx of the service, as JSON or as a page.

::

    {"error": {"status": 404, "code": "not_found", "message": "no page with that url"}}

The API (``/v1/…``, ``/healthz``, ``/ui/…`` fragments) always answers JSON; a browser
asking for a page (``Accept: text/html``) gets ``error.html`` with the same status, code and
message. Nothing a person typed is put into a log: a failed request is logged by route and
error type only, never with its question, its body or a traceback's local variables.

    ServiceError            raised by routes and middleware, carries status and code
    ├── InvalidRequest      422 invalid_request
    ├── Unauthorized        401 unauthorized (WWW-Authenticate: Bearer)
    ├── Forbidden           403 consent_required (the web chat before the consent screen)
    ├── NotFound            404 not_found
    ├── Conflict            409 busy
    ├── PayloadTooLarge     413 payload_too_large
    ├── RateLimited         429 rate_limited (Retry-After)
    └── QuotaExceeded       429 quota_exceeded (Retry-After: seconds to midnight UTC)
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from cancerinfo.answer.sessions import SessionError
from cancerinfo.errors import CancerInfoError, InputPathError, StoreBusy, StoreError

log = logging.getLogger("cancerinfo.service")

#: The file system's errors that mean the store cannot be written or read (a 503).
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS})

#: Paths whose errors are JSON whatever the client accepts.
JSON_PREFIXES = ("/v1/", "/healthz", "/ui/", "/openapi.json")


class ServiceError(Exception):
    """An error the service answers with ``status`` and ``code`` (and ``headers``); the message is
    shown to the client."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class InvalidRequest(ServiceError):
    """422 ``invalid_request``: a value the service does not accept."""

    status, code = 422, "invalid_request"


class Unauthorized(ServiceError):
    """401 ``unauthorized``: no valid admin token."""

    status, code = 401, "unauthorized"

    def __init__(
        self, message: str = "a valid admin token is needed (Authorization: Bearer TOKEN)"
    ) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ServiceError):
    """403 ``consent_required``: the notice was not accepted."""

    status, code = 403, "consent_required"


class NotFound(ServiceError):
    """404 ``not_found``: no such page, session, turn or shared answer."""

    status, code = 404, "not_found"


class Conflict(ServiceError):
    """409 ``busy``: the work asked for is already running (an ingest)."""

    status, code = 409, "busy"


class PayloadTooLarge(ServiceError):
    """413 ``payload_too_large``: a request body over the limit."""

    status, code = 413, "payload_too_large"


class RateLimited(ServiceError):
    """429 ``rate_limited``, with ``Retry-After``."""

    status, code = 429, "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many requests; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )


class QuotaExceeded(ServiceError):
    """429 ``quota_exceeded``: the client's questions for today are used up; ``Retry-After`` runs to
    midnight UTC."""

    status, code = 429, "quota_exceeded"

    def __init__(self, per_day: int, retry_after: int) -> None:
        super().__init__(
            f"this client has asked its {per_day} questions for today; "
            f"the count starts again at midnight UTC, in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )


def error_body(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The JSON body of every error: ``{"error": {status, code, message, details?}}``."""
    error: dict[str, Any] = {"status": status, "code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def wants_html(path: str, accept: str) -> bool:
    """Whether an error on ``path`` is shown as a page: a browser asked (``Accept``) and the path is
    not an API one."""
    return not path.startswith(JSON_PREFIXES) and "text/html" in accept


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    headers: dict[str, str] | None = None,
    details: list[dict[str, Any]] | None = None,
) -> Response:
    """The error as JSON, or as ``error.html`` for a browser asking for a page."""
    if wants_html(request.url.path, request.headers.get("accept", "")):
        templates = getattr(request.app.state, "templates", None)
        if templates is not None:
            return templates.TemplateResponse(
                request,
                "error.html",
                {"status": status, "code": code, "message": message},
                status_code=status,
                headers=headers,
            )
    return JSONResponse(
        error_body(status, code, message, details), status_code=status, headers=headers
    )


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where and what, without echoing the input back (it may be a long question)."""
    details = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part != "body"]
        details.append({"loc": location, "message": str(error.get("msg", "invalid value"))})
    return details


def install_error_handlers(app: FastAPI) -> None:
    """Every error of the app, in the one shape."""

    async def service_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ServiceError)
        return error_response(request, exc.status, exc.code, exc.message, headers=exc.headers)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        details = _validation_details(exc)
        message = (
            "; ".join(f"{'.'.join(d['loc']) or 'body'}: {d['message']}" for d in details)
            or "invalid request"
        )
        return error_response(request, 422, "invalid_request", message, details=details)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        codes = {404: "not_found", 405: "method_not_allowed"}
        message = {404: "no such page", 405: "method not allowed"}.get(
            exc.status_code, str(exc.detail)
        )
        return error_response(
            request,
            exc.status_code,
            codes.get(exc.status_code, "http_error"),
            message,
            headers=dict(exc.headers or {}),
        )

    async def library_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, SessionError | InputPathError):
            return error_response(request, 422, "invalid_request", str(exc))
        if isinstance(exc, StoreBusy):
            return error_response(request, 409, "busy", str(exc))
        if isinstance(exc, StoreError):
            log.error("store error on %s: %s", request.url.path, type(exc).__name__)
            return error_response(
                request, 503, "store_unavailable", "the knowledge base is not available"
            )
        return error_response(request, 400, "bad_request", str(exc))

    async def storage_error(request: Request, exc: Exception) -> Response:
        """A full disk, a file size limit, a damaged store: 503, and one line in the log
        naming the store and what to do (never the request's data)."""
        from cancerinfo.store.database import database_error_message, os_error_message

        db = getattr(getattr(request.app.state, "engine", None), "settings", None)
        path = getattr(db, "db", None)
        if isinstance(exc, sqlite3.DatabaseError):
            line = database_error_message(exc, path)
        elif isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS:
            line = os_error_message(exc)
        else:  # another OSError (a timeout, a connection): the middleware's 500
            raise exc
        log.error("store error on %s: %s", request.url.path, line)
        return error_response(
            request, 503, "store_unavailable", "the knowledge base store cannot be used right now; try again later"
        )

    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(sqlite3.DatabaseError, storage_error)
    app.add_exception_handler(OSError, storage_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(CancerInfoError, library_error)
    # any other exception: ServiceMiddleware answers 500 and logs its type only
