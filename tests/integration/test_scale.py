"""Horizontal scale, locally: instances of one consumer share the partitions, a third joining
rebalances, per-institution order holds throughout; two relays never publish one key's events out
of order."""

from __future__ import annotations

import asyncio
import contextlib
import secrets

import orjson
import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus import Bus
from shared.db import Database
from shared.events.catalogue import INSTITUTION_TOPIC
from shared.events.envelope import Event
from shared.inbox import EventConsumer
from shared.outbox import OutboxRelay
from shared.tables import platform_tables
from tests.conftest import DatabaseSet
from tests.integration.helpers import register
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

TYPES = ("registered", "amended")


async def amend_times(suite: InProcessSuite, token_for, uscc: str, times: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(times):
        response = await suite.http.patch(
            suite.url("registration", f"/v1/registrations/{uscc}"), json={"address": f"第{n + 1}次变更地址"}, headers=token_for("minzheng", "441802")
        )
        assert response.status_code == 200, response.text


@pytest.fixture
async def shared_db(databases: DatabaseSet) -> tuple[Database, sa.MetaData, sa.Table, object]:  # type: ignore[misc]
    metadata = sa.MetaData()
    tables = platform_tables(metadata)
    applied = sa.Table(
        "applied",
        metadata,
        sa.Column("n", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uscc", sa.String(18)),
        sa.Column("version", sa.Integer),
        sa.Column("instance", sa.String(8)),
    )
    db = Database(await databases.url(f"scale_{secrets.token_hex(3)}"))
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield db, metadata, applied, tables
    await db.dispose()


async def test_instances_share_partitions_rebalance_and_keep_order(suite: InProcessSuite, token_for, shared_db) -> None:  # type: ignore[no-untyped-def]
    db, _, applied, tables = shared_db
    group = f"scale-{secrets.token_hex(3)}"

    def instance(name: str) -> EventConsumer:
        async def handle(session: AsyncSession, event: Event) -> None:
            await session.execute(sa.insert(applied).values(uscc=event.subject, version=event.data["version"], instance=name))

        handlers = {f"tuoyu.registration.institution.{t}.v1": handle for t in TYPES}
        return EventConsumer(group, handlers, db=db, tables=tables, bus=Bus(suite.settings, f"scale-{name}"), settings=suite.settings)

    consumers = {name: instance(name) for name in ("a", "b", "c")}
    tasks = {name: asyncio.create_task(consumers[name].run()) for name in ("a", "b")}
    try:
        await eventually(lambda: consumers["a"].assigned and consumers["b"].assigned, timeout=30, what="a and b sharing the partitions")
        assert not consumers["a"].assigned & consumers["b"].assigned
        usccs = [(await register(suite, token_for))["uscc"] for _ in range(8)]
        await asyncio.gather(*(amend_times(suite, token_for, u, 2) for u in usccs))
        tasks["c"] = asyncio.create_task(consumers["c"].run())  # a third joins: the group rebalances
        await asyncio.gather(*(amend_times(suite, token_for, u, 2) for u in usccs))

        def settled_three_ways() -> bool:  # mid-rebalance a member may still hold what it is about to revoke
            holdings = [consumers[n].assigned for n in "abc"]
            return all(holdings) and not (holdings[0] & holdings[1] or holdings[1] & holdings[2] or holdings[0] & holdings[2])

        await eventually(settled_three_ways, timeout=30, what="a, b and c each holding partitions of their own")

        async def all_applied() -> bool:
            async with db.reading() as session:
                count = (await session.execute(sa.select(sa.func.count()).where(applied.c.uscc.in_(usccs)))).scalar_one()
            return count == len(usccs) * 5

        await eventually(all_applied, timeout=60, what="every version of every institution applied")
    finally:
        for task in tasks.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for consumer in consumers.values():
            await consumer.bus.close()
    async with db.reading() as session:
        rows = (await session.execute(sa.select(applied.c.uscc, applied.c.version).where(applied.c.uscc.in_(usccs)).order_by(applied.c.n))).all()
    for uscc in usccs:
        assert [r.version for r in rows if r.uscc == uscc] == [1, 2, 3, 4, 5]  # once each, in order


async def test_two_relays_never_publish_a_keys_events_out_of_order(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    rt = suite.runtime("registration")
    assert rt.tables is not None
    rival = OutboxRelay(rt.db, rt.tables, Bus(suite.settings, "rival-relay"), suite.settings)
    rival_task = asyncio.create_task(rival.run())
    reader = AIOKafkaConsumer(INSTITUTION_TOPIC, bootstrap_servers=suite.settings.kafka_bootstrap, auto_offset_reset="earliest", fetch_max_wait_ms=20)
    try:
        usccs = [(await register(suite, token_for))["uscc"] for _ in range(6)]
        await asyncio.gather(*(amend_times(suite, token_for, u, 4) for u in usccs))
        await reader.start()
        seen: dict[str, list[int]] = {u: [] for u in usccs}
        ids: set[str] = set()

        async def read_all() -> bool:
            for messages in (await reader.getmany(timeout_ms=500)).values():
                for m in messages:
                    try:
                        event = orjson.loads(m.value)
                    except orjson.JSONDecodeError:
                        continue  # other tests' poison on the shared topic
                    if event.get("subject") in seen and event["id"] not in ids:  # a re-sent copy is absorbed downstream
                        ids.add(event["id"])
                        seen[event["subject"]].append(event["data"]["version"])
            return all(len(v) == 5 for v in seen.values())

        await eventually(read_all, timeout=60, what="every event published")
        assert all(versions == [1, 2, 3, 4, 5] for versions in seen.values()), seen
    finally:
        rival_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await rival_task
        await rival.bus.close()
        await reader.stop()
