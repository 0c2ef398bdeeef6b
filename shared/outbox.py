"""Transactional outbox and its relay (DESIGN §4, §8).

`record()` writes an event in the caller's transaction, beside the state change it reports.
The relay, woken by that commit, gives new rows their feed position and publishes them in
position order, then marks them published (while commits keep coming, in the transaction of its
next cycle). It runs forever with back-off: a failed publish is retried, never dropped; a crash
between publish and mark re-publishes, and consumers' inboxes absorb the duplicates. One process
at a time owns the relay (a lease row), so per-key order holds across replicas.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
from typing import NamedTuple

import orjson
import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus import Bus
from shared.chain import GENESIS, chained
from shared.db import WOKE_BY_COMMIT, Database, insert_rows, utcnow
from shared.events.catalogue import spec_of
from shared.events.envelope import Event
from shared.settings import Settings
from shared.tables import RELAY_LEASE_NAME, PlatformTables
from shared.telemetry import current_traceparent

log = structlog.get_logger("tuoyu.outbox")


async def record(session: AsyncSession, tables: PlatformTables, *events: Event) -> None:
    """Write events to the outbox in the session's transaction, each carrying the trace it was
    made in (unless it names one itself)."""
    now = utcnow()
    traceparent = current_traceparent()
    events = tuple(e if e.traceparent or not traceparent else e.model_copy(update={"traceparent": traceparent}) for e in events)
    await insert_rows(session, tables.outbox, [outbox_row(e, now) for e in events])
    session.info[WOKE_BY_COMMIT] = True


def outbox_row(event: Event, now: dt.datetime) -> dict[str, object]:
    """The outbox row of an event, before the relay sequences it."""
    return {
        "event_id": str(event.id),
        "topic": spec_of(event.type).topic,
        "key": event.subject,
        "type": event.type,
        "payload": event.to_json().decode(),
        "created_at": now,
    }


def kafka_headers(payload: dict) -> list[tuple[str, bytes]]:
    """CloudEvents binary-mode attributes beside the structured value, and the trace context."""
    headers = [(f"ce_{name}", str(payload[name]).encode()) for name in ("id", "type", "source")]
    if payload.get("traceparent"):
        headers.append(("traceparent", payload["traceparent"].encode()))
    return headers


class Sequenced(NamedTuple):
    """An outbox row with its position, as it is published."""

    position: int
    topic: str
    key: str
    payload: str
    headers: list[tuple[str, bytes]] | None = None  # known when just sequenced; else read from the payload


class OutboxRelay:
    def __init__(self, db: Database, tables: PlatformTables, bus: Bus, settings: Settings) -> None:
        self.db, self.tables, self.bus, self.settings = db, tables, bus, settings
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._lease_until: dt.datetime | None = None
        self._wake = asyncio.Event()
        self._committed = False  # a commit wrote to the outbox since the cycle began: rows are waiting
        # What this relay knows of the outbox while it holds the lease (nobody else sequences then),
        # so that a cycle need not read it again: the top position, each stream's last link, and
        # the position up to which every row is published. Forgotten on any failure and whenever
        # the lease was let go; were it ever stale, the unique position would refuse the cycle.
        self._top: int | None = None
        self._heads: dict[str, str] = {}
        self._published_through: int | None = None
        # Positions published but not yet marked so: marked in the next cycle's transaction while
        # commits keep coming (a transaction fewer a cycle), or on their own once none do.
        self._unmarked: tuple[int, int] | None = None
        db.on_commit(self._on_commit)

    def wake(self) -> None:
        self._wake.set()

    def _on_commit(self) -> None:
        self._committed = True
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        while True:
            self._wake.clear()
            committed, self._committed = self._committed, False
            try:
                published = await self.pump(rows_waiting=committed) if await self._hold_lease() else 0
                busy = published >= self.settings.relay_batch
                if self._unmarked is not None and not busy and not self._committed:
                    await self._mark_published(*self._unmarked)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep relaying whatever went wrong
                self._forget()
                failures += 1
                delay = min(0.2 * 2**failures, 10.0)
                log.warning("relay failed, retrying", error=repr(exc)[:300], retry_in_s=delay)
                await self.bus.reset()
                await asyncio.sleep(delay)
                continue
            if busy:
                continue  # a full batch went out: there may be more
            if published >= self.settings.kafka_linger_from_events:
                # Commits come faster than a cycle: let the next batch gather, as a consumer lingers
                # (each cycle is a transaction and a produce however few rows it carries).
                await asyncio.sleep(self.settings.relay_linger_ms / 1000)
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.relay_poll_s)
            except TimeoutError:
                pass

    async def _hold_lease(self) -> bool:
        """Take or renew the relay lease; only its holder sequences and publishes. A lease with
        more than half its time left is not renewed: nobody else can take it before it expires."""
        lease = self.tables.relay_lease
        now = utcnow()
        ttl = dt.timedelta(seconds=self.settings.relay_lease_s)
        if self._lease_until is not None and now < self._lease_until - ttl / 2:
            return True
        if self._lease_until is None or now >= self._lease_until:
            self._forget()  # someone else may have held it meanwhile
        async with self.db.transaction() as session:
            result = await session.execute(
                sa.update(lease)
                .where(lease.c.name == RELAY_LEASE_NAME)
                .where(sa.or_(lease.c.owner == self.owner, lease.c.owner.is_(None), lease.c.expires_at < now))
                .values(owner=self.owner, expires_at=now + ttl)
            )
        held = result.rowcount == 1
        self._lease_until = now + ttl if held else None
        return held

    def _forget(self) -> None:
        self._top, self._heads, self._published_through, self._unmarked = None, {}, None, None

    async def pump(self, *, rows_waiting: bool = False) -> int:
        """Sequence what is new, publish one batch; how many rows it held."""
        rows = await self._sequence_and_read(rows_waiting=rows_waiting)
        if not rows:
            return 0
        producer = await self.bus.producer()
        sent = []
        for row in rows:
            headers = row.headers if row.headers is not None else kafka_headers(orjson.loads(row.payload))
            sent.append(await producer.send(row.topic, row.payload.encode(), key=row.key.encode(), headers=headers))
        await asyncio.gather(*sent)
        first, last = rows[0].position, rows[-1].position
        self._unmarked = (first, last)  # the cycle's transaction marked what was left before
        if self._published_through is not None and first <= self._published_through + 1:
            self._published_through = max(self._published_through, last)
        return len(rows)

    async def _sequence_and_read(self, *, rows_waiting: bool) -> list[Sequenced]:
        """Give unsequenced rows the next positions, in the order they are now visible, linking
        each into its stream's evidence chain (shared.chain); then the next batch to publish: the
        rows just sequenced when everything before them is published, else read again. All in one
        transaction, which first marks the previous batch published: every statement is a round
        trip to a database server, and on a busy machine each costs milliseconds that every event
        waits for."""
        outbox = self.tables.outbox
        unpublished = (
            sa.select(outbox.c.position, outbox.c.topic, outbox.c.key, outbox.c.payload)
            .where(outbox.c.published_at.is_(None), outbox.c.position.is_not(None))
            .order_by(outbox.c.position)
            .limit(self.settings.relay_batch)
        )
        all_published = self._top is not None and self._published_through == self._top
        if self.db.is_sqlite and not rows_waiting and self._unmarked is None:
            # Most timed wake-ups find nothing new: no write lock for that. A commit's wake-up
            # (`rows_waiting`) goes straight to sequencing, three round trips sooner.
            async with self.db.reading() as session:
                if (await session.execute(sa.select(outbox.c.seq).where(outbox.c.position.is_(None)).limit(1))).first() is None:
                    return [] if all_published else [Sequenced(*r) for r in (await session.execute(unpublished)).all()]
        async with self.db.transaction() as session:
            if self._unmarked is not None:
                await self._mark(session, *self._unmarked)
            rows = (
                await session.execute(
                    sa.select(outbox.c.seq, outbox.c.topic, outbox.c.key, outbox.c.payload)
                    .where(outbox.c.position.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(5000)
                )
            ).all()
            top, heads, sequenced = await self._sequence(session, rows) if rows else (self._top, self._heads, [])
            if all_published and len(sequenced) <= self.settings.relay_batch:
                batch = sequenced
            else:
                batch = [Sequenced(*r) for r in (await session.execute(unpublished)).all()]
        self._top, self._heads, self._unmarked = top, heads, None
        if top is not None and self._published_through is None and not batch:
            self._published_through = top  # read just now: nothing is waiting
        return batch

    async def _sequence(self, session: AsyncSession, rows: list[sa.Row]) -> tuple[int, dict[str, str], list[Sequenced]]:
        """Number and chain the rows; returns the new top position, each stream's last link, and the rows as published."""
        outbox = self.tables.outbox
        heads = dict(self._heads)
        missing = sorted({r.topic for r in rows} - heads.keys())
        top = self._top
        if top is None or missing:
            # The top position and the last link of each stream not known yet, in one query.
            heads_of = [
                sa.select(outbox.c.chain_hash)
                .where(outbox.c.topic == topic, outbox.c.position.is_not(None))
                .order_by(outbox.c.position.desc())
                .limit(1)
                .scalar_subquery()
                for topic in missing
            ]
            top, *last = (
                await session.execute(sa.select(sa.select(sa.func.coalesce(sa.func.max(outbox.c.position), 0)).scalar_subquery(), *heads_of))
            ).one()
            heads.update({topic: head or GENESIS for topic, head in zip(missing, last, strict=True)})
        updates, sequenced = [], []
        for i, row in enumerate(rows, start=top + 1):
            event = chained(heads[row.topic], orjson.loads(row.payload))
            heads[row.topic] = event["chainhash"]
            payload = orjson.dumps(event).decode()
            updates.append({"b_seq": row.seq, "b_pos": i, "b_payload": payload, "b_chain": event["chainhash"]})
            sequenced.append(Sequenced(i, row.topic, row.key, payload, kafka_headers(event)))
        await session.execute(
            sa.update(outbox)
            .where(outbox.c.seq == sa.bindparam("b_seq"))
            .values(position=sa.bindparam("b_pos"), payload=sa.bindparam("b_payload"), chain_hash=sa.bindparam("b_chain")),
            updates,
        )
        return top + len(rows), heads, sequenced

    async def _mark_published(self, first: int, last: int) -> None:
        async with self.db.transaction() as session:
            await self._mark(session, first, last)
        self._unmarked = None

    async def _mark(self, session: AsyncSession, first: int, last: int) -> None:
        outbox = self.tables.outbox
        await session.execute(
            sa.update(outbox).where(outbox.c.position.between(first, last), outbox.c.published_at.is_(None)).values(published_at=utcnow())
        )

    async def backlog(self) -> int:
        """Rows not yet published (for health and metrics)."""
        outbox = self.tables.outbox
        async with self.db.reading() as session:
            return (
                await session.execute(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)))
            ).scalar_one()
