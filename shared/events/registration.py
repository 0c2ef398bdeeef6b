"""Events of the registration context (登记, policy 三(三)1)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Nature = Literal["public_institution", "social_service", "for_profit"]
ServiceType = Literal["full_day", "half_day", "hourly", "temporary"]
OperatingMode = Literal["sole", "joint", "public_private", "private_aided"]


class Places(BaseModel):
    """Places by class (托育机构设置标准): 乳儿班 / 托小班 / 托大班."""

    infant: int = Field(0, ge=0, description="乳儿班, 6–12 months")
    toddler: int = Field(0, ge=0, description="托小班, 12–24 months")
    older_toddler: int = Field(0, ge=0, description="托大班, 24–36 months")


class InstitutionSnapshot(BaseModel):
    """The registered record as it stands after the change: consumers keep it without asking back."""

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
    status: Literal["active", "deregistered"]


class InstitutionRegistered(InstitutionSnapshot):
    pass


class InstitutionAmended(InstitutionSnapshot):
    changed: list[str] = Field(description="the fields this amendment changed")


class InstitutionDeregistered(BaseModel):
    uscc: str
    registrar: str
    registrar_region: str
    county: str
    deregistered_on: dt.date
    reason: str
