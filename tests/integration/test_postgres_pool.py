"""Pooled PostgreSQL connections: pinged before use only after being idle, and a connection that
died while idle is replaced before the work that needed it (shared.db._ping_when_idle)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

import shared.db
from shared.db import Database
from tests.conftest import POSTGRES_ADMIN_DSN, POSTGRES_UP, DatabaseSet

pytestmark = pytest.mark.skipif(not POSTGRES_UP, reason="PostgreSQL run NOT run: the server does not answer")


async def _backend_pid(db: Database) -> int:
    async with db.reading() as session:
        return (await session.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()


async def test_a_connection_is_pinged_only_after_idling_and_replaced_when_it_died(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(shared.db, "PING_WHEN_IDLE_S", 0.3)
    pings: list[object] = []
    original_ping = AsyncAdapt_asyncpg_connection.ping

    def counted_ping(self):  # type: ignore[no-untyped-def]
        pings.append(self)
        return original_ping(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counted_ping)
    databases = DatabaseSet("postgresql", str(tmp_path))
    db = Database(await databases.url("pool"))
    try:
        first = await _backend_pid(db)
        assert await _backend_pid(db) == first and pings == []  # used a moment ago: no ping

        await asyncio.sleep(0.5)
        assert await _backend_pid(db) == first and len(pings) == 1  # idle: pinged, alive, kept

        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        await asyncio.sleep(0.5)
        replaced = await _backend_pid(db)  # idle and dead: the ping fails, a new connection does the work
        assert replaced != first and len(pings) == 2
    finally:
        await db.dispose()
        await databases.drop_all()
