"""Multi-agency supervision end to end: rosters, 双随机 draws, inspections and follow-ups, credit
reaching the subsidy side, unlicensed operators, quality evaluations, designations, disclosure."""

from __future__ import annotations

import datetime as dt

from inspection_svc.domain.draw import Inspector, Target, draw
from inspection_svc.domain.evaluation import DOMAINS
from shared.timeutil import today_in_china
from tests.factories import registration_body
from tests.integration.helpers import MATERIALS, arrived, filed, publish, register
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

INSPECTOR_NAMES = {"F01": "王执法", "F02": "李执法", "F03": "陈执法", "F04": "周执法"}


async def test_the_fire_roster_is_the_list_of_filed_venues(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    filed_one = await filed(suite, token_for, "441826")
    unfiled = (await register(suite, token_for, registrar="shichang", region="441826"))["uscc"]
    await arrived(suite, token_for, unfiled)

    async def roster(agency: str) -> set[str]:
        response = await suite.http.get(suite.url("inspection", f"/v1/rosters/{agency}"), headers=token_for(agency, "441826"))
        assert response.status_code == 200, response.text
        return {e["uscc"] for e in response.json()["items"]}

    assert {filed_one, unfiled} <= await roster("weijian")
    assert {filed_one, unfiled} <= await roster("gongan")
    fire = await roster("xiaofang")
    assert filed_one in fire and unfiled not in fire
    other_county = await suite.http.get(
        suite.url("inspection", "/v1/rosters/xiaofang"), params={"region": "441802"}, headers=token_for("xiaofang", "441826")
    )
    assert other_county.status_code == 403


async def test_a_draw_is_public_reproducible_and_keeps_its_rules(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    usccs = [(await register(suite, token_for, registrar="minzheng", region="441821"))["uscc"] for _ in range(6)]
    for uscc in usccs:
        await arrived(suite, token_for, uscc)
    police = token_for("gongan", "441821")
    inspectors = [
        {"id": "F01", "name": INSPECTOR_NAMES["F01"], "conflicts": usccs[:3]},
        {"id": "F02", "name": INSPECTOR_NAMES["F02"], "conflicts": []},
        {"id": "F03", "name": INSPECTOR_NAMES["F03"], "conflicts": [usccs[0]]},
        {"id": "F04", "name": INSPECTOR_NAMES["F04"], "conflicts": []},
    ]
    plan = {"agency": "gongan", "region": "441821", "year": 2026, "sampling_ratio": 0.5, "inspectors": inspectors}
    assert (await suite.http.post(suite.url("inspection", "/v1/plans"), json=plan, headers=token_for("xiaofang", "441821"))).status_code == 403
    assert (await suite.http.post(suite.url("inspection", "/v1/plans"), json={**plan, "sample_size": 3}, headers=police)).status_code == 422
    created = await suite.http.post(suite.url("inspection", "/v1/plans"), json=plan, headers=police)
    assert created.status_code == 201, created.text
    plan_id = created.json()["id"]
    assert created.json()["checklist"][0] == "security_staff"  # the police checklist (一单) by default

    drawn = await suite.http.post(suite.url("inspection", f"/v1/plans/{plan_id}/draws"), json={"seed": "清远-2026-公安"}, headers=police)
    assert drawn.status_code == 201, drawn.text
    result = drawn.json()
    roster_size = len(result["targets"])
    assert result["size"] == -(-roster_size // 2)  # half, rounded up
    by_id = {i["id"]: set(i["conflicts"]) for i in inspectors}
    for assignment in result["assignments"]:
        assert len(set(assignment["inspectors"])) == 2
        assert not any(assignment["uscc"] in by_id[i] for i in assignment["inspectors"])
    assert (await suite.http.post(suite.url("inspection", f"/v1/plans/{plan_id}/draws"), json={}, headers=police)).status_code == 409

    public = await suite.http.get(suite.url("inspection", "/v1/public/draws"), params={"region": "441821"})
    published = next(d for d in public.json() if d["plan_id"] == plan_id)
    assert published["seed"] == "清远-2026-公安" and published["target_hash"] == result["target_hash"]
    assert not any(name in public.text for name in INSPECTOR_NAMES.values())
    # anyone can re-run it from the published data alone
    again = draw(
        published["seed"],
        [Target(u, w) for u, w in published["targets"]],
        [Inspector(i, frozenset(c)) for i, c in published["inspectors"]],
        published["size"],
    )
    assert [{"uscc": a.uscc, "inspectors": list(a.inspectors)} for a in again] == published["assignments"]
    check = (await suite.http.get(suite.url("inspection", f"/v1/public/draws/{plan_id}/verification"))).json()
    assert check == {"plan_id": plan_id, "target_hash_matches": True, "inspector_hash_matches": True, "assignments_match": True}


async def test_a_critical_finding_makes_the_institution_dishonest_and_the_subsidy_side_knows(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await filed(suite, token_for, "441823")
    market = token_for("shichang", "441823")
    inspected = (today_in_china() - dt.timedelta(days=20)).isoformat()
    body = {
        "uscc": uscc,
        "agency": "shichang",
        "kind": "routine",
        "inspected_on": inspected,
        "inspectors": ["S01", "S02"],
        "results": {"food_samples": "fail", "food_storage": "fail", "drug_safety": "pass"},
        "findings": [
            {"code": "food_samples", "severity": "critical", "description": "未按规定留样", "deadline": inspected},
            {"code": "food_storage", "severity": "minor", "description": "贮存温度记录缺失", "deadline": (today_in_china() + dt.timedelta(days=10)).isoformat()},
        ],
    }
    assert (await suite.http.post(suite.url("inspection", "/v1/inspections"), json=body, headers=token_for("gongan", "441823"))).status_code == 403
    missing_finding = {**body, "findings": body["findings"][:1]}
    refused = await suite.http.post(suite.url("inspection", "/v1/inspections"), json=missing_finding, headers=market)
    assert refused.status_code == 422 and refused.json()["errors"][0]["rule"] == "failed_item_has_finding"
    recorded = await suite.http.post(suite.url("inspection", "/v1/inspections"), json=body, headers=market)
    assert recorded.status_code == 201, recorded.text
    inspection = recorded.json()
    critical = next(f for f in inspection["findings"] if f["severity"] == "critical")
    assert critical["risk_level"] == "高" and critical["overdue"] is True

    credit = (await suite.http.get(suite.url("inspection", f"/v1/credit/{uscc}"), headers=market)).json()
    assert credit["status"] == "dishonest" and "未按规定留样" in credit["reasons"][0]
    overdue = await suite.http.get(suite.url("inspection", "/v1/findings"), params={"overdue": "true", "uscc": uscc}, headers=market)
    assert [f["id"] for f in overdue.json()["items"]] == [critical["id"]]

    finance = token_for("caizheng", "441800")

    async def subsidy_sees(status: str, critical_open: int) -> bool:
        response = await suite.http.get(suite.url("subsidy", f"/v1/institutions/{uscc}"), headers=finance)
        facts = response.json()
        return response.status_code == 200 and facts["credit_status"] == status and facts["open_critical_findings"] == critical_open

    await eventually(lambda: subsidy_sees("dishonest", 1), what="the dishonest listing on the subsidy side")

    followed = await suite.http.post(
        suite.url("inspection", f"/v1/inspections/{inspection['id']}/follow-ups"),
        json={"followed_on": today_in_china().isoformat(), "inspectors": ["S01", "S03"], "closes": [critical["id"]], "notes": "已整改"},
        headers=market,
    )
    assert followed.status_code == 201, followed.text
    again = await suite.http.post(
        suite.url("inspection", f"/v1/inspections/{inspection['id']}/follow-ups"),
        json={"followed_on": today_in_china().isoformat(), "inspectors": ["S01", "S03"], "closes": [critical["id"]]},
        headers=market,
    )
    assert again.status_code == 409
    closed = (await suite.http.get(suite.url("inspection", f"/v1/inspections/{inspection['id']}"), headers=market)).json()
    by_id = {f["id"]: f for f in closed["findings"]}
    assert by_id[critical["id"]]["status"] == "closed" and by_id[critical["id"]]["verified_on"] == today_in_china().isoformat()
    await eventually(lambda: subsidy_sees("dishonest", 0), what="the closed finding on the subsidy side")  # still listed: within the period

    appeal = await suite.http.post(suite.url("inspection", f"/v1/credit/{uscc}/appeals"), json={"reason": "留样记录在另一台账"}, headers=market)
    assert appeal.status_code == 201
    decided = await suite.http.post(
        suite.url("inspection", f"/v1/credit/appeals/{appeal.json()['id']}/decision"),
        json={"decision": "upheld", "note": "复核确认已留样"},
        headers=token_for("shichang", "441800"),
    )
    assert decided.status_code == 200 and decided.json()["status"] == "upheld"
    assert (await suite.http.get(suite.url("inspection", f"/v1/credit/{uscc}"), headers=market)).json()["status"] == "normal"
    await eventually(lambda: subsidy_sees("normal", 0), what="the appeal's outcome on the subsidy side")


async def test_an_unlicensed_operator_that_registers_later_is_linked_not_duplicated(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    market = token_for("shichang", "441882")
    body = {
        "name": "连州 快乐宝贝（看护点）",
        "county": "441882",
        "address": "连州市某小区",
        "operator_person": "赵某某",
        "found_on": today_in_china().isoformat(),
        "description": "未经登记收托婴幼儿12名",
    }
    recorded = await suite.http.post(suite.url("inspection", "/v1/unlicensed-operators"), json=body, headers=market)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["status"] == "banned" and recorded.json()["operator_person"] == "赵某某"
    assert (await suite.http.post(suite.url("inspection", "/v1/unlicensed-operators"), json=body, headers=market)).status_code == 409
    assert (await suite.http.post(suite.url("inspection", "/v1/unlicensed-operators"), json=body, headers=token_for("weijian", "441882"))).status_code == 403
    others = (await suite.http.get(suite.url("inspection", "/v1/unlicensed-operators"), headers=token_for("weijian", "441882"))).json()
    assert all(o["operator_person"] is None for o in others)  # personal data for market supervision only

    registered = await register(suite, token_for, registrar="shichang", region="441882", name="连州快乐宝贝看护点")

    async def linked() -> dict | None:
        items = (await suite.http.get(suite.url("inspection", "/v1/unlicensed-operators"), params={"status": "registered"}, headers=market)).json()
        return next((o for o in items if o["id"] == recorded.json()["id"]), None)

    operator = await eventually(linked, what="the operator linked to its registration")
    assert operator["linked_uscc"] == registered["uscc"]
    again = await suite.http.post(suite.url("inspection", "/v1/unlicensed-operators"), json=body, headers=market)
    assert again.status_code == 409 and again.json()["type"] == "urn:tuoyu:problem:registered-operator"


async def test_an_objection_is_reviewed_before_the_result_is_public(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await filed(suite, token_for, "441881")
    body = {"uscc": uscc, "evaluated_on": today_in_china().isoformat(), "scores": {**dict.fromkeys(DOMAINS, 85), "safety": 55}}
    assert (await suite.http.post(suite.url("inspection", "/v1/evaluations"), json=body, headers=token_for("weijian", "441881"))).status_code == 403
    entered = (await suite.http.post(suite.url("inspection", "/v1/evaluations"), json=body, headers=token_for("evaluator", "441800"))).json()
    assert entered["rating"] == "不合格"
    health = token_for("weijian", "441881")
    objected = await suite.http.post(suite.url("inspection", f"/v1/evaluations/{entered['id']}/objection"), json={"reason": "安全保障项漏计消防演练记录"}, headers=health)
    assert objected.json()["status"] == "disputed"
    public = (await suite.http.get(suite.url("inspection", "/v1/public/evaluations"), params={"county": "441881"})).json()
    assert uscc not in {e["uscc"] for e in public}  # not public while disputed
    reviewed = await suite.http.post(
        suite.url("inspection", f"/v1/evaluations/{entered['id']}/review"),
        json={"outcome": "revised", "scores": dict.fromkeys(DOMAINS, 85)},
        headers=health,
    )
    assert reviewed.json()["status"] == "published" and reviewed.json()["rating"] == "良好"
    public = (await suite.http.get(suite.url("inspection", "/v1/public/evaluations"), params={"county": "441881"})).json()
    assert next(e for e in public if e["uscc"] == uscc)["rating"] == "良好"


async def test_a_demonstration_unit_is_nominated_by_the_county_and_confirmed_by_the_city(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await filed(suite, token_for, "441803")
    county, city = token_for("weijian", "441803"), token_for("weijian", "441800")
    nominate = suite.url("inspection", "/v1/designations/demonstration")

    refused = await suite.http.post(nominate, json={"uscc": uscc, "year": 2026}, headers=county)
    assert refused.status_code == 422
    assert {e["rule"] for e in refused.json()["errors"]} == {"inclusive", "quality_rating"}
    assert {c["criterion"]: c["met"] for c in refused.json()["criteria"]}["filed"] is True

    inclusive = {"uscc": uscc, "year": 2026, "monthly_fee_fen": 180000, "fee_cap_fen": 150000, "fee_standard_ref": "清发改价格〔2026〕1号"}
    too_dear = await suite.http.post(suite.url("inspection", "/v1/designations/inclusive"), json=inclusive, headers=county)
    assert too_dear.status_code == 422 and too_dear.json()["errors"][0]["rule"] == "fee_within_standard"
    recognised = await suite.http.post(suite.url("inspection", "/v1/designations/inclusive"), json={**inclusive, "monthly_fee_fen": 140000}, headers=county)
    assert recognised.status_code == 201, recognised.text
    await publish(suite, token_for, uscc, 92)

    assert (await suite.http.post(nominate, json={"uscc": uscc, "year": 2026}, headers=city)).status_code == 403  # counties nominate
    nominated = await suite.http.post(nominate, json={"uscc": uscc, "year": 2026}, headers=county)
    assert nominated.status_code == 201, nominated.text
    confirm = suite.url("inspection", f"/v1/designations/{nominated.json()['id']}/confirmation")
    assert (await suite.http.post(confirm, headers=county)).status_code == 403  # the city confirms
    confirmed = await suite.http.post(confirm, headers=city)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert all(c["met"] for c in confirmed.json()["criteria"])

    finance = token_for("caizheng", "441800")

    async def subsidy_knows() -> bool:
        facts = (await suite.http.get(suite.url("subsidy", f"/v1/institutions/{uscc}"), headers=finance)).json()
        return facts.get("demonstration_years") == [2026] and facts.get("inclusive_years") == [2026]

    await eventually(subsidy_knows, what="the designations on the subsidy side")

    withdraw = suite.url("inspection", f"/v1/designations/{nominated.json()['id']}/withdrawal")
    assert (await suite.http.post(withdraw, json={"reason": "x"}, headers=county)).status_code == 403  # the city's to withdraw
    withdrawn = await suite.http.post(withdraw, json={"reason": "收费超出普惠标准"}, headers=city)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"

    async def subsidy_knows_withdrawal() -> bool:
        facts = (await suite.http.get(suite.url("subsidy", f"/v1/institutions/{uscc}"), headers=finance)).json()
        return facts.get("demonstration_years") == []

    await eventually(subsidy_knows_withdrawal, what="the withdrawal on the subsidy side")


async def test_confirmation_is_refused_when_a_criterion_fails_in_between(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await filed(suite, token_for, "441802")
    county, city = token_for("weijian", "441802"), token_for("weijian", "441800")
    inclusive = {"uscc": uscc, "year": 2026, "monthly_fee_fen": 100000, "fee_cap_fen": 150000, "fee_standard_ref": "清发改价格〔2026〕1号"}
    assert (await suite.http.post(suite.url("inspection", "/v1/designations/inclusive"), json=inclusive, headers=county)).status_code == 201
    await publish(suite, token_for, uscc, 95)
    nominated = (await suite.http.post(suite.url("inspection", "/v1/designations/demonstration"), json={"uscc": uscc, "year": 2026}, headers=county)).json()
    today = today_in_china().isoformat()
    fire = {
        "uscc": uscc,
        "agency": "xiaofang",
        "kind": "special",
        "inspected_on": today,
        "inspectors": ["X01", "X02"],
        "results": {"exits": "fail"},
        "findings": [{"code": "exits", "severity": "critical", "description": "疏散通道堵塞", "deadline": today}],
    }
    assert (await suite.http.post(suite.url("inspection", "/v1/inspections"), json=fire, headers=token_for("xiaofang", "441802"))).status_code == 201
    refused = await suite.http.post(suite.url("inspection", f"/v1/designations/{nominated['id']}/confirmation"), headers=city)
    assert refused.status_code == 422
    assert {e["rule"] for e in refused.json()["errors"]} == {"not_dishonest", "no_open_critical_finding"}


async def test_public_disclosure_needs_no_login_and_shows_no_personal_data(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body("minzheng", "441825", legal_representative="欧阳法定")
    created = await suite.http.post(suite.url("registration", "/v1/registrations"), json=body, headers=token_for("minzheng", "441825"))
    uscc = created.json()["uscc"]
    await arrived(suite, token_for, uscc)
    health = token_for("weijian", "441825")
    filing = (
        await suite.http.post(
            suite.url("inspection", "/v1/filings"), json={"uscc": uscc, "materials": MATERIALS, "serves_meals": False, "hygiene_rating": "合格"}, headers=health
        )
    ).json()
    await suite.http.post(suite.url("inspection", f"/v1/filings/{filing['filing_id']}/decision"), json={"decision": "accepted"}, headers=health)
    today = today_in_china().isoformat()
    inspection = {
        "uscc": uscc,
        "agency": "weijian",
        "kind": "routine",
        "inspected_on": today,
        "inspectors": ["王执法", "李执法"],
        "results": {"morning_checks": "fail", "disinfection": "pass"},
        "findings": [{"code": "morning_checks", "severity": "minor", "description": "晨检记录不全", "deadline": today}],
    }
    assert (await suite.http.post(suite.url("inspection", "/v1/inspections"), json=inspection, headers=health)).status_code == 201
    texts = []
    for path in ("inspections", "filed-institutions", "evaluations", "draws", "returned-filings"):
        response = await suite.http.get(suite.url("inspection", f"/v1/public/{path}"), params={"county": "441825"} if path != "draws" else {})
        assert response.status_code == 200, path
        texts.append(response.text)
    inspections = (await suite.http.get(suite.url("inspection", "/v1/public/inspections"), params={"county": "441825"})).json()
    mine = next(i for i in inspections if i["uscc"] == uscc)
    assert mine["findings"] == [{"item": "晨午检及全日健康观察", "risk_level": "低", "deadline": today, "status": "open", "verified_on": None}]
    assert uscc in texts[1]
    for personal in ("欧阳法定", "王执法", "李执法", "赵某某"):
        assert all(personal not in text for text in texts)
    gateway = await suite.http.get(suite.url("gateway", "/api/inspection/v1/public/inspections"))
    assert gateway.status_code == 200
