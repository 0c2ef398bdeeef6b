"""Request and response models of the subsidy service."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


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
