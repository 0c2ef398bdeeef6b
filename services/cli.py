"""The `tuoyu` command."""

from __future__ import annotations

import asyncio
import os
import sys
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
def serve(
    service: Annotated[str, typer.Argument(help="gateway, registration, inspection, subsidy or training")],
    host: Annotated[str, typer.Option(help="address to listen on")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Run one process of the suite (what a container runs; `tuoyu up` runs them all)."""
    from services.catalogue import BY_NAME

    if service not in BY_NAME:
        raise typer.BadParameter(f"one of {', '.join(BY_NAME)}")
    # A fresh interpreter, without what this command itself loaded (services.serve says why).
    os.execv(sys.executable, [sys.executable, "-m", "services.serve", service, "--host", host, "--port", str(port)])


@app.command("create-account")
def create_account(
    username: Annotated[str, typer.Option(help="login name, or client_id of a system")],
    department: Annotated[str, typer.Option(help="department code, e.g. weijian")],
    region: Annotated[str, typer.Option(help="six-digit region of the office")],
    role: Annotated[list[str], typer.Option(help="clerk, admin, subscriber (repeatable)")],
    display_name: Annotated[str, typer.Option(help="the name shown")] = "",
    kind: Annotated[str, typer.Option(help="person or system")] = "person",
    secret: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="password or client secret")] = "",
) -> None:
    """Create an account in the gateway's database directly (the first administrator, say)."""
    from gateway.commands import create_account as create
    from gateway.schemas import AccountCreate
    from shared.auth import Principal
    from shared.db import Database
    from shared.settings import Settings

    operator = Principal(sub="operator", kind="person", department=None, region="441800", roles=frozenset({"admin"}))
    body = AccountCreate(username=username, kind=kind, secret=secret, display_name=display_name or username, department=department, region=region, roles=role)

    async def run() -> None:
        db = Database(Settings().database_url("gateway"))
        try:
            async with db.transaction() as session:
                await create(session, operator, body)
        finally:
            await db.dispose()

    asyncio.run(run())
    typer.echo(f"account {username} created")


@app.command()
def keys() -> None:
    """Print a new Ed25519 key pair for signing tokens, as JSON: {"TUOYU_JWT_PRIVATE_KEY": <PEM>,
    "TUOYU_JWT_PUBLIC_KEY": <PEM>} (production takes them from the environment or a secret)."""
    import json

    from shared.keys import generate_keypair

    private, public = generate_keypair()
    typer.echo(json.dumps({"TUOYU_JWT_PRIVATE_KEY": private, "TUOYU_JWT_PUBLIC_KEY": public}))


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
def bench(
    backend: Annotated[list[str] | None, typer.Option(help="sqlite or postgresql; repeat for both (default: sqlite)")] = None,
    scenario: Annotated[list[str] | None, typer.Option(help="propagation, throughput, gateway, catchup, reports, memory (default: all)")] = None,
    seconds: Annotated[float, typer.Option(help="how long each measurement phase runs")] = 15.0,
    rate: Annotated[float, typer.Option(help="propagation: registrations per second")] = 20.0,
    clients: Annotated[int, typer.Option(help="concurrent clients for write throughput and requests/s")] = 16,
    backlog: Annotated[int, typer.Option(help="catch-up: events the consumer starts behind")] = 20_000,
    report_rows: Annotated[int, typer.Option(help="reports: registrations (and applications) in the databases")] = 100_000,
    results: Annotated[Path | None, typer.Option(help="where the table, JSON and SVG go (default: bench/results)")] = None,
    repeat: Annotated[int, typer.Option(min=1, help="runs of each scenario (interleaved); each figure is the median run's")] = 1,
    check: Annotated[bool, typer.Option(help="exit 1 when a target is missed")] = False,
) -> None:
    """Measure the suite against bare baselines on this machine; print one table of ratios and
    write it as text, JSON and SVG."""
    from bench.harness import RESULTS, run_and_write
    from bench.model import BenchConfig
    from bench.report import table
    from bench.scenarios import SCENARIOS
    from bench.stage import BACKENDS

    names = scenario or list(SCENARIOS)
    if unknown := [n for n in names if n not in SCENARIOS]:
        raise typer.BadParameter(f"unknown scenarios: {', '.join(unknown)}")
    backends = backend or ["sqlite"]
    if unknown := [b for b in backends if b not in BACKENDS]:
        raise typer.BadParameter(f"unknown backends: {', '.join(unknown)}")
    config = BenchConfig(backends=tuple(backends), scenarios=tuple(names), seconds=seconds, rate=rate, clients=clients, backlog=backlog, report_rows=report_rows, repeat=repeat)
    rows, paths = run_and_write(config, results or RESULTS)
    typer.echo(table(rows))
    typer.echo("written: " + ", ".join(str(p) for p in paths.values()))
    if any(r.failed for r in rows):
        raise typer.Exit(2)  # a scenario did not finish
    raise typer.Exit(1 if check and any(r.met is False for r in rows) else 0)


@app.command("verify-exchange")
def verify_exchange(
    month: Annotated[str, typer.Option(help="YYYY-MM")],
    region: Annotated[str | None, typer.Option(help="the registering office's region (default: the whole city)")] = None,
    gateway: Annotated[str, typer.Option(envvar="TUOYU_GATEWAY_URL", help="the gateway's URL")] = "http://127.0.0.1:8000",
    username: Annotated[str, typer.Option(envvar="TUOYU_VERIFY_USERNAME", help="a health bureau account")] = "weijian-441800",
    password: Annotated[str, typer.Option(envvar="TUOYU_VERIFY_PASSWORD", prompt=True, hide_input=True)] = "",
) -> None:
    """Prove for a month and region that the registrars' event chains are unbroken, and when each
    registration reached the health bureau; a deleted, altered or back-dated event is reported."""
    import httpx

    with httpx.Client(base_url=gateway, timeout=60) as http:
        token = http.post("/auth/token", data={"grant_type": "password", "username": username, "password": password})
        if token.status_code != 200:
            raise typer.BadParameter(f"sign-in failed: {token.json().get('detail')}")
        params = {"month": month, **({"region": region} if region else {})}
        response = http.get("/api/inspection/v1/exchange/verification", params=params, headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    if response.status_code != 200:
        typer.echo(response.text)
        raise typer.Exit(2)
    report = response.json()
    for topic, stream in report["streams"].items():
        typer.echo(f"{topic}: {stream['events']} events, head {(stream['head'] or '-')[:16]}")
    typer.echo(f"{'USCC':<20} {'registered':<11} {'published':<26} {'received':<26} same-month  evidence")
    for r in report["records"]:
        evidence = "matches" if r["receipt_matches"] else "MISMATCH"
        typer.echo(f"{r['uscc']:<20} {r['registered_on']:<11} {r['published_at'][:25]:<26} {(r['received_at'] or 'NOT RECEIVED')[:25]:<26} {str(r['same_month']):<11} {evidence}")
    for p in report["problems"]:
        typer.echo(f"PROBLEM {p['kind']} at position {p['position']} (event {p['event_id']}): {p['detail']}")
    typer.echo("verified: the exchange is intact" if report["verified"] else f"NOT verified: {len(report['problems'])} problems")
    raise typer.Exit(0 if report["verified"] else 1)


@app.command()
def topics(
    partitions: Annotated[int | None, typer.Option(help="raise existing topics to this many partitions (Apache Kafka)")] = None,
) -> None:
    """Create the suite's topics and their .dlq companions on TUOYU_KAFKA_BOOTSTRAP, with the
    settings in TUOYU_KAFKA_* (partitions, replication factor, min in-sync replicas, retention)."""
    from shared.bus import ensure_topics, grow_partitions
    from shared.events.catalogue import TOPICS
    from shared.settings import Settings

    settings = Settings()
    asyncio.run(ensure_topics(settings, TOPICS))
    typer.echo("topics ready: " + ", ".join(TOPICS))
    if partitions is not None:
        grown = asyncio.run(grow_partitions(settings, TOPICS, partitions))
        typer.echo(f"raised to {partitions} partitions: " + (", ".join(grown) or "none needed"))


@app.command()
def reference(
    check: Annotated[bool, typer.Option(help="only say whether README.md is up to date (exit 1 if not)")] = False,
    readme: Annotated[Path, typer.Option(help="the file holding the generated sections")] = Path("README.md"),
) -> None:
    """Write the README's generated sections: every endpoint of every process and every topic,
    from the code (services/reference.py)."""
    from services.reference import with_reference

    text = readme.read_text(encoding="utf-8")
    current = with_reference(text)
    if check:
        if current != text:
            typer.echo(f"{readme} is out of date: run `tuoyu reference`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{readme} is up to date")
        return
    readme.write_text(current, encoding="utf-8")
    typer.echo(f"{readme} written" if current != text else f"{readme} was already up to date")


@app.command()
def contract(out: Annotated[Path, typer.Option(help="directory to write the contract into")] = Path("contract")) -> None:
    """Write the published contract of the topics (接口契约): asyncapi.json, and per event type its
    JSON Schema (<type>.schema.json) and an example (<type>.example.json)."""
    from shared.asyncapi import contract_files

    out.mkdir(parents=True, exist_ok=True)
    files = contract_files()
    for name, content in files.items():
        (out / name).write_bytes(content)
    typer.echo(f"{len(files)} files written to {out}")


@app.command()
def subscribe(
    group: Annotated[str, typer.Option(help="your consumer group, <department>.<region>.<purpose>, e.g. weijian.441800.roster")],
    topic: Annotated[list[str] | None, typer.Option(help="a topic to read (repeatable; default: every topic your department may read)")] = None,
    bootstrap: Annotated[str | None, typer.Option(help="Kafka brokers (default: TUOYU_KAFKA_BOOTSTRAP)")] = None,
    kafka_username: Annotated[str | None, typer.Option(envvar="TUOYU_KAFKA_USERNAME", help="your Kafka principal, <department>-<region> (SASL SCRAM)")] = None,
    kafka_password: Annotated[str | None, typer.Option(envvar="TUOYU_KAFKA_PASSWORD", help="its password")] = None,
    from_feed: Annotated[bool, typer.Option(help="read the producers' feeds through the gateway instead of Kafka")] = False,
    gateway: Annotated[str, typer.Option(envvar="TUOYU_GATEWAY_URL", help="the gateway's URL (--from-feed)")] = "http://127.0.0.1:8000",
    client_id: Annotated[str | None, typer.Option(envvar="TUOYU_CLIENT_ID", help="your subscriber account (--from-feed)")] = None,
    client_secret: Annotated[str | None, typer.Option(envvar="TUOYU_CLIENT_SECRET", help="its secret (--from-feed)")] = None,
    exec_: Annotated[str | None, typer.Option("--exec", help="a command run per event with the event as one JSON line on its stdin")] = None,
    checkpoint: Annotated[Path | None, typer.Option(help="where the position is kept (default: <data dir>/subscriber-<group>.json)")] = None,
    max_events: Annotated[int | None, typer.Option(help="stop after this many events")] = None,
    idle_exit: Annotated[float | None, typer.Option(help="stop after this many seconds without an event")] = None,
) -> None:
    """Print your bureau's events as JSON lines on stdout (or hand each to --exec), at least once,
    resuming from a local checkpoint; logs go to stderr."""
    import sys

    import httpx
    from aiokafka.errors import KafkaError

    from services.subscriber import Output, Refused, Stop, subscribe
    from shared.logging import configure_logging
    from shared.settings import Settings

    settings = Settings(**({"kafka_bootstrap": bootstrap} if bootstrap else {}))
    configure_logging(settings.log_level)
    run = subscribe(
        group,
        topic or [],
        settings=settings,
        output=Output(sys.stdout.buffer, exec_),
        stop=Stop(max_events, idle_exit),
        checkpoint=checkpoint,
        from_feed=from_feed,
        gateway=gateway,
        client_id=client_id,
        client_secret=client_secret,
        kafka_username=kafka_username,
        kafka_password=kafka_password,
    )
    try:
        asyncio.run(run)
    except Refused as refused:
        typer.echo(f"refused: {refused}", err=True)
        raise typer.Exit(2) from None
    except (httpx.HTTPError, KafkaError) as exc:
        typer.echo(f"cannot reach {'the gateway' if from_feed else 'Kafka'}: {exc!r}", err=True)
        raise typer.Exit(1) from None


@app.command()
def acls(k8s: Annotated[bool, typer.Option(help="print the Kubernetes ConfigMap and Job instead (deploy/k8s/15-kafka-acls.yaml)")] = False) -> None:
    """Print the Kafka ACLs of the production deployment (kafka-acls.sh commands) from the table of
    readers; deploy/kafka-acls.sh is this output."""
    from services.acls import acl_script, k8s_manifest

    typer.echo(k8s_manifest() if k8s else acl_script(), nl=False)


if __name__ == "__main__":
    app()
