"""Filing conditions (备案) and the push-compliance figures, as plain functions."""

from __future__ import annotations

from inspection_svc.domain.filing import MATERIALS, unmet_conditions
from inspection_svc.domain.report import ComplianceRow, compliance_rows, totals

ALL = {m.key: True for m in MATERIALS}


def test_a_complete_filing_meets_the_conditions() -> None:
    assert unmet_conditions(ALL, serves_meals=True, hygiene_rating="合格") == []


def test_the_food_licence_is_needed_only_where_meals_are_served() -> None:
    without_food = {**ALL, "food_licence": False}
    assert unmet_conditions(without_food, serves_meals=False, hygiene_rating="合格") == []
    assert unmet_conditions(without_food, serves_meals=True, hygiene_rating="合格") == ["缺少食品经营许可证"]


def test_each_missing_material_and_a_failed_hygiene_evaluation_is_a_reason() -> None:
    reasons = unmet_conditions({**ALL, "fire_safety": False, "filing_form": False}, serves_meals=False, hygiene_rating="不合格")
    assert reasons == ["缺少备案书", "缺少消防安全检查合格证明", "卫生评价报告结论不是合格"]
    assert "卫生评价报告结论不是合格" in unmet_conditions(ALL, serves_meals=False, hygiene_rating=None)


def test_report_rows_join_registrars_and_inbox() -> None:
    registered = {("441802", "minzheng"): 5, ("441802", "shichang"): 2, ("441800", "bianban"): 1}
    received = {("441802", "minzheng"): (3, 1), ("441800", "bianban"): (0, 1), ("441803", "jiaoyu"): (1, 0)}
    rows = compliance_rows(registered, received)
    assert rows == [
        ComplianceRow("441800", "bianban", 1, 0, 1, 0),
        ComplianceRow("441802", "minzheng", 5, 3, 1, 1),
        ComplianceRow("441802", "shichang", 2, 0, 0, 2),
        ComplianceRow("441803", "jiaoyu", 0, 1, 0, 0),  # received, though the count did not include it
    ]
    assert rows[1].same_month_rate == 0.6
    assert rows[3].same_month_rate is None
    assert totals(rows, "441800") == ComplianceRow("441800", "all", 8, 4, 2, 3)
