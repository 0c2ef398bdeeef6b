"""Subscribing to events (订阅): `tuoyu subscribe` from Kafka and from the feeds (what the feed shows a
subscriber account is tested in test_feed_and_relay), and a bureau's own consumer on the shared inbox."""

from __future__ import annotations

import asyncio
import io
import shutil
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from services.examples import bureau_consumer
from services.subscriber import Output, Refused, Stop, subscribe
from shared.db import Database
from shared.events.catalogue import INSTITUTION_TOPIC
from shared.subscriptions import readable_topics
from tests.integration.helpers import published_registration
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

SECRET = "a-long-subscriber-secret"
INSTITUTION_REGISTERED = "tuoyu.registration.institution.registered.v1"


def lines(out: io.BytesIO) -> list[dict]:
    return [orjson.loads(line) for line in out.getvalue().splitlines()]


async def from_kafka(suite: InProcessSuite, group: str, checkpoint: Path) -> list[dict]:
    out = io.BytesIO()
    await subscribe(group, [INSTITUTION_TOPIC], settings=suite.settings, output=Output(out), stop=Stop(idle_exit_s=5), checkpoint=checkpoint)
    return lines(out)


async def test_subscribe_prints_a_topic_from_kafka_and_resumes_from_its_checkpoint(
    suite: InProcessSuite, token_for, tmp_path: Path, fresh_name: str
) -> None:  # type: ignore[no-untyped-def]
    group, checkpoint = f"weijian.441800.test-{fresh_name}", tmp_path / "subscriber.json"
    first = await published_registration(suite, token_for, "441802")
    before = await from_kafka(suite, group, checkpoint)
    assert first in {e["subject"] for e in before if e["type"] == INSTITUTION_REGISTERED}
    assert {e["type"].rsplit(".", 2)[0] for e in before} == {INSTITUTION_TOPIC}
    assert orjson.loads(checkpoint.read_bytes())["kafka"]  # offsets per topic:partition

    second = await published_registration(suite, token_for, "441803")
    after = await from_kafka(suite, group, checkpoint)
    assert [e["subject"] for e in after if e["subject"] in (first, second)] == [second]  # nothing repeated
    assert not {e["id"] for e in before} & {e["id"] for e in after}

    # A group the broker has no offsets for (as after the embedded broker's restart) starts where the file says.
    forgotten = tmp_path / "copy.json"
    shutil.copy(checkpoint, forgotten)
    again = await from_kafka(suite, f"weijian.441800.forgot-{fresh_name}", forgotten)
    assert not {first, second} & {e["subject"] for e in again}


@pytest.fixture(scope="module")
async def county_police(suite: InProcessSuite, token_for) -> str:  # type: ignore[no-untyped-def]
    """A 公安 county office's subscriber account (a system, with client credentials)."""
    username = "gongan-441821-subscriber"
    body = {
        "username": username,
        "kind": "system",
        "secret": SECRET,
        "display_name": "佛冈县公安局订阅",
        "department": "gongan",
        "region": "441821",
        "roles": ["subscriber"],
    }
    created = await suite.http.post(suite.url("gateway", "/auth/accounts"), json=body, headers=token_for("weijian", "441800", "admin"))
    assert created.status_code == 201, created.text
    return username


async def from_feeds(suite: InProcessSuite, client_id: str, checkpoint: Path, *topics: str, command: str | None = None) -> list[dict]:
    out = io.BytesIO()
    await subscribe(
        "gongan.441821.roster",
        list(topics),
        settings=suite.settings,
        output=Output(out, command, backoff_s=(0.1,)),
        stop=Stop(idle_exit_s=3),
        checkpoint=checkpoint,
        from_feed=True,
        gateway=suite.urls["gateway"],
        client_id=client_id,
        client_secret=SECRET,
    )
    return lines(out)


async def test_subscribe_from_the_feeds_sees_only_what_the_bureau_may_see(
    suite: InProcessSuite, token_for, county_police: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    elsewhere = await published_registration(suite, token_for, "441802")
    mine = await published_registration(suite, token_for, "441821")
    seen = await from_feeds(suite, county_police, tmp_path / "feed.json")
    assert mine in {e["subject"] for e in seen} and elsewhere not in {e["subject"] for e in seen}
    assert {e["region"] for e in seen} == {"441821"}
    assert {e["type"].rsplit(".", 2)[0] for e in seen} <= set(readable_topics("gongan"))
    assert orjson.loads((tmp_path / "feed.json").read_bytes())["feed"]["registration"] > 0  # a position per producing service

    later = await published_registration(suite, token_for, "441821")
    resumed = await from_feeds(suite, county_police, tmp_path / "feed.json")
    assert later in {e["subject"] for e in resumed} and mine not in {e["subject"] for e in resumed}

    with pytest.raises(Refused, match="may not read tuoyu.subsidy.ledger"):
        await from_feeds(suite, county_police, tmp_path / "other.json", "tuoyu.subsidy.ledger")


async def test_a_group_must_be_the_bureaus_own(suite: InProcessSuite, county_police: str, tmp_path: Path) -> None:
    with pytest.raises(Refused, match="belongs to weijian.441821"):
        await subscribe(
            "weijian.441821.roster",
            [],
            settings=suite.settings,
            output=Output(io.BytesIO()),
            stop=Stop(max_events=1),
            checkpoint=tmp_path / "x.json",
            from_feed=True,
            gateway=suite.urls["gateway"],
            client_id=county_police,
            client_secret=SECRET,
        )


async def test_exec_forwards_each_event_and_retries_until_the_command_succeeds(
    suite: InProcessSuite, token_for, county_police: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    uscc = await published_registration(suite, token_for, "441821")
    received, failed_once = tmp_path / "received.jsonl", tmp_path / "failed-once"
    # fails the first time it is run, then appends what it is given
    command = f"test -e {failed_once} || {{ touch {failed_once}; exit 3; }}; cat >> {received}"
    printed = await from_feeds(suite, county_police, tmp_path / "exec.json", INSTITUTION_TOPIC, command=command)
    assert printed == []  # forwarded, not printed
    forwarded = [orjson.loads(line) for line in received.read_bytes().splitlines()]
    assert uscc in {e["subject"] for e in forwarded}
    assert len({e["id"] for e in forwarded}) == len(forwarded)  # the failed attempt was retried, not doubled


# -- a bureau's own consumer -----------------------------------------------------------------


async def test_the_bureau_example_applies_each_event_once_even_when_redelivered(
    suite: InProcessSuite, token_for, tmp_path: Path, fresh_name: str
) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/gongan-roster.db")
    await bureau_consumer.create_tables(db)
    consumer = bureau_consumer.roster_consumer(db, suite.settings, group=f"gongan.441800.roster-{fresh_name}")
    running = asyncio.create_task(consumer.run())
    try:
        uscc = await published_registration(suite, token_for, "441823")

        async def on_roster() -> dict | None:
            async with db.reading() as session:
                row = (await session.execute(sa.select(bureau_consumer.roster).where(bureau_consumer.roster.c.uscc == uscc))).first()
            return row._asdict() if row else None

        first = await eventually(on_roster, what="the institution on the roster")
        assert (first["county"], first["status"], first["version"]) == ("441823", "active", 1)

        # the relay sends the same event again (as after a crash between send and mark)
        outbox = suite.runtime("registration").tables.outbox  # type: ignore[union-attr]
        async with suite.runtime("registration").db.reading() as session:
            payload = (await session.execute(sa.select(outbox.c.payload).where(outbox.c.key == uscc))).scalar_one()
        duplicates = consumer.stats["duplicates"]
        producer = await suite.runtime("registration").bus.producer()
        await producer.send_and_wait(INSTITUTION_TOPIC, payload.encode(), key=uscc.encode())
        await eventually(lambda: consumer.stats["duplicates"] > duplicates, what="the redelivery absorbed by the inbox")
        assert await on_roster() == first

        async def counted_once() -> bool:
            # The group reads the topic from its start (other tests' events too, some applied one by
            # one): the count of an event follows its commit, so compare once the two agree or time out.
            async with db.reading() as session:
                applied = (await session.execute(sa.select(sa.func.count()).select_from(bureau_consumer.PLATFORM.inbox))).scalar_one()
            return applied >= 1 and consumer.stats["applied"] == applied

        await eventually(counted_once, what="every event in the roster's inbox counted as applied, once")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await consumer.bus.close()
        await db.dispose()
