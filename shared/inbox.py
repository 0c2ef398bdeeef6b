"""The consumer runner: apply each event once, whatever the broker does (DESIGN §4, §8).

Events arrive two ways, both through `apply()`:
- Kafka, the fast path: a batch from `getmany`, applied in one transaction with the inbox rows
  of its event ids; offsets (`offset + 1`, for partitions still assigned) are committed only
  after that transaction — at most every `kafka_commit_interval_ms`, when the consumer finds
  nothing new, and when it stops. A crash in between means redelivery, which the inbox absorbs.
- the producers' feeds, the safety net: read from the last checkpoint at start-up, on a schedule
  and on demand, so a consumer that started late, or a broker that forgot, loses nothing.

A batch that fails is split: each event is retried alone with bounded back-off; one that still
fails is parked (table `dead_letter` and topic `<topic>.dlq`, with the original topic, partition,
offset and error) and the stream goes on. A parked event can be replayed once the cause is fixed.
Handlers are async and do only database work, so heartbeats never starve.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa
import structlog
from aiokafka.structs import OffsetAndMetadata
from opentelemetry.trace import Tracer
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus import MAX_POLL_RECORDS, Bus
from shared.db import Database, any_of, insert_new, insert_rows, utcnow
from shared.errors import UNREACHABLE
from shared.events.catalogue import dlq_topic, parse_data, spec_of
from shared.events.envelope import Event
from shared.feed import FeedClient
from shared.settings import Settings
from shared.tables import PlatformTables
from shared.telemetry import consuming

log = structlog.get_logger("tuoyu.inbox")

Handler = Callable[[AsyncSession, Event], Awaitable[None]]


Data = TypeVar("Data")


def applying(model: type[Data], command: Callable[[AsyncSession, Data], Awaitable[Any]]) -> Handler:
    """A handler that hands the event's data, read as its catalogued `model`, to `command`."""

    async def handle(session: AsyncSession, event: Event) -> None:
        data = data_of(session, event)
        if not isinstance(data, model):
            raise TypeError(f"{event.type} carries {type(data).__name__}, not {model.__name__}")
        await command(session, data)

    return handle


ManyHandler = Callable[[AsyncSession, list[Event]], Awaitable[None]]
MANY = "tuoyu_many"


def handling_many(handle_many: ManyHandler) -> Handler:
    """A handler for events that are best applied a batch at a time (one read, one multi-row insert):
    after the batch's other handlers, `handle_many(session, events)` gets all the batch's fresh
    events of its types, in the order they came; an event applied alone comes as a list of one."""

    async def handle(session: AsyncSession, event: Event) -> None:
        await handle_many(session, [event])

    setattr(handle, MANY, handle_many)
    return handle


Prefetch = Callable[[AsyncSession, list[Event]], Awaitable[None]]
PREFETCH = "tuoyu_prefetch"
BATCH = "tuoyu_batch"


@dataclass
class _Batch:
    """What a batch's handlers share in its session: the rows they insert, written together at the
    end (`insert_row`), and each event's data, read once (`data_of`)."""

    inserts: dict[sa.Table, list[dict[str, Any]]] = field(default_factory=dict)
    data: dict[Any, BaseModel] = field(default_factory=dict)


def data_of(session: AsyncSession, event: Event) -> BaseModel:
    """The event's data as its catalogued schema (`parse_data`), read once per batch however many
    of its prefetches and handlers ask."""
    batch: _Batch | None = session.info.get(BATCH)
    if batch is None:
        return parse_data(event)
    if (data := batch.data.get(event.id)) is None:
        data = batch.data[event.id] = parse_data(event)
    return data


def prefetching(prefetch: Prefetch) -> Callable[[Handler], Handler]:
    """Mark a handler with what it reads for a whole Kafka or feed batch at once: before the
    batch's handlers run, `prefetch(session, events)` is awaited once, in the batch's transaction,
    with the batch's fresh events of that handler, and may leave what it read in `session.info`
    for the handlers to use instead of a query per event. An event applied alone (a retry, a
    replay) runs its handler without it, so a handler must also work when nothing was prefetched."""

    def mark(handler: Handler) -> Handler:
        setattr(handler, PREFETCH, prefetch)
        return handler

    return mark


Row = TypeVar("Row")
ROWS = "tuoyu_rows"


def prefetch_rows(model: type, key_of: Callable[[BaseModel], str]) -> Prefetch:
    """A prefetch for handlers that keep one row of `model` per key of their events' data (a read
    model by USCC, say; `key_of` gives it, the model's primary key holds it): the batch's rows,
    locked, in one read. `row_for` then answers from it with no query per event, so the unit of
    work is not flushed before each of them, and `keep_row` makes a new row known to the batch's
    later events."""
    key = sa.inspect(model).primary_key[0]

    async def prefetch(session: AsyncSession, events: list[Event]) -> None:
        keys = sorted({key_of(data_of(session, e)) for e in events})
        rows = (await session.execute(sa.select(model).where(any_of(key, keys)).with_for_update())).scalars()
        known: dict[str, Any] = dict.fromkeys(keys)
        known.update({getattr(r, key.key): r for r in rows})
        session.info.setdefault(ROWS, {})[model] = known

    return prefetch


async def row_for(session: AsyncSession, model: type[Row], key: str) -> Row | None:
    """The row of `model` with this primary key, locked: from the batch's prefetch (`prefetch_rows`)
    when it read it, else from the database."""
    known = session.info.get(ROWS, {}).get(model)
    if known is not None and key in known:
        return known[key]
    return await session.get(model, key, with_for_update=True)


def keep_row(session: AsyncSession, row: Any) -> None:
    """Add a new row; later events of the batch find it with `row_for`."""
    session.add(row)
    known = session.info.get(ROWS, {}).get(type(row))
    if known is not None:
        known[sa.inspect(row).mapper.primary_key_from_instance(row)[0]] = row


async def insert_row(session: AsyncSession, table: sa.Table, row: dict[str, Any]) -> None:
    """Insert `row` into `table`: while a Kafka or feed batch is applied, together with the batch's
    other rows for that table, in one multi-row statement once its handlers are done (no unit of
    work, no ORM object per row: what keeps a consumer behind a backlog near the database's pace);
    an event applied alone inserts it now. The table does not hold the row until the batch ends, so
    a handler that reads it again within the batch keeps it itself (as its prefetch does)."""
    batch: _Batch | None = session.info.get(BATCH)
    if batch is None:
        await insert_rows(session, table, [row])
    else:
        batch.inserts.setdefault(table, []).append(row)


@dataclass
class Delivery:
    """One event as it arrived, with where it came from (for the dead-letter record)."""

    raw: dict[str, Any] | bytes
    topic: str
    partition: int | None = None
    offset: int | None = None
    event: Event | None = None
    error: str | None = None  # why the envelope itself could not be read
    data: BaseModel | None = None  # the event's data read as its schema ahead of its batch (`EventConsumer._read`)

    @classmethod
    def read(cls, raw: dict[str, Any] | bytes, topic: str, partition: int | None = None, offset: int | None = None) -> Delivery:
        try:
            event = Event.model_validate(raw) if isinstance(raw, dict) else Event.from_json(raw)
            return cls(raw, topic, partition, offset, event=event)
        except ValidationError as exc:
            return cls(raw, topic, partition, offset, error=f"unreadable envelope: {exc}")

    @cached_property  # asked for several times per event in a batch
    def event_id(self) -> str:
        if self.event is not None:
            return str(self.event.id)
        return f"{self.topic}:{self.partition}:{self.offset}"

    @property
    def payload_text(self) -> str:
        return self.raw.decode("utf-8", "replace") if isinstance(self.raw, bytes) else orjson.dumps(self.raw).decode()


@dataclass
class CatchUp:
    """What one pass over the feeds found: events read, and those the inbox lacked (missed by
    the broker, or not yet delivered by it), applied now."""

    started_at: dt.datetime = field(default_factory=utcnow)
    read: int = 0
    applied: list[Event] = field(default_factory=list)

    @property
    def subjects(self) -> list[str]:
        return list(dict.fromkeys(e.subject for e in self.applied))


CatchUpHook = Callable[[AsyncSession, CatchUp], Awaitable[None]]


class ReplayFailed(Exception):
    pass


def _topic_of(raw: dict[str, Any]) -> str:
    try:
        return spec_of(str(raw.get("type"))).topic
    except KeyError:
        return "unknown"


def _is_infrastructure(exc: BaseException) -> bool:
    """The database itself is down: not the event's fault, so never park for it."""
    return isinstance(exc, (OperationalError, *UNREACHABLE)) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


class PendingOffsets:
    """Offsets applied but not yet committed. Committing after every batch cost a request to the
    broker and a wait for its answer per batch — under a steady load, a batch is an event or two —
    for nothing the inbox does not already guarantee: events applied but not committed are
    delivered again and absorbed. So offsets are committed at most every `interval_s`, and at
    once when the consumer is idle or stops."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self.pending: dict[Any, OffsetAndMetadata] = {}
        self.committed_at = time.monotonic()

    def applied(self, batches: dict[Any, list[Any]]) -> None:
        for tp, msgs in batches.items():
            self.pending[tp] = OffsetAndMetadata(msgs[-1].offset + 1, "")

    def due(self, assigned: frozenset[Any], *, idle: bool = False) -> dict[Any, OffsetAndMetadata]:
        """The offsets to commit now (for partitions still assigned), and forgets them."""
        now = time.monotonic()
        if not self.pending or not (idle or now - self.committed_at >= self.interval_s):
            return {}
        due = {tp: offset for tp, offset in self.pending.items() if tp in assigned}
        self.pending.clear()
        self.committed_at = now
        return due


class Linger:
    """When to wait before the next fetch. At the head of a busy stream, each fetch returns what
    arrived since the last one: under the throughput bench's load, the health inbox fetched some
    thirty times a second, eight events a time, and the background consumers fifty events a
    time, and every fetch costs the consumer and the broker the same CPU whatever it holds
    (aiokafka: some 0.6 ms of the consumer's CPU a fetch; bench/README.md), as does every batch's transaction. So after
    a batch of at least `from_events` — events arriving faster than the consumer fetches — that is
    not full and whose newest event is fresh (the head of the stream, not a backlog, which goes
    flat out), the consumer's partitions are paused for its linger (`kafka_linger_ms`, or its fetch
    wait if longer): the next batch holds what arrived meanwhile. A lone event (a quiet stream)
    never waits."""

    def __init__(self, wait_s: float, from_events: int, full: int, fresh_s: float) -> None:
        self.wait_s, self.from_events, self.full = wait_s, from_events, full
        self.fresh_s = fresh_s  # a batch whose newest record is older is a backlog's

    def after(self, batches: dict[Any, list[Any]], now_ms: float) -> float:
        """Seconds to wait before fetching again after `batches` (0: fetch at once)."""
        size = sum(len(msgs) for msgs in batches.values())
        if not self.from_events <= size < self.full:
            return 0.0
        newest = max(msgs[-1].timestamp for msgs in batches.values())
        return self.wait_s if now_ms - newest < self.fresh_s * 1000 else 0.0


READ_TURN = 50  # records read between turns of the event loop


async def read_in_turns(records: list[Any], read: Callable[[Any, str, int, int], Delivery]) -> list[Delivery]:
    """A fetched batch's deliveries, `read(value, topic, partition, offset)` each, letting the loop
    turn after every `READ_TURN`. The next batch is read while the current one's transaction waits
    for the database; reading 500 envelopes and their data is some 20 ms of CPU, and read in one
    go it held the current batch back that long after the database had answered (behind a
    backlog on PostgreSQL the consumer's CPU and the server's then add up instead of overlapping)."""
    deliveries = []
    for i, record in enumerate(records):
        if i and not i % READ_TURN:
            await asyncio.sleep(0)
        deliveries.append(read(record.value, record.topic, record.partition, record.offset))
    return deliveries


class EventConsumer:
    def __init__(
        self,
        name: str,
        handlers: dict[str, Handler],
        *,
        db: Database,
        tables: PlatformTables,
        bus: Bus,
        settings: Settings,
        feeds: FeedClient | None = None,
        on_catch_up: CatchUpHook | None = None,
        tracer: Tracer | None = None,
        fetch_max_wait_ms: int | None = None,
    ) -> None:
        self.name = name  # also the consumer group: one per (service, purpose)
        self.handlers = handlers
        self.db, self.tables, self.bus, self.settings, self.feeds = db, tables, bus, settings, feeds
        self.topics = sorted({spec_of(t).topic for t in handlers})
        self.sources = sorted({spec_of(t).producer for t in handlers})
        self.on_catch_up = on_catch_up  # told, in a transaction, of a scheduled catch-up that applied something
        self.tracer = tracer
        self.fetch_max_wait_ms = fetch_max_wait_ms or settings.kafka_fetch_max_wait_ms  # not given: the prompt wait
        self.linger = Linger(
            max(self.fetch_max_wait_ms, settings.kafka_linger_ms) / 1000, settings.kafka_linger_from_events, MAX_POLL_RECORDS, settings.kafka_linger_fresh_ms / 1000
        )
        # What this process has seen, for operators and the chaos report: deliveries, events applied,
        # duplicates the inbox absorbed, events parked.
        self.stats = {"delivered": 0, "applied": 0, "duplicates": 0, "parked": 0, "broker_lag": 0}
        self.assigned: frozenset[Any] = frozenset()  # the partitions this instance holds now
        self._broker_lag: dict[Any, int] = {}
        self._lag_cache: tuple[float, dict[str, int]] = (0.0, {})
        self._lock = asyncio.Lock()  # one apply at a time: Kafka and feed paths never race
        self._catch_up_now = asyncio.Event()
        # the Kafka path holds partitions and its last poll found nothing new (the feeds' cue, below)
        self._kafka_caught_up = False

    # -- applying -------------------------------------------------------------------------

    async def apply(self, deliveries: Iterable[Delivery]) -> list[Event]:
        """Apply what is new among `deliveries`; returns the events applied now."""
        batch = [d for d in deliveries if d.event is None or d.event.type in self.handlers]
        if not batch:
            return []
        async with self._lock:
            parked = 0
            try:
                applied = await self._apply_together(batch)
            except Exception as exc:
                if _is_infrastructure(exc):
                    raise
                log.info("batch failed, applying one by one", consumer=self.name, size=len(batch), error=repr(exc)[:200])
                applied = []
                for delivery in batch:
                    outcome = await self._apply_alone(delivery)
                    if outcome == "applied":
                        applied.append(delivery.event)  # type: ignore[arg-type]
                    parked += outcome == "parked"
            self.stats["delivered"] += len(batch)
            self.stats["applied"] += len(applied)
            self.stats["parked"] += parked
            self.stats["duplicates"] += len(batch) - len(applied) - parked
        return applied

    async def _apply_together(self, batch: list[Delivery]) -> list[Event]:
        if any(d.event is None for d in batch):
            raise ValueError("unreadable envelope in batch")
        async with self.db.transaction() as session:
            fresh = await self._claim(session, {d.event_id: d.event for d in batch})  # type: ignore[misc]
            state = session.info[BATCH] = _Batch(data={d.event.id: d.data for d in batch if d.data is not None})  # type: ignore[union-attr]
            await self._prefetch(session, list(fresh.values()))
            together: dict[ManyHandler, list[Event]] = {}
            for event in fresh.values():
                if (many := getattr(self.handlers[event.type], MANY, None)) is not None:
                    together.setdefault(many, []).append(event)
                    continue
                with consuming(self.tracer, event):
                    await self.handlers[event.type](session, event)
            for many, events in together.items():
                await many(session, events)
            del session.info[BATCH]
            for table, rows in state.inserts.items():
                await insert_rows(session, table, rows)
        return list(fresh.values())

    async def _claim(self, session: AsyncSession, events: dict[str, Event]) -> dict[str, Event]:
        """Write the inbox rows of a batch's events first, skipping those the inbox has: the events
        whose rows were written now are the ones to apply. One statement instead of a read and a
        write, and the unique key, not a read, decides — another process applying the same event
        meanwhile waits for this transaction and then skips it."""
        inbox = self.tables.inbox
        now = utcnow()
        rows = [{"consumer": self.name, "event_id": i, "type": e.type, "processed_at": now} for i, e in events.items()]
        claimed = {event_id for event_id, in await insert_new(session, inbox, rows, "event_id")}
        return {i: e for i, e in events.items() if i in claimed}

    async def _prefetch(self, session: AsyncSession, events: list[Event]) -> None:
        """One read per batch for handlers that asked for it (`prefetching`), not one per event."""
        wanted: dict[Prefetch, list[Event]] = {}
        for event in events:
            if (prefetch := getattr(self.handlers[event.type], PREFETCH, None)) is not None:
                wanted.setdefault(prefetch, []).append(event)
        for prefetch, of_it in wanted.items():
            await prefetch(session, of_it)

    async def _apply_once(self, event: Event, *, after: Callable[[AsyncSession], Awaitable[None]] | None = None) -> bool:
        """One event in its own transaction; False when the inbox already had it."""
        inbox = self.tables.inbox
        try:
            async with self.db.transaction() as session:
                if not await self._seen_ids(session, [str(event.id)]):
                    with consuming(self.tracer, event):
                        await self.handlers[event.type](session, event)
                    await session.execute(
                        sa.insert(inbox).values(consumer=self.name, event_id=str(event.id), type=event.type, processed_at=utcnow())
                    )
                    applied = True
                else:
                    applied = False
                if after is not None:
                    await after(session)
            return applied
        except IntegrityError:
            if await self._seen(str(event.id)):
                return False  # applied by another process in between: a duplicate, not an error
            raise

    async def _apply_alone(self, delivery: Delivery) -> str:
        """`applied`, `seen` (the inbox had it) or `parked`."""
        error = delivery.error or ""
        attempts = 0
        if delivery.event is not None:
            for delay in (0.0, *self.settings.consumer_retry_delays_s):
                await asyncio.sleep(delay)
                attempts += 1
                try:
                    return "applied" if await self._apply_once(delivery.event) else "seen"
                except ValidationError as exc:
                    error = f"data does not fit {delivery.event.type}: {exc}"
                    break  # the payload will not change by retrying
                except Exception as exc:
                    if _is_infrastructure(exc):
                        raise
                    error = f"{type(exc).__name__}: {exc}"
                    log.warning("event failed", consumer=self.name, event_id=delivery.event_id, attempt=attempts, error=error[:300])
        await self._park(delivery, error, attempts)
        return "parked"

    async def _unseen(self, raws: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The events of a feed page the inbox lacks, found before any is read as an envelope: on a
        pass after Kafka has delivered them, that is nearly all the work saved."""
        ids = [str(raw.get("id")) for raw in raws]
        async with self.db.reading() as session:
            seen = await self._seen_ids(session, ids)
        return [raw for raw, event_id in zip(raws, ids, strict=True) if event_id not in seen]

    async def _seen(self, event_id: str) -> bool:
        async with self.db.reading() as session:
            return bool(await self._seen_ids(session, [event_id]))

    async def _seen_ids(self, session: AsyncSession, ids: list[str]) -> set[str]:
        """Which of these events this consumer's inbox already has."""
        inbox = self.tables.inbox
        query = sa.select(inbox.c.event_id).where(inbox.c.consumer == self.name, any_of(inbox.c.event_id, ids))
        return set((await session.execute(query)).scalars())

    # -- dead letters ---------------------------------------------------------------------

    async def _park(self, delivery: Delivery, error: str, attempts: int) -> None:
        dead = self.tables.dead_letter
        values = {
            "type": delivery.event.type if delivery.event else "",
            "topic": delivery.topic,
            "partition": delivery.partition,
            "offset": delivery.offset,
            "payload": delivery.payload_text,
            "error": error[:4000],
            "attempts": attempts,
            "status": "parked",
            "parked_at": utcnow(),
        }
        async with self.db.transaction() as session:
            updated = await session.execute(
                sa.update(dead).where(dead.c.consumer == self.name, dead.c.event_id == delivery.event_id).values(**values)
            )
            if updated.rowcount == 0:
                await session.execute(sa.insert(dead).values(consumer=self.name, event_id=delivery.event_id, **values))
        log.error("event parked", consumer=self.name, event_id=delivery.event_id, topic=delivery.topic, error=error[:300])
        try:
            producer = await self.bus.producer()
            headers = [
                ("original_topic", delivery.topic.encode()),
                ("original_partition", str(delivery.partition).encode()),
                ("original_offset", str(delivery.offset).encode()),
                ("consumer", self.name.encode()),
                ("error", error[:1000].encode()),
            ]
            key = delivery.event.subject.encode() if delivery.event else None
            await producer.send_and_wait(dlq_topic(delivery.topic), delivery.payload_text.encode(), key=key, headers=headers)
        except Exception:  # noqa: BLE001 - the dead-letter table is the record; the topic is a copy for subscribers
            log.warning("could not copy parked event to its .dlq topic", event_id=delivery.event_id, exc_info=True)

    async def replay(self, dead_letter_id: int) -> bool:
        """Apply a parked event again (after a fix). True when applied now, False when it had
        been applied already; raises ReplayFailed with the error when it still fails."""
        dead = self.tables.dead_letter
        async with self.db.reading() as session:
            row = (
                await session.execute(sa.select(dead).where(dead.c.id == dead_letter_id, dead.c.consumer == self.name))
            ).first()
        if row is None:
            raise KeyError(dead_letter_id)
        try:
            event = Event.from_json(row.payload)
        except ValidationError as exc:
            raise ReplayFailed(f"unreadable envelope: {exc}") from exc

        async def mark_replayed(session: AsyncSession) -> None:
            await session.execute(sa.update(dead).where(dead.c.id == dead_letter_id).values(status="replayed", replayed_at=utcnow()))

        if event.type not in self.handlers:
            raise ReplayFailed(f"{self.name} has no handler for {event.type}")
        async with self._lock:
            try:
                return await self._apply_once(event, after=mark_replayed)
            except Exception as exc:
                if _is_infrastructure(exc):
                    raise
                async with self.db.transaction() as session:
                    await session.execute(
                        sa.update(dead).where(dead.c.id == dead_letter_id).values(error=f"{type(exc).__name__}: {exc}"[:4000], attempts=dead.c.attempts + 1)
                    )
                raise ReplayFailed(f"{type(exc).__name__}: {exc}") from exc

    # -- the Kafka path -------------------------------------------------------------------

    async def run(self) -> None:
        """Consume from Kafka and follow the feeds, until cancelled."""
        await asyncio.gather(self._consume_forever(), self._follow_feeds_forever())

    async def _consume_forever(self) -> None:
        failures = 0
        while True:
            consumer = self.bus.consumer(self.topics, self.name, fetch_max_wait_ms=self.fetch_max_wait_ms)
            ahead: asyncio.Task[tuple[dict[Any, list[Any]], list[Delivery]]] | None = None
            offsets = PendingOffsets(self.settings.kafka_commit_interval_ms / 1000)
            try:
                await consumer.start()
                failures = 0
                ahead = asyncio.create_task(self._poll(consumer))
                while True:
                    batches, deliveries = await ahead
                    # The next batch is fetched and read while this one's transaction waits for the
                    # database: behind a backlog, the consumer's own work no longer queues after it.
                    wait_s = self.linger.after(batches, time.time() * 1000)
                    if wait_s:
                        consumer.pause(*consumer.assignment())
                    ahead = asyncio.create_task(self._poll(consumer, wait_s))
                    if not batches:
                        self.assigned = frozenset(consumer.assignment())
                        self._kafka_caught_up = bool(self.assigned)
                        await self._commit(consumer, offsets.due(self.assigned, idle=True))
                        continue
                    if await self.apply(deliveries):
                        self._kafka_caught_up = False
                    assigned = self.assigned = frozenset(consumer.assignment())
                    offsets.applied(batches)
                    for tp, msgs in batches.items():  # what the broker says is left (trustworthy on Apache Kafka)
                        if (highwater := consumer.highwater(tp)) is not None:
                            self._broker_lag[tp] = max(highwater - msgs[-1].offset - 1, 0)
                    self.stats["broker_lag"] = sum(v for tp, v in self._broker_lag.items() if tp in assigned)
                    await self._commit(consumer, offsets.due(assigned))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - reconnect and go on; the inbox absorbs redelivery
                failures += 1
                self.trigger_catch_up()  # the broker may have lost what it had: read the feeds now
                delay = min(0.5 * 2**failures, 15.0)
                log.warning("consumer failed, restarting", consumer=self.name, error=repr(exc)[:300], retry_in_s=delay)
                await asyncio.sleep(delay)
            finally:
                if ahead is not None:
                    ahead.cancel()
                    await asyncio.gather(ahead, return_exceptions=True)
                # What was applied but not yet committed, so that the group's next member does not
                # receive it again (it would be absorbed by the inbox, but costs a batch to learn).
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._commit(consumer, offsets.due(frozenset(consumer.assignment()), idle=True)), 2.0)
                try:
                    await consumer.stop()
                except Exception:  # noqa: BLE001
                    log.debug("consumer stop failed", exc_info=True)

    async def _poll(self, consumer: Any, linger_s: float = 0.0) -> tuple[dict[Any, list[Any]], list[Delivery]]:
        """The next batch from Kafka, by partition, and its deliveries read; after `linger_s`
        with the partitions paused (`Linger`), when given."""
        if linger_s:
            await asyncio.sleep(linger_s)
            consumer.resume(*consumer.paused())
        batches = await consumer.getmany(timeout_ms=1000, max_records=MAX_POLL_RECORDS)
        return batches, await read_in_turns([m for msgs in batches.values() for m in msgs], self._read)

    def _read(self, raw: dict[str, Any] | bytes, topic: str, partition: int | None = None, offset: int | None = None) -> Delivery:
        """A delivery with its envelope read and, for an event this consumer handles, its data
        (when the data does not fit, the handler meets the error, which parks the event)."""
        delivery = Delivery.read(raw, topic, partition, offset)
        if delivery.event is not None and delivery.event.type in self.handlers:
            try:
                delivery.data = parse_data(delivery.event)
            except ValidationError:
                pass
        return delivery

    async def _commit(self, consumer: Any, offsets: dict[Any, OffsetAndMetadata]) -> None:
        if offsets:
            await consumer.commit(offsets)

    # -- the feed path --------------------------------------------------------------------

    def trigger_catch_up(self) -> None:
        self._catch_up_now.set()

    async def _follow_feeds_forever(self) -> None:
        if self.feeds is None:
            return
        retry: float | None = None  # after a failure, how soon to try again; else the interval
        triggered = False
        while True:
            interval = self.settings.feed_follow_interval_s  # read each round: it may be re-tuned live
            try:
                result = await self.catch_up(kafka_first_until=0.0 if triggered else time.monotonic() + interval)
                if result.applied:
                    log.info("caught up from feeds", consumer=self.name, read=result.read, applied=len(result.applied))
                    if self.on_catch_up is not None:
                        async with self.db.transaction() as session:
                            await self.on_catch_up(session, result)
                retry = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - try again soon (a producer still starting, say)
                retry = min(1.0 if retry is None else retry * 2, interval)
                log.warning("feed catch-up failed", consumer=self.name, error=repr(exc)[:300], retry_in_s=retry)
            triggered = await self._until_next_pass(time.monotonic(), retry)
            self._catch_up_now.clear()

    async def _until_next_pass(self, since: float, retry: float | None) -> bool:
        """Wait for a trigger (True) or the next scheduled pass (False). The interval is read again
        while waiting, so that a new one counts from `since` at once, not after the old one ran out."""
        while (remaining := since + (retry if retry is not None else self.settings.feed_follow_interval_s) - time.monotonic()) > 0:
            try:
                await asyncio.wait_for(self._catch_up_now.wait(), timeout=min(remaining, 1.0))
                return True
            except TimeoutError:
                continue
        return False

    async def _let_kafka_go_first(self, until: float) -> None:
        """Before each page of a scheduled pass over the feeds (the safety net), let the Kafka path
        join and catch up (a poll that finds nothing new): reading again from the feeds what Kafka
        is applying at that moment is the same work twice — behind a backlog, a third of the
        consumer's time. Only until `until`, so the net is cast at least every other interval
        however busy Kafka is; a pass someone triggered (a consumer that failed, a reconciliation
        asked for) does not wait, and a trigger ends the wait."""
        while not (self._kafka_caught_up or self._catch_up_now.is_set()) and (now := time.monotonic()) < until:
            await asyncio.sleep(min(0.25, until - now))

    async def catch_up(self, page_size: int = 500, *, kafka_first_until: float = 0.0) -> CatchUp:
        """Read every source feed from the checkpoint to its end; apply what the inbox lacks."""
        if self.feeds is None:
            return CatchUp()
        result = CatchUp()
        unread: list[Exception] = []
        for source in self.sources:
            try:
                await self._catch_up_with(source, result, page_size, kafka_first_until)
            except Exception as exc:  # noqa: BLE001 - one producer that is down does not keep the others' feeds unread
                if _is_infrastructure(exc):
                    raise
                unread.append(exc)
        if unread:
            raise unread[0]
        return result

    async def _catch_up_with(self, source: str, result: CatchUp, page_size: int, kafka_first_until: float) -> None:
        position = await self._checkpoint(source)
        while True:
            await self._let_kafka_go_first(kafka_first_until)
            page = await self.feeds.page(source, position, self.topics, page_size)  # type: ignore[union-attr]
            if not page:
                return
            unseen = await self._unseen([raw for _, raw in page])
            self.stats["delivered"] += len(page) - len(unseen)
            self.stats["duplicates"] += len(page) - len(unseen)
            result.applied += await self.apply(self._read(raw, _topic_of(raw)) for raw in unseen)
            result.read += len(page)
            position = page[-1][0]
            await self._save_checkpoint(source, position)
            if len(page) < page_size:
                return

    async def lag(self, max_age_s: float = 10.0) -> dict[str, int]:
        """Per source: events of this consumer's types in the producer's feed, after the checkpoint,
        that the inbox lacks — the producer's sequence against what was applied, on any broker
        (counted up to a page of 1000; read at most every `max_age_s`)."""
        if self.feeds is None:
            return {}
        read_at, cached = self._lag_cache
        if time.monotonic() - read_at < max_age_s:
            return cached
        lag: dict[str, int] = {}
        for source in self.sources:
            try:
                page = await self.feeds.page(source, await self._checkpoint(source), self.topics, 1000)
            except Exception:  # noqa: BLE001 - a producer that is down has no lag to tell
                continue
            ids = [str(raw.get("id")) for _, raw in page if raw.get("type") in self.handlers]
            async with self.db.reading() as session:
                lag[source] = len(ids) - len(await self._seen_ids(session, ids))
        self._lag_cache = (time.monotonic(), lag)
        return lag

    async def _checkpoint(self, source: str) -> int:
        cp = self.tables.feed_checkpoint
        async with self.db.reading() as session:
            row = await session.execute(sa.select(cp.c.position).where(cp.c.consumer == self.name, cp.c.source == source))
            return row.scalar_one_or_none() or 0

    async def _save_checkpoint(self, source: str, position: int) -> None:
        cp = self.tables.feed_checkpoint
        async with self.db.transaction() as session:
            values = {"position": position, "updated_at": utcnow()}
            updated = await session.execute(
                sa.update(cp).where(cp.c.consumer == self.name, cp.c.source == source).values(**values)
            )
            if updated.rowcount == 0:
                await session.execute(sa.insert(cp).values(consumer=self.name, source=source, **values))
