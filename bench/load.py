"""Load as department systems make it: registrations and reads through the gateway (or straight
at a service, or at a bare endpoint), at a steady rate or from N clients as fast as they go.

The load is made by `LoadClient`, the kept-alive HTTP/1.1 client of the gateway's own hop
(`shared.upstream`), not by httpx: the load runs on the machine it measures, and with 16 clients
httpx took 1.3–1.4 ms of CPU a request here, as much as the bare endpoint's whole request, from
the two cores the suite and its baseline share (a department system's client runs elsewhere);
this client 0.12–0.28 ms, building the bodies included (bench/README.md). httpx still signs in
and fetches the reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from shared.regions import COUNTIES
from shared.timeutil import today_in_china
from shared.upstream import Upstreams, UpstreamUnreachable
from shared.validators import USCC_CHARSET, uscc_check_char

# The first two characters of a USCC and the nature each registrar registers.
REGISTRARS = {"bianban": ("12", "public_institution"), "minzheng": ("52", "social_service"), "shichang": ("91", "for_profit")}


# Numbers of the warm-up registrations: far from those of the measured ones (worker × 1,000,000 + i).
WARM_UP = 880_000_000


class Usccs:
    """Valid, distinct USCCs of one bench run: region, a run mark and a counter."""

    def __init__(self) -> None:
        self.run = "".join(secrets.choice(USCC_CHARSET) for _ in range(3))
        self.count = 0

    def make(self, n: int, registrar: str = "minzheng", region: str = "441802") -> str:
        digits = "".join(USCC_CHARSET[(n // 31**i) % 31] for i in range(6))
        body = REGISTRARS[registrar][0] + region + self.run + digits
        return body + uscc_check_char(body)

    def next(self, registrar: str = "minzheng", region: str = "441802") -> str:
        self.count += 1
        return self.make(self.count, registrar, region)


def registration_body(uscc: str, county: str, registrar: str = "minzheng", registered_on: str | None = None) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": f"基准测试托育{uscc[-7:]}",
        "nature": REGISTRARS[registrar][1],
        "registrar": registrar,
        "registrar_region": county,
        "county": county,
        "registered_on": registered_on or today_in_china().isoformat(),
        "address": "清城区基准路1号",
        "legal_representative": "基准",
        "service_types": ["full_day"],
        "places": {"infant": 5, "toddler": 10, "older_toddler": 15},
        "inclusive": False,
        "operating_mode": "sole",
        "employer_run": False,
        "sponsors": [],
    }


@dataclass
class Outcome:
    """One request: its answer (0 when none came), how long it took, and what it was about."""

    status: int
    seconds: float
    key: str = ""


@dataclass
class Tally:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0  # how long the load ran

    def ok(self, *codes: int) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in codes]

    def answers(self) -> str:
        counts: dict[int, int] = {}
        for o in self.outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        return " ".join(f"{code or 'none'}×{n}" for code, n in sorted(counts.items()))


def http_client(connections: int = 64) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections))


class LoadClient:
    """The load's requests, answered with their status (0: no answer), over kept-alive connections
    per origin, dropped when its `async with` ends."""

    JSON = (b"content-type", b"application/json")

    def __init__(self) -> None:
        self._pools = Upstreams()

    async def post(self, url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        return await self._request("POST", url, headers, orjson.dumps(body))

    async def get(self, url: str, headers: dict[str, str] | None = None) -> int:
        return await self._request("GET", url, headers, b"")

    async def _request(self, method: str, url: str, headers: dict[str, str] | None, body: bytes) -> int:
        scheme, _, rest = url.partition("://")
        netloc, slash, target = rest.partition("/")
        fields = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
        if body:
            fields.append(self.JSON)
        try:
            answer = await self._pools.pool(f"{scheme}://{netloc}").request(method, slash + target, fields, body, repeatable=method == "GET")
        except UpstreamUnreachable:
            return 0
        return answer.status

    async def __aenter__(self) -> LoadClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._pools.close()


class Accounts:
    """Tokens of the demo accounts, signed in through the gateway like any department system."""

    def __init__(self, http: httpx.AsyncClient, gateway: str, password: str) -> None:
        self.http, self.gateway, self.password = http, gateway, password
        self.tokens: dict[str, dict[str, str]] = {}

    async def headers(self, account: str) -> dict[str, str]:
        if account not in self.tokens:
            data = {"grant_type": "password", "username": account, "password": self.password}
            r = await self.http.post(f"{self.gateway}/auth/token", data=data)
            if r.status_code != 200:
                raise RuntimeError(f"sign-in of {account} failed: {r.status_code} {r.text[:200]}")
            self.tokens[account] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self.tokens[account]

    async def registrars(self) -> list[dict[str, str]]:
        """One 民政 registrar per county (the load spreads over them)."""
        return [await self.headers(f"minzheng-{county}") for county in COUNTIES]


async def timed(call: Awaitable[int], key: str = "") -> Outcome:
    """`call` is a `LoadClient` request: its status, and how long it took."""
    started = time.perf_counter()
    status = await call
    return Outcome(status, time.perf_counter() - started, key)


async def steady(rate: float, seconds: float, action: Callable[[int], Awaitable[Outcome]]) -> Tally:
    """`action(i)` started at a steady rate for `seconds`, each on schedule whether or not the
    ones before have answered (open loop: a slow answer does not slow the arrivals)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    tasks: list[asyncio.Task[Outcome]] = []
    i = 0
    while (due := started + i / rate) < started + seconds:
        await asyncio.sleep(max(0.0, due - loop.time()))
        tasks.append(asyncio.create_task(action(i)))
        i += 1
    tally = Tally(seconds=loop.time() - started)
    done, pending = await asyncio.wait(tasks, timeout=60) if tasks else (set(), set())
    for task in pending:
        task.cancel()
    tally.outcomes = [t.result() for t in tasks if t in done and not t.cancelled() and t.exception() is None]
    return tally


async def closed_loop(clients: int, seconds: float, action: Callable[[int, int], Awaitable[Outcome]]) -> Tally:
    """`clients` workers, each calling `action(worker, i)` again as soon as it answered, for `seconds`."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    stop_at = started + seconds
    tally = Tally()

    async def worker(w: int) -> None:
        i = 0
        while loop.time() < stop_at:
            tally.outcomes.append(await action(w, i))
            i += 1

    await asyncio.gather(*(worker(w) for w in range(clients)))
    tally.seconds = loop.time() - started
    return tally


async def wait_until(check: Callable[[], Awaitable[bool]], timeout: float, interval: float = 0.2) -> bool:
    """Poll `check` until it holds or `timeout` seconds passed; never raises on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):
            if await check():
                return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(interval)
