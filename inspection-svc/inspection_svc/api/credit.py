"""Credit (守信/失信) and appeals."""

from __future__ import annotations

from fastapi import APIRouter

from inspection_svc.commands import credit
from inspection_svc.repository import CreditRepository
from inspection_svc.schemas import AppealCreate, AppealDecision, AppealRead, CreditRead
from shared.auth import CurrentPrincipal
from shared.service import ReadSession, ServiceRuntime, WriteSession
from shared.timeutil import today_in_china

router = APIRouter(tags=["credit"])


@router.get("/v1/credit/{uscc}", response_model=CreditRead, summary="An institution's credit standing, with reasons")
async def get_credit(uscc: str, principal: CurrentPrincipal, session: ReadSession) -> CreditRead:
    return credit.credit_read(uscc, await CreditRepository(session, principal).get(uscc), today_in_china())


@router.post("/v1/credit/{uscc}/appeals", status_code=201, response_model=AppealRead, summary="Appeal a dishonest listing")
async def appeal(uscc: str, body: AppealCreate, principal: CurrentPrincipal, session: WriteSession) -> AppealRead:
    return await credit.file_appeal(session, principal, uscc, body, today_in_china())


@router.post("/v1/credit/appeals/{appeal_id}/decision", response_model=AppealRead, summary="Decide an appeal (recorded)")
async def decide(appeal_id: str, body: AppealDecision, principal: CurrentPrincipal, session: WriteSession, rt: ServiceRuntime) -> AppealRead:
    return await credit.decide_appeal(session, principal, appeal_id, body, today_in_china(), credit.rules_from(rt.settings))
