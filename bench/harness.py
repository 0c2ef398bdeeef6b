"""Runs the selected scenarios on the selected backends, one after the other, each on a stage
of its own (broker, databases, suite) that is torn down before the next starts; a scenario that
fails or overruns its time budget becomes a row saying so, and the run goes on."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import procs, report
from bench.model import BenchConfig, Row, failed, median_of_runs
from bench.scenarios import SCENARIOS
from bench.scenarios.common import Context
from bench.stage import BACKENDS, Stage, postgres_problem

RESULTS = Path(__file__).resolve().parent / "results"


def say(message: str) -> None:
    sys.stderr.write(f"{'bench':<12}| {message}\n")
    sys.stderr.flush()


def budget(name: str, config: BenchConfig) -> float:
    """The most a scenario may take, set-up and seeding included, before it is stopped."""
    seeding = {"catchup": config.backlog / 100, "reports": config.report_rows / 500}.get(name, 0.0)
    return 240 + 8 * config.seconds + seeding


async def run_scenario(name: str, backend: str, config: BenchConfig, say: Callable[[str], None] = say) -> list[Row]:
    started = time.monotonic()
    busy = await procs.busy_cores()  # nothing of the bench runs now: this is everyone else
    if busy > 0.3:
        say(f"the machine keeps {busy:.1f} cores busy before {name} starts: its figures will be noisy")
    try:
        async with Stage(backend, say) as stage:
            ctx = Context(backend, config, stage, say)
            rows = await asyncio.wait_for(SCENARIOS[name](ctx), timeout=budget(name, config))
    except TimeoutError:
        rows = [failed(backend, name, f"stopped after its budget of {budget(name, config):.0f} s")]
    except Exception as exc:  # noqa: BLE001 - one scenario failing does not stop the run
        say("".join(traceback.format_exception(exc))[-3000:])
        rows = [failed(backend, name, f"{type(exc).__name__}: {str(exc)[:300]}")]
    took = time.monotonic() - started
    say(f"{name} on {backend}: done in {took:.0f} s")
    for row in rows:
        row.conditions = {"busy_cores_before": round(busy, 2), "scenario_seconds": round(took, 1)}
    return rows


async def run_bench(config: BenchConfig, say: Callable[[str], None] = say) -> list[Row]:
    names = list(config.scenarios) or list(SCENARIOS)
    if unknown := [n for n in names if n not in SCENARIOS]:
        raise ValueError(f"unknown scenarios: {', '.join(unknown)}")
    if unknown := [b for b in config.backends if b not in BACKENDS]:
        raise ValueError(f"unknown backends: {', '.join(unknown)}")
    rows: list[Row] = []
    for backend in config.backends:
        if backend == "postgresql" and (problem := await postgres_problem()):
            say(f"PostgreSQL run NOT run: {problem}")
            rows += [failed(backend, n, f"not run: {problem}") for n in names]
            continue
        runs: list[list[Row]] = []
        for run in range(config.repeat):  # interleaved, so that a machine drifting in speed touches every scenario alike
            runs.append([])
            for name in names:
                say(f"{name} on {backend}: starting" + (f" (run {run + 1} of {config.repeat})" if config.repeat > 1 else ""))
                runs[-1] += await run_scenario(name, backend, config, say)
        rows += median_of_runs(runs)
    return rows


def run_and_write(config: BenchConfig, results: Path = RESULTS) -> tuple[list[Row], dict[str, Path]]:
    """Run, print the table, write it as text, JSON and SVG under `results`."""
    started = dt.datetime.now().astimezone()
    rows = asyncio.run(run_bench(config))
    paths = report.write(rows, config, started, results)
    return rows, paths
