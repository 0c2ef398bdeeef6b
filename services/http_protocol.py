"""The HTTP/1.1 protocol every process of the suite serves with: uvicorn's (httptools), with each
response sent to the socket in one write.

uvicorn writes a response's head when the app starts it and its body when the app sends it: two
system calls, and on loopback two segments the other side wakes up for. A service's answer is
small and whole, so here the writes made in one turn of the event loop are joined and sent at the
end of that turn. Measured on these machines (bench/README.md): some 20 µs less CPU a request in
the server, about a seventh of what a small JSON answer costs it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class JoinedWrites:
    """A connection's transport whose writes of one loop turn go out as one; everything else is
    the transport's own. Closing sends what is pending first."""

    __slots__ = ("_loop", "_pending", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending and not self._transport.is_closing():
            self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(JoinedWrites(transport, self.loop))  # type: ignore[arg-type]
