"""Request and response models of the registration service."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from shared.events.registration import Area, InstitutionSnapshot, KindergartenClassSnapshot, Nature, OperatingMode, Places, ServiceType

USCC_FIELD = Field(min_length=18, max_length=18, description="统一社会信用代码 (GB 32100-2015)")
REGION_FIELD = Field(pattern=r"^\d{6}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegistrationCreate(Strict):
    uscc: str = USCC_FIELD
    name: str = Field(min_length=1, max_length=200)
    nature: Nature
    registrar: str = Field(max_length=16, description="department code of the registrar: bianban | minzheng | shichang")
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
    area: Area = Field("urban", description="城镇 urban / 农村 rural")


class Amendment(Strict):
    """A PATCH body: a field left out stays as it is; none of them may be emptied with `null`
    (every one is required of the record, DESIGN §5), so a `null` is refused naming its field
    rather than written or taken for "no change". The types say so to clients too: the `None` a
    field left out holds is never validated."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise PydanticCustomError("not_null", "may be left out to keep it, but not set to null")
        return value


class RegistrationUpdate(Amendment):
    """An amendment: only what changes. USCC, nature, registrar, its office and the registration
    date cannot change; an institution that changes those registers anew."""

    name: str = Field(None, min_length=1, max_length=200)
    county: str = Field(None, pattern=r"^\d{6}$")
    address: str = Field(None, min_length=1, max_length=300)
    legal_representative: str = Field(None, min_length=1, max_length=100)
    service_types: list[ServiceType] = Field(None, min_length=1, max_length=4)
    places: Places = Field(None)
    inclusive: bool = Field(None)
    operating_mode: OperatingMode = Field(None)
    employer_run: bool = Field(None)
    sponsors: list[str] = Field(None, max_length=20)
    area: Area = Field(None)


class EndingCreate(Strict):
    """Deregistration (注销) of a registration, or closure of a ledger entry."""

    on: dt.date = Field(description="the date it ended")
    reason: str = Field(min_length=1, max_length=500)


class RegistrationRead(InstitutionSnapshot):
    """The record as registered (the same fields every registration event carries), with its id
    and when it was written."""

    id: str
    created_at: dt.datetime
    updated_at: dt.datetime


class RegistrationPage(BaseModel):
    items: list[RegistrationRead]
    next: str | None


class RegistrationCount(BaseModel):
    registrar_region: str
    registrar: str
    registered: int


class RegistrationCounts(BaseModel):
    month: str
    items: list[RegistrationCount]


class KindergartenClassCreate(Strict):
    uscc: str = USCC_FIELD
    name: str = Field(min_length=1, max_length=200)
    ownership: Literal["public", "private"]
    county: str = REGION_FIELD
    ledger_region: str = Field(pattern=r"^\d{6}$", description="region of the education bureau keeping the ledger")
    recorded_on: dt.date
    address: str = Field(min_length=1, max_length=300)
    classes: int = Field(ge=1, le=100)
    places: int = Field(ge=0, le=2000)
    inclusive: bool = False


class KindergartenClassUpdate(Amendment):
    name: str = Field(None, min_length=1, max_length=200)
    address: str = Field(None, min_length=1, max_length=300)
    classes: int = Field(None, ge=1, le=100)
    places: int = Field(None, ge=0, le=2000)
    inclusive: bool = Field(None)


class KindergartenClassRead(KindergartenClassSnapshot):
    created_at: dt.datetime
    updated_at: dt.datetime


class KindergartenClassPage(BaseModel):
    items: list[KindergartenClassRead]
    next: str | None


class ImportRowError(BaseModel):
    field: str
    rule: str
    message: str


class ImportRow(BaseModel):
    row: int = Field(description="row number in the sheet (the header is row 1)")
    uscc: str | None
    status: Literal["accepted", "refused", "not_imported"]
    errors: list[ImportRowError] = Field(default_factory=list)


class ImportReport(BaseModel):
    id: str | None = Field(description="null for a dry run, which stores nothing")
    filename: str
    dry_run: bool
    all_or_nothing: bool
    rows: int
    accepted: int
    refused: int
    items: list[ImportRow]
