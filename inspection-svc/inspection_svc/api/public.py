"""信息公示: what the public may see without signing in — no personal data (no inspectors' or
operators' names, no legal representatives)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from inspection_svc.commands import supervision
from inspection_svc.domain.checklists import AGENCIES, CHECKLISTS, SEVERITY_RISK
from inspection_svc.repository import (
    DrawRepository,
    EvaluationRepository,
    FindingRepository,
    InboxRepository,
    InspectionRepository,
    PlanRepository,
    PublicRepository,
)
from inspection_svc.schemas import (
    DrawVerification,
    Page,
    PublicDrawRead,
    PublicEvaluation,
    PublicFiledInstitution,
    PublicFinding,
    PublicInspection,
    PublicInstitution,
    PublicInstitutionPage,
    PublicReturnedFiling,
)
from shared.errors import field_problem, not_found
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


def _newest_cursor(after: str | None) -> tuple[dt.date, str] | None:
    """The `after=` of a list latest first: the `next` of the previous page, "<date>,<id>"."""
    if after is None:
        return None
    day, _, key = after.partition(",")
    try:
        return dt.date.fromisoformat(day), key
    except ValueError:
        raise field_problem("after", "page_cursor", "pass the `next` of the previous page") from None


def _newest_next(rows: list, limit: int, day_of) -> str | None:  # type: ignore[no-untyped-def]
    return f"{day_of(rows[-1]).isoformat()},{rows[-1].id}" if len(rows) == limit else None


@router.get("/returned-filings", response_model=Page[PublicReturnedFiling], summary="Filings returned, with their reasons, the latest first")
async def returned_filings(session: ReadSession, county: County = None, after: str | None = None, limit: Limit = 100) -> Page[PublicReturnedFiling]:
    rows = await PublicRepository(session).returned_filings(county, _newest_cursor(after), limit)
    items = [
        PublicReturnedFiling(name=r.name, uscc=r.uscc, county=r.county, submitted_on=r.submitted_on, decided_on=r.decided_on, reasons=r.reasons)
        for r in rows
    ]
    return Page[PublicReturnedFiling](items=items, next=_newest_next(rows, limit, lambda r: r.decided_on))


@router.get("/filed-institutions", response_model=Page[PublicFiledInstitution], summary="Institutions filed with the health bureau")
async def filed_institutions(session: ReadSession, county: County = None, after: str | None = None, limit: Limit = 500) -> Page[PublicFiledInstitution]:
    rows = await PublicRepository(session).filed_institutions(county, after, limit)
    items = [PublicFiledInstitution(uscc=e.uscc, name=e.name, county=e.county, address=e.address, filed_on=d) for e, d in rows]
    return Page[PublicFiledInstitution](items=items, next=rows[-1][0].uscc if len(rows) == limit else None)


@router.get("/inspections", response_model=Page[PublicInspection], summary="Inspection results and findings, with risk level and verification date, the latest first")
async def inspections(
    session: ReadSession,
    county: County = None,
    uscc: str | None = None,
    agency: Annotated[str | None, Query(pattern="^(" + "|".join(AGENCIES) + ")$")] = None,
    year: OptionalYear = None,
    after: str | None = None,
    limit: Limit = 100,
) -> Page[PublicInspection]:
    rows = await InspectionRepository(session).public(county=county, uscc=uscc, agency=agency, year=year, after=_newest_cursor(after), limit=limit)
    findings = await FindingRepository(session).of_inspections([r.id for r in rows])
    items = [
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
    return Page[PublicInspection](items=items, next=_newest_next(rows, limit, lambda r: r.inspected_on))


@router.get("/evaluations", response_model=Page[PublicEvaluation], summary="Published quality ratings, the latest first")
async def evaluations(
    session: ReadSession, county: County = None, uscc: str | None = None, after: str | None = None, limit: Limit = 100
) -> Page[PublicEvaluation]:
    rows = await EvaluationRepository(session).public(county=county, uscc=uscc, after=_newest_cursor(after), limit=limit)
    items = [
        PublicEvaluation(uscc=r.uscc, name=r.name, county=r.county, rating=r.rating, scores=r.scores, evaluated_on=r.evaluated_on, published_on=r.published_on)  # type: ignore[arg-type]
        for r in rows
    ]
    return Page[PublicEvaluation](items=items, next=_newest_next(rows, limit, lambda r: r.published_on))


@router.get("/draws", response_model=Page[PublicDrawRead], summary="Spot-check draws: seeds, database hashes, inputs and assignments (inspectors by pseudonym)")
async def draws(session: ReadSession, region: County = None, year: OptionalYear = None, after: str | None = None, limit: Limit = 100) -> Page[PublicDrawRead]:
    rows = await DrawRepository(session).published(region, year, after, limit)
    return Page[PublicDrawRead](items=[supervision.public_draw_read(d, p) for d, p in rows], next=rows[-1][1].id if len(rows) == limit else None)


@router.get("/draws/{plan_id}/verification", response_model=DrawVerification, summary="Re-run a published draw from its published inputs")
async def verify(plan_id: str, session: ReadSession) -> DrawVerification:
    plan = await PlanRepository(session).get(plan_id)
    draw = await DrawRepository(session).of_plan(plan_id) if plan else None
    if plan is None or draw is None:
        raise not_found("draw of plan", plan_id)
    return supervision.verify_draw(draw, plan)
