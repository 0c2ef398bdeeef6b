"""2. Write throughput through the gateway with propagation keeping up: N registrars writing as
fast as they are answered; the figure is end to end — registrations acknowledged during the
window divided by the time from its start until the last of them was in the health inbox — so
a suite that acknowledges fast but lets the inbox fall behind does not score.

Baseline: a bare FastAPI endpoint (`bench.bare`, its own uvicorn process, like a service)
doing the same insert on the same database server, without gateway, token, outbox or events,
under the same N clients; half its time just before the suite's run and half just after.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bench import procs
from bench.load import WARM_UP, LoadClient, Outcome, Tally, Usccs, closed_loop, registration_body, timed
from bench.model import Row, Target
from bench.scenarios.common import Context, database
from bench.scenarios.suiteclient import SuiteClient, suite_client
from bench.stats import ms, percentile
from registration_svc.models import Base, Registration
from services.catalogue import SUITE
from shared.regions import COUNTIES


@dataclass
class BarePhases:
    """The bare endpoint's phases of write load, and the CPU its process and the load used in them."""

    run: Callable[[float], Awaitable[Tally]]
    cpu: dict[int, float]  # CPU seconds by process id, over the phases run so far


@asynccontextmanager
async def bare_writer(ctx: Context) -> AsyncIterator[BarePhases]:
    """The bare endpoint started and warmed up; yields its phases of the closed-loop write load,
    to be run as often as wanted (each phase writes USCCs of its own)."""
    url = await ctx.stage.database("baseline")
    async with database(url) as db, db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=[Registration.__table__])
    child, bare = await ctx.stage.start_bare(url)
    usccs, cpu = Usccs(), {}
    baseline_database = [ctx.stage.databases.database_name("baseline")]  # PostgreSQL's processes for it count as its CPU
    phases = itertools.count(1)
    async with LoadClient() as load:

        async def write(n: int) -> Outcome:
            uscc = usccs.make(n)
            return await timed(load.post(f"{bare}/registrations", registration_body(uscc, COUNTIES[n % len(COUNTIES)])), uscc)

        for i in range(8):  # warm-up
            await write(WARM_UP + i)

        async def phase(seconds: float) -> Tally:
            first = next(phases) * 100_000
            cpu_before = procs.cpu_each([child.pid or 0, os.getpid()], baseline_database)
            tally = await closed_loop(ctx.config.clients, seconds, lambda w, i: write(w * 1_000_000 + first + i))
            for pid, used in procs.cpu_since(cpu_before, baseline_database).items():
                cpu[pid] = cpu.get(pid, 0.0) + used
            return tally

        yield BarePhases(phase, cpu)


async def write_load(client: SuiteClient, clients: int, seconds: float) -> tuple[Tally, float, list[str]]:
    """N registrars as fast as they go; returns the tally, the wall-clock start and what was written."""
    started = time.time()
    tally = await closed_loop(clients, seconds, lambda w, i: client.register(w * 1_000_000 + i))
    return tally, started, [o.key for o in tally.ok(201)]


PG_SAID = "; pg: PostgreSQL's processes for that database, while the writes ran"


async def run(ctx: Context) -> list[Row]:
    async with bare_writer(ctx) as baseline:
        # The baseline runs half its time before the suite and half after, so that a machine
        # whose speed drifts during the scenario moves both sides of the ratio alike.
        ctx.say("throughput: baseline, first half (bare FastAPI insert)")
        before = await baseline.run(ctx.seconds / 2)
        ctx.say("throughput: the suite (through the gateway, propagated to the health inbox)")
        suite = await ctx.stage.start_suite()
        async with suite_client(ctx.stage, ctx.config.clients + 8) as client:
            await client.warm_up()
            # the services, the broker and this process (the load): where a registration's CPU goes
            pids = [child.pid for child in suite.children.values() if child.pid] + [(await ctx.stage.broker()).pid or 0, os.getpid()]
            cpu_before = procs.cpu_each(pids)
            # and PostgreSQL's processes for the suite's databases, while the load runs (what this
            # bench then asks of them, to see what arrived, is not the suite's)
            databases = [ctx.stage.databases.database_name(info.name) for info in SUITE]
            database_before = procs.cpu_each([], databases)
            tally, started, written = await write_load(client, ctx.config.clients, ctx.seconds)
            database_used = procs.cpu_since(database_before, databases)
            behind = len(written) - await client.arrived(written)
            drained = await client.wait_arrived(written, max(60.0, 4 * ctx.seconds))
            last = await client.last_arrival(written)
            used = {**procs.cpu_since(cpu_before), **database_used}
            cpu_per_registration = procs.cpu_breakdown(used, len(written) / 1000) if written else "none written"
        await ctx.stage.stop_suite()
        ctx.say("throughput: baseline, second half")
        after = await baseline.run(ctx.seconds / 2)
    base = Tally(before.outcomes + after.outcomes, before.seconds + after.seconds)
    base_rate = len(base.ok(201)) / base.seconds
    acked = len(written) / tally.seconds
    end_to_end = len(written) / (last - started) if drained and last else None
    note = (
        f"{ctx.config.clients} clients for {ctx.seconds:g} s; suite acknowledged {acked:.1f}/s, {behind} not yet in the inbox when "
        f"the writes stopped, the last arrived {(last or started) - started - tally.seconds:.1f} s after; answers {tally.answers()}"
        f"{'' if drained else ' — the inbox did NOT catch up in time'}; CPU ms a registration until the inbox had them all "
        f"({cpu_per_registration}{PG_SAID if database_used else ''}); baseline {len(before.ok(201)) / before.seconds:.1f}/s before the suite and "
        f"{len(after.ok(201)) / after.seconds:.1f}/s after, answers {base.answers()}; its CPU ms a registration "
        f"({procs.cpu_breakdown(baseline.cpu, len(base.ok(201)) / 1000) if base.ok(201) else 'none written'})"
    )
    suite_p50 = percentile([o.seconds for o in tally.ok(201)], 50)
    base_p50 = percentile([o.seconds for o in base.ok(201)], 50)
    return [
        Row(ctx.backend, "throughput", "registrations/s, end to end", "/s", end_to_end, base_rate, Target("ratio_min", 0.5), note),
        Row(ctx.backend, "throughput", "write latency p50 under load", "ms", ms(suite_p50), ms(base_p50)),
    ]
