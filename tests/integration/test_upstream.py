"""The gateway's hop (shared.upstream) against real servers on loopback: what the service sees,
kept connections, framing, and each way a service can fail a request."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import StreamingResponse

from services.processes import free_port
from shared import upstream as upstream_module
from shared.upstream import UpstreamPool, Upstreams, UpstreamTimeout, UpstreamUnreachable
from tests.integration.helpers import serving


@pytest.fixture
async def echo() -> AsyncIterator[str]:
    """A service that says what it received, and from which client port."""
    app = FastAPI()

    @app.api_route("/echo/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def echo(request: Request) -> dict:
        body = await request.body()
        return {
            "method": request.method,
            "raw_path": request.scope["raw_path"].decode(),
            "path": request.url.path,
            "query": request.scope["query_string"].decode(),
            "headers": dict(request.headers),
            "body_length": len(body),
            "body_sum": sum(body) % 65521,
            "client_port": request.client.port if request.client else None,
        }

    @app.get("/chunked")
    async def chunked() -> StreamingResponse:
        async def parts() -> AsyncIterator[bytes]:
            for i in range(50):
                yield f"part {i};".encode()
                await asyncio.sleep(0)

        return StreamingResponse(parts(), media_type="text/plain")

    @app.delete("/nothing", status_code=204)
    async def nothing() -> Response:
        return Response(status_code=204)

    async with serving(app) as url:
        yield url


async def raw_server(handle: Callable[[int, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]) -> tuple[asyncio.Server, str]:
    """A server that handles its n-th connection with `handle(n, reader, writer)`."""
    count = 0

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        count += 1
        try:
            await handle(count, reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(on_connection, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


OK = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok"


async def test_the_service_sees_the_path_query_headers_and_body_sent(echo: str) -> None:
    pool = UpstreamPool(echo)
    target = "/echo/v1/%E6%B8%85%E8%BF%9C/x%20y?name=%E6%89%98%E8%82%B2&a=1&a=2"
    body = bytes(range(256)) * 4096  # 1 MiB, every byte value
    response = await pool.request("POST", target, [(b"authorization", b"Bearer t"), (b"x-request-id", b"r-1")], body, repeatable=False)
    assert response.status == 200 and response.headers[b"content-type"] == b"application/json"
    seen = json.loads(response.body)
    assert seen["raw_path"] == "/echo/v1/%E6%B8%85%E8%BF%9C/x%20y" and seen["path"] == "/echo/v1/清远/x y"
    assert seen["query"] == "name=%E6%89%98%E8%82%B2&a=1&a=2"
    assert seen["headers"]["authorization"] == "Bearer t" and seen["headers"]["x-request-id"] == "r-1"
    assert (seen["body_length"], seen["body_sum"]) == (len(body), sum(body) % 65521)
    pool.close()


async def test_a_connection_is_kept_and_reused(echo: str) -> None:
    pool = UpstreamPool(echo)
    ports = set()
    for _ in range(20):
        response = await pool.request("GET", "/echo/x", [], b"", repeatable=True)
        ports.add(json.loads(response.body)["client_port"])
    assert len(ports) == 1
    pool.close()


async def test_an_idle_connection_is_not_kept_past_its_expiry(echo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upstream_module, "HTTP_KEEPALIVE_EXPIRY_S", 0.1)
    pool = UpstreamPool(echo)
    first = json.loads((await pool.request("GET", "/echo/x", [], b"", repeatable=True)).body)["client_port"]
    await asyncio.sleep(0.2)
    second = json.loads((await pool.request("GET", "/echo/x", [], b"", repeatable=True)).body)["client_port"]
    assert first != second
    pool.close()


async def test_chunked_and_empty_answers_are_read_whole(echo: str) -> None:
    pool = UpstreamPool(echo)
    chunked = await pool.request("GET", "/chunked", [], b"", repeatable=True)
    assert chunked.body == b"".join(f"part {i};".encode() for i in range(50))
    empty = await pool.request("DELETE", "/nothing", [], b"", repeatable=True)
    assert (empty.status, empty.body) == (204, b"")
    after = await pool.request("GET", "/echo/after", [], b"", repeatable=True)  # the connection is still in step
    assert json.loads(after.body)["path"] == "/echo/after"
    pool.close()


async def test_concurrent_requests_each_get_their_own_answer(echo: str) -> None:
    pool = UpstreamPool(echo)
    responses = await asyncio.gather(*(pool.request("GET", f"/echo/{i}", [], b"", repeatable=True) for i in range(60)))
    assert [json.loads(r.body)["path"] for r in responses] == [f"/echo/{i}" for i in range(60)]
    pool.close()


async def test_a_kept_connection_the_service_dropped_is_retried_only_when_repeatable() -> None:
    async def first_drops_the_request(n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if n % 2 == 0:  # every second connection takes the request and closes without an answer
            writer.write(OK)
            await writer.drain()

    server, url = await raw_server(first_drops_the_request)
    async with server:
        pool = UpstreamPool(url)
        assert (await pool.request("GET", "/x", [], b"", repeatable=True)).body == b"ok"  # dropped, then answered
        with pytest.raises(UpstreamUnreachable):
            await pool.request("POST", "/x", [], b"{}", repeatable=False)
        pool.close()


async def test_a_service_that_does_not_answer_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upstream_module, "HTTP_READ_TIMEOUT_S", 0.3)

    async def silent(n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    server, url = await raw_server(silent)
    async with server:
        with pytest.raises(UpstreamTimeout):
            await UpstreamPool(url).request("GET", "/x", [], b"", repeatable=True)


async def test_what_is_not_http_and_a_refused_connection_are_unreachable() -> None:
    async def garbage(n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")
        await writer.drain()

    server, url = await raw_server(garbage)
    async with server:
        with pytest.raises(UpstreamUnreachable):
            await UpstreamPool(url).request("GET", "/x", [], b"", repeatable=True)
    with pytest.raises(UpstreamUnreachable):
        await UpstreamPool(f"http://127.0.0.1:{free_port()}").request("GET", "/x", [], b"", repeatable=True)


def test_a_pool_per_base_url() -> None:
    upstreams = Upstreams()
    assert upstreams.pool("http://127.0.0.1:1") is upstreams.pool("http://127.0.0.1:1")
    assert upstreams.pool("http://127.0.0.1:1") is not upstreams.pool("http://127.0.0.1:2")
    with pytest.raises(ValueError):
        UpstreamPool("https://example.org")


async def test_a_connection_the_service_closes_after_answering_is_not_used_again() -> None:
    async def answers_then_closes(n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(OK.replace(b"content-length: 2", b"connection: close\r\ncontent-length: 2"))
        await writer.drain()

    server, url = await raw_server(answers_then_closes)
    async with server:
        pool = UpstreamPool(url)
        for _ in range(3):  # not repeatable: a request written into the closed connection would fail
            assert (await pool.request("POST", "/x", [], b"{}", repeatable=False)).body == b"ok"
        pool.close()


async def test_a_request_cancelled_mid_answer_hangs_up_and_frees_its_slot() -> None:
    closed = asyncio.Event()

    async def slow(n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if await reader.read(1) == b"":  # the gateway gave up on the request and hung up
            closed.set()

    server, url = await raw_server(slow)
    async with server:
        pool = UpstreamPool(url)
        request = asyncio.create_task(pool.request("GET", "/x", [], b"", repeatable=True))
        await asyncio.sleep(0.2)
        request.cancel()
        with pytest.raises(asyncio.CancelledError):
            await request
        await asyncio.wait_for(closed.wait(), 5)
        assert pool._slots._value == upstream_module.HTTP_MAX_CONNECTIONS  # its slot is free again
