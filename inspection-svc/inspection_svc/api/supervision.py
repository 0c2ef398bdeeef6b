"""双随机、一公开: rosters, spot-check plans, and their draws."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from inspection_svc.commands import staffing as staffing_cmd
from inspection_svc.commands import supervision
from inspection_svc.domain.checklists import AGENCIES, CHECKLISTS
from inspection_svc.repository import DrawRepository, PlanRepository
from inspection_svc.schemas import DrawCreate, DrawRead, Page, PlanCreate, PlanRead, RosterPage, StaffingRead
from shared.auth import CurrentPrincipal, allow_departments
from shared.errors import forbidden, not_found
from shared.params import OptionalYear
from shared.service import ReadSession, WriteSession
from shared.timeutil import today_in_china

router = APIRouter(tags=["spot checks"])
AgencyPath = Annotated[str, Path(pattern="^(" + "|".join(AGENCIES) + ")$")]


@router.get("/v1/checklists/{agency}", summary="An agency's checklist (一单)")
async def checklist(agency: AgencyPath) -> dict[str, str]:
    return CHECKLISTS[agency]


@router.get("/v1/rosters/{agency}", response_model=RosterPage, summary="An agency's roster of supervised institutions (监管名录)")
async def roster(
    agency: AgencyPath, principal: CurrentPrincipal, session: ReadSession, region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None
) -> RosterPage:
    if principal.department not in (agency, "weijian") and not principal.has_role("admin"):
        raise forbidden(f"the {agency} roster is for {agency} (and the health bureau that feeds it)")
    region = region or principal.region
    if not principal.covers(region):
        raise forbidden(f"your office ({principal.region}) does not see {region}")
    return RosterPage(agency=agency, region=region, items=await supervision.roster(session, agency, region))


@router.get("/v1/staffing/{uscc}", dependencies=[allow_departments("weijian", "shichang", "gongan", "xiaofang")], response_model=StaffingRead, summary="An institution's staffing, as the workforce register tells it")
async def staffing(uscc: str, principal: CurrentPrincipal, session: ReadSession) -> StaffingRead:
    return await staffing_cmd.staffing(session, uscc, today_in_china())


@router.post("/v1/plans", status_code=201, response_model=PlanRead, summary="A spot-check plan with its checklist and inspectors")
async def create_plan(body: PlanCreate, principal: CurrentPrincipal, session: WriteSession) -> PlanRead:
    return await supervision.create_plan(session, principal, body)


@router.get("/v1/plans", dependencies=[allow_departments("weijian", "shichang", "gongan", "xiaofang")], response_model=Page[PlanRead], summary="Spot-check plans by agency, year, region")
async def list_plans(
    principal: CurrentPrincipal,
    session: ReadSession,
    agency: Annotated[str | None, Query(pattern="^(" + "|".join(AGENCIES) + ")$")] = None,
    year: OptionalYear = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[PlanRead]:
    plans = await PlanRepository(session, principal).page(agency=agency, year=year, region=region, after=after, limit=limit)
    drawn = await DrawRepository(session).drawn([p.id for p in plans])
    return Page[PlanRead](items=[supervision.plan_read(p, p.id in drawn) for p in plans], next=plans[-1].id if len(plans) == limit else None)


@router.post(
    "/v1/plans/{plan_id}/draws",
    dependencies=[allow_departments(*AGENCIES)],  # refused before the plan is looked up
    status_code=201,
    response_model=DrawRead,
    summary="Draw institutions and inspectors (双随机)",
)
async def make_draw(plan_id: str, principal: CurrentPrincipal, session: WriteSession, body: DrawCreate | None = None) -> DrawRead:
    return await supervision.make_draw(session, principal, plan_id, body or DrawCreate())


@router.get("/v1/plans/{plan_id}/draws", response_model=DrawRead, summary="A plan's draw, with its inspectors' enforcement numbers (the plan's agency, the health bureau)")
async def get_draw(plan_id: str, principal: CurrentPrincipal, session: ReadSession) -> DrawRead:
    plan = await PlanRepository(session, principal).get(plan_id)
    draw = await DrawRepository(session).of_plan(plan_id) if plan else None
    if plan is None or draw is None:
        raise not_found("draw of plan", plan_id)
    # who was assigned, by enforcement number: the plan's agency and the health bureau that feeds its roster (the public sees pseudonyms)
    if principal.department not in (plan.agency, "weijian") and not principal.has_role("admin"):
        raise forbidden(f"the enforcement numbers of this draw are for {plan.agency} (and the health bureau)")
    return supervision.draw_read(draw, plan)
