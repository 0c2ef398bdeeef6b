"""Eligibility and amounts, as plain functions over the facts the subsidy side keeps from events.
Every decision is a list of criteria with whether each is met and why, so it can be shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from shared.timeutil import month_of
from subsidy_svc.domain.programmes import SKILL_APPRAISAL, SKILL_UPGRADE, VOCATIONAL_TRAINING

UPLIFT_OCCUPATIONS = ("yuyingyuan", "baoyuyuan")  # 育婴员、保育员: 紧缺急需职业（工种）
UPLIFT_FROM_LEVEL = 3  # 高级工 or above (levels 1–3)


@dataclass(frozen=True)
class Criterion:
    criterion: str
    met: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class InstitutionFacts:
    registration_status: str | None
    nature: str | None
    filing_status: str | None
    credit_status: str
    open_critical_findings: int
    inclusive_years: list[int]
    demonstration_years: list[int]


@dataclass(frozen=True)
class CertificateFacts:
    kind: str
    occupation: str
    level: int | None
    issued_on: dt.date


def _registered(facts: InstitutionFacts) -> Criterion:
    return Criterion("registered", facts.registration_status == "active", f"登记状态：{facts.registration_status or '未收到'}")


def _not_dishonest(facts: InstitutionFacts) -> Criterion:
    return Criterion("not_dishonest", facts.credit_status != "dishonest", f"信用状态：{facts.credit_status}")


def _designated(criterion: str, what: str, years: list[int], year: int) -> Criterion:
    """A designation for the application's year: 普惠 recognition is yearly (DESIGN §5), and a
    demonstration unit is confirmed for a year, on that year's 普惠 recognition."""
    return Criterion(criterion, year in years, f"{year}年{what}：{'有' if year in years else '无'}（已有年度：{years or '无'}）")


def demonstration_award_criteria(facts: InstitutionFacts, year: int) -> list[Criterion]:
    """三(二)4 对创建为示范单位的普惠性婴幼儿照护服务机构 … 一次性奖补, for the application's year."""
    return [
        _registered(facts),
        Criterion("filed", facts.filing_status == "accepted", f"备案状态：{facts.filing_status or '未备案'}"),
        _designated("inclusive", "普惠认定", facts.inclusive_years, year),
        _designated("demonstration", "示范单位确认", facts.demonstration_years, year),
        _not_dishonest(facts),
        Criterion("no_open_critical_finding", facts.open_critical_findings == 0, f"未整改严重问题：{facts.open_critical_findings}项"),
    ]


def fee_reduction_criteria(facts: InstitutionFacts, children: int) -> list[Criterion]:
    """三(二)4 公办婴幼儿照护服务机构应对烈士子女、困境儿童…减免费用: what a record of it needs. The
    policy sets no cap and pays nothing back, so neither a cap nor the credit list is a criterion."""
    return [
        _registered(facts),
        Criterion("public_institution", facts.nature == "public_institution", f"机构性质：{facts.nature or '未知'}（须为公办）"),
        Criterion("children", children > 0, f"减免人数：{children}"),
    ]


def period_not_future(period: str, today: dt.date) -> bool:
    """A reduction is recorded for a month that has begun (YYYY-MM compares as text)."""
    return period <= month_of(today)



def within_months(issued_on: dt.date, claimed_on: dt.date, months: int) -> bool:
    """Claimed within `months` of the certificate: on or before the same day `months` later."""
    year, month = divmod(issued_on.month - 1 + months, 12)
    try:
        limit = issued_on.replace(year=issued_on.year + year, month=month + 1)
    except ValueError:  # the 31st of a shorter month: its last day
        next_month = dt.date(issued_on.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        limit = next_month - dt.timedelta(days=1)
    return issued_on <= claimed_on <= limit


def certificate_criteria(cert: CertificateFacts, claimed_on: dt.date, claim_months: int, already_claimed: bool) -> list[Criterion]:
    return [
        Criterion("certificate_on_record", True, f"证书{cert.kind}，{cert.issued_on.isoformat()}颁发"),
        Criterion(
            "claimed_within_window",
            within_months(cert.issued_on, claimed_on, claim_months),
            f"取证后{claim_months}个月内申领（取证{cert.issued_on.isoformat()}，申领{claimed_on.isoformat()}）",
        ),
        Criterion("unclaimed", not already_claimed, "每人每证限领一次" + ("（已申领）" if already_claimed else "")),
    ]


def programme_for_certificate(kind: str, level: int | None, earlier_levels: list[int]) -> str:
    """Which training subsidy a certificate earns: a training certificate (培训合格证书) the vocational
    training subsidy; a skill level that betters one already held the skill-upgrade subsidy; a first
    skill level the skill-appraisal subsidy."""
    if kind == "training" or level is None:
        return VOCATIONAL_TRAINING
    if earlier_levels and level < min(earlier_levels):
        return SKILL_UPGRADE
    return SKILL_APPRAISAL


def with_uplift(amount_fen: int, percent: int) -> int:
    """Raised by `percent`, rounded half up to the fen."""
    return (amount_fen * (100 + percent) + 50) // 100


def certificate_amount(rules: dict[str, Any], cert: CertificateFacts) -> int:
    """The amount under a training programme's rules (checked when set: every level has its amount)."""
    base = rules["amount_fen_by_level"][str(cert.level)] if "amount_fen_by_level" in rules else rules["amount_fen"]
    uplifted = cert.occupation in UPLIFT_OCCUPATIONS and cert.level is not None and cert.level <= UPLIFT_FROM_LEVEL
    return with_uplift(base, rules["uplift_percent"]) if uplifted else base


def split_award(amount_fen: int, city_percent: int) -> tuple[int, int]:
    """(city, county) shares of a one-time award; the county's is the rest, so the sum is exact."""
    city = amount_fen * city_percent // 100
    return city, amount_fen - city


def unmet(criteria: list[Criterion]) -> list[Criterion]:
    return [c for c in criteria if not c.met]
