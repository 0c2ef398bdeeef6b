"""The monthly push-compliance report, as JSON and as .xlsx."""

from __future__ import annotations

import asyncio
from typing import Annotated

import httpx
from fastapi import APIRouter, Query, Request, Response

from inspection_svc.commands import common
from inspection_svc.domain.report import ComplianceRow, compliance_rows, totals
from inspection_svc.repository import InboxRepository
from inspection_svc.schemas import ComplianceReport, ComplianceRowRead
from shared.auth import CurrentPrincipal, Principal
from shared.departments import DEPARTMENTS
from shared.errors import Problem, forbidden
from shared.regions import CITY, REGIONS
from shared.service import Runtime, ServiceRuntime
from shared.timeutil import MONTH_PATTERN, month_span
from shared.xlsx import XLSX, Sheet, workbook_bytes

router = APIRouter(prefix="/v1/reports", tags=["reports"])
MONTH = Query(pattern=MONTH_PATTERN, description="YYYY-MM")


def _row(r: ComplianceRow) -> ComplianceRowRead:
    return ComplianceRowRead(
        region=r.region,
        registrar=r.registrar,
        registered=r.registered,
        received_same_month=r.received_same_month,
        received_late=r.received_late,
        missing=r.missing,
        same_month_rate=r.same_month_rate,
    )


async def _registered_counts(rt: Runtime, request: Request, month: str, region: str | None) -> dict[tuple[str, str], int]:
    """The registrars' own counts, from the registration service with the caller's credentials."""
    params = {"month": month, **({"region": region} if region else {})}
    try:
        response = await rt.http.get(
            f"{rt.settings.service_url('registration')}/v1/registrations/counts",
            params=params,
            headers={"Authorization": request.headers.get("authorization", ""), "X-Request-ID": request.headers.get("x-request-id", "")},
        )
    except httpx.HTTPError as exc:
        raise Problem(502, "upstream-failed", "Registration service unreachable", "the report needs the registrars' counts") from exc
    if response.status_code != 200:
        raise Problem(502, "upstream-failed", "Registration service refused", f"it answered {response.status_code}")
    return {(i["registrar_region"], i["registrar"]): i["registered"] for i in response.json()["items"]}


async def _report(rt: Runtime, request: Request, principal: Principal, month: str, region: str | None) -> ComplianceReport:
    common.require_health_bureau(principal)
    if region and not principal.covers(region):
        raise forbidden(f"your office ({principal.region}) does not see region {region}")
    offices = [region] if region else (None if principal.region == CITY else [principal.region])
    registered = await _registered_counts(rt, request, month, region or (principal.region if principal.region != CITY else None))
    async with rt.db.reading() as session:
        received = await InboxRepository(session, principal).received_counts(month_span(month), offices)
    rows = compliance_rows(registered, received)
    return ComplianceReport(month=month, region=region, rows=[_row(r) for r in rows], total=_row(totals(rows, region or principal.region)))


@router.get("/push-compliance", response_model=ComplianceReport, summary="Registered / received in the same month / late / missing")
async def push_compliance(
    principal: CurrentPrincipal,
    rt: ServiceRuntime,
    request: Request,
    month: Annotated[str, MONTH],
    region: Annotated[str | None, Query(pattern=r"^\d{6}$", description="the health bureau (registering office) region")] = None,
) -> ComplianceReport:
    return await _report(rt, request, principal, month, region)


@router.get("/push-compliance.xlsx", summary="The same report as a spreadsheet", response_class=Response)
async def push_compliance_xlsx(
    principal: CurrentPrincipal,
    rt: ServiceRuntime,
    request: Request,
    month: Annotated[str, MONTH],
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> Response:
    report = await _report(rt, request, principal, month, region)
    header = ["区域", "区域代码", "登记机关", "登记数", "当月推送", "逾期推送", "未推送", "当月推送率"]

    def line(r: ComplianceRowRead) -> list:
        region_name = REGIONS[r.region].name if r.region in REGIONS else r.region
        registrar = DEPARTMENTS.get(r.registrar, "合计")
        rate = f"{r.same_month_rate:.1%}" if r.same_month_rate is not None else ""
        return [region_name, r.region, registrar, r.registered, r.received_same_month, r.received_late, r.missing, rate]

    content = await asyncio.to_thread(
        workbook_bytes, Sheet(f"{month} 登记推送情况", header, [*map(line, report.rows), line(report.total)])
    )
    filename = f"push-compliance-{month}{'-' + region if region else ''}.xlsx"
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
