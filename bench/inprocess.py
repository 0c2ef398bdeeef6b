"""The registration service's own CPU a registration, with no network and no other process:
its ASGI app called in this process on a fresh SQLite database (`time.process_time()`), one
request at a time and sixteen at once. No broker is given, so the relay only retries in the
background and its cost is left out; what remains is the request's path — HTTP handling, token,
rules, the transaction and its three inserts. The machine's noise moves this figure far less
than a ratio of two processes' throughputs, so it is what a single change to that path is
measured with:

    python -m bench.inprocess [REGISTRATIONS]     # default 2,000, three rounds

It prints µs of CPU a registration for each round.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import orjson
import uvloop

from bench.load import Usccs, registration_body
from registration_svc.app import create_app
from services.processes import free_port
from shared.auth import Principal, TokenIssuer
from shared.keys import generate_keypair
from shared.migrate import upgrade
from shared.settings import Settings

REGISTRAR = Principal("minzheng-441802", "person", "minzheng", "441802", frozenset({"clerk"}))
AT_ONCE = 16


async def measure(registrations: int, rounds: int = 3) -> list[tuple[float, float]]:
    """(µs one at a time, µs sixteen at once) for each round; raises unless every answer is 201."""
    private, public = generate_keypair()
    with tempfile.TemporaryDirectory(prefix="bench-inprocess-") as data:
        url = f"sqlite+aiosqlite:///{Path(data) / 'registration.db'}"
        await asyncio.to_thread(upgrade, "registration_svc", url)
        settings = Settings(data_dir=Path(data), jwt_public_key=public, kafka_bootstrap=f"127.0.0.1:{free_port()}", log_level="ERROR")
        token, _ = TokenIssuer(private, issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_s=3600).issue(REGISTRAR)
        app = create_app(settings)
        post = _poster(app, token)
        async with app.router.lifespan_context(app):
            for _ in range(100):  # warm-up: statements compiled, connections open
                await post()
            figures = []
            for _ in range(rounds):
                one = await _cpu_each(registrations, lambda n: _serially(post, n))
                many = await _cpu_each(registrations, lambda n: _at_once(post, n))
                figures.append((one, many))
            return figures


def _poster(app: Callable, token: str) -> Callable[[], Awaitable[None]]:
    usccs = Usccs()
    authorization = b"Bearer " + token.encode()

    async def post() -> None:
        body = orjson.dumps(registration_body(usccs.next(), "441802"))
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": "/v1/registrations", "raw_path": b"/v1/registrations", "query_string": b"", "root_path": "",
            "headers": [(b"content-type", b"application/json"), (b"authorization", authorization), (b"content-length", b"%d" % len(body))],
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 2), "state": {},
        }  # fmt: skip
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        status = 0

        async def receive() -> dict:
            return messages.pop() if messages else await asyncio.Future()  # nothing more: never ends

        async def send(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        if status != 201:
            raise RuntimeError(f"a registration was answered {status}")

    return post


async def _serially(post: Callable[[], Awaitable[None]], n: int) -> None:
    for _ in range(n):
        await post()


async def _at_once(post: Callable[[], Awaitable[None]], n: int) -> None:
    for _ in range(n // AT_ONCE):
        await asyncio.gather(*(post() for _ in range(AT_ONCE)))


async def _cpu_each(n: int, run: Callable[[int], Awaitable[None]]) -> float:
    started = time.process_time()
    await run(n)
    return (time.process_time() - started) / (n - n % AT_ONCE) * 1e6


def main() -> None:
    registrations = int(sys.argv[1]) if len(sys.argv) > 1 else 2000

    for i, (one, many) in enumerate(uvloop.run(measure(registrations)), start=1):
        print(f"round {i}: {one:.0f} µs CPU a registration one at a time, {many:.0f} µs sixteen at once")


if __name__ == "__main__":
    main()
