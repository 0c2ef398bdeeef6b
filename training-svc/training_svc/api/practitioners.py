"""The practitioner register (从业人员): hiring, leaving, and personal data for those who need it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import CurrentPrincipal, Principal, allow_departments
from shared.errors import not_found
from shared.service import ReadSession, ServiceRuntime, WriteSession
from shared.timeutil import today_in_china
from training_svc import commands
from training_svc.api import Limit
from training_svc.domain.compliance import in_service_done
from training_svc.repository import CertificateRepository, HealthCheckRepository, PractitionerRepository, TrainingRepository
from training_svc.schemas import (
    CertificateRead,
    DepartureCreate,
    HealthCheckRead,
    HireCreate,
    InServiceCreate,
    InServiceRecordRead,
    InServiceYear,
    LookupRequest,
    Page,
    PersonalData,
    PractitionerCreate,
    PractitionerRead,
    PractitionerUpdate,
)

router = APIRouter(prefix="/v1/practitioners", tags=["practitioners"], dependencies=[allow_departments("weijian", "renshe")])


async def _visible(session: AsyncSession, principal: Principal, practitioner_id: str) -> None:
    """The practitioner is on the caller's register (属地管理), else 404 as for any record not theirs."""
    if await PractitionerRepository(session, principal).get(practitioner_id) is None:
        raise not_found("practitioner", practitioner_id)


@router.post("", status_code=201, response_model=PractitionerRead, summary="Register a practitioner and their hiring")
async def register(body: PractitionerCreate, principal: CurrentPrincipal, session: WriteSession) -> PractitionerRead:
    return await commands.register_practitioner(session, principal, body, today_in_china())


@router.get("", response_model=Page[PractitionerRead], summary="Practitioners by employer, status, occupation (ID numbers masked)")
async def list_practitioners(
    principal: CurrentPrincipal,
    session: ReadSession,
    employer_uscc: str | None = None,
    status: Annotated[str | None, Query(pattern="^(employed|left)$")] = None,
    occupation: str | None = None,
    after: str | None = None,
    limit: Limit = 100,
) -> Page[PractitionerRead]:
    rows = await PractitionerRepository(session, principal).page(
        employer_uscc=employer_uscc, status=status, occupation=occupation, after=after, limit=limit
    )
    return Page(items=[commands.practitioner_read(r) for r in rows], next=rows[-1].id if len(rows) == limit else None)


@router.post(
    "/lookup",
    response_model=PractitionerRead,
    summary="Find a practitioner by ID number (sent in the body; audited; also one who left another county)",
)
async def lookup(body: LookupRequest, principal: CurrentPrincipal, session: WriteSession) -> PractitionerRead:
    return await commands.lookup(session, principal, body.id_number)


@router.get("/{practitioner_id}", response_model=PractitionerRead, summary="One practitioner (masked)")
async def get_practitioner(practitioner_id: str, principal: CurrentPrincipal, session: ReadSession) -> PractitionerRead:
    row = await PractitionerRepository(session, principal).get(practitioner_id)
    if row is None:
        raise not_found("practitioner", practitioner_id)
    return commands.practitioner_read(row)


@router.patch("/{practitioner_id}", response_model=PractitionerRead, summary="Correct name, phone, 返聘 / volunteer flags (audited)")
async def amend(practitioner_id: str, body: PractitionerUpdate, principal: CurrentPrincipal, session: WriteSession) -> PractitionerRead:
    return await commands.amend(session, principal, practitioner_id, body)


@router.get("/{practitioner_id}/personal-data", response_model=PersonalData, summary="The full ID number and phone (audited)")
async def personal_data(practitioner_id: str, principal: CurrentPrincipal, session: WriteSession) -> PersonalData:
    return await commands.personal_data(session, principal, practitioner_id)


@router.get("/{practitioner_id}/certificates", response_model=Page[CertificateRead], summary="A practitioner's certificates")
async def certificates(
    practitioner_id: str, principal: CurrentPrincipal, session: ReadSession, after: str | None = None, limit: Limit = 100
) -> Page[CertificateRead]:
    await _visible(session, principal, practitioner_id)
    rows = await CertificateRepository(session).of_practitioner(practitioner_id, after, limit)
    return Page(items=[CertificateRead.model_validate(c) for c in rows], next=rows[-1].id if len(rows) == limit else None)


@router.get("/{practitioner_id}/health-checks", response_model=Page[HealthCheckRead], summary="A practitioner's health checks")
async def health_checks(
    practitioner_id: str, principal: CurrentPrincipal, session: ReadSession, after: str | None = None, limit: Limit = 100
) -> Page[HealthCheckRead]:
    await _visible(session, principal, practitioner_id)
    rows = await HealthCheckRepository(session).of_practitioner(practitioner_id, after, limit)
    return Page(items=[HealthCheckRead.model_validate(c) for c in rows], next=rows[-1].id if len(rows) == limit else None)


@router.get(
    "/{practitioner_id}/in-service",
    response_model=Page[InServiceYear],
    summary="In-service training hours a year, the latest year first (三(四)2)",
)
async def in_service(
    practitioner_id: str,
    principal: CurrentPrincipal,
    session: ReadSession,
    rt: ServiceRuntime,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    after: Annotated[int | None, Query(ge=2000, le=2101, description="the last year seen")] = None,
    limit: Limit = 100,
) -> Page[InServiceYear]:
    await _visible(session, principal, practitioner_id)
    rows = await TrainingRepository(session).hours_by_year(practitioner_id, year, after, limit)
    required = rt.settings.in_service_hours_per_year
    items = [InServiceYear(year=y, hours=h, hours_required=required, done=in_service_done(h, required)) for y, h in rows]
    return Page(items=items, next=str(rows[-1][0]) if len(rows) == limit else None)


@router.post(
    "/{practitioner_id}/in-service",
    status_code=201,
    response_model=InServiceRecordRead,
    summary="Record in-service hours trained outside the catalogue (audited)",
)
async def record_in_service(
    practitioner_id: str, body: InServiceCreate, principal: CurrentPrincipal, session: WriteSession
) -> InServiceRecordRead:
    return await commands.record_in_service(session, principal, practitioner_id, body, today_in_china())


@router.post("/{practitioner_id}/hire", response_model=PractitionerRead, summary="Hired again after leaving, by the office of the new employer's county")
async def hire(practitioner_id: str, body: HireCreate, principal: CurrentPrincipal, session: WriteSession) -> PractitionerRead:
    return await commands.hire(session, principal, practitioner_id, body, today_in_china())


@router.post("/{practitioner_id}/departure", response_model=PractitionerRead, summary="Left the institution")
async def depart(practitioner_id: str, body: DepartureCreate, principal: CurrentPrincipal, session: WriteSession) -> PractitionerRead:
    return await commands.depart(session, principal, practitioner_id, body, today_in_china())
