"""`tuoyu up`: the whole suite as separate processes on the embedded default, then stopped cleanly."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import httpx
import pytest

from services.catalogue import SUITE
from services.processes import free_base_port
from tests.waiting import eventually

PASSWORD = "runner-test-password"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_by_sigterm(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)


def stop_by_ctrl_c(process: asyncio.subprocess.Process) -> None:
    # a terminal's Ctrl-C reaches every process of the foreground group, the children too
    os.killpg(process.pid, signal.SIGINT)


@pytest.mark.parametrize("stop", [stop_by_sigterm, stop_by_ctrl_c], ids=["sigterm", "ctrl-c"])
async def test_tuoyu_up_runs_the_suite_restarts_a_dead_service_and_stops_cleanly(tmp_path: Path, stop) -> None:
    base = free_base_port(len(SUITE))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env["TUOYU_DEMO_PASSWORD"] = PASSWORD
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.cli", "up", "--demo", "--base-port", str(base), "--data-dir", str(tmp_path / "var"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env, start_new_session=True,
    )
    lines: list[str] = []

    async def read() -> None:
        assert process.stdout is not None
        async for raw in process.stdout:
            lines.append(raw.decode("utf-8", "replace"))

    reader = asyncio.create_task(read())
    try:
        await eventually(lambda: any("console: " in line for line in lines) or process.returncode is not None, timeout=120, what="the console URL")
        assert process.returncode is None, "".join(lines[-40:])
        pids = {m.group(1): int(m.group(2)) for line in lines if (m := re.match(r"^(\w+)\s*\| INFO:\s+Started server process \[(\d+)\]", line))}
        assert set(pids) == {s.name for s in SUITE}

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{base}", timeout=10) as http:
            login = await http.post("/auth/token", data={"grant_type": "password", "username": "weijian-441800", "password": PASSWORD})
            assert login.status_code == 200, login.text
            health = {"Authorization": f"Bearer {login.json()['access_token']}"}

            async def demo_arrived() -> bool:
                items = (await http.get("/api/inspection/v1/inbox", headers=health)).json()["items"]
                return len(items) >= 3

            await eventually(demo_arrived, timeout=30, what="the demo institutions in the health inbox")

            os.kill(pids["registration"], signal.SIGKILL)
            await eventually(lambda: any("registration exited with code" in line for line in lines), timeout=20, what="the death reported")
            # reported with what it printed last (its startup lines, here), not just a code
            report = next(i for i, line in enumerate(lines) if "registration exited with code" in line)
            assert "its last lines:" in lines[report]
            await eventually(
                lambda: any(line.startswith("    ") and "Uvicorn running on" in line for line in lines[report + 1 :]), timeout=10, what="its last lines"
            )

            async def back() -> bool:
                try:
                    return (await http.get("/api/registration/health")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(back, timeout=60, what="registration restarted")

        new_pids = [int(m.group(2)) for line in lines if (m := re.match(r"^(\w+)\s*\| INFO:\s+Started server process \[(\d+)\]", line))]
        stop(process)
        code = await asyncio.wait_for(process.wait(), timeout=30)
        assert code == 0, "".join(lines[-40:])
        assert not [pid for pid in new_pids if alive(pid)]
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await reader
