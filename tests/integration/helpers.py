"""Steps the integration tests share: registering, reading a service's tables, losing events."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI

from inspection_svc.domain.evaluation import DOMAINS
from inspection_svc.models import Evaluation
from services.processes import free_port
from shared.bus import ensure_topics
from shared.timeutil import today_in_china
from tests.factories import registration_body
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

VOID_TOPIC = "tuoyu.test.void"
MATERIALS = {
    "filing_form": True,
    "commitment_letter": True,
    "licence": True,
    "premises_proof": True,
    "staff_certificates": True,
    "hygiene_evaluation": True,
    "fire_safety": True,
}


async def register(suite: InProcessSuite, token_for, **overrides: Any) -> dict:  # type: ignore[no-untyped-def]
    """Register through the registration service as the registrar the body names."""
    body = registration_body(**overrides)
    response = await suite.http.post(
        suite.url("registration", "/v1/registrations"), json=body, headers=token_for(body["registrar"], body["registrar_region"])
    )
    assert response.status_code == 201, response.text
    return response.json()


async def inbox_entry(suite: InProcessSuite, token_for, uscc: str, region: str = "441800") -> dict | None:  # type: ignore[no-untyped-def]
    response = await suite.http.get(suite.url("inspection", f"/v1/inbox/{uscc}"), headers=token_for("weijian", region))
    assert response.status_code in (200, 404), response.text
    return response.json() if response.status_code == 200 else None


async def arrived(suite: InProcessSuite, token_for, uscc: str, *, where=lambda e: True, timeout: float = 30) -> dict:  # type: ignore[no-untyped-def]
    async def probe() -> dict | None:
        entry = await inbox_entry(suite, token_for, uscc)
        return entry if entry is not None and where(entry) else None

    return await eventually(probe, timeout=timeout, what=f"{uscc} in the health inbox")


async def known_employer(suite: InProcessSuite, uscc: str) -> None:
    """Wait until the workforce service has heard of the registration (it refuses to hire for an
    employer it does not know, and hears of them in the background, after the health inbox)."""
    from training_svc.models import Employer

    async def known() -> bool:
        async with suite.runtime("training").db.reading() as session:
            return (await session.execute(sa.select(Employer.uscc).where(Employer.uscc == uscc))).first() is not None

    await eventually(known, what="the employer in the workforce service")


async def outbox_published(suite: InProcessSuite, service: str, key: str) -> bool:
    outbox = suite.runtime(service).tables.outbox  # type: ignore[union-attr]
    async with suite.runtime(service).db.reading() as session:
        rows = (await session.execute(sa.select(outbox.c.published_at).where(outbox.c.key == key))).all()
    return bool(rows) and all(r.published_at is not None for r in rows)


async def published_registration(suite: InProcessSuite, token_for, county: str) -> str:  # type: ignore[no-untyped-def]
    """Register an institution in `county` (by 民政) and wait until its event is published; its USCC."""
    made = await register(suite, token_for, registrar="minzheng", region=county)
    await eventually(lambda: outbox_published(suite, "registration", made["uscc"]), what=f"{made['uscc']} published")
    return made["uscc"]


@contextlib.asynccontextmanager
async def broker_loses_registration_events(suite: InProcessSuite) -> AsyncIterator[None]:
    """While inside: the registration relay's writes are acknowledged but land where no consumer
    reads (as the embedded broker does after a restart), and the scheduled catch-up waits."""
    await ensure_topics(suite.settings, [VOID_TOPIC], with_dlq=False)
    bus = suite.runtime("registration").bus
    real_producer = bus.producer
    interval = suite.settings.feed_follow_interval_s

    class Void:
        def __init__(self, producer: Any) -> None:
            self.producer = producer

        async def send(self, topic: str, value: bytes, **kwargs: Any) -> Any:
            return await self.producer.send(VOID_TOPIC, value, **kwargs)

    async def voiding_producer() -> Any:
        return Void(await real_producer())

    suite.settings.feed_follow_interval_s = 3600.0
    await asyncio.sleep(interval + 0.5)  # the follower's current wait, begun under the short interval, runs out
    bus.producer = voiding_producer  # type: ignore[method-assign]
    try:
        yield
    finally:
        bus.producer = real_producer  # type: ignore[method-assign]
        suite.settings.feed_follow_interval_s = interval


async def filed(suite: InProcessSuite, token_for, county: str) -> str:  # type: ignore[no-untyped-def]
    """A registered institution in `county` whose filing the health bureau accepted."""
    made = await register(suite, token_for, registrar="minzheng", region=county)
    await arrived(suite, token_for, made["uscc"])
    health = token_for("weijian", county)
    body = {"uscc": made["uscc"], "materials": MATERIALS, "serves_meals": False, "hygiene_rating": "合格"}
    filing = (await suite.http.post(suite.url("inspection", "/v1/filings"), json=body, headers=health)).json()
    decided = await suite.http.post(
        suite.url("inspection", f"/v1/filings/{filing['filing_id']}/decision"), json={"decision": "accepted"}, headers=health
    )
    assert decided.status_code == 200, decided.text
    return made["uscc"]


async def publish(suite: InProcessSuite, token_for, uscc: str, score: int) -> dict:  # type: ignore[no-untyped-def]
    """A third-party evaluation entered, its review window passed, and the scheduled job run."""
    body = {"uscc": uscc, "evaluated_on": today_in_china().isoformat(), "scores": dict.fromkeys(DOMAINS, score)}
    entered = await suite.http.post(suite.url("inspection", "/v1/evaluations"), json=body, headers=token_for("evaluator", "441800"))
    assert entered.status_code == 201, entered.text
    assert entered.json()["status"] == "in_review"
    async with suite.runtime("inspection").db.transaction() as session:
        await session.execute(
            sa.update(Evaluation).where(Evaluation.id == entered.json()["id"]).values(review_ends_on=today_in_china() - dt.timedelta(days=1))
        )
    run = await suite.http.post(suite.url("inspection", "/v1/admin/jobs/publish-evaluations"), headers=token_for("weijian", "441800", "admin"))
    assert run.json()["result"]["published"] >= 1
    return entered.json()


async def subsidy_facts(suite: InProcessSuite, headers: dict, uscc: str) -> dict:
    """The institution as the subsidy side knows it from events."""
    return (await suite.http.get(suite.url("subsidy", f"/v1/institutions/{uscc}"), headers=headers)).json()


@contextlib.asynccontextmanager
async def serving(app: FastAPI, port: int | None = None) -> AsyncIterator[str]:
    """A stand-in service (or receiver) on loopback for the time of a test; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_keep_alive=75))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
