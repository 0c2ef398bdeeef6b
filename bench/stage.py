"""What one scenario runs on: a scratch directory, the embedded broker, fresh databases on the
chosen backend, and — when asked — the suite as `tuoyu up` runs it, pointed at the same broker
and database server, so that the suite and its baseline share both.

PostgreSQL databases are named `bench_<run>_<name>` and dropped at the end, whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.broker import EmbeddedBroker
from services.catalogue import SUITE
from services.processes import Child, child_env, free_base_port, free_port
from services.runner import Suite
from services.scratch import ScratchDatabases
from shared.bus import ensure_topics
from shared.migrate import upgrade
from shared.settings import Settings

POSTGRES_ADMIN_DSN = os.environ.get("TUOYU_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgresql")
DEMO_PASSWORD = "bench-demo-password"
# The gateway's per-subject rate limit is policy, not capacity: the bench lifts it so that it
# measures how fast the suite is, not how fast it lets one account go.
SUITE_ENV = {
    "TUOYU_RATE_LIMIT_PER_MINUTE": "100000000",
    "TUOYU_RATE_LIMIT_BURST": "1000000",
    "TUOYU_DEMO_PASSWORD": DEMO_PASSWORD,
}


async def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers."""
    import asyncpg

    try:
        conn = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"{POSTGRES_ADMIN_DSN} does not answer: {exc}"
    await conn.close()
    return None


@contextlib.contextmanager
def tuoyu_environment(overrides: dict[str, str]):  # type: ignore[no-untyped-def]
    """os.environ with every `TUOYU_*` variable replaced by `overrides` (the suite reads its
    configuration from there, in this process and its children), restored afterwards."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("TUOYU_")}
    for key in saved:
        del os.environ[key]
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key in [k for k in os.environ if k.startswith("TUOYU_")]:
            del os.environ[key]
        os.environ.update(saved)


def suite_environment(urls: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**SUITE_ENV, **{f"TUOYU_{name.upper()}_DATABASE_URL": url for name, url in urls.items()}, **(extra or {})}


class Stage:
    """Async context manager: scratch directory, broker, databases and suite of one scenario,
    all stopped and removed on exit."""

    def __init__(self, backend: str, say: Callable[[str], None]) -> None:
        self.backend, self.say = backend, say
        self.directory = Path(tempfile.mkdtemp(prefix=f"tuoyu-bench-{backend}-"))
        self.databases = ScratchDatabases(backend, self.directory, admin_dsn=POSTGRES_ADMIN_DSN, prefix="bench")
        self._broker: EmbeddedBroker | None = None
        self.suite: Suite | None = None
        self.bare: list[Child] = []
        self._environment: contextlib.ExitStack | None = None

    async def __aenter__(self) -> Stage:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await asyncio.gather(*(child.stop() for child in self.bare), return_exceptions=True)
            await self.stop_suite()
        finally:
            try:
                if self._broker is not None:
                    await self._broker.stop()
            finally:
                try:
                    await self.databases.drop_all()
                finally:
                    shutil.rmtree(self.directory, ignore_errors=True)

    async def database(self, name: str) -> str:
        return await self.databases.url(name)

    async def broker(self) -> EmbeddedBroker:
        if self._broker is None:
            self._broker = EmbeddedBroker(echo=False)
            await self._broker.start()
        return self._broker

    async def start_bare(self, database_url: str | None, name: str = "bare") -> tuple[Child, str]:
        """The bare write endpoint (`bench.bare`) as its own uvicorn process, like a service;
        returns it and its base URL once it answers."""
        import httpx

        port = free_port()
        argv = [sys.executable, "-m", "uvicorn", "--factory", "bench.bare:create_app", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        child = Child(name, argv, child_env({"BENCH_BARE_DATABASE_URL": database_url} if database_url else {}), echo=False)
        self.bare.append(child)
        await child.start()
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(timeout=2) as http:
            for _ in range(300):
                if not child.running:
                    raise RuntimeError(child.report())
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{url}/health")).status_code == 200:
                        return child, url
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the bare endpoint did not answer within 30 s\n{child.report()}")

    async def settings(self) -> Settings:
        """Settings as the suite's processes see them (for the bare baselines' Kafka clients)."""
        return Settings(data_dir=self.directory, kafka_bootstrap=(await self.broker()).bootstrap)

    async def topic(self, name: str) -> str:
        """A baseline topic with as many partitions as the suite's topics."""
        await ensure_topics(await self.settings(), [name], with_dlq=False)
        return name

    async def migrate(self, *names: str) -> None:
        """Bring suite databases to their schema before the suite starts (to seed them first)."""
        for info in SUITE:
            if info.name in names:
                await asyncio.to_thread(upgrade, info.package, await self.database(info.name))

    async def suite_urls(self) -> dict[str, str]:
        return {info.name: await self.database(info.name) for info in SUITE}

    async def start_suite(self) -> Suite:
        """The suite as `tuoyu up` starts it (processes, migrations, health), on this stage's
        broker and databases, with the demo accounts (`<department>-<region>`)."""
        broker = await self.broker()
        urls = await self.suite_urls()
        self._environment = contextlib.ExitStack()
        self._environment.enter_context(tuoyu_environment(suite_environment(urls, {"TUOYU_KAFKA_BOOTSTRAP": broker.bootstrap})))
        self.suite = Suite(free_base_port(len(SUITE)), self.directory / "suite", demo=False, echo=False)
        with contextlib.redirect_stdout(io.StringIO()):  # the runner's progress lines; the bench prints its own
            await self.suite.start()
        await seed_accounts(urls["gateway"])
        return self.suite

    async def stop_suite(self) -> None:
        try:
            if self.suite is not None:
                with contextlib.redirect_stdout(io.StringIO()):
                    await self.suite.stop()
        finally:
            self.suite = None
            if self._environment is not None:
                self._environment.close()
                self._environment = None


async def seed_accounts(gateway_url: str) -> None:
    """The demo accounts `tuoyu up --demo` creates, with the bench's password."""
    from gateway.demo import seed_demo_accounts
    from shared.db import Database

    db = Database(gateway_url)
    try:
        await seed_demo_accounts(db, DEMO_PASSWORD)
    finally:
        await db.dispose()
