"""Alembic, driven from code: each service keeps its own `migrations/` (one head, its own version
table) and this module runs them — from the runner, the CLI and the tests alike."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.tables import RELAY_LEASE_NAME, platform_tables


def alembic_config(package: str, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", f"{package}:migrations")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return cfg


def upgrade(package: str, url: str, revision: str = "head") -> None:
    """Bring a service database to `revision` (creating the SQLite file's folder if needed)."""
    if url.startswith("sqlite") and ":///" in url:
        Path(url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(package, url), revision)


def run_env(target_metadata: sa.MetaData, version_table: str) -> None:
    """The body of every service's `migrations/env.py`."""
    url = context.config.get_main_option("sqlalchemy.url")
    options = {"target_metadata": target_metadata, "version_table": version_table, "render_as_batch": True}
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run_sync(connection: sa.Connection) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(run_sync)
        finally:
            await engine.dispose()

    asyncio.run(run_async())


# -- migration steps for the delivery tables every service holds (shared.tables) -----------------


def create_platform_tables_v1() -> None:
    """Migration step: the delivery tables as of version 1 (called from each service's first
    migration; a later change to these tables gets a `..._v2` step of its own)."""
    scratch = platform_tables(sa.MetaData(), chain=False)  # the chain column came with v2
    bind = op.get_bind()
    for table in (
        scratch.outbox,
        scratch.inbox,
        scratch.dead_letter,
        scratch.feed_checkpoint,
        scratch.relay_lease,
        scratch.audit_log,
    ):
        table.create(bind)
    op.bulk_insert(scratch.relay_lease, [{"name": RELAY_LEASE_NAME, "owner": None, "expires_at": None}])


def add_outbox_chain_v2() -> None:
    """Migration step: the outbox keeps each event's link in its stream's hash chain."""
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("chain_hash", sa.String(64), nullable=True))


def drop_outbox_chain_v2() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("chain_hash")


def create_idempotency_table() -> None:
    """Migration step: the keys of writes sent with `Idempotency-Key` (a service that had its own
    table of them, subsidy, already has it)."""
    platform_tables(sa.MetaData()).idempotency_key.create(op.get_bind())


def drop_idempotency_table() -> None:
    op.drop_table("idempotency_key")


def drop_platform_tables_v1() -> None:
    for name in ("audit_log", "relay_lease", "feed_checkpoint", "dead_letter", "inbox", "outbox"):
        op.drop_table(name)
