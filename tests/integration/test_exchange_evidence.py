"""Evidence of the exchange: the registrars' streams are hash-chained, the health bureau records
what it receives, and `tuoyu verify-exchange` proves a month — or finds the tampering."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from typer.testing import CliRunner

from gateway.demo import seed_demo_accounts
from services.cli import app as cli
from shared.timeutil import today_in_china
from tests.integration.helpers import arrived, outbox_published, register
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

PASSWORD = "exchange-tests-password"
MONTH = today_in_china().isoformat()[:7]


async def verify(suite: InProcessSuite, token_for, region: str = "441821") -> dict:  # type: ignore[no-untyped-def]
    response = await suite.http.get(
        suite.url("inspection", "/v1/exchange/verification"), params={"month": MONTH, "region": region}, headers=token_for("weijian", "441800")
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_exchange_verifies_and_tampering_is_found(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    made = [await register(suite, token_for, registrar="minzheng", region="441821") for _ in range(3)]
    for m in made:
        await arrived(suite, token_for, m["uscc"])
    report = await verify(suite, token_for)
    assert report["verified"] is True and report["problems"] == []
    records = {r["uscc"]: r for r in report["records"]}
    for m in made:
        assert records[m["uscc"]]["receipt_matches"] is True and records[m["uscc"]]["same_month"] is True
        assert records[m["uscc"]]["received_at"] >= records[m["uscc"]]["published_at"][:19]

    await seed_demo_accounts(suite.runtime("gateway").db, PASSWORD)
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["verify-exchange", "--month", MONTH, "--region", "441821", "--gateway", suite.urls["gateway"], "--password", PASSWORD],
    )
    assert result.exit_code == 0, result.output
    assert "verified: the exchange is intact" in result.output and made[0]["uscc"] in result.output

    outbox = suite.runtime("registration").tables.outbox  # type: ignore[union-attr]
    db = suite.runtime("registration").db
    target = made[1]["uscc"]
    await eventually(lambda: outbox_published(suite, "registration", target), what="published")
    async with db.transaction() as session:
        original = (await session.execute(sa.select(outbox.c.payload).where(outbox.c.key == target))).scalar_one()
        await session.execute(sa.update(outbox).where(outbox.c.key == target).values(payload=original.replace(made[1]["name"], "篡改后的名称")))
    altered = await verify(suite, token_for)
    assert altered["verified"] is False
    assert {p["kind"] for p in altered["problems"]} == {"altered"}

    async with db.transaction() as session:
        await session.execute(sa.update(outbox).where(outbox.c.key == target).values(payload=original))
        await session.execute(sa.delete(outbox).where(outbox.c.key == target))
    deleted = await verify(suite, token_for)
    assert {p["kind"] for p in deleted["problems"]} == {"deleted", "unknown_receipt"}
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["verify-exchange", "--month", MONTH, "--region", "441821", "--gateway", suite.urls["gateway"], "--password", PASSWORD],
    )
    assert result.exit_code == 1 and "PROBLEM deleted" in result.output
