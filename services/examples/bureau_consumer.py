"""A bureau's own consumer on the platform's inbox: the city 公安 bureau keeps a roster of the
registered 托育机构 in each county (机构名册) in a database of its own, and applies each event once,
however often Kafka delivers it.

    TUOYU_KAFKA_BOOTSTRAP=… python -m services.examples.bureau_consumer sqlite+aiosqlite:///gongan.db

What it takes from the platform: `EventConsumer` (batches applied in one transaction with their
event ids in `inbox`, offsets committed after it, failing events retried then parked in
`dead_letter`) and the platform's tables beside the bureau's own. In production, set
TUOYU_KAFKA_USERNAME / TUOYU_KAFKA_PASSWORD to the bureau's principal (`gongan-441800`).
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus import Bus, bureau_principal
from shared.db import Database
from shared.events.catalogue import CATALOGUE, INSTITUTION_TOPIC, parse_data
from shared.events.envelope import Event
from shared.inbox import EventConsumer
from shared.regions import CITY
from shared.settings import Settings
from shared.subscriptions import group_name
from shared.tables import platform_tables

GROUP = group_name("gongan", CITY, "roster")  # gongan.441800.roster

metadata = sa.MetaData()
roster = sa.Table(  # 机构名册: one row per institution, as its latest snapshot says
    "roster",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("county", sa.String(6), nullable=False),
    sa.Column("address", sa.String(300), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)


PLATFORM = platform_tables(metadata)  # inbox, dead letters, feed checkpoints (the outbox stays empty)


async def on_institution(session: AsyncSession, event: Event) -> None:
    """Registered, amended or deregistered: keep the newest snapshot (an older one may arrive late)."""
    snapshot = parse_data(event)
    row = {"name": snapshot.name, "county": snapshot.county, "address": snapshot.address, "status": snapshot.status, "version": snapshot.version}
    known = (await session.execute(sa.select(roster.c.version).where(roster.c.uscc == event.subject))).scalar_one_or_none()
    if known is None:
        await session.execute(sa.insert(roster).values(uscc=event.subject, **row))
    elif known < snapshot.version:
        await session.execute(sa.update(roster).where(roster.c.uscc == event.subject).values(**row))


HANDLERS = {event_type: on_institution for event_type, spec in CATALOGUE.items() if spec.topic == INSTITUTION_TOPIC}


class BureauBus(Bus):
    """Kafka as the bureau's own principal (SASL SCRAM) when TUOYU_KAFKA_USERNAME is set."""

    def consumer(self, topics: list[str], group_id: str, **security: Any) -> AIOKafkaConsumer:
        if username := os.environ.get("TUOYU_KAFKA_USERNAME"):
            security = bureau_principal(username, os.environ.get("TUOYU_KAFKA_PASSWORD", ""))
        return super().consumer(topics, group_id, **security)


def roster_consumer(db: Database, settings: Settings, group: str = GROUP) -> EventConsumer:
    return EventConsumer(group, HANDLERS, db=db, tables=PLATFORM, bus=BureauBus(settings, group), settings=settings)


async def create_tables(db: Database) -> None:
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)


async def main(database_url: str) -> None:
    settings = Settings()
    db = Database(database_url)
    await create_tables(db)
    consumer = roster_consumer(db, settings)
    try:
        await consumer.run()
    finally:
        await consumer.bus.close()
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "sqlite+aiosqlite:///gongan-roster.db"))
