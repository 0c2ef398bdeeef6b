"""双随机、一公开: rosters (监管名录), spot-check plans and their reproducible draws."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.commands.common import require_department
from inspection_svc.domain import draw as drawing
from inspection_svc.domain.checklists import CHECKLISTS
from inspection_svc.models import Draw, Plan, platform
from inspection_svc.repository import DrawRepository, PlanRepository, RosterRepository
from inspection_svc.schemas import (
    AssignmentRead,
    DrawCreate,
    DrawRead,
    DrawVerification,
    PlanCreate,
    PlanInspector,
    PlanRead,
    PublicDrawRead,
    RosterEntry,
)
from shared.audit import audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Problem, field_problem, forbidden, not_found


async def roster(session: AsyncSession, agency: str, region: str) -> list[RosterEntry]:
    rows = await RosterRepository(session).roster(agency, region)
    return [
        RosterEntry(
            uscc=entry.uscc,
            name=entry.name,
            county=entry.county,
            address=entry.address,
            credit_status=credit,
            open_findings=major + critical,
            risk_weight=drawing.risk_weight(credit, major, critical),
        )
        for entry, credit, major, critical in rows
    ]


def plan_read(plan: Plan, drawn: bool) -> PlanRead:
    return PlanRead(
        id=plan.id,
        agency=plan.agency,
        region=plan.region,
        year=plan.year,
        sampling_ratio=plan.sampling_ratio,
        sample_size=plan.sample_size,
        weighted=plan.weighted,
        checklist=plan.checklist,
        inspectors=[PlanInspector.model_validate(i) for i in plan.inspectors],
        drawn=drawn,
    )


async def create_plan(session: AsyncSession, principal: Principal, body: PlanCreate) -> PlanRead:
    require_department(principal, body.agency, "a spot-check plan")
    if not principal.covers(body.region):
        raise forbidden(f"your office ({principal.region}) does not plan for {body.region}")
    if (body.sampling_ratio is None) == (body.sample_size is None):
        raise field_problem("sampling_ratio", "ratio_or_size", "give either sampling_ratio or sample_size")
    checklist = body.checklist or list(CHECKLISTS[body.agency])
    if unknown := sorted(set(checklist) - set(CHECKLISTS[body.agency])):
        raise field_problem("checklist", "agency_checklist", f"not on the {body.agency} checklist: {', '.join(unknown)}")
    if len({i.id for i in body.inspectors}) != len(body.inspectors):
        raise field_problem("inspectors", "unique_ids", "each inspector is listed once")
    plan = Plan(
        id=str(uuid.uuid4()),
        agency=body.agency,
        region=body.region,
        year=body.year,
        sampling_ratio=body.sampling_ratio,
        sample_size=body.sample_size,
        weighted=body.weighted,
        checklist=checklist,
        inspectors=[i.model_dump() for i in body.inspectors],
        created_by=principal.sub,
        created_at=utcnow(),
    )
    PlanRepository(session, principal).add(plan)
    await audit(session, platform, principal, "create", "plan", plan.id)
    return plan_read(plan, drawn=False)


def _enforcement_numbers(draw: Draw, plan: Plan) -> dict[str, str]:
    """Pseudonym → enforcement number of the plan's inspectors (a draw made before pseudonyms used the numbers)."""
    if draw.inspector_salt is None:
        return {i["id"]: i["id"] for i in plan.inspectors}
    return {drawing.pseudonym(draw.inspector_salt, i["id"]): i["id"] for i in plan.inspectors}


def assigned_inspectors(draw: Draw, plan: Plan) -> dict[str, list[str]]:
    """Drawn institution → the enforcement numbers of the inspectors the draw assigned to it."""
    numbers = _enforcement_numbers(draw, plan)
    return {a["uscc"]: [numbers[p] for p in a["inspectors"]] for a in draw.assignments}


def public_draw_read(draw: Draw, plan: Plan) -> PublicDrawRead:
    """The draw as published (一公开): seed, both databases and their hashes, assignments, with
    inspectors under their pseudonyms. A draw made before pseudonyms keeps its inspectors unpublished."""
    pseudonymous = draw.inspector_salt is not None
    return PublicDrawRead(
        plan_id=plan.id,
        agency=plan.agency,
        region=plan.region,
        year=plan.year,
        seed=draw.seed,
        target_hash=draw.target_hash,
        inspector_hash=draw.inspector_hash,
        size=draw.size,
        targets=draw.targets,
        inspectors=draw.inspectors if pseudonymous else [],
        assignments=[AssignmentRead(uscc=a["uscc"], inspectors=a["inspectors"] if pseudonymous else []) for a in draw.assignments],
        drawn_at=draw.drawn_at,
    )


def draw_read(draw: Draw, plan: Plan) -> DrawRead:
    """The agency's own view: the published draw, with who was assigned by enforcement number."""
    numbers = _enforcement_numbers(draw, plan)
    assigned = assigned_inspectors(draw, plan)
    return DrawRead(
        **public_draw_read(draw, plan).model_dump(exclude={"inspectors", "assignments"}),
        inspectors=draw.inspectors,
        assignments=[AssignmentRead(uscc=uscc, inspectors=ids) for uscc, ids in assigned.items()],
        pseudonyms={number: pseudonym for pseudonym, number in numbers.items()},
    )


def _published_inputs(draw: Draw) -> tuple[list[drawing.Target], list[drawing.Inspector]]:
    targets = [drawing.Target(uscc, weight) for uscc, weight in draw.targets]
    inspectors = [drawing.Inspector(id_, frozenset(conflicts)) for id_, conflicts in draw.inspectors]
    return targets, inspectors


async def make_draw(session: AsyncSession, principal: Principal, plan_id: str, body: DrawCreate) -> DrawRead:
    plan = await PlanRepository(session, principal).get(plan_id, for_update=True)
    if plan is None:
        raise not_found("plan", plan_id)
    require_department(principal, plan.agency, "drawing this plan")
    draws = DrawRepository(session)
    if await draws.of_plan(plan_id) is not None:
        raise Problem(409, "already-drawn", "Already drawn", "a plan is drawn once; its draw is public and verifiable")
    entries = await roster(session, plan.agency, plan.region)
    if not entries:
        raise Problem(422, "empty-roster", "Nothing to draw from", f"the {plan.agency} roster of {plan.region} is empty")
    targets = [drawing.Target(e.uscc, e.risk_weight if plan.weighted else 1) for e in entries]
    salt = secrets.token_hex(16)  # the draw's secret behind its inspectors' pseudonyms (一公开 without personal data)
    inspectors = drawing.pseudonymous([drawing.Inspector(i["id"], frozenset(i["conflicts"])) for i in plan.inspectors], salt)
    seed = body.seed or secrets.token_hex(16)
    size = drawing.sample_size(len(targets), plan.sampling_ratio, plan.sample_size)
    try:
        assignments = drawing.draw(seed, targets, inspectors, size)
    except drawing.NotEnoughInspectors as exc:
        raise Problem(
            422,
            "not-enough-inspectors",
            "Not enough inspectors without a conflict",
            str(exc),
            errors=[{"field": "inspectors", "rule": "two_without_conflict", "message": str(exc)}],
        ) from exc
    target_rows, inspector_rows = drawing.target_rows(targets), drawing.inspector_rows(drawing.published_inspectors(inspectors, assignments))
    row = Draw(
        id=str(uuid.uuid4()),
        plan_id=plan.id,
        seed=seed,
        targets=target_rows,
        inspectors=inspector_rows,
        target_hash=drawing.database_hash(target_rows),
        inspector_hash=drawing.database_hash(inspector_rows),
        inspector_salt=salt,
        size=size,
        assignments=[{"uscc": a.uscc, "inspectors": list(a.inspectors)} for a in assignments],
        drawn_by=principal.sub,
        drawn_at=utcnow(),
    )
    draws.add(row)
    await audit(session, platform, principal, "draw", "plan", plan.id, {"seed": seed, "size": size})
    return draw_read(row, plan)


def verify_draw(draw: Draw, plan: Plan) -> DrawVerification:
    """Re-run a published draw from its published inputs."""
    targets, inspectors = _published_inputs(draw)
    again = drawing.draw(draw.seed, targets, inspectors, draw.size)
    return DrawVerification(
        plan_id=plan.id,
        target_hash_matches=drawing.database_hash(draw.targets) == draw.target_hash,
        inspector_hash_matches=drawing.database_hash(draw.inspectors) == draw.inspector_hash,
        assignments_match=[{"uscc": a.uscc, "inspectors": list(a.inspectors)} for a in again] == draw.assignments,
    )
