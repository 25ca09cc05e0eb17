"""The ``cancerinfo serve`` command (registered on the app in :mod:`cancerinfo.cli`) and
its helpers: the trusted proxies, one numeric thread per process, and uvicorn run until
stopped."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from cancerinfo.cli_common import DbOption, err
from cancerinfo.settings import Settings


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0-65535).")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes; each loads the KB and uses one core.")
    ] = 1,
    answer_processes: Annotated[
        int | None,
        typer.Option(
            "--answer-processes",
            min=0,
            max=64,
            help="Processes that answer, fed from one queue (each loads the KB and uses one core); "
            "0 answers in the server process. Default: CANCERINFO_ANSWER_PROCESSES, else 0.",
        ),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Address (or network) of a reverse proxy whose X-Forwarded-For names the client; "
            "repeat for several. Default: CANCERINFO_TRUSTED_PROXIES, else none (the header is ignored).",
        ),
    ] = None,
) -> None:
    """Run the web chat and the HTTP API (uvicorn): the chat at /, the API reference at
    /docs. Curator pages (/admin) and /v1/admin need CANCERINFO_ADMIN_TOKEN.

    Example: cancerinfo serve --db kb.db --port 8000 --answer-processes 2
    """
    from dataclasses import replace

    from cancerinfo.service.app import admin_token, check_port, check_store

    if not 0 <= port <= 65535:  # a usage error, like click's own: one line, exit 2
        err.print(f"[red]error:[/red] --port must be between 0 and 65535, got {port}")
        raise typer.Exit(2)
    settings = Settings.load(
        db=db, answer_processes=answer_processes, trusted_proxies=",".join(trusted_proxy) if trusted_proxy else None
    )
    proxies = _serve_proxies(settings)
    token = admin_token()  # a token too short stops here, with a one-line error
    check_port(host, port)  # a port in use stops here, before the KB is loaded
    check_store(settings)
    settings = replace(settings, db=settings.db.resolve())  # the same file in every process
    if workers > 1 or settings.answer_processes > 1:  # one process per core: numeric libraries' own threads would only spin
        _one_numeric_thread_per_process()
    _run_uvicorn(settings, token, host=host, port=port, workers=workers, proxies=proxies)


def _serve_proxies(settings: Settings) -> list[str]:
    """The trusted proxies of ``settings``; one that is no address is a usage error (exit 2)."""
    from cancerinfo.service.limits import trusted_proxies

    try:
        return trusted_proxies(settings.trusted_proxies)
    except ValueError as error:
        err.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(2) from None


def _one_numeric_thread_per_process() -> None:
    """Keep numeric libraries to one thread each unless the environment says otherwise."""
    import os

    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")  # measured: twice the answers a second


def _run_uvicorn(
    settings: Settings, token: str | None, *, host: str, port: int, workers: int, proxies: list[str]
) -> None:
    """Serve until stopped; uvicorn's start-up failure (already said in one line) exits 1."""
    from cancerinfo.service.app import AppFactory, log_config, run_server

    try:
        run_server(  # every worker gets these settings and token with the factory, not via os.environ
            AppFactory(settings, token),
            host=host,
            port=port,
            workers=workers,
            http="cancerinfo.service.protocol:NoDelayHttpToolsProtocol",  # TCP_NODELAY with any --workers
            loop="uvloop",
            access_log=False,  # its lines carry query strings; ours log paths only
            log_config=log_config(),
            server_header=False,
            timeout_graceful_shutdown=10,
            # X-Forwarded-For/-Proto only from the proxies named (uvicorn trusts loopback by default)
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies,
        )
    except SystemExit as stopped:
        if stopped.code == 3:  # uvicorn's start-up failure, already said in one line
            raise typer.Exit(1) from None
        raise
