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
from subsidy_svc.schemas import (
    FeeStandardAdjustment,
    FeeStandardCreate,
    FeeStandardPage,
    FeeStandardRead,
    UtilityRateEntry,
    UtilityRatePage,
)

router = APIRouter(tags=["public"])
County = Annotated[str | None, Query(pattern=r"^\d{6}$")]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.post("/v1/fee-standards", status_code=201, response_model=FeeStandardRead, summary="Publish a year's 普惠 fee standard (409 naming the one in force if there is one: adjust it)")
async def publish(body: FeeStandardCreate, principal: CurrentPrincipal, session: WriteSession) -> FeeStandardRead:
    return await commands.publish_fee_standard(session, principal, body, today_in_china())


@router.post(
    "/v1/fee-standards/{standard_id}/adjustments",
    status_code=201,
    response_model=FeeStandardRead,
    summary="Adjust the standard in force (适时调整): a new version from its day on; 409 for one already superseded",
)
async def adjust(standard_id: str, body: FeeStandardAdjustment, principal: CurrentPrincipal, session: WriteSession) -> FeeStandardRead:
    return await commands.adjust_fee_standard(session, principal, standard_id, body, today_in_china())


@router.get("/v1/public/fee-standards", response_model=FeeStandardPage, summary="普惠 fee standards in force by year and county, or every version with history=true (no login)")
async def fee_standards(
    session: ReadSession, year: OptionalYear = None, county: County = None, history: bool = False, after: str | None = None, limit: Limit = 100
) -> FeeStandardPage:
    rows = await PublicRepository(session).fee_standards(year=year, county=county, history=history, after=after, limit=limit)
    return FeeStandardPage(items=[FeeStandardRead.model_validate(r) for r in rows], next=rows[-1].id if len(rows) == limit else None)


# DESIGN §7 names the first path; the second is where the disclosure portal's lists are (向社会公开: no login on either)
@router.get("/v1/utility-rate-eligibility", response_model=UtilityRatePage, summary="Institutions charged residential water, electricity and gas prices (no login)")
@router.get("/v1/public/utility-rate-eligibility", response_model=UtilityRatePage, summary="The same list, with the disclosure portal's (no login)")
async def utility_rates(session: ReadSession, county: County = None, after: str | None = None, limit: Limit = 100) -> UtilityRatePage:
    rows = await PublicRepository(session).utility_rate_institutions(county=county, after=after, limit=limit)
    return UtilityRatePage(items=[UtilityRateEntry.model_validate(r) for r in rows], next=rows[-1].uscc if len(rows) == limit else None)
