"""Fixtures shared by every test: keys, the embedded broker, and the two database backends."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
from hypothesis import settings

from services.broker import EmbeddedBroker
from services.scratch import ScratchDatabases
from shared.auth import Principal, TokenIssuer
from shared.keys import generate_keypair

POSTGRES_ADMIN_DSN = os.environ.get("TUOYU_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
# CI sets this so that a PostgreSQL that is down fails the run instead of skipping half of it.
POSTGRES_REQUIRED = os.environ.get("TUOYU_TEST_REQUIRE_POSTGRES") == "1"
# Topics of several partitions, as on Apache Kafka (the embedded default is one): order and scale
# are tested across partitions, whichever suite of the session creates the topics first.
os.environ.setdefault("TUOYU_KAFKA_PARTITIONS", "3")
# Property tests judge what the code does, not how fast: Hypothesis's default deadline (200 ms an
# example) turns a busy shared machine into a failure.
settings.register_profile("tuoyu", deadline=None)
settings.load_profile("tuoyu")


def _postgres_reachable() -> bool:
    import asyncpg

    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


POSTGRES_UP = _postgres_reachable()
if POSTGRES_REQUIRED and not POSTGRES_UP:
    raise RuntimeError(f"PostgreSQL is required for this run but {POSTGRES_ADMIN_DSN} does not answer")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(not POSTGRES_UP, reason=f"PostgreSQL run NOT run: {POSTGRES_ADMIN_DSN} does not answer"),
    ),
]


@pytest.fixture(scope="session")
def keypair() -> tuple[str, str]:
    return generate_keypair()


@pytest.fixture(scope="session")
def issuer(keypair: tuple[str, str]) -> TokenIssuer:
    return TokenIssuer(keypair[0], issuer="tuoyu-gateway", audience="tuoyu", ttl_s=600)


@pytest.fixture(scope="session")
def token_for(issuer: TokenIssuer):  # type: ignore[no-untyped-def]
    """`token_for("minzheng", "441802", "clerk")` → an Authorization header for such a person."""

    def make(department: str | None, region: str, *roles: str, kind: str = "person", sub: str | None = None) -> dict[str, str]:
        principal = Principal(
            sub=sub or f"{department}-{region}-test", kind=kind, department=department, region=region, roles=frozenset(roles or ("clerk",))
        )
        return {"Authorization": f"Bearer {issuer.issue(principal)[0]}"}

    return make


@pytest.fixture(scope="session")
async def broker() -> AsyncIterator[EmbeddedBroker]:
    embedded = EmbeddedBroker(echo=False)
    await embedded.start()
    yield embedded
    await embedded.stop()


class DatabaseSet(ScratchDatabases):
    """Databases for one test suite run on one backend: `url(name)` gives a fresh database."""

    def __init__(self, backend: str, tmp_dir: str) -> None:
        super().__init__(backend, tmp_dir, admin_dsn=POSTGRES_ADMIN_DSN, prefix="tuoyu_test")
