"""The health bureau's side: registrations arriving in the right inbox in the same month, even
when the supervision service was down or the broker lost the event; the push-compliance report;
filing (备案) with its clocks, decisions, overdue lists and its event."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from gateway.demo import seed_demo_accounts
from inspection_svc.models import Filing
from shared.timeutil import month_of, today_in_china
from shared.workdays import add_working_days, working_days_between
from tests.integration.helpers import arrived, broker_loses_registration_events, inbox_entry, outbox_published, register
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

PASSWORD = "health-bureau-tests"
ALL_MATERIALS = {
    "filing_form": True,
    "commitment_letter": True,
    "licence": True,
    "premises_proof": True,
    "staff_certificates": True,
    "hygiene_evaluation": True,
    "fire_safety": True,
}


async def test_a_registration_through_the_gateway_reaches_the_right_health_bureaus(suite: InProcessSuite) -> None:
    await seed_demo_accounts(suite.runtime("gateway").db, PASSWORD)
    gateway = suite.urls["gateway"]

    async def login(username: str) -> dict[str, str]:
        response = await suite.http.post(f"{gateway}/auth/token", data={"grant_type": "password", "username": username, "password": PASSWORD})
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    from tests.factories import registration_body

    body = registration_body("bianban", "441800", county="441823")  # the city's 编办, located in 阳山县
    created = await suite.http.post(f"{gateway}/api/registration/v1/registrations", json=body, headers=await login("bianban-441800"))
    assert created.status_code == 201, created.text
    for reader, visible in (("weijian-441800", True), ("weijian-441823", True), ("weijian-441802", False)):
        headers = await login(reader)

        async def seen(headers: dict[str, str] = headers) -> dict | None:
            response = await suite.http.get(f"{gateway}/api/inspection/v1/inbox/{body['uscc']}", headers=headers)
            return response.json() if response.status_code == 200 else None

        if visible:
            entry = await eventually(seen, timeout=10, what=f"the registration in {reader}'s inbox")
            assert (entry["health_region"], entry["county"], entry["registrar"]) == ("441800", "441823", "bianban")
            assert entry["same_month"] is True
        else:
            assert await seen() is None  # another county's bureau does not see it


async def test_a_registration_made_while_supervision_is_down_arrives_when_it_is_back(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    await suite.stop("inspection")
    try:
        created = await register(suite, token_for, registrar="minzheng", region="441821")
        await eventually(lambda: outbox_published(suite, "registration", created["uscc"]), what="the event published while nobody listens")
    finally:
        await suite.start("inspection")
    entry = await arrived(suite, token_for, created["uscc"])
    assert entry["same_month"] is True


async def test_an_event_the_broker_lost_arrives_through_reconciliation_and_is_counted(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    async with broker_loses_registration_events(suite):
        lost = await register(suite, token_for, registrar="shichang", region="441826")
        await eventually(lambda: outbox_published(suite, "registration", lost["uscc"]), what="the lost event marked published")
        assert await inbox_entry(suite, token_for, lost["uscc"]) is None
        county = await suite.http.post(suite.url("inspection", "/v1/reconciliations"), headers=token_for("weijian", "441826"))
        assert county.status_code == 403  # a pass over the whole city's feed: the city's to start
        run = await suite.http.post(suite.url("inspection", "/v1/reconciliations"), headers=token_for("weijian", "441800"))
    assert run.status_code == 201, run.text
    assert run.json()["trigger"] == "manual"
    entry = await inbox_entry(suite, token_for, lost["uscc"])
    assert entry is not None and entry["same_month"] is True
    runs = (await suite.http.get(suite.url("inspection", "/v1/reconciliations"), headers=token_for("weijian", "441800"))).json()["items"]
    assert runs[0]["id"] == run.json()["id"]
    # repaired and counted by this run, or (on a busy machine) by a scheduled pass already under way when the event was lost
    repairing = next(r["id"] for r in runs if lost["uscc"] in r["repaired_usccs"])
    seen = {r["id"]: r for r in (await suite.http.get(suite.url("inspection", "/v1/reconciliations"), headers=token_for("weijian", "441826"))).json()["items"]}
    assert lost["uscc"] in seen[repairing]["repaired_usccs"]
    other = {r["id"]: r for r in (await suite.http.get(suite.url("inspection", "/v1/reconciliations"), headers=token_for("weijian", "441802"))).json()["items"]}
    assert other[repairing]["repaired_usccs"] == [] and other[repairing]["repaired"] == 0  # another county's


async def test_the_scheduled_reconciliation_repairs_by_itself(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    async with broker_loses_registration_events(suite):
        lost = await register(suite, token_for, registrar="minzheng", region="441826")
        await eventually(lambda: outbox_published(suite, "registration", lost["uscc"]), what="the lost event marked published")
    # nobody asks: the timer, back to the suite's short interval, finds it
    await arrived(suite, token_for, lost["uscc"])

    async def counted() -> bool:
        runs = (await suite.http.get(suite.url("inspection", "/v1/reconciliations"), headers=token_for("weijian", "441800"))).json()
        return any(r["trigger"] == "schedule" and lost["uscc"] in r["repaired_usccs"] for r in runs["items"])

    await eventually(counted, what="the scheduled run that repaired it")


async def test_the_push_compliance_report_for_a_month_with_known_registrations(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    this_month = month_of(today_in_china())
    # 连山 (441825), this month: two pushed at once, one lost by the broker until reconciled.
    for _ in range(2):
        made = await register(suite, token_for, registrar="shichang", region="441825")
    await arrived(suite, token_for, made["uscc"])
    async with broker_loses_registration_events(suite):
        lost = await register(suite, token_for, registrar="shichang", region="441825")
        await eventually(lambda: outbox_published(suite, "registration", lost["uscc"]), what="the lost event marked published")
        report = await _report(suite, token_for, this_month, "441825")
        assert report["rows"] == [_row("441825", "shichang", 3, 2, 0, 1)]
        await suite.http.post(suite.url("inspection", "/v1/reconciliations"), headers=token_for("weijian", "441800"))
    report = await _report(suite, token_for, this_month, "441825")
    assert report["rows"] == [_row("441825", "shichang", 3, 3, 0, 0)]
    assert report["total"]["same_month_rate"] == 1.0

    # 英德 (441881), March 2025: registered back then, pushed only now, so late.
    for registrar in ("minzheng", "minzheng", "shichang"):
        made = await register(suite, token_for, registrar=registrar, region="441881", registered_on="2025-03-10")
        await arrived(suite, token_for, made["uscc"])
    report = await _report(suite, token_for, "2025-03", "441881")
    assert report["rows"] == [_row("441881", "minzheng", 2, 0, 2, 0), _row("441881", "shichang", 1, 0, 1, 0)]
    assert report["total"] == _row("441881", "all", 3, 0, 3, 0)

    sheet = await suite.http.get(
        suite.url("inspection", "/v1/reports/push-compliance.xlsx"), params={"month": "2025-03", "region": "441881"}, headers=token_for("weijian", "441881")
    )
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][:7] == ("区域", "区域代码", "登记机关", "登记数", "当月推送", "逾期推送", "未推送")
    assert rows[1][:7] == ("英德市", "441881", "民政", 2, 0, 2, 0)
    assert rows[-1][:7] == ("英德市", "441881", "合计", 3, 0, 3, 0)

    county = token_for("weijian", "441881")
    other = await suite.http.get(suite.url("inspection", "/v1/reports/push-compliance"), params={"month": "2025-03", "region": "441802"}, headers=county)
    assert other.status_code == 403
    assert (await suite.http.get(suite.url("inspection", "/v1/reports/push-compliance"), params={"month": "2025-03"}, headers=token_for("minzheng", "441881"))).status_code == 403


def _row(region: str, registrar: str, registered: int, same: int, late: int, missing: int) -> dict:
    return {
        "region": region,
        "registrar": registrar,
        "registered": registered,
        "received_same_month": same,
        "received_late": late,
        "missing": missing,
        "same_month_rate": round(same / registered, 4) if registered else None,
    }


async def _report(suite: InProcessSuite, token_for, month: str, region: str) -> dict:  # type: ignore[no-untyped-def]
    response = await suite.http.get(
        suite.url("inspection", "/v1/reports/push-compliance"), params={"month": month, "region": region}, headers=token_for("weijian", region)
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def registered(suite: InProcessSuite, token_for) -> dict:  # type: ignore[no-untyped-def]
    made = await register(suite, token_for, registrar="minzheng", region="441803")
    await arrived(suite, token_for, made["uscc"])
    return made


async def test_filing_is_accepted_only_when_complete_and_reaches_the_subsidy_side(suite, token_for, registered) -> None:  # type: ignore[no-untyped-def]
    clerk = token_for("weijian", "441803")
    url = suite.url("inspection", "/v1/filings")
    body = {"uscc": registered["uscc"], "materials": {**ALL_MATERIALS, "fire_safety": False}, "serves_meals": True, "hygiene_rating": "合格"}
    assert (await suite.http.post(url, json=body, headers=token_for("weijian", "441802"))).status_code == 403
    assert (await suite.http.post(url, json=body, headers=token_for("minzheng", "441803"))).status_code == 403
    submitted = await suite.http.post(url, json=body, headers=clerk)
    assert submitted.status_code == 201, submitted.text
    filing = submitted.json()
    today = today_in_china()
    assert filing["answer_due_on"] == add_working_days(today, 5).isoformat()
    assert filing["return_due_on"] == add_working_days(today, 15).isoformat()
    assert filing["unmet_conditions"] == ["缺少消防安全检查合格证明", "缺少食品经营许可证"]
    assert (await suite.http.post(url, json=body, headers=clerk)).status_code == 409  # one open filing at a time

    decide = f"{url}/{filing['filing_id']}/decision"
    refused = await suite.http.post(decide, json={"decision": "accepted"}, headers=clerk)
    assert refused.status_code == 422 and refused.json()["type"] == "urn:tuoyu:problem:filing-conditions"
    assert (await suite.http.post(decide, json={"decision": "returned"}, headers=clerk)).status_code == 422
    returned = await suite.http.post(decide, json={"decision": "returned", "reasons": ["缺少消防安全检查合格证明"]}, headers=clerk)
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    public = await suite.http.get(suite.url("inspection", "/v1/public/returned-filings"), params={"county": "441803"})
    assert any(p["uscc"] == registered["uscc"] and p["reasons"] == ["缺少消防安全检查合格证明"] for p in public.json()["items"])

    complete = {**body, "materials": {**ALL_MATERIALS, "food_licence": True}}
    second = (await suite.http.post(url, json=complete, headers=clerk)).json()
    assert second["sequence"] == 2 and second["unmet_conditions"] == []
    accepted = await suite.http.post(f"{url}/{second['filing_id']}/decision", json={"decision": "accepted"}, headers=clerk)
    assert accepted.status_code == 200
    assert (await suite.http.post(f"{url}/{second['filing_id']}/decision", json={"decision": "returned", "reasons": ["x"]}, headers=clerk)).status_code == 409

    finance = token_for("caizheng", "441800")

    async def subsidy_sees_accepted() -> bool:
        response = await suite.http.get(suite.url("subsidy", f"/v1/institutions/{registered['uscc']}"), headers=finance)
        return response.status_code == 200 and response.json()["filing_status"] == "accepted"

    await eventually(subsidy_sees_accepted, what="the accepted filing in the subsidy side's facts")

    registrar = token_for("minzheng", "441803")
    await suite.http.post(
        suite.url("registration", f"/v1/registrations/{registered['uscc']}/deregistration"),
        json={"on": registered["registered_on"], "reason": "停办"},
        headers=registrar,
    )

    async def filing_cancelled() -> bool:
        response = await suite.http.get(f"{url}/{second['filing_id']}", headers=clerk)
        return response.json()["status"] == "cancelled"

    await eventually(filing_cancelled, what="the filing cancelled with the registration")
    await eventually(
        lambda: _subsidy_filing_status(suite, finance, registered["uscc"], "cancelled"), what="the cancellation in the subsidy side's facts"
    )


async def _subsidy_filing_status(suite: InProcessSuite, headers: dict, uscc: str, status: str) -> bool:
    response = await suite.http.get(suite.url("subsidy", f"/v1/institutions/{uscc}"), headers=headers)
    return response.status_code == 200 and response.json()["filing_status"] == status


async def test_overdue_answers_and_unfiled_institutions_are_listed(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    clerk = token_for("weijian", "441802")
    old = await register(suite, token_for, registrar="minzheng", region="441802", registered_on="2025-01-06")
    fresh = await register(suite, token_for, registrar="minzheng", region="441802")
    for made in (old, fresh):
        await arrived(suite, token_for, made["uscc"])
    unfiled = (await suite.http.get(suite.url("inspection", "/v1/unfiled"), params={"county": "441802"}, headers=clerk)).json()
    by_uscc = {i["uscc"]: i for i in unfiled["items"]}
    assert by_uscc[old["uscc"]]["overdue"] is True and by_uscc[fresh["uscc"]]["overdue"] is False
    overdue_only = (await suite.http.get(suite.url("inspection", "/v1/unfiled"), params={"overdue_only": "true"}, headers=clerk)).json()
    assert fresh["uscc"] not in {i["uscc"] for i in overdue_only["items"]}
    assert old["uscc"] in {i["uscc"] for i in overdue_only["items"]} and all(i["overdue"] for i in overdue_only["items"])
    paged, after = [], None
    while True:  # a page at a time, the filters kept
        params = {"county": "441802", "limit": "1", **({"after": after} if after else {})}
        page = (await suite.http.get(suite.url("inspection", "/v1/unfiled"), params=params, headers=clerk)).json()
        paged += [i["uscc"] for i in page["items"]]
        if (after := page["next"]) is None:
            break
    assert {old["uscc"], fresh["uscc"]} <= set(paged) and len(paged) == len(set(paged)) == len(by_uscc)

    received = today_in_china() - dt.timedelta(days=30)  # received a month ago on paper, never answered
    body = {"uscc": old["uscc"], "materials": ALL_MATERIALS, "serves_meals": False, "hygiene_rating": "合格", "received_on": received.isoformat()}
    filing = (await suite.http.post(suite.url("inspection", "/v1/filings"), json=body, headers=clerk)).json()
    assert filing["overdue"] is True
    listed = (await suite.http.get(suite.url("inspection", "/v1/filings"), params={"status": "overdue"}, headers=clerk)).json()
    assert filing["filing_id"] in {f["filing_id"] for f in listed["items"]}
    unfiled = (await suite.http.get(suite.url("inspection", "/v1/unfiled"), params={"county": "441802"}, headers=clerk)).json()
    assert old["uscc"] not in {i["uscc"] for i in unfiled["items"]}
    async with suite.runtime("inspection").db.reading() as session:
        stored = (await session.execute(sa.select(Filing.submitted_on).where(Filing.id == filing["filing_id"]))).scalar_one()
    assert stored == received


async def test_a_filing_not_meeting_the_conditions_is_overdue_on_its_15_working_day_clock(suite, token_for) -> None:  # type: ignore[no-untyped-def]
    clerk = token_for("weijian", "441803")
    made = await register(suite, token_for, registrar="minzheng", region="441803", registered_on="2025-06-02")
    await arrived(suite, token_for, made["uscc"])
    today = today_in_china()
    received = today
    while working_days_between(received, today) < 8:  # past the 5 working days, within the 15
        received -= dt.timedelta(days=1)
    incomplete = {**ALL_MATERIALS, "fire_safety": False}
    body = {"uscc": made["uscc"], "materials": incomplete, "serves_meals": False, "hygiene_rating": "合格", "received_on": "2025-06-01"}
    early = await suite.http.post(suite.url("inspection", "/v1/filings"), json=body, headers=clerk)
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "received_on"  # before the registration
    body["received_on"] = received.isoformat()

    async def tracker_figures() -> dict:  # the joint meeting's count keeps the same clock
        report = await suite.http.get(suite.url("inspection", "/v1/tracker"), params={"year": today.year}, headers=token_for("weijian", "441800"))
        return next(r["figures"] for r in report.json()["rows"] if r["region"] == "441803")

    before = await tracker_figures()
    filing = (await suite.http.post(suite.url("inspection", "/v1/filings"), json=body, headers=clerk)).json()
    assert filing["unmet_conditions"] and filing["overdue"] is False
    listed = (await suite.http.get(suite.url("inspection", "/v1/filings"), params={"status": "overdue"}, headers=clerk)).json()
    assert filing["filing_id"] not in {f["filing_id"] for f in listed["items"]}
    figures = await tracker_figures()
    assert (figures["filings_pending"], figures["filings_overdue"]) == (before["filings_pending"] + 1, before["filings_overdue"])
