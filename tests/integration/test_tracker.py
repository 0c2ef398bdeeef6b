"""The joint meeting's tracker over a seeded city: known institutions (urban and rural, one
deregistered, a kindergarten's 托班), registrations pushed late, filings, 普惠 and demonstration
designations, a spot-check plan and its inspections, carers and certificates, budgets and a payment.
The module runs on a broker of its own, so every figure is exact."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook

from services.broker import EmbeddedBroker
from shared.timeutil import today_in_china
from tests.conftest import DatabaseSet
from tests.factories import new_resident_id, new_uscc
from tests.integration.helpers import MATERIALS, arrived, known_employer, publish, register, subsidy_facts
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

TODAY = today_in_china()
YEAR = TODAY.year
A, B = "441821", "441823"  # 佛冈县, 阳山县
OFFICE = ("weijian", "441800")


@pytest.fixture(scope="module")
async def broker(databases: DatabaseSet) -> AsyncIterator[EmbeddedBroker]:
    """A broker for this module alone (one per database backend): no other module's events."""
    embedded = EmbeddedBroker(echo=False)
    await embedded.start()
    yield embedded
    await embedded.stop()


async def _post(suite: InProcessSuite, service: str, path: str, body: dict, headers: dict, status: int = 201) -> dict:
    response = await suite.http.post(suite.url(service, path), json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


async def _file(suite: InProcessSuite, token_for, uscc: str, county: str, decide: bool) -> None:  # type: ignore[no-untyped-def]
    health = token_for("weijian", county)
    filing = await _post(suite, "inspection", "/v1/filings", {"uscc": uscc, "materials": MATERIALS, "serves_meals": False, "hygiene_rating": "合格"}, health)
    if decide:
        await _post(suite, "inspection", f"/v1/filings/{filing['filing_id']}/decision", {"decision": "accepted"}, health, 200)


async def _designate(suite: InProcessSuite, token_for, uscc: str, county: str, confirm: bool) -> None:  # type: ignore[no-untyped-def]
    health = token_for("weijian", county)
    inclusive = {"uscc": uscc, "year": YEAR, "monthly_fee_fen": 100000, "fee_cap_fen": 150000, "fee_standard_ref": "清发改价格〔2026〕1号"}
    await _post(suite, "inspection", "/v1/designations/inclusive", inclusive, health)
    await publish(suite, token_for, uscc, 92)
    nominated = await _post(suite, "inspection", "/v1/designations/demonstration", {"uscc": uscc, "year": YEAR}, health)
    if confirm:
        await _post(suite, "inspection", f"/v1/designations/{nominated['id']}/confirmation", {}, token_for(*OFFICE), 200)


async def _carer(suite: InProcessSuite, token_for, uscc: str, county: str, occupation: str, certified: bool) -> None:  # type: ignore[no-untyped-def]
    body = {"id_number": new_resident_id(), "name": "某员工", "occupation": occupation, "employer_uscc": uscc, "hired_on": TODAY.isoformat()}
    person = await _post(suite, "training", "/v1/practitioners", body, token_for("weijian", county))
    if certified:
        certificate = {"practitioner_id": person["id"], "kind": "skill_level", "occupation": occupation, "level": 4,
                       "number": f"C{new_resident_id()[-10:]}", "issued_on": TODAY.isoformat()}
        await _post(suite, "training", "/v1/certificates", certificate, token_for("renshe", county))


@pytest.fixture(scope="module")
async def city(suite: InProcessSuite, token_for) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The seeded city; returns the institutions by name."""
    early = dt.date(YEAR, 1, 1).isoformat()  # pushed in its month only if that month is this one
    on = TODAY.isoformat()  # the module's day throughout, even if China's midnight passes while it runs
    made = {
        "a1": await register(suite, token_for, registrar="minzheng", region=A, area="urban", places={"infant": 6, "toddler": 10, "older_toddler": 14}, registered_on=on),
        "a2": await register(suite, token_for, registrar="shichang", region=A, area="rural", places={"infant": 0, "toddler": 5, "older_toddler": 14}, registered_on=on),
        "a3": await register(suite, token_for, registrar="minzheng", region=A, area="urban", places={"infant": 0, "toddler": 0, "older_toddler": 7}, registered_on=early),
        "b1": await register(suite, token_for, registrar="bianban", region=B, area="rural", places={"infant": 3, "toddler": 5, "older_toddler": 7}, registered_on=on),
        "b2": await register(suite, token_for, registrar="minzheng", region=B, area="urban", places={"infant": 5, "toddler": 5, "older_toddler": 10}, registered_on=on),
    }
    usccs = {name: m["uscc"] for name, m in made.items()}
    await _post(
        suite, "registration", f"/v1/registrations/{usccs['b2']}/deregistration", {"on": TODAY.isoformat(), "reason": "停办"}, token_for("minzheng", B), 200
    )
    kindergarten = {"uscc": new_uscc("bianban", A), "name": "佛冈县第一幼儿园", "ownership": "public", "county": A, "ledger_region": A,
                    "recorded_on": TODAY.isoformat(), "address": "佛冈县某路1号", "classes": 1, "places": 20, "inclusive": True}
    await _post(suite, "registration", "/v1/kindergarten-classes", kindergarten, token_for("jiaoyu", A))
    for uscc in usccs.values():
        await arrived(suite, token_for, uscc)
        await known_employer(suite, uscc)
    await _file(suite, token_for, usccs["a1"], A, decide=True)
    await _file(suite, token_for, usccs["b1"], B, decide=True)
    await _file(suite, token_for, usccs["a2"], A, decide=False)
    await _designate(suite, token_for, usccs["a1"], A, confirm=True)
    await _designate(suite, token_for, usccs["b1"], B, confirm=False)

    police = token_for("gongan", A)
    inspectors = [{"id": f"P0{i}", "name": f"民警{i}", "conflicts": []} for i in range(1, 4)]
    plan = await _post(suite, "inspection", "/v1/plans", {"agency": "gongan", "region": A, "year": YEAR, "sampling_ratio": 1.0, "inspectors": inspectors}, police)
    drawn = await _post(suite, "inspection", f"/v1/plans/{plan['id']}/draws", {"seed": "tracker"}, police)
    assert {a["uscc"] for a in drawn["assignments"]} == {usccs["a1"], usccs["a2"], usccs["a3"]}
    assigned = next(a for a in drawn["assignments"] if a["uscc"] == usccs["a1"])
    inspection = {"uscc": usccs["a1"], "agency": "gongan", "kind": "spot_check", "inspected_on": TODAY.isoformat(),
                  "inspectors": assigned["inspectors"], "plan_id": plan["id"], "results": dict.fromkeys(plan["checklist"], "pass")}
    await _post(suite, "inspection", "/v1/inspections", inspection, police)

    await _carer(suite, token_for, usccs["a1"], A, "baoyuyuan", certified=True)
    await _carer(suite, token_for, usccs["a1"], A, "yuyingyuan", certified=True)
    await _carer(suite, token_for, usccs["a1"], A, "baoyuyuan", certified=False)
    await _carer(suite, token_for, usccs["a1"], A, "cook", certified=True)  # not a carer
    await _carer(suite, token_for, usccs["b1"], B, "baoyuyuan", certified=False)

    finance_a, city_finance = token_for("caizheng", A), token_for("caizheng", "441800")
    for region, level in (("441800", "city"), (A, "county"), (B, "county")):
        body = {"programme": "demonstration_award", "year": YEAR, "region": region, "level": level, "amount_fen": 8000000}
        await _post(suite, "subsidy", "/v1/budgets", body, token_for("caizheng", region))

    async def designated() -> bool:
        facts = await subsidy_facts(suite, finance_a, usccs["a1"])
        return facts.get("demonstration_years") == [YEAR] and facts.get("inclusive_years") == [YEAR] and facts.get("filing_status") == "accepted"

    await eventually(designated, what="the designations on the subsidy side")
    application = await _post(suite, "subsidy", "/v1/applications", {"programme": "demonstration_award", "uscc": usccs["a1"]}, finance_a)
    assert application["eligible"], application
    reviewer = token_for("caizheng", A, sub=f"caizheng-{A}-reviewer")  # not the applicant (四眼原则)
    await _post(suite, "subsidy", f"/v1/applications/{application['id']}/review", {"decision": "approve"}, reviewer, 200)
    await _post(suite, "subsidy", f"/v1/applications/{application['id']}/approval", {}, city_finance, 200)
    await _post(suite, "subsidy", f"/v1/applications/{application['id']}/disbursement", {}, {**city_finance, "Idempotency-Key": "tracker"}, 200)
    return usccs


def rows_of(report: dict) -> dict[str, dict]:
    return {row["region"]: row["figures"] for row in report["rows"]}


EXPECTED_A = {
    "institutions": 3, "institutions_urban": 2, "institutions_rural": 1,
    "places": 30 + 19 + 7, "places_urban": 37, "places_rural": 19, "kindergarten_places": 20,
    "inclusive_institutions": 1, "inclusive_places": 30, "demonstration_sites": 1, "demonstration_institutions": 1, "inclusive_demonstrations": 1,
    "registered": 4, "received_same_month": 3 + (TODAY.month == 1), "same_month_rate": 1.0 if TODAY.month == 1 else 0.75,
    "filings_pending": 1, "filings_overdue": 0, "unfiled": 1,
    "drawn": 3, "inspected": 1, "inspection_coverage": 0.3333,
    "required_carers": 6 + 3 + 1, "certified_carers": 2, "certified_carer_ratio": 0.2,
    "budget_fen": 8000000, "paid_fen": 5000000, "paid_share": 0.625,
}
EXPECTED_B = {
    "institutions": 1, "institutions_urban": 0, "institutions_rural": 1,
    "places": 15, "places_urban": 0, "places_rural": 15, "kindergarten_places": 0,
    "inclusive_institutions": 1, "inclusive_places": 15, "demonstration_sites": 1, "demonstration_institutions": 0, "inclusive_demonstrations": 0,
    "registered": 2, "received_same_month": 2, "same_month_rate": 1.0,
    "filings_pending": 0, "filings_overdue": 0, "unfiled": 0,
    "drawn": 0, "inspected": 0, "inspection_coverage": None,
    "required_carers": 3, "certified_carers": 0, "certified_carer_ratio": 0.0,
    "budget_fen": 8000000, "paid_fen": 0, "paid_share": 0.0,
}


async def tracker(suite: InProcessSuite, headers: dict, year: int = YEAR) -> dict:
    response = await suite.http.get(suite.url("inspection", "/v1/tracker"), params={"year": year}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_tracker_shows_the_seeded_citys_figures(suite: InProcessSuite, token_for, city: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    office = token_for(*OFFICE)

    async def settled() -> dict | None:
        rows = rows_of(await tracker(suite, office))
        return rows if rows[A] == EXPECTED_A and rows[B]["certified_carers"] == 0 and rows[A]["paid_fen"] == 5000000 else None

    rows = await eventually(settled, what="the tracker's figures for the seeded county")
    assert rows[B] == EXPECTED_B
    assert rows["441802"]["institutions"] == 0 and rows["441802"]["same_month_rate"] is None
    city_row = rows["441800"]
    assert (city_row["institutions"], city_row["places"], city_row["institutions_rural"]) == (4, 71, 2)
    assert (city_row["demonstration_institutions"], city_row["demonstration_sites"]) == (1, 2)
    # the city's own budget line and its half of the award on top of the counties'
    assert (city_row["budget_fen"], city_row["paid_fen"], city_row["paid_share"]) == (24000000, 10000000, 0.4167)
    assert city_row["certified_carer_ratio"] == round(2 / 13, 4)

    # every figure links to the records behind it
    report = await tracker(suite, office)
    link = next(i["records"] for i in report["indicators"] if i["key"] == "institutions_rural")
    records = (await suite.http.get(suite.url("inspection", f"{link}&region={A}"), headers=office)).json()
    assert [r["uscc"] for r in records["items"]] == [city["a2"]] and records["items"][0]["profile"] == f"/api/institutions/{city['a2']}"
    coverage = (await suite.http.get(suite.url("inspection", "/v1/tracker/records"), params={"year": YEAR, "indicator": "inspection_coverage"}, headers=office)).json()
    assert sorted((r["uscc"], r["inspected"]) for r in coverage["items"]) == sorted([(city["a1"], True), (city["a2"], False), (city["a3"], False)])
    paid = (await suite.http.get(suite.url("inspection", "/v1/tracker/records"), params={"year": YEAR, "indicator": "paid_fen"}, headers=office)).json()
    assert sorted((p["level"], p["amount_fen"], p["uscc"]) for p in paid["items"]) == [("city", 5000000, city["a1"]), ("county", 5000000, city["a1"])]
    carers = (await suite.http.get(suite.url("inspection", "/v1/tracker/records"), params={"year": YEAR, "indicator": "certified_carers", "region": B}, headers=office)).json()
    assert [(r["uscc"], r["required_carers"], r["certified_carers"]) for r in carers["items"]] == [(city["b1"], 3, 0)]
    paged = (await suite.http.get(suite.url("inspection", "/v1/tracker/records"), params={"year": YEAR, "indicator": "institutions", "limit": 2}, headers=office)).json()
    rest = (await suite.http.get(suite.url("inspection", "/v1/tracker/records"), params={"year": YEAR, "indicator": "institutions", "after": paged["next"]}, headers=office)).json()
    assert len(paged["items"]) == 2 and len(rest["items"]) == 2 and rest["next"] is None

    # the year before: nothing had been registered yet
    before = rows_of(await tracker(suite, office, YEAR - 1))
    assert before[A]["institutions"] == 0 and before[A]["demonstration_sites"] == 0


async def test_the_milestones_stand_and_a_target_changed_by_the_office_changes_the_tracker(suite: InProcessSuite, token_for, city: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    office = token_for(*OFFICE)
    report = await tracker(suite, office)
    targets = {t["code"]: t for t in report["targets"]}
    sites = targets["2020-demonstration-site-each-county"]
    assert sites["status"] == "overdue" and {r["region"] for r in sites["regions"] if r["met"]} == {A, B}
    assert targets["2020-demonstration-institutions-city"]["regions"] == [{"region": "441800", "value": 1, "met": False}]

    body = {"title": "全市建成1家以上示范性机构", "clause": "联席会议调整", "indicator": "demonstration_institutions", "scope": "city",
            "threshold": 1, "from_year": 2020, "due_year": YEAR}
    url = suite.url("inspection", "/v1/tracker/targets/2020-demonstration-institutions-city")
    assert (await suite.http.put(url, json=body, headers=token_for("weijian", A))).status_code == 403  # a county is not the office
    assert (await suite.http.put(url, json=body, headers=token_for("caizheng", "441800"))).status_code == 403
    bad = await suite.http.put(url, json={**body, "indicator": "nonsense"}, headers=office)
    assert bad.status_code == 422 and bad.json()["errors"][0]["rule"] == "known_indicator"
    backwards = await suite.http.put(url, json={**body, "due_year": 2019, "from_year": 2020}, headers=office)
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "due_year"
    changed = await suite.http.put(url, json=body, headers=office)
    assert changed.status_code == 200 and changed.json()["version"] == 2
    after = {t["code"]: t for t in (await tracker(suite, office))["targets"]}
    assert after["2020-demonstration-institutions-city"]["status"] == "met"

    added = {**body, "code": "2026-rural-places-city", "title": "农村托位30个以上", "indicator": "places_rural", "threshold": 30}
    assert (await suite.http.post(suite.url("inspection", "/v1/tracker/targets"), json=added, headers=office)).status_code == 201
    assert (await suite.http.post(suite.url("inspection", "/v1/tracker/targets"), json=added, headers=office)).status_code == 409
    now = {t["code"]: t for t in (await tracker(suite, office))["targets"]}
    assert now["2026-rural-places-city"]["status"] == "met" and now["2026-rural-places-city"]["regions"][0]["value"] == 34
    trail = await suite.http.get(
        suite.url("inspection", "/v1/admin/audit"), params={"entity": "tracker_target", "key": "2020-demonstration-institutions-city"},
        headers=token_for("weijian", "441800", "admin"),
    )
    [change] = trail.json()["items"]
    assert (change["actor"], change["detail"]["before"]["threshold"], change["detail"]["after"]["threshold"]) == ("weijian-441800-test", 2, 1)
    assert (await suite.http.delete(suite.url("inspection", "/v1/tracker/targets/2026-rural-places-city"), headers=office)).status_code == 204
    assert "2026-rural-places-city" not in {t["code"] for t in (await tracker(suite, office))["targets"]}


async def test_a_department_sees_only_the_indicators_of_its_duty(suite: InProcessSuite, token_for, city: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    finance = await tracker(suite, token_for("caizheng", "441800"))
    assert set(finance["groups"]) == {"supply", "inclusive", "subsidy"}
    keys = set(rows_of(finance)["441800"])
    assert {"paid_fen", "inclusive_places", "places"} <= keys and not keys & {"drawn", "certified_carers", "same_month_rate", "filings_pending"}
    assert all(t["indicator"] in keys for t in finance["targets"])

    fire = await tracker(suite, token_for("xiaofang", "441800"))
    assert "paid_fen" not in rows_of(fire)["441800"] and rows_of(fire)["441800"]["drawn"] == 3
    refused = await suite.http.get(suite.url("inspection", "/v1/tracker/records"), params={"year": YEAR, "indicator": "paid_fen"}, headers=token_for("xiaofang", "441800"))
    assert refused.status_code == 403
    assert (await suite.http.get(suite.url("inspection", "/v1/tracker"), params={"year": YEAR}, headers=token_for("evaluator", "441800"))).status_code == 403

    # 属地管理: a county office sees its own county, and the targets judged for it
    county = await tracker(suite, token_for("fulian", A))
    assert [r["region"] for r in county["rows"]] == [A] and all(t["scope"] == "each_county" for t in county["targets"])
    other = await suite.http.get(suite.url("inspection", "/v1/tracker/records"), params={"year": YEAR, "indicator": "places", "region": B}, headers=token_for("fulian", A))
    assert other.status_code == 403


async def test_the_trend_the_spreadsheet_and_bad_input(suite: InProcessSuite, token_for, city: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    office = token_for(*OFFICE)
    trend = (await suite.http.get(suite.url("inspection", "/v1/tracker/trend"), params={"year": YEAR, "region": A}, headers=office)).json()
    assert [p["month"] for p in trend["points"]] == [f"{YEAR}-{m:02d}" for m in range(1, TODAY.month + 1)]
    first, last = trend["points"][0]["figures"], trend["points"][-1]["figures"]
    assert (first["institutions"], first["places"]) == ((1, 7) if TODAY.month > 1 else (3, 56))
    assert (last["institutions"], last["places"], last["registered"], last["paid_fen"]) == (3, 56, 4 - (TODAY.month > 1), 5000000)
    city_trend = (await suite.http.get(suite.url("inspection", "/v1/tracker/trend"), params={"year": YEAR}, headers=office)).json()
    assert city_trend["points"][-1]["figures"]["institutions"] == 4  # b2 ended this month
    assert "paid_fen" not in (await suite.http.get(suite.url("inspection", "/v1/tracker/trend"), params={"year": YEAR}, headers=token_for("gongan", "441800"))).json()["points"][-1]["figures"]

    sheet = await suite.http.get(suite.url("inspection", "/v1/tracker/export.xlsx"), params={"year": YEAR}, headers=office)
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames == [f"{YEAR} 指标", f"{YEAR} 目标"]
    figures = list(book.worksheets[0].iter_rows(values_only=True))
    header = figures[0]
    row_a = next(r for r in figures if r[1] == A)
    assert row_a[header.index("托位数")] == 56 and row_a[header.index("农村机构数")] == 1

    for params, field in (({"year": YEAR + 1}, "year"), ({"year": YEAR, "indicator": "nope"}, "indicator"), ({"year": YEAR, "indicator": "places", "region": "999999"}, "region")):
        path = "/v1/tracker" if "indicator" not in params else "/v1/tracker/records"
        response = await suite.http.get(suite.url("inspection", path), params=params, headers=office)
        assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == field
