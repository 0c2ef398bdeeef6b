"""The registration API's contract: rules answered as problem+json naming field and rule."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from tests.factories import registration_body
from tests.integration.suite import InProcessSuite


async def post(suite: InProcessSuite, body: dict, headers: dict):  # type: ignore[no-untyped-def]
    return await suite.http.post(suite.url("registration", "/v1/registrations"), json=body, headers=headers)


async def outbox_count(suite: InProcessSuite) -> int:
    outbox = suite.runtime("registration").tables.outbox  # type: ignore[union-attr]
    async with suite.runtime("registration").db.reading() as session:
        return (await session.execute(sa.select(sa.func.count()).select_from(outbox))).scalar_one()


async def test_registrar_for_another_nature_is_refused_naming_field_and_rule(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body("minzheng", nature="for_profit")
    before = await outbox_count(suite)
    response = await post(suite, body, token_for("minzheng", "441802"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:tuoyu:problem:registration-rule"
    assert {"field": "registrar", "rule": "registrar_for_nature"}.items() <= problem["errors"][0].items()
    assert await outbox_count(suite) == before  # nothing half written


async def test_bad_uscc_and_schema_errors_name_their_fields(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body()
    body["uscc"] = body["uscc"][:17] + ("0" if body["uscc"][17] != "0" else "1")
    response = await post(suite, body, token_for("minzheng", "441802"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["rule"] == "uscc_check_character"
    broken = registration_body(places={"infant": -1, "toddler": 0, "older_toddler": 0}, service_types=["overnight"])
    response = await post(suite, broken, token_for("minzheng", "441802"))
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"places.infant", "service_types.0"} <= fields


async def test_a_registrar_acts_only_for_itself_and_within_its_region(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body("minzheng", "441802")
    assert (await post(suite, body, token_for("minzheng", "441803"))).status_code == 403
    assert (await post(suite, body, token_for("shichang", "441802"))).status_code == 403
    assert (await post(suite, body, token_for("minzheng", "441800"))).status_code == 201  # the city office may


async def test_a_uscc_is_registered_once(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body()
    headers = token_for("minzheng", "441802")
    assert (await post(suite, body, headers)).status_code == 201
    before = await outbox_count(suite)
    again = await post(suite, {**body, "name": "另一个名字"}, headers)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:tuoyu:problem:duplicate-registration"
    assert await outbox_count(suite) == before  # no event, and (same transaction) no audit record


async def test_a_uscc_sent_many_times_at_once_is_registered_once(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body()
    headers = token_for("minzheng", "441802")
    before = await outbox_count(suite)
    answers = await asyncio.gather(*(post(suite, {**body, "name": f"托育{i}"}, headers) for i in range(8)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 7
    assert await outbox_count(suite) == before + 1


async def test_request_ids_are_echoed_or_made(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    url = suite.url("registration", "/v1/registrations/NOSUCH")
    given = await suite.http.get(url, headers={**token_for("minzheng", "441802"), "X-Request-ID": "abc-123"})
    assert given.status_code == 404
    assert given.headers["x-request-id"] == "abc-123"
    assert given.json()["request_id"] == "abc-123"
    made = await suite.http.get(url, headers={**token_for("minzheng", "441802"), "X-Request-ID": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces" and len(made.headers["x-request-id"]) == 32


async def test_county_staff_read_only_their_county(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body("shichang", "441823")
    assert (await post(suite, body, token_for("shichang", "441823"))).status_code == 201
    url = suite.url("registration", f"/v1/registrations/{body['uscc']}")
    assert (await suite.http.get(url, headers=token_for("weijian", "441823"))).status_code == 200
    assert (await suite.http.get(url, headers=token_for("weijian", "441800"))).status_code == 200
    assert (await suite.http.get(url, headers=token_for("weijian", "441802"))).status_code == 404
    listed = await suite.http.get(
        suite.url("registration", "/v1/registrations"), params={"county": "441823"}, headers=token_for("weijian", "441802")
    )
    assert listed.json()["items"] == []


async def test_an_amendment_may_not_empty_a_field_with_null_and_no_change_announces_nothing(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body()
    headers = token_for("minzheng", "441802")
    assert (await post(suite, body, headers)).status_code == 201
    url = suite.url("registration", f"/v1/registrations/{body['uscc']}")
    before = await outbox_count(suite)
    for field in ("name", "address", "inclusive", "operating_mode", "employer_run", "sponsors", "area", "places", "county"):
        response = await suite.http.patch(url, json={field: None}, headers=headers)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["field"] == field and response.json()["errors"][0]["rule"] == "not_null"
    same = await suite.http.patch(url, json={"places": body["places"], "name": body["name"]}, headers=headers)
    assert same.status_code == 200 and same.json()["version"] == 1  # the same values: no change, no version, no event
    assert await outbox_count(suite) == before


async def test_county_staff_count_only_their_county(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body("minzheng", "441803")
    assert (await post(suite, body, token_for("minzheng", "441803"))).status_code == 201
    url = suite.url("registration", "/v1/registrations/counts")
    month = {"month": body["registered_on"][:7]}
    other = await suite.http.get(url, params={**month, "region": "441803"}, headers=token_for("minzheng", "441802"))
    assert other.status_code == 403
    own = await suite.http.get(url, params={**month, "region": "441803"}, headers=token_for("minzheng", "441803"))
    assert own.status_code == 200 and own.json()["items"]
    city = await suite.http.get(url, params={**month, "region": "441803"}, headers=token_for("weijian", "441800"))
    assert city.json()["items"] == own.json()["items"]


async def test_list_filters_outside_their_values_are_refused(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    url = suite.url("registration", "/v1/registrations")
    for name, value in (("nature", "bogus"), ("status", "nope"), ("registrar", "jiaoyu")):
        response = await suite.http.get(url, params={name: value}, headers=token_for("minzheng", "441802"))
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == name
