"""The gateway: tokens for people and services, routing, identity headers stripped, upstream failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse

from gateway.demo import seed_demo_accounts
from services.processes import free_port
from shared import upstream as upstream_module
from tests.factories import registration_body
from tests.integration.helpers import serving
from tests.integration.suite import InProcessSuite

PASSWORD = "demo-password-for-tests"


@pytest.fixture(scope="module")
async def accounts(suite: InProcessSuite) -> None:
    await seed_demo_accounts(suite.runtime("gateway").db, PASSWORD)


async def login(suite: InProcessSuite, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return await suite.http.post(
        suite.url("gateway", "/auth/token"), data={"grant_type": "password", "username": username, "password": password}
    )


async def test_a_person_logs_in_and_registers_through_the_gateway(suite: InProcessSuite, accounts: None) -> None:
    response = await login(suite, "minzheng-441803")
    assert response.status_code == 200, response.text
    token = response.json()
    assert (token["department"], token["region"], token["roles"]) == ("minzheng", "441803", ["clerk"])
    body = registration_body("minzheng", "441803")
    created = await suite.http.post(
        suite.url("gateway", "/api/registration/v1/registrations"),
        json=body,
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["uscc"] == body["uscc"]
    assert created.headers["x-request-id"]


async def test_wrong_password_and_unknown_account_answer_alike(suite: InProcessSuite, accounts: None) -> None:
    for response in (await login(suite, "minzheng-441803", "wrong"), await login(suite, "nobody-441803")):
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["error"] == "invalid_grant"


async def test_services_get_their_token_with_the_internal_secret_only(suite: InProcessSuite) -> None:
    url = suite.url("gateway", "/auth/token")
    good = {"grant_type": "client_credentials", "client_id": "svc-inspection", "client_secret": suite.settings.internal_secret}
    response = await suite.http.post(url, data=good)
    assert response.status_code == 200 and response.json()["roles"] == ["service"]
    assert (await suite.http.post(url, data={**good, "client_secret": "guess"})).status_code == 400
    assert (await suite.http.post(url, data={**good, "client_id": "svc-nosuch"})).status_code == 400


async def test_no_token_no_entry(suite: InProcessSuite) -> None:
    response = await suite.http.get(suite.url("gateway", "/api/registration/v1/registrations"))
    assert response.status_code == 401
    assert response.json()["type"] == "urn:tuoyu:problem:unauthenticated"
    # the feed too, directly at the service
    assert (await suite.http.get(suite.url("registration", "/v1/events"))).status_code == 401


@pytest.fixture
async def echo_upstream() -> AsyncIterator[str]:
    """A stand-in service that answers with the headers it received."""
    app = FastAPI()

    @app.get("/moved")
    async def moved(request: Request) -> RedirectResponse:  # an absolute URL, as FastAPI's slash redirects make
        return RedirectResponse(str(request.url.replace(path="/elsewhere", query="a=1")), status_code=307)

    @app.delete("/nothing", status_code=204)
    async def nothing() -> Response:
        return Response(status_code=204)

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def echo(request: Request) -> dict:
        return {
            "headers": dict(request.headers),
            "path": request.url.path,
            "raw_path": request.scope["raw_path"].decode(),
            "query": str(request.query_params),
        }

    async with serving(app) as url:
        yield url


async def test_identity_headers_sent_by_clients_never_reach_a_service(suite: InProcessSuite, echo_upstream: str) -> None:
    upstreams = suite.apps["gateway"].state.upstreams
    original = upstreams["training"]
    upstreams["training"] = echo_upstream
    try:
        response = await suite.http.get(
            suite.url("gateway", "/api/training/v1/anything"),
            params={"a": "1", "b": "2"},
            headers={
                "Authorization": "Bearer abc",
                "X-Forwarded-User": "admin",
                "X-Tuoyu-Department": "caizheng",
                "X-Remote-User": "admin",
                "X-Request-ID": "req-from-client-1",
                "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            },
        )
    finally:
        upstreams["training"] = original
    seen = response.json()
    assert seen["path"] == "/v1/anything" and seen["query"] == "a=1&b=2"
    assert seen["headers"]["authorization"] == "Bearer abc"
    assert seen["headers"]["x-request-id"] == "req-from-client-1"
    assert seen["headers"]["traceparent"].startswith("00-0af7651916cd43dd")
    for forged in ("x-forwarded-user", "x-tuoyu-department", "x-remote-user"):
        assert forged not in seen["headers"]


async def test_what_a_service_answers_reaches_the_client_as_behind_the_gateway(suite: InProcessSuite, echo_upstream: str) -> None:
    upstreams = suite.apps["gateway"].state.upstreams
    original = upstreams["training"]
    upstreams["training"] = echo_upstream
    try:
        moved = await suite.http.get(suite.url("gateway", "/api/training/moved"), follow_redirects=False)
        nothing = await suite.http.delete(suite.url("gateway", "/api/training/nothing"))
        escaped = await suite.http.get(suite.url("gateway", "/api/training/files/a%2Fb/%E6%B8%85"))
    finally:
        upstreams["training"] = original
    assert (moved.status_code, moved.headers["location"]) == (307, "/api/training/elsewhere?a=1")  # not the service's own address
    assert nothing.status_code == 204 and "content-length" not in nothing.headers  # RFC 9110 §8.6
    assert escaped.json()["raw_path"] == "/files/a%2Fb/%E6%B8%85"  # as the client wrote it


async def test_an_unreachable_service_is_a_502_problem(suite: InProcessSuite) -> None:
    upstreams = suite.apps["gateway"].state.upstreams
    original = upstreams["subsidy"]
    upstreams["subsidy"] = f"http://127.0.0.1:{free_port()}"
    try:
        response = await suite.http.get(suite.url("gateway", "/api/subsidy/health"))
    finally:
        upstreams["subsidy"] = original
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:tuoyu:problem:upstream-failed"
    unknown = await suite.http.get(suite.url("gateway", "/api/nosuch/health"))
    assert unknown.status_code == 404


async def test_a_service_that_does_not_answer_in_time_is_a_504_problem(suite: InProcessSuite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upstream_module, "HTTP_READ_TIMEOUT_S", 0.3)

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(3)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    upstreams = suite.apps["gateway"].state.upstreams
    original = upstreams["inspection"]
    upstreams["inspection"] = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        async with server:
            response = await suite.http.get(suite.url("gateway", "/api/inspection/v1/inbox"))
    finally:
        upstreams["inspection"] = original
    assert response.status_code == 504
    assert response.headers["content-type"] == "application/problem+json" and response.headers["x-request-id"]
    assert response.json()["type"] == "urn:tuoyu:problem:upstream-timeout"


async def test_only_methods_answered_with_a_body_are_forwarded(suite: InProcessSuite) -> None:
    # a HEAD answer declares a length and sends no body: forwarded, the hop would wait out its timeout
    assert (await suite.http.head(suite.url("gateway", "/api/registration/v1/registrations"))).status_code in (404, 405)
    assert (await suite.http.get(suite.url("gateway", "/api/registration/v1/registrations"))).status_code == 401  # the service's answer


async def test_forwarded_requests_are_counted_per_service(suite: InProcessSuite) -> None:
    await suite.http.get(suite.url("gateway", "/api/training/v1/practitioners"))  # 401: no token, answered by the service
    metrics = (await suite.http.get(suite.url("gateway", "/metrics"))).text
    assert 'tuoyu_http_requests_total{method="GET",route="/api/training/{path}",service="gateway",status="401"}' in metrics


async def test_the_console_is_served_in_chinese(suite: InProcessSuite) -> None:
    page = await suite.http.get(suite.url("gateway", "/"))
    assert page.status_code == 200
    assert "清远市托育服务协同平台" in page.text and 'lang="zh-CN"' in page.text


@pytest.mark.parametrize("service", ["gateway", "registration", "inspection", "subsidy", "training"])
async def test_every_service_describes_itself_in_openapi(suite: InProcessSuite, service: str) -> None:
    response = await suite.http.get(suite.url(service, "/openapi.json"))
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/health" in paths
    if service != "gateway":
        assert "/v1/events" in paths
