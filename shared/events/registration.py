"""Events of the registration context (登记, policy 三(三)1).

Every event carries the whole record as it stands after the change (a snapshot with its
`version`), so a consumer needs nothing else to keep its own copy, and can tell an older event
arriving late (through the feed, after a newer one came through the broker) by its version.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Nature = Literal["public_institution", "social_service", "for_profit"]
ServiceType = Literal["full_day", "half_day", "hourly", "temporary"]
OperatingMode = Literal["sole", "joint", "public_private", "private_aided"]
Area = Literal["urban", "rural"]  # 城镇 / 农村: the plan's goal is a system covering town and country


class Places(BaseModel):
    """Places by class (托育机构设置标准): 乳儿班 / 托小班 / 托大班."""

    infant: int = Field(0, ge=0, le=10000, description="乳儿班, 6–12 months")
    toddler: int = Field(0, ge=0, le=10000, description="托小班, 12–24 months")
    older_toddler: int = Field(0, ge=0, le=10000, description="托大班, 24–36 months")


class InstitutionSnapshot(BaseModel):
    """A registered institution as its registrar recorded it."""

    uscc: str
    name: str
    nature: Nature
    registrar: str
    registrar_region: str
    county: str
    registered_on: dt.date
    address: str
    legal_representative: str
    service_types: list[ServiceType]
    places: Places
    inclusive: bool
    operating_mode: OperatingMode
    employer_run: bool
    sponsors: list[str]
    area: Area = "urban"
    status: Literal["active", "deregistered"]
    deregistered_on: dt.date | None = None
    version: int = Field(description="1 when registered, +1 with every change")


class InstitutionRegistered(InstitutionSnapshot):
    pass


class InstitutionAmended(InstitutionSnapshot):
    changed: list[str] = Field(description="the fields this amendment changed")


class InstitutionDeregistered(InstitutionSnapshot):
    reason: str


class KindergartenClassSnapshot(BaseModel):
    """A kindergarten's 2–3-year classes (托班) in the county education bureau's ledger (台账)."""

    uscc: str = Field(description="the kindergarten's 统一社会信用代码")
    name: str
    ownership: Literal["public", "private"] = Field(description="公办 / 民办")
    county: str
    ledger_region: str = Field(description="region of the education bureau keeping the ledger")
    recorded_on: dt.date
    address: str
    classes: int = Field(ge=0, description="number of 托班")
    places: int = Field(ge=0, description="places in them")
    inclusive: bool
    status: Literal["active", "closed"]
    closed_on: dt.date | None = None
    version: int


class KindergartenClassRecorded(KindergartenClassSnapshot):
    pass


class KindergartenClassAmended(KindergartenClassSnapshot):
    changed: list[str]


class KindergartenClassClosed(KindergartenClassSnapshot):
    reason: str
