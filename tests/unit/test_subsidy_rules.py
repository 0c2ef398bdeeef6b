"""Subsidy amounts and eligibility as plain functions: the +30% rule, the 12-month window, the
city/county split, and which training subsidy a certificate earns."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from subsidy_svc.domain.eligibility import (
    CertificateFacts,
    InstitutionFacts,
    certificate_amount,
    certificate_criteria,
    demonstration_award_criteria,
    fee_reduction_criteria,
    period_not_future,
    programme_for_certificate,
    split_award,
    unmet,
    with_uplift,
    within_months,
)
from subsidy_svc.domain.programmes import DEFAULT_PROGRAMMES
from subsidy_svc.schemas import RULES as RULES_MODELS

RULES = {p["code"]: p["rules"] for p in DEFAULT_PROGRAMMES}
D = dt.date


@pytest.mark.parametrize(
    ("programme", "occupation", "level", "amount"),
    [
        ("skill_appraisal", "baoyuyuan", 3, 260000),  # 高级工: 2000 元 + 30%
        ("skill_appraisal", "yuyingyuan", 1, 520000),  # 高级技师: 4000 元 + 30%
        ("skill_appraisal", "yuyingyuan", 4, 150000),  # 中级工: no uplift
        ("skill_appraisal", "cook", 3, 200000),  # not 育婴员 or 保育员: no uplift
        ("skill_upgrade", "baoyuyuan", 2, 390000),
        ("vocational_training", "yuyingyuan", None, 80000),  # a training certificate has no level
    ],
)
def test_each_programmes_amount_with_the_thirty_percent_rule(programme: str, occupation: str, level: int | None, amount: int) -> None:
    kind = "training" if level is None else "skill_level"
    assert certificate_amount(RULES[programme], CertificateFacts(kind, occupation, level, D(2026, 3, 1))) == amount


def test_the_uplift_is_exact_in_fen() -> None:
    assert with_uplift(100001, 30) == 130001  # 130001.3 rounds to 130001
    assert with_uplift(5, 30) == 7  # 6.5 rounds half up


def test_the_claim_window_is_twelve_months_to_the_day() -> None:
    assert within_months(D(2025, 11, 28), D(2026, 11, 28), 12)
    assert not within_months(D(2025, 11, 28), D(2026, 11, 29), 12)
    assert within_months(D(2024, 2, 29), D(2025, 2, 28), 12)
    assert not within_months(D(2024, 2, 29), D(2025, 3, 1), 12)
    assert within_months(D(2025, 8, 31), D(2026, 2, 28), 6)  # no 31 February: its last day
    assert not within_months(D(2026, 5, 1), D(2026, 4, 30), 12)  # not before the certificate


def test_a_certificate_is_claimed_once() -> None:
    cert = CertificateFacts("skill_level", "baoyuyuan", 3, D(2026, 1, 10))
    assert unmet(certificate_criteria(cert, D(2026, 6, 1), 12, already_claimed=False)) == []
    assert [c.criterion for c in unmet(certificate_criteria(cert, D(2026, 6, 1), 12, already_claimed=True))] == ["unclaimed"]
    assert [c.criterion for c in unmet(certificate_criteria(cert, D(2027, 2, 1), 12, already_claimed=False))] == ["claimed_within_window"]


def test_which_subsidy_a_certificate_earns() -> None:
    assert programme_for_certificate("training", None, []) == "vocational_training"
    assert programme_for_certificate("skill_level", 4, []) == "skill_appraisal"
    assert programme_for_certificate("skill_level", 3, [4]) == "skill_upgrade"
    assert programme_for_certificate("qualification", 4, [3]) == "skill_appraisal"  # not an upgrade


def test_the_award_splits_exactly() -> None:
    assert split_award(10000000, 50) == (5000000, 5000000)
    assert split_award(10000001, 33) == (3300000, 6700001)
    assert sum(split_award(999, 70)) == 999


FACTS = InstitutionFacts("active", "public_institution", "accepted", "normal", 0, [2026], [2026])


def test_the_award_needs_every_fact_and_names_what_is_missing() -> None:
    assert unmet(demonstration_award_criteria(FACTS, 2026)) == []
    dishonest = InstitutionFacts(**{**FACTS.__dict__, "credit_status": "dishonest", "demonstration_years": []})
    assert [c.criterion for c in unmet(demonstration_award_criteria(dishonest, 2026))] == ["demonstration", "not_dishonest"]


def test_the_award_needs_designations_for_its_own_year() -> None:
    long_ago = InstitutionFacts(**{**FACTS.__dict__, "inclusive_years": [2021], "demonstration_years": [2021]})
    failing = unmet(demonstration_award_criteria(long_ago, 2026))
    assert [(c.criterion, c.detail) for c in failing] == [
        ("inclusive", "2026年普惠认定：无（已有年度：[2021]）"),
        ("demonstration", "2026年示范单位确认：无（已有年度：[2021]）"),
    ]
    assert [c.criterion for c in unmet(demonstration_award_criteria(FACTS, 2027))] == ["inclusive", "demonstration"]  # 2026's do not carry over


def test_the_seeded_rules_are_what_the_rules_models_accept() -> None:
    for seeded in DEFAULT_PROGRAMMES:
        assert RULES_MODELS[seeded["code"]].model_validate(seeded["rules"]).model_dump() == seeded["rules"]


@pytest.mark.parametrize(
    ("code", "rules", "field"),
    [
        ("fee_reduction", {"cap_fen_per_child_month": 200000}, "cap_fen_per_child_month"),  # no cap: none in the policy
        ("demonstration_award", {"amount_fen": 10000000, "city_percent": 150}, "city_percent"),
        ("demonstration_award", {"amount_fen": 100.7, "city_percent": 50}, "amount_fen"),
        ("demonstration_award", {"amount_fen": "100", "city_percent": 50}, "amount_fen"),
        ("vocational_training", {"amount_fen": -1}, "amount_fen"),
        ("vocational_training", {"amount_fen": 80000, "uplift_percent": 50}, "uplift_percent"),  # the policy's 30%, not a setting
        ("skill_appraisal", {"amount_fen_by_level": {"1": 4, "2": 3, "3": 2, "4": 1}}, "amount_fen_by_level"),  # a level-5 certificate would fail
        ("skill_upgrade", {"amount_fen_by_level": {**RULES["skill_upgrade"]["amount_fen_by_level"], "6": 1}}, "amount_fen_by_level"),
    ],
)
def test_rules_that_would_break_a_claim_are_refused(code: str, rules: dict, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        RULES_MODELS[code].model_validate(rules)
    assert {str(e["loc"][0]) for e in refused.value.errors()} == {field}


def test_fee_reductions_are_recorded_for_public_institutions_with_no_cap() -> None:
    assert unmet(fee_reduction_criteria(FACTS, 3)) == []  # whatever the amount: the policy sets no cap
    listed = InstitutionFacts(**{**FACTS.__dict__, "credit_status": "dishonest"})
    assert unmet(fee_reduction_criteria(listed, 3)) == []  # an obligation, not a subsidy: a listing does not stop it
    private = InstitutionFacts(**{**FACTS.__dict__, "nature": "for_profit"})
    assert [c.criterion for c in unmet(fee_reduction_criteria(private, 0))] == ["public_institution", "children"]


def test_a_reduction_is_for_a_month_that_has_begun() -> None:
    assert period_not_future("2026-12", D(2026, 12, 1)) and period_not_future("2025-01", D(2026, 12, 1))
    assert not period_not_future("2027-01", D(2026, 12, 31))
