"""Subsidies end to end: claims created by certificates, the workflow with four eyes, budgets that
hold under concurrent approvals, disbursement exactly once under 50 concurrent requests, the
dishonesty list blocking and unblocking, reversal, fee standards, reports."""

from __future__ import annotations

import asyncio
import datetime as dt
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from shared.db import utcnow
from shared.events.catalogue import new_event
from shared.events.training import CertificateIssued
from shared.timeutil import today_in_china
from subsidy_svc.events import on_certificate
from subsidy_svc.models import Application, DesignationFact, Institution, LedgerEntry
from tests.factories import new_resident_id, new_uscc, registration_body
from tests.integration.helpers import arrived, filed, publish, register, subsidy_facts
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

COUNTY_HR = ("renshe", "441802")
YEAR = today_in_china().year


def city_hr(token_for, who: str = "approver"):  # type: ignore[no-untyped-def]
    return token_for("renshe", "441800", sub=f"renshe-441800-{who}")


async def practitioner(suite: InProcessSuite, token_for, uscc: str, occupation: str = "baoyuyuan") -> str:  # type: ignore[no-untyped-def]
    body = {"id_number": new_resident_id(), "name": "某员工", "occupation": occupation, "employer_uscc": uscc, "hired_on": today_in_china().isoformat()}

    async def hired() -> str | None:
        response = await suite.http.post(suite.url("training", "/v1/practitioners"), json=body, headers=token_for("weijian", "441802"))
        return response.json()["id"] if response.status_code == 201 else None

    return await eventually(hired, what="a practitioner hired (once the employer is known)")


async def certificate(suite: InProcessSuite, token_for, practitioner_id: str, occupation: str, level: int, issued_on: dt.date | None = None) -> str:  # type: ignore[no-untyped-def]
    body = {
        "practitioner_id": practitioner_id,
        "kind": "skill_level",
        "occupation": occupation,
        "level": level,
        "number": f"C{new_resident_id()[-10:]}",
        "issued_on": (issued_on or today_in_china()).isoformat(),
    }
    response = await suite.http.post(suite.url("training", "/v1/certificates"), json=body, headers=token_for("renshe", "441802"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def registered(suite: InProcessSuite, token_for) -> str:  # type: ignore[no-untyped-def]
    """A registration the subsidy side has received: a certificate makes a claim certain only for
    an employer it knows, and it hears of registrations in the background, on another topic."""
    uscc = (await register(suite, token_for))["uscc"]

    async def known() -> bool:
        return (await subsidy_facts(suite, token_for("caizheng", "441800"), uscc)).get("registration_status") == "active"

    await eventually(known, what="the registration on the subsidy side")
    return uscc


async def claim_of(suite: InProcessSuite, token_for, practitioner_id: str) -> dict:  # type: ignore[no-untyped-def]
    async def created() -> dict | None:
        response = await suite.http.get(suite.url("subsidy", "/v1/applications"), params={"practitioner_id": practitioner_id}, headers=token_for(*COUNTY_HR))
        items = response.json()["items"]
        return items[0] if items else None

    return await eventually(created, what="the claim created by the certificate")


async def budget_line(suite: InProcessSuite, token_for, programme: str, region: str = "441802", level: str = "county") -> dict:  # type: ignore[no-untyped-def]
    """This year's line, or an empty one (nothing held, nothing committed) when none is set yet."""
    params = {"programme": programme, "year": YEAR, "region": region}
    page = (await suite.http.get(suite.url("subsidy", "/v1/budgets"), params=params, headers=token_for("caizheng", "441800"))).json()
    assert page["next"] is None and {b["region"] for b in page["items"]} <= {region}
    return next((b for b in page["items"] if b["level"] == level), {"amount_fen": 0, "committed_fen": 0, "available_fen": 0})


async def budget(suite: InProcessSuite, token_for, programme: str, region: str, level: str, amount_fen: int) -> None:  # type: ignore[no-untyped-def]
    body = {"programme": programme, "year": YEAR, "region": region, "level": level, "amount_fen": amount_fen}
    response = await suite.http.post(suite.url("subsidy", "/v1/budgets"), json=body, headers=token_for("caizheng", region))
    assert response.status_code == 201, response.text


async def test_a_certificate_creates_its_claim_with_the_right_amount(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await registered(suite, token_for)
    carer = await practitioner(suite, token_for, uscc, "baoyuyuan")
    cook = await practitioner(suite, token_for, uscc, "cook")
    await certificate(suite, token_for, carer, "baoyuyuan", 3)
    await certificate(suite, token_for, cook, "cook", 3)
    claim = await claim_of(suite, token_for, carer)
    assert (claim["programme"], claim["amount_fen"], claim["origin"], claim["status"]) == ("skill_appraisal", 260000, "automatic", "submitted")
    assert claim["eligible"] is True and claim["lines"] == [{"region": "441802", "level": "county", "amount_fen": 260000}]
    assert (await claim_of(suite, token_for, cook))["amount_fen"] == 200000  # no uplift for a cook

    again = await suite.http.post(
        suite.url("subsidy", "/v1/applications"), json={"programme": "skill_appraisal", "certificate_id": claim["certificate_id"]}, headers=token_for(*COUNTY_HR)
    )
    assert again.status_code == 409 and again.json()["type"] == "urn:tuoyu:problem:already-claimed"

    upgrade_cert = await certificate(suite, token_for, carer, "baoyuyuan", 2)

    async def upgrade_claimed() -> dict | None:
        items = (await suite.http.get(suite.url("subsidy", "/v1/applications"), params={"practitioner_id": carer}, headers=token_for(*COUNTY_HR))).json()["items"]
        return next((a for a in items if a["certificate_id"] == upgrade_cert), None)

    upgrade = await eventually(upgrade_claimed, what="the upgrade claim")
    assert (upgrade["programme"], upgrade["amount_fen"], upgrade["region"]) == ("skill_upgrade", 390000, "441802")
    listed = (await suite.http.get(suite.url("subsidy", "/v1/applications"), params={"practitioner_id": carer}, headers=token_for(*COUNTY_HR))).json()
    assert sorted((a["certificate_id"], a["programme"]) for a in listed["items"]) == sorted(
        [(claim["certificate_id"], "skill_appraisal"), (upgrade_cert, "skill_upgrade")]
    )
    assert listed["next"] is None


async def test_a_certificate_older_than_twelve_months_is_not_claimable(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await registered(suite, token_for)
    carer = await practitioner(suite, token_for, uscc, "yuyingyuan")
    old = await certificate(suite, token_for, carer, "yuyingyuan", 4, issued_on=today_in_china() - dt.timedelta(days=400))

    async def known() -> bool:
        response = await suite.http.get(suite.url("subsidy", "/v1/certificates"), params={"practitioner_id": carer}, headers=token_for("renshe", "441800"))
        return [c["certificate_id"] for c in response.json()["items"]] == [old]

    await eventually(known, what="the old certificate on the subsidy side")
    listed = (await suite.http.get(suite.url("subsidy", "/v1/applications"), params={"practitioner_id": carer}, headers=token_for(*COUNTY_HR))).json()
    assert listed["items"] == []  # nothing certain, nothing created
    applied = await suite.http.post(suite.url("subsidy", "/v1/applications"), json={"programme": "skill_appraisal", "certificate_id": old}, headers=token_for(*COUNTY_HR))
    assert applied.status_code == 201 and applied.json()["eligible"] is False
    review_url = suite.url("subsidy", f"/v1/applications/{applied.json()['id']}/review")
    own = await suite.http.post(review_url, json={"decision": "approve"}, headers=token_for(*COUNTY_HR))
    assert own.status_code == 403 and own.json()["type"] == "urn:tuoyu:problem:four-eyes"  # the applicant does not review
    review = await suite.http.post(review_url, json={"decision": "approve"}, headers=token_for(*COUNTY_HR, sub="renshe-441802-reviewer"))
    assert review.status_code == 422 and review.json()["errors"][0]["rule"] == "claimed_within_window"


async def reviewed_claims(suite: InProcessSuite, token_for, count: int) -> list[dict]:  # type: ignore[no-untyped-def]
    uscc = await registered(suite, token_for)
    claims = []
    for _ in range(count):
        person = await practitioner(suite, token_for, uscc, "yuyingyuan")
        await certificate(suite, token_for, person, "yuyingyuan", 5)
        claim = await claim_of(suite, token_for, person)
        reviewed = await suite.http.post(suite.url("subsidy", f"/v1/applications/{claim['id']}/review"), json={"decision": "approve"}, headers=token_for(*COUNTY_HR))
        assert reviewed.status_code == 200, reviewed.text
        claims.append(reviewed.json())
    return claims


async def test_approval_needs_four_eyes_and_a_budget(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    [claim] = await reviewed_claims(suite, token_for, 1)
    url = suite.url("subsidy", f"/v1/applications/{claim['id']}/approval")
    assert (await suite.http.post(url, headers=token_for(*COUNTY_HR))).status_code == 403  # the city approves
    same = await suite.http.post(url, headers=token_for("renshe", "441800", sub="renshe-441802-test"))
    assert same.status_code == 403 and same.json()["type"] == "urn:tuoyu:problem:four-eyes"
    no_budget = await suite.http.post(url, headers=city_hr(token_for))
    assert no_budget.status_code == 409 and no_budget.json()["type"] == "urn:tuoyu:problem:over-budget"


async def test_concurrent_approvals_never_exceed_the_budget(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    claims = await reviewed_claims(suite, token_for, 8)
    already = (await budget_line(suite, token_for, "skill_appraisal"))["committed_fen"]
    await budget(suite, token_for, "skill_appraisal", "441802", "county", already + 3 * 100000)  # three claims' worth
    answers = await asyncio.gather(
        *(suite.http.post(suite.url("subsidy", f"/v1/applications/{c['id']}/approval"), headers=city_hr(token_for)) for c in claims)
    )
    assert sorted(a.status_code for a in answers) == [200] * 3 + [409] * 5
    line = await budget_line(suite, token_for, "skill_appraisal")
    assert line["committed_fen"] == line["amount_fen"] and line["available_fen"] == 0


async def approved_claim(suite: InProcessSuite, token_for) -> dict:  # type: ignore[no-untyped-def]
    [claim] = await reviewed_claims(suite, token_for, 1)
    held = (await budget_line(suite, token_for, "skill_appraisal"))["amount_fen"]
    await budget(suite, token_for, "skill_appraisal", "441802", "county", held + claim["amount_fen"])
    approved = await suite.http.post(suite.url("subsidy", f"/v1/applications/{claim['id']}/approval"), headers=city_hr(token_for))
    assert approved.status_code == 200, approved.text
    return approved.json()


async def committed_fen(suite: InProcessSuite, token_for) -> int:  # type: ignore[no-untyped-def]
    """What the county's skill-appraisal line has committed this year."""
    return (await budget_line(suite, token_for, "skill_appraisal"))["committed_fen"]


async def payments(suite: InProcessSuite, application_id: str) -> list[LedgerEntry]:
    async with suite.runtime("subsidy").db.reading() as session:
        return list((await session.execute(sa.select(LedgerEntry).where(LedgerEntry.application_id == application_id))).scalars())


async def test_fifty_concurrent_disbursements_of_one_claim_pay_once(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    claim = await approved_claim(suite, token_for)
    url = suite.url("subsidy", f"/v1/applications/{claim['id']}/disbursement")
    headers = {**city_hr(token_for), "Idempotency-Key": f"pay-{claim['id']}"}
    answers = await asyncio.gather(*(suite.http.post(url, headers=headers) for _ in range(50)))
    codes = [a.status_code for a in answers]
    assert set(codes) <= {200, 409} and 200 in codes, codes
    assert all(a.json()["type"] == "urn:tuoyu:problem:request-in-progress" for a in answers if a.status_code == 409)
    retried = await suite.http.post(url, headers=headers)  # a retry after a timeout: the same answer
    assert retried.status_code == 200 and retried.json() == next(a.json() for a in answers if a.status_code == 200)
    assert retried.json()["status"] == "disbursed"
    other_key = await suite.http.post(url, headers={**city_hr(token_for), "Idempotency-Key": "another"})
    assert other_key.status_code == 409 and other_key.json()["type"] == "urn:tuoyu:problem:already-disbursed"
    elsewhere = await suite.http.post(suite.url("subsidy", "/v1/applications/x/disbursement"), headers=headers)
    assert elsewhere.status_code == 404  # a key is the caller's for one path: another application's is another request
    entries = await payments(suite, claim["id"])
    assert [(e.kind, e.amount_fen) for e in entries] == [("payment", claim["amount_fen"])]


async def test_fifty_concurrent_disbursements_with_their_own_keys_pay_once(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    claim = await approved_claim(suite, token_for)
    url = suite.url("subsidy", f"/v1/applications/{claim['id']}/disbursement")
    answers = await asyncio.gather(*(suite.http.post(url, headers={**city_hr(token_for), "Idempotency-Key": f"k{n}"}) for n in range(50)))
    assert sorted(a.status_code for a in answers) == [200] + [409] * 49
    assert len(await payments(suite, claim["id"])) == 1


async def test_batches_pay_what_is_approved_once_and_reversal_gives_the_budget_back(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    first, second = await approved_claim(suite, token_for), await approved_claim(suite, token_for)
    headers = {**token_for("caizheng", "441800"), "Idempotency-Key": f"batch-{first['id']}"}
    body = {"application_ids": [first["id"], second["id"], "nonexistent"]}
    batch = await suite.http.post(suite.url("subsidy", "/v1/disbursement-batches"), json=body, headers=headers)
    assert batch.status_code == 201, batch.text
    assert sorted(batch.json()["paid"]) == sorted([first["id"], second["id"]]) and batch.json()["total_fen"] == first["amount_fen"] + second["amount_fen"]
    again = await suite.http.post(suite.url("subsidy", "/v1/disbursement-batches"), json=body, headers=headers)
    assert again.json() == batch.json()
    other = await suite.http.post(suite.url("subsidy", "/v1/disbursement-batches"), json=body, headers={**headers, "Idempotency-Key": "new"})
    assert other.json()["paid"] == [] and sorted((s["id"], s["rules"]) for s in other.json()["skipped"]) == sorted(
        [(first["id"], ["approved"]), (second["id"], ["approved"]), ("nonexistent", ["application_found"])]
    )

    shown = await suite.http.get(suite.url("subsidy", f"/v1/disbursement-batches/{batch.json()['id']}"), headers=token_for("caizheng", "441800"))
    assert shown.status_code == 200 and shown.json() == batch.json()
    listed = (await suite.http.get(suite.url("subsidy", "/v1/disbursement-batches"), params={"limit": 500}, headers=token_for("caizheng", "441800"))).json()
    assert batch.json() in listed["items"] and other.json() in listed["items"]
    assert (await suite.http.get(suite.url("subsidy", "/v1/disbursement-batches"), headers=token_for("caizheng", "441802"))).status_code == 403

    committed = await committed_fen(suite, token_for)
    reversed_ = await suite.http.post(suite.url("subsidy", f"/v1/applications/{first['id']}/reversal"), json={"reason": "重复申领"}, headers=token_for("caizheng", "441800"))
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"
    assert sorted(e.amount_fen for e in await payments(suite, first["id"])) == [-first["amount_fen"], first["amount_fen"]]
    assert await committed_fen(suite, token_for) == committed - first["amount_fen"]
    assert (await suite.http.post(suite.url("subsidy", f"/v1/applications/{first['id']}/reversal"), json={"reason": "x"}, headers=token_for("caizheng", "441800"))).status_code == 409


async def test_the_dishonesty_list_blocks_an_award_and_lifting_it_unblocks(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await filed(suite, token_for, "441821")
    county_health, city_health = token_for("weijian", "441821"), token_for("weijian", "441800")
    inclusive = {"uscc": uscc, "year": YEAR, "monthly_fee_fen": 100000, "fee_cap_fen": 150000, "fee_standard_ref": "佛发改〔2026〕3号"}
    assert (await suite.http.post(suite.url("inspection", "/v1/designations/inclusive"), json=inclusive, headers=county_health)).status_code == 201
    await publish(suite, token_for, uscc, 92)
    nominated = (await suite.http.post(suite.url("inspection", "/v1/designations/demonstration"), json={"uscc": uscc, "year": YEAR}, headers=county_health)).json()
    assert (await suite.http.post(suite.url("inspection", f"/v1/designations/{nominated['id']}/confirmation"), headers=city_health)).status_code == 200

    county_finance = token_for("caizheng", "441821")

    async def designated() -> bool:
        facts = await subsidy_facts(suite, county_finance, uscc)
        return facts.get("demonstration_years") == [YEAR] and facts.get("filing_status") == "accepted" and facts.get("registration_status") == "active"

    await eventually(designated, what="the designations on the subsidy side")
    applied = await suite.http.post(suite.url("subsidy", "/v1/applications"), json={"programme": "demonstration_award", "uscc": uscc}, headers=county_finance)
    assert applied.status_code == 201 and applied.json()["eligible"] is True, applied.text
    award = applied.json()
    assert award["lines"] == [{"region": "441800", "level": "city", "amount_fen": 5000000}, {"region": "441821", "level": "county", "amount_fen": 5000000}]
    assert (await suite.http.post(suite.url("subsidy", "/v1/applications"), json={"programme": "demonstration_award", "uscc": uscc}, headers=county_finance)).status_code == 409

    today = today_in_china().isoformat()
    market = token_for("shichang", "441821")
    inspection = (
        await suite.http.post(
            suite.url("inspection", "/v1/inspections"),
            json={
                "uscc": uscc, "agency": "shichang", "kind": "complaint", "inspected_on": today, "inspectors": ["S1", "S2"],
                "results": {"drug_safety": "fail"},
                "findings": [{"code": "drug_safety", "severity": "critical", "description": "过期药品", "deadline": today}],
            },
            headers=market,
        )
    ).json()

    async def credit_is(status: str, critical: int) -> bool:
        facts = await subsidy_facts(suite, county_finance, uscc)
        return facts["credit_status"] == status and facts["open_critical_findings"] == critical

    await eventually(lambda: credit_is("dishonest", 1), what="the listing on the subsidy side")
    county_reviewer = token_for("caizheng", "441821", sub="caizheng-441821-reviewer")  # not the applicant
    refusal = await suite.http.post(suite.url("subsidy", f"/v1/applications/{award['id']}/review"), json={"decision": "approve"}, headers=county_reviewer)
    assert refusal.status_code == 422
    assert {e["rule"] for e in refusal.json()["errors"]} == {"not_dishonest", "no_open_critical_finding"}
    shown = (await suite.http.get(suite.url("subsidy", f"/v1/applications/{award['id']}"), headers=county_finance)).json()
    assert shown["eligible"] is False and shown["status"] == "submitted"

    critical = inspection["findings"][0]["id"]
    await suite.http.post(
        suite.url("inspection", f"/v1/inspections/{inspection['id']}/follow-ups"),
        json={"followed_on": today, "inspectors": ["S1", "S3"], "closes": [critical]},
        headers=market,
    )
    appeal = (await suite.http.post(suite.url("inspection", f"/v1/credit/{uscc}/appeals"), json={"reason": "药品系家长寄存"}, headers=market)).json()
    await suite.http.post(
        suite.url("inspection", f"/v1/credit/appeals/{appeal['id']}/decision"), json={"decision": "upheld", "note": "复核属实"}, headers=token_for("shichang", "441800")
    )

    await eventually(lambda: credit_is("normal", 0), what="the lifted listing on the subsidy side")
    unblocked = await suite.http.post(suite.url("subsidy", f"/v1/applications/{award['id']}/review"), json={"decision": "approve"}, headers=county_reviewer)
    assert unblocked.status_code == 200 and unblocked.json()["status"] == "reviewed"
    await budget(suite, token_for, "demonstration_award", "441800", "city", 5000000)
    await budget(suite, token_for, "demonstration_award", "441821", "county", 5000000)
    city_finance = token_for("caizheng", "441800")
    assert (await suite.http.post(suite.url("subsidy", f"/v1/applications/{award['id']}/approval"), headers=city_finance)).status_code == 200
    paid = await suite.http.post(suite.url("subsidy", f"/v1/applications/{award['id']}/disbursement"), headers={**city_finance, "Idempotency-Key": "award"})
    assert paid.status_code == 200
    assert sorted((e.level, e.amount_fen) for e in await payments(suite, award["id"])) == [("city", 5000000), ("county", 5000000)]
    steps = (await suite.http.get(suite.url("subsidy", f"/v1/applications/{award['id']}/trail"), headers=city_finance)).json()
    assert [(s["action"], s["actor"]) for s in steps] == [
        ("apply", "caizheng-441821-test"),
        ("review_approve", "caizheng-441821-reviewer"),
        ("approve", "caizheng-441800-test"),
        ("disburse", "caizheng-441800-test"),
    ]

    report = (await suite.http.get(suite.url("subsidy", "/v1/reports/subsidies"), params={"year": YEAR, "region": "441821"}, headers=token_for("caizheng", "441821"))).json()
    month = today_in_china().month
    rows = [(r["region"], r["month"], r["applications"], r["approved_fen"], r["paid_fen"]) for r in report["rows"] if r["programme"] == "demonstration_award"]
    # the county's own line, approved and paid this month: the city's share is the city's budget, reported there
    assert ("441821", month, 1, 5000000, 5000000) in rows and sum(r[3] for r in rows) == sum(r[4] for r in rows) == 5000000
    city = (await suite.http.get(suite.url("subsidy", "/v1/reports/subsidies"), params={"year": YEAR}, headers=city_finance)).json()
    city_line = next(r for r in city["rows"] if (r["programme"], r["region"], r["month"]) == ("demonstration_award", "441800", month))
    assert city_line["approved_fen"] >= 5000000 and city_line["paid_fen"] >= 5000000
    sheet = await suite.http.get(suite.url("subsidy", "/v1/reports/subsidies.xlsx"), params={"year": YEAR}, headers=city_finance)
    book = load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames == [f"{YEAR}年奖补按月", "预算执行"]
    assert any(row[0] == "demonstration_award" and row[2] == "441821" and row[6] == 50000 for row in book.worksheets[0].iter_rows(values_only=True))


async def test_fee_reductions_count_children_never_name_them(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    public = await register(suite, token_for, registrar="bianban", region="441823")
    await arrived(suite, token_for, public["uscc"])
    body = {"programme": "fee_reduction", "uscc": public["uscc"], "period": f"{YEAR}-01", "martyrs_children": 1, "children_in_difficulty": 2, "amount_fen": 450000}

    async def applied() -> dict | None:
        response = await suite.http.post(suite.url("subsidy", "/v1/applications"), json=body, headers=token_for("caizheng", "441823"))
        return response.json() if response.status_code == 201 else None

    reduction = await eventually(applied, what="the fee reduction applied (once the registration is known)")
    assert reduction["eligible"] is True and reduction["details"] == {"period": f"{YEAR}-01", "martyrs_children": 1, "children_in_difficulty": 2}
    # recorded, never paid: no budget line, nothing to review, approve or disburse (三(二)4 is the institution's own obligation)
    assert (reduction["status"], reduction["lines"], reduction["year"]) == ("recorded", [], YEAR)
    review = await suite.http.post(suite.url("subsidy", f"/v1/applications/{reduction['id']}/review"), json={"decision": "approve"}, headers=token_for("caizheng", "441823", sub="other"))
    assert review.status_code == 409
    report = (await suite.http.get(suite.url("subsidy", "/v1/reports/subsidies"), params={"year": YEAR, "region": "441823"}, headers=token_for("caizheng", "441823"))).json()
    january = next(r for r in report["rows"] if (r["programme"], r["month"]) == ("fee_reduction", 1))
    assert (january["reduced_fen"], january["reduced_children"], january["approved_fen"], january["paid_fen"]) == (450000, 3, 0, 0)

    extra = await suite.http.post(suite.url("subsidy", "/v1/applications"), json={**body, "child_name": "某某"}, headers=token_for("caizheng", "441823"))
    assert extra.status_code == 422  # no field for a child's identity exists
    next_month = (today_in_china().replace(day=28) + dt.timedelta(days=5)).strftime("%Y-%m")
    for wrong, field in (({"period": next_month}, "period"), ({"amount_fen": 0}, "amount_fen"), ({"period": f"{YEAR}-02", "amount_fen": None}, "amount_fen")):
        refused = await suite.http.post(suite.url("subsidy", "/v1/applications"), json={**body, **wrong}, headers=token_for("caizheng", "441823"))
        assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == [field], (wrong, refused.text)
    earlier_year = await suite.http.post(suite.url("subsidy", "/v1/applications"), json={**body, "period": f"{YEAR - 1}-12"}, headers=token_for("caizheng", "441823"))
    assert earlier_year.status_code == 201 and earlier_year.json()["year"] == YEAR - 1  # the year of the month it is for

    private = await register(suite, token_for, registrar="shichang", region="441823")
    await arrived(suite, token_for, private["uscc"])

    async def refused_for_private() -> dict | None:
        response = await suite.http.post(suite.url("subsidy", "/v1/applications"), json={**body, "uscc": private["uscc"]}, headers=token_for("caizheng", "441823"))
        return response.json() if response.status_code == 422 and response.json()["type"] == "urn:tuoyu:problem:not-eligible" else None

    refusal = await eventually(refused_for_private, what="the private institution's reduction refused")
    assert [e["rule"] for e in refusal["errors"]] == ["public_institution"]


async def test_fee_standards_and_utility_rates_are_published(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    standard = {"year": YEAR, "county": "441825", "service_type": "full_day", "cap_fen": 150000, "unit": "month", "reference": "连山发改〔2026〕1号"}
    assert (await suite.http.post(suite.url("subsidy", "/v1/fee-standards"), json=standard, headers=token_for("minzheng", "441825"))).status_code == 403
    prices = token_for("fagai", "441825")
    first = await suite.http.post(suite.url("subsidy", "/v1/fee-standards"), json=standard, headers=prices)
    assert first.status_code == 201 and (first.json()["version"], first.json()["superseded_on"]) == (1, None)
    again = await suite.http.post(suite.url("subsidy", "/v1/fee-standards"), json=standard, headers=prices)
    assert again.status_code == 409 and again.json()["current"] == first.json()["id"]  # in force already: adjusted, not published twice
    listed = (await suite.http.get(suite.url("gateway", "/api/subsidy/v1/public/fee-standards"), params={"year": YEAR, "county": "441825"})).json()
    assert [(s["cap_fen"], s["reference"]) for s in listed["items"]] == [(150000, "连山发改〔2026〕1号")] and listed["next"] is None

    # 适时调整: a new version from its day on, the one before kept and superseded, both published, audited
    adjust_url = suite.url("subsidy", f"/v1/fee-standards/{first.json()['id']}/adjustments")
    change = {"cap_fen": 160000, "unit": "month", "reference": "连山发改〔2026〕9号", "effective_from": today_in_china().isoformat()}
    assert (await suite.http.post(adjust_url, json=change, headers=token_for("fagai", "441826"))).status_code == 403  # another county's office
    too_early = await suite.http.post(adjust_url, json={**change, "effective_from": f"{YEAR - 1}-12-31"}, headers=prices)
    assert too_early.status_code == 422 and too_early.json()["errors"][0]["field"] == "effective_from"
    adjusted = await suite.http.post(adjust_url, json=change, headers=prices)
    assert adjusted.status_code == 201 and (adjusted.json()["version"], adjusted.json()["cap_fen"]) == (2, 160000)
    assert (await suite.http.post(adjust_url, json=change, headers=prices)).status_code == 409  # the superseded version is not adjusted again
    in_force = (await suite.http.get(suite.url("subsidy", "/v1/public/fee-standards"), params={"year": YEAR, "county": "441825"})).json()["items"]
    assert [(s["version"], s["cap_fen"]) for s in in_force] == [(2, 160000)]
    history = (await suite.http.get(suite.url("subsidy", "/v1/public/fee-standards"), params={"year": YEAR, "county": "441825", "history": "true"})).json()["items"]
    assert sorted((s["version"], s["superseded_on"]) for s in history) == [(1, today_in_china().isoformat()), (2, None)]
    async with suite.runtime("subsidy").db.reading() as session:
        audited = (await session.execute(sa.text("SELECT action, actor FROM audit_log WHERE entity = 'fee_standard' AND key = :key"), {"key": adjusted.json()["id"]})).all()
    assert [tuple(a) for a in audited] == [("adjust", "fagai-441825-test")]

    uscc = await filed(suite, token_for, "441825")
    unfiled = await register(suite, token_for, registrar="minzheng", region="441825", name=registration_body()["name"])

    async def listed_for_utilities() -> bool:
        entries = (await suite.http.get(suite.url("subsidy", "/v1/utility-rate-eligibility"), params={"county": "441825", "limit": 500})).json()
        usccs = {e["uscc"] for e in entries["items"]}
        return uscc in usccs and unfiled["uscc"] not in usccs

    await eventually(listed_for_utilities, what="the filed institution on the utility-rate list")
    first = (await suite.http.get(suite.url("gateway", "/api/subsidy/v1/public/utility-rate-eligibility"), params={"county": "441825", "limit": 1})).json()
    assert len(first["items"]) == 1 and first["next"] == first["items"][0]["uscc"]  # no login; a page at a time
    rest = (await suite.http.get(suite.url("subsidy", "/v1/utility-rate-eligibility"), params={"county": "441825", "after": first["next"], "limit": 500})).json()
    assert first["items"][0]["uscc"] not in {e["uscc"] for e in rest["items"]} and rest["next"] is None


async def test_a_certificate_is_claimed_once_whichever_subsidy_it_earns(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await registered(suite, token_for)
    carer = await practitioner(suite, token_for, uscc, "baoyuyuan")
    later = await certificate(suite, token_for, carer, "baoyuyuan", 3, issued_on=today_in_china() - dt.timedelta(days=10))
    claim = await claim_of(suite, token_for, carer)
    assert (claim["certificate_id"], claim["programme"]) == (later, "skill_appraisal")
    # a lower level, issued earlier but announced later: now `later` betters a level held before it
    await certificate(suite, token_for, carer, "baoyuyuan", 4, issued_on=today_in_china() - dt.timedelta(days=60))

    async def both_claimed() -> bool:
        response = await suite.http.get(suite.url("subsidy", "/v1/applications"), params={"practitioner_id": carer}, headers=token_for(*COUNTY_HR))
        return len(response.json()["items"]) == 2

    await eventually(both_claimed, what="the earlier certificate's own claim")
    again = await suite.http.post(
        suite.url("subsidy", "/v1/applications"), json={"programme": "skill_upgrade", "certificate_id": later}, headers=token_for(*COUNTY_HR)
    )
    assert again.status_code == 409 and again.json()["type"] == "urn:tuoyu:problem:already-claimed", again.text


async def test_a_claim_is_budgeted_in_the_certificates_county_whatever_order_events_arrive_in(suite: InProcessSuite) -> None:
    unknown_employer = new_uscc("minzheng", "441802")  # its registration has not reached the subsidy side
    issued = CertificateIssued(
        certificate_id=f"cert-{unknown_employer}", practitioner_id=f"p-{unknown_employer}", employer_uscc=unknown_employer,
        kind="skill_level", occupation="baoyuyuan", level=3, number="C-ORDER", issued_on=today_in_china(),
    )
    event = new_event("tuoyu.training.certificate.issued.v1", source="training-svc", subject=issued.practitioner_id, region="441802", data=issued)
    async with suite.runtime("subsidy").db.transaction() as session:
        await on_certificate(session, event)
    async with suite.runtime("subsidy").db.reading() as session:
        claim = (await session.execute(sa.select(Application).where(Application.certificate_id == issued.certificate_id))).scalar_one()
    assert (claim.region, claim.lines) == ("441802", [{"region": "441802", "level": "county", "amount_fen": 260000}])


async def award_ready(suite: InProcessSuite, county: str, *, designated_in: int = YEAR, nature: str = "social_service") -> str:
    """An institution the subsidy side knows as registered, filed, 普惠 and a demonstration unit in
    `designated_in`: its read model as the registration and inspection events leave it."""
    uscc = new_uscc("minzheng", county)
    async with suite.runtime("subsidy").db.transaction() as session:
        session.add(
            Institution(
                uscc=uscc, name="示范托育中心", county=county, nature=nature, registration_status="active", registration_version=1,
                filing_status="accepted", filing_sequence=1, filing_version=1, credit_status="normal", credit_version=1, updated_at=utcnow(),
            )
        )
        session.add(DesignationFact(designation_id=f"i-{uscc}", uscc=uscc, kind="inclusive", year=designated_in, status="recognised", version=1))
        session.add(DesignationFact(designation_id=f"d-{uscc}", uscc=uscc, kind="demonstration", year=designated_in, status="confirmed", version=1))
    return uscc


async def listed_dishonest(suite: InProcessSuite, uscc: str, status: str = "dishonest") -> None:
    """The listing as the credit event leaves it on the subsidy side."""
    async with suite.runtime("subsidy").db.transaction() as session:
        await session.execute(sa.update(Institution).where(Institution.uscc == uscc).values(credit_status=status, credit_version=Institution.credit_version + 1))


async def approved_award(suite: InProcessSuite, token_for, county: str) -> dict:  # type: ignore[no-untyped-def]
    uscc = await award_ready(suite, county)
    applied = await suite.http.post(suite.url("subsidy", "/v1/applications"), json={"programme": "demonstration_award", "uscc": uscc}, headers=token_for("caizheng", county))
    assert applied.status_code == 201 and applied.json()["eligible"] is True, applied.text
    url = suite.url("subsidy", f"/v1/applications/{applied.json()['id']}")
    reviewed = await suite.http.post(f"{url}/review", json={"decision": "approve"}, headers=token_for("caizheng", county, sub=f"caizheng-{county}-reviewer"))
    assert reviewed.status_code == 200, reviewed.text
    for line in applied.json()["lines"]:
        held = (await budget_line(suite, token_for, "demonstration_award", line["region"], line["level"]))["amount_fen"]
        await budget(suite, token_for, "demonstration_award", line["region"], line["level"], held + line["amount_fen"])
    approved = await suite.http.post(f"{url}/approval", headers=token_for("caizheng", "441800"))
    assert approved.status_code == 200, approved.text
    return approved.json()


async def test_payment_rechecks_eligibility_and_a_refusal_is_not_replayed(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    award, batched = await approved_award(suite, token_for, "441826"), await approved_award(suite, token_for, "441826")
    await listed_dishonest(suite, award["uscc"])  # listed after approval: no subsidies while listed
    await listed_dishonest(suite, batched["uscc"])
    city_finance = token_for("caizheng", "441800")
    url = suite.url("subsidy", f"/v1/applications/{award['id']}/disbursement")
    refused = await suite.http.post(url, headers={**city_finance, "Idempotency-Key": f"award-{award['id']}"})
    assert refused.status_code == 422 and [e["rule"] for e in refused.json()["errors"]] == ["not_dishonest"], refused.text
    batch = await suite.http.post(suite.url("subsidy", "/v1/disbursement-batches"), json={"application_ids": [batched["id"]]}, headers=city_finance)
    assert batch.status_code == 201 and batch.json()["paid"] == [] and batch.json()["total_fen"] == 0
    assert [(s["id"], s["rules"]) for s in batch.json()["skipped"]] == [(batched["id"], ["not_dishonest"])]
    assert "dishonest" in batch.json()["skipped"][0]["reason"]
    assert await payments(suite, award["id"]) == [] and await payments(suite, batched["id"]) == []

    await listed_dishonest(suite, award["uscc"], "normal")  # the listing lifted
    retried = await suite.http.post(url, headers={**city_finance, "Idempotency-Key": f"award-{award['id']}"})  # the same key
    assert retried.status_code == 200 and retried.json()["status"] == "disbursed", retried.text
    assert sorted(e.amount_fen for e in await payments(suite, award["id"])) == sorted(line["amount_fen"] for line in award["lines"])


async def test_a_refusal_before_approval_is_not_replayed_after_it(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    [claim] = await reviewed_claims(suite, token_for, 1)
    url = suite.url("subsidy", f"/v1/applications/{claim['id']}/disbursement")
    headers = {**city_hr(token_for), "Idempotency-Key": f"early-{claim['id']}"}
    early = await suite.http.post(url, headers=headers)
    assert early.status_code == 409 and early.json()["type"] == "urn:tuoyu:problem:not-approved"
    held = await committed_fen(suite, token_for)
    line = await budget_line(suite, token_for, "skill_appraisal")
    await budget(suite, token_for, "skill_appraisal", "441802", "county", max(line["amount_fen"], held + claim["amount_fen"]))
    assert (await suite.http.post(suite.url("subsidy", f"/v1/applications/{claim['id']}/approval"), headers=city_hr(token_for, "other"))).status_code == 200
    paid = await suite.http.post(url, headers=headers)
    assert paid.status_code == 200 and paid.json()["status"] == "disbursed", paid.text


async def test_awards_need_designations_for_their_year(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await award_ready(suite, "441823", designated_in=YEAR - 5)
    applied = await suite.http.post(suite.url("subsidy", "/v1/applications"), json={"programme": "demonstration_award", "uscc": uscc}, headers=token_for("caizheng", "441823"))
    assert applied.status_code == 201 and applied.json()["eligible"] is False
    failing = {c["criterion"]: c["detail"] for c in applied.json()["eligibility"] if not c["met"]}
    assert failing == {
        "inclusive": f"{YEAR}年普惠认定：无（已有年度：[{YEAR - 5}]）",
        "demonstration": f"{YEAR}年示范单位确认：无（已有年度：[{YEAR - 5}]）",
    }


async def test_programme_rules_are_checked_and_applications_keep_theirs(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    city_finance = token_for("caizheng", "441800")
    url = suite.url("subsidy", "/v1/programmes/demonstration_award")
    before = next(p for p in (await suite.http.get(suite.url("subsidy", "/v1/programmes"), headers=city_finance)).json() if p["code"] == "demonstration_award")
    for rules, field in (
        ({}, "rules.amount_fen"),
        ({"amount_fen": 10000000, "city_percent": 150}, "rules.city_percent"),
        ({"amount_fen": 100.7, "city_percent": 50}, "rules.amount_fen"),
        ({"amount_fen": "abc", "city_percent": 50}, "rules.amount_fen"),
        ({"amount_fen": 0, "city_percent": 50}, "rules.amount_fen"),
        ({"amount_fen": 10000000, "city_percent": 50, "bonus": 1}, "rules.bonus"),
    ):
        refused = await suite.http.put(url, json={"rules": rules}, headers=city_finance)
        assert refused.status_code == 422 and field in [e["field"] for e in refused.json()["errors"]], (rules, refused.text)
    levels = {"amount_fen_by_level": {"1": 400000, "2": 300000, "3": 200000, "4": 150000}}
    no_fifth = await suite.http.put(suite.url("subsidy", "/v1/programmes/skill_appraisal"), json={"rules": levels}, headers=city_hr(token_for))
    assert no_fifth.status_code == 422 and [e["field"] for e in no_fifth.json()["errors"]] == ["rules.amount_fen_by_level"]
    assert (await suite.http.put(url, json={"rules": before["rules"]}, headers=token_for("caizheng", "441821"))).status_code == 403

    uscc = await award_ready(suite, "441881")
    earlier = (await suite.http.post(suite.url("subsidy", "/v1/applications"), json={"programme": "demonstration_award", "uscc": uscc}, headers=token_for("caizheng", "441881"))).json()
    try:
        changed = await suite.http.put(url, json={"rules": {"amount_fen": 8000000, "city_percent": 60}}, headers=city_finance)
        assert changed.status_code == 200 and changed.json()["version"] == before["version"] + 1
        assert changed.json()["rules"] == {"amount_fen": 8000000, "city_percent": 60, "once_per": "institution"}
        kept = (await suite.http.get(suite.url("subsidy", f"/v1/applications/{earlier['id']}"), headers=city_finance)).json()
        assert (kept["programme_version"], kept["rules"], kept["amount_fen"]) == (before["version"], before["rules"], before["rules"]["amount_fen"])
        later = await award_ready(suite, "441881")
        now = (await suite.http.post(suite.url("subsidy", "/v1/applications"), json={"programme": "demonstration_award", "uscc": later}, headers=token_for("caizheng", "441881"))).json()
        assert (now["programme_version"], now["lines"]) == (
            before["version"] + 1, [{"region": "441800", "level": "city", "amount_fen": 4800000}, {"region": "441881", "level": "county", "amount_fen": 3200000}]
        )
    finally:
        assert (await suite.http.put(url, json={"rules": before["rules"]}, headers=city_finance)).status_code == 200


async def test_the_city_may_reject_and_only_the_workflows_departments_act(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    [claim] = await reviewed_claims(suite, token_for, 1)
    url = suite.url("subsidy", f"/v1/applications/{claim['id']}/approval")
    committed = await committed_fen(suite, token_for)
    no_reason = await suite.http.post(url, json={"decision": "reject"}, headers=city_hr(token_for))
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "note"
    rejected = await suite.http.post(url, json={"decision": "reject", "note": "证书信息与人员不符"}, headers=city_hr(token_for))
    assert rejected.status_code == 200 and (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "证书信息与人员不符")
    assert await committed_fen(suite, token_for) == committed
    steps = (await suite.http.get(suite.url("subsidy", f"/v1/applications/{claim['id']}/trail"), headers=city_hr(token_for))).json()
    assert [s["action"] for s in steps][-1] == "approval_reject"
    for step, body in (("review", {"decision": "approve"}), ("approval", {}), ("disbursement", None), ("reversal", {"reason": "x"})):
        other = await suite.http.post(suite.url("subsidy", f"/v1/applications/nonexistent/{step}"), json=body, headers=token_for("minzheng", "441800"))
        assert other.status_code == 403, (step, other.text)  # not 404: 民政 has no part in it


async def approved_this_month(suite: InProcessSuite, token_for) -> int:  # type: ignore[no-untyped-def]
    """The monthly report's approvals on the county's skill-appraisal line this month."""
    report = await suite.http.get(suite.url("subsidy", "/v1/reports/subsidies"), params={"year": YEAR, "region": "441802"}, headers=token_for("caizheng", "441802"))
    month = today_in_china().month
    return sum(r["approved_fen"] for r in report.json()["rows"] if (r["programme"], r["month"]) == ("skill_appraisal", month))


async def test_reversing_an_approval_before_payment_releases_the_budget(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    before = await approved_this_month(suite, token_for)
    claim = await approved_claim(suite, token_for)
    assert await approved_this_month(suite, token_for) == before + claim["amount_fen"]  # reported in the month approved
    committed = await committed_fen(suite, token_for)
    reversed_ = await suite.http.post(suite.url("subsidy", f"/v1/applications/{claim['id']}/reversal"), json={"reason": "申领人放弃"}, headers=city_hr(token_for))
    assert reversed_.status_code == 200 and (reversed_.json()["status"], reversed_.json()["reason"]) == ("reversed", "申领人放弃")
    assert await committed_fen(suite, token_for) == committed - claim["amount_fen"]
    assert await payments(suite, claim["id"]) == []  # nothing was paid, nothing is booked back
    assert await approved_this_month(suite, token_for) == before  # no longer an approval standing


async def test_certificates_are_seen_by_their_own_county(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await registered(suite, token_for)
    carer = await practitioner(suite, token_for, uscc, "yuyingyuan")
    issued = await certificate(suite, token_for, carer, "yuyingyuan", 4)

    async def seen(region: str) -> list[str]:
        response = await suite.http.get(suite.url("subsidy", "/v1/certificates"), params={"practitioner_id": carer}, headers=token_for("renshe", region))
        return [c["certificate_id"] for c in response.json()["items"]]

    await eventually(lambda: seen("441802"), what="the certificate on the subsidy side")
    assert await seen("441802") == [issued] and await seen("441800") == [issued]
    assert await seen("441881") == []  # another county's office
