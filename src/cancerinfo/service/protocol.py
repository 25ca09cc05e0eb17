"""uvicorn's HTTP/1.1 protocol (httptools) with ``TCP_NODELAY`` on every connection.

With ``--workers`` above 1, uvicorn binds its listening socket as ``socket(family=…)``, whose
``proto`` is 0, so asyncio does not set ``TCP_NODELAY`` on the connections it accepts.
uvicorn writes a response's head and body separately; Nagle's algorithm then holds the body
until the client's delayed ACK, about 40 ms later. Measured with 32 clients on cached
answers: p50 44 ms with two workers against 12 ms with one; with this protocol the two
workers are as quick as one.

httptools (a C parser) rather than h11 (pure Python): under 32 clients the server process
spent 1.5 ms of CPU a request with h11 and uvicorn's asyncio loop, 1.1 ms with httptools
and uvloop (docs/service.md#load-test), and on 2 cores that CPU is taken from the answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` that switches Nagle's algorithm off for its connection."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        """Set ``TCP_NODELAY`` on a TCP connection, then set it up as uvicorn does."""
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]
