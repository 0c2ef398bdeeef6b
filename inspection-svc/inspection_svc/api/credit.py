"""Credit (守信/失信) and appeals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from inspection_svc.commands import credit
from inspection_svc.schemas import AppealCreate, AppealDecision, AppealRead, CreditRead, Page
from shared.auth import CurrentPrincipal
from shared.service import ReadSession, ServiceRuntime, WriteSession
from shared.timeutil import today_in_china

router = APIRouter(tags=["credit"])


# declared before /v1/credit/{uscc}, which would otherwise take "appeals" for a USCC
@router.get("/v1/credit/appeals", response_model=Page[AppealRead], summary="Appeals in your region by status and institution, e.g. `status=pending` to find those to decide")
async def list_appeals(
    principal: CurrentPrincipal,
    session: ReadSession,
    status: Annotated[str | None, Query(pattern="^(pending|upheld|rejected)$")] = None,
    uscc: str | None = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[AppealRead]:
    return await credit.appeals_page(session, principal, status, uscc, after, limit)


@router.get("/v1/credit/{uscc}", response_model=CreditRead, summary="An institution's credit standing, with reasons (city-wide; 404 for an unknown USCC)")
async def get_credit(uscc: str, principal: CurrentPrincipal, session: ReadSession, rt: ServiceRuntime) -> CreditRead:
    return await credit.credit_of(session, uscc, today_in_china(), credit.rules_from(rt.settings))


@router.post("/v1/credit/{uscc}/appeals", status_code=201, response_model=AppealRead, summary="Appeal a dishonest listing")
async def appeal(uscc: str, body: AppealCreate, principal: CurrentPrincipal, session: WriteSession) -> AppealRead:
    return await credit.file_appeal(session, principal, uscc, body, today_in_china())


@router.post(
    "/v1/credit/appeals/{appeal_id}/decision",
    response_model=AppealRead,
    summary="Decide an appeal (recorded): the agency whose findings listed it, or the health bureau, of the same or a higher level",
)
async def decide(appeal_id: str, body: AppealDecision, principal: CurrentPrincipal, session: WriteSession, rt: ServiceRuntime) -> AppealRead:
    return await credit.decide_appeal(session, principal, appeal_id, body, today_in_china(), credit.rules_from(rt.settings))
