"""Request and response models of the workforce service. Responses carry the resident ID and the
phone masked; the full values come only from `…/personal-data`, to the roles that need them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.training import Occupation


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PractitionerCreate(Strict):
    id_number: str = Field(min_length=18, max_length=18, description="公民身份号码 (GB 11643)")
    name: str = Field(min_length=1, max_length=50)
    phone: str | None = Field(None, pattern=r"^1[3-9]\d{9}$")
    occupation: Occupation
    employer_uscc: str = Field(min_length=18, max_length=18)
    hired_on: dt.date
    rehired_retiree: bool = Field(False, description="返聘")
    volunteer: bool = Field(False, description="志愿者")


class HireCreate(Strict):
    employer_uscc: str = Field(min_length=18, max_length=18)
    hired_on: dt.date
    occupation: Occupation | None = None


class DepartureCreate(Strict):
    left_on: dt.date
    reason: str = Field(min_length=1, max_length=500)


class PractitionerRead(BaseModel):
    id: str
    id_number_masked: str
    name: str
    phone_masked: str | None
    occupation: str
    employer_uscc: str
    hired_on: dt.date
    left_on: dt.date | None
    rehired_retiree: bool
    volunteer: bool
    status: str


class PractitionerPage(BaseModel):
    items: list[PractitionerRead]
    next: str | None


class PersonalData(BaseModel):
    """Shown in full to those whose duty needs it; every view is audited."""

    id: str
    id_number: str
    phone: str | None


class LookupRequest(Strict):
    id_number: str = Field(min_length=18, max_length=18, description="sent in the body so it is never in a URL or an access log")


class CertificateCreate(Strict):
    practitioner_id: str
    kind: Literal["qualification", "skill_level"] = Field(description="training certificates come from completing a course")
    occupation: Occupation
    level: int = Field(ge=1, le=5, description="1 = 高级技师 … 3 = 高级工 … 5 = 初级")
    number: str = Field(min_length=1, max_length=60)
    issued_on: dt.date


class CertificateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    practitioner_id: str
    kind: str
    occupation: str
    level: int | None
    number: str
    issued_on: dt.date


class CourseCreate(Strict):
    code: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    occupation: Occupation
    hours: int = Field(ge=1, le=2000)
    in_service: bool = True
    issues_certificate: bool = True


class CourseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    code: str
    title: str
    occupation: str
    hours: int
    in_service: bool
    issues_certificate: bool


class SessionCreate(Strict):
    county: str = Field(pattern=r"^\d{6}$")
    location: str = Field(min_length=1, max_length=200)
    starts_on: dt.date
    ends_on: dt.date
    capacity: int = Field(ge=1, le=1000)


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    course_id: str
    county: str
    location: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    enrolled: int


class EnrolmentCreate(Strict):
    practitioner_id: str


class AttendanceCreate(Strict):
    on: dt.date
    hours: int = Field(ge=1, le=24)


class EnrolmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    session_id: str
    practitioner_id: str
    status: str
    attended_hours: int
    completed_on: dt.date | None
    certificate_id: str | None


class CompetitionResult(Strict):
    practitioner_id: str
    rank: int = Field(ge=1)
    award: str = Field(min_length=1, max_length=50)


class CompetitionCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    occupation: Occupation
    held_on: dt.date
    results: list[CompetitionResult] = Field(max_length=500)


class CompetitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    occupation: str
    held_on: dt.date
    results: list[CompetitionResult]


class HealthCheckCreate(Strict):
    practitioner_id: str
    checked_on: dt.date
    result: Literal["fit", "unfit"]
    examiner: str = Field(min_length=1, max_length=200)


class HealthCheckRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    practitioner_id: str
    checked_on: dt.date
    result: str
    valid_until: dt.date
    examiner: str


class LapsedHealthCheck(BaseModel):
    practitioner_id: str
    name: str
    employer_uscc: str
    occupation: str
    valid_until: dt.date | None = Field(description="of the latest check; null when never checked")


class ComplianceRead(BaseModel):
    uscc: str
    name: str
    places: dict[str, int]
    required_by_class: dict[str, int]
    required_carers: int
    carers: int
    certified_carers: int
    staff: int
    health_checks_valid: int
    in_service_year: int
    in_service_hours_required: int
    in_service_done: int
    compliant: bool
    gaps: list[str]
