"""`tuoyu chaos`: the suite under faults, on this machine only (127.0.0.1), each scenario bounded in
time. It starts the whole suite as `tuoyu up` does, streams registrations through the gateway,
injects a fault in the middle of the stream, and counts what reached the health bureau:

- broker:   the embedded broker is killed (it forgets every topic and message) and restarted;
- services: every process of the suite is killed with SIGKILL in turn, and restarted by the runner;
- database: the registration database is locked by another writer for longer than writes wait;
- poison:   unreadable and ill-formed events are put on the stream before the registrations.

For each it prints sent / received / duplicated / lost, the redeliveries the consumers' inboxes
absorbed, and the answers clients saw (while a part is down: 502/503/504 problems, never a 500).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer

from services.catalogue import SUITE
from services.processes import free_base_port
from services.runner import Suite
from shared.events.catalogue import INSTITUTION_TOPIC
from shared.regions import COUNTIES
from shared.timeutil import today_in_china
from shared.validators import USCC_CHARSET, uscc_check_char

SCENARIOS = ("broker", "services", "database", "poison")


@dataclass
class Outcome:
    scenario: str
    sent: int = 0
    received: int = 0
    duplicated: int = 0
    absorbed: int = 0  # redeliveries the inbox turned away
    answers: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0
    note: str = ""

    @property
    def lost(self) -> int:
        return self.sent - self.received

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing twice, and no answer that is a bug: while a part is down the
        answers are 502/503/504 problems, never a 500."""
        unexpected = {code for code in self.answers if code >= 500 and code not in (502, 503, 504)}
        return self.lost == 0 and self.duplicated == 0 and not unexpected


def _uscc(n: int, run: str) -> str:
    body = "52" + "441802" + run + "".join(USCC_CHARSET[(n // 31**i) % 31] for i in range(9 - len(run)))
    return body + uscc_check_char(body)


class Clients:
    """The registrars and the health bureau, talking to the gateway like any department system."""

    def __init__(self, gateway: str, password: str) -> None:
        self.http = httpx.AsyncClient(base_url=gateway, timeout=30)
        self.password = password
        self.tokens: dict[str, str] = {}

    async def headers(self, account: str) -> dict[str, str]:
        if account not in self.tokens:
            for _ in range(60):
                with contextlib.suppress(httpx.HTTPError):
                    r = await self.http.post("/auth/token", data={"grant_type": "password", "username": account, "password": self.password})
                    if r.status_code == 200:
                        self.tokens[account] = r.json()["access_token"]
                        break
                await asyncio.sleep(0.5)
        return {"Authorization": f"Bearer {self.tokens[account]}"}

    async def register(self, uscc: str, county: str, answers: Counter[int]) -> None:
        """Register once, whatever happens on the way: retried until written (201) or found
        written already (409), so a lost answer never becomes a lost registration."""
        body = {
            "uscc": uscc, "name": f"压力测试托育{uscc[-6:]}", "nature": "social_service", "registrar": "minzheng",
            "registrar_region": county, "county": county, "registered_on": today_in_china().isoformat(), "address": "测试路1号",
            "legal_representative": "测试", "service_types": ["full_day"], "places": {"infant": 0, "toddler": 10, "older_toddler": 10},
            "inclusive": False, "operating_mode": "sole", "employer_run": False, "sponsors": [],
        }
        delay = 0.2
        for _ in range(400):
            try:
                r = await self.http.post("/api/registration/v1/registrations", json=body, headers=await self.headers(f"minzheng-{county}"))
                answers[r.status_code] += 1
                if r.status_code in (201, 409):
                    return
            except httpx.HTTPError:
                answers[0] += 1  # no answer at all (a process was down)
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 2.0)
        raise RuntimeError(f"{uscc} could not be registered")

    async def received(self, usccs: set[str]) -> tuple[int, int]:
        """(registrations of `usccs` in the health inbox, rows beyond one per registration)."""
        seen: Counter[str] = Counter()
        after = None
        while True:
            params = {"limit": 500, "month": today_in_china().isoformat()[:7], **({"after": after} if after else {})}
            r = await self.http.get("/api/inspection/v1/inbox", params=params, headers=await self.headers("weijian-441800"))
            if r.status_code != 200:
                return 0, 0
            page = r.json()
            seen.update(e["uscc"] for e in page["items"] if e["uscc"] in usccs)
            after = page["next"]
            if not after:
                return len(seen), sum(n - 1 for n in seen.values())

    async def absorbed(self) -> int:
        r = await self.http.get("/api/inspection/v1/admin/consumers", headers=await self.headers("admin"))
        return r.json()["inspection.health-inbox"]["duplicates"] if r.status_code == 200 else 0

    async def close(self) -> None:
        await self.http.aclose()


async def _stream(clients: Clients, usccs: list[str], answers: Counter[int], progress: list[int], concurrency: int = 8) -> None:
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for n, uscc in enumerate(usccs):
        queue.put_nowait((n, uscc))
    counties = list(COUNTIES)

    async def worker() -> None:
        while not queue.empty():
            n, uscc = queue.get_nowait()
            await clients.register(uscc, counties[n % len(counties)], answers)
            progress[0] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _when(progress: list[int], count: int) -> None:
    while progress[0] < count:
        await asyncio.sleep(0.05)


async def _kill_broker(suite: Suite, progress: list[int], count: int) -> str:
    await _when(progress, count // 3)
    assert suite.broker is not None and suite.broker.child.process is not None
    suite.broker.child.process.send_signal(signal.SIGKILL)
    return "broker killed at a third of the stream; the runner restarted it and recreated the topics"


async def _kill_services(suite: Suite, progress: list[int], count: int) -> str:
    killed = []
    for n, info in enumerate(SUITE, start=1):
        await _when(progress, count * n // (len(SUITE) + 1))
        child = suite.children[info.name]
        if child.process is not None and child.running:
            child.process.send_signal(signal.SIGKILL)
            killed.append(info.name)
        await asyncio.sleep(0.3)
    return "SIGKILL, in turn: " + ", ".join(killed)


async def _lock_database(suite: Suite, progress: list[int], count: int) -> str:
    await _when(progress, count // 4)
    path = suite.data_dir / "registration.db"

    def hold() -> None:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        time.sleep(14)  # longer than a write waits for the lock (10 s)
        conn.execute("ROLLBACK")
        conn.close()

    await asyncio.to_thread(hold)
    return "registration database held by another writer for 14 s"


async def _poison(suite: Suite, progress: list[int], count: int) -> str:
    producer = AIOKafkaProducer(bootstrap_servers=suite.env["TUOYU_KAFKA_BOOTSTRAP"])
    await producer.start()
    try:
        await producer.send_and_wait(INSTITUTION_TOPIC, b"\x00 not an event", key=b"poison")
        bad = b'{"specversion":"1.0","id":"00000000-0000-4000-8000-000000000001","source":"chaos","type":"tuoyu.registration.institution.registered.v1","subject":"poison","region":"441802","data":{"uscc":"poison"}}'
        await producer.send_and_wait(INSTITUTION_TOPIC, bad, key=b"poison")
    finally:
        await producer.stop()
    return "an unreadable message and an event whose data does not fit its schema, before the stream"


FAULTS: dict[str, Callable[[Suite, list[int], int], Awaitable[str]]] = {
    "broker": _kill_broker,
    "services": _kill_services,
    "database": _lock_database,
    "poison": _poison,
}


async def run_scenario(name: str, count: int, timeout: float) -> Outcome:
    outcome = Outcome(name)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tuoyu-chaos-") as data_dir:
        os.environ.update({"TUOYU_FEED_FOLLOW_INTERVAL_S": "2", "TUOYU_DEMO_PASSWORD": os.environ.get("TUOYU_DEMO_PASSWORD") or "chaos-demo-password"})
        suite = Suite(free_base_port(len(SUITE)), Path(data_dir), demo=True, echo=False)
        clients: Clients | None = None
        try:
            await suite.start()
            supervisor = asyncio.create_task(suite.supervise())
            clients = Clients(suite.url(SUITE[0]), suite.env["TUOYU_DEMO_PASSWORD"])
            run = "".join(secrets.choice(USCC_CHARSET) for _ in range(3))  # this run's own USCCs
            usccs = [_uscc(n, run) for n in range(count)]
            progress = [0]
            fault = asyncio.create_task(FAULTS[name](suite, progress, count))
            await _stream(clients, usccs, outcome.answers, progress)
            outcome.note = await fault
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                outcome.received, outcome.duplicated = await clients.received(set(usccs))
                if outcome.received == count:
                    break
                await asyncio.sleep(1.0)
            outcome.sent = count
            outcome.absorbed = await clients.absorbed()
            suite.request_stop()
            await supervisor
        finally:
            if clients is not None:
                await clients.close()
            await suite.stop()
    outcome.seconds = time.monotonic() - started
    return outcome


def table(outcomes: list[Outcome]) -> str:
    head = f"{'scenario':<10} {'sent':>6} {'received':>9} {'duplicated':>11} {'lost':>5} {'absorbed':>9} {'seconds':>8}  answers"
    lines = [head, "-" * len(head)]
    for o in outcomes:
        answers = " ".join(f"{code or 'none'}×{n}" for code, n in sorted(o.answers.items()))
        lines.append(f"{o.scenario:<10} {o.sent:>6} {o.received:>9} {o.duplicated:>11} {o.lost:>5} {o.absorbed:>9} {o.seconds:>8.1f}  {answers}")
        lines.append(f"{'':<10} {o.note}")
    return "\n".join(lines)


async def run_chaos(scenarios: list[str], count: int, timeout: float) -> list[Outcome]:
    return [await run_scenario(name, count, timeout) for name in scenarios]
