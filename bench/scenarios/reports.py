"""5. Reports over 100,000 registrations: the monthly push-compliance report (all of them
registered in the report month: the worst case for that report) and the subsidy report (one
application per registration over the year so far, payments booked for the disbursed ones),
each asked through the gateway by the bureau that reads it — against the bare SQL aggregates
giving the same figures, run on a warm connection to the same databases.

The rows are written straight into the databases before the suite starts, shaped as the
services write them (`bench.scenarios.seed`).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.load import Usccs
from bench.model import Row, Target
from bench.scenarios import seed
from bench.scenarios.common import Context, bulk_insert, database
from bench.scenarios.suiteclient import suite_client
from bench.stats import ms, percentile
from inspection_svc.models import InboxEntry
from registration_svc.models import Registration
from shared.db import make_engine, utcnow
from shared.timeutil import month_span, today_in_china
from subsidy_svc.models import Application, ApprovalLine, Budget, LedgerEntry

REGISTRATIONS_BY_OFFICE = """
SELECT registrar_region, registrar, count(*) FROM registration WHERE registered_on BETWEEN :first AND :last GROUP BY registrar_region, registrar
UNION ALL
SELECT ledger_region, 'jiaoyu', count(*) FROM kindergarten_class WHERE recorded_on BETWEEN :first AND :last GROUP BY ledger_region
"""
RECEIVED_BY_OFFICE = """
SELECT health_region, registrar, sum(CASE WHEN same_month THEN 1 ELSE 0 END), sum(CASE WHEN same_month THEN 0 ELSE 1 END)
FROM health_inbox WHERE registered_on BETWEEN :first AND :last GROUP BY health_region, registrar
"""
MONTH = {"sqlite": "CAST(strftime('%m', {}) AS INTEGER)", "postgresql": "CAST(EXTRACT(MONTH FROM {}) AS INTEGER)"}
APPLIED = "SELECT programme, region, {month} AS m, count(*) FROM application WHERE year = :year GROUP BY programme, region, m"
APPROVED = "SELECT programme, region, {month} AS m, sum(amount_fen) FROM approval_line WHERE approved_on BETWEEN :first AND :last GROUP BY programme, region, m"
REDUCED = "SELECT programme, region, amount_fen, details FROM application WHERE year = :year AND status = 'recorded'"
PAID = "SELECT programme, region, {month} AS m, sum(amount_fen) FROM ledger_entry WHERE booked_on BETWEEN :first AND :last GROUP BY programme, region, m"
BUDGETS = "SELECT * FROM budget WHERE year = :year ORDER BY programme, region, level"


def dated(sql: str) -> sa.TextClause:
    return sa.text(sql).bindparams(sa.bindparam("first", type_=sa.Date), sa.bindparam("last", type_=sa.Date))


async def seed_databases(ctx: Context, count: int) -> None:
    today = today_in_china()
    now = utcnow()
    rng = random.Random(5)
    rows = seed.registrations(Usccs(), count, [today.replace(day=d) for d in range(1, today.day + 1)], now, rng)
    applications, ledger, budgets, approvals = seed.subsidy_rows(rows, today.year, today.month, rng, now)
    await ctx.stage.migrate("registration", "inspection", "subsidy")
    urls = await ctx.stage.suite_urls()
    async with database(urls["registration"]) as db:
        await bulk_insert(db, Registration.__table__, rows)
    async with database(urls["inspection"]) as db:
        await bulk_insert(db, InboxEntry.__table__, seed.inbox_rows(rows, rng))
    async with database(urls["subsidy"]) as db:
        await bulk_insert(db, Application.__table__, applications)
        await bulk_insert(db, ApprovalLine.__table__, approvals)
        await bulk_insert(db, LedgerEntry.__table__, ledger)
        await bulk_insert(db, Budget.__table__, budgets)
    for url in urls.values():  # fresh statistics, as a database that grew in service would have
        if url.startswith("postgresql"):
            async with database(url) as db, db.engine.connect() as conn:
                await conn.execute(sa.text("COMMIT"))
                await conn.execute(sa.text("ANALYZE"))
        else:
            async with database(url) as db, db.engine.begin() as conn:
                await conn.execute(sa.text("ANALYZE"))


async def run(ctx: Context) -> list[Row]:
    count = ctx.config.report_rows
    ctx.say(f"reports: seeding {count} registrations, inbox rows and applications")
    await seed_databases(ctx, count)
    ctx.say("reports: the reports through the gateway and the bare SQL aggregates, interleaved")
    await ctx.stage.start_suite()
    urls = await ctx.stage.suite_urls()
    today = today_in_china()
    month = f"{today:%Y-%m}"
    first, last = month_span(month)
    year_first, year_last = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    month_sql = MONTH[ctx.backend]
    engines = {name: make_engine(urls[name]) for name in ("registration", "inspection", "subsidy")}
    try:
        async with suite_client(ctx.stage) as client:
            conns: dict[str, AsyncConnection] = {name: await engine.connect() for name, engine in engines.items()}
            health = await client.accounts.headers("weijian-441800")
            finance = await client.accounts.headers("caizheng-441800")

            async def bare_push() -> tuple[int, int, int]:
                registered = (await conns["registration"].execute(dated(REGISTRATIONS_BY_OFFICE), {"first": first, "last": last})).all()
                received = (await conns["inspection"].execute(dated(RECEIVED_BY_OFFICE), {"first": first, "last": last})).all()
                await conns["registration"].rollback()
                await conns["inspection"].rollback()
                return sum(r[2] for r in registered), sum(int(r[2]) for r in received), sum(int(r[3]) for r in received)

            async def bare_subsidy() -> tuple[int, int, int]:
                applied = (await conns["subsidy"].execute(sa.text(APPLIED.format(month=month_sql.format("created_on"))), {"year": today.year})).all()
                approved = (
                    await conns["subsidy"].execute(dated(APPROVED.format(month=month_sql.format("approved_on"))), {"first": year_first, "last": year_last})
                ).all()
                (await conns["subsidy"].execute(sa.text(REDUCED), {"year": today.year})).all()
                paid = (
                    await conns["subsidy"].execute(dated(PAID.format(month=month_sql.format("booked_on"))), {"first": year_first, "last": year_last})
                ).all()
                (await conns["subsidy"].execute(sa.text(BUDGETS), {"year": today.year})).all()
                await conns["subsidy"].rollback()
                return sum(r[3] for r in applied), sum(int(r[3] or 0) for r in approved), sum(int(r[3] or 0) for r in paid)

            async def push_report() -> tuple[int, int, int]:
                r = await client.http.get(f"{client.gateway}/api/inspection/v1/reports/push-compliance", params={"month": month}, headers=health)
                r.raise_for_status()
                total = r.json()["total"]
                return total["registered"], total["received_same_month"], total["received_late"]

            async def subsidy_report() -> tuple[int, int, int]:
                r = await client.http.get(f"{client.gateway}/api/subsidy/v1/reports/subsidies", params={"year": today.year}, headers=finance)
                r.raise_for_status()
                rows = r.json()["rows"]
                return sum(x["applications"] for x in rows), sum(x["approved_fen"] for x in rows), sum(x["paid_fen"] for x in rows)

            pairs: dict[str, tuple[Callable[[], Awaitable[tuple]], Callable[[], Awaitable[tuple]]]] = {
                "push-compliance": (push_report, bare_push),
                "subsidies": (subsidy_report, bare_subsidy),
            }
            results: dict[str, tuple[list[float], list[float], str]] = {}
            for name, (report, bare) in pairs.items():
                answer, expected = await report(), await bare()  # warm, and the same figures?
                agree = "the report's totals equal the bare SQL's" if answer == expected else f"MISMATCH: report {answer}, bare SQL {expected}"
                timings: tuple[list[float], list[float]] = ([], [])
                stop_at = time.monotonic() + ctx.seconds / 2
                n = 0
                while time.monotonic() < stop_at or n < 3:
                    for i, call in ((0, report), (1, bare)) if n % 2 else ((1, bare), (0, report)):
                        started = time.perf_counter()
                        await call()
                        timings[i].append(time.perf_counter() - started)
                    n += 1
                results[name] = (*timings, f"{n} pairs; {agree}")
            for conn in conns.values():
                await conn.close()
    finally:
        for engine in engines.values():
            await engine.dispose()
    await ctx.stage.stop_suite()
    rows = []
    for name, (suite, bare, note) in results.items():
        label = "push-compliance report p50" if name == "push-compliance" else "subsidy report p50"
        what = f"{count} registrations in {month}" if name == "push-compliance" else f"{count} applications in {today.year}"
        rows.append(Row(ctx.backend, "reports", label, "ms", ms(percentile(suite, 50)), ms(percentile(bare, 50)), Target("ratio_max", 1.5), f"{what}, through the gateway; {note}"))
    return rows
