"""The joint meeting's tracker as plain rules: shares, the city's row, coverage, target standing and
which department sees which indicators."""

from __future__ import annotations

import datetime as dt

from inspection_svc.domain import tracker as T
from shared.departments import DEPARTMENTS
from shared.regions import CITY, COUNTIES
from shared.standards import required_carers


def test_a_share_of_nothing_is_unknown_not_zero() -> None:
    assert T.share(3, 4) == 0.75
    assert T.share(0, 0) is None
    row = T.with_shares({"registered": 4, "received_same_month": 3, "paid_fen": 0, "budget_fen": 0})
    assert row["same_month_rate"] == 0.75 and row["paid_share"] is None and row["institutions"] == 0


def test_the_city_row_adds_the_counties_and_its_own_lines() -> None:
    counties = {"441802": {"places": 30, "budget_fen": 100, "paid_fen": 50}, "441803": {"places": 20, "budget_fen": 100}}
    city = T.city_total(counties, {"budget_fen": 200, "paid_fen": 150})
    assert (city["places"], city["budget_fen"], city["paid_fen"], city["paid_share"]) == (50, 400, 200, 0.5)


def test_coverage_counts_only_inspections_under_the_plan_that_drew_the_institution() -> None:
    drawn = [("p1", "A", "441802"), ("p1", "B", "441802"), ("p2", "A", "441802"), ("p2", "C", "441803")]
    done = {("p1", "A"), ("p3", "B"), ("p2", "C")}
    assert T.coverage(drawn, done) == {"441802": {"drawn": 3, "inspected": 1}, "441803": {"drawn": 1, "inspected": 1}}


def test_a_target_stands_by_its_window_and_every_region_it_covers() -> None:
    each = T.Target("t", "t", "", "demonstration_sites", "each_county", 1, 2021, 2022)
    rows = {c: {"demonstration_sites": 1} for c in COUNTIES}
    assert T.standing(each, 2020, rows).status == "upcoming"
    assert T.standing(each, 2021, rows).status == "met"
    rows["441882"] = {"demonstration_sites": 0}
    assert T.standing(each, 2022, rows).status == "in_progress"
    late = T.standing(each, 2023, rows)
    assert late.status == "overdue" and [r for r, _, ok in late.regions if not ok] == ["441882"]
    # a county's own view judges that county alone
    assert T.standing(each, 2023, {"441802": {"demonstration_sites": 1}}).status == "met"


def test_a_share_target_is_set_in_percent() -> None:
    target = T.Target("t", "t", "", "same_month_rate", "city", 95, 2020, 2025)
    assert T.standing(target, 2024, {CITY: {"same_month_rate": 0.96}}).status == "met"
    assert T.standing(target, 2024, {CITY: {"same_month_rate": 0.9}}).status == "in_progress"
    assert T.standing(target, 2024, {CITY: {"same_month_rate": None}}).status == "in_progress"


def test_the_plans_milestones_are_seeded_on_known_indicators() -> None:
    assert {t.indicator for t in T.PLAN_MILESTONES} <= set(T.BY_KEY)
    assert [(t.from_year, t.due_year) for t in T.PLAN_MILESTONES][:3] == [(2020, 2020), (2020, 2020), (2021, 2022)]


def test_each_member_sees_the_indicators_of_its_duty() -> None:
    assert T.visible_groups("weijian") == T.ALL
    assert T.visible_groups("evaluator") == ()  # not a member of the joint meeting
    assert T.visible_groups("evaluator", admin=True) == T.ALL
    assert "subsidy" in T.visible_groups("caizheng") and "inspection" not in T.visible_groups("caizheng")
    assert "inspection" in T.visible_groups("xiaofang") and "subsidy" not in T.visible_groups("xiaofang")
    assert set(T.DUTIES) <= set(DEPARTMENTS) and all(set(g) <= set(T.GROUPS) for g in T.DUTIES.values())
    assert all("supply" in groups for groups in T.DUTIES.values())


def test_a_past_year_closes_at_its_end_and_the_current_one_stands_today() -> None:
    today = dt.date(2026, 11, 28)
    assert T.as_of(2024, today) == dt.date(2024, 12, 31) and T.as_of(2026, today) == today


def test_required_carers_follow_the_standard() -> None:
    assert required_carers({"infant": 10, "toddler": 11, "older_toddler": 7}) == {"infant": 4, "toddler": 3, "older_toddler": 1}
