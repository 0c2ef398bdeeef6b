"""Request and response models of the subsidy service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.timeutil import MONTH_PATTERN
from subsidy_svc.domain import programmes as P


class InstitutionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    name: str
    county: str
    nature: str | None
    inclusive_declared: bool | None
    registration_status: str | None
    filing_status: str | None
    credit_status: str
    open_critical_findings: int
    inclusive_years: list[int]
    demonstration_years: list[int] = Field(description="years it is a confirmed demonstration unit")
    updated_at: dt.datetime


class CertificateFactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    certificate_id: str
    practitioner_id: str
    employer_uscc: str | None
    county: str | None
    kind: str
    occupation: str
    level: int | None
    number: str
    issued_on: dt.date


class CertificatePage(BaseModel):
    items: list[CertificateFactRead]
    next: str | None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProgrammeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    clause: str
    reviewer_department: str
    approver_department: str
    rules: dict
    version: int


class ProgrammeUpdate(Strict):
    rules: dict = Field(description="the programme's rules and amounts (fen); keys as in GET /v1/programmes, checked by the programme's rules model")


# A programme's rules, one model a programme: amounts are integer fen above zero (never a float or
# a string), and what the policy or DESIGN fixes is not a setting.
Fen = Annotated[int, Field(strict=True, gt=0, le=10**11)]


class DemonstrationAwardRules(Strict):
    """三(二)4 一次性奖补, 市、县两级财政: the award and the city's share of it (the county's is the rest)."""

    amount_fen: Fen
    city_percent: int = Field(strict=True, ge=0, le=100)
    once_per: Literal["institution"] = "institution"


class CertificateRules(Strict):
    claim_months: Literal[12] = Field(12, description="DESIGN §5: claimed within 12 months of the certificate")
    uplift_percent: Literal[30] = Field(30, description="三(四)2 育婴员、保育员 高级工以上 提高30%")
    once_per: Literal["certificate"] = "certificate"


class TrainingRules(CertificateRules):
    amount_fen: Fen


class LevelRules(CertificateRules):
    amount_fen_by_level: dict[Literal["1", "2", "3", "4", "5"], Fen] = Field(description="every level 1 (高级技师) … 5 (初级工)")

    @field_validator("amount_fen_by_level")
    @classmethod
    def every_level(cls, value: dict[str, int]) -> dict[str, int]:
        if missing := sorted({"1", "2", "3", "4", "5"} - value.keys()):
            raise ValueError(f"every level has its amount; missing {', '.join(missing)}")  # a certificate of any level can arrive
        return value


class FeeReductionRules(Strict):
    """Recorded, not paid (三(二)4 is the institution's obligation): no amount to set, no cap (none in the policy)."""

    once_per: Literal["institution_month"] = "institution_month"


RULES: dict[str, type[Strict]] = {
    P.DEMONSTRATION_AWARD: DemonstrationAwardRules,
    P.VOCATIONAL_TRAINING: TrainingRules,
    P.SKILL_APPRAISAL: LevelRules,
    P.SKILL_UPGRADE: LevelRules,
    P.FEE_REDUCTION: FeeReductionRules,
}


class BudgetCreate(Strict):
    programme: str
    year: int = Field(ge=2020, le=2100)
    region: str = Field(pattern=r"^\d{6}$")
    level: Literal["city", "county"]
    amount_fen: int = Field(gt=0, le=10**13)


class BudgetRead(BaseModel):
    id: str
    programme: str
    year: int
    region: str
    level: str
    amount_fen: int
    committed_fen: int
    available_fen: int


class BudgetPage(BaseModel):
    items: list[BudgetRead]
    next: str | None


class ApplicationCreate(Strict):
    programme: str
    uscc: str | None = Field(None, min_length=18, max_length=18, description="for an institution's programme")
    certificate_id: str | None = Field(None, description="for a training subsidy")
    period: str | None = Field(None, pattern=MONTH_PATTERN, description="YYYY-MM of a fee reduction")
    martyrs_children: int = Field(0, ge=0, le=1000, description="烈士子女: a count, never who")
    children_in_difficulty: int = Field(0, ge=0, le=1000, description="困境儿童: a count, never who")
    amount_fen: int | None = Field(None, gt=0, le=10**11, description="the fees reduced, for a fee reduction")


class CriterionRead(BaseModel):
    criterion: str
    met: bool
    detail: str


class LineRead(BaseModel):
    region: str
    level: str
    amount_fen: int


class ApplicationRead(BaseModel):
    id: str
    programme: str
    status: str
    amount_fen: int
    lines: list[LineRead]
    eligible: bool
    eligibility: list[CriterionRead]
    uscc: str | None
    practitioner_id: str | None
    certificate_id: str | None
    details: dict
    origin: str
    region: str
    year: int
    created_on: dt.date
    programme_version: int = Field(description="the version of the programme's rules it was decided under")
    rules: dict = Field(description="those rules, as they were")
    reviewed_by: str | None
    approved_by: str | None
    approved_on: dt.date | None
    disbursed_on: dt.date | None
    reason: str | None


class ApplicationPage(BaseModel):
    items: list[ApplicationRead]
    next: str | None


class ReviewCreate(Strict):
    decision: Literal["approve", "reject"]
    note: str = Field("", max_length=500, description="required when rejecting")


class ApprovalCreate(ReviewCreate):
    decision: Literal["approve", "reject"] = Field("approve", description="the city's decision; a rejection gives its reason in `note`")


class ReversalCreate(Strict):
    reason: str = Field(min_length=1, max_length=500)


class BatchCreate(Strict):
    application_ids: list[str] = Field(min_length=1, max_length=1000)


class BatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    paid: list[str]
    skipped: list[dict] = Field(description="[{id, reason, rules}]: not found, not approved, or no longer eligible (with the unmet rules)")
    total_fen: int
    created_by: str
    created_at: dt.datetime


class BatchPage(BaseModel):
    items: list[BatchRead]
    next: str | None


class FeeStandardCreate(Strict):
    year: int = Field(ge=2020, le=2100)
    county: str = Field(pattern=r"^\d{6}$")
    service_type: Literal["full_day", "half_day", "hourly", "temporary"]
    cap_fen: int = Field(gt=0, le=10**9)
    unit: Literal["month", "hour", "day"]
    reference: str = Field(min_length=1, max_length=200)
    effective_from: dt.date | None = Field(None, description="in force from, within the year (default: today, or the year's first day)")


class FeeStandardAdjustment(Strict):
    """适时调整: the standard in force replaced from `effective_from` on (within its year)."""

    cap_fen: int = Field(gt=0, le=10**9)
    unit: Literal["month", "hour", "day"]
    reference: str = Field(min_length=1, max_length=200, description="the adjusting notice's 文号")
    effective_from: dt.date | None = Field(None, description="in force from, within the year and not before the version it replaces (default: today)")


class FeeStandardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    year: int
    county: str
    service_type: str
    cap_fen: int
    unit: str
    reference: str
    published_on: dt.date
    version: int
    effective_from: dt.date
    superseded_on: dt.date | None = Field(description="the day the next version took over; null while in force")


class FeeStandardPage(BaseModel):
    items: list[FeeStandardRead]
    next: str | None


class UtilityRateEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    name: str
    county: str


class UtilityRatePage(BaseModel):
    items: list[UtilityRateEntry]
    next: str | None


class ReportRow(BaseModel):
    programme: str
    region: str
    month: int
    applications: int
    approved_fen: int
    paid_fen: int
    reduced_fen: int = Field(description="fees reduced by public institutions (三(二)4), recorded, not paid")
    reduced_children: int = Field(description="烈士子女 and 困境儿童 whose fees were reduced: a count")


class SubsidyReport(BaseModel):
    year: int
    region: str | None
    rows: list[ReportRow]
    budgets: list[BudgetRead]
