"""3. Gateway overhead: the same read — one registration by USCC — straight at the registration
service and through the gateway, with the same token: p50 of one client's sequential requests
(the two interleaved, so that both see the same machine), then requests/s from N clients.
"""

from __future__ import annotations

import time

from bench.load import Outcome, closed_loop, timed
from bench.model import Row, Target
from bench.scenarios.common import Context
from bench.scenarios.suiteclient import suite_client
from bench.stats import ms, percentile


async def run(ctx: Context) -> list[Row]:
    ctx.say("gateway: the same read directly and through the gateway")
    await ctx.stage.start_suite()
    async with suite_client(ctx.stage, ctx.config.clients + 8) as client:
        await client.warm_up()
        # registrations of the first county's registrar, who reads them back (a county office sees its county only)
        written = [o.key for o in [await client.register(8 * i) for i in range(20)] if o.status == 201]
        headers = client.registrars[0]
        paths = {
            "direct": f"{client.service('registration')}/v1/registrations/",
            "gateway": f"{client.gateway}/api/registration/v1/registrations/",
        }

        async def read(via: str, n: int) -> Outcome:
            return await timed(client.load.get(paths[via] + written[n % len(written)], headers), via)

        latency: dict[str, list[float]] = {"direct": [], "gateway": []}
        statuses: set[int] = set()
        stop_at = time.monotonic() + ctx.seconds / 2
        n = 0
        while time.monotonic() < stop_at:
            for via in ("direct", "gateway") if n % 2 else ("gateway", "direct"):
                outcome = await read(via, n)
                statuses.add(outcome.status)
                latency[via].append(outcome.seconds)
            n += 1
        rps = {}
        for via in ("direct", "gateway"):
            tally = await closed_loop(ctx.config.clients, ctx.seconds / 4, lambda w, i, via=via: read(via, w * 7 + i))
            rps[via] = len(tally.ok(200)) / tally.seconds
            statuses |= {o.status for o in tally.outcomes}
    await ctx.stage.stop_suite()
    note = f"GET /v1/registrations/{{uscc}}; {n} sequential pairs, then {ctx.config.clients} clients × {ctx.seconds / 4:g} s each way; answers {sorted(statuses)}"
    return [
        Row(ctx.backend, "gateway", "read p50 (gateway vs direct)", "ms", ms(percentile(latency["gateway"], 50)), ms(percentile(latency["direct"], 50)), Target("ratio_max", 1.3), note),
        Row(ctx.backend, "gateway", "reads/s (gateway vs direct)", "/s", rps["gateway"], rps["direct"]),
    ]
