"""The workforce register end to end: personal data masked everywhere but where it must show,
compliance for an institution with known classes and staff, certificates reaching the subsidy
side, training sessions that never overfill."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa

from shared.timeutil import today_in_china
from shared.validators import mask_resident_id
from tests.factories import new_resident_id
from tests.integration.helpers import known_employer, register
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually
from training_svc.domain.workforce import health_check_valid_until

HEALTH = ("weijian", "441802")
HR = ("renshe", "441800")


async def employer(suite: InProcessSuite, token_for, **places: int) -> str:  # type: ignore[no-untyped-def]
    """A registered institution the workforce service has heard of."""
    body_places = {"infant": 0, "toddler": 0, "older_toddler": 0, **places}
    made = await register(suite, token_for, registrar="minzheng", region="441802", places=body_places)
    await known_employer(suite, made["uscc"])
    return made["uscc"]


async def hire(suite: InProcessSuite, token_for, uscc: str, occupation: str = "yuyingyuan", **extra: object) -> dict:  # type: ignore[no-untyped-def]
    body = {
        "id_number": new_resident_id(),
        "name": "测试员工",
        "phone": "13912345678",
        "occupation": occupation,
        "employer_uscc": uscc,
        "hired_on": today_in_china().isoformat(),
        **extra,
    }
    response = await suite.http.post(suite.url("training", "/v1/practitioners"), json=body, headers=token_for(*HEALTH))
    assert response.status_code == 201, response.text
    return {**response.json(), "id_number": body["id_number"]}


async def certify(suite: InProcessSuite, token_for, practitioner: dict, level: int = 3, number: str | None = None):  # type: ignore[no-untyped-def]
    body = {
        "practitioner_id": practitioner["id"],
        "kind": "skill_level",
        "occupation": practitioner["occupation"],
        "level": level,
        "number": number or f"S{practitioner['id'][:12]}",
        "issued_on": today_in_china().isoformat(),
    }
    return await suite.http.post(suite.url("training", "/v1/certificates"), json=body, headers=token_for(*HR))


async def test_practitioners_need_a_valid_id_and_a_registered_active_employer(suite: InProcessSuite, token_for, capfd) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, toddler=10)
    number = new_resident_id()
    body = {"id_number": number[:17] + ("0" if number[17] != "0" else "1"), "name": "张三", "occupation": "baoyuyuan", "employer_uscc": uscc, "hired_on": today_in_china().isoformat()}
    url = suite.url("training", "/v1/practitioners")
    bad_id = await suite.http.post(url, json=body, headers=token_for(*HEALTH))
    assert bad_id.status_code == 422 and bad_id.json()["errors"][0] == {
        "field": "id_number",
        "rule": "resident_id_check_digit",
        "message": "公民身份号码 is not valid (check_digit, GB 11643)",
    }
    unknown = await suite.http.post(url, json={**body, "id_number": number, "employer_uscc": "91441802MA00000000"}, headers=token_for(*HEALTH))
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["rule"] == "registered_employer"

    created = await suite.http.post(url, json={**body, "id_number": number, "phone": "13712345678"}, headers=token_for(*HEALTH))
    assert created.status_code == 201
    shown = created.json()
    assert shown["id_number_masked"] == mask_resident_id(number) and shown["phone_masked"] == "137****5678"
    assert number not in created.text and "13712345678" not in created.text
    again = await suite.http.post(url, json={**body, "id_number": number}, headers=token_for(*HEALTH))
    assert again.status_code == 409

    personal = suite.url("training", f"/v1/practitioners/{shown['id']}/personal-data")
    assert (await suite.http.get(personal, headers=token_for("caizheng", "441800"))).status_code == 403
    assert (await suite.http.get(personal, headers=token_for("xiaofang", "441802"))).status_code == 403
    full = await suite.http.get(personal, headers=token_for(*HR))
    assert full.json() == {"id": shown["id"], "id_number": number, "phone": "13712345678"}
    audit = suite.runtime("training").tables.audit_log  # type: ignore[union-attr]
    async with suite.runtime("training").db.reading() as session:
        views = (await session.execute(sa.select(audit.c.actor).where(audit.c.action == "view_personal_data", audit.c.key == shown["id"]))).all()
    assert [v.actor for v in views] == ["renshe-441800-test"]

    feed = await suite.http.get(suite.url("training", "/v1/events"), params={"limit": 1000}, headers=token_for(None, "441800", "service", kind="service"))
    assert mask_resident_id(number) in feed.text
    assert number not in feed.text and "13712345678" not in feed.text
    lookup = await suite.http.post(suite.url("training", "/v1/practitioners/lookup"), json={"id_number": number}, headers=token_for(*HEALTH))
    assert lookup.json()["id"] == shown["id"]

    # the registration leaves, and the register refuses its employer
    await suite.http.post(
        suite.url("registration", f"/v1/registrations/{uscc}/deregistration"),
        json={"on": today_in_china().isoformat(), "reason": "停办"},
        headers=token_for("minzheng", "441802"),
    )

    async def refused() -> bool:
        response = await suite.http.post(url, json={**body, "id_number": new_resident_id()}, headers=token_for(*HEALTH))
        return response.status_code == 422 and response.json()["errors"][0]["rule"] == "active_employer"

    await eventually(refused, what="the deregistered employer refused")
    logged = capfd.readouterr()
    assert number not in logged.out + logged.err


async def test_compliance_for_an_institution_with_known_classes_and_staff(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, infant=10, toddler=15, older_toddler=20)  # 4 + 3 + 3 carers
    carers = [await hire(suite, token_for, uscc) for _ in range(8)]
    for carer in carers:
        assert (await certify(suite, token_for, carer)).status_code == 201
    uncertified = await hire(suite, token_for, uscc, "baoyuyuan")
    volunteer = await hire(suite, token_for, uscc, "baoyuyuan", volunteer=True)
    assert (await certify(suite, token_for, volunteer)).status_code == 201
    cook = await hire(suite, token_for, uscc, "cook")
    duplicate = await certify(suite, token_for, uncertified, number=f"S{carers[0]['id'][:12]}")
    assert duplicate.status_code == 409

    today = today_in_china()
    for person in [*carers, uncertified]:
        check = {"practitioner_id": person["id"], "checked_on": today.isoformat(), "result": "fit", "examiner": "清城区妇幼保健院"}
        assert (await suite.http.post(suite.url("training", "/v1/health-checks"), json=check, headers=token_for(*HEALTH))).status_code == 201
    stale = {"practitioner_id": cook["id"], "checked_on": (today - dt.timedelta(days=400)).isoformat(), "result": "fit", "examiner": "某医院"}
    assert (await suite.http.post(suite.url("training", "/v1/health-checks"), json=stale, headers=token_for(*HEALTH))).status_code == 201

    report = (await suite.http.get(suite.url("training", "/v1/compliance"), params={"uscc": uscc}, headers=token_for(*HEALTH))).json()
    assert report["required_by_class"] == {"infant": 4, "toddler": 3, "older_toddler": 3}
    assert (report["required_carers"], report["carers"], report["certified_carers"]) == (10, 9, 8)
    assert (report["staff"], report["health_checks_valid"], report["in_service_done"]) == (10, 9, 0)
    assert report["compliant"] is False and len(report["gaps"]) == 2

    lapsed = (await suite.http.get(suite.url("training", "/v1/health-checks/lapsed"), params={"uscc": uscc}, headers=token_for(*HEALTH))).json()
    assert [p["practitioner_id"] for p in lapsed] == [cook["id"]]
    assert lapsed[0]["valid_until"] == health_check_valid_until(today - dt.timedelta(days=400)).isoformat()

    async def supervision_sees() -> dict | None:
        staffing = (await suite.http.get(suite.url("inspection", f"/v1/staffing/{uscc}"), headers=token_for(*HEALTH))).json()
        return staffing if staffing["certified_carers"] == 8 and staffing["health_checks_valid"] == 9 else None

    staffing = await eventually(supervision_sees, what="the staffing facts on the supervision side")
    assert (staffing["staff"], staffing["carers"]) == (10, 9)

    left = await suite.http.post(
        suite.url("training", f"/v1/practitioners/{carers[0]['id']}/departure"),
        json={"left_on": today.isoformat(), "reason": "辞职"},
        headers=token_for(*HEALTH),
    )
    assert left.status_code == 200 and left.json()["status"] == "left"
    after = (await suite.http.get(suite.url("training", "/v1/compliance"), params={"uscc": uscc}, headers=token_for(*HEALTH))).json()
    assert after["certified_carers"] == 7


async def test_a_certificate_reaches_the_subsidy_side(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, toddler=5)
    carer = await hire(suite, token_for, uscc, "baoyuyuan")
    issued = await certify(suite, token_for, carer, level=2)
    assert issued.status_code == 201
    assert (await certify(suite, token_for, {**carer, "id": carer["id"]}, level=9)).status_code == 422

    async def known() -> list:
        response = await suite.http.get(suite.url("subsidy", "/v1/certificates"), params={"practitioner_id": carer["id"]}, headers=token_for("caizheng", "441800"))
        return response.json() if response.status_code == 200 else []

    facts = await eventually(known, what="the certificate on the subsidy side")
    assert facts[0]["certificate_id"] == issued.json()["id"]
    assert (facts[0]["occupation"], facts[0]["level"], facts[0]["employer_uscc"]) == ("baoyuyuan", 2, uscc)


async def course_session(suite: InProcessSuite, token_for, capacity: int, hours: int = 8) -> str:  # type: ignore[no-untyped-def]
    today = today_in_china()
    course = await suite.http.post(
        suite.url("training", "/v1/courses"),
        json={"code": f"YY-{new_resident_id()[-8:]}", "title": "育婴员在职培训", "occupation": "yuyingyuan", "hours": hours},
        headers=token_for(*HR),
    )
    assert course.status_code == 201, course.text
    session = await suite.http.post(
        suite.url("training", f"/v1/courses/{course.json()['id']}/sessions"),
        json={"county": "441802", "location": "清远市职业技术学院", "starts_on": today.isoformat(), "ends_on": today.isoformat(), "capacity": capacity},
        headers=token_for(*HR),
    )
    assert session.status_code == 201, session.text
    return session.json()["id"]


async def test_enrolment_beyond_capacity_is_refused_and_completion_issues_the_certificate(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, toddler=10)
    people = [await hire(suite, token_for, uscc) for _ in range(3)]
    session_id = await course_session(suite, token_for, capacity=2)
    url = suite.url("training", f"/v1/sessions/{session_id}/enrolments")
    first = await suite.http.post(url, json={"practitioner_id": people[0]["id"]}, headers=token_for(*HR))
    assert first.status_code == 201
    assert (await suite.http.post(url, json={"practitioner_id": people[0]["id"]}, headers=token_for(*HR))).status_code == 409
    assert (await suite.http.post(url, json={"practitioner_id": people[1]["id"]}, headers=token_for(*HR))).status_code == 201
    full = await suite.http.post(url, json={"practitioner_id": people[2]["id"]}, headers=token_for(*HR))
    assert full.status_code == 409 and full.json()["type"] == "urn:tuoyu:problem:session-full"

    enrolment = first.json()["id"]
    completion = suite.url("training", f"/v1/enrolments/{enrolment}/completion")
    assert (await suite.http.post(completion, headers=token_for(*HR))).status_code == 422  # no hours yet
    attended = await suite.http.post(
        suite.url("training", f"/v1/enrolments/{enrolment}/attendance"), json={"on": today_in_china().isoformat(), "hours": 8}, headers=token_for(*HR)
    )
    assert attended.json()["attended_hours"] == 8
    done = await suite.http.post(completion, headers=token_for(*HR))
    assert done.status_code == 200 and done.json()["certificate_id"]
    certificates = (await suite.http.get(suite.url("training", f"/v1/practitioners/{people[0]['id']}/certificates"), headers=token_for(*HR))).json()
    assert [c["kind"] for c in certificates] == ["training"]


async def test_concurrent_enrolments_never_overfill_a_session(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, toddler=50)
    people = await asyncio.gather(*(hire(suite, token_for, uscc) for _ in range(20)))
    session_id = await course_session(suite, token_for, capacity=5)
    url = suite.url("training", f"/v1/sessions/{session_id}/enrolments")
    answers = await asyncio.gather(*(suite.http.post(url, json={"practitioner_id": p["id"]}, headers=token_for(*HR)) for p in people))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 5 and codes.count(409) == 15, codes
    seats = (await suite.http.get(suite.url("training", f"/v1/sessions/{session_id}"), headers=token_for(*HR))).json()
    assert seats["enrolled"] == 5


async def test_skill_competitions_record_their_results(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, toddler=5)
    winner = await hire(suite, token_for, uscc)
    body = {"name": "2026年清远市育婴员职业技能大赛", "occupation": "yuyingyuan", "held_on": today_in_china().isoformat(), "results": [{"practitioner_id": winner["id"], "rank": 1, "award": "一等奖"}]}
    created = await suite.http.post(suite.url("training", "/v1/competitions"), json=body, headers=token_for(*HR))
    assert created.status_code == 201
    unknown = {**body, "results": [{"practitioner_id": "nobody", "rank": 2, "award": "二等奖"}]}
    assert (await suite.http.post(suite.url("training", "/v1/competitions"), json=unknown, headers=token_for(*HR))).status_code == 422
    fetched = (await suite.http.get(suite.url("training", f"/v1/competitions/{created.json()['id']}"), headers=token_for(*HR))).json()
    assert fetched["results"][0]["award"] == "一等奖"
