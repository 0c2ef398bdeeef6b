"""The outbox feed and the relay's wake-up."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from tests.factories import registration_body
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


async def test_the_relay_is_woken_by_the_commit_not_by_its_poll(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    settings = suite.runtime("registration").settings
    poll = settings.relay_poll_s
    settings.relay_poll_s = 600.0  # a poll that would never come within this test
    outbox = suite.runtime("registration").tables.outbox  # type: ignore[union-attr]
    try:
        await eventually(lambda: _relay_idle(suite), what="the relay with nothing to do")
        await asyncio.sleep(2 * poll + 0.2)  # let the wait that began under the short poll run out
        uscc = await register(suite, token_for)

        async def published() -> bool:
            async with suite.runtime("registration").db.reading() as session:
                row = (await session.execute(sa.select(outbox.c.published_at).where(outbox.c.key == uscc))).one()
            return row.published_at is not None

        await eventually(published, timeout=20, what="publication woken by the commit")
    finally:
        settings.relay_poll_s = poll
        suite.runtime("registration").relay.wake()  # type: ignore[union-attr]


async def _relay_idle(suite: InProcessSuite) -> bool:
    return await suite.runtime("registration").relay.backlog() == 0  # type: ignore[union-attr]
