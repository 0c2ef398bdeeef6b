"""Request and response models of the supervision service."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.events.inspection import FilingSnapshot

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """A list (DESIGN §7): `next` is the `after=` of the following page, null on the last."""

    items: list[Item]
    next: str | None


class InboxEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    kind: str
    name: str
    nature: str
    registrar: str
    registrar_region: str
    health_region: str
    county: str
    registered_on: dt.date
    received_at: dt.datetime
    same_month: bool
    status: str
    ended_on: dt.date | None


class InboxPage(BaseModel):
    items: list[InboxEntryRead]
    next: str | None


class ReconciliationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    trigger: str
    actor: str | None
    started_at: dt.datetime
    finished_at: dt.datetime
    read: int = Field(description="events read from the registration feed")
    repaired: int = Field(description="of those, how many the inbox was missing and now has")
    repaired_usccs: list[str]


class ReconciliationPage(BaseModel):
    items: list[ReconciliationRead]


class ComplianceRowRead(BaseModel):
    region: str
    registrar: str
    registered: int
    received_same_month: int
    received_late: int
    missing: int
    same_month_rate: float | None


class ComplianceReport(BaseModel):
    month: str
    region: str | None
    rows: list[ComplianceRowRead]
    total: ComplianceRowRead


class FilingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    uscc: str = Field(min_length=18, max_length=18)
    materials: dict[str, bool] = Field(description="which of the checklist's materials were handed in")
    serves_meals: bool = Field(description="meals served: the food business licence is then required")
    hygiene_rating: Literal["合格", "不合格"] | None = Field(None, description="the hygiene evaluation report's conclusion")
    received_on: dt.date | None = Field(None, description="day of receipt, if not today (a filing received on paper)")


class FilingDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["accepted", "returned"]
    reasons: list[str] = Field(default_factory=list, max_length=30, description="required when returned")


class FilingRead(FilingSnapshot):
    materials: dict[str, bool]
    serves_meals: bool
    hygiene_rating: str | None
    unmet_conditions: list[str]
    overdue: bool = Field(description="unanswered after its 5 working days")


class FilingPage(BaseModel):
    items: list[FilingRead]
    next: str | None


class MaterialRead(BaseModel):
    key: str
    label: str
    only_when_meals: bool


class UnfiledRead(BaseModel):
    uscc: str
    name: str
    county: str
    registered_on: dt.date
    working_days_since: int
    overdue: bool


class PublicReturnedFiling(BaseModel):
    """公示: a filing returned, with its reasons."""

    name: str
    uscc: str
    county: str
    submitted_on: dt.date
    decided_on: dt.date | None
    reasons: list[str]


# -- 双随机、一公开 -------------------------------------------------------------------------------

Agency = Literal["weijian", "shichang", "gongan", "xiaofang"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PlanInspector(Strict):
    id: str = Field(min_length=1, max_length=40, description="the inspector's enforcement number")
    name: str = Field(min_length=1, max_length=50)
    conflicts: list[str] = Field(default_factory=list, max_length=200, description="USCCs they must not inspect (回避)")


class PlanCreate(Strict):
    agency: Agency
    region: str = Field(pattern=r"^\d{6}$")
    year: int = Field(ge=2020, le=2100)
    sampling_ratio: float | None = Field(None, gt=0, le=1, description="share of the target database to draw")
    sample_size: int | None = Field(None, ge=1, le=100000, description="or how many")
    weighted: bool = Field(False, description="weigh the draw by risk and credit")
    checklist: list[str] | None = Field(None, description="items of the agency's checklist (一单); all when omitted")
    inspectors: list[PlanInspector] = Field(min_length=2, max_length=2000)


class PlanRead(BaseModel):
    id: str
    agency: str
    region: str
    year: int
    sampling_ratio: float | None
    sample_size: int | None
    weighted: bool
    checklist: list[str]
    inspectors: list[PlanInspector]
    drawn: bool


class DrawCreate(Strict):
    seed: str | None = Field(None, min_length=1, max_length=128, description="made up when omitted; published either way")


class AssignmentRead(BaseModel):
    uscc: str
    inspectors: list[str]


class PublicDrawRead(BaseModel):
    """A draw as published: enough to re-run it, nothing that tells who inspects."""

    plan_id: str
    agency: str
    region: str
    year: int
    seed: str
    target_hash: str
    inspector_hash: str
    size: int
    targets: list[list] = Field(description="the target database: [uscc, weight], sorted")
    inspectors: list[list] = Field(
        description="the inspector database: [pseudonym, [conflicts with drawn institutions]], sorted; a pseudonym is the draw's own"
    )
    assignments: list[AssignmentRead] = Field(description="each drawn institution with its inspectors' pseudonyms")
    drawn_at: dt.datetime


class DrawRead(PublicDrawRead):
    """The agency's own view of its draw."""

    assignments: list[AssignmentRead] = Field(description="each drawn institution with its inspectors' enforcement numbers")
    pseudonyms: dict[str, str] = Field(description="enforcement number → its pseudonym in the published draw")


class DrawVerification(BaseModel):
    plan_id: str
    target_hash_matches: bool
    inspector_hash_matches: bool
    assignments_match: bool


class RosterEntry(BaseModel):
    uscc: str
    name: str
    county: str
    address: str
    credit_status: str
    open_findings: int
    risk_weight: int


class RosterPage(BaseModel):
    agency: str
    region: str
    items: list[RosterEntry]


# -- inspections and findings -------------------------------------------------------------------


class FindingCreate(Strict):
    code: str = Field(description="the checklist item it concerns")
    severity: Literal["minor", "major", "critical"]
    description: str = Field(min_length=1, max_length=1000)
    deadline: dt.date = Field(description="整改期限")


class SubstitutionCreate(Strict):
    replaces: str = Field(min_length=1, max_length=40, description="the drawn inspector who could not go")
    by: str = Field(min_length=1, max_length=40, description="another inspector of the plan, free of a conflict")
    reason: str = Field(min_length=1, max_length=500)


class InspectionCreate(Strict):
    uscc: str = Field(min_length=18, max_length=18)
    agency: Agency
    kind: Literal["spot_check", "routine", "complaint", "special"]
    inspected_on: dt.date
    inspectors: list[str] = Field(min_length=1, max_length=20)
    results: dict[str, Literal["pass", "fail", "not_applicable"]] = Field(default_factory=dict)
    findings: list[FindingCreate] = Field(default_factory=list, max_length=100)
    plan_id: str | None = Field(None, description="the spot-check plan whose draw assigned it (required for kind spot_check, only for it)")
    substitutions: list[SubstitutionCreate] = Field(default_factory=list, max_length=20, description="drawn inspectors replaced, with the reason")


class FindingRead(BaseModel):
    id: str
    inspection_id: str
    uscc: str
    county: str
    agency: str
    code: str
    severity: str
    risk_level: str
    description: str
    raised_on: dt.date
    deadline: dt.date
    status: str
    verified_on: dt.date | None
    overdue: bool


class FindingPage(BaseModel):
    items: list[FindingRead]
    next: str | None


class InspectionRead(BaseModel):
    id: str
    uscc: str
    name: str
    county: str
    agency: str
    kind: str
    plan_id: str | None
    inspected_on: dt.date
    inspectors: list[str]
    substitutions: list[dict[str, str]]
    results: dict[str, str]
    findings: list[FindingRead]


class InspectionPage(BaseModel):
    items: list[InspectionRead]
    next: str | None


class FollowUpCreate(Strict):
    followed_on: dt.date
    inspectors: list[str] = Field(min_length=1, max_length=20)
    outcome: Literal["rectified", "not_rectified", "extended"] = Field(
        "rectified", description="整改到位 (closes them) / 仍未整改 (they stay open) / 延期整改 (new_deadline)"
    )
    closes: list[str] = Field(min_length=1, max_length=100, description="the findings checked; closed when the outcome is rectified")
    new_deadline: dt.date | None = Field(None, description="the extended rectification deadline, when the outcome is extended")
    notes: str = Field("", max_length=1000)


class FollowUpRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    inspection_id: str
    followed_on: dt.date
    outcome: str
    checked_findings: list[str]
    closed_findings: list[str]
    new_deadline: dt.date | None


# -- credit -------------------------------------------------------------------------------------


class CreditRead(BaseModel):
    uscc: str
    status: Literal["trustworthy", "normal", "dishonest"]
    reasons: list[str]
    since: dt.date


class AppealCreate(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class AppealDecision(Strict):
    decision: Literal["upheld", "rejected"]
    note: str = Field(min_length=1, max_length=1000)


class AppealRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    uscc: str
    reason: str
    filed_on: dt.date
    filed_by: str
    status: str
    decided_on: dt.date | None
    decided_by: str | None
    decision_note: str | None


# -- unlicensed operators -----------------------------------------------------------------------


class UnlicensedCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    county: str = Field(pattern=r"^\d{6}$")
    address: str = Field(min_length=1, max_length=300)
    uscc: str | None = Field(None, min_length=18, max_length=18, description="if the operator has one (e.g. a company)")
    operator_person: str | None = Field(None, max_length=100, description="who runs it (personal data, never published)")
    found_on: dt.date
    description: str = Field(min_length=1, max_length=1000)


class UnlicensedRead(BaseModel):
    id: str
    name: str
    county: str
    address: str
    uscc: str | None
    operator_person: str | None
    found_on: dt.date
    banned_on: dt.date
    description: str
    status: str
    linked_uscc: str | None


# -- quality evaluation -------------------------------------------------------------------------


class EvaluationCreate(Strict):
    uscc: str = Field(min_length=18, max_length=18)
    evaluated_on: dt.date
    scores: dict[str, int] = Field(description="0–100 for each of the seven domains of WS/T 821—2023")


class ObjectionCreate(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class EvaluationReview(Strict):
    outcome: Literal["upheld", "revised"]
    scores: dict[str, int] | None = Field(None, description="the revised scores, when revised")


class EvaluationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    uscc: str
    name: str
    county: str
    evaluator: str
    evaluated_on: dt.date
    scores: dict[str, int]
    rating: str
    review_ends_on: dt.date
    status: str
    objection: str | None
    published_on: dt.date | None


# -- designations -------------------------------------------------------------------------------


MAX_MONTHLY_FEE_FEN = 100_000_000


class InclusiveCreate(Strict):
    uscc: str = Field(min_length=18, max_length=18)
    year: int = Field(ge=2020, le=2100)
    # bounded far above any childcare fee (100万元 a month) and well inside BIGINT
    monthly_fee_fen: int = Field(ge=0, le=MAX_MONTHLY_FEE_FEN, description="what the institution charges a month, in fen")
    fee_cap_fen: int = Field(ge=0, le=MAX_MONTHLY_FEE_FEN, description="the published 普惠 fee standard for its county and year, in fen")
    fee_standard_ref: str = Field(min_length=1, max_length=200, description="which published standard (文号)")


class NominationCreate(Strict):
    uscc: str = Field(min_length=18, max_length=18)
    year: int = Field(ge=2020, le=2100)


class WithdrawalCreate(Strict):
    reason: str = Field(min_length=1, max_length=500)


class CriterionRead(BaseModel):
    criterion: str
    met: bool
    detail: str


class DesignationRead(BaseModel):
    id: str
    kind: str
    uscc: str
    name: str
    county: str
    year: int
    status: str
    criteria: list[CriterionRead]
    monthly_fee_fen: int | None
    fee_cap_fen: int | None
    fee_standard_ref: str | None
    decided_on: dt.date
    reason: str | None


# -- public disclosure (信息公示): no personal data ------------------------------------------------


class PublicFinding(BaseModel):
    item: str
    risk_level: str
    deadline: dt.date
    status: str
    verified_on: dt.date | None


class PublicInspection(BaseModel):
    uscc: str
    name: str
    county: str
    agency: str
    kind: str
    inspected_on: dt.date
    items_checked: int
    items_failed: int
    findings: list[PublicFinding]


class PublicEvaluation(BaseModel):
    uscc: str
    name: str
    county: str
    rating: str
    scores: dict[str, int]
    evaluated_on: dt.date
    published_on: dt.date


class PublicFiledInstitution(BaseModel):
    uscc: str
    name: str
    county: str
    address: str
    filed_on: dt.date | None


class StaffingRead(BaseModel):
    """Staffing as the workforce service's events tell supervision."""

    uscc: str
    staff: int
    carers: int
    certified_carers: int
    health_checks_valid: int


class PublicInstitution(BaseModel):
    """An institution as the portal shows it: what the public may know, no personal data."""

    uscc: str
    name: str
    county: str
    address: str
    nature: str
    filing_status: str | None
    inclusive: bool = Field(description="recognised 普惠 this year")
    demonstration: bool = Field(description="a confirmed demonstration unit this year")
    rating: str | None = Field(description="the latest published quality rating")


class PublicInstitutionPage(BaseModel):
    items: list[PublicInstitution]
    next: str | None


# -- the joint meeting's tracker (联席会议) ---------------------------------------------------------

Figure = float | int | None


class TrackerIndicatorRead(BaseModel):
    key: str
    group: str
    group_title: str
    title: str
    unit: Literal["count", "places", "share", "fen"]
    current: bool = Field(description="as of today whatever the year asked")
    records: str = Field(description="the records behind the figure; add `&region=` for one county")


class TrackerRowRead(BaseModel):
    region: str
    name: str
    figures: dict[str, Figure]


class TargetRegionRead(BaseModel):
    region: str
    value: Figure
    met: bool


class TargetRead(BaseModel):
    code: str
    title: str
    clause: str
    indicator: str
    scope: Literal["each_county", "city"]
    threshold: float
    from_year: int
    due_year: int
    version: int
    updated_by: str
    updated_at: dt.datetime
    status: Literal["upcoming", "met", "in_progress", "overdue"] | None = Field(None, description="in the year asked")
    regions: list[TargetRegionRead] = Field(default_factory=list)


class TrackerRead(BaseModel):
    year: int
    as_of: dt.date = Field(description="the year's last day, or today for the current year")
    groups: list[str] = Field(description="the indicator groups the caller's duty covers")
    indicators: list[TrackerIndicatorRead]
    rows: list[TrackerRowRead] = Field(description="each county, then the city")
    targets: list[TargetRead]


class TrendPointRead(BaseModel):
    month: str
    figures: dict[str, Figure]


class TrendRead(BaseModel):
    year: int
    region: str
    points: list[TrendPointRead]


class TrackerRecordsRead(BaseModel):
    year: int
    indicator: str
    region: str
    items: list[dict[str, Any]]
    next: str | None = Field(None, description="pass as `after` for the next page")


class TargetBody(Strict):
    title: str = Field(min_length=1, max_length=200)
    clause: str = Field("", max_length=300, description="what in the plan it stands for")
    indicator: str = Field(description="a key of GET /v1/tracker's indicators")
    scope: Literal["each_county", "city"]
    threshold: float = Field(ge=0, le=10**9, description="a count, or a share in percent")
    from_year: int = Field(ge=2020, le=2100)
    due_year: int = Field(ge=2020, le=2100)


class TargetCreate(TargetBody):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,59}$")
