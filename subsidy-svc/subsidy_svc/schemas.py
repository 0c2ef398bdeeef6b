"""Request and response models of the subsidy service."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.timeutil import MONTH_PATTERN


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
    kind: str
    occupation: str
    level: int | None
    number: str
    issued_on: dt.date


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
    rules: dict = Field(description="the programme's rules and amounts (fen); keys as in GET /v1/programmes")


class BudgetCreate(Strict):
    programme: str
    year: int = Field(ge=2020, le=2100)
    region: str = Field(pattern=r"^\d{6}$")
    level: Literal["city", "county"]
    amount_fen: int = Field(gt=0, le=10**13)


class BudgetRead(BaseModel):
    programme: str
    year: int
    region: str
    level: str
    amount_fen: int
    committed_fen: int
    available_fen: int


class ApplicationCreate(Strict):
    programme: str
    uscc: str | None = Field(None, min_length=18, max_length=18, description="for an institution's programme")
    certificate_id: str | None = Field(None, description="for a training subsidy")
    period: str | None = Field(None, pattern=MONTH_PATTERN, description="YYYY-MM of a fee reduction")
    martyrs_children: int = Field(0, ge=0, le=1000, description="烈士子女: a count, never who")
    children_in_difficulty: int = Field(0, ge=0, le=1000, description="困境儿童: a count, never who")
    amount_fen: int | None = Field(None, ge=0, le=10**11, description="the fees reduced, for a fee reduction")


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
    reviewed_by: str | None
    approved_by: str | None
    disbursed_on: dt.date | None
    reason: str | None


class ApplicationPage(BaseModel):
    items: list[ApplicationRead]
    next: str | None


class ReviewCreate(Strict):
    decision: Literal["approve", "reject"]
    note: str = Field("", max_length=500, description="required when rejecting")


class ReversalCreate(Strict):
    reason: str = Field(min_length=1, max_length=500)


class BatchCreate(Strict):
    application_ids: list[str] = Field(min_length=1, max_length=1000)


class BatchRead(BaseModel):
    id: str
    paid: list[str]
    skipped: list[dict]
    total_fen: int


class FeeStandardCreate(Strict):
    year: int = Field(ge=2020, le=2100)
    county: str = Field(pattern=r"^\d{6}$")
    service_type: Literal["full_day", "half_day", "hourly", "temporary"]
    cap_fen: int = Field(gt=0, le=10**9)
    unit: Literal["month", "hour", "day"]
    reference: str = Field(min_length=1, max_length=200)


class FeeStandardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    county: str
    service_type: str
    cap_fen: int
    unit: str
    reference: str
    published_on: dt.date


class UtilityRateEntry(BaseModel):
    uscc: str
    name: str
    county: str


class ReportRow(BaseModel):
    programme: str
    region: str
    month: int
    applications: int
    approved_fen: int
    paid_fen: int


class SubsidyReport(BaseModel):
    year: int
    region: str | None
    rows: list[ReportRow]
    budgets: list[BudgetRead]
