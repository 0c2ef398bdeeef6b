"""One async engine and session factory per service database (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from operator import itemgetter
from typing import Any

import aiosqlite
import asyncpg
import orjson
from sqlalchemy import BigInteger, Boolean, Column, DateTime, Integer, String, Table, bindparam, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_

READ_ONLY = "tuoyu_read_only"
_writing: ContextVar[bool] = ContextVar("tuoyu_writing", default=False)


class DatabaseBusy(TimeoutError):
    """The database is held by another process: the write is refused now (503), not queued."""


# Set in `session.info` by whoever writes to the outbox, so the relay is woken by the commit.
WOKE_BY_COMMIT = "tuoyu_wake_on_commit"

# Auto-increment keys: BIGINT on PostgreSQL, INTEGER PRIMARY KEY (the rowid) on SQLite.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

    def bind_processor(self, dialect):  # type: ignore[no-untyped-def]
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        # SQLite keeps text, in the form SQLAlchemy's SQLite DATETIME writes and reads
        # (`2026-01-31 08:00:00.000000`): made here in one step, not converted and then formatted
        # field by field — the two steps were 5.5% of the health inbox's samples behind a backlog.
        # The rows of a batch mostly carry the same instant (one `utcnow()` for all): the last
        # instant's text is kept and given again.
        check = self.process_bind_param
        last: tuple[dt.datetime | None, str] = (None, "")

        def process(value: dt.datetime | None) -> str | None:
            nonlocal last
            if value is None:
                return None
            if value == last[0]:  # the same instant (never true for a naive time against an aware one)
                return last[1]
            text = check(value, dialect).replace(tzinfo=None).isoformat(" ", "microseconds")  # type: ignore[union-attr]
            last = (value, text)
            return text

        return process


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _TextList(TypeDecorator[list[str]]):
    """A list of strings bound as one parameter: an array on PostgreSQL, a JSON array on SQLite."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect):  # type: ignore[no-untyped-def]
        return dialect.type_descriptor(postgresql.ARRAY(String) if dialect.name == "postgresql" else String())

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        return list(value) if dialect.name == "postgresql" else orjson.dumps(list(value)).decode()


_TEXT_LIST = _TextList()


class AnyOf(ColumnElement[bool]):
    """`column IN values` for a list as long as a batch, bound as one parameter (`any_of`)."""

    inherit_cache = True
    type = Boolean()
    # A condition in itself: without this SQLite is given `(column IN …) = 1`, which no index
    # serves — a whole-table scan at each batch of a consumer.
    _is_implicitly_boolean = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("values", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[str], values: list[str]) -> None:
        self.column = column
        self.values = bindparam(None, values, type_=_TEXT_LIST)


def any_of(column: ColumnElement[str], values: list[str]) -> AnyOf:
    """`column IN values` for a text column and a list whose length comes from the data (a batch's
    USCCs, say). SQLAlchemy's `in_` renders a placeholder per value at each execution — on
    PostgreSQL each with its cast, a tenth of a consumer's time behind a backlog — and every new
    length is a new statement for the server to prepare; this is one statement, one parameter."""
    return AnyOf(column, values)


@compiles(AnyOf)
def _any_of_sqlite(element: AnyOf, compiler, **kw) -> str:  # type: ignore[no-untyped-def]
    return f"{compiler.process(element.column, **kw)} IN (SELECT value FROM json_each({compiler.process(element.values, **kw)}))"


@compiles(AnyOf, "postgresql")
def _any_of_postgresql(element: AnyOf, compiler, **kw) -> str:  # type: ignore[no-untyped-def]
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.values, **kw)})"


def keyset(query: Select[Any], key: ColumnElement[Any], after: str | None, limit: int) -> Select[Any]:
    """A page of a list (DESIGN §7) in `key` order: the rows after `after`, the last key of the
    previous page (an index on the filters and `key` serves it, however deep the page)."""
    if after:
        query = query.where(key > after)
    return query.order_by(key).limit(limit)


async def keyset_page(session: AsyncSession, query: Select[Any], key: ColumnElement[Any], after: str | None, limit: int) -> list[Any]:
    """The entities of a `keyset` page."""
    return list((await session.execute(keyset(query, key, after, limit))).scalars())


@cache
def insert_into(table: Table) -> Insert:
    """`INSERT INTO table` (values given at execution), built once: a new statement each call,
    with the cache key SQLAlchemy works out for it, cost some 16–28 µs a write."""
    return table.insert()


_TOGETHER = "tuoyu_inserts_together"


async def insert_rows(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """`INSERT INTO table` of `rows` (dicts with the same keys), in the session's transaction; inside
    `inserts_together`, at the end of that block."""
    if (together := session.info.get(_TOGETHER)) is not None:
        together.append((table, rows))
        return
    insert = insert_into(table)
    if rows and await straight_to_driver(session, insert, rows, returning=False) is None:
        await session.execute(insert, rows)


class inserts_together:  # noqa: N801 - used as a function: `async with inserts_together(session)`
    """The `insert_rows` made inside, sent when the block ends: on PostgreSQL as one statement (a
    round trip instead of one each: a change's audit record and its event are two), elsewhere one
    after the other. The rows are not in their tables until then; a block that raises inserts none.

    With `ends_transaction`, the caller says the block's statement is its transaction's last. When
    it is also the first (nothing has begun the transaction), on PostgreSQL it is sent alone, with
    no BEGIN before it and no COMMIT after: the server applies one statement whole or not at all, a
    transaction of its own, and the round trips of a registration go from three to one. A statement
    made in the session after it would not be in that transaction: the commit refuses it (`_committed`).
    (A class, not a generator: it is on every write's path.)"""

    __slots__ = ("ends_transaction", "pending", "session")

    def __init__(self, session: AsyncSession, *, ends_transaction: bool = False) -> None:
        self.session = session
        self.ends_transaction = ends_transaction
        self.pending: list[tuple[Table, list[dict[str, Any]]]] | None = None

    async def __aenter__(self) -> None:
        if _TOGETHER not in self.session.info:  # else inside another such block: its end sends them
            self.pending = self.session.info[_TOGETHER] = []

    async def __aexit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        if self.pending is None:
            return
        del self.session.info[_TOGETHER]
        pending = [(table, rows) for table, rows in self.pending if rows]
        if error_type is not None or not pending:
            return
        if (len(pending) > 1 or self.ends_transaction) and await _together_on_asyncpg(self.session, pending, alone=self.ends_transaction):
            return
        for table, rows in pending:
            await insert_rows(self.session, table, rows)


async def insert_new(session: AsyncSession, table: Table, rows: list[dict[str, Any]], *returning: str) -> list[tuple[Any, ...]]:
    """`INSERT … ON CONFLICT DO NOTHING RETURNING` the named columns: rows whose key the table
    already holds are skipped, and the rows returned (in no set order) are the ones that were new.
    The unique key decides, so two transactions writing the same key at once cannot both succeed."""
    if not rows:
        return []
    insert = _insert_new(session.get_bind().dialect.name, table, returning)
    if (returned := await straight_to_driver(session, insert, rows, returning=True)) is not None:
        return returned
    return [tuple(r) for r in (await session.execute(insert, rows)).all()]


def unique_refused(error: IntegrityError, column: Column[Any]) -> bool:
    """Whether `error` is the unique key on `column` refusing a value the table holds already
    (the drivers word it differently): an insert that may repeat a key is sent as it is, and this
    tells its one expected refusal from any other."""
    cause = error.orig.__cause__ if error.orig is not None else None
    if isinstance(cause, asyncpg.UniqueViolationError):
        return cause.table_name == column.table.name and (cause.detail or "").startswith(f"Key ({column.name})=")
    return str(error.orig) == f"UNIQUE constraint failed: {column.table.name}.{column.name}"


@cache
def _insert_new(dialect: str, table: Table, returning: tuple[str, ...]) -> Insert:
    # One statement object each, built once: a new one each call, with the cache key SQLAlchemy
    # works out for it, cost some 16 µs a registration (the key is kept on the object).
    insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table).on_conflict_do_nothing()
    return insert.returning(*(table.c[name] for name in returning)) if returning else insert


@dataclass(frozen=True)
class DriverInsert:
    """An insert compiled once for the driver, with what turns a row into its parameters (the
    columns' own conversions, as SQLAlchemy applies them) and the returned values into Python's."""

    sql: str
    columns: tuple[str, ...]  # the columns of the statement's placeholders, in their order
    values: Callable[[dict[str, Any]], tuple[Any, ...]]  # a row's values, in that order
    converts: tuple[tuple[int, Callable[[Any], Any]], ...]  # the placeholders whose values are converted, and how
    returns: tuple[Callable[[Any], Any] | None, ...]

    def parameters(self, rows: list[dict[str, Any]]) -> list[Sequence[Any]]:
        return [self._parameters(row) for row in rows]

    def _parameters(self, row: dict[str, Any]) -> Sequence[Any]:
        values = self.values(row)
        if not self.converts:
            return values
        converted = list(values)
        for i, convert in self.converts:
            converted[i] = convert(converted[i])
        return converted

    def returned(self, rows: list[Any]) -> list[tuple[Any, ...]]:
        return [tuple(v if f is None else f(v) for v, f in zip(r, self.returns, strict=True)) for r in rows]


@cache
def _driver_insert(dialect: Dialect, insert: Insert, keys: tuple[str, ...]) -> DriverInsert | None:
    """`insert` for rows with these keys, compiled for the driver; None when SQLAlchemy would add
    something the driver would not (a default worked out in Python, say): those go through it."""
    compiled = insert.compile(dialect=dialect, column_keys=list(keys))
    order = tuple(compiled.positiontup or ())
    if not order or compiled.insert_prefetch or sorted(order) != sorted(keys):
        return None
    columns = compiled.effective_returning or ()
    return DriverInsert(
        compiled.string,
        order,
        itemgetter(*order) if len(order) > 1 else lambda row: (row[order[0]],),
        tuple((i, f) for i, k in enumerate(order) if (f := compiled.binds[k].type.dialect_impl(dialect).bind_processor(dialect)) is not None),
        tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns),
    )


async def straight_to_driver(session: AsyncSession, insert: Insert, rows: list[dict[str, Any]], *, returning: bool) -> list[tuple[Any, ...]] | None:
    """Run an insert of `rows` in the session's transaction straight on the driver's connection;
    None when it was left to SQLAlchemy. SQLAlchemy's statement execution and the session cost
    more than the statement: a registration's three inserts taken straight, 3.97M → 3.28M
    instructions (`python -m bench.inprocess --instructions`, bench/README.md). Objects the
    session holds unwritten are flushed first, as the session does before any statement (a row
    inserted here may refer to them). Left to SQLAlchemy
    while anyone listens to the statements it runs (an echo, a `before_cursor_execute` hook: they
    would miss these), for a SQLite transaction that is not writing (its statements go to the
    connection's thread), and for several rows returning values on PostgreSQL (SQLAlchemy sends
    them as one statement, the driver one a row)."""
    connection = await _connection_of(session)
    if _watched(connection) or (statement := _driver_insert(connection.dialect, insert, tuple(rows[0]))) is None:
        return None
    await _flush_held(session)
    pooled = connection.connection
    if isinstance(driver := pooled.driver_connection, SqliteConnection):
        return driver.run_now(statement, statement.parameters(rows), returning=returning) if driver.on_loop else None
    if isinstance(adapted := pooled.dbapi_connection, AsyncAdapt_asyncpg_connection) and not (returning and len(rows) > 1):
        return await _run_on_asyncpg(session, adapted, statement.sql, statement.parameters(rows), statement.returned if returning else None)
    return None


def _watched(connection: Connection) -> bool:
    """Whether anyone listens to the statements SQLAlchemy runs on it (an echo, a cursor hook)."""
    return bool(connection._echo or connection.dispatch.before_cursor_execute or connection.dispatch.after_cursor_execute)


async def _flush_held(session: AsyncSession) -> None:
    """As the session does before any statement: the objects it holds unwritten are written first."""
    sync_session = session.sync_session
    if sync_session.autoflush and not sync_session._is_clean():
        await session.flush()


# PostgreSQL's limit on a statement's parameters
_MOST_PARAMETERS = 32767


async def _together_on_asyncpg(session: AsyncSession, pending: list[tuple[Table, list[dict[str, Any]]]], *, alone: bool) -> bool:
    """Several tables' rows as one statement on asyncpg (`WITH w0 AS (INSERT …) … INSERT …`), with
    `alone` a transaction of its own when none has begun (`inserts_together`); False when that is
    not for this connection or these rows."""
    connection = await _connection_of(session)
    adapted = connection.connection.dbapi_connection
    if not isinstance(adapted, AsyncAdapt_asyncpg_connection) or _watched(connection):
        return False
    sql = _together_sql(connection.dialect, tuple((table, tuple(rows[0]), len(rows)) for table, rows in pending))
    if sql is None:
        return False
    parameters: list[Any] = []
    for table, rows in pending:
        single = _driver_insert(connection.dialect, insert_into(table), tuple(rows[0]))
        assert single is not None
        for values in single.parameters(rows):
            parameters.extend(values)
    await _flush_held(session)
    if alone and adapted._transaction is None:
        session.info[_SENT_ALONE] = adapted
        await _run_on_asyncpg(session, adapted, sql, [parameters], begin=False)
    else:
        await _run_on_asyncpg(session, adapted, sql, [parameters])
    return True


@cache
def _together_sql(dialect: Dialect, shapes: tuple[tuple[Table, tuple[str, ...], int], ...]) -> str | None:
    """One statement inserting each (table, keys, row count): data-modifying CTEs, each table's rows
    in one VALUES list, the placeholders numbered across them."""
    quote, parts, used = dialect.identifier_preparer, [], 0
    for table, keys, count in shapes:
        single = _driver_insert(dialect, insert_into(table), keys)
        if single is None:
            return None
        width = len(single.columns)
        rows = ", ".join("(" + ", ".join(f"${used + r * width + c + 1}" for c in range(width)) + ")" for r in range(count))
        used += width * count
        parts.append(f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(table.c[key].name) for key in single.columns)}) VALUES {rows}")
    if used > _MOST_PARAMETERS:
        return None
    *first, last = parts
    return "WITH " + ", ".join(f"w{i} AS ({part})" for i, part in enumerate(first)) + " " + last


_CONNECTION = "tuoyu_connection"
_SENT_ALONE = "tuoyu_sent_alone"  # the asyncpg connection a statement went alone on (`inserts_together`)


async def _connection_of(session: AsyncSession) -> Connection:
    """The connection of the session's transaction, kept in the session for the transaction's
    later inserts. The transaction is held weakly: held strongly it would make a reference cycle
    (it holds the session), and every session would wait for the garbage collector."""
    transaction = session.sync_session.get_transaction()
    known = session.info.get(_CONNECTION)
    if known is not None and transaction is not None and known[0]() is transaction:
        return known[1]
    connection = (await session.connection()).sync_connection
    assert connection is not None
    session.info[_CONNECTION] = (weakref.ref(session.sync_session.get_transaction()), connection)
    return connection


async def _run_on_asyncpg(
    session: AsyncSession,
    adapted: AsyncAdapt_asyncpg_connection,
    sql: str,
    parameters: list[Sequence[Any]],
    returned: Callable[[list[Any]], list[tuple[Any, ...]]] | None = None,
    *,
    begin: bool = True,
) -> list[tuple[Any, ...]]:
    """An insert on asyncpg's connection, in the transaction SQLAlchemy's adapter keeps for it
    (begun now if no statement has begun it yet; unless not to `begin`, when the statement is a
    transaction of its own); with `returned`, the rows it returns, converted.
    Its errors are raised as SQLAlchemy's, and a connection they say is lost is invalidated, as
    SQLAlchemy does: the pool opens a new one."""
    try:
        return await _execute_on_asyncpg(adapted, sql, parameters, returned, begin)
    except DBAPIError as error:
        if error.connection_invalidated:
            await (await session.connection()).invalidate(error)
        raise


async def _execute_on_asyncpg(
    adapted: AsyncAdapt_asyncpg_connection,
    sql: str,
    parameters: list[Sequence[Any]],
    returned: Callable[[list[Any]], list[tuple[Any, ...]]] | None,
    begin: bool,
) -> list[tuple[Any, ...]]:
    asyncpg_connection = adapted.driver_connection
    async with adapted._execute_mutex:
        try:
            if begin and adapted._transaction is None:
                await adapted._start_transaction()  # its errors too: a connection lost since the pool lent it
            if returned is not None:
                return returned(await asyncpg_connection.fetch(sql, *parameters[0]))
            if len(parameters) == 1:
                await asyncpg_connection.execute(sql, *parameters[0])
            else:
                await asyncpg_connection.executemany(sql, parameters)
            return []
        except Exception as error:
            try:
                adapted._handle_exception(error)  # raises it as the adapter's DB-API error
            except adapted.dbapi.Error as translated:
                # a connection that is gone is said so, as SQLAlchemy says it
                gone = asyncpg_connection.is_closed()
                raise DBAPIError.instance(sql, parameters, translated, adapted.dbapi.Error, connection_invalidated=gone) from error
            raise


class SqliteConnection(aiosqlite.Connection):
    """aiosqlite's connection, with two changes for a service's database.

    - A write transaction's statements run on the event loop's own thread. aiosqlite hands every
      call (cursor, execute, fetch, commit) to the connection's thread and back; a registration's
      transaction makes some twenty such calls, and under load the hand-overs cost more CPU and
      time than the statements (measured: bench/README.md), all of it while the one write lock is
      held. Writes are short and take their turn anyway; reads, which can be long (reports), stay
      on the thread so that the loop keeps answering meanwhile.
    - Nobody waits for a lock inside SQLite (busy timeout 0): a statement refused because another
      process holds the database is retried here, asleep in the event loop, until `LOCK_WAIT_S`.
      Retrying is right for the statements that can meet a lock in WAL mode — the BEGIN IMMEDIATE
      of a writer (see `_on_begin`), a reader's first read, a COMMIT — and a refusal that retrying
      cannot cure (SQLITE_BUSY_SNAPSHOT) is raised at once.
    """

    on_loop = False  # set at each BEGIN (`_on_begin`): True for a write transaction

    async def run(self, sql: str) -> None:
        """A statement without parameters or rows (transaction control), run by the driver without
        SQLAlchemy's cursor and result."""
        await self._execute(self._conn.execute, sql)

    def run_now(self, statement: DriverInsert, parameters: list[Sequence[Any]], *, returning: bool) -> list[tuple[Any, ...]]:
        """An insert in this write transaction, on the loop's thread (`straight_to_driver`): the
        write lock is held, so SQLite cannot refuse it for a lock. Errors are raised as SQLAlchemy's."""
        try:
            if not returning:
                self._conn.executemany(statement.sql, parameters)
                return []
            # SQLite gives no rows back from executemany: the rows go in one VALUES list, a statement
            # where there was one a row (a consumer's claim of its batch: five hundred)
            width, returned = len(statement.columns), []
            step = self._conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width  # rows a statement takes
            for first in range(0, len(parameters), step):
                chunk = parameters[first : first + step]
                flat = [value for row in chunk for value in row]
                returned += self._conn.execute(_rows_sql(statement.sql, width, len(chunk)), flat).fetchall()
        except sqlite3.Error as exc:
            raise DBAPIError.instance(statement.sql, parameters, exc, sqlite3.Error) from exc
        return statement.returned(returned)

    async def _execute(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        deadline = None
        while True:
            try:
                if self.on_loop:
                    return fn(*args, **kwargs)
                return await super()._execute(fn, *args, **kwargs)
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", None) not in LOCK_REFUSALS:
                    raise
                now = time.monotonic()
                deadline = deadline or now + LOCK_WAIT_S
                if now >= deadline:
                    raise
                await asyncio.sleep(LOCK_RETRY_S)


@lru_cache(maxsize=64)
def _rows_sql(sql: str, width: int, count: int) -> str:
    """`sql`, SQLite's insert of one row of `width` values, made an insert of `count` rows."""
    one = "(" + ", ".join("?" * width) + ")"
    return sql.replace(one, ", ".join([one] * count), 1) if count > 1 else sql


# SQLITE_BUSY and SQLITE_BUSY_RECOVERY: the lock is held now and will be let go.
LOCK_REFUSALS = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY})
LOCK_WAIT_S = 5.0  # less than the gateway waits for an answer
LOCK_RETRY_S = 0.005


def _sqlite_connector(url: str) -> Callable[[], Awaitable[SqliteConnection]]:
    database = make_url(url).database or ":memory:"

    async def connect() -> SqliteConnection:
        # check_same_thread: the connection is opened on its thread and used on the loop's too,
        # one call at a time (a pooled connection belongs to one session).
        connection = SqliteConnection(partial(sqlite3.connect, database, timeout=0, check_same_thread=False), iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy does: an unclosed connection does not hold the process open
        return await connection

    return connect


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=0")  # waiting for a lock is SqliteConnection's
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # Let SQLAlchemy, not the driver, emit BEGIN (the recipe of SQLAlchemy's SQLite dialect).
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # A writing transaction takes the write lock at BEGIN: one that reads first and writes
        # later would fail with SQLITE_BUSY when another writer got in between, instead of
        # waiting its turn. Readers begin deferred and never wait in WAL mode.
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        driver: SqliteConnection = conn.connection.driver_connection
        driver.on_loop = not read_only
        # Straight to the driver: through SQLAlchemy's statement execution a BEGIN cost some
        # 50 µs of CPU, SQLite itself a few, and every transaction takes one.
        statement = "BEGIN" if read_only else "BEGIN IMMEDIATE"
        try:
            await_(driver.run(statement))
        except sqlite3.Error as exc:
            raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# JSON columns written and read with orjson, not the standard library's json (a registration has
# three such values, the event's payload aside).
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def make_engine(url: str, *, pool_size: int = 20) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, async_creator=_sqlite_connector(url), **_JSON)
        _tune_sqlite(engine)
        return engine
    # Up to `pool_size` connections, all kept once opened: connections beyond the kept ones (the
    # pool's overflow) were closed as soon as they were returned, and under sixteen writers a
    # service opened and closed connections all the time (a server process forked for each).
    # A database that does not answer within seconds is down: say so (503) before the gateway's
    # own timeout turns it into a 504.
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=5, connect_args={"timeout": 5}, **_JSON)
    _ping_when_idle(engine)
    return engine


PING_WHEN_IDLE_S = 1.0
_CHECKED_IN_AT = "tuoyu_checked_in_at"


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a pooled PostgreSQL connection before use only when it has been idle for more than
    `PING_WHEN_IDLE_S`, and replace it when the ping fails. SQLAlchemy's `pool_pre_ping` pings at
    every checkout, and the driver's ping is three round trips (BEGIN, a query, ROLLBACK): on a
    busy machine more than the transaction it precedes. A connection that answered a moment ago is
    used as it is; should the server have gone away since, that statement fails, the pool is
    invalidated, and the caller's usual answer to a database that is down applies (503, a retry)."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        checked_in_at = record.info.get(_CHECKED_IN_AT)  # none yet: connected just now
        if checked_in_at is not None and time.monotonic() - checked_in_at > PING_WHEN_IDLE_S:
            try:
                dbapi_connection.ping()
            except Exception as exc:
                raise DisconnectionError("the connection did not answer its ping") from exc


@asynccontextmanager
async def _committed(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """The session's transaction, committed on exit (rolled back on an error), and the session
    closed here rather than by `async with session`: SQLAlchemy closes a session in a task of its
    own, shielded from cancellation, and so every write transaction lasted a turn of the event loop
    more — on SQLite with the write lock held, each writer waiting a turn for the one before (in
    process, under sixteen writers, 73% of the loop's turns had the lock held). The transaction is
    over when the session closes, so closing it does no I/O (the connection goes back to the pool
    as it is, or stays the SQLite writer's): a cancellation has nowhere to land."""
    try:
        async with session.begin():
            yield session
            if (adapted := session.info.get(_SENT_ALONE)) is not None:
                _nothing_after_the_last(session, adapted)
    finally:
        await session.close()


def _nothing_after_the_last(session: AsyncSession, adapted: AsyncAdapt_asyncpg_connection) -> None:
    """A statement said to end its transaction went as a transaction of its own
    (`inserts_together`): one made after it would be in another, so the commit refuses both the
    statement and what the session would write at commit."""
    if adapted._transaction is not None or not session.sync_session._is_clean():
        raise RuntimeError("a statement after the one said to end the transaction (inserts_together(ends_transaction=True))")


class Database:
    """A service's database: the engine, its sessions, and hooks run after a commit that wrote
    to the outbox (the relay wakes on them instead of polling)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._write_lock = asyncio.Lock() if url.startswith("sqlite") else None
        self._busy_until = 0.0
        self._writer: AsyncConnection | None = None  # SQLite: the one write connection (`_write_connection`)
        self._commit_hooks: list[Callable[[], None]] = []

        class ServiceSession(Session):
            pass

        @event.listens_for(ServiceSession, "after_commit")
        def _after_commit(session: Session) -> None:
            if session.info.pop(WOKE_BY_COMMIT, False):
                for hook in self._commit_hooks:
                    hook()

        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, sync_session_class=ServiceSession)
        self.readers = async_sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False, sync_session_class=ServiceSession
        )

    def on_commit(self, hook: Callable[[], None]) -> None:
        self._commit_hooks.append(hook)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on exit and rolls back on any error.

        SQLite has one writer: this process's writers queue here, in the event loop, instead of
        each holding a connection in BEGIN IMMEDIATE until SQLite's busy timeout gives up on it.
        (Another process holding the lock still meets the busy timeout: that is a database away.)
        """
        if self._write_lock is None:
            async with _committed(self.sessions()) as session:
                yield session
            return
        if _writing.get():
            raise RuntimeError("a write transaction inside another on the same SQLite database would wait for itself")
        async with self._write_lock:
            # Another process holds the database (SQLite's busy timeout just ran out for the writer
            # before us): the queue answers at once rather than each waiting out the timeout again.
            if time.monotonic() < self._busy_until:
                raise DatabaseBusy("the database is locked by another process")
            token = _writing.set(True)
            try:
                async with _committed(self.sessions(bind=await self._write_connection())) as session:
                    yield session
            except OperationalError as exc:
                if "locked" in str(exc.orig):
                    self._busy_until = time.monotonic() + 1.0
                raise
            finally:
                _writing.reset(token)

    async def _write_connection(self) -> AsyncConnection:
        """SQLite's one writer keeps its connection between transactions: taking it from the pool
        and giving it back (the pool's events, its reset) cost 6% of a registration's path
        (`python -m bench.inprocess --instructions`: 3.01M → 2.83M). A connection left inside a
        transaction (its rollback interrupted) is rolled back first, and a lost one replaced."""
        writer = self._writer
        if writer is None or writer.invalidated or writer.closed:
            writer = self._writer = await self.engine.connect()
        elif writer.in_transaction():
            await writer.rollback()
        return writer

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only (on SQLite it never waits for the write lock)."""
        async with self.readers() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        if self._writer is not None:
            await self._writer.close()
            self._writer = None
        await self.engine.dispose()
