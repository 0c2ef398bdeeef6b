"""1. Propagation: registrations written through the gateway at a steady rate; time from each
write's commit to its row in the health bureau's inbox, p50 and p99.

Baseline: a bare aiokafka produce → consume round trip plus one insert, on the same broker and
database server: a producer and a consumer with the suite's own client settings (`shared.bus`),
an event-sized JSON value, and the consumer inserting one row per message (a batch per
transaction, offsets committed after it). Its latency runs from just before the produce to the
insert, as the suite's runs from the commit to the inbox row.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
import uuid

import orjson
import sqlalchemy as sa
from aiokafka.structs import OffsetAndMetadata

from bench.load import Outcome, registration_body, steady, wait_until
from bench.model import Row, Target
from bench.scenarios.common import Context, database
from bench.scenarios.suiteclient import suite_client
from bench.stats import ms, percentile
from registration_svc.events import snapshot_event
from registration_svc.schemas import RegistrationRead
from shared.bus import Bus
from shared.db import UTCDateTime, utcnow

ARRIVAL = sa.Table(
    "bench_arrival",
    sa.MetaData(),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("sent_at", UTCDateTime, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
)


def event_template() -> dict:
    """A registration event as the suite publishes it (the same size and shape)."""
    now = utcnow()
    body = registration_body("52441802BEN0000001", "441802")
    record = RegistrationRead.model_validate({**body, "id": str(uuid.uuid4()), "status": "active", "version": 1, "created_at": now, "updated_at": now})
    return orjson.loads(snapshot_event("tuoyu.registration.institution.registered.v1", record, "441802", None).to_json())


async def baseline(ctx: Context) -> tuple[list[float], str]:
    settings = await ctx.stage.settings()
    topic = await ctx.stage.topic("bench.propagation")
    template = event_template()
    async with database(await ctx.stage.database("baseline")) as db:
        async with db.engine.begin() as conn:
            await conn.run_sync(ARRIVAL.metadata.create_all)
        bus = Bus(settings, "bench-baseline")
        producer = await bus.producer()
        consumer = bus.consumer([topic], "bench.propagation")
        await consumer.start()

        async def consume() -> None:
            while True:
                batches = await consumer.getmany(timeout_ms=1000, max_records=500)
                messages = [m for ms_ in batches.values() for m in ms_]
                if not messages:
                    continue
                received = utcnow()
                rows = []
                for m in messages:
                    event = orjson.loads(m.value)
                    rows.append({"key": event["id"], "sent_at": dt.datetime.fromisoformat(event["time"]), "received_at": received})
                async with db.transaction() as session:
                    await session.execute(sa.insert(ARRIVAL), rows)
                await consumer.commit({tp: OffsetAndMetadata(ms_[-1].offset + 1, "") for tp, ms_ in batches.items()})

        consuming = asyncio.create_task(consume())

        async def send(key: str) -> Outcome:
            started = time.perf_counter()
            event = {**template, "id": key, "subject": key[:18], "time": utcnow().isoformat()}
            await producer.send_and_wait(topic, orjson.dumps(event), key=event["subject"].encode())
            return Outcome(1, time.perf_counter() - started, key)

        async def arrived(prefix: str) -> int:
            async with db.reading() as session:
                return (await session.execute(sa.select(sa.func.count()).where(ARRIVAL.c.key.like(f"{prefix}%")))).scalar_one()

        try:
            warm = [f"warm-{i}" for i in range(8)]
            for key in warm:
                await send(key)

            async def warm_arrived() -> bool:
                return await arrived("warm-") == len(warm)

            if not await wait_until(warm_arrived, 60):
                raise RuntimeError("the baseline consumer received nothing within 60 s")
            tally = await steady(ctx.config.rate, ctx.seconds, lambda i: send(f"m-{i:08d}"))
            keys = [o.key for o in tally.outcomes]

            async def all_arrived() -> bool:
                return await arrived("m-") >= len(keys)

            await wait_until(all_arrived, max(30.0, ctx.seconds))
            async with db.reading() as session:
                rows = (await session.execute(sa.select(ARRIVAL.c.sent_at, ARRIVAL.c.received_at).where(ARRIVAL.c.key.like("m-%")))).all()
        finally:
            consuming.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await consuming
            await consumer.stop()
            await bus.close()
    latencies = [(r.received_at - r.sent_at).total_seconds() for r in rows]
    return latencies, f"{len(latencies)}/{len(keys)} messages arrived"


async def suite_side(ctx: Context) -> tuple[list[float], str]:
    await ctx.stage.start_suite()
    async with suite_client(ctx.stage) as client:
        await client.warm_up()
        tally = await steady(ctx.config.rate, ctx.seconds, lambda i: client.register(i))
        written = [o.key for o in tally.ok(201)]
        await client.wait_arrived(written, max(30.0, ctx.seconds))
        latencies = await client.commit_to_inbox(written)
        to_publish, to_inbox = await client.stages(written)
    await ctx.stage.stop_suite()
    where = f"p50 commit → relay published {ms(percentile(to_publish, 50)) or 0:.1f} ms, published → inbox row {ms(percentile(to_inbox, 50)) or 0:.1f} ms"
    return latencies, f"{len(latencies)}/{len(written)} registrations arrived ({where}); answers {tally.answers()}"


async def run(ctx: Context) -> list[Row]:
    ctx.say("propagation: baseline (aiokafka round trip + insert)")
    base, base_note = await baseline(ctx)
    ctx.say("propagation: the suite (gateway → registration → outbox → Kafka → health inbox)")
    suite, suite_note = await suite_side(ctx)
    note = f"{ctx.config.rate:g}/s for {ctx.seconds:g} s; suite: {suite_note}; baseline: {base_note}"
    return [
        Row(ctx.backend, "propagation", "commit → health inbox p50", "ms", ms(percentile(suite, 50)), ms(percentile(base, 50)), Target("ratio_max", 3.0), note),
        Row(ctx.backend, "propagation", "commit → health inbox p99", "ms", ms(percentile(suite, 99)), ms(percentile(base, 99)), Target("suite_max", 1000.0)),
    ]
