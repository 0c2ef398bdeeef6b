"""The gateway's hop to the services (`Runtime.upstreams`): kept-alive HTTP/1.1 connections per
service, on asyncio streams, read with httptools (the parser uvicorn serves with).

Every request through the gateway takes this hop, and the hop was allowed 0.3× of a direct read
(issue 9). httpx's request path (request and URL models, its pool, h11 in pure Python) cost about
1 ms of CPU a hop on these machines, this path about 0.2 ms (bench/README.md); the shared httpx
client still makes every other call. Only what a forward needs is here: a request with a known
body, a response read whole, framing (length or chunked) left to the parser.
"""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httptools

from shared.settings import HTTP_CONNECT_TIMEOUT_S, HTTP_KEEPALIVE_EXPIRY_S, HTTP_MAX_CONNECTIONS, HTTP_READ_TIMEOUT_S


class UpstreamUnreachable(Exception):
    """The service refused the connection, broke it off, or answered what is not HTTP."""


class UpstreamTimeout(UpstreamUnreachable):
    """The service did not connect or answer in time."""


@dataclass(frozen=True)
class UpstreamResponse:
    status: int
    headers: dict[bytes, bytes]  # names in lower case; of a repeated header, the last
    body: bytes


@dataclass
class _Reading:
    """httptools' callbacks for one response."""

    headers: dict[bytes, bytes] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    complete: bool = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.lower()] = value

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.complete = True


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0

    @property
    def open(self) -> bool:
        """Not closed, reset or ended by the service as far as this side has seen."""
        return not (self.reader.at_eof() or self.reader.exception() is not None or self.writer.is_closing())

    def close(self) -> None:
        self.writer.close()


class UpstreamPool:
    """Connections to one service. A connection goes back to the pool only after a whole response
    that allows keep-alive, and idle ones are dropped after HTTP_KEEPALIVE_EXPIRY_S, long before the
    service's own keep-alive ends them, so a request is not written into one being closed."""

    def __init__(self, base_url: str) -> None:
        url = urlsplit(base_url)
        if url.scheme != "http" or url.hostname is None:
            raise ValueError(f"an upstream is plain http://host[:port], not {base_url!r}")
        self.host, self.port = url.hostname, url.port or 80
        self._prefix = url.path.rstrip("/")
        self._host_header = url.netloc.encode("ascii")
        self._idle: collections.deque[_Connection] = collections.deque()
        self._slots = asyncio.Semaphore(HTTP_MAX_CONNECTIONS)

    async def request(
        self, method: str, target: str, headers: list[tuple[bytes, bytes]], body: bytes, *, repeatable: bool
    ) -> UpstreamResponse:
        """`target` is the path and query as the client sent them. A request that cannot have
        changed anything twice (`repeatable`) goes again, once, on a new connection if the first
        broke off."""
        head = [f"{method} {self._prefix}{target} HTTP/1.1\r\n".encode("latin-1"), b"host: ", self._host_header, b"\r\n"]
        for name, value in headers:
            head += (name, b": ", value, b"\r\n")
        if body or method not in ("GET", "DELETE"):
            head.append(b"content-length: %d\r\n" % len(body))
        head.append(b"\r\n")
        message = b"".join(head) + body
        try:  # as long for a free connection as for an answer (httpx's pool timeout did the same)
            async with asyncio.timeout(HTTP_READ_TIMEOUT_S):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise UpstreamTimeout(f"all {HTTP_MAX_CONNECTIONS} connections busy for {HTTP_READ_TIMEOUT_S} s") from exc
        try:
            for attempt in (1, 2):
                connection = await self._connection(kept=attempt == 1)
                try:
                    return await self._exchange(connection, message)
                except TimeoutError as exc:
                    connection.close()
                    raise UpstreamTimeout(f"no answer within {HTTP_READ_TIMEOUT_S} s") from exc
                except (OSError, httptools.HttpParserError) as exc:
                    connection.close()
                    if attempt == 2 or not repeatable:
                        raise UpstreamUnreachable(repr(exc)) from exc
                except BaseException:  # cancelled mid-exchange: the connection is out of step
                    connection.close()
                    raise
            raise AssertionError("unreachable")  # the loop returns or raises
        finally:
            self._slots.release()

    async def _connection(self, *, kept: bool) -> _Connection:
        """A kept connection if there is one still fresh (and `kept`), else a new one."""
        now = asyncio.get_running_loop().time()
        while kept and self._idle:
            connection = self._idle.pop()  # the most recently used: the likeliest to be warm
            if now - connection.idle_since < HTTP_KEEPALIVE_EXPIRY_S and connection.open:
                self._drop_expired(now)
                return connection
            connection.close()
        try:
            async with asyncio.timeout(HTTP_CONNECT_TIMEOUT_S):
                reader, writer = await asyncio.open_connection(self.host, self.port)
        except TimeoutError as exc:
            raise UpstreamTimeout(f"no connection within {HTTP_CONNECT_TIMEOUT_S} s") from exc
        except OSError as exc:
            raise UpstreamUnreachable(repr(exc)) from exc
        return _Connection(reader, writer)

    def _drop_expired(self, now: float) -> None:
        while self._idle and now - self._idle[0].idle_since >= HTTP_KEEPALIVE_EXPIRY_S:
            self._idle.popleft().close()

    async def _exchange(self, connection: _Connection, message: bytes) -> UpstreamResponse:
        connection.writer.write(message)
        reading = _Reading()
        parser = httptools.HttpResponseParser(reading)
        loop = asyncio.get_running_loop()
        # HTTP_READ_TIMEOUT_S between reads, as httpx's read timeout: a long answer may stream
        async with asyncio.timeout_at(loop.time() + HTTP_READ_TIMEOUT_S) as deadline:
            while not reading.complete:
                data = await connection.reader.read(65536)
                if not data:
                    raise ConnectionResetError("the service closed the connection mid-answer")
                parser.feed_data(data)
                deadline.reschedule(loop.time() + HTTP_READ_TIMEOUT_S)
        # kept unless the service said close (httptools resets its own view once a message ends)
        if reading.headers.get(b"connection", b"").lower() != b"close" and parser.get_http_version() == "1.1":
            connection.idle_since = loop.time()
            self._idle.append(connection)
        else:
            connection.close()
        return UpstreamResponse(parser.get_status_code(), reading.headers, b"".join(reading.chunks))

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()


class Upstreams:
    """A pool per service base URL, made when first used."""

    def __init__(self) -> None:
        self._pools: dict[str, UpstreamPool] = {}

    def pool(self, base_url: str) -> UpstreamPool:
        if (pool := self._pools.get(base_url)) is None:
            pool = self._pools[base_url] = UpstreamPool(base_url)
        return pool

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
