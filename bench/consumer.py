"""The health inbox's own CPU an event behind a backlog, with no broker and no other process:
the catch-up scenario's two sides in this process, so that a change to the consumer's path can be
measured without the noise of five processes and a broker:

    python -m bench.consumer [--postgresql] [EVENTS]     # default 20,000, three rounds

For each round it prints µs of CPU an event (`time.process_time()`) for
- the suite: the registration events as the relay publishes them, each read as the Kafka path
  reads it (envelope and data) and applied by the health inbox's `EventConsumer.apply`, 500 a
  batch as `getmany` hands them, on a freshly migrated inspection database;
- the bare batched consumer of the catch-up scenario (`apply_barely`: the same rows, three
  multi-row inserts a batch) on a database of its own.
Each round starts on new databases (SQLite files, or scratch PostgreSQL databases as `tuoyu bench`
makes them: the process's CPU only, not the server's). The first batch of each side warms it up
and is not counted; what the process built before is frozen out of the collector's sight, as a
service does at start.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import NamedTuple

import orjson
import uvloop

from bench.scenarios.catchup import apply_barely, backlog, create_bare_tables, spread
from bench.stage import POSTGRES_ADMIN_DSN
from inspection_svc.events import HEALTH_INBOX
from inspection_svc.models import platform as inspection_platform
from services.scratch import ScratchDatabases
from shared.bus import MAX_POLL_RECORDS
from shared.chain import GENESIS, chained
from shared.db import Database
from shared.events.catalogue import INSTITUTION_TOPIC
from shared.inbox import EventConsumer, read_in_turns
from shared.migrate import upgrade
from shared.settings import Settings


class Record(NamedTuple):
    """What the consumer reads of a Kafka record."""

    value: bytes
    topic: str
    partition: int
    offset: int


def published(events: int) -> list[bytes]:
    """`events` registration events as the relay publishes them: sequenced into their chain."""
    _, outbox = backlog(events)
    values, head = [], GENESIS
    for row in outbox:
        event = chained(head, orjson.loads(row["payload"]))
        head = event["chainhash"]
        values.append(orjson.dumps(event))
    return values


async def measure(events: int, backend: str = "sqlite", rounds: int = 3) -> list[tuple[float, float]]:
    """(µs the suite, µs the bare consumer) an event, for each round; raises unless both sides
    have a health-inbox row for every event."""
    values = published(events + MAX_POLL_RECORDS)  # the first batch warms up
    figures = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="bench-consumer-") as data:
            databases = ScratchDatabases(backend, data, admin_dsn=POSTGRES_ADMIN_DSN, prefix="bench_consumer")
            try:
                suite = await _suite(await databases.url("inspection"), values)
                bare = await _bare(await databases.url("bare"), values)
                for side, url in databases.urls.items():
                    if await spread(url, len(values)) is None:
                        raise RuntimeError(f"{side}: fewer health-inbox rows than the {len(values)} events applied")
            finally:
                await databases.drop_all()
        figures.append((suite, bare))
    return figures


async def _suite(url: str, values: list[bytes]) -> float:
    await asyncio.to_thread(upgrade, "inspection_svc", url)
    db = Database(url)
    try:
        consumer = EventConsumer(HEALTH_INBOX.name, HEALTH_INBOX.handlers, db=db, tables=inspection_platform, bus=None, settings=Settings())  # type: ignore[arg-type]  # nothing is parked: no broker needed

        async def apply(batch: list[bytes], first: int) -> None:
            records = [Record(v, INSTITUTION_TOPIC, 0, first + i) for i, v in enumerate(batch)]
            await consumer.apply(await read_in_turns(records, consumer._read))  # as its Kafka path reads them

        return await _cpu_each(values, apply)
    finally:
        await db.dispose()


async def _bare(url: str, values: list[bytes]) -> float:
    db = Database(url)
    try:
        await create_bare_tables(db)
        return await _cpu_each(values, lambda batch, _: apply_barely(db, batch, INSTITUTION_TOPIC))
    finally:
        await db.dispose()


async def _cpu_each(values: list[bytes], apply: Callable[[list[bytes], int], Awaitable[None]]) -> float:
    """µs of CPU an event over every batch but the first."""
    await apply(values[:MAX_POLL_RECORDS], 0)
    gc.freeze()
    started = time.process_time()
    for first in range(MAX_POLL_RECORDS, len(values), MAX_POLL_RECORDS):
        await apply(values[first : first + MAX_POLL_RECORDS], first)
    spent = time.process_time() - started
    gc.unfreeze()
    return spent / (len(values) - MAX_POLL_RECORDS) * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.consumer", description=__doc__.splitlines()[0])
    parser.add_argument("events", type=int, nargs="?", default=20_000, help="events measured (default: 20,000)")
    parser.add_argument("--postgresql", action="store_true", help="on scratch PostgreSQL databases instead of SQLite")
    args = parser.parse_args(argv)
    backend = "postgresql" if args.postgresql else "sqlite"
    for i, (suite, bare) in enumerate(uvloop.run(measure(args.events, backend)), start=1):
        print(f"round {i}: the suite's health inbox {suite:.0f} µs CPU an event, the bare consumer {bare:.0f} µs on {backend} ({bare / suite:.2f}×, the ratio as the catch-up scenario counts it)")


if __name__ == "__main__":
    main()
