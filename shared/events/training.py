"""Events of the workforce context (队伍, policy 三(四)). Personal data stays out: the resident ID
travels masked, the phone not at all; `practitioner_id` is the person's key across services."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Occupation = Literal["yuyingyuan", "baoyuyuan", "health_care", "security", "cook", "manager"]


class PractitionerSnapshot(BaseModel):
    practitioner_id: str
    id_number_masked: str
    name: str
    occupation: Occupation
    employer_uscc: str
    hired_on: dt.date
    left_on: dt.date | None
    rehired_retiree: bool
    volunteer: bool
    status: Literal["employed", "left"]
    version: int


class PractitionerHired(PractitionerSnapshot):
    pass


class PractitionerDeparted(PractitionerSnapshot):
    pass


class PractitionerAmended(PractitionerSnapshot):
    """Name or the 返聘 / volunteer flags corrected (a volunteer counts for nothing in staffing)."""


class CertificateIssued(BaseModel):
    certificate_id: str
    practitioner_id: str
    employer_uscc: str | None
    kind: Literal["qualification", "skill_level", "training"]
    occupation: Occupation
    level: int | None = Field(description="1 = 高级技师 … 3 = 高级工 … 5 = 初级; none for a training certificate")
    number: str
    issued_on: dt.date


class HealthCheckRecorded(BaseModel):
    health_check_id: str
    practitioner_id: str
    employer_uscc: str | None
    checked_on: dt.date
    result: Literal["fit", "unfit"]
    valid_until: dt.date
