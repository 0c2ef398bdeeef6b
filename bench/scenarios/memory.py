"""6. The whole suite's resident memory at rest and under the write load of scenario 2, and the
time `tuoyu up` takes until every process is healthy.

This one runs `tuoyu up` itself, as a child process (`python -m services.cli up`), so that
the figures are the real command's: its runner, the embedded broker it starts, the five
processes. Time to healthy is from starting the command to its `console:` line, on empty
databases (so migrations included). Memory is the sum
over the process tree, RSS (which counts the shared interpreter pages once per process: the
figure the target is checked on) with PSS (shared pages split among their sharers) in the note.

Baseline, the floor of the same number of processes: the embedded broker and six bare
uvicorn + FastAPI processes (`bench.bare` without a database: one endpoint, none of the suite's
imports), started together; the time until all answer and their memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from pathlib import Path

from bench import procs
from bench.load import Accounts, LoadClient, Usccs, closed_loop, http_client
from bench.model import Row, Target
from bench.scenarios.common import Context, database
from bench.scenarios.suiteclient import SuiteClient
from bench.stage import DEMO_PASSWORD, seed_accounts, suite_environment
from bench.stats import percentile
from services.broker import EmbeddedBroker
from services.catalogue import SUITE
from services.processes import free_base_port
from services.runner import Suite
from shared.regions import COUNTIES


class TuoyuUp:
    """`tuoyu up` as a child process, stopped with SIGTERM (and its whole tree killed if it
    does not stop)."""

    def __init__(self, base_port: int, data_dir: Path, env: dict[str, str]) -> None:
        self.base_port, self.data_dir, self.env = base_port, data_dir, env
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self._reader: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 180.0) -> float:
        """Seconds from the command's start to its `console:` line (every process healthy)."""
        started = time.monotonic()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.cli", "up", "--base-port", str(self.base_port), "--data-dir", str(self.data_dir),
            env=self.env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        ready = asyncio.Event()

        async def read() -> None:
            assert self.process is not None and self.process.stdout is not None
            async for raw in self.process.stdout:
                line = raw.decode("utf-8", "replace").rstrip()
                self.lines = [*self.lines[-60:], line]
                if "console: " in line:
                    ready.set()

        self._reader = asyncio.create_task(read())
        waiting = asyncio.create_task(ready.wait())
        exited = asyncio.create_task(self.process.wait())
        await asyncio.wait({waiting, exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        exited.cancel()
        if not ready.is_set():
            tail = "\n".join(self.lines[-20:])
            await self.stop()
            raise RuntimeError(f"tuoyu up did not become healthy within {timeout:.0f} s:\n{tail}")
        return time.monotonic() - started

    def pids(self) -> list[int]:
        return procs.tree(self.process.pid) if self.process is not None else []

    async def stop(self, timeout: float = 30.0) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        tree = self.pids()
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            procs.kill_all(tree)
            await self.process.wait()
        procs.kill_all([p for p in tree if p != self.process.pid and os.path.exists(f"/proc/{p}")])  # nothing left behind
        if self._reader is not None:
            self._reader.cancel()


async def sample(pids: list[int], seconds: float, every: float = 0.5) -> tuple[list[tuple[float, float]], float]:
    """Memory samples (RSS, PSS in MB) over `seconds`, and the CPU cores used meanwhile."""
    samples = []
    cpu_before, started = procs.cpu_seconds(pids), time.monotonic()
    stop_at = started + seconds
    while time.monotonic() < stop_at:
        samples.append(procs.memory_mb(pids))
        await asyncio.sleep(every)
    cores = (procs.cpu_seconds(pids) - cpu_before) / (time.monotonic() - started)
    return samples or [procs.memory_mb(pids)], cores


def window(ctx: Context) -> float:
    """How long to let processes settle, and to sample them at rest."""
    return min(3.0, max(1.0, ctx.seconds / 5))


async def floor(ctx: Context) -> tuple[float, float, float, float]:
    """(seconds until the broker and six bare processes answer, their RSS MB, their PSS MB,
    the CPU cores they use at rest)."""
    started = time.monotonic()
    broker = EmbeddedBroker(echo=False)
    try:
        await broker.start()
        children = await asyncio.gather(*(ctx.stage.start_bare(None, f"bare{i}") for i in range(len(SUITE) + 1)))
        up = time.monotonic() - started
        await asyncio.sleep(window(ctx))  # settle
        pids = [p for child, _ in children if child.pid for p in procs.tree(child.pid)] + procs.tree(broker.pid or 0)
        samples, cpu = await sample(pids, window(ctx))
        rss = percentile([r for r, _ in samples], 50) or 0.0
        pss = percentile([p for _, p in samples], 50) or 0.0
    finally:
        await asyncio.gather(*(child.stop() for child in ctx.stage.bare), return_exceptions=True)
        ctx.stage.bare.clear()
        await broker.stop()
    return up, rss, pss, cpu


async def run(ctx: Context) -> list[Row]:
    ctx.say("memory: the floor (broker and six bare uvicorn processes)")
    floor_up, floor_rss, floor_pss, floor_cpu = await floor(ctx)
    ctx.say("memory: tuoyu up; memory at rest and under the write load")
    urls = {}
    if ctx.backend == "postgresql":
        urls = await ctx.stage.suite_urls()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env.update(suite_environment(urls))
    base = free_base_port(len(SUITE))
    data_dir = ctx.stage.directory / "up"
    up = TuoyuUp(base, data_dir, env)
    try:
        healthy = await up.start()
        gateway_db = urls.get("gateway") or f"sqlite+aiosqlite:///{(data_dir / 'gateway.db').resolve()}"
        await seed_accounts(gateway_db)  # what `--demo` adds, after the clock stopped
        await asyncio.sleep(window(ctx))  # settle
        cpu_before, rest_started = procs.cpu_each(up.pids()), time.monotonic()
        rest, rest_cpu = await sample(up.pids(), window(ctx))
        cpu_per_process = procs.cpu_breakdown(procs.cpu_since(cpu_before), time.monotonic() - rest_started)
        per_process = procs.breakdown(up.pids())
        rest_rss = percentile([r for r, _ in rest], 50) or 0.0
        rest_pss = percentile([p for _, p in rest], 50) or 0.0
        suite = Suite(base, data_dir, echo=False)  # only for its URLs
        async with LoadClient() as load, http_client(ctx.config.clients + 8) as http:
            accounts = Accounts(http, suite.url(SUITE[0]), DEMO_PASSWORD)
            registrars = [await accounts.headers(f"minzheng-{c}") for c in COUNTIES]
            reg_url = urls.get("registration") or f"sqlite+aiosqlite:///{(data_dir / 'registration.db').resolve()}"
            insp_url = urls.get("inspection") or f"sqlite+aiosqlite:///{(data_dir / 'inspection.db').resolve()}"
            async with database(reg_url) as reg, database(insp_url) as insp:
                client = SuiteClient(suite, http, load, accounts, registrars, reg, insp, Usccs())
                pids = up.pids()
                writing = asyncio.create_task(closed_loop(ctx.config.clients, ctx.seconds, lambda w, i: client.register(w * 1_000_000 + i)))
                busy, _ = await sample(pids, ctx.seconds)
                tally = await writing
        busy_rss = max(r for r, _ in busy)
        busy_pss = max(p for _, p in busy)
    finally:
        await up.stop()
    note_rest = f"RSS summed over the runner, broker and five services (MB: {per_process}); PSS {rest_pss:.0f} MB (floor PSS {floor_pss:.0f} MB)"
    note_busy = f"peak while {ctx.config.clients} clients wrote for {ctx.seconds:g} s ({len(tally.ok(201))} written); PSS {busy_pss:.0f} MB"
    return [
        Row(ctx.backend, "memory", "suite RSS at rest", "MB", rest_rss, floor_rss, Target("suite_max", 600.0), note_rest),
        Row(ctx.backend, "memory", "suite RSS under scenario 2", "MB", busy_rss, floor_rss, None, note_busy),
        Row(ctx.backend, "memory", "suite CPU at rest", "cores", rest_cpu, floor_cpu, None, f"CPU time over {window(ctx):g} s with no requests (cores: {cpu_per_process})"),
        Row(ctx.backend, "memory", "tuoyu up → all healthy", "s", healthy, floor_up, None, "on empty databases, migrations included; baseline: broker + six bare processes answering"),
    ]
