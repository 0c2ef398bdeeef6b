"""Registrations and the 托班 ledger, end to end: every change reaches the health bureau's inbox
(and the subsidy side's facts) through the outbox, the broker and the consumers' inboxes."""

from __future__ import annotations

from tests.factories import new_uscc, registration_body
from tests.integration.helpers import arrived, register
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually


async def test_amendment_and_deregistration_reach_the_health_bureau(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    created = await register(suite, token_for, registrar="minzheng", region="441803")
    uscc = created["uscc"]
    clerk = token_for("minzheng", "441803")
    url = suite.url("registration", f"/v1/registrations/{uscc}")
    await arrived(suite, token_for, uscc)

    amended = await suite.http.patch(url, json={"name": "清新区新名字托育中心", "places": {"infant": 0, "toddler": 15, "older_toddler": 20}}, headers=clerk)
    assert amended.status_code == 200, amended.text
    assert amended.json()["version"] == 2
    entry = await arrived(suite, token_for, uscc, where=lambda e: e["name"] == "清新区新名字托育中心")
    assert entry["same_month"] is True  # the first arrival still counts

    assert (await suite.http.patch(url, json={"nature": "for_profit"}, headers=clerk)).status_code == 422
    assert (await suite.http.patch(url, json={"name": "x"}, headers=token_for("shichang", "441803"))).status_code == 403
    unchanged = await suite.http.patch(url, json={"name": "清新区新名字托育中心"}, headers=clerk)
    assert unchanged.json()["version"] == 2  # nothing changed, nothing announced

    ended = await suite.http.post(f"{url}/deregistration", json={"on": created["registered_on"], "reason": "停止办托"}, headers=clerk)
    assert ended.status_code == 200 and ended.json()["status"] == "deregistered"
    entry = await arrived(suite, token_for, uscc, where=lambda e: e["status"] == "deregistered")
    assert entry["ended_on"] == created["registered_on"]
    again = await suite.http.post(f"{url}/deregistration", json={"on": created["registered_on"], "reason": "again"}, headers=clerk)
    assert again.status_code == 409
    assert (await suite.http.patch(url, json={"name": "y"}, headers=clerk)).status_code == 409

    finance = token_for("caizheng", "441800")

    async def subsidy_knows() -> dict | None:
        response = await suite.http.get(suite.url("subsidy", f"/v1/institutions/{uscc}"), headers=finance)
        return response.json() if response.status_code == 200 and response.json()["registration_status"] == "deregistered" else None

    await eventually(subsidy_knows, what="the deregistration in the subsidy side's facts")


async def test_amending_the_county_must_keep_the_registering_office_of_the_location(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    county_made = await register(suite, token_for, registrar="shichang", region="441821")
    url = suite.url("registration", f"/v1/registrations/{county_made['uscc']}")
    moved = await suite.http.patch(url, json={"county": "441823"}, headers=token_for("shichang", "441821"))
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["rule"] == "registrar_of_location"
    city_made = await register(suite, token_for, registrar="bianban", region="441800")
    url = suite.url("registration", f"/v1/registrations/{city_made['uscc']}")
    moved = await suite.http.patch(url, json={"county": "441823"}, headers=token_for("bianban", "441800"))
    assert moved.status_code == 200 and moved.json()["county"] == "441823"


async def test_the_kindergarten_ledger_is_pushed_to_health_by_education(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = {
        "uscc": new_uscc("bianban", "441882"),
        "name": "连州市第一幼儿园",
        "ownership": "public",
        "county": "441882",
        "ledger_region": "441882",
        "recorded_on": registration_body()["registered_on"],
        "address": "连州市中山路1号",
        "classes": 2,
        "places": 36,
        "inclusive": True,
    }
    url = suite.url("registration", "/v1/kindergarten-classes")
    assert (await suite.http.post(url, json=body, headers=token_for("minzheng", "441882"))).status_code == 403
    too_many = await suite.http.post(url, json={**body, "places": 41}, headers=token_for("jiaoyu", "441882"))
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["rule"] == "places_per_class"
    created = await suite.http.post(url, json=body, headers=token_for("jiaoyu", "441882"))
    assert created.status_code == 201, created.text
    assert (await suite.http.post(url, json=body, headers=token_for("jiaoyu", "441882"))).status_code == 409
    emptied = await suite.http.patch(f"{url}/{body['uscc']}", json={"classes": None}, headers=token_for("jiaoyu", "441882"))
    assert emptied.status_code == 422 and emptied.json()["errors"][0]["rule"] == "not_null"
    city = await suite.http.post(url, json={**body, "uscc": new_uscc("bianban", "441882"), "ledger_region": "441800"}, headers=token_for("jiaoyu", "441800"))
    assert city.status_code == 422 and city.json()["errors"][0]["rule"] == "ledger_of_county"
    entry = await arrived(suite, token_for, body["uscc"])
    assert (entry["registrar"], entry["kind"], entry["health_region"]) == ("jiaoyu", "kindergarten_class", "441882")

    closed = await suite.http.post(
        f"{url}/{body['uscc']}/closure", json={"on": body["recorded_on"], "reason": "并入托育中心"}, headers=token_for("jiaoyu", "441882")
    )
    assert closed.status_code == 200
    await arrived(suite, token_for, body["uscc"], where=lambda e: e["status"] == "closed")


def ledger_body(uscc: str, county: str = "441882", **overrides: object) -> dict:
    return {
        "uscc": uscc,
        "name": "连州市第一幼儿园",
        "ownership": "public",
        "county": county,
        "ledger_region": county,
        "recorded_on": registration_body()["registered_on"],
        "address": "连州市中山路1号",
        "classes": 2,
        "places": 36,
        "inclusive": True,
        **overrides,
    }


async def test_a_uscc_is_either_a_registration_or_a_ledger_entry_never_both(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    ledger = suite.url("registration", "/v1/kindergarten-classes")
    education = token_for("jiaoyu", "441802")
    registered = await register(suite, token_for, registrar="minzheng", region="441802")
    refused = await suite.http.post(ledger, json=ledger_body(registered["uscc"], "441802"), headers=education)
    assert refused.status_code == 409, refused.text
    assert refused.json()["errors"][0] == {"field": "uscc", "rule": "one_record_a_uscc", "message": refused.json()["errors"][0]["message"]}
    assert (await suite.http.get(f"{ledger}/{registered['uscc']}", headers=education)).status_code == 404

    entered = ledger_body(new_uscc("minzheng", "441802"), "441802")
    assert (await suite.http.post(ledger, json=entered, headers=education)).status_code == 201
    body = registration_body("minzheng", "441802", uscc=entered["uscc"])
    clerk = token_for("minzheng", "441802")
    again = await suite.http.post(suite.url("registration", "/v1/registrations"), json=body, headers=clerk)
    assert again.status_code == 409, again.text
    assert again.json()["errors"][0]["rule"] == "one_record_a_uscc"
    assert (await suite.http.get(suite.url("registration", f"/v1/registrations/{entered['uscc']}"), headers=clerk)).status_code == 404
    # a registration of a USCC already registered is still told as such
    twice = await suite.http.post(suite.url("registration", "/v1/registrations"), json={**body, "uscc": registered["uscc"]}, headers=clerk)
    assert twice.status_code == 409 and twice.json()["type"] == "urn:tuoyu:problem:duplicate-registration", twice.text


async def test_registrations_are_listed_by_every_filter(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    old = await register(suite, token_for, registrar="shichang", region="441825", registered_on="2025-07-15")
    new = await register(suite, token_for, registrar="minzheng", region="441825")
    city = token_for("weijian", "441800")
    url = suite.url("registration", "/v1/registrations")

    async def listed(**params: str) -> set[str]:
        response = await suite.http.get(url, params={"limit": 500, **params}, headers=city)
        assert response.status_code == 200, response.text
        return {r["uscc"] for r in response.json()["items"]}

    assert {old["uscc"], new["uscc"]} <= await listed(county="441825")
    assert old["uscc"] in await listed(county="441825", month="2025-07")
    assert new["uscc"] not in await listed(county="441825", month="2025-07")
    assert old["uscc"] in await listed(county="441825", nature="for_profit", registrar="shichang")
    assert new["uscc"] not in await listed(county="441825", nature="for_profit")
    assert new["uscc"] in await listed(county="441825", status="active")
    first = await suite.http.get(url, params={"limit": 1, "county": "441825"}, headers=city)
    second = await suite.http.get(url, params={"limit": 1, "county": "441825", "after": first.json()["next"]}, headers=city)
    assert first.json()["items"][0]["uscc"] < second.json()["items"][0]["uscc"]
    assert (await suite.http.get(url, params={"month": "2025-13"}, headers=city)).status_code == 422
