"""Annual health checks and staffing compliance per institution."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.auth import CurrentPrincipal, allow_departments
from shared.service import ReadSession, ServiceRuntime, WriteSession
from shared.timeutil import today_in_china
from training_svc import commands
from training_svc.repository import HealthCheckRepository
from training_svc.schemas import ComplianceRead, HealthCheckCreate, HealthCheckRead, LapsedHealthCheck

router = APIRouter(tags=["health checks and compliance"])


@router.post("/v1/health-checks", status_code=201, response_model=HealthCheckRead, summary="Record an annual health check")
async def record(body: HealthCheckCreate, principal: CurrentPrincipal, session: WriteSession) -> HealthCheckRead:
    return await commands.record_health_check(session, principal, body, today_in_china())


@router.get("/v1/health-checks/lapsed", dependencies=[allow_departments("weijian", "renshe")], response_model=list[LapsedHealthCheck], summary="Employed practitioners whose health check has lapsed")
async def lapsed(
    principal: CurrentPrincipal, session: ReadSession, uscc: str | None = None, limit: Annotated[int, Query(ge=1, le=2000)] = 500
) -> list[LapsedHealthCheck]:
    rows = await HealthCheckRepository(session, principal).lapsed(today_in_china(), uscc, limit)
    return [
        LapsedHealthCheck(practitioner_id=p.id, name=p.name, employer_uscc=p.employer_uscc, occupation=p.occupation, valid_until=d)
        for p, d in rows
    ]


@router.get("/v1/compliance", dependencies=[allow_departments("weijian", "renshe", "caizheng", "shichang", "gongan", "xiaofang")], response_model=ComplianceRead, summary="Staffing compliance of an institution")
async def compliance(uscc: str, principal: CurrentPrincipal, session: ReadSession, rt: ServiceRuntime) -> ComplianceRead:
    return await commands.compliance(session, principal, uscc, today_in_china(), rt.settings.in_service_hours_per_year)
