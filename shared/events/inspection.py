"""Events of the supervision context (监管): filing (备案) with the county health bureau."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

FilingStatus = Literal["submitted", "accepted", "returned", "cancelled"]


class FilingSnapshot(BaseModel):
    filing_id: str
    sequence: int = Field(description="1 for the institution's first filing, 2 for the next after a return, …")
    uscc: str
    name: str
    county: str = Field(description="the county health bureau the institution files with")
    status: FilingStatus
    submitted_on: dt.date
    answer_due_on: dt.date = Field(description="5 working days after receipt")
    return_due_on: dt.date = Field(description="15 working days after receipt")
    decided_on: dt.date | None = None
    reasons: list[str] = Field(default_factory=list, description="why it was returned")
    version: int


class FilingSubmitted(FilingSnapshot):
    pass


class FilingAccepted(FilingSnapshot):
    pass


class FilingReturned(FilingSnapshot):
    pass


class FilingCancelled(FilingSnapshot):
    pass


Agency = Literal["weijian", "shichang", "gongan", "xiaofang"]
Severity = Literal["minor", "major", "critical"]


class InspectionRecorded(BaseModel):
    """An inspection by one agency, summarised (the findings travel as their own events)."""

    inspection_id: str
    uscc: str
    county: str
    agency: Agency
    kind: str
    inspected_on: dt.date
    plan_id: str | None
    items_checked: int
    items_failed: int
    finding_ids: list[str]


class FindingSnapshot(BaseModel):
    finding_id: str
    inspection_id: str
    uscc: str
    county: str
    agency: Agency
    code: str
    severity: Severity
    risk_level: str = Field(description="低 / 中 / 高, as published")
    raised_on: dt.date
    deadline: dt.date
    status: Literal["open", "closed"]
    verified_on: dt.date | None
    version: int


class FindingRaised(FindingSnapshot):
    pass


class FindingClosed(FindingSnapshot):
    pass


class CreditChanged(BaseModel):
    """失信联合惩戒 / 守信联合激励: an institution's credit standing changed (no subsidies while dishonest)."""

    uscc: str
    county: str
    status: Literal["trustworthy", "normal", "dishonest"]
    previous: Literal["trustworthy", "normal", "dishonest"] | None
    reasons: list[str]
    since: dt.date
    version: int


class UnlicensedOperatorSnapshot(BaseModel):
    """无证经营 found by market supervision and banned (取缔); the operator's own person is not in it."""

    operator_id: str
    name: str
    county: str
    address: str
    found_on: dt.date
    banned_on: dt.date
    status: Literal["banned", "registered"]
    linked_uscc: str | None


class UnlicensedOperatorRecorded(UnlicensedOperatorSnapshot):
    pass


class UnlicensedOperatorLinked(UnlicensedOperatorSnapshot):
    pass


class EvaluationPublished(BaseModel):
    """A third-party quality evaluation (WS/T 821—2023) published after its review window."""

    evaluation_id: str
    uscc: str
    county: str
    evaluated_on: dt.date
    scores: dict[str, int]
    rating: str
    published_on: dt.date


class DesignationSnapshot(BaseModel):
    """普惠 recognition (kind `inclusive`) or a demonstration unit (kind `demonstration`, 示范点)."""

    designation_id: str
    kind: Literal["inclusive", "demonstration"]
    uscc: str
    county: str
    year: int
    status: Literal["recognised", "nominated", "confirmed", "withdrawn"]
    decided_on: dt.date
    reason: str | None
    version: int


class InclusiveRecognised(DesignationSnapshot):
    pass


class DemonstrationNominated(DesignationSnapshot):
    pass


class DemonstrationConfirmed(DesignationSnapshot):
    pass


class DesignationWithdrawn(DesignationSnapshot):
    pass
