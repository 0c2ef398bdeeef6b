"""Fresh databases for a run of the tests or the bench, on either backend: SQLite files in a
directory, or PostgreSQL databases made through an administrative connection and dropped after."""

from __future__ import annotations

import secrets
from pathlib import Path


class ScratchDatabases:
    def __init__(self, backend: str, directory: Path | str, *, admin_dsn: str, prefix: str) -> None:
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unknown backend {backend!r}")
        self.backend, self.directory, self.admin_dsn = backend, Path(directory), admin_dsn
        self.tag = f"{prefix}_{secrets.token_hex(4)}"
        self.urls: dict[str, str] = {}
        self.created: list[str] = []

    async def url(self, name: str) -> str:
        """The database called `name` in this run, made on first use."""
        if name not in self.urls:
            self.urls[name] = await self._make(name)
        return self.urls[name]

    def database_name(self, name: str) -> str:
        """The PostgreSQL database of `name` in this run."""
        return f"{self.tag}_{name}"

    async def _make(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite+aiosqlite:///{self.directory / f'{name}-{self.tag}.db'}"
        import asyncpg

        database = self.database_name(name)
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()
        self.created.append(database)
        base = self.admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        return f"{base}/{database}"

    async def drop_all(self) -> None:
        if not self.created:
            return
        import asyncpg

        conn = await asyncpg.connect(self.admin_dsn)
        try:
            for database in self.created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await conn.close()
        self.created.clear()
