"""Reports per programme, region and month, as JSON and .xlsx."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response

from shared.auth import CurrentPrincipal, Principal
from shared.errors import forbidden
from shared.regions import CITY, REGIONS
from shared.service import ReadSession
from shared.xlsx import XLSX, Sheet, workbook_bytes
from subsidy_svc import commands
from subsidy_svc.repository import BudgetRepository, ReportRepository
from subsidy_svc.schemas import ReportRow, SubsidyReport

router = APIRouter(prefix="/v1/reports", tags=["reports"])
READERS = ("caizheng", "renshe")


async def _report(session, principal: Principal, year: int, region: str | None) -> SubsidyReport:  # type: ignore[no-untyped-def]
    if principal.department not in READERS and not principal.has_role("admin"):
        raise forbidden("subsidy reports are for 财政 and 人社")
    region = region or (principal.region if principal.region != CITY else None)
    if region and not principal.covers(region):
        raise forbidden(f"your office ({principal.region}) does not see {region}")
    rows = await ReportRepository(session).monthly(year, region)
    budgets = [commands.budget_read(b) for b in await BudgetRepository(session, principal).of_year(year)]
    return SubsidyReport(
        year=year,
        region=region,
        rows=[
            ReportRow(programme=p, region=r, month=m, applications=a, approved_fen=ap, paid_fen=pd, reduced_fen=rd, reduced_children=c)
            for p, r, m, a, ap, pd, rd, c in rows
        ],
        budgets=[b for b in budgets if region in (None, b.region)],
    )


@router.get("/subsidies", response_model=SubsidyReport, summary="Applications, approvals and payments per programme, region and month")
async def subsidies(
    principal: CurrentPrincipal, session: ReadSession, year: Annotated[int, Query(ge=2020, le=2100)], region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None
) -> SubsidyReport:
    return await _report(session, principal, year, region)


@router.get("/subsidies.xlsx", summary="The same report as a spreadsheet", response_class=Response)
async def subsidies_xlsx(
    principal: CurrentPrincipal, session: ReadSession, year: Annotated[int, Query(ge=2020, le=2100)], region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None
) -> Response:
    report = await _report(session, principal, year, region)

    def yuan(fen: int) -> Decimal:  # the sheet shows yuan, exact to the fen (never a float: DESIGN §5)
        return Decimal(fen).scaleb(-2)

    months = Sheet(
        f"{year}年奖补按月",
        ["项目", "区域", "区域代码", "月份", "申请数", "批准金额（元）", "拨付金额（元）", "减免金额（元）", "减免人数"],
        [
            [
                r.programme, REGIONS.get(r.region).name if r.region in REGIONS else r.region, r.region, r.month, r.applications,
                yuan(r.approved_fen), yuan(r.paid_fen), yuan(r.reduced_fen), r.reduced_children,
            ]
            for r in report.rows
        ],
    )
    budgets = Sheet(
        "预算执行",
        ["项目", "区域代码", "级次", "预算（元）", "已承诺（元）", "可用（元）"],
        [[b.programme, b.region, b.level, yuan(b.amount_fen), yuan(b.committed_fen), yuan(b.available_fen)] for b in report.budgets],
    )
    content = await asyncio.to_thread(workbook_bytes, months, budgets)
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="subsidies-{year}.xlsx"'})
