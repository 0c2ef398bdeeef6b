"""Who gets in where: tokens (refresh, revocation, tampering) at the gateway and at every service,
rate limits, and the authorisation matrix of departments × regions × endpoint families."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from gateway.demo import seed_demo_accounts
from gateway.models import platform
from gateway.repository import AccountRepository
from shared.audit import trail
from shared.auth import Principal, TokenIssuer
from shared.departments import DEPARTMENTS
from shared.keys import generate_keypair
from tests.factories import registration_body
from tests.integration.helpers import register
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

PASSWORD = "access-tests-password"
REGISTRARS = {"bianban", "minzheng", "shichang"}  # 编办, 民政, 市场监管 register by the institution's nature


@pytest.fixture(scope="module")
async def accounts(suite: InProcessSuite) -> None:
    await seed_demo_accounts(suite.runtime("gateway").db, PASSWORD)


async def token(suite: InProcessSuite, **form: str):  # type: ignore[no-untyped-def]
    return await suite.http.post(suite.url("gateway", "/auth/token"), data=form)


async def test_refresh_rotates_and_a_reused_token_ends_the_sign_in(suite: InProcessSuite, accounts: None) -> None:
    first = (await token(suite, grant_type="password", username="jiaoyu-441803", password=PASSWORD)).json()
    assert first["refresh_token"]
    second = await token(suite, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
    reused = await token(suite, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reused.status_code == 400 and "reused" in reused.json()["detail"]
    # the thief's reuse revoked the rightful holder's newer token too
    assert (await token(suite, grant_type="refresh_token", refresh_token=second.json()["refresh_token"])).status_code == 400


async def test_revocation_and_disabling_stop_refreshing(suite: InProcessSuite, accounts: None) -> None:
    signed_in = (await token(suite, grant_type="password", username="fagai-441803", password=PASSWORD)).json()
    assert (await suite.http.post(suite.url("gateway", "/auth/revoke"), data={"token": signed_in["refresh_token"]})).status_code == 200
    assert (await token(suite, grant_type="refresh_token", refresh_token=signed_in["refresh_token"])).status_code == 400
    assert (await suite.http.post(suite.url("gateway", "/auth/revoke"), data={"token": "unknown"})).status_code == 200

    admin = (await token(suite, grant_type="password", username="admin", password=PASSWORD)).json()
    other = (await token(suite, grant_type="password", username="fagai-441821", password=PASSWORD)).json()
    disable = await suite.http.post(suite.url("gateway", "/auth/accounts/fagai-441821/disable"), headers={"Authorization": f"Bearer {admin['access_token']}"})
    assert disable.status_code == 200 and disable.json()["disabled"] is True
    assert (await token(suite, grant_type="refresh_token", refresh_token=other["refresh_token"])).status_code == 400
    assert (await token(suite, grant_type="password", username="fagai-441821", password=PASSWORD)).status_code == 400


async def test_a_disabled_accounts_access_token_is_refused_at_the_gateway_before_it_expires(suite: InProcessSuite, accounts: None) -> None:
    admin = {"Authorization": f"Bearer {(await token(suite, grant_type='password', username='admin', password=PASSWORD)).json()['access_token']}"}
    victim = {"Authorization": f"Bearer {(await token(suite, grant_type='password', username='zhujian-441823', password=PASSWORD)).json()['access_token']}"}
    url = suite.url("gateway", "/api/registration/v1/registrations")
    assert (await suite.http.get(url, headers=victim)).status_code == 200
    assert (await suite.http.post(suite.url("gateway", "/auth/accounts/zhujian-441823/disable"), headers=admin)).status_code == 200
    refused = await suite.http.get(url, headers=victim)
    assert refused.status_code == 401 and refused.json()["detail"] == "the account is disabled"
    assert (await suite.http.post(suite.url("gateway", "/auth/accounts/zhujian-441823/enable"), headers=admin)).status_code == 200
    assert (await suite.http.get(url, headers=victim)).status_code == 200

    # disabled by another gateway (here: straight in the database): this one learns it from its next read
    async with suite.runtime("gateway").db.transaction() as session:
        (await AccountRepository(session).by_username("zhujian-441823", for_update=True)).disabled = True  # type: ignore[union-attr]

    async def refused() -> bool:
        return (await suite.http.get(url, headers=victim)).status_code == 401

    await eventually(refused, what="the disabled account refused after the gateway's next read of the accounts")
    async with suite.runtime("gateway").db.transaction() as session:
        (await AccountRepository(session).by_username("zhujian-441823", for_update=True)).disabled = False  # type: ignore[union-attr]


async def test_administrators_create_accounts_for_people_and_systems(suite: InProcessSuite, accounts: None) -> None:
    admin = {"Authorization": f"Bearer {(await token(suite, grant_type='password', username='admin', password=PASSWORD)).json()['access_token']}"}
    clerk = {"Authorization": f"Bearer {(await token(suite, grant_type='password', username='minzheng-441802', password=PASSWORD)).json()['access_token']}"}
    system = {"username": "qy-finance-system", "kind": "system", "secret": "a-long-system-secret", "display_name": "财政一体化系统", "department": "caizheng", "region": "441800"}
    url = suite.url("gateway", "/auth/accounts")
    assert (await suite.http.post(url, json=system, headers=clerk)).status_code == 403
    assert (await suite.http.post(url, json={**system, "roles": ["root"]}, headers=admin)).status_code == 422
    assert (await suite.http.post(url, json=system, headers=admin)).status_code == 201
    assert (await suite.http.post(url, json=system, headers=admin)).status_code == 409
    granted = await token(suite, grant_type="client_credentials", client_id="qy-finance-system", client_secret="a-long-system-secret")
    assert granted.status_code == 200 and granted.json()["refresh_token"] is None and granted.json()["department"] == "caizheng"
    # a system cannot sign in with the password grant, nor a person with client credentials
    assert (await token(suite, grant_type="password", username="qy-finance-system", password="a-long-system-secret")).status_code == 400
    assert (await token(suite, grant_type="client_credentials", client_id="minzheng-441802", client_secret=PASSWORD)).status_code == 400


async def test_account_writes_are_audited_and_passwords_change(suite: InProcessSuite, accounts: None) -> None:
    admin = {"Authorization": f"Bearer {(await token(suite, grant_type='password', username='admin', password=PASSWORD)).json()['access_token']}"}
    clerk = {"Authorization": f"Bearer {(await token(suite, grant_type='password', username='minzheng-441802', password=PASSWORD)).json()['access_token']}"}
    person = {"username": "audit-clerk", "kind": "person", "secret": "first-password-1", "display_name": "审计测试", "department": "minzheng", "region": "441803"}
    assert (await suite.http.post(suite.url("gateway", "/auth/accounts"), json=person, headers=admin)).status_code == 201
    signed_in = (await token(suite, grant_type="password", username="audit-clerk", password="first-password-1")).json()
    own = {"Authorization": f"Bearer {signed_in['access_token']}"}
    change = suite.url("gateway", "/auth/password")

    wrong = await suite.http.post(change, json={"old_password": "not-the-password", "new_password": "second-password-2"}, headers=own)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "old_password"
    short = await suite.http.post(change, json={"old_password": "first-password-1", "new_password": "short"}, headers=own)
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "new_password"
    assert (await suite.http.post(change, json={"old_password": "first-password-1", "new_password": "second-password-2"}, headers=own)).status_code == 200
    assert (await token(suite, grant_type="refresh_token", refresh_token=signed_in["refresh_token"])).status_code == 400  # sign-ins ended
    assert (await token(suite, grant_type="password", username="audit-clerk", password="first-password-1")).status_code == 400
    assert (await token(suite, grant_type="password", username="audit-clerk", password="second-password-2")).status_code == 200

    reset = suite.url("gateway", "/auth/accounts/audit-clerk/password")
    assert (await suite.http.post(reset, json={"new_password": "third-password-3"}, headers=clerk)).status_code == 403
    assert (await suite.http.post(reset, json={"new_password": "third-password-3"}, headers=admin)).status_code == 200
    assert (await token(suite, grant_type="password", username="audit-clerk", password="third-password-3")).status_code == 200
    assert (await suite.http.post(suite.url("gateway", "/auth/accounts/nobody-at-all/password"), json={"new_password": "third-password-3"}, headers=admin)).status_code == 404

    assert (await suite.http.post(suite.url("gateway", "/auth/accounts/audit-clerk/disable"), headers=admin)).status_code == 200
    assert (await token(suite, grant_type="password", username="audit-clerk", password="third-password-3")).status_code == 400
    assert (await suite.http.post(suite.url("gateway", "/auth/accounts/audit-clerk/enable"), headers=clerk)).status_code == 403
    enabled = await suite.http.post(suite.url("gateway", "/auth/accounts/audit-clerk/enable"), headers=admin)
    assert enabled.status_code == 200 and enabled.json()["disabled"] is False
    assert (await token(suite, grant_type="password", username="audit-clerk", password="third-password-3")).status_code == 200

    listed = suite.url("gateway", "/auth/accounts")
    first = (await suite.http.get(listed, params={"department": "minzheng", "limit": 2}, headers=admin)).json()
    assert [a["username"] for a in first["items"]] == ["audit-clerk", "minzheng-441800"] and first["next"] == "minzheng-441800"
    rest = (await suite.http.get(listed, params={"department": "minzheng", "after": first["next"], "limit": 100}, headers=admin)).json()
    assert rest["items"][0]["username"] == "minzheng-441802" and rest["next"] is None
    assert (await suite.http.get(listed, headers=clerk)).status_code == 403

    async with suite.runtime("gateway").db.reading() as session:
        records = await trail(session, platform, "account", "audit-clerk")
    assert [(r["action"], r["actor"]) for r in records] == [
        ("create", "admin"), ("change_password", "audit-clerk"), ("reset_password", "admin"), ("disable", "admin"), ("enable", "admin")]
    assert records[3]["detail"]["after"]["disabled"] is True and records[0]["detail"]["after"]["department"] == "minzheng"
    assert not any(word in str(records) for word in ("password-", "argon2", "secret"))  # no password nor its hash kept


def forged_tokens(keypair: tuple[str, str]) -> dict[str, str]:
    principal = Principal(sub="caizheng-441800-x", kind="person", department="caizheng", region="441800", roles=frozenset({"admin"}))
    good, _ = TokenIssuer(keypair[0], issuer="tuoyu-gateway", audience="tuoyu", ttl_s=600).issue(principal)
    head, body, signature = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    flipped = base64.urlsafe_b64encode(base64.urlsafe_b64decode(body + "==").replace(b'"caizheng"', b'"weijian!"')).rstrip(b"=").decode()
    other_key = serialization.load_pem_private_key(generate_keypair()[0].encode(), password=None)
    return {
        "tampered": f"{head}.{flipped}.{signature}",
        "expired": TokenIssuer(keypair[0], issuer="tuoyu-gateway", audience="tuoyu", ttl_s=600).issue(principal, ttl_s=-120)[0],
        "wrong audience": TokenIssuer(keypair[0], issuer="tuoyu-gateway", audience="elsewhere", ttl_s=600).issue(principal)[0],
        "wrong issuer": TokenIssuer(keypair[0], issuer="someone", audience="tuoyu", ttl_s=600).issue(principal)[0],
        "other key": jwt.encode({**claims, "exp": int(time.time()) + 600}, other_key, algorithm="EdDSA"),
        "unsigned": jwt.encode({**claims, "exp": int(time.time()) + 600}, None, algorithm="none"),
    }


@pytest.mark.parametrize("service", ["registration", "inspection", "subsidy", "training", "gateway"])
async def test_every_service_refuses_forged_tokens(suite: InProcessSuite, keypair: tuple[str, str], service: str) -> None:
    path = "/auth/accounts" if service == "gateway" else "/v1/events"
    for name, forged in forged_tokens(keypair).items():
        response = await suite.http.get(suite.url(service, path), headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401, (service, name, response.text)
        assert response.json()["type"] == "urn:tuoyu:problem:unauthenticated"


async def test_rate_limits_are_per_subject(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    buckets = suite.apps["gateway"].state.rate_limits
    saved = (buckets.per_minute, buckets.burst)
    buckets.per_minute, buckets.burst = 6, 3
    try:
        busy = token_for("minzheng", "441826", sub="busy-system")
        url = suite.url("gateway", "/api/registration/v1/registrations")
        codes = [(await suite.http.get(url, headers=busy)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = await suite.http.get(url, headers=busy)
        assert refused.headers["content-type"] == "application/problem+json" and int(refused.headers["retry-after"]) >= 1
        assert refused.headers["x-request-id"]
        assert (await suite.http.get(url, headers=token_for("minzheng", "441826", sub="quiet-clerk"))).status_code == 200
    finally:
        buckets.per_minute, buckets.burst = saved


async def test_the_profile_answers_partial_when_a_service_is_down(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    made = await register(suite, token_for, registrar="minzheng", region="441802")
    health = token_for("weijian", "441800")
    url = suite.url("gateway", f"/api/institutions/{made['uscc']}")
    whole = (await suite.http.get(url, headers=health)).json()
    assert whole["partial"] is False and whole["sections"]["registration"]["data"]["name"] == made["name"]
    assert whole["sections"]["applications"]["status"] == "forbidden"  # the health bureau sees no subsidy claims
    await suite.stop("training")
    try:
        partial = (await suite.http.get(url, headers=health)).json()
    finally:
        await suite.start("training")
    assert partial["partial"] is True and partial["unavailable"] == ["training"]
    assert partial["sections"]["staffing"]["status"] == "unavailable"
    assert partial["sections"]["registration"]["status"] == "ok"
    assert (await suite.http.get(suite.url("gateway", "/api/institutions/91441802MA00000000"), headers=health)).status_code == 404


async def test_merged_openapi_and_asyncapi_come_from_the_code(suite: InProcessSuite) -> None:
    spec = (await suite.http.get(suite.url("gateway", "/openapi.json"))).json()
    for path in ("/auth/token", "/api/registration/v1/registrations", "/api/inspection/v1/inbox", "/api/subsidy/v1/applications", "/api/training/v1/practitioners"):
        assert path in spec["paths"], path
    refs = str(spec["paths"]["/api/registration/v1/registrations"])
    assert "#/components/schemas/registration__RegistrationCreate" in refs
    assert "registration__RegistrationCreate" in spec["components"]["schemas"]
    docs = await suite.http.get(suite.url("gateway", "/docs"))
    assert docs.status_code == 200 and "/static/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "http://" not in docs.text and "https://" not in docs.text  # nothing from a CDN: it works offline
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert (await suite.http.get(suite.url("gateway", f"/static/swagger-ui/{asset}"))).status_code == 200
    assert spec["paths"]["/auth/token"]["post"]["security"] == []
    assert spec["paths"]["/api/inspection/v1/public/draws"]["get"]["security"] == []
    assert "security" not in spec["paths"]["/api/registration/v1/registrations"]["post"]  # the document's bearer applies
    asyncapi = (await suite.http.get(suite.url("gateway", "/asyncapi.json"))).json()
    from shared.events.catalogue import CATALOGUE, TOPICS

    assert set(asyncapi["channels"]) == set(TOPICS)
    assert {m["name"] for m in asyncapi["components"]["messages"].values()} == set(CATALOGUE)


# endpoint family → (service, path, departments allowed; None = every department)
MATRIX: dict[str, tuple[str, str, set[str] | None]] = {
    "registrations": ("registration", "/v1/registrations", None),
    "health inbox": ("inspection", "/v1/inbox", {"weijian"}),
    "filings": ("inspection", "/v1/filings", {"weijian"}),
    "push report": ("inspection", "/v1/reports/push-compliance?month=2026-01", {"weijian"}),
    "fire roster": ("inspection", "/v1/rosters/xiaofang", {"xiaofang", "weijian"}),
    "police roster": ("inspection", "/v1/rosters/gongan", {"gongan", "weijian"}),
    "inspections": ("inspection", "/v1/inspections", {"weijian", "shichang", "gongan", "xiaofang"}),
    "findings": ("inspection", "/v1/findings", {"weijian", "shichang", "gongan", "xiaofang"}),
    "plans": ("inspection", "/v1/plans", {"weijian", "shichang", "gongan", "xiaofang"}),
    "evaluations": ("inspection", "/v1/evaluations", {"weijian", "evaluator"}),
    "designations": ("inspection", "/v1/designations", {"weijian", "caizheng", "fagai"}),
    "credit": ("inspection", "/v1/credit/91441802MA00000000", None),
    "practitioners": ("training", "/v1/practitioners", {"weijian", "renshe"}),
    "lapsed health checks": ("training", "/v1/health-checks/lapsed", {"weijian", "renshe"}),
    "subsidy applications": ("subsidy", "/v1/applications", {"caizheng", "renshe"}),
    "budgets": ("subsidy", "/v1/budgets", {"caizheng", "renshe"}),
    "subsidy reports": ("subsidy", "/v1/reports/subsidies?year=2026", {"caizheng", "renshe"}),
    "subsidy facts": ("subsidy", "/v1/institutions/91441802MA00000000", {"caizheng", "renshe", "weijian"}),
}


@pytest.mark.parametrize("region", ["441800", "441881"])
async def test_the_authorisation_matrix(suite: InProcessSuite, token_for, region: str) -> None:  # type: ignore[no-untyped-def]
    wrong = []
    for department in DEPARTMENTS:
        headers = token_for(department, region)
        for family, (service, path, allowed) in MATRIX.items():
            status = (await suite.http.get(suite.url(service, path), headers=headers)).status_code
            expected_allowed = allowed is None or department in allowed
            if (status == 403) == expected_allowed or status >= 500:
                wrong.append((department, region, family, status))
    assert wrong == []


AGENCIES = {"weijian", "shichang", "gongan", "xiaofang"}
UNKNOWN = "00000000-0000-0000-0000-000000000000"  # a record that does not exist: the department is refused before the lookup (403, not 404)


def registration_as(department: str, region: str) -> dict:
    return registration_body(department if department in REGISTRARS else "minzheng", region)


def inspection_as(department: str, region: str) -> dict:
    return {"uscc": "91441802MA00000000", "agency": department if department in AGENCIES else "weijian", "kind": "complaint",
            "inspected_on": "2026-01-05", "inspectors": ["Z01", "Z02"], "results": {}, "findings": []}


# write family → (service, path, the body a department sends, departments allowed); a write a department
# may not make is refused whatever the record, before it is looked up.
WRITE_MATRIX: dict[str, tuple[str, str, Callable[[str, str], dict | None], set[str]]] = {
    "registration": ("registration", "/v1/registrations", registration_as, REGISTRARS),
    "filing decision": ("inspection", f"/v1/filings/{UNKNOWN}/decision", lambda d, r: {"decision": "accepted"}, {"weijian"}),
    "draw": ("inspection", f"/v1/plans/{UNKNOWN}/draws", lambda d, r: {}, AGENCIES),
    "inspection": ("inspection", "/v1/inspections", inspection_as, AGENCIES),
    "review": ("subsidy", f"/v1/applications/{UNKNOWN}/review", lambda d, r: {"decision": "approve"}, {"caizheng", "renshe"}),
    "approval": ("subsidy", f"/v1/applications/{UNKNOWN}/approval", lambda d, r: None, {"caizheng", "renshe"}),
    "disbursement": ("subsidy", f"/v1/applications/{UNKNOWN}/disbursement", lambda d, r: None, {"caizheng", "renshe"}),
}


@pytest.mark.parametrize("region", ["441800", "441881"])
async def test_the_authorisation_matrix_of_writes(suite: InProcessSuite, token_for, region: str) -> None:  # type: ignore[no-untyped-def]
    wrong = []
    for department in DEPARTMENTS:
        headers = {**token_for(department, region), "Idempotency-Key": f"matrix-{department}-{region}"}
        for family, (service, path, body, allowed) in WRITE_MATRIX.items():
            status = (await suite.http.post(suite.url(service, path), json=body(department, region), headers=headers)).status_code
            if (status == 403) == (department in allowed) or status >= 500:
                wrong.append((department, region, family, status))
    assert wrong == []


async def test_county_staff_cannot_write_or_read_across_counties(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    made = await register(suite, token_for, registrar="shichang", region="441823")
    other_county = token_for("shichang", "441882")
    url = suite.url("registration", f"/v1/registrations/{made['uscc']}")
    assert (await suite.http.get(url, headers=other_county)).status_code == 404
    assert (await suite.http.patch(url, json={"name": "x"}, headers=other_county)).status_code == 404
    report = await suite.http.get(
        suite.url("inspection", "/v1/reports/push-compliance"), params={"month": "2026-01", "region": "441823"}, headers=token_for("weijian", "441882")
    )
    assert report.status_code == 403
    budget = {"programme": "skill_appraisal", "year": 2026, "region": "441823", "level": "county", "amount_fen": 100}
    assert (await suite.http.post(suite.url("subsidy", "/v1/budgets"), json=budget, headers=token_for("caizheng", "441882"))).status_code == 403
