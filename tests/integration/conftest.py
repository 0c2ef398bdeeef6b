from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest

from services.broker import EmbeddedBroker
from tests.conftest import BACKENDS, DatabaseSet
from tests.integration.suite import InProcessSuite

SUITE_DATABASES = ("gateway", "registration", "inspection", "subsidy", "training")


@pytest.fixture(scope="module", params=BACKENDS)
async def databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DatabaseSet]:
    dbs = DatabaseSet(request.param, str(tmp_path_factory.mktemp(f"db-{request.param}")))
    yield dbs
    await dbs.drop_all()


@pytest.fixture(scope="module")
async def suite(
    databases: DatabaseSet, broker: EmbeddedBroker, keypair: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[InProcessSuite]:
    running = InProcessSuite(
        {
            "data_dir": tmp_path_factory.mktemp("data"),
            "kafka_bootstrap": broker.bootstrap,
            "kafka_background_fetch_max_wait_ms": 100,  # waits shortened, as below, to keep the tests quick
            "jwt_private_key": keypair[0],
            "jwt_public_key": keypair[1],
            "feed_follow_interval_s": 1.0,
            "consumer_retry_delays_s": (0.05, 0.1),
            "relay_poll_s": 0.5,
            "webhook_retry_base_s": 0.2,
            "webhook_pause_after": 4,
        },
        {name: await databases.url(name) for name in SUITE_DATABASES},
    )
    await running.start_all()
    yield running
    await running.stop_all()


@pytest.fixture
def fresh_name() -> str:
    return secrets.token_hex(4)
