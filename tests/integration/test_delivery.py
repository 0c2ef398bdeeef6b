"""Delivery guarantees with the real broker and real databases (DESIGN §4, §8).

Registrations are written through the registration service's API, so the outbox and relay under
test are the production ones. The receiving side is either the real health-bureau inbox of the
supervision service, or a probe consumer built from the same shared runner whose handler has a
non-idempotent effect (one row per application), so that applying an event twice would show.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import ServiceToken
from shared.bus import Bus
from shared.db import Database
from shared.events.catalogue import CATALOGUE, INSTITUTION_TOPIC, dlq_topic, new_event, spec_of
from shared.events.envelope import Event
from shared.feed import FeedClient
from shared.inbox import Delivery, EventConsumer
from shared.settings import Settings
from shared.tables import platform_tables
from tests.conftest import DatabaseSet
from tests.factories import partition_of, registration_body
from tests.integration.helpers import inbox_entry
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

REGISTERED = "tuoyu.registration.institution.registered.v1"
AMENDED = "tuoyu.registration.institution.amended.v1"
UNREACHABLE_URL = "http://127.0.0.1:9"  # the discard port: nothing listens there


class Probe:
    """A consumer of registrations whose effect is one `applied` row per application."""

    def __init__(
        self, suite: InProcessSuite, db: Database, name: str, *, with_feed: bool, down_source: str | None = None, settings: Settings | None = None
    ) -> None:
        settings = settings or suite.settings
        metadata = sa.MetaData()
        self.tables = platform_tables(metadata)
        self.applied = sa.Table("applied", metadata, sa.Column("n", sa.Integer, primary_key=True), sa.Column("uscc", sa.String(18)))
        self.metadata, self.db = metadata, db
        self.broken: set[str] = set()  # USCCs the handler fails on, until "fixed"
        self.deliveries: Counter[str] = Counter()  # by USCC, every time one was handled
        self.batches: list[tuple[float, set[str]]] = []  # each batch handled: when it began, its USCCs
        feeds = None
        if with_feed:
            token = ServiceToken(suite.http, suite.settings.gateway_url, "inspection", suite.settings.internal_secret)
            urls = {"registration": suite.urls["registration"]}
            if down_source is not None:
                urls[down_source] = UNREACHABLE_URL
            feeds = FeedClient(suite.http, token, urls)
        handlers = {REGISTERED: self.handle}
        if down_source is not None:  # a type of that producer too, so that its feed is one this consumer reads
            handlers[next(t for t, spec in CATALOGUE.items() if spec.producer == down_source)] = self.handle
        self.bus = Bus(settings, client_id=name)
        self.consumer = EventConsumer(name, handlers, db=db, tables=self.tables, bus=self.bus, settings=settings, feeds=feeds)
        original_apply = self.consumer.apply

        async def counting_apply(deliveries):  # type: ignore[no-untyped-def]
            batch = list(deliveries)
            began = time.monotonic()
            applied = await original_apply(batch)
            self.deliveries.update(d.event.subject for d in batch if d.event is not None)  # once handled
            self.batches.append((began, {d.event.subject for d in batch if d.event is not None}))
            return applied

        self.consumer.apply = counting_apply  # type: ignore[method-assign]
        self._task: asyncio.Task[None] | None = None

    async def handle(self, session: AsyncSession, event: Event) -> None:
        await session.execute(sa.insert(self.applied).values(uscc=event.subject))
        if event.subject in self.broken:
            raise RuntimeError(f"simulated bug on {event.subject}")

    async def create_schema(self) -> None:
        async with self.db.engine.begin() as conn:
            await conn.run_sync(self.metadata.create_all)
            await conn.execute(sa.insert(self.tables.relay_lease).values(name="outbox"))

    def start(self) -> None:
        self._task = asyncio.create_task(self.consumer.run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.bus.close()

    async def times_applied(self, uscc: str) -> int:
        async with self.db.reading() as session:
            return (await session.execute(sa.select(sa.func.count()).where(self.applied.c.uscc == uscc))).scalar_one()


@pytest.fixture
async def probe_factory(suite: InProcessSuite, databases: DatabaseSet, fresh_name: str) -> AsyncIterator:
    made: list[Probe] = []

    async def make(*, with_feed: bool = False, down_source: str | None = None, settings: Settings | None = None) -> Probe:
        db = Database(await databases.url(f"probe_{fresh_name}_{len(made)}"))
        probe = Probe(suite, db, f"probe-{fresh_name}-{len(made)}", with_feed=with_feed, down_source=down_source, settings=settings)
        await probe.create_schema()
        made.append(probe)
        return probe

    yield make
    for probe in made:
        await probe.stop()
        await probe.db.dispose()


async def register(suite: InProcessSuite, token_for, **overrides) -> str:  # type: ignore[no-untyped-def]
    body = registration_body(**overrides)
    headers = token_for(body["registrar"], body["registrar_region"])
    response = await suite.http.post(suite.url("registration", "/v1/registrations"), json=body, headers=headers)
    assert response.status_code == 201, response.text
    return body["uscc"]


async def test_registration_reaches_the_health_bureau_of_another_service(suite: InProcessSuite, token_for) -> None:
    uscc = await register(suite, token_for, registrar="shichang", region="441881")
    health = token_for("weijian", "441881")

    async def arrived() -> dict | None:
        response = await suite.http.get(suite.url("inspection", "/v1/inbox"), params={"region": "441881", "limit": 500}, headers=health)
        return next((e for e in response.json()["items"] if e["uscc"] == uscc), None)

    entry = await eventually(arrived, what="registration in the health inbox")
    assert entry["registrar"] == "shichang"
    assert entry["health_region"] == "441881"
    assert entry["same_month"] is True


async def test_consumer_crash_between_commit_and_offset_commit_applies_once(suite, token_for, probe_factory) -> None:  # type: ignore[no-untyped-def]
    uscc = await register(suite, token_for)
    probe = await probe_factory()
    crashes = []
    original_commit = probe.consumer._commit

    async def crash_once(consumer, offsets):  # type: ignore[no-untyped-def]
        if not crashes:
            crashes.append(offsets)
            raise RuntimeError("simulated crash after the inbox transaction, before the offset commit")
        await original_commit(consumer, offsets)

    probe.consumer._commit = crash_once  # type: ignore[method-assign]
    probe.start()
    await eventually(lambda: probe.deliveries[uscc] >= 2, timeout=40, what="redelivery after the crash")
    assert crashes, "the crash was not injected"
    assert await probe.times_applied(uscc) == 1


async def test_relay_crash_between_publish_and_mark_applies_once(suite, token_for, probe_factory) -> None:  # type: ignore[no-untyped-def]
    relay = suite.runtime("registration").relay
    assert relay is not None
    marks = []
    original_mark = relay._mark
    # The crash is where rows are marked published, on either of the relay's paths: in a
    # transaction of their own when the relay is idle after publishing, or in its next cycle's
    # when a commit came meanwhile (which one depends on when the registration's commit lands).

    async def crash_once(session, first: int, last: int) -> None:  # type: ignore[no-untyped-def]
        if not marks:
            marks.append((first, last))
            raise RuntimeError("simulated crash after publishing, before marking published")
        await original_mark(session, first, last)

    relay._mark = crash_once  # type: ignore[method-assign]
    try:
        uscc = await register(suite, token_for)
        probe = await probe_factory()
        probe.start()
        await eventually(lambda: probe.deliveries[uscc] >= 2, timeout=40, what="the re-published duplicate")
    finally:
        relay._mark = original_mark  # type: ignore[method-assign]
    assert marks, "the crash was not injected"
    assert await probe.times_applied(uscc) == 1
    outbox = suite.runtime("registration").tables.outbox  # type: ignore[union-attr]

    async def published() -> bool:
        async with suite.runtime("registration").db.reading() as session:
            row = (await session.execute(sa.select(outbox.c.published_at).where(outbox.c.key == uscc))).one()
        return row.published_at is not None

    await eventually(published, what="the outbox row marked published after the retry")


async def test_a_burst_is_published_once_each_and_every_row_marked(suite, token_for, probe_factory) -> None:  # type: ignore[no-untyped-def]
    """Forty registrations at once: each is sent by the relay once (none read again as unpublished
    by a later cycle) and each outbox row ends up marked published."""
    probe = await probe_factory()
    probe.start()
    usccs = await asyncio.gather(*(register(suite, token_for) for _ in range(40)))
    outbox = suite.runtime("registration").tables.outbox  # type: ignore[union-attr]

    async def all_marked() -> bool:
        async with suite.runtime("registration").db.reading() as session:
            query = sa.select(sa.func.count()).where(outbox.c.key.in_(usccs), outbox.c.published_at.is_not(None))
            return (await session.execute(query)).scalar_one() == len(usccs)

    await eventually(lambda: all(probe.deliveries[u] >= 1 for u in usccs), timeout=40, what="every registration delivered")
    await eventually(all_marked, what="every outbox row marked published")
    await asyncio.sleep(2 * suite.settings.relay_poll_s)  # a timed relay cycle would send again what it had not marked
    assert {u: probe.deliveries[u] for u in usccs} == dict.fromkeys(usccs, 1)


async def test_a_consumer_at_the_head_of_a_busy_stream_fetches_once_a_fetch_wait(suite, token_for, probe_factory) -> None:  # type: ignore[no-untyped-def]
    """Registrations arriving faster than a consumer fetches: after each batch of several, the
    consumer waits its fetch wait before the next (`Linger`); one that never lingers fetches again
    at once. Both apply each registration once."""
    wait_s = 0.4
    # On a loaded machine the burst may reach the broker more than a second after it was written,
    # which the consumer rightly takes for a backlog; when that counts is the unit test's matter.
    timing = {"kafka_fetch_max_wait_ms": int(wait_s * 1000), "kafka_linger_fresh_ms": 600_000}
    lingering = await probe_factory(settings=suite.settings.model_copy(update=timing))
    eager = await probe_factory(settings=suite.settings.model_copy(update={**timing, "kafka_linger_from_events": 10**9}))
    for probe in (lingering, eager):
        probe.start()
    first = await register(suite, token_for)  # both joined and past what the topic held before
    for probe in (lingering, eager):
        await eventually(lambda p=probe: p.times_applied(first), timeout=40, what="the first registration")

    burst = [uscc for _ in range(20) for uscc in await asyncio.gather(*(register(suite, token_for) for _ in range(8)))]
    for probe in (lingering, eager):
        for uscc in burst:
            await eventually(lambda p=probe, u=uscc: p.times_applied(u), timeout=40, what=f"{uscc} applied")
        assert all(probe.deliveries[u] == 1 for u in burst)

    def gaps_after_several(probe: Probe) -> list[float]:
        """Seconds from each batch of the burst holding four or more events to the next batch."""
        batches = [(began, usccs) for began, usccs in probe.batches if usccs & set(burst)]
        return [after[0] - before[0] for before, after in zip(batches, batches[1:]) if len(before[1]) >= 4]

    assert gaps_after_several(lingering), "the burst came in batches of several"
    assert min(gaps_after_several(lingering)) >= 0.9 * wait_s, gaps_after_several(lingering)
    assert min(gaps_after_several(eager)) < 0.9 * wait_s, gaps_after_several(eager)


async def test_poison_event_is_parked_the_stream_goes_on_and_replay_applies_once(suite, token_for, probe_factory) -> None:  # type: ignore[no-untyped-def]
    partitions = suite.settings.kafka_partitions
    poison = registration_body()
    follower = registration_body()
    while partition_of(follower["uscc"], partitions) != partition_of(poison["uscc"], partitions):
        follower = registration_body()  # the next event on the same partition, behind the poison
    probe = await probe_factory()
    probe.broken.add(poison["uscc"])
    for body in (poison, follower):
        headers = token_for(body["registrar"], body["registrar_region"])
        assert (await suite.http.post(suite.url("registration", "/v1/registrations"), json=body, headers=headers)).status_code == 201
    probe.start()

    await eventually(lambda: probe.times_applied(follower["uscc"]), timeout=40, what="the event after the poison")
    dead = probe.tables.dead_letter
    async with probe.db.reading() as session:
        # (the shared broker may also hold other tests' garbage: look at registrations only)
        parked = (await session.execute(sa.select(dead).where(dead.c.type == REGISTERED))).one()
    assert parked.status == "parked"
    assert "simulated bug" in parked.error
    assert parked.attempts == 1 + len(suite.settings.consumer_retry_delays_s)
    assert (parked.topic, parked.partition) == (INSTITUTION_TOPIC, partition_of(poison["uscc"], partitions))
    assert parked.offset is not None
    assert await probe.times_applied(poison["uscc"]) == 0  # the failed attempts left nothing behind

    copied = await _find_in_topic(suite, dlq_topic(INSTITUTION_TOPIC), poison["uscc"])
    assert dict(copied.headers)["consumer"] == probe.consumer.name.encode()

    probe.broken.clear()  # the fix
    assert await probe.consumer.replay(parked.id) is True
    assert await probe.consumer.replay(parked.id) is False  # replaying again changes nothing
    assert await probe.times_applied(poison["uscc"]) == 1
    async with probe.db.reading() as session:
        assert (await session.execute(sa.select(dead.c.status).where(dead.c.id == parked.id))).scalar_one() == "replayed"


async def test_consumer_started_late_catches_up_from_the_feed(suite, token_for, probe_factory) -> None:  # type: ignore[no-untyped-def]
    usccs = [await register(suite, token_for) for _ in range(3)]
    probe = await probe_factory(with_feed=True)
    # Only the feed path: as if the broker had forgotten everything before this consumer came.
    first = await probe.consumer.catch_up(page_size=2)
    assert set(usccs) <= set(first.subjects)
    for uscc in usccs:
        assert await probe.times_applied(uscc) == 1
    again = await probe.consumer.catch_up(page_size=2)
    assert (again.read, again.applied) == (0, [])  # the checkpoint holds
    later = await register(suite, token_for)
    await eventually(lambda: _outbox_sequenced(suite, later), what="the new event in the feed")
    third = await probe.consumer.catch_up()
    assert third.subjects == [later] and await probe.times_applied(later) == 1


async def test_a_producer_that_is_down_does_not_keep_the_other_feeds_unread(suite, token_for, probe_factory) -> None:  # type: ignore[no-untyped-def]
    usccs = [await register(suite, token_for) for _ in range(2)]
    for uscc in usccs:
        await eventually(lambda uscc=uscc: _outbox_sequenced(suite, uscc), what="the registration in the feed")
    probe = await probe_factory(with_feed=True, down_source="inspection")
    assert probe.consumer.sources == ["inspection", "registration"]  # the one that is down comes first
    with pytest.raises(httpx.ConnectError):  # the pass still says it failed, and is retried
        await probe.consumer.catch_up()
    for uscc in usccs:
        assert await probe.times_applied(uscc) == 1


async def test_a_scheduled_feed_pass_waits_for_kafka_to_catch_up_first(suite, token_for, probe_factory) -> None:  # type: ignore[no-untyped-def]
    uscc = await register(suite, token_for)
    await eventually(lambda: _outbox_sequenced(suite, uscc), what="the registration in the feed")
    probe = await probe_factory(with_feed=True)
    scheduled = asyncio.create_task(probe.consumer.catch_up(kafka_first_until=time.monotonic() + 120))
    await asyncio.sleep(1.5)
    assert not scheduled.done() and await probe.times_applied(uscc) == 0  # Kafka has not polled yet: the feed waits
    probe.consumer.trigger_catch_up()  # asked for (a consumer failed, a reconciliation): it waits no longer
    result = await asyncio.wait_for(scheduled, timeout=30)
    assert uscc in result.subjects and await probe.times_applied(uscc) == 1
    # A pass asked for outright does not wait at all.
    later = await register(suite, token_for)
    await eventually(lambda: _outbox_sequenced(suite, later), what="the next registration in the feed")
    assert (await asyncio.wait_for(probe.consumer.catch_up(), timeout=30)).subjects == [later]


def institution_event(body: dict, event_type: str, **changes: object) -> Delivery:
    """A registrar's snapshot event of the registration `body` (version 1, active), changed by `changes`."""
    data = spec_of(event_type).data.model_validate({**body, "status": "active", "version": 1, **changes})
    made = new_event(event_type, source="registration-svc", subject=body["uscc"], region=body["county"], data=data)
    return Delivery.read(made.to_json(), INSTITUTION_TOPIC)


async def test_a_registration_and_its_amendment_in_one_batch_leave_the_amended_record(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    """The health inbox writes a batch's new rows at its end: a later event of the batch for the
    same institution must change the row still to be written, and an older snapshot arriving
    afterwards, alone, changes nothing."""
    consumer = suite.runtime("inspection").consumers["inspection.health-inbox"]
    body = registration_body()
    renamed = institution_event(body, AMENDED, name="改名后的托育机构", version=2, changed=["name"])
    assert len(await consumer.apply([institution_event(body, REGISTERED), renamed])) == 2
    entry = await inbox_entry(suite, token_for, body["uscc"])
    assert entry is not None and entry["name"] == "改名后的托育机构"
    received_at = entry["received_at"]
    assert await consumer.apply([institution_event(body, AMENDED, name="迟到的旧名称", version=1, changed=["name"])])  # applied, as an old version
    entry = await inbox_entry(suite, token_for, body["uscc"])
    assert entry is not None and (entry["name"], entry["received_at"]) == ("改名后的托育机构", received_at)
    async with suite.runtime("inspection").db.reading() as session:
        kept = (await session.execute(sa.text("SELECT count(*) FROM exchange_receipt WHERE subject = :u"), {"u": body["uscc"]})).scalar_one()
    assert kept == 3  # every event's receipt, the batch's written with it


@pytest.mark.parametrize(
    ("service", "consumer_name", "table", "version_column"),
    [("subsidy", "subsidy.eligibility-facts", "institution", "registration_version"), ("training", "training.employers", "employer", "version")],
)
async def test_read_models_keep_one_row_per_institution_whatever_a_batch_holds(  # type: ignore[no-untyped-def]
    suite, service: str, consumer_name: str, table: str, version_column: str
) -> None:
    """Read models by USCC read a batch's rows at once (shared.inbox.prefetch_rows): one read and
    one insert for the batch, and a row the batch's first event adds is the one its later events
    change (were it not, the batch would fail on the second row and be applied again one by one)."""
    consumer = suite.runtime(service).consumers[consumer_name]
    body = registration_body()
    batch = [
        institution_event(body, REGISTERED),
        institution_event(body, AMENDED, name="第二版名称", version=2, changed=["name"]),
        institution_event(body, AMENDED, name="过时的名称", version=1, changed=["name"]),  # late and old: changes nothing
    ]
    statements: list[str] = []

    def seen(conn, cursor, statement: str, *args) -> None:  # type: ignore[no-untyped-def]
        if re.search(rf"\b(FROM|INTO) {table}\b", statement):
            statements.append(statement.split()[0].upper())

    engine = suite.runtime(service).db.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        assert len(await consumer.apply(batch)) == 3
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert statements == ["SELECT", "INSERT"]
    async with suite.runtime(service).db.reading() as session:
        rows = (await session.execute(sa.text(f"SELECT name, {version_column} FROM {table} WHERE uscc = :u"), {"u": body["uscc"]})).all()
    assert [tuple(r) for r in rows] == [("第二版名称", 2)]


async def test_unreadable_message_is_parked_by_the_service_and_listed_for_admins(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    producer = AIOKafkaProducer(bootstrap_servers=suite.settings.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(INSTITUTION_TOPIC, b"{not json", key=b"garbage")
    finally:
        await producer.stop()
    admin = token_for("weijian", "441800", "admin")
    url = suite.url("inspection", "/v1/admin/dead-letters")

    async def listed() -> list:
        items = (await suite.http.get(url, headers=admin)).json()["items"]
        return [d for d in items if d["error"].startswith("unreadable envelope")]

    parked = (await eventually(listed, what="the unreadable message parked"))[0]
    assert parked["topic"] == INSTITUTION_TOPIC and parked["offset"] is not None
    replay = await suite.http.post(f"{url}/{parked['id']}/replay", headers=admin)
    assert replay.status_code == 409
    assert replay.headers["content-type"] == "application/problem+json"
    assert (await suite.http.get(url, headers=token_for("weijian", "441800", "clerk"))).status_code == 403
    # and the stream went on past it
    uscc = await register(suite, token_for, registrar="bianban", region="441800")
    await eventually(lambda: _inbox_has(suite, uscc), what="the next event in the health inbox")


async def _inbox_has(suite: InProcessSuite, uscc: str) -> bool:
    from inspection_svc.models import InboxEntry

    async with suite.runtime("inspection").db.reading() as session:
        return (await session.execute(sa.select(InboxEntry.uscc).where(InboxEntry.uscc == uscc))).first() is not None


async def _outbox_sequenced(suite: InProcessSuite, uscc: str) -> bool:
    outbox = suite.runtime("registration").tables.outbox  # type: ignore[union-attr]
    async with suite.runtime("registration").db.reading() as session:
        row = (await session.execute(sa.select(outbox.c.position).where(outbox.c.key == uscc))).first()
    return row is not None and row.position is not None


async def _find_in_topic(suite: InProcessSuite, topic: str, subject: str):  # type: ignore[no-untyped-def]
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=suite.settings.kafka_bootstrap, auto_offset_reset="earliest", fetch_max_wait_ms=20)
    await consumer.start()
    try:
        async def found():  # type: ignore[no-untyped-def]
            batches = await consumer.getmany(timeout_ms=500)
            for msgs in batches.values():
                for m in msgs:
                    if m.key == subject.encode() and orjson.loads(m.value)["subject"] == subject:
                        return m
            return None

        return await eventually(found, timeout=20, what=f"{subject} in {topic}")
    finally:
        await consumer.stop()
