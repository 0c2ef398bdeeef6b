"""What every scenario is handed, and the database look-ups the measurements need."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from bench.model import BenchConfig
from bench.stage import Stage
from shared.db import Database


@dataclass
class Context:
    backend: str
    config: BenchConfig
    stage: Stage
    say: Callable[[str], None]

    @property
    def seconds(self) -> float:
        return self.config.seconds


@contextlib.asynccontextmanager
async def database(url: str) -> AsyncIterator[Database]:
    db = Database(url)
    try:
        yield db
    finally:
        await db.dispose()


def chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def column_by_uscc(db: Database, column: sa.ColumnElement, key: sa.ColumnElement, usccs: list[str]) -> dict[str, dt.datetime]:
    """{uscc: column} for the usccs that have a row (read in chunks)."""
    found: dict[str, dt.datetime] = {}
    async with db.reading() as session:
        for part in chunks(usccs):
            for k, v in (await session.execute(sa.select(key, column).where(key.in_(part)))).all():
                found[k] = v
    return found


async def count_in(db: Database, key: sa.ColumnElement, usccs: list[str]) -> int:
    n = 0
    async with db.reading() as session:
        for part in chunks(usccs):
            n += (await session.execute(sa.select(sa.func.count()).where(key.in_(part)))).scalar_one()
    return n


async def bulk_insert(db: Database, table: sa.Table, rows: list[dict], size: int = 5000) -> None:
    for i in range(0, len(rows), size):
        async with db.transaction() as session:
            await session.execute(sa.insert(table), rows[i : i + size])
