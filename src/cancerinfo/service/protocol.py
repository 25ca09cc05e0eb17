"""uvicorn's HTTP/1.1 protocol with ``TCP_NODELAY`` on every connection.

With ``--workers`` above 1, uvicorn binds its listening socket as ``socket(family=…)``, whose
``proto`` is 0, so asyncio does not set ``TCP_NODELAY`` on the connections it accepts.
uvicorn writes a response's head and body separately; Nagle's algorithm then holds the body
until the client's delayed ACK, about 40 ms later. Measured with 32 clients on cached
answers: p50 44 ms with two workers against 12 ms with one; with this protocol the two
workers are as quick as one.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """:class:`H11Protocol` that switches Nagle's algorithm off for its connection."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]
