"""普惠 recognition and demonstration units (示范点)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from inspection_svc.commands import designations
from inspection_svc.repository import DesignationRepository
from inspection_svc.schemas import DesignationRead, InclusiveCreate, NominationCreate, Page, WithdrawalCreate
from shared.auth import CurrentPrincipal, allow_departments
from shared.params import OptionalYear
from shared.service import ReadSession, ServiceRuntime, WriteSession
from shared.timeutil import today_in_china

router = APIRouter(prefix="/v1/designations", tags=["designations"])


@router.post("/inclusive", status_code=201, response_model=DesignationRead, summary="Recognise an institution as 普惠 for a year")
async def recognise(body: InclusiveCreate, principal: CurrentPrincipal, session: WriteSession) -> DesignationRead:
    return await designations.recognise_inclusive(session, principal, body, today_in_china())


@router.post("/demonstration", status_code=201, response_model=DesignationRead, summary="Nominate a demonstration unit (county)")
async def nominate(body: NominationCreate, principal: CurrentPrincipal, session: WriteSession, rt: ServiceRuntime) -> DesignationRead:
    return await designations.nominate_demonstration(session, principal, body, today_in_china(), rt.settings.demonstration_min_rating)


@router.post("/{designation_id}/confirmation", response_model=DesignationRead, summary="Confirm a demonstration unit (city)")
async def confirm(designation_id: str, principal: CurrentPrincipal, session: WriteSession, rt: ServiceRuntime) -> DesignationRead:
    return await designations.confirm_demonstration(session, principal, designation_id, today_in_china(), rt.settings.demonstration_min_rating)


@router.post("/{designation_id}/withdrawal", response_model=DesignationRead, summary="Withdraw a recognition or designation")
async def withdraw(designation_id: str, body: WithdrawalCreate, principal: CurrentPrincipal, session: WriteSession) -> DesignationRead:
    return await designations.withdraw(session, principal, designation_id, body, today_in_china())


@router.get("", dependencies=[allow_departments("weijian", "caizheng", "fagai")], response_model=Page[DesignationRead], summary="Designations by kind, year, status")
async def list_designations(
    principal: CurrentPrincipal,
    session: ReadSession,
    kind: Annotated[str | None, Query(pattern="^(inclusive|demonstration)$")] = None,
    year: OptionalYear = None,
    status: Annotated[str | None, Query(pattern="^(recognised|nominated|confirmed|withdrawn)$")] = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[DesignationRead]:
    rows = await DesignationRepository(session, principal).page(kind=kind, year=year, status=status, after=after, limit=limit)
    return Page[DesignationRead](items=[designations.designation_read(r) for r in rows], next=rows[-1].id if len(rows) == limit else None)
