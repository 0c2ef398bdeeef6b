"""信息公示 of the subsidy side: the 普惠 fee standards and who pays residential utility prices."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.auth import CurrentPrincipal
from shared.params import OptionalYear
from shared.service import ReadSession, WriteSession
from shared.timeutil import today_in_china
from subsidy_svc import commands
from subsidy_svc.repository import PublicRepository
from subsidy_svc.schemas import FeeStandardCreate, FeeStandardRead, UtilityRateEntry

router = APIRouter(tags=["public"])
County = Annotated[str | None, Query(pattern=r"^\d{6}$")]


@router.post("/v1/fee-standards", status_code=201, response_model=FeeStandardRead, summary="Publish a year's 普惠 fee standard")
async def publish(body: FeeStandardCreate, principal: CurrentPrincipal, session: WriteSession) -> FeeStandardRead:
    return await commands.publish_fee_standard(session, principal, body, today_in_china())


@router.get("/v1/public/fee-standards", response_model=list[FeeStandardRead], summary="普惠 fee standards by year and county (no login)")
async def fee_standards(session: ReadSession, year: OptionalYear = None, county: County = None) -> list[FeeStandardRead]:
    return [FeeStandardRead.model_validate(r) for r in await PublicRepository(session).fee_standards(year, county)]


@router.get(
    "/v1/public/utility-rate-eligibility",
    response_model=list[UtilityRateEntry],
    summary="Institutions charged residential water, electricity and gas prices (no login)",
)
async def utility_rates(session: ReadSession, county: County = None) -> list[UtilityRateEntry]:
    return [UtilityRateEntry(uscc=r.uscc, name=r.name, county=r.county) for r in await PublicRepository(session).utility_rate_institutions(county)]
