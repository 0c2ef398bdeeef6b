"""The `tuoyu` command."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="清远市托育服务协同平台 — Qingyuan childcare services platform", no_args_is_help=True)


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="create demo accounts and sample institutions")] = False,
    base_port: Annotated[int, typer.Option(help="gateway port; services on the next four")] = 8000,
    data_dir: Annotated[Path, typer.Option(help="where the SQLite files and local secrets live")] = Path("var"),
) -> None:
    """Run the whole suite on this machine until Ctrl-C."""
    from services.runner import run_suite

    raise typer.Exit(asyncio.run(run_suite(base_port, data_dir, demo)))


@app.command()
def migrate(service: Annotated[list[str] | None, typer.Argument(help="services to migrate (default: all)")] = None) -> None:
    """Bring the databases to the latest schema (TUOYU_<SERVICE>_DATABASE_URL or var/<service>.db)."""
    from services.catalogue import BY_NAME, SUITE
    from shared.migrate import upgrade
    from shared.settings import Settings

    settings = Settings()
    for info in [BY_NAME[s] for s in service] if service else SUITE:
        upgrade(info.package, settings.database_url(info.name))
        typer.echo(f"{info.name}: migrated")


@app.command()
def chaos(
    scenario: Annotated[list[str] | None, typer.Option(help="broker, services, database, poison (default: all)")] = None,
    count: Annotated[int, typer.Option(help="registrations streamed in each scenario")] = 500,
    timeout: Annotated[float, typer.Option(help="seconds to wait for the last registration to arrive")] = 180.0,
) -> None:
    """Run the fault scenarios on this machine and print sent / received / duplicated / lost."""
    from services.chaos import SCENARIOS, run_chaos, table

    names = scenario or list(SCENARIOS)
    if unknown := [n for n in names if n not in SCENARIOS]:
        raise typer.BadParameter(f"unknown scenarios: {', '.join(unknown)}")
    outcomes = asyncio.run(run_chaos(names, count, timeout))
    typer.echo(table(outcomes))
    raise typer.Exit(0 if all(o.ok for o in outcomes) else 1)


@app.command()
def topics() -> None:
    """Create the suite's topics and their .dlq companions on TUOYU_KAFKA_BOOTSTRAP."""
    from shared.bus import ensure_topics
    from shared.events.catalogue import TOPICS
    from shared.settings import Settings

    asyncio.run(ensure_topics(Settings(), TOPICS))
    typer.echo("topics ready: " + ", ".join(TOPICS))


if __name__ == "__main__":
    app()
