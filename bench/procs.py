"""Processes by PID, read from /proc (Linux): a process tree and its resident memory."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name is in parentheses and may hold spaces: the fields after the last ')' are fixed
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1])


def descendants(pid: int) -> list[int]:
    """Every live process below `pid` (children, grandchildren, ...)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (parent := _parent_of(int(entry))) is not None:
            parents.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree(pid: int) -> list[int]:
    return [pid, *descendants(pid)]


def memory_mb(pids: Iterable[int]) -> tuple[float, float]:
    """(sum of RSS, sum of PSS) of the processes in MB. RSS counts pages shared between them
    (the Python interpreter, libraries) once per process; PSS splits them among their sharers."""
    rss = pss = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue  # gone in between
        for line in text.splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss / 1024, pss / 1024


def kill_all(pids: Iterable[int]) -> None:
    """SIGKILL these processes (that this harness started, directly or through `tuoyu up`)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time the processes have used so far, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


async def busy_cores(seconds: float = 1.0) -> float:
    """How many cores the machine keeps busy over `seconds` (whoever it is for)."""
    import asyncio

    busy0, total0 = _cpu_jiffies()
    await asyncio.sleep(seconds)
    busy1, total1 = _cpu_jiffies()
    return (os.cpu_count() or 1) * (busy1 - busy0) / max(1, total1 - total0)


async def until_quiet(below_cores: float = 0.3, within_s: float = 60.0) -> tuple[bool, float]:
    """Wait until the machine keeps fewer than `below_cores` busy over a second, at most
    `within_s`: (quiet, seconds waited)."""
    started = time.monotonic()
    while True:
        if await busy_cores() < below_cores:
            return True, time.monotonic() - started
        if time.monotonic() - started >= within_s:
            return False, time.monotonic() - started


def _command(pid: int) -> list[str] | None:
    """A process's command line, word by word (None when it is gone)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    return [a.decode("utf-8", "replace") for a in argv if a]


def _served_database(words: list[str]) -> str | None:
    """The database a PostgreSQL server process serves: PostgreSQL titles each
    `postgres: <cluster>: <user> <database> <client> …`."""
    title = words[0].split() if words and words[0].startswith("postgres: ") else []
    return title[3] if len(title) > 3 else None


def database_backends(databases: Iterable[str]) -> list[int]:
    """The PostgreSQL server processes now serving these databases."""
    wanted = set(databases)
    if not wanted:
        return []
    return [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit() and _served_database(_command(int(e.name)) or []) in wanted]


def name_of(pid: int) -> str:
    """A short name: the suite's app module, the broker, the bench itself (`load`), a database
    server process (`pg:` and the last word of its database's name), or the command."""
    if pid == os.getpid():
        return "load"
    if (words := _command(pid)) is None:
        return "?"
    if (database := _served_database(words)) is not None:
        return "pg:" + database.rsplit("_", 1)[-1]
    if "services.serve" in words:  # python -m services.serve <service> …
        return words[words.index("services.serve") + 1]
    for word in words:
        if word.endswith(":create_app"):
            module = word.removesuffix(":create_app")
            return "bare" if module == "bench.bare" else module.split(".")[0].removesuffix("_svc")
    if any("tansu" in w for w in words[:1]):
        return "broker"
    if "services.cli" in words:
        return "runner"
    return Path(words[0]).name if words else "?"


def cpu_each(pids: Iterable[int], databases: Iterable[str] = ()) -> dict[int, float]:
    """CPU seconds used so far, per process (for `cpu_since` later): `pids`, and PostgreSQL's
    server processes now serving `databases`."""
    return {pid: cpu_seconds([pid]) for pid in [*pids, *database_backends(databases)]}


def cpu_since(before: dict[int, float], databases: Iterable[str] = ()) -> dict[int, float]:
    """CPU seconds each process used since `before` (`cpu_each`), and all that the server
    processes serving `databases` begun since used (for a connection opened meanwhile)."""
    used = {pid: cpu_seconds([pid]) - start for pid, start in before.items()}
    used.update({pid: cpu_seconds([pid]) for pid in database_backends(databases) if pid not in before})
    return used


def cpu_breakdown(used: dict[int, float], per: float) -> str:
    """CPU seconds the processes used (`cpu_since`), summed by name (`name_of`) and divided by
    `per`, busiest first: `registration 6.10, gateway 1.85, …` (per second: cores; per
    registration ÷ 1000: ms)."""
    shares: dict[str, float] = {}
    for pid, value in used.items():
        name = name_of(pid)
        shares[name] = shares.get(name, 0.0) + value / per
    return ", ".join(f"{name} {value:.2f}" for name, value in sorted(shares.items(), key=lambda x: -x[1]))


def breakdown(pids: Iterable[int]) -> str:
    """RSS per process, largest first: `gateway 121, registration 118, …` (MB)."""
    sizes = [(name_of(pid), memory_mb([pid])[0]) for pid in pids]
    return ", ".join(f"{name} {mb:.0f}" for name, mb in sorted(sizes, key=lambda x: -x[1]))
