"""Workforce rules: practitioners, certificates, health checks, staffing compliance, masking."""

from __future__ import annotations

import datetime as dt
import json

from shared.logging import configure_logging, mask_personal_data
from shared.validators import mask_phone, mask_resident_id
from tests.factories import new_resident_id
from training_svc.domain.compliance import StaffMember, required_carers, staffing_compliance
from training_svc.domain.workforce import certificate_problems, health_check_holds, health_check_valid_until, practitioner_problems

TODAY = dt.date(2026, 11, 28)


def test_a_practitioner_needs_a_valid_resident_id() -> None:
    good = new_resident_id()
    assert practitioner_problems(good, TODAY, TODAY) == []
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert [p.rule for p in practitioner_problems(bad, TODAY, TODAY)] == ["resident_id_check_digit"]
    assert [p.rule for p in practitioner_problems(good, TODAY + dt.timedelta(days=1), TODAY)] == ["not_in_future"]


def test_nobody_under_sixteen_is_hired() -> None:
    fifteen = new_resident_id(dt.date(2010, 11, 29))  # sixteen tomorrow
    assert [p.rule for p in practitioner_problems(fifteen, TODAY, TODAY)] == ["minimum_working_age"]
    assert practitioner_problems(fifteen, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=1)) == []


def test_levels_belong_to_qualifications_not_training_certificates() -> None:
    assert certificate_problems("skill_level", 3, TODAY, TODAY) == []
    assert [p.rule for p in certificate_problems("qualification", 6, TODAY, TODAY)] == ["level_1_to_5"]
    assert [p.rule for p in certificate_problems("training", 3, TODAY, TODAY)] == ["no_level_for_training"]


def test_a_health_check_holds_for_a_year() -> None:
    assert health_check_valid_until(dt.date(2026, 3, 15)) == dt.date(2027, 3, 14)
    assert health_check_valid_until(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)


def test_only_the_latest_health_check_counts_and_only_when_fit() -> None:
    assert health_check_holds(("fit", TODAY), TODAY)
    assert not health_check_holds(("fit", TODAY - dt.timedelta(days=1)), TODAY)
    assert not health_check_holds(("unfit", TODAY + dt.timedelta(days=300)), TODAY)
    assert not health_check_holds(None, TODAY)


def member(occupation: str = "yuyingyuan", *, certified: bool = True, healthy: bool = True, hours: int = 20, volunteer: bool = False) -> StaffMember:
    return StaffMember(occupation, volunteer, certified, healthy, hours)


def test_compliance_for_known_classes_and_staff() -> None:
    places = {"infant": 10, "toddler": 15, "older_toddler": 20}
    assert required_carers(places) == {"infant": 4, "toddler": 3, "older_toddler": 3}
    staff = [
        *(member() for _ in range(8)),
        member("baoyuyuan", certified=False),
        member("baoyuyuan", volunteer=True),  # volunteers are not staff
        member("cook", certified=False, healthy=False, hours=4),
    ]
    result = staffing_compliance(places, staff, 20)
    assert (result.required_carers, result.carers, result.certified_carers) == (10, 9, 8)
    assert (result.staff, result.health_checks_valid, result.in_service_done) == (10, 9, 9)
    assert not result.compliant
    assert result.gaps == ["持证保育人员8人，按班级托位需10人", "1人健康检查不在有效期内", "1人未完成年度在职培训"]
    enough = staffing_compliance(places, [member() for _ in range(10)], 20)
    assert enough.compliant


def test_in_service_training_short_of_the_year_is_a_gap() -> None:
    places = {"infant": 0, "toddler": 5, "older_toddler": 0}
    result = staffing_compliance(places, [member(), member("cook", certified=False, hours=19), member(volunteer=True, hours=0)], 20)
    assert result.in_service_done == 1
    assert result.gaps == ["1人未完成年度在职培训"]  # 三(四)2; the volunteer is not staff


def test_masks_keep_only_the_ends() -> None:
    number = new_resident_id(dt.date(1990, 5, 17))
    assert mask_resident_id(number) == number[:3] + "*" * 11 + number[-4:]
    assert mask_phone("13812345678") == "138****5678"
    assert number not in mask_personal_data(f"someone logged {number} and 13812345678")
    assert "13812345678" not in mask_personal_data("call 13812345678")


def test_logs_never_carry_a_full_id_number(capsys) -> None:  # type: ignore[no-untyped-def]
    import logging

    import structlog

    configure_logging("INFO")
    number = new_resident_id()
    structlog.get_logger("test").warning("practitioner registered", id_number=number, note=f"ID {number}")
    logging.getLogger("uvicorn.error").warning("request with %s", number)
    written = capsys.readouterr().err
    assert number not in written
    assert mask_resident_id(number) in written
    assert json.loads(written.splitlines()[0])["id_number"] == mask_resident_id(number)
