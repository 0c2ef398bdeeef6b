"""PostgreSQL unreachable for a while: writes answer 503 problem+json, nothing is half written,
and the service recovers by itself when the database is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_UP, DatabaseSet
from tests.factories import registration_body
from tests.integration.suite import InProcessSuite
from tests.integration.tcpproxy import CuttableProxy
from tests.waiting import eventually

pytestmark = pytest.mark.skipif(not POSTGRES_UP, reason="PostgreSQL run NOT run: the server does not answer")


@pytest.fixture(scope="module")
async def proxied(broker, keypair, tmp_path_factory) -> AsyncIterator[tuple[InProcessSuite, CuttableProxy]]:  # type: ignore[no-untyped-def]
    databases = DatabaseSet("postgresql", str(tmp_path_factory.mktemp("pgdown")))
    direct = await databases.url("registration")
    proxy = CuttableProxy("127.0.0.1", 5432)
    await proxy.start()
    through_proxy = direct.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    suite = InProcessSuite(
        {
            "data_dir": tmp_path_factory.mktemp("pgdown-data"),
            "kafka_bootstrap": broker.bootstrap,
            "jwt_private_key": keypair[0],
            "jwt_public_key": keypair[1],
            "relay_poll_s": 0.5,
        },
        {"registration": through_proxy},
    )
    from shared.migrate import upgrade

    await asyncio.to_thread(upgrade, "registration_svc", direct)
    await suite.start("registration")
    yield suite, proxy
    await suite.stop_all()
    await proxy.stop()
    await databases.drop_all()


async def test_writes_answer_503_while_the_database_is_away_and_recover(proxied, token_for) -> None:  # type: ignore[no-untyped-def]
    suite, proxy = proxied
    url = suite.url("registration", "/v1/registrations")
    headers = token_for("minzheng", "441802")
    assert (await suite.http.post(url, json=registration_body(), headers=headers)).status_code == 201

    await proxy.cut()
    body = registration_body()
    try:
        refused = await suite.http.post(url, json=body, headers=headers)
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json" and refused.headers["retry-after"]
        assert (await suite.http.get(suite.url("registration", "/ready"))).status_code == 503
        assert (await suite.http.get(suite.url("registration", "/health"))).status_code == 200  # alive, only not ready
    finally:
        await proxy.restore()

    async def written() -> bool:
        response = await suite.http.post(url, json=body, headers=headers)
        assert response.status_code in (201, 503), response.text
        return response.status_code == 201  # not 409: the refused write left nothing behind

    await eventually(written, timeout=30, what="writes working again")
    assert (await suite.http.get(suite.url("registration", "/ready"))).status_code == 200
    outbox = suite.runtime("registration").tables.outbox  # type: ignore[union-attr]

    async def published() -> bool:
        async with suite.runtime("registration").db.reading() as session:
            row = (await session.execute(sa.select(outbox.c.published_at).where(outbox.c.key == body["uscc"]))).first()
        return row is not None and row.published_at is not None

    await eventually(published, timeout=30, what="the relay publishing again by itself")
