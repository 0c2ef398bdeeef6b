"""The SQLite connection of every service (shared.db.SqliteConnection), on a real database file:
a write transaction's statements run on the event loop's thread, reads on the connection's own;
a lock held by someone else is waited for asleep, with the loop free, and given up on in time;
an insert handed straight to the driver (`insert_rows`, `insert_new`) writes what SQLAlchemy
would, raises what SQLAlchemy would, and steps aside while anyone listens to the statements."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError

import shared.db
from shared.db import Database, SqliteConnection, UTCDateTime, insert_into, insert_new, insert_rows

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


RECORDS = sa.Table(
    "records",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String, nullable=False, unique=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("detail", sa.JSON),
    sa.Column("note", sa.String),
    sa.Column("on", sa.Date),
    sa.Column("open", sa.Boolean),
)
AT = dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
async def records(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The table, and how many rows each insert handed straight to the driver carried."""
    async with db.transaction() as session:
        await session.run_sync(lambda s: RECORDS.create(s.connection()))
    straight: list[int] = []
    run_now = SqliteConnection.run_now

    def counted(self: SqliteConnection, statement, rows, *, returning):  # type: ignore[no-untyped-def]
        straight.append(len(rows))
        return run_now(self, statement, rows, returning=returning)

    monkeypatch.setattr(SqliteConnection, "run_now", counted)
    return straight


def record(key: str, **values: object) -> dict[str, object]:
    return {"key": key, "at": AT, "detail": {"规则": [1, "二"], "none": None}, "note": None, "on": dt.date(2026, 2, 28), "open": True, **values}


async def test_an_insert_straight_to_the_driver_stores_exactly_what_sqlalchemy_stores(db: Database, records: list[int]) -> None:
    async with db.transaction() as session:
        await insert_rows(session, RECORDS, [record("driver-1"), record("driver-2", detail=None, note="备注", on=None, open=False)])
        await session.execute(insert_into(RECORDS), [record("sqlalchemy-1"), record("sqlalchemy-2", detail=None, note="备注", on=None, open=False)])
    assert records == [2]
    async with db.reading() as session:
        stored = (await session.execute(sa.text("SELECT key, at, detail, note, \"on\", open FROM records ORDER BY id"))).all()
        read = (await session.execute(sa.select(RECORDS.c.at, RECORDS.c.detail, RECORDS.c.on).order_by(RECORDS.c.id))).all()
    assert [row[1:] for row in stored[:2]] == [row[1:] for row in stored[2:]]  # the same text in the file
    assert stored[0][1] == "2026-03-01 00:30:15.123456"  # in UTC
    assert read[0] == (AT, {"规则": [1, "二"], "none": None}, dt.date(2026, 2, 28)) and read[0].at.tzinfo is not None
    assert read[1].detail is None and read[3].detail is None


async def test_an_insert_of_new_rows_returns_those_written_and_skips_the_known(db: Database, records: list[int]) -> None:
    async with db.transaction() as session:
        assert await insert_new(session, RECORDS, [record("a"), record("b")], "key", "at") == [("a", AT), ("b", AT)]
    async with db.transaction() as session:
        assert await insert_new(session, RECORDS, [record("b"), record("c"), record("a")], "key") == [("c",)]
    assert records == [2, 3]
    async with db.reading() as session:
        assert (await session.execute(sa.select(RECORDS.c.key).order_by(RECORDS.c.key))).scalars().all() == ["a", "b", "c"]


async def test_a_refused_insert_raises_sqlalchemys_error_and_nothing_of_the_transaction_is_kept(db: Database, records: list[int]) -> None:
    async with db.transaction() as session:
        await insert_rows(session, RECORDS, [record("kept")])
    with pytest.raises(IntegrityError, match="UNIQUE"):
        async with db.transaction() as session:
            await insert_rows(session, RECORDS, [record("rolled-back")])
            await insert_rows(session, RECORDS, [record("kept")])
    assert records == [1, 1, 1]
    async with db.reading() as session:
        assert (await session.execute(sa.select(RECORDS.c.key))).scalars().all() == ["kept"]


async def test_while_anyone_listens_to_the_statements_inserts_go_through_sqlalchemy(db: Database, records: list[int]) -> None:
    seen: list[str] = []

    def listener(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement.split()[0])

    event.listen(db.engine.sync_engine, "before_cursor_execute", listener)
    try:
        async with db.transaction() as session:
            await insert_rows(session, RECORDS, [record("seen")])
            assert await insert_new(session, RECORDS, [record("seen"), record("new")], "key") == [("new",)]
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", listener)
    assert seen == ["INSERT", "INSERT"] and records == []
    async with db.transaction() as session:
        await insert_rows(session, RECORDS, [record("unseen")])
    assert seen == ["INSERT", "INSERT"] and records == [1]
