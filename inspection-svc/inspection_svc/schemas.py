"""Request and response models of the supervision service."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.inspection import FilingSnapshot


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


class UnfiledPage(BaseModel):
    items: list[UnfiledRead]
    allowed_working_days: int


class PublicReturnedFiling(BaseModel):
    """公示: a filing returned, with its reasons."""

    name: str
    uscc: str
    county: str
    submitted_on: dt.date
    decided_on: dt.date | None
    reasons: list[str]
