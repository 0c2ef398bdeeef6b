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


async def employer(suite: InProcessSuite, token_for, region: str = "441802", **places: int) -> str:  # type: ignore[no-untyped-def]
    """A registered institution the workforce service has heard of."""
    body_places = {"infant": 0, "toddler": 0, "older_toddler": 0, **places}
    made = await register(suite, token_for, registrar="minzheng", region=region, places=body_places)
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
    mistyped = number[:17] + ("0" if number[17] != "0" else "1")
    body = {"id_number": mistyped, "name": "张三", "occupation": "baoyuyuan", "employer_uscc": uscc, "hired_on": today_in_china().isoformat()}
    url = suite.url("training", "/v1/practitioners")
    capfd.readouterr()
    bad_id = await suite.http.post(url, json=body, headers=token_for(*HEALTH))
    refusal = capfd.readouterr()  # the refusal is logged with the number, which the logs mask
    assert mask_resident_id(mistyped) in refusal.out + refusal.err and mistyped not in refusal.out + refusal.err
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
    lookup = await suite.http.post(suite.url("training", "/v1/practitioners/lookup"), json={"id_number": number.lower()}, headers=token_for(*HEALTH))
    assert lookup.json()["id"] == shown["id"]  # a lowercase x is the same number
    async with suite.runtime("training").db.reading() as session:
        lookups = (await session.execute(sa.select(audit.c.actor).where(audit.c.action == "lookup", audit.c.key == shown["id"]))).all()
    assert [v.actor for v in lookups] == ["weijian-441802-test"]  # it confirms the number is on the register

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
        trained = {"year": today.year, "hours": 20, "source": "清远市卫生保健培训"}
        recorded = await suite.http.post(suite.url("training", f"/v1/practitioners/{person['id']}/in-service"), json=trained, headers=token_for(*HEALTH))
        assert recorded.status_code == 201, recorded.text
    stale = {"practitioner_id": cook["id"], "checked_on": (today - dt.timedelta(days=400)).isoformat(), "result": "fit", "examiner": "某医院"}
    assert (await suite.http.post(suite.url("training", "/v1/health-checks"), json=stale, headers=token_for(*HEALTH))).status_code == 201

    report = (await suite.http.get(suite.url("training", "/v1/compliance"), params={"uscc": uscc}, headers=token_for(*HEALTH))).json()
    assert report["required_by_class"] == {"infant": 4, "toddler": 3, "older_toddler": 3}
    assert (report["required_carers"], report["carers"], report["certified_carers"]) == (10, 9, 8)
    assert (report["staff"], report["health_checks_valid"], report["in_service_done"]) == (10, 9, 9)
    assert report["compliant"] is False
    assert report["gaps"] == ["持证保育人员8人，按班级托位需10人", "1人健康检查不在有效期内", "1人未完成年度在职培训"]

    lapsed = (await suite.http.get(suite.url("training", "/v1/health-checks/lapsed"), params={"uscc": uscc}, headers=token_for(*HEALTH))).json()["items"]
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
        return response.json()["items"] if response.status_code == 200 else []

    facts = await eventually(known, what="the certificate on the subsidy side")
    assert facts[0]["certificate_id"] == issued.json()["id"]
    assert (facts[0]["occupation"], facts[0]["level"], facts[0]["employer_uscc"]) == ("baoyuyuan", 2, uscc)


async def course_session(suite: InProcessSuite, token_for, capacity: int, hours: int = 8, on: dt.date | None = None, days: int = 1) -> str:  # type: ignore[no-untyped-def]
    starts = on or today_in_china()
    course = await suite.http.post(
        suite.url("training", "/v1/courses"),
        json={"code": f"YY-{new_resident_id()[-8:]}", "title": "育婴员在职培训", "occupation": "yuyingyuan", "hours": hours},
        headers=token_for(*HR),
    )
    assert course.status_code == 201, course.text
    session = await suite.http.post(
        suite.url("training", f"/v1/courses/{course.json()['id']}/sessions"),
        json={"county": "441802", "location": "清远市职业技术学院", "starts_on": starts.isoformat(), "ends_on": (starts + dt.timedelta(days=days - 1)).isoformat(), "capacity": capacity},
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
    assert [c["kind"] for c in certificates["items"]] == ["training"] and certificates["next"] is None


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


async def test_an_unfit_health_check_ends_an_earlier_fit_one(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, toddler=5)  # 1 carer
    carer = await hire(suite, token_for, uscc)
    assert (await certify(suite, token_for, carer)).status_code == 201
    today = today_in_china()

    async def check(result: str, on: dt.date) -> None:
        body = {"practitioner_id": carer["id"], "checked_on": on.isoformat(), "result": result, "examiner": "清城区妇幼保健院"}
        assert (await suite.http.post(suite.url("training", "/v1/health-checks"), json=body, headers=token_for(*HEALTH))).status_code == 201

    async def figures() -> tuple[int, list[str], list[dict]]:
        report = (await suite.http.get(suite.url("training", "/v1/compliance"), params={"uscc": uscc}, headers=token_for(*HEALTH))).json()
        lapsed = (await suite.http.get(suite.url("training", "/v1/health-checks/lapsed"), params={"uscc": uscc}, headers=token_for(*HEALTH))).json()
        return report["health_checks_valid"], report["gaps"], lapsed["items"]

    await check("fit", today - dt.timedelta(days=10))
    valid, gaps, lapsed = await figures()
    assert valid == 1 and lapsed == []
    await check("unfit", today)
    valid, gaps, lapsed = await figures()
    assert valid == 0 and "1人健康检查不在有效期内" in gaps
    assert [(p["practitioner_id"], p["result"], p["valid_until"]) for p in lapsed] == [(carer["id"], "unfit", health_check_valid_until(today).isoformat())]
    checks = (await suite.http.get(suite.url("training", f"/v1/practitioners/{carer['id']}/health-checks"), headers=token_for(*HEALTH))).json()
    assert sorted(c["result"] for c in checks["items"]) == ["fit", "unfit"] and checks["next"] is None


async def test_someone_who_left_is_found_and_rehired_by_another_county(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    first, other = await employer(suite, token_for, toddler=5), await employer(suite, token_for, "441803", toddler=5)
    person = await hire(suite, token_for, first)
    there = token_for("weijian", "441803")
    lookup_url, hire_url = suite.url("training", "/v1/practitioners/lookup"), suite.url("training", f"/v1/practitioners/{person['id']}/hire")
    today = today_in_china().isoformat()
    # employed in 441802: the register of 441803 does not show them, nor can it hire them
    assert (await suite.http.post(lookup_url, json={"id_number": person["id_number"]}, headers=there)).status_code == 404
    assert (await suite.http.post(hire_url, json={"employer_uscc": other, "hired_on": today}, headers=there)).status_code == 404
    left = await suite.http.post(
        suite.url("training", f"/v1/practitioners/{person['id']}/departure"), json={"left_on": today, "reason": "辞职"}, headers=token_for(*HEALTH)
    )
    assert left.status_code == 200
    found = await suite.http.post(lookup_url, json={"id_number": person["id_number"]}, headers=there)
    assert found.status_code == 200 and found.json()["id"] == person["id"]
    # 441803 hires them for an institution of its own county, not for one of 441802
    assert (await suite.http.post(hire_url, json={"employer_uscc": first, "hired_on": today}, headers=there)).status_code == 403
    rehired = await suite.http.post(hire_url, json={"employer_uscc": other, "hired_on": today, "rehired_retiree": True}, headers=there)
    assert rehired.status_code == 200, rehired.text
    assert (rehired.json()["employer_uscc"], rehired.json()["status"], rehired.json()["rehired_retiree"]) == (other, "employed", True)
    assert (await suite.http.get(suite.url("training", f"/v1/practitioners/{person['id']}"), headers=token_for(*HEALTH))).status_code == 404
    assert (await suite.http.get(suite.url("training", f"/v1/practitioners/{person['id']}"), headers=there)).status_code == 200


async def test_a_practitioner_is_corrected_audited_and_announced(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, toddler=5)
    person = await hire(suite, token_for, uscc)
    url = suite.url("training", f"/v1/practitioners/{person['id']}")
    amended = await suite.http.patch(url, json={"phone": "13800001111", "volunteer": True}, headers=token_for(*HEALTH))
    assert amended.status_code == 200, amended.text
    assert (amended.json()["phone_masked"], amended.json()["volunteer"]) == ("138****1111", True)
    refused = await suite.http.patch(url, json={"name": None}, headers=token_for(*HEALTH))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "name"
    audit = suite.runtime("training").tables.audit_log  # type: ignore[union-attr]
    async with suite.runtime("training").db.reading() as session:
        row = (await session.execute(sa.select(audit).where(audit.c.action == "amend", audit.c.key == person["id"]))).one()
    assert "13800001111" not in str(row._mapping) and "13912345678" not in str(row._mapping)
    assert "138****1111" in str(row._mapping) and "139****5678" in str(row._mapping)

    async def announced() -> list[dict]:  # the feed shows an event once the relay has placed it
        feed = await suite.http.get(
            suite.url("training", "/v1/events"), params={"topic": "tuoyu.training.practitioner", "limit": 1000}, headers=token_for(None, "441800", "service", kind="service")
        )
        assert "13800001111" not in feed.text
        return [i["event"] for i in feed.json()["items"] if i["event"]["type"].endswith(".amended.v1") and i["event"]["subject"] == person["id"]]

    events = await eventually(announced, what="the correction announced")
    assert len(events) == 1 and events[0]["data"]["volunteer"] is True

    async def supervision_counts_no_staff() -> bool:  # a volunteer counts for nothing in the ratios
        staffing = await suite.http.get(suite.url("inspection", f"/v1/staffing/{uscc}"), headers=token_for(*HEALTH))
        return staffing.status_code == 200 and staffing.json()["staff"] == 0

    await eventually(supervision_counts_no_staff, what="the supervision side no longer counting the volunteer")


async def test_enrolment_attendance_and_in_service_hours(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, toddler=10)
    staying, leaving = await hire(suite, token_for, uscc), await hire(suite, token_for, uscc)
    await suite.http.post(
        suite.url("training", f"/v1/practitioners/{leaving['id']}/departure"),
        json={"left_on": today_in_china().isoformat(), "reason": "辞职"},
        headers=token_for(*HEALTH),
    )
    last_year = dt.date(today_in_china().year - 1, 12, 30)
    session_id = await course_session(suite, token_for, capacity=5, hours=8, on=last_year)
    enrolments = suite.url("training", f"/v1/sessions/{session_id}/enrolments")
    gone = await suite.http.post(enrolments, json={"practitioner_id": leaving["id"]}, headers=token_for(*HR))
    assert gone.status_code == 409 and gone.json()["type"] == "urn:tuoyu:problem:not-employed"
    enrolment = (await suite.http.post(enrolments, json={"practitioner_id": staying["id"]}, headers=token_for(*HR))).json()["id"]
    listed = (await suite.http.get(enrolments, headers=token_for(*HR))).json()
    assert [e["id"] for e in listed["items"]] == [enrolment] and listed["next"] is None

    attendance = suite.url("training", f"/v1/enrolments/{enrolment}/attendance")
    assert (await suite.http.post(attendance, json={"on": last_year.isoformat(), "hours": 6}, headers=token_for(*HR))).status_code == 200
    twice = await suite.http.post(attendance, json={"on": last_year.isoformat(), "hours": 2}, headers=token_for(*HR))
    assert twice.status_code == 409 and twice.json()["type"] == "urn:tuoyu:problem:attendance-recorded"
    fetched = (await suite.http.get(suite.url("training", f"/v1/enrolments/{enrolment}"), headers=token_for(*HR))).json()
    assert fetched["attended_hours"] == 6
    done = await suite.http.post(suite.url("training", f"/v1/enrolments/{enrolment}/completion"), headers=token_for(*HR))
    assert done.status_code == 422  # 6 of 8 hours

    second_day = await course_session(suite, token_for, capacity=5, hours=8, on=last_year, days=2)
    enrolment = (await suite.http.post(suite.url("training", f"/v1/sessions/{second_day}/enrolments"), json={"practitioner_id": staying["id"]}, headers=token_for(*HR))).json()["id"]
    attendance = suite.url("training", f"/v1/enrolments/{enrolment}/attendance")
    assert (await suite.http.post(attendance, json={"on": last_year.isoformat(), "hours": 6}, headers=token_for(*HR))).status_code == 200
    beyond = await suite.http.post(attendance, json={"on": (last_year + dt.timedelta(days=1)).isoformat(), "hours": 6}, headers=token_for(*HR))
    assert beyond.status_code == 422 and beyond.json()["errors"][0]["rule"] == "within_course_hours"
    assert (await suite.http.post(attendance, json={"on": (last_year + dt.timedelta(days=1)).isoformat(), "hours": 2}, headers=token_for(*HR))).status_code == 200
    assert (await suite.http.post(suite.url("training", f"/v1/enrolments/{enrolment}/completion"), headers=token_for(*HR))).status_code == 200

    # credited to the year the session was held, though completed this year
    in_service = suite.url("training", f"/v1/practitioners/{staying['id']}/in-service")
    trained = {"year": today_in_china().year, "hours": 4, "source": "清远市卫生保健培训"}
    assert (await suite.http.post(in_service, json=trained, headers=token_for(*HEALTH))).status_code == 201
    future = await suite.http.post(in_service, json={**trained, "year": today_in_china().year + 1}, headers=token_for(*HEALTH))
    assert future.status_code == 422
    years = (await suite.http.get(in_service, headers=token_for(*HEALTH))).json()
    assert [(y["year"], y["hours"]) for y in years["items"]] == [(today_in_china().year, 4), (last_year.year, 8)]
    one = (await suite.http.get(in_service, params={"year": last_year.year}, headers=token_for(*HEALTH))).json()
    assert [(y["year"], y["hours"], y["done"]) for y in one["items"]] == [(last_year.year, 8, False)]


async def test_lists_are_paged(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, toddler=10)
    people = [await hire(suite, token_for, uscc) for _ in range(3)]
    for person in people:
        await certify(suite, token_for, person)
    seen, after = [], None
    while True:
        params = {"limit": 2, **({"after": after} if after else {})}
        page = (await suite.http.get(suite.url("training", "/v1/health-checks/lapsed"), params={"uscc": uscc, **params}, headers=token_for(*HEALTH))).json()
        seen += [p["practitioner_id"] for p in page["items"]]
        if (after := page["next"]) is None:
            break
    assert sorted(seen) == sorted(p["id"] for p in people)
    courses = (await suite.http.get(suite.url("training", "/v1/courses"), params={"limit": 1}, headers=token_for(*HR))).json()
    assert set(courses) == {"items", "next"}


async def test_competition_results_are_bounded_and_listed(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, toddler=5)
    winner = await hire(suite, token_for, uscc)
    url = suite.url("training", "/v1/competitions")
    held = today_in_china()
    body = {"name": "2026年清远市保育员职业技能大赛", "occupation": "baoyuyuan", "held_on": held.isoformat(), "results": [{"practitioner_id": winner["id"], "rank": 2**64, "award": "一等奖"}]}
    huge = await suite.http.post(url, json=body, headers=token_for(*HR))
    assert huge.status_code == 422 and huge.json()["errors"][0]["field"].endswith("rank")
    twice = {**body, "results": [{"practitioner_id": winner["id"], "rank": 1, "award": "一等奖"}, {"practitioner_id": winner["id"], "rank": 2, "award": "二等奖"}]}
    refused = await suite.http.post(url, json=twice, headers=token_for(*HR))
    assert refused.status_code == 422 and refused.json()["errors"][0] == {
        "field": "results.1.practitioner_id",
        "rule": "once_per_competition",
        "message": f"{winner['id']} has a result already",
    }
    created = await suite.http.post(url, json={**body, "results": twice["results"][:1]}, headers=token_for(*HR))
    assert created.status_code == 201
    listed = (await suite.http.get(url, params={"year": held.year, "occupation": "baoyuyuan", "limit": 500}, headers=token_for(*HR))).json()
    assert created.json()["id"] in [c["id"] for c in listed["items"]]
    assert (await suite.http.get(url, params={"year": held.year - 1, "occupation": "baoyuyuan"}, headers=token_for(*HR))).json()["items"] == []


async def test_a_training_certificate_from_outside_the_catalogue_is_recorded(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    uscc = await employer(suite, token_for, toddler=5)
    carer = await hire(suite, token_for, uscc)
    body = {"practitioner_id": carer["id"], "kind": "training", "occupation": "yuyingyuan", "number": f"T{carer['id'][:12]}", "issued_on": today_in_china().isoformat()}
    url = suite.url("training", "/v1/certificates")
    assert (await suite.http.post(url, json={**body, "level": 3}, headers=token_for(*HR))).json()["errors"][0]["rule"] == "no_level_for_training"
    recorded = await suite.http.post(url, json=body, headers=token_for(*HR))
    assert recorded.status_code == 201 and recorded.json()["level"] is None
    levelled = await suite.http.post(url, json={**body, "kind": "skill_level", "number": "S1"}, headers=token_for(*HR))
    assert levelled.status_code == 422 and levelled.json()["errors"][0]["rule"] == "level_1_to_5"
