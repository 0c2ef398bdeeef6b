"""The practitioner register (从业人员): hiring, leaving, and personal data for those who need it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.auth import CurrentPrincipal, allow_departments
from shared.errors import not_found
from shared.service import ReadSession, WriteSession
from shared.timeutil import today_in_china
from training_svc import commands
from training_svc.repository import CertificateRepository, PractitionerRepository
from training_svc.schemas import (
    CertificateRead,
    DepartureCreate,
    HireCreate,
    LookupRequest,
    PersonalData,
    PractitionerCreate,
    PractitionerPage,
    PractitionerRead,
)

router = APIRouter(prefix="/v1/practitioners", tags=["practitioners"], dependencies=[allow_departments("weijian", "renshe")])


@router.post("", status_code=201, response_model=PractitionerRead, summary="Register a practitioner and their hiring")
async def register(body: PractitionerCreate, principal: CurrentPrincipal, session: WriteSession) -> PractitionerRead:
    return await commands.register_practitioner(session, principal, body, today_in_china())


@router.get("", response_model=PractitionerPage, summary="Practitioners by employer, status, occupation (ID numbers masked)")
async def list_practitioners(
    principal: CurrentPrincipal,
    session: ReadSession,
    employer_uscc: str | None = None,
    status: Annotated[str | None, Query(pattern="^(employed|left)$")] = None,
    occupation: str | None = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> PractitionerPage:
    rows = await PractitionerRepository(session, principal).page(
        employer_uscc=employer_uscc, status=status, occupation=occupation, after=after, limit=limit
    )
    return PractitionerPage(items=[commands.practitioner_read(r) for r in rows], next=rows[-1].id if len(rows) == limit else None)


@router.post("/lookup", response_model=PractitionerRead, summary="Find a practitioner by ID number (sent in the body)")
async def lookup(body: LookupRequest, principal: CurrentPrincipal, session: ReadSession) -> PractitionerRead:
    row = await PractitionerRepository(session, principal).by_id_number(body.id_number)
    if row is None:
        raise not_found("practitioner", "with that ID number")
    return commands.practitioner_read(row)


@router.get("/{practitioner_id}", response_model=PractitionerRead, summary="One practitioner (masked)")
async def get_practitioner(practitioner_id: str, principal: CurrentPrincipal, session: ReadSession) -> PractitionerRead:
    row = await PractitionerRepository(session, principal).get(practitioner_id)
    if row is None:
        raise not_found("practitioner", practitioner_id)
    return commands.practitioner_read(row)


@router.get("/{practitioner_id}/personal-data", response_model=PersonalData, summary="The full ID number and phone (audited)")
async def personal_data(practitioner_id: str, principal: CurrentPrincipal, session: WriteSession) -> PersonalData:
    return await commands.personal_data(session, principal, practitioner_id)


@router.get("/{practitioner_id}/certificates", response_model=list[CertificateRead], summary="A practitioner's certificates")
async def certificates(practitioner_id: str, principal: CurrentPrincipal, session: ReadSession) -> list[CertificateRead]:
    if await PractitionerRepository(session, principal).get(practitioner_id) is None:
        raise not_found("practitioner", practitioner_id)
    return [CertificateRead.model_validate(c) for c in await CertificateRepository(session).of_practitioner(practitioner_id)]


@router.post("/{practitioner_id}/hire", response_model=PractitionerRead, summary="Hired again (after leaving)")
async def hire(practitioner_id: str, body: HireCreate, principal: CurrentPrincipal, session: WriteSession) -> PractitionerRead:
    return await commands.hire(session, principal, practitioner_id, body, today_in_china())


@router.post("/{practitioner_id}/departure", response_model=PractitionerRead, summary="Left the institution")
async def depart(practitioner_id: str, body: DepartureCreate, principal: CurrentPrincipal, session: WriteSession) -> PractitionerRead:
    return await commands.depart(session, principal, practitioner_id, body, today_in_china())
