"""The one ASGI middleware around the app: limits, security headers, a private access log.

In order, for every HTTP request:

1. the client's rate (:class:`~cancerinfo.service.limits.TokenBuckets`) → ``429``;
2. the body: a declared ``Content-Length`` over the limit → ``413`` before reading; a body
   without one is read up to the limit and refused past it, then replayed to the app;
3. security headers on every response: a strict Content-Security-Policy (scripts, styles
   and images from this server only, no inline script), no referrer (a question in a
   shared link's query never reaches another site), no framing, no sniffing, no caching
   of dynamic responses;
4. an access log line of method, path *without its query*, status and time: a question
   never reaches the log (uvicorn's own access log is off);
5. an exception the app did not handle becomes the ``500`` error shape, logged by type only.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cancerinfo.service.errors import error_response
from cancerinfo.service.limits import TokenBuckets, is_limited

log = logging.getLogger("cancerinfo.service")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ServiceMiddleware:
    """Wraps the FastAPI app; see the module docstring for what it does, in order."""

    def __init__(self, app: ASGIApp, *, buckets: TokenBuckets, max_body_bytes: int) -> None:
        self.app = app
        self.buckets = buckets
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope["path"]
        state: dict[str, Any] = {"status": 500, "started": False}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [h for h in SECURITY_HEADERS if h[0] not in names]
                if not path.startswith("/static/") and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            refused = self._refusal(scope)
            if refused is not None:
                await self._error(scope, receive, send_with_headers, *refused)
                return
            if scope["method"] in _BODY_METHODS:
                body = await self._read_body(receive)
                if body is None:
                    await self._error(scope, receive, send_with_headers, *self._too_large())
                    return
                receive = _replay(body, receive)
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # the last line of defence: no traceback, no request data
            log.error("internal error on %s %s: %s", scope["method"], path, type(exc).__name__)
            if not state["started"]:
                await self._error(
                    scope, receive, send_with_headers, 500, "internal_error", "something went wrong on our side", {}
                )
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %.0f ms", scope["method"], path, state["status"], elapsed)

    def _refusal(self, scope: Scope) -> tuple[int, str, str, dict[str, str]] | None:
        if is_limited(scope["path"]):
            client = scope.get("client")
            wait = self.buckets.take(client[0] if client else "unknown")
            if wait:
                return 429, "rate_limited", f"too many requests; try again in {wait} s", {"Retry-After": str(wait)}
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return 400, "bad_request", "Content-Length is not a number", {}
                if declared > self.max_body_bytes:
                    return self._too_large()
        return None

    def _too_large(self) -> tuple[int, str, str, dict[str, str]]:
        return 413, "payload_too_large", f"the request body is over {self.max_body_bytes} bytes", {}

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _error(
        self, scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str,
        headers: dict[str, str],
    ) -> None:
        response = error_response(Request(scope), status, code, message, headers=headers)
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the already-read body once, then waits on the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
