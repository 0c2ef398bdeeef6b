"""Credit, quality ratings, designation criteria, inspection records and operator matching."""

from __future__ import annotations

import datetime as dt

from inspection_svc.domain.credit import CreditRules, FindingRecord, appeal_decision_problem, credit_standing
from inspection_svc.domain.designation import InstitutionFacts, demonstration_criteria, inclusive_criteria, unmet
from inspection_svc.domain.evaluation import DOMAINS, rating_of
from inspection_svc.domain.inspection import FindingFacts, inspection_problems
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
    assert unmet(inclusive_criteria(FACTS, 150000, 150000)) == []
    assert [c.criterion for c in unmet(inclusive_criteria(FACTS, 150001, 150000))] == ["fee_within_standard"]


def test_an_inspection_record_keeps_to_its_agency_checklist() -> None:
    day = dt.date(2026, 11, 2)
    ok = inspection_problems("xiaofang", day, ["A", "B"], {"exits": "fail", "extinguishers": "pass"}, [FindingFacts("exits", "major", day)], TODAY)
    assert ok == []
    rules = {
        p.rule
        for p in inspection_problems(
            "xiaofang", day, ["A"], {"food_samples": "pass", "exits": "fail"}, [FindingFacts("alarm_system", "minor", day - dt.timedelta(days=1))], TODAY
        )
    }
    assert rules == {"at_least_two", "agency_checklist", "after_inspection", "failed_item_has_finding"}


def test_operators_match_by_name_whatever_the_punctuation() -> None:
    assert name_key("清城区 小太阳（托育）") == name_key("清城区小太阳(托育)")
    assert same_operator("小太阳托育", "441802", "小太阳 托育", "441802")
    assert not same_operator("小太阳托育", "441802", "小太阳托育", "441803")
