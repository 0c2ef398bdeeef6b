"""Child processes of the runner: started, their output streamed with a prefix, their last lines
kept so that a process that dies is reported with what it said, and stopped politely."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import sys
from collections import deque
from collections.abc import Sequence
from pathlib import Path


def free_port() -> int:
    """A free port to listen on, below the kernel's ephemeral range (see `free_base_port`)."""
    return free_base_port(1)


def free_base_port(count: int) -> int:
    """A free port with the next `count - 1` free as well (the gateway on P, the services on P+1 …),
    below the kernel's ephemeral range: a port in it can be taken, before the service binds it, by
    any outgoing connection (a Kafka client's, or a health probe that connects to itself)."""
    lowest_ephemeral = ephemeral_ports()[0]
    while True:
        base = random.randrange(10000, max(lowest_ephemeral - count, 10001))
        if all(_port_free(base + i) for i in range(count)):
            return base


def ephemeral_ports() -> tuple[int, int]:
    """The range the kernel picks outgoing connections' local ports from (Linux; its default else)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        _, writer = await asyncio.open_connection(host, port)
    except OSError:
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


# How long a stopped service's requests in flight get before they are cancelled (`tuoyu up`
# passes it to each service; the test suite's in-process servers alike); well inside `Child.stop`'s wait.
SHUTDOWN_GRACE_S = 5


class Child:
    def __init__(self, name: str, argv: Sequence[str], env: dict[str, str], *, echo: bool = True, width: int = 12) -> None:
        self.name, self.argv, self.env, self.echo = name, list(argv), env, echo
        self.prefix = f"{name:<{width}}| "
        self.last_lines: deque[str] = deque(maxlen=40)
        self.process: asyncio.subprocess.Process | None = None
        self._pump: asyncio.Task[None] | None = None
        self.stopping = False

    async def start(self) -> None:
        self.stopping = False
        self.process = await asyncio.create_subprocess_exec(
            *self.argv,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the runner only; it stops the children itself
        )
        self._pump = asyncio.create_task(self._stream(self.process.stdout), name=f"{self.name}-log")

    async def _stream(self, stream: asyncio.StreamReader | None) -> None:
        if stream is None:
            return
        async for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            self.last_lines.append(line)
            if self.echo:
                sys.stdout.write(f"{self.prefix}{line}\n")
                sys.stdout.flush()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def wait(self) -> int:
        assert self.process is not None
        code = await self.process.wait()
        if self._pump:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._pump, timeout=2)
        return code

    async def stop(self, timeout: float = 10.0) -> None:
        self.stopping = True
        if not self.running:
            return
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.wait(), timeout=timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.wait()

    def report(self) -> str:
        code = self.process.returncode if self.process else None
        tail = "\n".join(f"    {line}" for line in self.last_lines) or "    (it printed nothing)"
        return f"{self.name} exited with code {code}; its last lines:\n{tail}"


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env
