"""Request and response models of the registration service."""

from __future__ import annotations

import datetime as dt
from pydantic import BaseModel, ConfigDict, Field

from shared.events.registration import InstitutionSnapshot, Nature, OperatingMode, Places, ServiceType


class RegistrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    uscc: str = Field(min_length=18, max_length=18, description="统一社会信用代码 (GB 32100-2015)")
    name: str = Field(min_length=1, max_length=200)
    nature: Nature
    registrar: str = Field(description="department code of the registrar: bianban | minzheng | shichang")
    registrar_region: str = Field(pattern=r"^\d{6}$", description="region of the registering office")
    county: str = Field(pattern=r"^\d{6}$", description="county where the institution is located")
    registered_on: dt.date
    address: str = Field(min_length=1, max_length=300)
    legal_representative: str = Field(min_length=1, max_length=100)
    service_types: list[ServiceType] = Field(min_length=1, max_length=4)
    places: Places
    inclusive: bool = False
    operating_mode: OperatingMode
    employer_run: bool = False
    sponsors: list[str] = Field(default_factory=list, max_length=20)


class RegistrationRead(InstitutionSnapshot):
    """The record as registered (the same fields every registration event carries), with its id
    and when it was written."""

    id: str
    created_at: dt.datetime
    updated_at: dt.datetime


class RegistrationPage(BaseModel):
    items: list[RegistrationRead]
    next: str | None
