"""The health bureau's designations that subsidies depend on (policy 三(二)3–4, 三(三)5、四(五)):
普惠 recognition for a year against the published fee standard, and demonstration units (示范点创建:
county nominates, city confirms), each with its criteria checked and shown."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from inspection_svc.domain.evaluation import at_least


@dataclass(frozen=True)
class Criterion:
    criterion: str
    met: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class InstitutionFacts:
    registration_status: str | None  # active | deregistered | closed | None (not received)
    filing_status: str | None  # of the latest filing
    inclusive_year: int | None  # the year it is recognised 普惠 for, if it is for the year asked
    latest_rating: str | None  # of the latest published quality evaluation
    credit_status: str  # trustworthy | normal | dishonest
    open_critical_findings: int


def inclusive_criteria(facts: InstitutionFacts, monthly_fee_fen: int, fee_cap_fen: int, year: int, this_year: int) -> list[Criterion]:
    return [
        # recognised for a year against that year's fee standard: the year under way, the one about
        # to begin, or the one just ended (a recognition made on paper entered late), nothing further
        Criterion("year", this_year - 1 <= year <= this_year + 1, f"认定年度 {year}，可认定 {this_year - 1}–{this_year + 1} 年"),
        Criterion("registered", facts.registration_status == "active", f"登记状态：{facts.registration_status or '未收到'}"),
        Criterion("filed", facts.filing_status == "accepted", f"备案状态：{facts.filing_status or '未备案'}"),
        Criterion(
            "fee_within_standard",
            monthly_fee_fen <= fee_cap_fen,
            f"收费 {monthly_fee_fen / 100:.2f} 元/月，普惠收费标准上限 {fee_cap_fen / 100:.2f} 元/月",
        ),
    ]


def demonstration_criteria(facts: InstitutionFacts, year: int, minimum_rating: str) -> list[Criterion]:
    return [
        Criterion("registered", facts.registration_status == "active", f"登记状态：{facts.registration_status or '未收到'}"),
        Criterion("filed", facts.filing_status == "accepted", f"备案状态：{facts.filing_status or '未备案'}"),
        Criterion("inclusive", facts.inclusive_year == year, f"{year}年普惠认定：{'有' if facts.inclusive_year == year else '无'}"),
        Criterion(
            "quality_rating",
            at_least(facts.latest_rating, minimum_rating),
            f"质量评估：{facts.latest_rating or '无已公布结果'}（至少{minimum_rating}）",
        ),
        Criterion("not_dishonest", facts.credit_status != "dishonest", f"信用状态：{facts.credit_status}"),
        Criterion(
            "no_open_critical_finding",
            facts.open_critical_findings == 0,
            f"未整改的严重问题：{facts.open_critical_findings}项",
        ),
    ]


def unmet(criteria: list[Criterion]) -> list[Criterion]:
    return [c for c in criteria if not c.met]
