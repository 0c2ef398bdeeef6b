"""The suite run inside the test process: each app served by its own uvicorn server on a free
port, over real HTTP, with the real broker and real databases; only the process is shared, so a
test can reach into a service's runtime to inject a fault."""

from __future__ import annotations

import asyncio
import importlib
import secrets
import socket
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from services.catalogue import BY_NAME, SUITE
from services.http_protocol import HttpProtocol
from services.processes import SHUTDOWN_GRACE_S, free_port
from shared.migrate import upgrade
from shared.service import Runtime
from shared.settings import SERVER_KEEP_ALIVE_S, Settings


class InProcessSuite:
    def __init__(self, settings_kwargs: dict[str, Any], database_urls: dict[str, str]) -> None:
        # Each service's port is bound now and handed to its server at start: free when chosen
        # is not free when bound seconds later (a CI run lost every test after one such race).
        self._listeners = {s.name: _listener(free_port()) for s in SUITE}
        ports = {name: listener.getsockname()[1] for name, listener in self._listeners.items()}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        self.ports, self.urls = ports, urls
        self.settings = Settings(
            **settings_kwargs,
            internal_secret=secrets.token_urlsafe(16),
            gateway_url=urls["gateway"],
            service_urls=urls,
            database_urls=database_urls,
        )
        self.apps: dict[str, FastAPI] = {}
        self._servers: dict[str, tuple[uvicorn.Server, asyncio.Task[None]]] = {}
        self.http = httpx.AsyncClient(timeout=20)

    async def migrate(self) -> None:
        for info in SUITE:
            await asyncio.to_thread(upgrade, info.package, self.settings.database_url(info.name))

    async def start(self, name: str) -> None:
        info = BY_NAME[name]
        app = importlib.import_module(f"{info.package}.app").create_app(self.settings)
        # A request still in flight when a test's suite stops gets what `tuoyu up` gives its
        # services (`SHUTDOWN_GRACE_S`), then is cancelled (uvicorn warns): without a bound, one
        # that never ended held a CI run at a fixture's teardown for good.
        config = uvicorn.Config(
            app,
            http=HttpProtocol,
            log_level="warning",
            lifespan="on",
            timeout_keep_alive=SERVER_KEEP_ALIVE_S,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        )
        server = uvicorn.Server(config)
        # the port bound at the start, or bound again after a stop (its server closed the socket)
        listener = self._listeners.pop(name, None) or _listener(self.ports[name])
        task = asyncio.create_task(server.serve(sockets=[listener]))
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError(f"{name} stopped while starting")
            await asyncio.sleep(0.02)
        self.apps[name] = app
        self._servers[name] = (server, task)

    async def stop(self, name: str) -> None:
        server, task = self._servers.pop(name)
        server.should_exit = True
        await task
        self.apps.pop(name)

    async def start_all(self) -> None:
        await self.migrate()
        for info in SUITE:
            await self.start(info.name)

    async def stop_all(self) -> None:
        for name in reversed(list(self._servers)):
            await self.stop(name)
        for listener in self._listeners.values():  # of services never started
            listener.close()
        await self.http.aclose()

    def runtime(self, name: str) -> Runtime:
        return self.apps[name].state.runtime

    def url(self, name: str, path: str) -> str:
        return f"{self.urls[name]}{path}"


def _listener(port: int) -> socket.socket:
    """A socket bound to `port` on loopback, for a server to listen on."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: connections left in TIME_WAIT do not hold the port
    listener.bind(("127.0.0.1", port))
    return listener
