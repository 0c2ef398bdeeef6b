"""Credit, quality ratings, designation criteria, inspection records and operator matching."""

from __future__ import annotations

import datetime as dt

from inspection_svc.domain.checklists import CHECKLISTS
from inspection_svc.domain.credit import CreditRules, FindingRecord, appeal_decision_problem, credit_standing
from inspection_svc.domain.designation import InstitutionFacts, demonstration_criteria, inclusive_criteria, unmet
from inspection_svc.domain.evaluation import DOMAINS, rating_of
from inspection_svc.domain.inspection import (
    FindingFacts,
    Substitution,
    drawn_inspector_problems,
    follow_up_problems,
    inspection_problems,
    required_items,
)
from inspection_svc.domain.staffing import after_health_check
from inspection_svc.domain.unlicensed import name_key, same_operator

TODAY = dt.date(2026, 11, 28)
RULES = CreditRules(listing_days=365, repeat_count=3, repeat_window_days=365, clean_days=365)
SINCE = dt.date(2024, 1, 1)


def standing(findings: list[FindingRecord], cleared: dt.date | None, since: dt.date, today: dt.date, rules: CreditRules, inspected: dt.date | None = TODAY - dt.timedelta(days=30)) -> tuple[str, list[str]]:
    """The standing of an institution last inspected (by default) a month ago."""
    return credit_standing(findings, cleared, since, inspected, today, rules)


def f(severity: str, days_ago: int, open_: bool = False, fixed_after: int = 10) -> FindingRecord:
    raised = TODAY - dt.timedelta(days=days_ago)
    return FindingRecord(severity, raised, open_, "问题", None if open_ else raised + dt.timedelta(days=fixed_after))


def test_a_critical_finding_lists_the_institution_until_the_listing_period_ends() -> None:
    assert standing([f("critical", 10)], None, SINCE, TODAY, RULES)[0] == "dishonest"
    # listed no more, but clean only since the correction was verified 100 days after it
    assert standing([f("critical", 400, fixed_after=100)], None, SINCE, TODAY, RULES)[0] == "normal"
    assert standing([f("critical", 400, fixed_after=20)], None, SINCE, TODAY, RULES)[0] == "trustworthy"
    # … unless it is still not rectified
    assert standing([f("critical", 400, open_=True)], None, SINCE, TODAY, RULES)[0] == "dishonest"


def test_repeated_major_findings_are_a_serious_record() -> None:
    two = [f("major", 10), f("major", 100)]
    assert standing(two, None, SINCE, TODAY, RULES)[0] == "normal"
    status, reasons = standing([*two, f("major", 300)], None, SINCE, TODAY, RULES)
    assert status == "dishonest" and "屡次违规" in reasons[0]
    assert standing([*two, f("major", 400)], None, SINCE, TODAY, RULES)[0] == "normal"


def test_a_clean_record_earns_trust_and_an_upheld_appeal_clears_what_came_before() -> None:
    assert standing([], None, SINCE, TODAY, RULES)[0] == "trustworthy"
    assert standing([], None, TODAY - dt.timedelta(days=100), TODAY, RULES)[0] == "normal"
    assert standing([f("minor", 5, open_=True)], None, SINCE, TODAY, RULES)[0] == "normal"
    assert standing([f("major", 200)], None, SINCE, TODAY, RULES)[0] == "normal"
    cleared = TODAY - dt.timedelta(days=3)  # the filing day of an upheld appeal
    assert standing([f("critical", 10, open_=True)], cleared, SINCE, TODAY, RULES)[0] == "normal"
    assert standing([f("critical", 1)], cleared, SINCE, TODAY, RULES)[0] == "dishonest"


def test_time_alone_earns_no_trust_without_an_inspection_in_the_clean_period() -> None:
    assert standing([], None, SINCE, TODAY, RULES, inspected=None)[0] == "normal"  # never inspected
    assert standing([], None, SINCE, TODAY, RULES, inspected=SINCE - dt.timedelta(days=1))[0] == "normal"
    verified = TODAY - dt.timedelta(days=380)
    fixed = [FindingRecord("major", verified - dt.timedelta(days=10), False, "问题", verified)]
    assert standing(fixed, None, SINCE, TODAY, RULES, inspected=verified - dt.timedelta(days=10))[0] == "normal"  # only the inspection that found it
    status, reasons = standing(fixed, None, SINCE, TODAY, RULES, inspected=verified + dt.timedelta(days=5))
    assert status == "trustworthy" and "最近一次检查" in reasons[0]


def test_an_appeal_is_decided_by_the_listing_agency_or_health_and_not_by_its_filer() -> None:
    assert appeal_decision_problem("shichang", "b", "a", {"shichang"}) is None
    assert appeal_decision_problem("weijian", "b", "a", {"shichang"}) is None
    assert "listed the institution" in (appeal_decision_problem("xiaofang", "b", "a", {"shichang"}) or "")
    assert "filed by you" in (appeal_decision_problem("shichang", "a", "a", {"shichang"}) or "")


def test_ratings_from_the_seven_domains() -> None:
    assert rating_of(dict.fromkeys(DOMAINS, 95)) == "优秀"
    assert rating_of({**dict.fromkeys(DOMAINS, 95), "safety": 75}) == "良好"
    assert rating_of(dict.fromkeys(DOMAINS, 70)) == "合格"
    assert rating_of({**dict.fromkeys(DOMAINS, 99), "health": 59}) == "不合格"


FACTS = InstitutionFacts("active", "accepted", 2026, "良好", "normal", 0)


def test_each_demonstration_criterion_is_named_when_it_fails() -> None:
    assert unmet(demonstration_criteria(FACTS, 2026, "良好")) == []
    cases = {
        "filed": FACTS.__class__(**{**FACTS.__dict__, "filing_status": "returned"}),
        "inclusive": FACTS.__class__(**{**FACTS.__dict__, "inclusive_year": None}),
        "quality_rating": FACTS.__class__(**{**FACTS.__dict__, "latest_rating": "合格"}),
        "not_dishonest": FACTS.__class__(**{**FACTS.__dict__, "credit_status": "dishonest"}),
        "no_open_critical_finding": FACTS.__class__(**{**FACTS.__dict__, "open_critical_findings": 1}),
        "registered": FACTS.__class__(**{**FACTS.__dict__, "registration_status": "deregistered"}),
    }
    for name, facts in cases.items():
        assert [c.criterion for c in unmet(demonstration_criteria(facts, 2026, "良好"))] == [name]


def test_inclusive_recognition_against_the_fee_standard() -> None:
    assert unmet(inclusive_criteria(FACTS, 150000, 150000, 2026, 2026)) == []
    assert [c.criterion for c in unmet(inclusive_criteria(FACTS, 150001, 150000, 2026, 2026))] == ["fee_within_standard"]
    assert unmet(inclusive_criteria(FACTS, 150000, 150000, 2025, 2026)) == unmet(inclusive_criteria(FACTS, 150000, 150000, 2027, 2026)) == []
    assert [c.criterion for c in unmet(inclusive_criteria(FACTS, 150000, 150000, 2099, 2026))] == ["year"]
    assert [c.criterion for c in unmet(inclusive_criteria(FACTS, 150000, 150000, 2024, 2026))] == ["year"]


def test_an_inspection_record_keeps_to_its_agency_checklist() -> None:
    day = dt.date(2026, 11, 2)
    results = {"exits": "fail", "extinguishers": "pass"}
    ok = inspection_problems("xiaofang", day, ["A", "B"], results, [FindingFacts("exits", "major", day)], TODAY, ["exits", "extinguishers"])
    assert ok == []
    rules = {
        p.rule
        for p in inspection_problems(
            "xiaofang", day, ["A"], {"food_samples": "pass", "exits": "fail"}, [FindingFacts("alarm_system", "minor", day - dt.timedelta(days=1))], TODAY, []
        )
    }
    assert rules == {"at_least_two", "agency_checklist", "after_inspection", "failed_item_has_finding"}


def test_the_results_cover_the_checklist_of_the_kind_of_inspection() -> None:
    day = dt.date(2026, 11, 2)
    assert required_items("gongan", "spot_check", ["video_monitoring"]) == ["video_monitoring"]  # the plan's 一单
    assert required_items("gongan", "routine", None) == list(CHECKLISTS["gongan"])
    assert required_items("gongan", "complaint", None) == []
    missing = inspection_problems("gongan", day, ["A", "B"], {"surroundings": "pass"}, [], TODAY, required_items("gongan", "routine", None))
    assert [(p.field, p.rule) for p in missing] == [("results", "covers_checklist")]
    assert "video_monitoring" in missing[0].message
    empty = inspection_problems("gongan", day, ["A", "B"], {}, [], TODAY, [])
    assert [p.rule for p in empty] == ["not_empty"]


def test_a_spot_check_is_made_by_the_drawn_inspectors_or_a_recorded_substitute() -> None:
    drawn, eligible = ["F01", "F02"], {"F01", "F02", "F03"}  # F04 has a conflict with the institution
    assert drawn_inspector_problems(drawn, ["F02", "F01"], [], eligible) == []
    assert [p.rule for p in drawn_inspector_problems(drawn, ["F01", "F03"], [], eligible)] == ["drawn_inspectors"]
    assert drawn_inspector_problems(drawn, ["F01", "F03"], [Substitution("F02", "F03")], eligible) == []
    conflicted = drawn_inspector_problems(drawn, ["F01", "F04"], [Substitution("F02", "F04")], eligible)
    assert [(p.field, p.rule) for p in conflicted] == [("substitutions.0.by", "plan_inspector_without_conflict")]
    undrawn = drawn_inspector_problems(drawn, ["F01", "F02", "F03"], [Substitution("F09", "F03")], eligible)
    assert [p.rule for p in undrawn] == ["drawn_inspector"]


def test_a_follow_up_is_made_by_two_checks_each_finding_once_and_extends_with_a_later_deadline() -> None:
    day = dt.date(2026, 11, 2)
    assert follow_up_problems(["A", "B"], ["f1"], "rectified", day, None) == []
    assert follow_up_problems(["A", "B"], ["f1"], "not_rectified", day, None) == []
    assert follow_up_problems(["A", "B"], ["f1"], "extended", day, day + dt.timedelta(days=30)) == []
    assert [p.rule for p in follow_up_problems(["A"], ["f1", "f1"], "rectified", day, None)] == ["at_least_two", "each_once"]
    assert [p.rule for p in follow_up_problems(["A", "B"], ["f1"], "extended", day, day)] == ["extension_after_follow_up"]
    assert [p.rule for p in follow_up_problems(["A", "B"], ["f1"], "rectified", day, day + dt.timedelta(days=1))] == ["only_when_extended"]


def test_the_latest_health_check_by_date_decides() -> None:
    jan, jun, dec = dt.date(2026, 1, 5), dt.date(2026, 6, 5), dt.date(2027, 1, 5)
    fit_in_jan = after_health_check(None, None, jan, True, dec)
    assert fit_in_jan == (jan, dec)
    assert after_health_check(*fit_in_jan, jun, False, dec) == (jun, None)  # unfit after fit: no valid check
    assert after_health_check(jun, None, jan, True, dec) == (jun, None)  # an earlier fit check told late
    assert after_health_check(jan, dec, jan, False, dec) == (jan, None)  # same day: unfit prevails
    assert after_health_check(jan, None, jan, True, dec) == (jan, None)
    assert after_health_check(jun, None, dec, True, dt.date(2027, 12, 5)) == (dec, dt.date(2027, 12, 5))  # fit again later


def test_operators_match_by_name_whatever_the_punctuation() -> None:
    assert name_key("清城区 小太阳（托育）") == name_key("清城区小太阳(托育)")
    assert same_operator("小太阳托育", "441802", "小太阳 托育", "441802")
    assert not same_operator("小太阳托育", "441802", "小太阳托育", "441803")
