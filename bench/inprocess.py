"""The registration service's own CPU a registration, with no network and no other process:
its ASGI app called in this process on a fresh SQLite database (`time.process_time()`), one
request at a time and sixteen at once. No broker is given, so the relay only retries in the
background and its cost is left out; what remains is the request's path — HTTP handling, token,
rules, the transaction and its three inserts. The machine's noise moves this figure far less
than a ratio of two processes' throughputs, so it is what a single change to that path is
measured with:

    python -m bench.inprocess [--postgresql] [REGISTRATIONS]     # default 2,000, three rounds

It prints µs of CPU a registration for each round. With `--postgresql`, the same on a
scratch PostgreSQL database (`TUOYU_BENCH_POSTGRES`, as `tuoyu bench`): the process's own CPU and
instructions only, not the server's. CPU time still moves with a busy machine
(caches, other processes); instructions do not. With valgrind installed,

    python -m bench.inprocess [--postgresql] --instructions [REGISTRATIONS]     # default 200

runs this process twice under callgrind, counting only the measured registrations (one at a
time; N, then 2N), and prints the difference over N: instructions a registration, the same figure
run after run on the same code. What a change saves on the request's path shows there first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import orjson
import uvloop

from bench.load import Usccs, registration_body
from bench.stage import POSTGRES_ADMIN_DSN
from registration_svc.app import create_app
from services.processes import free_port
from services.scratch import ScratchDatabases
from shared.auth import Principal, TokenIssuer
from shared.keys import generate_keypair
from shared.migrate import upgrade
from shared.settings import Settings

REGISTRAR = Principal("minzheng-441802", "person", "minzheng", "441802", frozenset({"clerk"}))
AT_ONCE = 16


async def measure(registrations: int, backend: str = "sqlite", rounds: int = 3) -> list[tuple[float, float]]:
    """(µs one at a time, µs sixteen at once) for each round; raises unless every answer is 201."""
    async with _registering(backend) as post:
        figures = []
        for _ in range(rounds):
            one = await _cpu_each(registrations, lambda n: _serially(post, n))
            many = await _cpu_each(registrations, lambda n: _at_once(post, n))
            figures.append((one, many))
        return figures


def instructions(registrations: int, backend: str = "sqlite") -> float:
    """Instructions a registration (callgrind's count of the measured part, for N and 2N)."""
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        raise RuntimeError("the instruction count needs valgrind (Debian: apt-get install valgrind)")
    collected = []
    for n in (registrations, 2 * registrations):
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null"]
        done = subprocess.run([*command, sys.executable, "-m", "bench.inprocess", *_backend_flag(backend), "--counted", str(n)], capture_output=True, text=True, check=True)
        found = re.search(r"Collected : (\d+)", done.stderr)
        if found is None:
            raise RuntimeError(f"callgrind reported no count: {done.stderr[-500:]}")
        collected.append(int(found.group(1)))
    return (collected[1] - collected[0]) / registrations


async def _counted(registrations: int, backend: str) -> None:
    """Under callgrind: counting on for `registrations` one at a time, off otherwise."""
    async with _registering(backend) as post:
        subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], capture_output=True, check=True)
        await _serially(post, registrations)
        subprocess.run(["callgrind_control", "--instr=off", str(os.getpid())], capture_output=True, check=True)


@asynccontextmanager
async def _registering(backend: str, warm_up: int = 100) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """The registration service's app on a fresh database (`sqlite` or `postgresql`), warmed up
    (statements compiled, connections open); yields a coroutine function that makes one registration."""
    private, public = generate_keypair()
    with tempfile.TemporaryDirectory(prefix="bench-inprocess-") as data:
        databases = ScratchDatabases(backend, data, admin_dsn=POSTGRES_ADMIN_DSN, prefix="bench_inprocess")
        try:
            url = await databases.url("registration")
            await asyncio.to_thread(upgrade, "registration_svc", url)
            settings = Settings(
                data_dir=Path(data),
                database_urls={"registration": url},
                jwt_public_key=public,
                kafka_bootstrap=f"127.0.0.1:{free_port()}",
                log_level="ERROR",
            )
            token, _ = TokenIssuer(private, issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_s=3600).issue(REGISTRAR)
            app = create_app(settings)
            post = _poster(app, token)
            async with app.router.lifespan_context(app):
                await _serially(post, warm_up)
                yield post
        finally:
            await databases.drop_all()


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


def _backend_flag(backend: str) -> list[str]:
    return ["--postgresql"] if backend == "postgresql" else []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__.splitlines()[0])
    parser.add_argument("registrations", type=int, nargs="?", help="registrations measured (default: 2,000 for CPU, 200 for instructions)")
    parser.add_argument("--postgresql", action="store_true", help="on a scratch PostgreSQL database instead of SQLite")
    parser.add_argument("--instructions", action="store_true", help="instructions a registration, counted under callgrind")
    parser.add_argument("--counted", type=int, metavar="N", help=argparse.SUPPRESS)  # the run under callgrind (`instructions`)
    args = parser.parse_args(argv)
    backend = "postgresql" if args.postgresql else "sqlite"
    if args.counted is not None:
        uvloop.run(_counted(args.counted, backend))
    elif args.instructions:
        registrations = args.registrations or 200
        counted = instructions(registrations, backend)
        print(f"{counted / 1e6:.3f} M instructions a registration on {backend} (one at a time, {registrations} and {2 * registrations} counted)")
    else:
        for i, (one, many) in enumerate(uvloop.run(measure(args.registrations or 2000, backend)), start=1):
            print(f"round {i}: {one:.0f} µs CPU a registration one at a time, {many:.0f} µs sixteen at once")


if __name__ == "__main__":
    main()
