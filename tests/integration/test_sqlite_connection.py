"""The SQLite connection of every service (shared.db.SqliteConnection), on a real database file:
a write transaction's statements run on the event loop's thread, reads on the connection's own;
a lock held by someone else is waited for asleep, with the loop free, and given up on in time."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

import shared.db
from shared.db import Database

NOTES = sa.table("notes", sa.column("n", sa.Integer))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}")

    @event.listens_for(database.engine.sync_engine, "connect")
    def _thread_function(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.create_function("thread_id", 0, threading.get_ident)

    async with database.transaction() as session:
        await session.execute(sa.text("CREATE TABLE notes (n INTEGER)"))
    yield database
    await database.dispose()


def other_process(db: Database) -> sqlite3.Connection:
    """A plain connection of its own to the file, as another process would hold it."""
    connection = sqlite3.connect(sa.make_url(db.url).database, isolation_level=None, timeout=0)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


async def test_a_write_runs_on_the_loop_thread_and_a_read_on_the_connection_thread(db: Database) -> None:
    loop_thread = threading.get_ident()
    async with db.transaction() as session:
        in_write = (await session.execute(sa.text("SELECT thread_id()"))).scalar_one()
        await session.execute(sa.insert(NOTES).values(n=1))
    async with db.reading() as session:
        in_read = (await session.execute(sa.text("SELECT thread_id()"))).scalar_one()
        assert (await session.execute(sa.select(sa.func.count()).select_from(NOTES))).scalar_one() == 1
    assert in_write == loop_thread
    assert in_read != loop_thread


async def test_a_write_transaction_is_over_within_one_turn_of_the_loop(db: Database) -> None:
    """Its statements and commit run on the loop's thread, and nothing in it waits: so the write
    lock is never held while the loop serves others, and no writer waits a turn for the one before."""

    async def write(n: int) -> None:
        async with db.transaction() as session:
            await session.execute(sa.insert(NOTES).values(n=n))

    writers = [asyncio.create_task(write(n)) for n in range(3)]
    await asyncio.sleep(0)  # one turn: each task takes its first (and only) step
    assert all(w.done() for w in writers)
    async with db.reading() as session:
        assert sorted((await session.execute(sa.select(NOTES.c.n))).scalars()) == [0, 1, 2]


async def test_a_writer_waits_for_a_lock_held_elsewhere_without_holding_up_the_loop(db: Database) -> None:
    holder = other_process(db)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO notes VALUES (100)")

    async def write() -> None:
        async with db.transaction() as session:
            await session.execute(sa.insert(NOTES).values(n=1))

    writer = asyncio.create_task(write())
    ticks = 0
    started = time.monotonic()
    while time.monotonic() - started < 0.3:
        await asyncio.sleep(0.01)
        ticks += 1
    assert not writer.done()  # still waiting for the lock ...
    assert ticks >= 10  # ... while the loop went on with other work
    async with db.reading() as session:  # readers are not held up either (WAL)
        assert (await session.execute(sa.select(sa.func.count()).select_from(NOTES))).scalar_one() == 0
    holder.execute("COMMIT")
    await asyncio.wait_for(writer, 5)
    async with db.reading() as session:
        assert sorted((await session.execute(sa.select(NOTES.c.n))).scalars()) == [1, 100]
    holder.close()


async def test_a_writer_gives_up_when_the_lock_is_not_let_go_in_time(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared.db, "LOCK_WAIT_S", 0.2)
    holder = other_process(db)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"):
        async with db.transaction() as session:
            await session.execute(sa.insert(NOTES).values(n=1))
    assert 0.2 <= time.monotonic() - started < 2
    holder.execute("ROLLBACK")
    holder.close()
    async with db.reading() as session:
        assert (await session.execute(sa.select(sa.func.count()).select_from(NOTES))).scalar_one() == 0
    db._busy_until = 0.0  # past the second in which the queue answers "busy" at once
    async with db.transaction() as session:  # the writer's kept connection took the refusal and goes on
        await session.execute(sa.insert(NOTES).values(n=2))
    async with db.reading() as session:
        assert (await session.execute(sa.select(NOTES.c.n))).scalars().all() == [2]


async def test_a_write_after_a_failed_or_cancelled_one_commits_by_itself(db: Database) -> None:
    with pytest.raises(ValueError):
        async with db.transaction() as session:
            await session.execute(sa.insert(NOTES).values(n=1))
            raise ValueError("the request's rule refused it")

    async def cancelled() -> None:
        async with db.transaction() as session:
            await session.execute(sa.insert(NOTES).values(n=2))
            await asyncio.sleep(10)

    task = asyncio.create_task(cancelled())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with db.transaction() as session:
        await session.execute(sa.insert(NOTES).values(n=3))
    other = other_process(db)  # committed for everyone, not only visible to the writer's own connection
    assert [n for (n,) in other.execute("SELECT n FROM notes")] == [3]
    other.close()
