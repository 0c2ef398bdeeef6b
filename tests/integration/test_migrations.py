"""Each service's migrations: one head, and the schema they build is the one its models declare."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from services.catalogue import SUITE
from shared.db import Database
from shared.migrate import alembic_config
from tests.integration.suite import InProcessSuite


@pytest.mark.parametrize("info", SUITE, ids=[s.name for s in SUITE])
async def test_migrations_build_exactly_the_models(suite: InProcessSuite, info) -> None:  # type: ignore[no-untyped-def]
    url = suite.settings.database_url(info.name)
    assert len(ScriptDirectory.from_config(alembic_config(info.package, url)).get_heads()) == 1
    metadata = importlib.import_module(f"{info.package}.models").Base.metadata
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c, opts={"version_table": f"alembic_version_{info.name}"}), metadata))
    finally:
        await db.dispose()
    assert diff == []
