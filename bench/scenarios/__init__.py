"""The scenarios of the issue, in its order. Each is `async run(ctx) -> list[Row]`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bench.model import Row
from bench.scenarios import catchup, gateway, memory, propagation, reports, throughput
from bench.scenarios.common import Context

SCENARIOS: dict[str, Callable[[Context], Awaitable[list[Row]]]] = {
    "propagation": propagation.run,
    "throughput": throughput.run,
    "gateway": gateway.run,
    "catchup": catchup.run,
    "reports": reports.run,
    "memory": memory.run,
}
