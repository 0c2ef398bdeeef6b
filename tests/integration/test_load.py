"""Load: 50 concurrent clients mixing reads and writes through the gateway for a bounded time —
no 5xx, no lost write, and the outbox drains afterwards."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import sqlalchemy as sa

from registration_svc.models import Registration
from shared.regions import COUNTIES
from tests.factories import registration_body
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

CLIENTS = 50
SECONDS = 12.0


async def test_fifty_clients_mixing_reads_and_writes(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    gateway = suite.urls["gateway"]
    answers: Counter[int] = Counter()
    written: list[str] = []
    loop = asyncio.get_running_loop()
    stop_at = loop.time() + SECONDS

    async def client(n: int) -> None:
        county = list(COUNTIES)[n % len(COUNTIES)]
        registrar = token_for("minzheng", county, sub=f"load-registrar-{n}")
        health = token_for("weijian", county, sub=f"load-health-{n}")
        rng = random.Random(n)
        mine: list[str] = []
        while loop.time() < stop_at:
            pick = rng.random()
            if pick < 0.3 or not mine:
                body = registration_body("minzheng", county)
                response = await suite.http.post(f"{gateway}/api/registration/v1/registrations", json=body, headers=registrar)
                if response.status_code == 201:
                    mine.append(body["uscc"])
            elif pick < 0.55:
                response = await suite.http.get(f"{gateway}/api/registration/v1/registrations/{rng.choice(mine)}", headers=registrar)
            elif pick < 0.75:
                response = await suite.http.get(f"{gateway}/api/registration/v1/registrations", params={"county": county, "limit": 20}, headers=registrar)
            elif pick < 0.9:
                response = await suite.http.get(f"{gateway}/api/inspection/v1/inbox", params={"region": county, "limit": 20}, headers=health)
            else:
                response = await suite.http.get(f"{gateway}/api/inspection/v1/public/institutions", params={"county": county})
            answers[response.status_code] += 1
        written.extend(mine)

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    assert not [code for code in answers if code >= 500], answers
    assert set(answers) <= {200, 201}, answers
    assert len(written) > CLIENTS  # the load did write

    async with suite.runtime("registration").db.reading() as session:
        stored = set((await session.execute(sa.select(Registration.uscc).where(Registration.uscc.in_(written)))).scalars())
    assert stored == set(written)  # no acknowledged write lost

    relay = suite.runtime("registration").relay
    assert relay is not None
    await eventually(lambda: _drained(relay), timeout=60, what="the outbox drained")

    from inspection_svc.models import InboxEntry

    async def all_arrived() -> bool:
        async with suite.runtime("inspection").db.reading() as session:
            arrived = (await session.execute(sa.select(sa.func.count()).where(InboxEntry.uscc.in_(written)))).scalar_one()
        return arrived == len(written)

    await eventually(all_arrived, timeout=60, what="every write in the health inbox")


async def _drained(relay) -> bool:  # type: ignore[no-untyped-def]
    return await relay.backlog() == 0
