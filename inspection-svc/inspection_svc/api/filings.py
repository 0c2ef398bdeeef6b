"""Filing (备案) with the county health bureau: submission, decision, the clocks and the overdue lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from inspection_svc.commands import common
from inspection_svc.commands import filing as filings_cmd
from inspection_svc.domain.filing import MATERIALS, unfiled_overdue, unfiled_overdue_up_to
from inspection_svc.repository import FilingRepository, InboxRepository
from inspection_svc.schemas import (
    FilingCreate,
    FilingDecision,
    FilingPage,
    FilingRead,
    MaterialRead,
    Page,
    UnfiledRead,
)
from shared.auth import CurrentPrincipal
from shared.errors import not_found
from shared.service import ReadSession, ServiceRuntime, WriteSession
from shared.timeutil import today_in_china
from shared.workdays import working_days_between

router = APIRouter(tags=["filings"])


@router.get("/v1/filings/materials", response_model=list[MaterialRead], summary="The materials checklist")
async def materials() -> list[MaterialRead]:
    return [MaterialRead(key=m.key, label=m.label, only_when_meals=m.only_when_meals) for m in MATERIALS]


@router.post("/v1/filings", status_code=201, response_model=FilingRead, summary="Record a filing received (备案)")
async def submit(body: FilingCreate, principal: CurrentPrincipal, session: WriteSession) -> FilingRead:
    return await filings_cmd.submit_filing(session, principal, body, today_in_china())


@router.post("/v1/filings/{filing_id}/decision", response_model=FilingRead, summary="Accept, or return with reasons")
async def decide(filing_id: str, body: FilingDecision, principal: CurrentPrincipal, session: WriteSession) -> FilingRead:
    return await filings_cmd.decide_filing(session, principal, filing_id, body, today_in_china())


@router.get("/v1/filings", response_model=FilingPage, summary="Filings by status (`overdue`: unanswered past 5 working days) and region")
async def list_filings(
    principal: CurrentPrincipal,
    session: ReadSession,
    status: Annotated[str | None, Query(pattern="^(submitted|accepted|returned|cancelled|overdue)$")] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    uscc: str | None = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> FilingPage:
    common.require_health_bureau(principal)
    today = today_in_china()
    rows = await FilingRepository(session, principal).page(status=status, region=region, uscc=uscc, today=today, after=after, limit=limit)
    return FilingPage(items=[filings_cmd.filing_read(r, today) for r in rows], next=rows[-1].id if len(rows) == limit else None)


@router.get("/v1/filings/{filing_id}", response_model=FilingRead, summary="One filing")
async def get_filing(filing_id: str, principal: CurrentPrincipal, session: ReadSession) -> FilingRead:
    common.require_health_bureau(principal)
    row = await FilingRepository(session, principal).get(filing_id)
    if row is None:
        raise not_found("filing", filing_id)
    return filings_cmd.filing_read(row, today_in_china())


@router.get("/v1/unfiled", response_model=Page[UnfiledRead], summary="Registered institutions that have not filed, by USCC")
async def unfiled(
    principal: CurrentPrincipal,
    session: ReadSession,
    rt: ServiceRuntime,
    county: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    overdue_only: bool = False,
    after: Annotated[str | None, Query(description="cursor: the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> Page[UnfiledRead]:
    common.require_health_bureau(principal)
    allowed = rt.settings.filing_due_working_days
    today = today_in_china()
    rows = await InboxRepository(session, principal).unfiled(
        county=county, registered_up_to=unfiled_overdue_up_to(today, allowed) if overdue_only else None, after=after, limit=limit
    )
    items = [
        UnfiledRead(
            uscc=e.uscc,
            name=e.name,
            county=e.county,
            registered_on=e.registered_on,
            working_days_since=working_days_between(e.registered_on, today),
            overdue=unfiled_overdue(e.registered_on, today, allowed),
        )
        for e in rows
    ]
    return Page[UnfiledRead](items=items, next=rows[-1].uscc if len(rows) == limit else None)
