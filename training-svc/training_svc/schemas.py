"""Request and response models of the workforce service. Responses carry the resident ID and the
phone masked; the full values come only from `…/personal-data`, to the roles that need them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.events.training import Occupation


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """A list (DESIGN §7): `next` is the `after=` of the following page, null on the last."""

    items: list[Item]
    next: str | None


# GB 11643 writes the check character 10 as a capital X; a lowercase x typed by a clerk is the same number.
ResidentId = Annotated[str, Field(min_length=18, max_length=18, description="公民身份号码 (GB 11643)"), AfterValidator(str.upper)]
Key = Annotated[str, Field(min_length=1, max_length=36)]  # a record's id
Uscc = Annotated[str, Field(min_length=18, max_length=18)]
Phone = Annotated[str, Field(pattern=r"^1[3-9]\d{9}$")]
Hours = Annotated[int, Field(ge=1, le=2000)]
Year = Annotated[int, Field(ge=2000, le=2100)]


class PractitionerCreate(Strict):
    id_number: ResidentId
    name: str = Field(min_length=1, max_length=50)
    phone: Phone | None = None
    occupation: Occupation
    employer_uscc: Uscc
    hired_on: dt.date
    rehired_retiree: bool = Field(False, description="返聘")
    volunteer: bool = Field(False, description="志愿者")


class HireCreate(Strict):
    """Hired again after leaving, by an institution of any county. 返聘 and volunteering describe this
    employment, so they are stated again at each hiring (三(四)3)."""

    employer_uscc: Uscc
    hired_on: dt.date
    occupation: Occupation | None = None
    rehired_retiree: bool = Field(False, description="返聘")
    volunteer: bool = Field(False, description="志愿者")


class PractitionerUpdate(Strict):
    """Only what a clerk corrects; the ID number never changes, hiring and leaving have their own endpoints."""

    name: str | None = Field(None, min_length=1, max_length=50)
    phone: Phone | None = None
    rehired_retiree: bool | None = Field(None, description="返聘")
    volunteer: bool | None = Field(None, description="志愿者")


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


class PersonalData(BaseModel):
    """Shown in full to those whose duty needs it; every view is audited."""

    id: str
    id_number: str
    phone: str | None


class LookupRequest(Strict):
    id_number: ResidentId = Field(description="sent in the body so it is never in a URL or an access log")


class CertificateCreate(Strict):
    """DESIGN §7 lists `training` too: a 培训合格证书 from a course held outside the platform's catalogue."""

    practitioner_id: Key
    kind: Literal["qualification", "skill_level", "training"]
    occupation: Occupation
    level: int | None = Field(None, ge=1, le=5, description="1 = 高级技师 … 3 = 高级工 … 5 = 初级; none for a training certificate")
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
    hours: Hours
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
    practitioner_id: Key


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
    practitioner_id: Key
    rank: int = Field(ge=1, le=10000)
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
    practitioner_id: Key
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
    result: Literal["fit", "unfit"] | None = Field(description="of the latest check; null when never checked")


class InServiceCreate(Strict):
    """Hours of in-service training outside the course catalogue: the policy counts every educational
    resource toward the year's in-service training (三(四)2 充分利用各种教育资源…每年完成在职培训)."""

    year: Year
    hours: Hours
    source: str = Field(min_length=1, max_length=200, description="who trained, and what")


class InServiceRecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    practitioner_id: str
    year: int
    hours: int
    source: str
    recorded_on: dt.date


class InServiceYear(BaseModel):
    year: int
    hours: int
    hours_required: int
    done: bool


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
