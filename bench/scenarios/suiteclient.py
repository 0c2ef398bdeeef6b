"""The suite seen from outside: registrars writing through the gateway, and where their
registrations have got to (read straight from the databases, as a measurement)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from bench.load import WARM_UP, Accounts, LoadClient, Outcome, Usccs, http_client, registration_body, timed, wait_until
from bench.scenarios.common import column_by_uscc, count_in, database
from bench.stage import DEMO_PASSWORD, Stage
from inspection_svc.models import InboxEntry
from registration_svc.models import Registration
from registration_svc.models import platform as registration_platform
from services.catalogue import BY_NAME, SUITE
from services.runner import Suite
from shared.db import Database
from shared.regions import COUNTIES


@dataclass
class SuiteClient:
    suite: Suite
    http: httpx.AsyncClient  # signing in, reports
    load: LoadClient  # the measured requests
    accounts: Accounts
    registrars: list[dict[str, str]]
    registration_db: Database
    inspection_db: Database
    usccs: Usccs

    @property
    def gateway(self) -> str:
        return self.suite.url(SUITE[0])

    def service(self, name: str) -> str:
        return self.suite.url(BY_NAME[name])

    async def register(self, n: int, base: str | None = None) -> Outcome:
        """Registration number `n` (one USCC per n), by the registrar of the n-th county."""
        county = COUNTIES[n % len(COUNTIES)]
        uscc = self.usccs.make(n)
        url = f"{base or self.gateway + '/api/registration'}/v1/registrations"
        return await timed(self.load.post(url, registration_body(uscc, county), self.registrars[n % len(COUNTIES)]), uscc)

    async def arrived(self, usccs: list[str]) -> int:
        return await count_in(self.inspection_db, InboxEntry.uscc, usccs)

    async def wait_arrived(self, usccs: list[str], timeout: float) -> bool:
        async def all_there() -> bool:
            return await self.arrived(usccs) >= len(usccs)

        return await wait_until(all_there, timeout, interval=0.1)

    async def commit_to_inbox(self, usccs: list[str]) -> list[float]:
        """Seconds from each registration's commit (its `created_at`) to its row in the health
        bureau's inbox (`received_at`), for those that arrived."""
        created = await column_by_uscc(self.registration_db, Registration.created_at, Registration.uscc, usccs)
        received = await column_by_uscc(self.inspection_db, InboxEntry.received_at, InboxEntry.uscc, usccs)
        return [(received[u] - created[u]).total_seconds() for u in usccs if u in received and u in created]

    async def stages(self, usccs: list[str]) -> tuple[list[float], list[float]]:
        """Where the time goes: seconds from commit to the relay's publish (`outbox.published_at`),
        and from the publish to the inbox row, for those that arrived."""
        outbox = registration_platform.outbox
        created = await column_by_uscc(self.registration_db, Registration.created_at, Registration.uscc, usccs)
        published = await column_by_uscc(self.registration_db, outbox.c.published_at, outbox.c.key, usccs)
        received = await column_by_uscc(self.inspection_db, InboxEntry.received_at, InboxEntry.uscc, usccs)
        both = [u for u in usccs if u in created and u in received and published.get(u)]
        return [(published[u] - created[u]).total_seconds() for u in both], [(received[u] - published[u]).total_seconds() for u in both]

    async def last_arrival(self, usccs: list[str]) -> float | None:
        """Wall-clock time (epoch seconds) the last of them reached the inbox."""
        received = await column_by_uscc(self.inspection_db, InboxEntry.received_at, InboxEntry.uscc, usccs)
        return max(v.timestamp() for v in received.values()) if received else None

    async def warm_up(self, count: int = 8, timeout: float = 90.0) -> None:
        """A few registrations end to end, so that consumers have joined their groups and every
        connection is open before anything is measured."""
        outcomes = [await self.register(WARM_UP + i) for i in range(count)]
        written = [o.key for o in outcomes if o.status == 201]
        if len(written) < count:
            raise RuntimeError(f"warm-up writes failed: {[o.status for o in outcomes]}")
        if not await self.wait_arrived(written, timeout):
            raise RuntimeError(f"warm-up registrations did not reach the health inbox within {timeout:.0f} s")


@asynccontextmanager
async def suite_client(stage: Stage, connections: int = 64) -> AsyncIterator[SuiteClient]:
    """The running suite of the stage, with its registrars signed in."""
    suite = stage.suite
    assert suite is not None, "start the suite first"
    urls = await stage.suite_urls()
    async with http_client(connections) as http, LoadClient() as load, database(urls["registration"]) as reg, database(urls["inspection"]) as insp:
        accounts = Accounts(http, suite.url(SUITE[0]), DEMO_PASSWORD)
        registrars = await accounts.registrars()
        yield SuiteClient(suite, http, load, accounts, registrars, reg, insp, Usccs())


def now() -> float:
    return time.time()
