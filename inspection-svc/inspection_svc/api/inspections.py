"""Inspections, findings and follow-ups by health, market supervision, police and fire."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from inspection_svc.commands import inspections
from inspection_svc.repository import FindingRepository, InspectionRepository
from inspection_svc.schemas import FindingPage, FollowUpCreate, FollowUpRead, InspectionCreate, InspectionPage, InspectionRead
from shared.auth import CurrentPrincipal, allow_departments
from shared.errors import not_found
from shared.service import ReadSession, ServiceRuntime, WriteSession
from shared.timeutil import today_in_china

router = APIRouter(tags=["inspections"])


@router.post("/v1/inspections", status_code=201, response_model=InspectionRead, summary="Record an inspection and its findings")
async def record(body: InspectionCreate, principal: CurrentPrincipal, session: WriteSession, rt: ServiceRuntime) -> InspectionRead:
    return await inspections.record_inspection(session, principal, body, today_in_china(), rt.settings)


@router.get("/v1/inspections", dependencies=[allow_departments("weijian", "shichang", "gongan", "xiaofang")], response_model=InspectionPage, summary="Inspections by institution, agency, region")
async def list_inspections(
    principal: CurrentPrincipal,
    session: ReadSession,
    uscc: str | None = None,
    agency: str | None = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> InspectionPage:
    rows = await InspectionRepository(session, principal).page(uscc=uscc, agency=agency, region=region, after=after, limit=limit)
    findings = await FindingRepository(session).of_inspections([r.id for r in rows])
    today = today_in_china()
    items = [inspections.inspection_read(r, [f for f in findings if f.inspection_id == r.id], today) for r in rows]
    return InspectionPage(items=items, next=rows[-1].id if len(rows) == limit else None)


@router.get("/v1/inspections/{inspection_id}", dependencies=[allow_departments("weijian", "shichang", "gongan", "xiaofang")], response_model=InspectionRead, summary="One inspection")
async def get_inspection(inspection_id: str, principal: CurrentPrincipal, session: ReadSession) -> InspectionRead:
    row = await InspectionRepository(session, principal).get(inspection_id)
    if row is None:
        raise not_found("inspection", inspection_id)
    return inspections.inspection_read(row, await FindingRepository(session).of_inspections([row.id]), today_in_china())


@router.post("/v1/inspections/{inspection_id}/follow-ups", status_code=201, response_model=FollowUpRead, summary="A follow-up that closes findings")
async def follow_up(
    inspection_id: str, body: FollowUpCreate, principal: CurrentPrincipal, session: WriteSession, rt: ServiceRuntime
) -> FollowUpRead:
    return await inspections.follow_up(session, principal, inspection_id, body, today_in_china(), rt.settings)


@router.get("/v1/findings", dependencies=[allow_departments("weijian", "shichang", "gongan", "xiaofang")], response_model=FindingPage, summary="Findings; `overdue=true` lists rectifications past their deadline")
async def list_findings(
    principal: CurrentPrincipal,
    session: ReadSession,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
    overdue: bool = False,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    uscc: str | None = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> FindingPage:
    today = today_in_china()
    rows = await FindingRepository(session, principal).page(
        status=status, overdue_on=today if overdue else None, region=region, uscc=uscc, after=after, limit=limit
    )
    return FindingPage(items=[inspections.finding_read(f, today) for f in rows], next=rows[-1].id if len(rows) == limit else None)
