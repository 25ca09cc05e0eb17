"""``create_app(settings)``: the FastAPI application — API, web pages, admin, limits.

The knowledge base is loaded once, when the server starts (the lifespan): uvicorn accepts
no request before it is ready, and ``/healthz`` answers only then. Only ``cli.py serve``
runs uvicorn, through :func:`run_server`; tests start it the same way.

How the settings reach the server processes: ``serve`` resolves and checks them once
(flags, ``CANCERINFO_*``, defaults) and gives uvicorn an :class:`AppFactory` holding them.
With ``--workers N`` uvicorn's supervisor pickles its config, this factory included, into
each worker it spawns, so every worker builds its app from those very settings; nothing is
passed through environment variables written by ``serve``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import errno
import logging
import os
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from cancerinfo import __version__
from cancerinfo.errors import SettingsError
from cancerinfo.service import admin, api, render, web, web_admin
from cancerinfo.service.admin import MIN_TOKEN_CHARS, AdminSessions
from cancerinfo.service.engine import Engine
from cancerinfo.service.errors import STORAGE_ERRNOS, install_error_handlers
from cancerinfo.service.limits import DailyQuota, TokenBuckets
from cancerinfo.service.middleware import ServiceMiddleware
from cancerinfo.settings import ENV_PREFIX, Settings
from cancerinfo.store.database import Store

HERE = Path(__file__).resolve().parent
log = logging.getLogger("cancerinfo.service")
ADMIN_TOKEN_VARIABLE = ENV_PREFIX + "ADMIN_TOKEN"
#: FastAPI's own telemetry, off: it could record request data (validation inputs, errors).
NO_TELEMETRY: dict[str, Any] = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}
DESCRIPTION = """Grounded cancer information from a curated knowledge base: every sentence of
an answer is a quote from a KB page, with a numbered citation. Not medical advice, not a
diagnosis. An emergency (`status: urgent`) gets the emergency message first."""


def admin_token(environ: Mapping[str, str] | None = None) -> str | None:
    """``CANCERINFO_ADMIN_TOKEN``, or None (admin closed); a short token is refused."""
    token = (os.environ if environ is None else environ).get(ADMIN_TOKEN_VARIABLE, "").strip()
    if token and len(token) < MIN_TOKEN_CHARS:
        raise SettingsError(f"{ADMIN_TOKEN_VARIABLE} must be at least {MIN_TOKEN_CHARS} characters")
    return token or None


def check_port(host: str, port: int) -> None:
    """Fail before the KB is loaded when ``host:port`` cannot be listened on (a one-line error).

    Binds a socket the way uvicorn will (``SO_REUSEADDR``: a port left in TIME_WAIT by a
    stopped server is free) and closes it again.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            where = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
            if error.errno == errno.EADDRINUSE:
                raise SettingsError(
                    f"cannot listen on {where}: the address is already in use (another server?); "
                    "choose another --port or stop the other server"
                ) from None
            reason = error.strerror or type(error).__name__
            raise SettingsError(
                f"cannot listen on {where}: {reason}; check --host and --port"
            ) from None


def startup_failure(db: Path, error: BaseException) -> str:
    """The one line that says the KB could not be loaded from ``db``, with a hint."""
    from cancerinfo.store.database import database_error_message, os_error_message

    if isinstance(error, OSError) and error.errno in STORAGE_ERRNOS:  # a full disk, a size limit
        return f"cannot load the knowledge base: {os_error_message(error)}"
    if isinstance(error, sqlite3.DatabaseError):
        return f"cannot load the knowledge base: {database_error_message(error, db)}"
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if str(db) not in message:
        message = f"{db}: {type(error).__name__}: {message}"
    if "'cancerinfo " in message:  # the library's message has its own hint
        return f"cannot load the knowledge base: {message}"
    return (
        f"cannot load the knowledge base: {message} — check it with 'cancerinfo status --db {db}' "
        f"and rebuild it with 'cancerinfo ingest KB_FOLDER --db {db}'"
    )


class ReportedStartupFailure(logging.Filter):
    """Drops uvicorn's traceback of a start-up failure the lifespan already reported in one line."""

    reported = False

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop uvicorn's traceback and its "Application startup failed" error once the failure was
        reported."""
        if not ReportedStartupFailure.reported or record.levelno < logging.ERROR:
            return True
        message = record.getMessage()
        return not message.startswith(
            ("Traceback (most recent call last)", "Application startup failed")
        )


def check_store(settings: Settings) -> None:
    """Fail before serving when the store is missing or not ours (a one-line error)."""
    Store.open(settings.db).close()


def create_app(settings: Settings, *, environ: Mapping[str, str] | None = None) -> FastAPI:
    """The service for the store of ``settings`` (admin token from ``environ``)."""
    token = admin_token(environ)
    engine = Engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            await engine.start()
            app.state.site = await engine.site()
        except Exception as error:
            log.error("%s", startup_failure(settings.db, error))
            ReportedStartupFailure.reported = True  # uvicorn's traceback of it is dropped
            with contextlib.suppress(Exception):
                await engine.close()
            raise
        watcher = asyncio.create_task(engine.watch())
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await engine.close()

    app = FastAPI(
        title="cancerinfo",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs is our own page: Swagger UI would load scripts from a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
        telemetry=NO_TELEMETRY,
    )
    app.state.engine = engine
    app.state.admin_token = token
    app.state.admin_sessions = AdminSessions(token) if token else None
    app.state.ingest_lock = asyncio.Lock()
    app.state.quota = DailyQuota(settings.client_daily_quota)
    app.state.templates = _templates()
    install_error_handlers(app)
    app.add_middleware(
        ServiceMiddleware,
        buckets=TokenBuckets(settings.rate_limit_per_minute),
        max_body_bytes=settings.max_body_bytes,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(admin.router)
    app.include_router(web.router)
    app.include_router(web_admin.router)
    return app


@dataclass(frozen=True)
class AppFactory:
    """The app factory ``cancerinfo serve`` gives uvicorn: the resolved settings and admin
    token travel with it, pickled into each worker process (see the module's docstring)."""

    settings: Settings
    admin_token: str | None = field(default=None, repr=False)

    def __call__(self) -> FastAPI:
        token = {ADMIN_TOKEN_VARIABLE: self.admin_token} if self.admin_token else {}
        return create_app(self.settings, environ=token)


def app_from_environment() -> FastAPI:
    """A factory for running uvicorn directly (``uvicorn --factory
    cancerinfo.service.app:app_from_environment``): settings from ``CANCERINFO_*``.
    ``cancerinfo serve`` does not use it: its workers get an :class:`AppFactory`."""
    return create_app(Settings.load())


def run_server(factory: AppFactory, **options: Any) -> None:
    """Run uvicorn on the app ``factory`` builds, ``options`` being uvicorn's (``host``,
    ``port``, ``workers``, ...); returns when the server stopped. A server (``--workers 1``)
    that did not start exits with uvicorn's start-up failure code, 3.

    This is the end of ``uvicorn.run`` without its reload and Unix-socket branches:
    ``uvicorn.run`` takes the app only as an import string when there are several workers,
    but its multi-process supervisor itself hands each spawned worker the whole config,
    the app (here the factory with its settings) included.
    """
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(factory, factory=True, **options)
    server = uvicorn.Server(config)
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server.run()
    except KeyboardInterrupt:
        pass
    if not server.started and config.workers == 1:
        sys.exit(STARTUP_FAILURE)


def log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the service's own logger (paths and statuses, no queries)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["cancerinfo"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config.setdefault("filters", {})["reported_startup_failure"] = {"()": ReportedStartupFailure}
    config["handlers"]["default"].setdefault("filters", []).append("reported_startup_failure")
    return config


def _templates() -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name
        finalize=render.finalize,  # no bidi control or invisible character printed raw
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["answer_text"] = render.answer_text
    environment.filters["document_body"] = render.document_body
    environment.filters["safe_url"] = render.safe_url
    environment.filters["by_page"] = render.by_page
    environment.filters["tel_url"] = render.tel_url
    environment.filters["message_of"] = render.message_of
    environment.filters["schema_type"] = render.schema_type
    environment.globals["share_link"] = render.share_link
    environment.globals["static"] = _static_url
    environment.globals["version"] = __version__
    return Jinja2Templates(env=environment)


def _static_url(name: str) -> str:
    """A static file's path, versioned so a new release is not served from an old cache."""
    return f"/static/{name}?v={__version__}"
