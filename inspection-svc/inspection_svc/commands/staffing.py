"""Staffing facts for supervision, kept from the workforce service's events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.domain.staffing import after_health_check
from inspection_svc.models import StaffFact
from inspection_svc.repository import StaffRepository
from inspection_svc.schemas import StaffingRead
from shared.events.training import CertificateIssued, HealthCheckRecorded, PractitionerSnapshot
from shared.standards import CARERS


async def _fact(session: AsyncSession, practitioner_id: str, employer_uscc: str | None, occupation: str) -> StaffFact:
    repo = StaffRepository(session)
    row = await repo.get(practitioner_id)
    if row is None:  # a certificate or check may be told before the hiring
        row = StaffFact(
            practitioner_id=practitioner_id,
            employer_uscc=employer_uscc or "",
            occupation=occupation,
            volunteer=False,
            employed=False,
            version=0,
            certified_occupations=[],
        )
        repo.add(row)
    return row


async def practitioner_changed(session: AsyncSession, data: PractitionerSnapshot) -> None:
    row = await _fact(session, data.practitioner_id, data.employer_uscc, data.occupation)
    if data.version > row.version:
        row.employer_uscc, row.occupation, row.volunteer = data.employer_uscc, data.occupation, data.volunteer
        row.employed, row.version = data.status == "employed", data.version


async def certificate_issued(session: AsyncSession, data: CertificateIssued) -> None:
    row = await _fact(session, data.practitioner_id, data.employer_uscc, data.occupation)
    if data.occupation not in row.certified_occupations:
        row.certified_occupations = sorted([*row.certified_occupations, data.occupation])


async def health_checked(session: AsyncSession, data: HealthCheckRecorded) -> None:
    row = await _fact(session, data.practitioner_id, data.employer_uscc, "")
    row.health_checked_on, row.health_valid_until = after_health_check(
        row.health_checked_on, row.health_valid_until, data.checked_on, data.result == "fit", data.valid_until
    )


async def staffing(session: AsyncSession, uscc: str, today: dt.date) -> StaffingRead:
    staff = [s for s in await StaffRepository(session).of_employer(uscc) if not s.volunteer]
    carers = [s for s in staff if s.occupation in CARERS]
    return StaffingRead(
        uscc=uscc,
        staff=len(staff),
        carers=len(carers),
        certified_carers=sum(1 for s in carers if s.occupation in s.certified_occupations),
        health_checks_valid=sum(1 for s in staff if s.health_valid_until is not None and s.health_valid_until >= today),
    )
