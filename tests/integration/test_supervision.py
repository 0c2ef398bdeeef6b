"""Multi-agency supervision end to end: rosters, 双随机 draws, inspections and follow-ups, credit
reaching the subsidy side, unlicensed operators, quality evaluations, designations, disclosure."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from inspection_svc.domain.checklists import CHECKLISTS
from inspection_svc.domain.draw import Inspector, Target, draw
from inspection_svc.domain.evaluation import DOMAINS
from inspection_svc.models import CreditAppeal
from shared.timeutil import today_in_china
from tests.factories import registration_body
from tests.integration.helpers import MATERIALS, arrived, filed, publish, register
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

YEAR = today_in_china().year  # designations are for the year under way
INSPECTOR_NAMES = {"F01": "王执法", "F02": "李执法", "F03": "陈执法", "F04": "周执法"}


def every_item(agency: str, **outcomes: str) -> dict[str, str]:
    """Results for the whole checklist of `agency`: pass unless given."""
    return {item: outcomes.get(item, "pass") for item in CHECKLISTS[agency]}


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
    published = next(d for d in public.json()["items"] if d["plan_id"] == plan_id)
    assert published["seed"] == "清远-2026-公安" and published["target_hash"] == result["target_hash"]
    assert not any(name in public.text for name in INSPECTOR_NAMES.values())
    # inspectors by the draw's pseudonyms: no enforcement number, and only conflicts with drawn institutions
    shown = {i for i, _ in published["inspectors"]} | {i for a in published["assignments"] for i in a["inspectors"]}
    assert not shown & set(INSPECTOR_NAMES)
    assert shown == {result["pseudonyms"][i] for i in INSPECTOR_NAMES}
    drawn_usccs = {a["uscc"] for a in published["assignments"]}
    assert all(set(conflicts) <= drawn_usccs for _, conflicts in published["inspectors"])
    own = await suite.http.get(suite.url("inspection", f"/v1/plans/{plan_id}/draws"), headers=police)
    assert own.json()["assignments"] == result["assignments"]  # the agency sees its enforcement numbers
    assert (await suite.http.get(suite.url("inspection", f"/v1/plans/{plan_id}/draws"), headers=token_for("xiaofang", "441821"))).status_code == 403
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
        "results": every_item("shichang", food_samples="fail", food_storage="fail", tableware_disinfection="not_applicable"),
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
    # credit is read city-wide (失信联合惩戒 by every bureau), never a false "normal"; an unknown USCC has none
    elsewhere = await suite.http.get(suite.url("inspection", f"/v1/credit/{uscc}"), headers=token_for("caizheng", "441881"))
    assert elsewhere.status_code == 200 and elsewhere.json()["status"] == "dishonest"
    unknown = await suite.http.get(suite.url("inspection", "/v1/credit/91441802MA00000000"), headers=token_for("caizheng", "441802"))
    assert unknown.status_code == 404
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
    appeals = suite.url("inspection", "/v1/credit/appeals")
    pending = (await suite.http.get(appeals, params={"status": "pending", "uscc": uscc}, headers=market)).json()
    assert [a["id"] for a in pending["items"]] == [appeal.json()["id"]]
    assert appeal.json()["id"] not in {a["id"] for a in (await suite.http.get(appeals, headers=token_for("shichang", "441802"))).json()["items"]}
    decision = suite.url("inspection", f"/v1/credit/appeals/{appeal.json()['id']}/decision")
    upheld = {"decision": "upheld", "note": "复核确认已留样"}
    assert (await suite.http.post(decision, json=upheld, headers=token_for("shichang", "441802"))).status_code == 404  # another county
    assert (await suite.http.post(decision, json=upheld, headers=token_for("xiaofang", "441800"))).status_code == 403  # listed by market supervision
    assert (await suite.http.post(decision, json=upheld, headers=market)).status_code == 403  # who filed it does not decide it
    decided = await suite.http.post(decision, json=upheld, headers=token_for("shichang", "441800"))
    assert decided.status_code == 200 and decided.json()["status"] == "upheld"
    assert decided.json()["decided_by"] == "shichang-441800-test"
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
    others = (await suite.http.get(suite.url("inspection", "/v1/unlicensed-operators"), headers=token_for("weijian", "441882"))).json()["items"]
    assert all(o["operator_person"] is None for o in others)  # personal data for market supervision only

    registered = await register(suite, token_for, registrar="shichang", region="441882", name="连州快乐宝贝看护点")

    async def linked() -> dict | None:
        items = (await suite.http.get(suite.url("inspection", "/v1/unlicensed-operators"), params={"status": "registered"}, headers=market)).json()["items"]
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
    public = (await suite.http.get(suite.url("inspection", "/v1/public/evaluations"), params={"county": "441881"})).json()["items"]
    assert uscc not in {e["uscc"] for e in public}  # not public while disputed
    reviewed = await suite.http.post(
        suite.url("inspection", f"/v1/evaluations/{entered['id']}/review"),
        json={"outcome": "revised", "scores": dict.fromkeys(DOMAINS, 85)},
        headers=health,
    )
    assert reviewed.json()["status"] == "published" and reviewed.json()["rating"] == "良好"
    public = (await suite.http.get(suite.url("inspection", "/v1/public/evaluations"), params={"county": "441881"})).json()["items"]
    assert next(e for e in public if e["uscc"] == uscc)["rating"] == "良好"


async def test_a_demonstration_unit_is_nominated_by_the_county_and_confirmed_by_the_city(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await filed(suite, token_for, "441803")
    county, city = token_for("weijian", "441803"), token_for("weijian", "441800")
    nominate = suite.url("inspection", "/v1/designations/demonstration")

    refused = await suite.http.post(nominate, json={"uscc": uscc, "year": YEAR}, headers=county)
    assert refused.status_code == 422
    assert {e["rule"] for e in refused.json()["errors"]} == {"inclusive", "quality_rating"}
    assert {c["criterion"]: c["met"] for c in refused.json()["criteria"]}["filed"] is True

    inclusive = {"uscc": uscc, "year": YEAR, "monthly_fee_fen": 180000, "fee_cap_fen": 150000, "fee_standard_ref": "清发改价格〔2026〕1号"}
    too_dear = await suite.http.post(suite.url("inspection", "/v1/designations/inclusive"), json=inclusive, headers=county)
    assert too_dear.status_code == 422 and too_dear.json()["errors"][0]["rule"] == "fee_within_standard"
    recognised = await suite.http.post(suite.url("inspection", "/v1/designations/inclusive"), json={**inclusive, "monthly_fee_fen": 140000}, headers=county)
    assert recognised.status_code == 201, recognised.text
    await publish(suite, token_for, uscc, 92)

    assert (await suite.http.post(nominate, json={"uscc": uscc, "year": YEAR}, headers=city)).status_code == 403  # counties nominate
    nominated = await suite.http.post(nominate, json={"uscc": uscc, "year": YEAR}, headers=county)
    assert nominated.status_code == 201, nominated.text
    confirm = suite.url("inspection", f"/v1/designations/{nominated.json()['id']}/confirmation")
    assert (await suite.http.post(confirm, headers=county)).status_code == 403  # the city confirms
    confirmed = await suite.http.post(confirm, headers=city)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert all(c["met"] for c in confirmed.json()["criteria"])

    finance = token_for("caizheng", "441800")

    async def subsidy_knows() -> bool:
        facts = (await suite.http.get(suite.url("subsidy", f"/v1/institutions/{uscc}"), headers=finance)).json()
        return facts.get("demonstration_years") == [YEAR] and facts.get("inclusive_years") == [YEAR]

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
    inclusive = {"uscc": uscc, "year": YEAR, "monthly_fee_fen": 100000, "fee_cap_fen": 150000, "fee_standard_ref": "清发改价格〔2026〕1号"}
    assert (await suite.http.post(suite.url("inspection", "/v1/designations/inclusive"), json=inclusive, headers=county)).status_code == 201
    await publish(suite, token_for, uscc, 95)
    nominated = (await suite.http.post(suite.url("inspection", "/v1/designations/demonstration"), json={"uscc": uscc, "year": YEAR}, headers=county)).json()
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
        "results": every_item("weijian", morning_checks="fail"),
        "findings": [{"code": "morning_checks", "severity": "minor", "description": "晨检记录不全", "deadline": today}],
    }
    assert (await suite.http.post(suite.url("inspection", "/v1/inspections"), json=inspection, headers=health)).status_code == 201
    enforcement = {"粤卫执-0001": "欧阳检查", "粤卫执-0002": "司马检查", "粤卫执-0003": "诸葛检查"}
    inspectors = [{"id": i, "name": n, "conflicts": [uscc] if i.endswith("1") else []} for i, n in enforcement.items()]
    plan = {"agency": "weijian", "region": "441825", "year": 2026, "sample_size": 1, "inspectors": inspectors}
    created = (await suite.http.post(suite.url("inspection", "/v1/plans"), json=plan, headers=health)).json()
    assert (await suite.http.post(suite.url("inspection", f"/v1/plans/{created['id']}/draws"), json={}, headers=health)).status_code == 201
    texts = []
    for path in ("inspections", "filed-institutions", "evaluations", "draws", "returned-filings"):
        response = await suite.http.get(suite.url("inspection", f"/v1/public/{path}"), params={"county": "441825"} if path != "draws" else {"region": "441825"})
        assert response.status_code == 200, path
        assert set(response.json()) == {"items", "next"}, path
        texts.append(response.text)
    inspections = (await suite.http.get(suite.url("inspection", "/v1/public/inspections"), params={"county": "441825"})).json()["items"]
    mine = next(i for i in inspections if i["uscc"] == uscc)
    assert mine["findings"] == [{"item": "晨午检及全日健康观察", "risk_level": "低", "deadline": today, "status": "open", "verified_on": None}]
    assert uscc in texts[1]
    for personal in ("欧阳法定", "王执法", "李执法", "赵某某", *enforcement, *enforcement.values()):
        assert all(personal not in text for text in texts)
    gateway = await suite.http.get(suite.url("gateway", "/api/inspection/v1/public/inspections"))
    assert gateway.status_code == 200


async def test_a_spot_check_is_the_one_its_draw_assigned(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await filed(suite, token_for, "441882")
    fire = token_for("xiaofang", "441882")
    inspectors = [{"id": i, "name": f"消防{i}", "conflicts": [uscc] if i == "X4" else []} for i in ("X1", "X2", "X3", "X4")]
    plan = {"agency": "xiaofang", "region": "441882", "year": 2026, "sampling_ratio": 1, "checklist": ["exits", "extinguishers"], "inspectors": inspectors}
    plan_id = (await suite.http.post(suite.url("inspection", "/v1/plans"), json=plan, headers=fire)).json()["id"]
    drawn = (await suite.http.post(suite.url("inspection", f"/v1/plans/{plan_id}/draws"), json={}, headers=fire)).json()
    assigned = next(a["inspectors"] for a in drawn["assignments"] if a["uscc"] == uscc)
    spare = next(i for i in ("X1", "X2", "X3") if i not in assigned)
    today = today_in_china().isoformat()
    body = {"uscc": uscc, "agency": "xiaofang", "kind": "spot_check", "inspected_on": today, "inspectors": assigned,
            "results": {"exits": "pass", "extinguishers": "pass"}, "plan_id": plan_id}  # fmt: skip
    url = suite.url("inspection", "/v1/inspections")

    async def refused(changes: dict, headers: dict = fire) -> set[tuple[str, str]]:
        response = await suite.http.post(url, json={**body, **changes}, headers=headers)
        assert response.status_code == 422, response.text
        return {(e["field"], e["rule"]) for e in response.json()["errors"]}

    assert await refused({"plan_id": None}) == {("plan_id", "spot_check_cites_plan")}
    assert await refused({"kind": "routine"}) == {("plan_id", "spot_check_cites_plan")}
    police = {**body, "agency": "gongan", "results": {"surroundings": "pass"}}
    assert await refused(police, token_for("gongan", "441882")) == {("plan_id", "plan_of_agency")}
    assert await refused({"results": {}}) >= {("results", "not_empty"), ("results", "covers_checklist")}
    assert await refused({"results": {"exits": "pass"}}) == {("results", "covers_checklist")}
    assert await refused({"inspectors": [assigned[0], spare]}) == {("inspectors", "drawn_inspectors")}
    conflicted = [{"replaces": assigned[1], "by": "X4", "reason": "病假"}]
    assert await refused({"inspectors": [assigned[0], "X4"], "substitutions": conflicted}) == {("substitutions.0.by", "plan_inspector_without_conflict")}
    substituted = [{"replaces": assigned[1], "by": spare, "reason": "病假"}]
    recorded = await suite.http.post(url, json={**body, "inspectors": [assigned[0], spare], "substitutions": substituted}, headers=fire)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["substitutions"] == substituted


async def test_follow_ups_record_what_they_found(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await filed(suite, token_for, "441881")
    police = token_for("gongan", "441881")
    today = today_in_china()
    body = {"uscc": uscc, "agency": "gongan", "kind": "complaint", "inspected_on": today.isoformat(), "inspectors": ["G1", "G2"],
            "results": {"surroundings": "fail"},
            "findings": [{"code": "surroundings", "severity": "major", "description": "门口占道经营", "deadline": today.isoformat()}]}  # fmt: skip
    inspection = (await suite.http.post(suite.url("inspection", "/v1/inspections"), json=body, headers=police)).json()
    finding = inspection["findings"][0]["id"]
    url = suite.url("inspection", f"/v1/inspections/{inspection['id']}/follow-ups")
    check = {"followed_on": today.isoformat(), "inspectors": ["G1", "G3"], "closes": [finding]}
    alone = await suite.http.post(url, json={**check, "inspectors": ["G1"]}, headers=police)
    assert alone.status_code == 422 and alone.json()["errors"][0]["rule"] == "at_least_two"
    twice = await suite.http.post(url, json={**check, "closes": [finding, finding]}, headers=police)
    assert twice.status_code == 422 and twice.json()["errors"][0]["rule"] == "each_once"

    still = await suite.http.post(url, json={**check, "outcome": "not_rectified"}, headers=police)
    assert still.status_code == 201 and still.json()["closed_findings"] == [] and still.json()["checked_findings"] == [finding]
    later = (today + dt.timedelta(days=30)).isoformat()
    extended = await suite.http.post(url, json={**check, "outcome": "extended", "new_deadline": later}, headers=police)
    assert extended.status_code == 201, extended.text
    shown = (await suite.http.get(suite.url("inspection", f"/v1/inspections/{inspection['id']}"), headers=police)).json()["findings"][0]
    assert shown["status"] == "open" and shown["deadline"] == later
    closed = await suite.http.post(url, json=check, headers=police)
    assert closed.status_code == 201 and closed.json()["closed_findings"] == [finding]
    rt = suite.runtime("inspection")
    async with rt.db.reading() as session:
        types = (await session.execute(sa.select(rt.tables.outbox.c.type).where(rt.tables.outbox.c.key == uscc))).scalars().all()
    assert types.count("tuoyu.inspection.finding.closed.v1") == 1


async def test_an_upheld_appeal_clears_only_what_was_listed_when_it_was_filed(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await filed(suite, token_for, "441803")
    fire = token_for("xiaofang", "441803")
    today = today_in_china().isoformat()

    async def critical(description: str, days_ago: int) -> None:
        day = (today_in_china() - dt.timedelta(days=days_ago)).isoformat()
        body = {"uscc": uscc, "agency": "xiaofang", "kind": "special", "inspected_on": day, "inspectors": ["X1", "X2"], "results": {"exits": "fail"},
                "findings": [{"code": "exits", "severity": "critical", "description": description, "deadline": today}]}  # fmt: skip
        assert (await suite.http.post(suite.url("inspection", "/v1/inspections"), json=body, headers=fire)).status_code == 201

    await critical("疏散通道堵塞", 2)
    appeal = (await suite.http.post(suite.url("inspection", f"/v1/credit/{uscc}/appeals"), json={"reason": "已当场清理"}, headers=fire)).json()
    async with suite.runtime("inspection").db.transaction() as session:  # filed the day before the next finding
        await session.execute(sa.update(CreditAppeal).where(CreditAppeal.id == appeal["id"]).values(filed_on=today_in_china() - dt.timedelta(days=1)))
    await critical("安全出口上锁", 0)
    decided = await suite.http.post(
        suite.url("inspection", f"/v1/credit/appeals/{appeal['id']}/decision"), json={"decision": "upheld", "note": "属实"}, headers=token_for("weijian", "441800")
    )
    assert decided.status_code == 200, decided.text
    credit = (await suite.http.get(suite.url("inspection", f"/v1/credit/{uscc}"), headers=fire)).json()
    assert credit["status"] == "dishonest" and len(credit["reasons"]) == 1 and "安全出口上锁" in credit["reasons"][0]
    rt = suite.runtime("inspection")
    async with rt.db.reading() as session:
        types = (await session.execute(sa.select(rt.tables.outbox.c.type).where(rt.tables.outbox.c.key == uscc))).scalars().all()
    assert types.count("tuoyu.inspection.credit.changed.v1") == 3  # listed, then its reasons changed twice


async def test_bad_input_is_refused_and_a_deregistered_operator_can_be_banned(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await filed(suite, token_for, "441826")
    health = token_for("weijian", "441826")
    huge = {"uscc": uscc, "year": YEAR, "monthly_fee_fen": 10**19, "fee_cap_fen": 10**20, "fee_standard_ref": "x"}
    overflow = await suite.http.post(suite.url("inspection", "/v1/designations/inclusive"), json=huge, headers=health)
    assert overflow.status_code == 422 and {e["field"] for e in overflow.json()["errors"]} >= {"monthly_fee_fen"}

    made = await register(suite, token_for, registrar="shichang", region="441826", name="连南 阳光宝贝托育中心")
    await arrived(suite, token_for, made["uscc"])
    market = token_for("shichang", "441826")
    ended = await suite.http.post(
        suite.url("registration", f"/v1/registrations/{made['uscc']}/deregistration"), json={"on": made["registered_on"], "reason": "停止办托"}, headers=market
    )
    assert ended.status_code == 200, ended.text
    await arrived(suite, token_for, made["uscc"], where=lambda e: e["status"] != "active")
    operator = {"name": "连南阳光宝贝托育中心", "county": "441826", "address": "连南某街", "found_on": today_in_china().isoformat(), "description": "注销后继续收托"}
    banned = await suite.http.post(suite.url("inspection", "/v1/unlicensed-operators"), json=operator, headers=market)
    assert banned.status_code == 201, banned.text


async def test_lists_are_pages(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    usccs = [await filed(suite, token_for, "441823") for _ in range(2)]
    health = token_for("weijian", "441823")
    for uscc in usccs:
        body = {"uscc": uscc, "agency": "weijian", "kind": "routine", "inspected_on": today_in_china().isoformat(), "inspectors": ["W1", "W2"],
                "results": every_item("weijian")}  # fmt: skip
        assert (await suite.http.post(suite.url("inspection", "/v1/inspections"), json=body, headers=health)).status_code == 201
    seen: list[str] = []
    after = None
    while True:
        params = {"county": "441823", "agency": "weijian", "year": today_in_china().year, "limit": 1, **({"after": after} if after else {})}
        page = (await suite.http.get(suite.url("inspection", "/v1/public/inspections"), params=params)).json()
        seen += [i["uscc"] for i in page["items"]]
        if (after := page["next"]) is None:
            break
    assert set(usccs) <= set(seen) and len(seen) == len(set(seen))
    bad = await suite.http.get(suite.url("inspection", "/v1/public/inspections"), params={"after": "x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "after"
    for path in ("/v1/plans", "/v1/evaluations", "/v1/designations", "/v1/unlicensed-operators"):
        department = {"/v1/designations": "weijian", "/v1/unlicensed-operators": "shichang"}.get(path, "weijian")
        page = await suite.http.get(suite.url("inspection", path), params={"limit": 1}, headers=token_for(department, "441823"))
        assert page.status_code == 200 and set(page.json()) == {"items", "next"}, path
    plans = await suite.http.get(suite.url("inspection", "/v1/plans"), params={"region": "441823", "agency": "weijian", "year": 2026}, headers=health)
    assert plans.status_code == 200 and all(p["region"] == "441823" for p in plans.json()["items"])
