"""4. Catch-up: the health bureau's consumer (`inspection.health-inbox`) started behind a backlog
of 20,000 registration events; events/s from its first inbox row to its last.

The backlog is made as the suite makes it: registrations and their outbox events written in the
registration database, published by the registration service's own relay, while the inspection
service is stopped (subsidy and training too, so that they do not compete for the CPU), and the
machine is let settle (the gateway's webhook consumer keeping the backlog, the database server's
vacuum; at most a minute). Then the inspection service starts and catches up — from Kafka and
from the registration feed at once, as it does whenever it starts.

Baseline: the same 20,000 events on a topic of the same broker, and a bare batched aiokafka
consumer (the suite's consumer settings, 500 a batch) doing the same inserts into the same
database server — per event the health-inbox row, the exchange receipt and the consumer's inbox
(dedup) row the suite writes — as three multi-row inserts a batch, one transaction per batch,
offsets committed after it; run once just before the suite and once just after (each on a topic
and database of its own), its rate over both runs. What it leaves out is the suite's machinery:
envelope and payload validation, the duplicate check, the reads for filings and banned
operators, the ORM, tracing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import statistics
import time

import orjson
import sqlalchemy as sa
from aiokafka.structs import OffsetAndMetadata

from bench import procs
from bench.load import Usccs, wait_until
from bench.model import Row, Target
from bench.scenarios import seed
from bench.scenarios.common import Context, bulk_insert, database
from inspection_svc.domain.inbox import received_same_month
from inspection_svc.models import Base as InspectionBase
from inspection_svc.models import ExchangeReceipt, InboxEntry
from inspection_svc.models import platform as inspection_platform
from registration_svc.models import Registration
from registration_svc.models import platform as registration_platform
from shared.bus import Bus
from shared.db import Database, utcnow
from shared.timeutil import today_in_china

INBOX = InboxEntry.__table__
RECEIPTS = ExchangeReceipt.__table__
DEDUP = inspection_platform.inbox


def backlog(count: int) -> tuple[list[dict], list[dict]]:
    now = utcnow()
    rows = seed.registrations(Usccs(), count, [today_in_china()], now, random.Random(4))
    return rows, seed.outbox_rows(rows, now)


def inbox_row(event: dict, received: dt.datetime) -> dict:
    data = event["data"]
    registered = dt.date.fromisoformat(data["registered_on"])
    return {
        "uscc": data["uscc"], "kind": "institution", "name": data["name"], "name_key": data["name"], "nature": data["nature"],
        "registrar": data["registrar"], "registrar_region": data["registrar_region"], "health_region": data["registrar_region"],
        "county": data["county"], "address": data["address"], "registered_on": registered, "received_at": received,
        "same_month": received_same_month(registered, received), "status": data["status"], "ended_on": None,
        "version": data["version"], "updated_at": received, "places": sum(data["places"].values()), "area": data.get("area"),
    }  # fmt: skip


def receipt_row(event: dict, topic: str, received: dt.datetime) -> dict:
    return {
        "event_id": event["id"], "topic": topic, "type": event["type"], "subject": event["subject"], "chainprev": event.get("chainprev"),
        "chainhash": event.get("chainhash"), "event_time": dt.datetime.fromisoformat(event["time"]), "received_at": received,
    }  # fmt: skip


async def create_bare_tables(db: Database) -> None:
    """The tables the bare consumer writes: the health inbox's, the receipts', the dedup inbox's."""
    async with db.engine.begin() as conn:
        await conn.run_sync(InspectionBase.metadata.create_all, tables=[INBOX, RECEIPTS, DEDUP])


async def apply_barely(db: Database, values: list[bytes], topic: str) -> None:
    """The bare consumer's work for a batch of events as published: per event the health-inbox
    row, the receipt and the dedup row, as three multi-row inserts in one transaction."""
    rows, receipts, dedup = [], [], []
    for value in values:
        event, now = orjson.loads(value), utcnow()
        rows.append(inbox_row(event, now))
        receipts.append(receipt_row(event, topic, now))
        dedup.append({"consumer": "inspection.health-inbox", "event_id": event["id"], "type": event["type"], "processed_at": now})
    async with db.transaction() as session:
        await session.execute(sa.insert(RECEIPTS), receipts)
        await session.execute(sa.insert(INBOX), rows)
        await session.execute(sa.insert(DEDUP), dedup)


async def spread(db_url: str, count: int) -> tuple[float, float] | None:
    """(first, last) inbox arrival as epoch seconds, once `count` rows are there."""
    async with database(db_url) as db, db.reading() as session:
        first, last, n = (await session.execute(sa.select(sa.func.min(INBOX.c.received_at), sa.func.max(INBOX.c.received_at), sa.func.count()).select_from(INBOX))).one()
    if n < count or first is None:
        return None
    if isinstance(first, str):  # SQLite hands aggregates back as text
        first, last = dt.datetime.fromisoformat(first), dt.datetime.fromisoformat(last)
    return first.timestamp(), last.timestamp()


async def baseline(ctx: Context, outbox: list[dict], run: str) -> tuple[float, float]:
    """One run of the bare consumer over the backlog, on a topic and database of its own:
    (events/s, seconds from its start to its last row)."""
    settings = await ctx.stage.settings()
    topic = await ctx.stage.topic(f"bench.catchup.{run}")
    url = await ctx.stage.database(f"baseline_{run}")
    async with database(url) as db:
        await create_bare_tables(db)
        bus = Bus(settings, "bench-baseline")
        producer = await bus.producer()
        sent = [await producer.send(topic, row["payload"].encode(), key=row["key"].encode()) for row in outbox]
        await asyncio.gather(*sent)
        await bus.reset()
        consumer = bus.consumer([topic], f"bench.catchup.{run}")
        started = time.time()
        await consumer.start()
        done = 0
        try:
            deadline = time.monotonic() + max(120.0, len(outbox) / 50)
            while done < len(outbox) and time.monotonic() < deadline:
                batches = await consumer.getmany(timeout_ms=1000, max_records=500)
                messages = [m for ms_ in batches.values() for m in ms_]
                if not messages:
                    continue
                await apply_barely(db, [m.value for m in messages], topic)
                await consumer.commit({tp: OffsetAndMetadata(ms_[-1].offset + 1, "") for tp, ms_ in batches.items()})
                done += len(messages)
        finally:
            await consumer.stop()
            await bus.close()
    window = await spread(url, len(outbox))
    if window is None:
        raise RuntimeError(f"the baseline consumer applied {done} of {len(outbox)} events in time")
    first, last = window
    return len(outbox) / (last - first), last - started


async def suite_side(ctx: Context, rows: list[dict], outbox: list[dict]) -> tuple[float, str]:
    suite = await ctx.stage.start_suite()
    for name in ("inspection", "subsidy", "training"):
        await suite.children[name].stop()
    urls = await ctx.stage.suite_urls()
    unpublished = registration_platform.outbox
    async with database(urls["registration"]) as db:
        await bulk_insert(db, Registration.__table__, rows)
        await bulk_insert(db, unpublished, outbox)
        seeded = time.time()

        async def published() -> bool:
            async with db.reading() as session:
                left = (await session.execute(sa.select(sa.func.count()).select_from(unpublished).where(unpublished.c.published_at.is_(None)))).scalar_one()
            return left == 0

        if not await wait_until(published, max(120.0, len(outbox) / 50), interval=0.5):
            raise RuntimeError("the registration relay did not publish the backlog in time")
        relay_s = time.time() - seeded
    # The gateway keeps every event for the webhooks, and the database server vacuums the tables
    # just filled: work of the backlog's making that a health inbox restarted in earnest would not
    # compete with, and that this scenario does not measure (as subsidy and training, stopped).
    quiet, quiet_s = await procs.until_quiet()
    started = time.time()
    await suite.children["inspection"].start()

    async def caught_up() -> bool:
        return await spread(urls["inspection"], len(outbox)) is not None

    if not await wait_until(caught_up, max(120.0, len(outbox) / 20), interval=0.5):
        raise RuntimeError(f"the health inbox did not catch up with {len(outbox)} events in time")
    first, last = await spread(urls["inspection"], len(outbox))  # type: ignore[misc]
    await ctx.stage.stop_suite()
    settled = f"the machine quiet {quiet_s:.0f} s later" if quiet else f"the machine still busy {quiet_s:.0f} s later"
    note = f"the relay published the backlog in {relay_s:.1f} s, {settled}; the inspection service was done {last - started:.1f} s after it was started"
    return len(outbox) / (last - first), note


async def run(ctx: Context) -> list[Row]:
    rows, outbox = backlog(ctx.config.backlog)
    # The baseline runs just before the suite and again just after, so that a machine whose speed
    # drifts during the scenario moves both sides of the ratio alike; its rate is over both runs.
    ctx.say(f"catchup: baseline, first run (bare batched aiokafka consumer over {len(outbox)} events)")
    before, before_s = await baseline(ctx, outbox, "before")
    ctx.say(f"catchup: the suite (inspection started behind {len(outbox)} events)")
    suite, suite_note = await suite_side(ctx, rows, outbox)
    ctx.say("catchup: baseline, second run")
    after, after_s = await baseline(ctx, outbox, "after")
    base = statistics.harmonic_mean([before, after])  # the rate over both runs: events ÷ their summed time
    note = (
        f"{len(outbox)} events, rate from the first inbox row to the last; {suite_note}; baseline {before:,.0f}/s before the suite "
        f"and {after:,.0f}/s after, done {before_s:.1f} and {after_s:.1f} s after its consumer started"
    )
    return [Row(ctx.backend, "catchup", "events/s applied from a backlog", "/s", suite, base, Target("ratio_min", 0.5), note)]
