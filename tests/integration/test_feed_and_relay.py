"""The outbox feed (and what a bureau's subscriber account may read of it) and the relay's wake-up."""

from __future__ import annotations

import asyncio
import time

import sqlalchemy as sa

from shared.subscriptions import may_read, readable_topics
from tests.factories import registration_body
from tests.integration.helpers import outbox_published, published_registration
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually


async def register(suite: InProcessSuite, token_for) -> str:  # type: ignore[no-untyped-def]
    body = registration_body()
    response = await suite.http.post(
        suite.url("registration", "/v1/registrations"), json=body, headers=token_for("minzheng", "441802")
    )
    assert response.status_code == 201
    return body["uscc"]


async def test_the_feed_pages_in_position_order_without_gaps(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    usccs = [await register(suite, token_for) for _ in range(5)]
    service = token_for(None, "441800", "service", kind="service")
    url = suite.url("registration", "/v1/events")

    async def everything() -> list[dict]:
        items, after = [], 0
        while True:
            page = (await suite.http.get(url, params={"after": after, "limit": 2}, headers=service)).json()
            items += page["items"]
            if page["next"] is None:
                return items
            after = page["next"]

    items = await eventually(
        lambda: _all_present(everything, usccs), what="the five registrations in the feed"
    )
    positions = [i["position"] for i in items]
    assert positions == list(range(1, len(positions) + 1))
    mine = [i["event"] for i in items if i["event"]["subject"] in usccs]
    assert [e["subject"] for e in mine] == usccs  # in the order they were written
    assert all(e["type"] == "tuoyu.registration.institution.registered.v1" and e["source"] == "registration-svc" for e in mine)
    filtered = await suite.http.get(url, params={"topic": "tuoyu.registration.nothing"}, headers=service)
    assert filtered.json() == {"items": [], "next": None}


async def _all_present(read, usccs: list[str]):  # type: ignore[no-untyped-def]
    items = await read()
    subjects = {i["event"]["subject"] for i in items}
    return items if set(usccs) <= subjects else None


async def test_the_feed_is_for_services_subscribers_and_admins(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    url = suite.url("registration", "/v1/events")
    assert (await suite.http.get(url, headers=token_for("minzheng", "441802", "clerk"))).status_code == 403
    assert (await suite.http.get(url, headers=token_for("caizheng", "441800", "subscriber"))).status_code == 200
    assert (await suite.http.get(url, params={"limit": 0}, headers=token_for("weijian", "441800", "admin"))).status_code == 422


async def whole_feed(suite: InProcessSuite, service: str, headers: dict[str, str], limit: int = 100) -> tuple[list[dict], int]:
    """Every item a caller sees in a feed, paging on `next`; and how many pages showed nothing."""
    items, after, empty_pages = [], 0, 0
    while True:
        response = await suite.http.get(suite.url(service, "/v1/events"), params={"after": after, "limit": limit}, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        empty_pages += not page["items"]
        if page["next"] is None:
            return items, empty_pages
        assert page["next"] > after
        after = page["next"]


async def test_a_subscriber_reads_only_the_topics_its_department_may_read(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await published_registration(suite, token_for, "441821")
    finance = token_for("caizheng", "441800", "subscriber")
    url = suite.url("registration", "/v1/events")
    refused = await suite.http.get(url, params={"topic": "tuoyu.registration.kindergarten_class"}, headers=finance)
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "topic" and refused.json()["errors"][0]["rule"] == "not_readable_by_department"
    assert "tuoyu.registration.kindergarten_class" in refused.json()["detail"]
    assert not may_read("caizheng", "tuoyu.registration.kindergarten_class")

    seen, _ = await whole_feed(suite, "registration", finance)
    assert uscc in {i["event"]["subject"] for i in seen}
    assert {i["event"]["type"].rsplit(".", 2)[0] for i in seen} <= set(readable_topics("caizheng"))
    # services and administrators read everything, as before
    assert (await suite.http.get(url, params={"topic": "tuoyu.registration.kindergarten_class"}, headers=token_for("weijian", "441800", "admin"))).status_code == 200


async def test_a_county_subscriber_reads_its_county_only_and_pages_past_the_rest(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    elsewhere = await published_registration(suite, token_for, "441802")
    mine = await published_registration(suite, token_for, "441821")
    county_police = token_for("gongan", "441821", "subscriber")
    items, empty_pages = await whole_feed(suite, "registration", county_police, limit=1)
    subjects = {i["event"]["subject"] for i in items}
    assert mine in subjects and elsewhere not in subjects
    assert {i["event"]["region"] for i in items} == {"441821"}
    assert empty_pages >= 1  # a page of another county's event: nothing shown, and `next` moved on
    positions = [i["position"] for i in items]
    assert positions == sorted(set(positions))
    everything, _ = await whole_feed(suite, "registration", token_for(None, "441800", "service", kind="service"), limit=1000)
    assert {mine, elsewhere} <= {i["event"]["subject"] for i in everything}


async def test_the_relay_is_woken_by_the_commit_not_by_its_poll(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    settings = suite.runtime("registration").settings
    poll = settings.relay_poll_s
    settings.relay_poll_s = 600.0  # a poll that would never come within this test
    outbox = suite.runtime("registration").tables.outbox  # type: ignore[union-attr]
    engine = suite.runtime("registration").db.engine.sync_engine
    probes: list[str] = []

    def seen(conn, cursor, statement: str, *args) -> None:  # type: ignore[no-untyped-def]
        if "FROM outbox" in statement and "position IS NULL" in statement and "ORDER BY" not in statement:
            probes.append(statement)  # the read-only look for new rows that a timed wake-up makes first

    try:
        await eventually(lambda: _relay_idle(suite), what="the relay with nothing to do")
        await asyncio.sleep(2 * poll + 0.2)  # let the wait that began under the short poll run out
        sa.event.listen(engine, "before_cursor_execute", seen)
        uscc = await register(suite, token_for)

        async def published() -> bool:
            async with suite.runtime("registration").db.reading() as session:
                row = (await session.execute(sa.select(outbox.c.published_at).where(outbox.c.key == uscc))).one()
            return row.published_at is not None

        await eventually(published, timeout=20, what="publication woken by the commit")
        assert probes == []  # the commit said rows are waiting: straight to sequencing them
    finally:
        if sa.event.contains(engine, "before_cursor_execute", seen):
            sa.event.remove(engine, "before_cursor_execute", seen)
        settings.relay_poll_s = poll
        suite.runtime("registration").relay.wake()  # type: ignore[union-attr]


async def test_under_a_burst_the_relay_lets_the_next_batch_gather(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    """After a cycle that published several rows, the relay waits its linger before the next
    (each cycle is a transaction and a produce however few rows it carries); every row still goes out."""
    rt = suite.runtime("registration")
    relay, settings = rt.relay, rt.settings
    linger_ms = settings.relay_linger_ms
    settings.relay_linger_ms = 400
    pump = relay.pump
    cycles: list[tuple[float, int]] = []  # when each cycle that published began, and how many rows

    async def recorded(**kwargs) -> int:  # type: ignore[no-untyped-def]
        began = time.monotonic()
        published = await pump(**kwargs)
        if published:
            cycles.append((began, published))
        return published

    relay.pump = recorded
    try:
        await eventually(lambda: _relay_idle(suite), what="the relay with nothing to do")
        burst = [uscc for _ in range(6) for uscc in await asyncio.gather(*(register(suite, token_for) for _ in range(8)))]
        await eventually(lambda: _relay_idle(suite), timeout=30, what="the burst published")
        assert all([await outbox_published(suite, "registration", uscc) for uscc in burst])
    finally:
        relay.pump = pump
        settings.relay_linger_ms = linger_ms
    gaps = [after[0] - before[0] for before, after in zip(cycles, cycles[1:]) if before[1] >= settings.kafka_linger_from_events]
    assert gaps, f"the burst went out in cycles of several rows: {cycles}"
    assert min(gaps) >= 0.4, (gaps, cycles)


async def _relay_idle(suite: InProcessSuite) -> bool:
    return await suite.runtime("registration").relay.backlog() == 0  # type: ignore[union-attr]
