"""Hostile input and the security rules: oversized and deep bodies, path traversal, injection kept
inert, sign-in throttling, production secrets, and the audit of every write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.demo import seed_demo_accounts
from shared.settings import Settings
from tests.integration.helpers import register
from tests.integration.suite import InProcessSuite

PASSWORD = "security-tests-password"


async def test_oversized_and_deeply_nested_bodies_are_refused_before_parsing(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    url = suite.url("registration", "/v1/registrations")
    headers = {**token_for("minzheng", "441802"), "Content-Type": "application/json"}
    big = b'{"name": "' + b"x" * (7 * 1024 * 1024) + b'"}'
    response = await suite.http.post(url, content=big, headers=headers)
    assert response.status_code == 413 and response.json()["type"] == "urn:tuoyu:problem:payload-too-large"

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(8):
            yield b"x" * (1024 * 1024)

    streamed = await suite.http.post(url, content=chunks(), headers=headers)  # no Content-Length: counted as it comes
    assert streamed.status_code == 413
    deep = b"[" * 5000 + b"]" * 5000
    nested = await suite.http.post(url, content=deep, headers=headers)
    assert nested.status_code == 400 and nested.json()["type"] == "urn:tuoyu:problem:json-too-deep"
    quoted = await suite.http.post(url, content=b'{"name": "' + b"[" * 5000 + b'"}', headers=headers)
    assert quoted.status_code == 422  # brackets inside a string are not nesting
    through_gateway = await suite.http.post(suite.url("gateway", "/api/registration/v1/registrations"), content=deep, headers=headers)
    assert through_gateway.status_code == 400


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py", "/static/%2e%2e%2f%2e%2e%2fpyproject.toml", "/static//etc/passwd"])
async def test_path_traversal_in_downloads_is_refused(suite: InProcessSuite, path: str) -> None:
    response = await suite.http.get(suite.url("gateway", path))
    assert response.status_code == 404
    assert "create_app" not in response.text and "root:" not in response.text


async def test_sql_and_script_injection_are_stored_inertly(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    hostile = "x'); DROP TABLE registration; -- <script>alert(1)</script>"
    made = await register(suite, token_for, name=hostile, address="'; DELETE FROM outbox; --")
    fetched = await suite.http.get(suite.url("registration", f"/v1/registrations/{made['uscc']}"), headers=token_for("minzheng", "441802"))
    assert fetched.json()["name"] == hostile
    listed = await suite.http.get(suite.url("registration", "/v1/registrations"), params={"county": "441802", "limit": 500}, headers=token_for("minzheng", "441802"))
    assert hostile in {r["name"] for r in listed.json()["items"]}
    search = await suite.http.get(suite.url("inspection", "/v1/public/institutions"), params={"name": "%' OR '1'='1"})
    assert search.status_code == 200 and search.json()["items"] == []  # the pattern is text, not SQL


async def test_sign_in_is_throttled_against_guessing(suite: InProcessSuite) -> None:
    await seed_demo_accounts(suite.runtime("gateway").db, PASSWORD)
    url = suite.url("gateway", "/auth/token")
    guesses = [await suite.http.post(url, data={"grant_type": "password", "username": "gongan-441825", "password": f"guess{n}"}) for n in range(5)]
    assert [g.status_code for g in guesses] == [400] * 5
    locked = await suite.http.post(url, data={"grant_type": "password", "username": "gongan-441825", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 60  # even the right password waits
    other = await suite.http.post(url, data={"grant_type": "password", "username": "gongan-441826", "password": PASSWORD})
    assert other.status_code == 200


def test_production_refuses_missing_or_demo_secrets(keypair: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway.app import create_app as gateway_app
    from registration_svc.app import create_app as registration_app

    monkeypatch.delenv("TUOYU_DEMO_PASSWORD", raising=False)
    short = Settings(environment="production", jwt_public_key=keypair[1], internal_secret="short")
    with pytest.raises(RuntimeError, match="TUOYU_INTERNAL_SECRET"):
        registration_app(short)
    good = Settings(environment="production", jwt_public_key=keypair[1], internal_secret="s" * 40, service_urls={s: "http://x" for s in ("registration", "inspection", "subsidy", "training")})
    registration_app(good)
    with pytest.raises(RuntimeError, match="TUOYU_JWT_PRIVATE_KEY"):
        gateway_app(good)
    monkeypatch.setenv("TUOYU_DEMO_PASSWORD", "demo")
    with pytest.raises(RuntimeError, match="demo"):
        registration_app(good)


async def test_the_runner_refuses_demo_mode_and_made_up_secrets_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.runner import Suite, local_secrets

    monkeypatch.setenv("TUOYU_ENVIRONMENT", "production")
    for name in ("TUOYU_JWT_PRIVATE_KEY", "TUOYU_JWT_PUBLIC_KEY", "TUOYU_INTERNAL_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit, match="demo"):
        Suite(8000, tmp_path, demo=True)
    assert await local_secrets(tmp_path) == {}  # nothing made up: the services will refuse to start
    assert not (tmp_path / "secrets.json").exists()
    assert os.environ["TUOYU_ENVIRONMENT"] == "production"


async def test_every_write_is_audited_with_actor_request_and_before_after(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    made = await register(suite, token_for, registrar="shichang", region="441803")
    clerk = {**token_for("shichang", "441803"), "X-Request-ID": "audit-test-1"}
    await suite.http.patch(suite.url("registration", f"/v1/registrations/{made['uscc']}"), json={"address": "清新区新地址8号"}, headers=clerk)
    trail = await suite.http.get(
        suite.url("registration", "/v1/admin/audit"), params={"entity": "registration", "key": made["uscc"]}, headers=token_for("weijian", "441800", "admin")
    )
    entries = trail.json()["items"]
    assert [e["action"] for e in entries] == ["register", "amend"]
    amend = entries[1]
    assert (amend["actor"], amend["department"], amend["region"], amend["request_id"]) == ("shichang-441803-test", "shichang", "441803", "audit-test-1")
    assert amend["detail"]["before"] == {"address": made["address"]} and amend["detail"]["after"] == {"address": "清新区新地址8号"}
    log = suite.runtime("registration").tables.audit_log  # type: ignore[union-attr]
    async with suite.runtime("registration").db.reading() as session:
        assert (await session.execute(sa.select(sa.func.count()).select_from(log).where(log.c.key == made["uscc"]))).scalar_one() == 2


async def test_nul_characters_are_refused_before_any_database_sees_them(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = token_for("minzheng", "441802")
    query = await suite.http.get(suite.url("registration", "/v1/registrations?county=4418%0002"), headers=headers)
    assert query.status_code == 400 and query.json()["type"] == "urn:tuoyu:problem:nul-character"
    body = await suite.http.post(
        suite.url("registration", "/v1/registrations"), content=b'{"name": "a\\u0000b"}', headers={**headers, "Content-Type": "application/json"}
    )
    assert body.status_code == 400
