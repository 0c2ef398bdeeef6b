"""`tuoyu up`: the whole suite on one machine (DESIGN §3).

Starts the embedded broker (unless `TUOYU_KAFKA_BOOTSTRAP` names one), creates the topics,
migrates every database, starts the gateway and the four services as separate processes, waits
until each answers its health check, prints the console URL and streams their logs. A process
that dies is reported with its last lines and started again; a broker that dies is started again
on the same port with its topics recreated (the services then catch up from the feeds). Ctrl-C or
SIGTERM stops everything it started, and it exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import secrets
import signal
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from services.broker import EmbeddedBroker, external_bootstrap
from services.catalogue import SUITE, ServiceInfo
from services.processes import SHUTDOWN_GRACE_S, Child, child_env


def say(message: str) -> None:
    sys.stdout.write(f"{'tuoyu':<12}| {message}\n")
    sys.stdout.flush()


async def run_cli(env: dict[str, str], *command: str) -> str:
    """`tuoyu <command>` in a child process with the processes' environment: making keys, creating
    topics and migrating import the crypto library, the Kafka client, Alembic and every service's
    models, which the runner — alive as long as the suite — would otherwise keep for nothing."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.cli", *command,
        env=child_env(env), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    output, errors = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(
            f"tuoyu {' '.join(command)} failed (exit {process.returncode}):\n{(output + errors).decode('utf-8', 'replace')[-4000:]}"
        )
    return output.decode("utf-8", "replace")


def answers(url: str) -> bool:
    """Whether `url` answers 200 (the standard library's client: the runner loads no other)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (OSError, http.client.HTTPException):
        # refused, timed out, an error status, or a garbled answer: a probe of a port still free
        # in the ephemeral range can connect the socket to itself and read back its own request
        return False


async def local_secrets(data_dir: Path) -> dict[str, str]:
    """Keys and secrets from the environment, else made once and kept (0600) in the data dir,
    so tokens survive a restart of the suite. In production nothing is made up: the environment
    must hold them (the services refuse to start otherwise)."""
    if os.environ.get("TUOYU_ENVIRONMENT") == "production":
        return {k: v for k in ("TUOYU_JWT_PRIVATE_KEY", "TUOYU_JWT_PUBLIC_KEY", "TUOYU_INTERNAL_SECRET") if (v := os.environ.get(k))}
    path = data_dir / "secrets.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if not stored:
        stored = {
            **json.loads(await run_cli({}, "keys")),
            "TUOYU_INTERNAL_SECRET": secrets.token_urlsafe(32),
            "TUOYU_DEMO_PASSWORD": secrets.token_urlsafe(9),
        }
        path.touch(mode=0o600)
        path.write_text(json.dumps(stored, indent=1))
    return {k: os.environ.get(k) or v for k, v in stored.items()}


@dataclass
class Suite:
    base_port: int
    data_dir: Path
    demo: bool = False
    echo: bool = True

    def __post_init__(self) -> None:
        if self.demo and os.environ.get("TUOYU_ENVIRONMENT") == "production":
            raise SystemExit("refusing --demo in production: demo accounts share one known password")
        self.data_dir = self.data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.broker: EmbeddedBroker | None = None
        self.children: dict[str, Child] = {}
        self.env: dict[str, str] = {}
        self._stop = asyncio.Event()

    def port(self, info: ServiceInfo) -> int:
        return self.base_port + info.port_offset

    def url(self, info: ServiceInfo) -> str:
        return f"http://127.0.0.1:{self.port(info)}"

    async def start(self) -> None:
        bootstrap = external_bootstrap()
        if bootstrap is None:
            self.broker = EmbeddedBroker(echo=self.echo)
            await self.broker.start()
            bootstrap = self.broker.bootstrap
            say(f"embedded broker on {bootstrap} (in memory)")
        self.env = {
            **(await local_secrets(self.data_dir)),
            "TUOYU_DATA_DIR": str(self.data_dir),
            "TUOYU_KAFKA_BOOTSTRAP": bootstrap,
            "TUOYU_GATEWAY_URL": self.url(SUITE[0]),
            **{f"TUOYU_{s.name.upper()}_URL": self.url(s) for s in SUITE},
        }
        # The runner's own steps (topics, migrations) see what the processes will see.
        await run_cli(self.env, "topics")
        await run_cli(self.env, "migrate")
        say("databases migrated")
        if self.demo:
            await self._seed_accounts()
        for info in SUITE:
            child = Child(info.name, self._argv(info), child_env(self.env), echo=self.echo)
            self.children[info.name] = child
            await child.start()
        await asyncio.gather(*(self._healthy(info) for info in SUITE))
        if self.demo:
            from services.demo import seed_institutions

            created = await seed_institutions(self.url(SUITE[0]), self.env["TUOYU_DEMO_PASSWORD"])
            where = "TUOYU_DEMO_PASSWORD" if os.environ.get("TUOYU_DEMO_PASSWORD") else f"{self.data_dir / 'secrets.json'} (TUOYU_DEMO_PASSWORD)"
            say(f"demo: {len(created)} sample institutions registered; accounts <department>-<region> and admin, password in {where}")
        say(f"console: {self.url(SUITE[0])}/   (Ctrl-C stops the suite)")

    def _argv(self, info: ServiceInfo) -> list[str]:
        return [sys.executable, "-m", "services.serve", info.name, "--host", "127.0.0.1", "--port", str(self.port(info)), "--shutdown-grace", str(SHUTDOWN_GRACE_S)]

    async def _seed_accounts(self) -> None:
        from gateway.demo import seed_demo_accounts
        from shared.db import Database
        from shared.settings import Settings

        db = Database(Settings(data_dir=self.data_dir, kafka_bootstrap=self.env["TUOYU_KAFKA_BOOTSTRAP"]).database_url("gateway"))
        try:
            created = await seed_demo_accounts(db, self.env["TUOYU_DEMO_PASSWORD"])
        finally:
            await db.dispose()
        if created:
            say(f"demo: {created} accounts created")

    async def _healthy(self, info: ServiceInfo, timeout: float = 60.0) -> None:
        child = self.children[info.name]
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if not child.running:
                raise RuntimeError(child.report())
            if await asyncio.to_thread(answers, f"{self.url(info)}/health"):
                say(f"{info.name} is up on {self.url(info)}")
                return
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"{info.name} did not become healthy within {timeout} s\n{child.report()}")
            await asyncio.sleep(0.2)

    async def supervise(self) -> None:
        """Until asked to stop: restart whatever dies, after reporting it."""
        watchers = [asyncio.create_task(self._watch(info)) for info in SUITE]
        if self.broker is not None:
            watchers.append(asyncio.create_task(self._watch_broker()))
        await self._stop.wait()
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)

    async def _watch(self, info: ServiceInfo) -> None:
        child = self.children[info.name]
        delay = 1.0
        while True:
            await child.wait()
            if child.stopping:
                return
            say(child.report())
            say(f"restarting {info.name} in {delay:.0f} s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
            await child.start()

    async def _watch_broker(self) -> None:
        assert self.broker is not None
        while True:
            await self.broker.child.wait()
            if self.broker.child.stopping:
                return
            say(self.broker.child.report())
            say("restarting the broker; it lost every topic and message, the services catch up from their feeds")
            await asyncio.sleep(0.5)
            try:
                await self.broker.start()
                await run_cli(self.env, "topics")
            except Exception as exc:  # noqa: BLE001 - try again on the next round
                say(f"broker restart failed: {exc}")

    def request_stop(self) -> None:
        self._stop.set()

    async def stop_requested(self) -> None:
        await self._stop.wait()

    async def stop(self) -> None:
        await asyncio.gather(*(c.stop() for c in self.children.values()))
        if self.broker is not None:
            await self.broker.stop()
        say("stopped")


async def run_suite(base_port: int, data_dir: Path, demo: bool) -> int:
    suite = Suite(base_port, data_dir, demo)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, suite.request_stop)
    try:
        starting = asyncio.create_task(suite.start())
        stop_wait = asyncio.create_task(suite.stop_requested())
        done, _ = await asyncio.wait({starting, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
        if starting in done:
            stop_wait.cancel()
            starting.result()
            await suite.supervise()
        else:
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
        return 0
    except Exception as exc:  # noqa: BLE001 - report, stop what was started, fail
        say(f"the suite could not start: {exc}")
        return 1
    finally:
        await suite.stop()
