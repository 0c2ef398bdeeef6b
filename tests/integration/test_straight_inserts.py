"""Inserts handed straight to the driver (`shared.db.insert_rows`, `insert_new`), on each backend:
they store exactly what SQLAlchemy stores, return the rows that were new, raise SQLAlchemy's
errors with nothing of the transaction kept, and step aside while anyone listens to the statements
SQLAlchemy runs."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import shared.db
from shared.db import Database, UTCDateTime, insert_into, insert_new, insert_rows, inserts_together, unique_refused
from tests.conftest import BACKENDS, DatabaseSet

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
NOTES = sa.Table(
    "notes",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.String, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
)
AT = dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    databases = DatabaseSet(request.param, str(tmp_path))
    database = Database(await databases.url("records"))
    async with database.transaction() as session:
        await session.run_sync(lambda s: RECORDS.create(s.connection()))
    yield database
    await database.dispose()
    await databases.drop_all()


@pytest.fixture
def straight(monkeypatch: pytest.MonkeyPatch) -> list[int | str]:
    """How many rows each insert that went straight to the driver carried ("raised" for one the
    database refused there)."""
    counts: list[int | str] = []
    original = shared.db.straight_to_driver

    async def counted(session, insert, rows, *, returning):  # type: ignore[no-untyped-def]
        try:
            returned = await original(session, insert, rows, returning=returning)
        except IntegrityError:
            counts.append("raised")
            raise
        if returned is not None:
            counts.append(len(rows))
        return returned

    monkeypatch.setattr(shared.db, "straight_to_driver", counted)
    return counts


def record(key: str, **values: Any) -> dict[str, Any]:
    return {"key": key, "at": AT, "detail": {"规则": [1, "二"], "none": None}, "note": None, "on": dt.date(2026, 2, 28), "open": True, **values}


async def test_an_insert_straight_to_the_driver_stores_exactly_what_sqlalchemy_stores(db: Database, straight: list[int | str]) -> None:
    other = {"detail": None, "note": "备注", "on": None, "open": False}
    async with db.transaction() as session:
        await insert_rows(session, RECORDS, [record("driver-1")])
        await insert_rows(session, RECORDS, [record("driver-2", **other), record("driver-3")])
        await session.execute(insert_into(RECORDS), [record("sqlalchemy-1"), record("sqlalchemy-2", **other), record("sqlalchemy-3")])
    assert straight == [1, 2]
    text = "SELECT CAST(at AS TEXT), CAST(detail AS TEXT), note, CAST(\"on\" AS TEXT), CAST(open AS TEXT) FROM records ORDER BY id"
    async with db.reading() as session:
        stored = (await session.execute(sa.text(text))).all()
        read = (await session.execute(sa.select(RECORDS.c.at, RECORDS.c.detail, RECORDS.c.on, RECORDS.c.open).order_by(RECORDS.c.id))).all()
    assert stored[:3] == stored[3:]  # the same values in the database, whichever way they went
    assert read[0] == (AT, {"规则": [1, "二"], "none": None}, dt.date(2026, 2, 28), True) and read[0].at.tzinfo is not None
    assert read[1] == (AT, None, None, False)


async def test_an_insert_of_new_rows_returns_those_written_and_skips_the_known(db: Database, straight: list[int | str]) -> None:
    async with db.transaction() as session:
        assert await insert_new(session, RECORDS, [record("a")], "key", "at") == [("a", AT)]
    async with db.transaction() as session:
        assert await insert_new(session, RECORDS, [record("a")], "key") == []
        assert await insert_new(session, RECORDS, [record("b"), record("c"), record("a")], "key") == [("b",), ("c",)]
    assert straight[:2] == [1, 1]  # several rows returning values go through SQLAlchemy on PostgreSQL
    async with db.reading() as session:
        assert (await session.execute(sa.select(RECORDS.c.key).order_by(RECORDS.c.key))).scalars().all() == ["a", "b", "c"]
    # more rows than one statement takes parameters for: in several (on SQLite, its limit lowered
    # to twenty parameters, two rows of seven columns, so that this takes ten statements)
    many = [record(f"m{i:05}") for i in range(20)]
    async with db.transaction() as session:
        connection = (await session.connection()).sync_connection.connection.driver_connection  # type: ignore[union-attr]
        limit = connection._conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 20) if db.is_sqlite else None
        returned = await insert_new(session, RECORDS, [record("b"), *many, record("c")], "key")
        if limit is not None:
            connection._conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert sorted(returned) == [(r["key"],) for r in many]


async def test_a_refused_insert_raises_sqlalchemys_error_and_nothing_of_the_transaction_is_kept(db: Database, straight: list[int | str]) -> None:
    async with db.transaction() as session:
        await insert_rows(session, RECORDS, [record("kept")])
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await insert_rows(session, RECORDS, [record("rolled-back")])  # the transaction's first statement
            await insert_rows(session, RECORDS, [record("kept")])
    assert straight == [1, 1, "raised"]
    async with db.transaction() as session:  # the connection is fit for the next transaction
        await insert_rows(session, RECORDS, [record("next")])
    async with db.reading() as session:
        assert (await session.execute(sa.select(RECORDS.c.key).order_by(RECORDS.c.id))).scalars().all() == ["kept", "next"]


@pytest.mark.parametrize("db", [BACKENDS[1]], indirect=True)  # only a server's connection can be lost
async def test_a_connection_lost_before_the_first_statement_is_said_invalidated(db: Database, straight: list[int | str]) -> None:
    """The database went away between the pool's lending of the connection and the transaction's
    BEGIN: the error is SQLAlchemy's with the connection invalidated, which services answer 503,
    not the driver's own error, which they would answer 500."""
    with pytest.raises(DBAPIError) as raised:
        async with db.transaction() as session:
            raw = await (await session.connection()).get_raw_connection()
            raw.driver_connection.terminate()  # as a connection cut by the network
            await insert_rows(session, RECORDS, [record("lost")])
    assert raised.value.connection_invalidated
    async with db.transaction() as session:  # the pool lends a live connection next
        await insert_rows(session, RECORDS, [record("next")])
    async with db.reading() as session:
        assert (await session.execute(sa.select(RECORDS.c.key))).scalars().all() == ["next"]


async def test_while_anyone_listens_to_the_statements_inserts_go_through_sqlalchemy(db: Database, straight: list[int | str]) -> None:
    seen: list[str] = []

    def listener(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement.split()[0])

    event.listen(db.engine.sync_engine, "before_cursor_execute", listener)
    try:
        async with db.transaction() as session:
            await insert_rows(session, RECORDS, [record("seen")])
            assert await insert_new(session, RECORDS, [record("seen")], "key") == []
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", listener)
    assert seen.count("INSERT") == 2 and straight == []
    async with db.transaction() as session:
        await insert_rows(session, RECORDS, [record("unseen")])
    assert seen.count("INSERT") == 2 and straight == [1]


async def test_write_transactions_with_straight_inserts_leave_nothing_for_the_garbage_collector(db: Database, straight: list[int | str]) -> None:
    """A session that kept its transaction strongly (the transaction holds the session) made each
    write a reference cycle: dozens of objects a transaction left for the collector to find."""

    async def write(key: str) -> None:
        async with db.transaction() as session:
            await insert_rows(session, RECORDS, [record(key)])
            await insert_rows(session, RECORDS, [record(f"{key}-second")])

    await write("warm-up")
    gc.collect()
    gc.disable()
    try:
        for i in range(20):
            await write(f"write-{i}")
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert len(straight) == 42


class _Base(DeclarativeBase):
    pass


class Parent(_Base):
    __tablename__ = "parents"
    id: Mapped[int] = mapped_column(primary_key=True)


CHILDREN = sa.Table("children", _Base.metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("parent_id", sa.ForeignKey("parents.id"), nullable=False))


async def test_objects_the_session_holds_are_written_before_a_straight_insert_that_refers_to_them(db: Database, straight: list[int | str]) -> None:
    """As the session flushes before any statement of its own: the parent added to the session
    is in the database before the child row that refers to it (foreign keys are checked at once)."""
    async with db.transaction() as session:
        await session.run_sync(lambda s: _Base.metadata.create_all(s.connection()))
    async with db.transaction() as session:
        session.add(Parent(id=7))
        await insert_rows(session, CHILDREN, [{"parent_id": 7}])
    assert straight == [1]
    async with db.reading() as session:
        assert (await session.execute(sa.select(CHILDREN.c.parent_id))).scalars().all() == [7]


async def test_inserts_made_together_arrive_at_the_blocks_end_on_postgresql_in_one_statement(db: Database) -> None:
    async with db.transaction() as session:
        await session.run_sync(lambda s: NOTES.create(s.connection()))
    sent: list[str] = []  # what PostgreSQL was sent (asyncpg's query logger)
    async with db.transaction() as session:
        driver = (await session.connection()).sync_connection.connection.driver_connection  # type: ignore[union-attr]
        def log(logged: Any) -> None:
            sent.append(logged.query)

        if not db.is_sqlite:
            driver.add_query_logger(log)
        async with inserts_together(session):
            await insert_rows(session, RECORDS, [record("together-1"), record("together-2", note="第二")])
            await insert_rows(session, NOTES, [{"text": "审核", "at": AT}])
            assert (await session.execute(sa.select(sa.func.count()).select_from(RECORDS))).scalar_one() == 0  # not yet
        assert (await session.execute(sa.select(sa.func.count()).select_from(RECORDS))).scalar_one() == 2
        if not db.is_sqlite:
            driver.remove_query_logger(log)
    if not db.is_sqlite:
        assert len([q for q in sent if "INSERT" in q]) == 1, sent
    with pytest.raises(ValueError):
        async with db.transaction() as session, inserts_together(session):
            await insert_rows(session, NOTES, [{"text": "退回", "at": AT}])
            raise ValueError("refused before the block's end")
    async with db.reading() as session:
        rows = (await session.execute(sa.select(RECORDS.c.key, RECORDS.c.at, RECORDS.c.detail, RECORDS.c.note).order_by(RECORDS.c.key))).all()
        notes = (await session.execute(sa.select(NOTES.c.text, NOTES.c.at))).all()
    assert [tuple(r) for r in rows] == [
        ("together-1", AT, {"规则": [1, "二"], "none": None}, None),
        ("together-2", AT, {"规则": [1, "二"], "none": None}, "第二"),
    ]
    assert [tuple(n) for n in notes] == [("审核", AT)]


async def test_a_repeated_key_in_inserts_made_together_is_told_apart_and_nothing_of_the_block_is_kept(db: Database) -> None:
    async with db.transaction() as session:
        await session.run_sync(lambda s: NOTES.create(s.connection()))
        await insert_rows(session, RECORDS, [record("taken")])
    with pytest.raises(IntegrityError) as refused:
        async with db.transaction() as session, inserts_together(session):
            await insert_rows(session, NOTES, [{"text": "登记", "at": AT}])
            await insert_rows(session, RECORDS, [record("taken", note="again")])
    assert unique_refused(refused.value, RECORDS.c.key)
    assert not unique_refused(refused.value, RECORDS.c.id)
    with pytest.raises(IntegrityError) as missing:  # a refusal of another kind: a required value left out
        async with db.transaction() as session, inserts_together(session):
            await insert_rows(session, NOTES, [{"text": None, "at": AT}])
    assert not unique_refused(missing.value, NOTES.c.text)
    async with db.reading() as session:
        assert (await session.execute(sa.select(sa.func.count()).select_from(NOTES))).scalar_one() == 0
        assert (await session.execute(sa.select(RECORDS.c.note))).scalars().all() == [None]


@pytest.mark.parametrize("db", [BACKENDS[1]], indirect=True)  # SQLite has no such statement: it writes as usual
async def test_inserts_said_to_end_their_transaction_go_alone_when_they_are_also_its_first(db: Database) -> None:
    """On PostgreSQL a block said to end its transaction, with nothing before it, is one statement
    with no BEGIN and no COMMIT; with a statement before it, it is the transaction's last as usual;
    and a statement after it is refused at the commit."""
    async with db.transaction() as session:
        await session.run_sync(lambda s: NOTES.create(s.connection()))

    async def sent_by(*steps: Any) -> list[str]:
        sent: list[str] = []  # what PostgreSQL was sent (asyncpg's query logger)
        async with db.transaction() as session:
            driver = (await session.connection()).sync_connection.connection.driver_connection  # type: ignore[union-attr]

            def log(logged: Any) -> None:
                sent.append(logged.query)

            driver.add_query_logger(log)
            try:
                for step in steps:
                    await step(session)
            finally:
                driver.remove_query_logger(log)
        await asyncio.sleep(0)  # asyncpg calls its query loggers soon after, not at once
        return [q.split()[0].strip(";").upper() for q in sent]

    def together(key: str) -> Any:
        async def insert(session: Any) -> None:
            async with inserts_together(session, ends_transaction=True):
                await insert_rows(session, RECORDS, [record(key)])
                await insert_rows(session, NOTES, [{"text": key, "at": AT}])

        return insert

    async def read(session: Any) -> None:
        await session.execute(sa.select(sa.func.count()).select_from(NOTES))

    assert await sent_by(together("alone")) == ["WITH"]
    assert await sent_by(read, together("after-a-read")) == ["BEGIN", "WITH"]  # (the read is a prepared statement, which the logger is not told of)
    with pytest.raises(RuntimeError, match="after the one said to end the transaction"):
        await sent_by(together("then-a-read"), read)
    async with db.reading() as session:
        assert (await session.execute(sa.select(NOTES.c.text).order_by(NOTES.c.id))).scalars().all() == ["alone", "after-a-read", "then-a-read"]
