"""信息公示: what the public may see without signing in — no personal data (no inspectors' or
operators' names, no legal representatives)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from inspection_svc.commands import supervision
from inspection_svc.domain.checklists import CHECKLISTS, SEVERITY_RISK
from inspection_svc.repository import (
    DrawRepository,
    EvaluationRepository,
    FilingRepository,
    FindingRepository,
    InboxRepository,
    InspectionRepository,
    PlanRepository,
    PublicRepository,
)
from inspection_svc.schemas import (
    DrawRead,
    DrawVerification,
    PublicEvaluation,
    PublicFiledInstitution,
    PublicFinding,
    PublicInspection,
    PublicInstitution,
    PublicInstitutionPage,
    PublicReturnedFiling,
)
from shared.errors import not_found
from shared.params import OptionalYear
from shared.service import ReadSession
from shared.timeutil import today_in_china

router = APIRouter(prefix="/v1/public", tags=["public"])
County = Annotated[str | None, Query(pattern=r"^\d{6}$")]
Limit = Annotated[int, Query(ge=1, le=500)]


async def _public_institutions(session, entries: list) -> list[PublicInstitution]:  # type: ignore[no-untyped-def]
    standing = await PublicRepository(session).standing([e.uscc for e in entries], today_in_china().year)
    return [
        PublicInstitution(
            uscc=e.uscc,
            name=e.name,
            county=e.county,
            address=e.address,
            nature=e.nature,
            filing_status=standing[e.uscc]["filing"],
            inclusive=standing[e.uscc]["inclusive"],
            demonstration=standing[e.uscc]["demonstration"],
            rating=standing[e.uscc]["rating"],
        )
        for e in entries
    ]


@router.get("/institutions", response_model=PublicInstitutionPage, summary="Search institutions by name, county and 普惠")
async def institutions(
    session: ReadSession,
    name: Annotated[str | None, Query(max_length=50)] = None,
    county: County = None,
    inclusive: bool = False,
    after: str | None = None,
    limit: Limit = 20,
) -> PublicInstitutionPage:
    entries = await PublicRepository(session).institutions(
        name=name, county=county, inclusive_year=today_in_china().year if inclusive else None, after=after, limit=limit
    )
    return PublicInstitutionPage(items=await _public_institutions(session, entries), next=entries[-1].uscc if len(entries) == limit else None)


@router.get("/institutions/{uscc}", response_model=PublicInstitution, summary="One institution as the portal shows it")
async def institution(uscc: str, session: ReadSession) -> PublicInstitution:
    entry = await InboxRepository(session).get(uscc)
    if entry is None or entry.kind != "institution":
        raise not_found("institution", uscc)
    return (await _public_institutions(session, [entry]))[0]


@router.get("/returned-filings", response_model=list[PublicReturnedFiling], summary="Filings returned, with their reasons")
async def returned_filings(session: ReadSession, county: County = None, limit: Limit = 100) -> list[PublicReturnedFiling]:
    rows = await FilingRepository(session).returned_publicly(county, limit)
    return [
        PublicReturnedFiling(name=r.name, uscc=r.uscc, county=r.county, submitted_on=r.submitted_on, decided_on=r.decided_on, reasons=r.reasons)
        for r in rows
    ]


@router.get("/filed-institutions", response_model=list[PublicFiledInstitution], summary="Institutions filed with the health bureau")
async def filed_institutions(session: ReadSession, county: County = None, limit: Limit = 500) -> list[PublicFiledInstitution]:
    rows = await PublicRepository(session).filed_institutions(county, limit)
    return [PublicFiledInstitution(uscc=e.uscc, name=e.name, county=e.county, address=e.address, filed_on=d) for e, d in rows]


@router.get("/inspections", response_model=list[PublicInspection], summary="Inspection results and findings, with risk level and verification date")
async def inspections(session: ReadSession, county: County = None, uscc: str | None = None, limit: Limit = 100) -> list[PublicInspection]:
    rows = await InspectionRepository(session).public(county, limit, uscc)
    findings = await FindingRepository(session).of_inspections([r.id for r in rows])
    return [
        PublicInspection(
            uscc=r.uscc,
            name=r.name,
            county=r.county,
            agency=r.agency,
            kind=r.kind,
            inspected_on=r.inspected_on,
            items_checked=len(r.results),
            items_failed=sum(1 for v in r.results.values() if v == "fail"),
            findings=[
                PublicFinding(
                    item=CHECKLISTS[r.agency].get(f.code, f.code),
                    risk_level=SEVERITY_RISK[f.severity],
                    deadline=f.deadline,
                    status=f.status,
                    verified_on=f.verified_on,
                )
                for f in findings
                if f.inspection_id == r.id
            ],
        )
        for r in rows
    ]


@router.get("/evaluations", response_model=list[PublicEvaluation], summary="Published quality ratings")
async def evaluations(session: ReadSession, county: County = None, limit: Limit = 100) -> list[PublicEvaluation]:
    rows = await EvaluationRepository(session).public(county, limit)
    return [
        PublicEvaluation(uscc=r.uscc, name=r.name, county=r.county, rating=r.rating, scores=r.scores, evaluated_on=r.evaluated_on, published_on=r.published_on)  # type: ignore[arg-type]
        for r in rows
    ]


@router.get("/draws", response_model=list[DrawRead], summary="Spot-check draws: seeds, database hashes, inputs and assignments")
async def draws(session: ReadSession, region: County = None, year: OptionalYear = None, limit: Limit = 100) -> list[DrawRead]:
    return [supervision.draw_read(d, p) for d, p in await DrawRepository(session).published(region, year, limit)]


@router.get("/draws/{plan_id}/verification", response_model=DrawVerification, summary="Re-run a published draw from its published inputs")
async def verify(plan_id: str, session: ReadSession) -> DrawVerification:
    plan = await PlanRepository(session).get(plan_id)
    draw = await DrawRepository(session).of_plan(plan_id) if plan else None
    if plan is None or draw is None:
        raise not_found("draw of plan", plan_id)
    return supervision.verify_draw(draw, plan)
