"""Annual health checks and staffing compliance per institution."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.auth import CurrentPrincipal, allow_departments
from shared.errors import field_problem
from shared.service import ReadSession, ServiceRuntime, WriteSession
from shared.timeutil import today_in_china
from training_svc import commands
from training_svc.repository import HealthCheckRepository
from training_svc.schemas import ComplianceRead, HealthCheckCreate, HealthCheckRead, LapsedHealthCheck, Page

router = APIRouter(tags=["health checks and compliance"])


@router.post("/v1/health-checks", status_code=201, response_model=HealthCheckRead, summary="Record an annual health check")
async def record(body: HealthCheckCreate, principal: CurrentPrincipal, session: WriteSession) -> HealthCheckRead:
    return await commands.record_health_check(session, principal, body, today_in_china())


@router.get(
    "/v1/health-checks/lapsed",
    dependencies=[allow_departments("weijian", "renshe")],
    response_model=Page[LapsedHealthCheck],
    summary="Employed practitioners whose latest health check is missing, unfit or expired, by employer (`after` = `uscc/practitioner_id`)",
)
async def lapsed(
    principal: CurrentPrincipal, session: ReadSession, uscc: str | None = None, after: str | None = None, limit: Annotated[int, Query(ge=1, le=2000)] = 500
) -> Page[LapsedHealthCheck]:
    cursor = None
    if after:
        uscc_seen, _, practitioner_seen = after.partition("/")
        if not practitioner_seen:
            raise field_problem("after", "cursor", "after is the `next` of the previous page: uscc/practitioner_id")
        cursor = (uscc_seen, practitioner_seen)
    rows = await HealthCheckRepository(session, principal).lapsed(today_in_china(), uscc, cursor, limit)
    items = [
        LapsedHealthCheck(practitioner_id=p.id, name=p.name, employer_uscc=p.employer_uscc, occupation=p.occupation, valid_until=d, result=r)
        for p, d, r in rows
    ]
    return Page(items=items, next=f"{rows[-1][0].employer_uscc}/{rows[-1][0].id}" if len(rows) == limit else None)


@router.get("/v1/compliance", dependencies=[allow_departments("weijian", "renshe", "caizheng", "shichang", "gongan", "xiaofang")], response_model=ComplianceRead, summary="Staffing compliance of an institution")
async def compliance(uscc: str, principal: CurrentPrincipal, session: ReadSession, rt: ServiceRuntime) -> ComplianceRead:
    return await commands.compliance(session, principal, uscc, today_in_china(), rt.settings.in_service_hours_per_year)
